"""Isolation and permission sweep: every URL of the project (walked from the resolver), opened
by every kind of foreign user, must refuse (403, 404, 405 or the login page) — never show
tenant A's data, never crash. A new URL without a rule in tests/sweep_rules.py fails here."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from tests.sweep_rules import (FOREIGN_ROLES, HIDE_REVIEWS, PRIVATE, PUBLIC, REVIEW_SECRET,
                               RULES, SECRET, build_world, url_entries, url_for,
                               world_fingerprint)

CONFLICTED = "conflicted_instructor_of_tenant_a"

REFUSALS = {403, 404, 405}

#: (url name, role, method) where the sweep found a leak whose fix is not a one-liner; each is
#: an expected failure of `test_known_leak_is_still_open` (strict: it fails once fixed).
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}


def test_every_url_name_has_a_sweep_rule():
    missing = [e.name for e in url_entries() if e.name not in RULES]
    assert missing == [], "\n".join(f"add a sweep rule for {name} (tests/sweep_rules.py)"
                                    for name in missing)


def test_every_sweep_rule_names_an_existing_url():
    names = {e.name for e in url_entries()}
    assert sorted(set(RULES) - names) == []


def _login_url(next_url: str) -> str:
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"


def _is_login_redirect(response, url) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse(settings.LOGIN_URL))


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _judge(entry, rule, role: str, method: str, url: str, client) -> str | None:
    """None when the answer is right, else what is wrong."""
    try:
        response = getattr(client, method)(url)
    except Exception as exc:  # noqa: BLE001 - an exception is the 500 we are looking for
        return f"{method.upper()} {url} as {role}: 500 ({exc.__class__.__name__}: {exc})"
    status = response.status_code
    where = f"{entry.name}: {method.upper()} {url} as {role}"
    if status >= 500:
        return f"{where}: {status}"
    if status in REFUSALS or _is_login_redirect(response, url):
        return None
    body = _body(response) + response.get("Location", "")
    if role == CONFLICTED:
        if rule.conflict == HIDE_REVIEWS:
            return f"{where}: {status} shows the reviews" if REVIEW_SECRET in body else None
        return f"{where}: {status} (expected 403/404/405 or the login page)"
    legitimate = rule.access == PUBLIC or (rule.access != PRIVATE and role != "anonymous")
    if not legitimate:
        return f"{where}: {status} (expected 403/404/405 or the login page)"
    if SECRET in body:
        return f"{where}: {status} shows tenant A's private data"
    return None


#: Pages that list every structure of the platform by name (structures are global: the
#: pilot picks a resource person's structure and conflicts among all of them). Structure A's
#: name may show there; nothing else of tenant A may.
STRUCTURE_DIRECTORY_PAGES = {"mentoring:resource_create", "mentoring:resource_edit"}


def _judge_own_tenant(entry, role: str, method: str, url: str, client,
                      structure_name: str) -> str | None:
    """Under tenant B's slug the pages are the user's own; tenant A's objects must not
    resolve there (their data never shows, nothing crashes)."""
    try:
        response = getattr(client, method)(url)
    except Exception as exc:  # noqa: BLE001
        return f"{method.upper()} {url} as {role}: 500 ({exc.__class__.__name__}: {exc})"
    if response.status_code >= 500:
        return f"{entry.name}: {method.upper()} {url} as {role}: {response.status_code}"
    body = _body(response) + response.get("Location", "")
    if entry.name in STRUCTURE_DIRECTORY_PAGES:
        body = body.replace(structure_name, "")
    if SECRET in body:
        return (f"{entry.name}: {method.upper()} {url} as {role}: {response.status_code} "
                "shows tenant A's private data through tenant B's pages")
    return None


def _roles_for(rule, role):
    if role == CONFLICTED:
        return bool(rule.conflict)
    return True


@pytest.mark.parametrize("role", list(FOREIGN_ROLES))
def test_foreign_users_get_nothing_of_tenant_a(role, db, settings):
    # Staff of tenant B without TOTP would be sent to the 2FA page on every URL, which would
    # hide what the views themselves do; the 2FA rule has its own tests.
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    world = build_world()
    client = Client()
    user = FOREIGN_ROLES[role](world)
    if user is not None:
        client.force_login(user)
    before = world_fingerprint(world)
    problems, missing = [], []
    for entry in url_entries():
        rule = RULES.get(entry.name)
        if rule is None:
            missing.append(f"add a sweep rule for {entry.name} (tests/sweep_rules.py)")
            continue
        if not _roles_for(rule, role):
            continue
        url = url_for(entry, world)
        for method in ("get", "post"):
            if (entry.name, role, method) in KNOWN_LEAKS:
                continue
            problem = _judge(entry, rule, role, method, url, client)
            if problem:
                problems.append(problem)
    if role.endswith("_of_tenant_b"):
        # Tenant B's staff also try tenant A's objects through their own tenant's pages.
        for entry in url_entries():
            if entry.name not in RULES or not entry.takes_tenant:
                continue
            url = url_for(entry, world, tenant=world.b)
            for method in ("get", "post"):
                problem = _judge_own_tenant(entry, role, method, url, client,
                                            world.structure.name)
                if problem:
                    problems.append(problem)
    assert missing == [], "\n".join(missing)
    assert problems == [], "\n".join(problems)
    assert world_fingerprint(world) == before, "a foreign request changed tenant A's data"


@pytest.mark.skipif(not KNOWN_LEAKS, reason="no known leak")
@pytest.mark.parametrize("name,role,method", [
    pytest.param(*key, marks=pytest.mark.xfail(strict=True, reason=reason))
    for key, reason in KNOWN_LEAKS.items()] or [("", "", "")])
def test_known_leak_is_still_open(name, role, method, db, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    world = build_world()
    entry = next(e for e in url_entries() if e.name == name)
    client = Client()
    user = FOREIGN_ROLES[role](world)
    if user is not None:
        client.force_login(user)
    url = url_for(entry, world)
    assert _judge(entry, RULES[name], role, method, url, client) is None


def test_django_admin_needs_staff(db, applicant, client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(applicant)  # signed in, not staff
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get("/admin/portal/tenant/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
