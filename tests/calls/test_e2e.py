"""In Chromium: an admin configures a call without a developer, and the call pages have no
serious accessibility violation (axe-core)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_scopes import scope

from calls.models import Call
from tests.factories import CriterionFactory, DocumentRequirementFactory, TrackFactory
from tests.factories.calls import CallFactory, paris
from tests.factories.portal import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def login(page, user):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mes-espaces/")


def test_admin_opens_a_call_until_a_day_inclusive_and_publishes_it(page, tenant, admin_user,
                                                                    settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    login(page, admin_user)
    page.goto(f"/{tenant.slug}/gestion/appels/nouveau/")
    page.fill("#id_title", "Soutien aux structures de développement de carrières d'artistes")
    page.fill("#id_slug", "carrieres-2023")
    page.fill("#id_reference_code", "CARR")
    page.fill("#id_opens_on", "2023-07-21")
    page.fill("#id_closes_on", "2023-09-18")
    assert page.is_checked("#id_closes_end_of_day")
    # A DSFR checkbox is ticked through its label, as a person does.
    page.locator("label", has_text="Centre national de la musique").click()
    assert page.is_checked("#id_funders_1")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/{tenant.slug}/gestion/appels/carrieres-2023/")
    page.get_by_role("link", name="Ajouter un volet").click()
    page.fill("#id_title", "Structures de développement de carrières")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Publier").click()
    page.get_by_role("button", name="Publier l'appel").click()
    assert page.get_by_text("Appel publié.").is_visible()
    with scope(tenant=tenant):
        call = Call.objects.get(slug="carrieres-2023")
    assert call.closes_at == paris(2023, 9, 18, 23, 59, 59)
    assert call.funders == ["cnm"]
    page.goto(f"/{tenant.slug}/appels/carrieres-2023/")
    assert page.get_by_text("18 septembre 2023 à 23\u00a0h\u00a059").first.is_visible()


def test_call_pages_have_no_serious_violation(page, tenant, admin_user, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="coop")
        track = TrackFactory(call=call)
        CriterionFactory(call=call, track=track)
        DocumentRequirementFactory(call=call)
    problems = {}
    for path in [f"/{tenant.slug}/", f"/{tenant.slug}/appels/", f"/{tenant.slug}/appels/coop/"]:
        page.goto(path)
        problems.update({path: v for v in [serious_violations(page)] if v})
    login(page, admin_user)
    for path in ["gestion/appels/", "gestion/appels/coop/", "gestion/appels/coop/modifier/",
                 "gestion/appels/coop/criteres/nouveau/", "gestion/appels/coop/dupliquer/"]:
        page.goto(f"/{tenant.slug}/{path}")
        problems.update({path: v for v in [serious_violations(page)] if v})
    assert problems == {}
