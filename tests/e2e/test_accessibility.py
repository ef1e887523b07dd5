"""axe-core (axe-playwright-python) in Chromium: no serious or critical violation on the
main pages of the foundation, for a visitor and for a tenant admin."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import OrganizationFactory, SignatoryFactory
from tests.factories.portal import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def contract(tenant):
    drac = OrganizationFactory(tenant=tenant, kind="drac", name="DRAC Hauts-de-France")
    SignatoryFactory(tenant=tenant, organization=drac, person_name="Georges-François Leclerc",
                     title="Préfet de la région Hauts-de-France")
    return tenant


@pytest.mark.parametrize("path", ["/", "/hauts-de-france/", "/accounts/login/",
                                  "/accounts/signup/", "/accounts/password/reset/"])
def test_public_pages_have_no_serious_violation(page, contract, path):
    page.goto(path)
    assert serious_violations(page) == []


def test_admin_pages_have_no_serious_violation(page, contract, admin_user, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    page.goto("/accounts/login/")
    page.fill("input[name=login]", admin_user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mes-espaces/")
    problems = {}
    for path in ["/mes-espaces/", "/mes-espaces/preferences/", "/hauts-de-france/gestion/",
                 "/hauts-de-france/gestion/organismes/", "/hauts-de-france/gestion/membres/",
                 "/hauts-de-france/gestion/signataires/", "/hauts-de-france/gestion/journal/",
                 "/hauts-de-france/gestion/contrat/"]:
        page.goto(path)
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
