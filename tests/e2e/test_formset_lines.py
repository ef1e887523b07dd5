"""The budget and the partners get more lines without a save (the page's script copies the
formset's empty line) and, without script, with their « Ajouter » button (it saves the draft
and shows one more line)."""

from decimal import Decimal

import pytest
from django_scopes import scope

from applications.models import BudgetLine, Partner
from tests.e2e.browsing import shot, sign_in
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"


@pytest.fixture
def dossier(tenant, applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        return DossierFactory(call=CallFactory(tenant=tenant, slug="cooperation"),
                              structure=structure)


def test_a_budget_line_is_added_in_the_page_and_counted_and_saved(page, live_server, tenant,
                                                                 applicant, dossier):
    sign_in(page.context, applicant, live_server.url)
    url = f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/budget/"
    page.goto(url)
    for i, (label, amount) in enumerate([("Cachets", "10 000"), ("Transport", "2 000,50")]):
        page.locator(f"#id_expense-{i}-label").fill(label)
        page.locator(f"#id_expense-{i}-amount").fill(amount)
    page.get_by_role("button", name="Ajouter une ligne de dépense").click()
    assert page.url.endswith(url)  # no round trip
    assert page.evaluate("document.activeElement.id") == "id_expense-2-label"
    assert page.locator("[data-formset-status]").inner_text() == "Ligne ajoutée."
    page.keyboard.type("Communication")
    page.locator("#id_expense-2-amount").fill("1 500")
    assert page.locator("[data-budget-total='expense']").inner_text() == \
        f"13{NBSP}500,50{NBSP}€"
    shot(page, "budget-line-added")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(f"**{url}")
    with scope(tenant=tenant):
        assert sorted(BudgetLine.objects.filter(dossier=dossier).values_list(
            "label", "amount")) == [("Cachets", Decimal("10000.00")),
                                    ("Communication", Decimal("1500.00")),
                                    ("Transport", Decimal("2000.50"))]
    assert page.locator("#id_expense-4-label").count() == 1  # 3 saved + 2 empty lines


def test_without_script_the_add_button_saves_and_shows_one_more_line(browser, live_server,
                                                                     tenant, applicant, dossier):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url,
                                  java_script_enabled=False)
    sign_in(context, applicant, live_server.url)
    page = context.new_page()
    url = f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/partners/"
    page.goto(url)
    page.locator("#id_partner-0-name").fill("La Rampe")
    page.locator("#id_partner-0-role").fill("Accueil en résidence")
    page.get_by_role("button", name="Ajouter un partenaire").click()
    page.wait_for_load_state()
    assert "ajouter=partner" in page.url
    with scope(tenant=tenant):
        assert list(Partner.objects.filter(dossier=dossier).values_list("name", flat=True)) == [
            "La Rampe"]
    # the saved partner, the two usual empty lines and one more
    assert page.locator("#id_partner-3-name").count() == 1
    assert page.locator("#id_partner-4-name").count() == 0
    context.close()
