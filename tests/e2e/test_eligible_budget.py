"""The applicant sees, as they type, which expenses are eligible and what the share of the
grant is in the eligible expenses; an expense dated outside the call's period is refused with
the period named, what was typed kept."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from tests.e2e.browsing import shot, sign_in
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"


def test_eligible_expenses_are_marked_live_and_out_of_period_refused(page, live_server, tenant,
                                                                    applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation", max_share_of_budget=Decimal("80"),
                           share_base="eligible", eligible_expense_kinds=["artistic", "travel"],
                           expenses_start=date(2024, 1, 1), expenses_end=date(2025, 12, 31))
        dossier = DossierFactory(call=call, structure=structure)
    sign_in(page.context, applicant, live_server.url)
    url = f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/budget/"
    page.goto(url)
    page.locator("#id_expense-0-label").fill("Cachets des musicien·nes")
    page.locator("#id_expense-0-expense_kind").select_option("artistic")
    page.locator("#id_expense-0-amount").fill("8 250,50")
    page.locator("#id_expense-1-label").fill("Frais généraux")
    page.locator("#id_expense-1-expense_kind").select_option("overheads")
    page.locator("#id_expense-1-amount").fill("1 749,50")
    page.locator("#id_requested_amount").fill("6 600,40")
    assert page.locator("[data-budget-total='expense']").inner_text() == f"10{NBSP}000,00{NBSP}€"
    assert page.locator("[data-budget-total='eligible']").inner_text() == f"8{NBSP}250,50{NBSP}€"
    assert page.locator("[data-budget-share='requested']").inner_text() == f"80{NBSP}%"
    marks = page.locator("[data-budget-eligible]")
    assert [marks.nth(i).text_content() for i in range(2)] == ["Éligible", "Non éligible"]
    page.locator("#id_expense-0-spent_from").fill("2023-12-15")
    shot(page, "eligible-budget-typed")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    error = page.locator("#id_expense-0-spent_from-desc-error")
    assert error.inner_text() == (
        "La dépense « Cachets des musicien·nes » sort de la période des dépenses éligibles de "
        "l'appel (du 1er janvier 2024 au 31 décembre 2025) : elle ne peut pas figurer au budget.")
    assert page.locator("#id_expense-0-amount").input_value() == "8 250,50"
    shot(page, "eligible-budget-refused")
