"""axe-core in Chromium on every HTML page of the project, each opened by a user who may
legitimately open it: no serious or critical violation.

The page list is not written by hand: it comes from the URL sweep's registry
(tests/sweep_rules.py). Every URL name of `RULES` is built on the sweep's world; the pages a
role may open are those that answer it 200 with HTML (POST-only views answer 405; PDF, CSV,
XLSX, ICS and JSON answers and redirects are left out). Public pages are checked for a
visitor; pages any signed-in user may open (`USER`) once, for structure A's applicant, except
the personal home (`portal:my_spaces`), checked for every role; other pages for every role of
tenant A that may open them (the platform admin only where no tenant role may). A new URL with
a sweep rule is checked here without any change to this file.
"""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client

from tests.sweep_rules import PUBLIC, USER, RULES, build_world, url_entries, url_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]

AXE = Axe()

#: The roles of the sweep's world, most specific first.
ROLES = ["applicant_a", "resource_user", "committee_a", "pilot_a", "instructor_a", "admin_a",
         "platform_admin"]

#: Pages whose content depends on who opens them although anyone signed in may: every role.
PER_ROLE_PAGES = {"portal:my_spaces"}


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def _is_html_page(client, url) -> bool:
    response = client.get(url)
    return (response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html"))


def pages_per_role(world, clients) -> dict[str, list[str]]:
    """{role: [url, …]}: the pages each role is to be checked on (see the module docstring)."""
    plan: dict[str, list[str]] = {role: [] for role in ["anonymous", *ROLES]}
    for entry in url_entries():
        rule = RULES[entry.name]
        url = url_for(entry, world)
        if rule.access == PUBLIC:
            if _is_html_page(clients["anonymous"], url):
                plan["anonymous"].append(url)
            continue
        if rule.access == USER and entry.name not in PER_ROLE_PAGES:
            if _is_html_page(clients["applicant_a"], url):
                plan["applicant_a"].append(url)
            continue
        opened_by = [role for role in ROLES if _is_html_page(clients[role], url)]
        if opened_by and opened_by != ["platform_admin"]:
            opened_by = [role for role in opened_by if role != "platform_admin"]
        for role in opened_by:
            plan[role].append(url)
    return plan


def test_every_page_of_every_role_has_no_serious_violation(browser, live_server):
    started = time.monotonic()
    world = build_world()
    clients = {"anonymous": Client()}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(getattr(world, role))
    plan = pages_per_role(world, clients)
    # The registry reaches each role's own pages (a sanity check on the plan itself).
    assert "/plateforme/" in " ".join(plan["platform_admin"])
    assert any("/mentorat/pilotage/" in url for url in plan["pilot_a"])
    assert any("/comites/" in url or "/instruction/" in url for url in plan["committee_a"])
    assert any("/mes-demandes/" in url for url in plan["applicant_a"])

    problems: dict[str, list[str]] = {}
    checked = 0
    for role, urls in plan.items():
        # One browser context per role, signed in with the session of its test client.
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                      base_url=live_server.url)
        session = clients[role].cookies.get(django_settings.SESSION_COOKIE_NAME)
        if session is not None:
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                                  "value": session.value, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            for url in urls:
                response = page.goto(url)
                assert response.status == 200, f"{url} as {role}: {response.status}"
                found = serious_violations(page)
                checked += 1
                if found:
                    problems[f"{url} as {role}"] = found
        finally:
            context.close()
    print(f"\naxe: {checked} pages checked in {time.monotonic() - started:.1f} s")
    assert problems == {}
