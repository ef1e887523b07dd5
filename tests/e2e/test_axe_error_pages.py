"""axe-core on the error pages (DEBUG off) and on forms shown again with their errors: no
serious or critical violation."""

import pytest
from django_scopes import scope

from tests.e2e.browsing import shot, sign_in
from tests.e2e.test_axe_all_pages import serious_violations
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_error_pages_and_form_errors_have_no_serious_violation(page, live_server, settings,
                                                               tenant, applicant):
    settings.ROOT_URLCONF = "tests.portal.error_urls"
    settings.DEBUG = False
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = DossierFactory(call=CallFactory(tenant=tenant, slug="cooperation"),
                                 structure=structure)
    problems = {}

    def check(name, status=None, response=None):
        if response is not None and status is not None:
            assert response.status == status, (name, response.status)
        found = serious_violations(page)
        if found:
            problems[name] = found
        shot(page, f"error-{name}")
        page.set_viewport_size({"width": 375, "height": 812})
        shot(page, f"error-{name}-375")
        page.set_viewport_size({"width": 1280, "height": 720})

    check("404-anonymous", 404, page.goto("/nulle-part/"))
    check("400", 400, page.goto("/essai/requete/"))
    check("500", 500, page.goto("/essai/erreur/"))
    sign_in(page.context, applicant, live_server.url)
    check("404-tenant", 404, page.goto(f"/{tenant.slug}/dossiers/987654/"))
    check("403", 403, page.goto("/essai/refus/"))
    # A form sent without its security token (as after a very long pause).
    page.goto("/structures/nouvelle/")
    page.evaluate("document.querySelectorAll('main form input[name=csrfmiddlewaretoken]')"
                  ".forEach(i => i.remove())")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    assert "Votre envoi n’a pas pu être vérifié" in page.locator("h1").inner_text()
    check("csrf")
    # Forms shown again with their errors.
    page.goto("/structures/nouvelle/")
    page.locator("#id_name").fill("Les Disques du Midi")
    page.locator("#id_siret").fill("123 456 789 00000")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".fr-error-text").count() > 0
    check("structure-form-errors")
    page.goto(f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/budget/")
    page.locator("#id_expense-0-label").fill("Cachets")
    page.locator("#id_expense-0-amount").fill("12 OOO")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    assert page.locator(".fr-error-text").count() > 0
    check("budget-errors")
    assert problems == {}
