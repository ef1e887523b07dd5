"""In Chromium, with French-typed input: the platform admin creates the Pays de la Loire
contract choosing the region by name (the URL identifier fills itself from the name), and
the tenant admin configures a call the applicant will understand."""

import pytest

from portal.models import Tenant
from tests.calls.test_e2e import login, serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_platform_admin_creates_a_region_by_its_name(page, platform_admin, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    login(page, platform_admin)
    page.goto("/plateforme/contrats/nouveau/")
    page.fill("#id_name", "Pays de la Loire")
    assert page.input_value("#id_slug") == "pays-de-la-loire"
    page.select_option("#id_region_code", label="Pays de la Loire")
    page.fill("#id_reference_prefix", "pdl")
    page.fill("#id_contract_title", "Contrat de filière musiques actuelles Pays de la Loire "
                                    "2025-2028")
    page.fill("#id_contract_start", "2025-01-01")
    page.fill("#id_contract_end", "2028-12-31")
    page.fill("#id_envelope", "150 000")
    assert serious_violations(page) == []
    page.screenshot(path="test-results/tenant-create.png", full_page=True)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/plateforme/contrats/")
    tenant = Tenant.objects.get(slug="pays-de-la-loire")
    assert (tenant.region_code, tenant.reference_prefix, str(tenant.envelope)) == (
        "52", "PDL", "150000.00")


def test_admin_writes_the_call_presentation_in_the_rich_text_editor_under_the_csp(
        page, tenant, admin_user, settings):
    """The editor runs under the strict CSP (no violation logged), writes clean HTML, and the
    live criterion sentence follows what the admin types (« Pays de la Loire »)."""
    from django_scopes import scope
    from playwright.sync_api import expect

    from calls.models import Call, EligibilityCriterion
    from tests.factories.calls import CallFactory

    settings.PORTAL_REQUIRE_STAFF_2FA = False
    with scope(tenant=tenant):
        CallFactory(tenant=tenant, slug="coop", title="Coopération", description="")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    login(page, admin_user)
    page.goto(f"/{tenant.slug}/gestion/appels/coop/modifier/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    # Without a selection the editor greys the link button out: it says so (aria-disabled),
    # and it is shown at once, never half-faded (the bundle's 0.25 s transition is off).
    link = page.get_by_role("button", name="Insérer ou modifier un lien")
    expect(link).to_have_attribute("aria-disabled", "true")
    assert link.evaluate("b => getComputedStyle(b).transitionDuration") == "0s"
    page.keyboard.type("Un appel pour les coopérations « durables » ")
    page.get_by_role("button", name="Gras").click()
    page.keyboard.type("en Pays de la Loire")
    page.get_by_role("button", name="Gras").click()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Liste à puces").click()
    page.keyboard.type("labels, salles et festivals")
    page.screenshot(path="test-results/call-rich-text.png", full_page=True)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/gestion/appels/coop/")
    with scope(tenant=tenant):
        description = Call.objects.get(slug="coop").description
    assert description == ("<p>Un appel pour les coopérations « durables »<strong> en Pays de "
                           "la Loire</strong></p><ul><li><p>labels, salles et festivals</p>"
                           "</li></ul>")

    page.goto(f"/{tenant.slug}/gestion/appels/coop/criteres/nouveau/")
    page.fill("#id_label", "Siège social en Pays de la Loire")
    page.select_option("#id_field", "structure.seat_region")
    assert page.locator("#id_operator option[value=gte]").is_disabled()
    page.select_option("#id_operator", "eq")
    page.fill("#id_value", "Pays de la Loire")
    from playwright.sync_api import expect

    expect(page.locator("#criterion-sentence")).to_have_text(
        "Région du siège social : Pays de la Loire")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/gestion/appels/coop/#criteria")
    with scope(tenant=tenant):
        assert EligibilityCriterion.objects.get().value == "52"
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
