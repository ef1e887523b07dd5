"""axe-core in Chromium on every HTML page of the project, each opened by a user who may
legitimately open it: no serious or critical violation.

The page list is not written by hand: it comes from the URL sweep's registry
(tests/sweep_rules.py), through the plan of tests/sweep_pages.py (which says which role opens
which page), shared with the label and typography sweeps. A new URL with a sweep rule is
checked here without any change to this file.
"""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings

from tests.sweep_pages import PER_ROLE_PAGES, ROLES, pages_per_role  # noqa: F401 (re-exported)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("sweep"),
              pytest.mark.usefixtures("no_staff_2fa")]

AXE = Axe()


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_every_page_of_every_role_has_no_serious_violation(browser, sweep_site):
    started = time.monotonic()
    plan, clients = sweep_site.plan, sweep_site.clients
    base_url = sweep_site.live_server_url()
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
                                      base_url=base_url)
        session = clients[role].cookies.get(django_settings.SESSION_COOKIE_NAME)
        if session is not None:
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                                  "value": session.value, "url": base_url}])
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
