"""The applicant types the budget as French people write amounts; the live totals and the
server agree, saved amounts come back in French, a mistyped amount is explained and kept."""

from decimal import Decimal

import pytest
from django_scopes import scope

from applications.models import BudgetLine
from tests.e2e.browsing import shot, sign_in
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NBSP, NNBSP = "\u00a0", "\u202f"


def test_budget_in_french_numbers_balances_live_saves_and_comes_back(page, live_server, tenant,
                                                                   applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation")
        dossier = DossierFactory(call=call, structure=structure)
    sign_in(page.context, applicant, live_server.url)
    url = f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/budget/"
    page.goto(url)
    page.locator("#id_expense-0-label").fill("Cachets et transport")
    page.locator("#id_expense-0-amount").fill("12 000,50")
    page.locator("#id_expense-1-label").fill("Communication")
    page.locator("#id_expense-1-amount").fill("6 000 €")
    page.locator("#id_requested_amount").fill("4000,5")
    page.locator("#id_income-0-source").select_option("self_financing")
    page.locator("#id_income-0-label").fill("Fonds propres")
    page.locator("#id_income-0-amount").fill("12000.50")
    page.locator("#id_income-1-source").select_option("public")
    page.locator("#id_income-1-label").fill("Département de l'Hérault")
    page.locator("#id_income-1-amount").fill(f"1{NNBSP}999,5")
    assert page.locator("[data-budget-total='expense']").inner_text() == f"18{NBSP}000,50{NBSP}€"
    assert page.locator("[data-budget-total='income']").inner_text() == f"18{NBSP}000,50{NBSP}€"
    assert page.locator("[data-budget-balance]").inner_text().strip() == "Le budget est équilibré."
    shot(page, "budget-typed")

    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(f"**{url}")
    assert "Étape « Budget » enregistrée." in page.locator("body").inner_text()
    with scope(tenant=tenant):
        dossier.refresh_from_db()
        assert dossier.requested_amount == Decimal("4000.50")
        assert sorted(BudgetLine.objects.filter(dossier=dossier).values_list(
            "kind", "amount")) == [("expense", Decimal("6000.00")), ("expense", Decimal("12000.50")),
                                   ("income", Decimal("1999.50")), ("income", Decimal("12000.50"))]
    shown = {name: page.locator(f"#id_{name}").input_value() for name in (
        "requested_amount", "expense-0-amount", "expense-1-amount", "income-0-amount",
        "income-1-amount")}
    assert shown == {"requested_amount": f"4{NBSP}000,50", "expense-0-amount": f"12{NBSP}000,50",
                     "expense-1-amount": f"6{NBSP}000,00", "income-0-amount": f"12{NBSP}000,50",
                     "income-1-amount": f"1{NBSP}999,50"}
    assert page.locator("[data-budget-total='expense']").inner_text() == f"18{NBSP}000,50{NBSP}€"

    # A letter O for a zero: the live total ignores it, the server names the field, keeps it.
    page.locator("#id_expense-1-amount").fill("6 OOO")
    assert page.locator("[data-budget-total='expense']").inner_text() == f"12{NBSP}000,50{NBSP}€"
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    error = page.locator("#id_expense-1-amount-desc-error")
    assert error.inner_text() == ("Montant (€) : « 6 OOO » n'est pas un montant. Écrivez-le en "
                                  "chiffres, par exemple 12 000,50.")
    assert page.locator("#id_expense-1-amount").input_value() == "6 OOO"
    assert page.locator("#id_expense-1-amount").get_attribute("aria-invalid") == "true"
    shot(page, "budget-error")
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, "budget-error-375")
