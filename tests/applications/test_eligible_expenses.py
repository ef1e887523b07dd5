"""Eligible expenses: each expense line has a nature the call makes eligible or not, dates
inside the call's eligible period, and the share rules are computed on the whole budget or
on the eligible expenses, as the call, track or category says — in words on the page."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from applications.budget import funding_problems, summarize
from applications.checks import check_dossier, filed_snapshot
from applications.models import BudgetLine
from calls import services as call_services
from calls.expenses import expense_rules
from calls.versioning import rules_snapshot
from tests.factories.applications import BudgetLineFactory, DossierFactory
from tests.factories.calls import CategoryFactory

pytestmark = pytest.mark.django_db

D = Decimal
NBSP = "\u00a0"


@pytest.fixture
def eligible_call(call, scoped):
    call.eligible_expense_kinds = ["artistic", "services", "travel"]
    call.expenses_start, call.expenses_end = date(2024, 1, 1), date(2025, 12, 31)
    call.save()
    return call


def _lines():
    return [{"kind": "expense", "label": "Cachets", "amount": D("6000"), "expense_kind": "artistic"},
            {"kind": "expense", "label": "Studio", "amount": D("3000"), "expense_kind": "services"},
            {"kind": "expense", "label": "Frais de structure", "amount": D("1000"),
             "expense_kind": "overheads"},
            {"kind": "income", "source": "self_financing", "label": "Fonds propres",
             "amount": D("2000")}]


def test_only_expenses_of_an_eligible_nature_count_as_eligible(eligible_call):
    rules = expense_rules(call=eligible_call, rules={"share_base": "eligible"})
    summary = summarize(requested_amount=D("8000"), lines=_lines(), expense_rules=rules)
    assert (summary.total_expenses, summary.eligible_expenses, summary.base) == (
        D("10000"), D("9000"), D("9000"))
    assert summary.requested_share == D("80.00")  # of the whole budget
    assert summary.requested_share_of_base == D("88.89")  # of the eligible expenses


def test_a_maximum_share_of_eligible_expenses_says_so_with_the_ceiling(eligible_call):
    rules = expense_rules(call=eligible_call, rules={"share_base": "eligible"})
    summary = summarize(requested_amount=D("8000"), lines=_lines(), expense_rules=rules)
    problems = funding_problems(summary=summary, rules={"max_share_of_budget": D("80"),
                                                        "share_base": "eligible"},
                                partner_count=0, duration_months=None)
    assert problems["requested_amount"] == [
        f"L'aide demandée représente 88,89{NBSP}% des dépenses éligibles (9{NBSP}000,00{NBSP}€) ; "
        f"la catégorie la limite à 80{NBSP}%, soit 7{NBSP}200,00{NBSP}€."]
    # the same grant on the whole budget is within 80 %
    on_budget = summarize(requested_amount=D("8000"), lines=_lines(),
                          expense_rules=expense_rules(call=eligible_call, rules={}))
    assert "requested_amount" not in funding_problems(
        summary=on_budget, rules={"max_share_of_budget": D("80")}, partner_count=0,
        duration_months=None)


def test_self_financing_on_eligible_expenses(eligible_call):
    rules = expense_rules(call=eligible_call, rules={"share_base": "eligible"})
    summary = summarize(requested_amount=D("8000"), lines=_lines(), expense_rules=rules)
    problems = funding_problems(summary=summary, rules={"min_self_financing_share": D("30"),
                                                        "share_base": "eligible"},
                                partner_count=0, duration_months=None)
    assert problems["self_financing"] == [
        f"L'autofinancement représente 22,22{NBSP}% des dépenses éligibles ; la catégorie "
        f"exige au moins 30{NBSP}%."]


def _budget_post(**lines):
    data = {"expense-TOTAL_FORMS": "2", "expense-INITIAL_FORMS": "0",
            "income-TOTAL_FORMS": "1", "income-INITIAL_FORMS": "0",
            "requested_amount": "8 000", "income-0-source": "self_financing",
            "income-0-label": "Fonds propres", "income-0-amount": "2 000", "action": "save",
            "expense-1-label": "", "expense-1-amount": ""}
    data.update(lines)
    return data


def test_an_expense_outside_the_eligible_period_is_refused_with_the_period(
        client, applicant, structure, eligible_call, scoped):
    dossier = DossierFactory(call=eligible_call, structure=structure)
    client.force_login(applicant)
    response = client.post(f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/etapes/budget/",
                           _budget_post(**{"expense-0-label": "Résidence de création",
                                           "expense-0-expense_kind": "artistic",
                                           "expense-0-amount": "10 000,50",
                                           "expense-0-spent_from": "2023-11-15",
                                           "expense-0-spent_until": "2024-02-10"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert ("La dépense « Résidence de création » sort de la période des dépenses éligibles "
            "de l&#x27;appel (du 1er janvier 2024 au 31 décembre 2025) : elle ne peut pas "
            "figurer au budget.") in page
    assert 'value="10 000,50"' in page and 'value="2023-11-15"' in page  # input kept
    assert BudgetLine.objects.filter(dossier=dossier).count() == 0


def test_the_service_refuses_an_out_of_period_expense_too(applicant, structure, eligible_call,
                                                          scoped):
    from applications.services import dossier_set_budget
    from django.core.exceptions import ValidationError

    dossier = DossierFactory(call=eligible_call, structure=structure)
    with pytest.raises(ValidationError) as exc:
        dossier_set_budget(user=applicant, dossier=dossier, requested_amount=D("1000"), lines=[
            {"kind": "expense", "label": "Tournée", "amount": D("1000"), "expense_kind": "travel",
             "spent_from": date(2026, 1, 3), "spent_until": None}])
    assert "du 1er janvier 2024 au 31 décembre 2025" in " ".join(exc.value.messages)


def test_budget_step_saves_nature_and_dates_and_says_the_rules_in_words(
        client, applicant, structure, eligible_call, scoped):
    category = CategoryFactory(call=eligible_call, max_share_of_budget=D("80"),
                               share_base="eligible", amount_min=None, amount_max=None)
    dossier = DossierFactory(call=eligible_call, structure=structure, category=category)
    client.force_login(applicant)
    url = f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/etapes/budget/"
    response = client.post(url, _budget_post(**{
        "expense-0-label": "Cachets", "expense-0-expense_kind": "artistic",
        "expense-0-amount": "6 000", "expense-0-spent_from": "2024-03-01",
        "expense-0-spent_until": "2024-06-30",
        "expense-1-label": "Frais de structure", "expense-1-expense_kind": "overheads",
        "expense-1-amount": "4 000"}))
    assert response.status_code == 302
    assert list(BudgetLine.objects.filter(dossier=dossier, kind="expense").values_list(
        "label", "expense_kind", "spent_from", "spent_until")) == [
        ("Cachets", "artistic", date(2024, 3, 1), date(2024, 6, 30)),
        ("Frais de structure", "overheads", None, None)]
    page = client.get(url).content.decode()
    assert "L’aide ne dépasse pas 80 % des dépenses éligibles (et non du budget total)." in page
    assert ("Sont éligibles les dépenses de nature : Rémunérations artistiques (cachets, droits "
            "d&#x27;auteur) ; Prestations extérieures (technique, accompagnement, conseil) ; "
            "Déplacements, hébergement, restauration.") in page
    assert ("Seules les dépenses effectuées du 1er janvier 2024 au 31 décembre 2025 peuvent "
            "figurer au budget") in page
    assert f"Dont dépenses éligibles : <strong data-budget-total=\"eligible\">6{NBSP}000,00{NBSP}€" in page
    assert "Part de l’aide dans les dépenses éligibles :" in page
    # 8 000 of 6 000 eligible = 133,33 %, beyond 80 % (4 800,00 €)
    assert (f"L&#x27;aide demandée représente 133,33{NBSP}% des dépenses éligibles "
            f"(6{NBSP}000,00{NBSP}€) ; la catégorie la limite à 80{NBSP}%, soit "
            f"4{NBSP}800,00{NBSP}€.") in page


def test_a_restricted_call_asks_the_nature_of_each_expense(client, applicant, structure,
                                                           eligible_call, scoped):
    dossier = DossierFactory(call=eligible_call, structure=structure)
    client.force_login(applicant)
    response = client.post(f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/etapes/budget/",
                           _budget_post(**{"expense-0-label": "Cachets",
                                           "expense-0-amount": "6 000"}))
    assert response.status_code == 200
    assert "Indiquez la nature de « Cachets »." in response.content.decode()


def test_a_filed_dossier_keeps_the_natures_of_its_snapshot(structure, eligible_call, scoped,
                                                           admin_user):
    dossier = DossierFactory(call=eligible_call, structure=structure, status="submitted",
                             rules_snapshot=rules_snapshot(eligible_call))
    BudgetLineFactory(dossier=dossier, label="Frais de structure", expense_kind="overheads",
                      amount=D("1000"))
    BudgetLineFactory(dossier=dossier, label="Cachets", expense_kind="artistic",
                      amount=D("3000"))
    call_services.call_update(user=admin_user, call=eligible_call,
                              eligible_expense_kinds=["artistic", "overheads"])
    assert eligible_call.rules_version == 2  # a rule change of a published call
    check = check_dossier(dossier, snapshot=filed_snapshot(dossier))
    assert check.budget.eligible_expenses == D("3000")  # overheads were not eligible at filing


def test_a_draft_line_outside_a_period_changed_since_blocks_submission(structure, eligible_call,
                                                                      scoped):
    dossier = DossierFactory(call=eligible_call, structure=structure)
    BudgetLineFactory(dossier=dossier, label="Captation", expense_kind="services",
                      amount=D("1000"), spent_from=date(2025, 12, 1), spent_until=date(2025, 12, 20))
    eligible_call.expenses_end = date(2025, 6, 30)
    eligible_call.save()
    check = check_dossier(dossier)
    assert ("La dépense « Captation » sort de la période des dépenses éligibles de l'appel "
            "(du 1er janvier 2024 au 30 juin 2025) : elle ne peut pas figurer au budget."
            ) in check.problems["budget"]


def test_admin_sets_the_natures_and_the_share_base_on_the_call_form(client, admin_user, call,
                                                                    scoped, no_staff_2fa):
    from calls.forms import CallForm

    form = CallForm(instance=call)
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"title": call.title, "slug": call.slug, "reference_code": call.reference_code,
                 "eligible_expense_kinds": ["artistic", "travel"], "share_base": "eligible",
                 "max_share_of_budget": "80", "funders": ["drac", "cnm"],
                 "opens_on": "2024-02-01", "closes_on": "2024-03-07",
                 "closes_end_of_day": "on"})
    data = {k: v for k, v in data.items() if v is not None}
    client.force_login(admin_user)
    response = client.post(f"/{call.tenant.slug}/gestion/appels/{call.slug}/modifier/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == f"/{call.tenant.slug}/gestion/appels/{call.slug}/"
    call.refresh_from_db()
    assert (call.eligible_expense_kinds, call.share_base, call.max_share_of_budget) == (
        ["artistic", "travel"], "eligible", D("80.00"))
    page = client.get(f"/{call.tenant.slug}/appels/{call.slug}/").content.decode()
    assert "Dans la limite de 80" in page and "des dépenses éligibles" in page
    assert ("Rémunérations artistiques (cachets, droits d&#x27;auteur) ; Déplacements, "
            "hébergement, restauration") in page
