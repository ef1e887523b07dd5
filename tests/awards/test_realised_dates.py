"""The realised expenses of the final report carry a date (or a period), checked against the
call's eligible period by the planned budget's own rule, its message naming the period."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django_scopes import scope

from applications.checks import dossier_rules_and_expenses
from awards import services
from awards.enums import PaymentKind
from awards.models import Payment, ReportLine
from portal.formatting import PARIS
from tests.awards.world import build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]
PERIOD_MESSAGE = ("La dépense « Cachets des artistes » sort de la période des dépenses "
                  "éligibles de l'appel (du 1er janvier 2024 au 31 décembre 2025) : elle ne "
                  "peut pas figurer au budget.")


@pytest.fixture
def w(tenant, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    w = build(tenant)
    with scope(tenant=tenant):
        for p in Payment.objects.filter(dossier=w.dossier, kind=PaymentKind.ADVANCE):
            services.payment_mark_paid(user=w.officers[p.funder], payment=p,
                                       paid_on=date(2024, 5, 10), amount=str(p.amount),
                                       reference="M-1", now=datetime(2024, 5, 10, tzinfo=PARIS))
    return w


def _edit(w):
    return reverse("awards:report_edit", kwargs={"tenant_slug": w.tenant.slug,
                                                 "pk": w.dossier.pk})


def _post(w, **dates):
    data = {"activity_report": "Concerts à Sète.", "action": "save",
            **{f"line_{line.pk}": "1 000" for line in w.lines.values()}}
    for key, value in dates.items():
        name, line = key.split("__")
        data[f"{name}_{w.lines[line].pk}"] = value
    return data


def test_the_realised_date_starts_from_the_planned_one(client, w):
    client.force_login(w.applicant)
    page = client.get(_edit(w)).content.decode()
    cachets = w.lines["cachets"].pk
    assert f'name="from_{cachets}" value="2024-03-01"' in page
    assert f'name="until_{cachets}" value="2025-06-30"' in page
    assert f'name="from_{w.lines["fonds"].pk}"' not in page  # an income: no date


def test_a_realised_expense_outside_the_eligible_period_is_refused_naming_it(client, w):
    client.force_login(w.applicant)
    response = client.post(_edit(w), _post(w, from__cachets="2026-01-15",
                                           until__cachets=""))
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert PERIOD_MESSAGE in page
    assert 'value="2026-01-15"' in page  # kept for the applicant to correct
    with scope(tenant=w.tenant):
        assert not ReportLine.objects.filter(report__dossier=w.dossier).exists()
        # the same rule and message as the planned budget's check
        _rules, expenses = dossier_rules_and_expenses(w.dossier)
        assert expenses.period_problem("Cachets des artistes", date(2026, 1, 15),
                                       None) == PERIOD_MESSAGE
    # a period that runs past the end is refused too; one inside is kept
    response = client.post(_edit(w), _post(w, from__cachets="2025-11-01",
                                           until__cachets="2026-02-28"))
    assert response.status_code == 400
    response = client.post(_edit(w), _post(w, from__cachets="2025-11-01",
                                           until__cachets="2025-12-31"))
    assert response.status_code == 302
    with scope(tenant=w.tenant):
        line = ReportLine.objects.get(report__dossier=w.dossier,
                                      budget_line=w.lines["cachets"])
        assert (line.spent_from, line.spent_until) == (date(2025, 11, 1), date(2025, 12, 31))


def test_filing_needs_a_date_on_every_realised_expense(w):
    with scope(tenant=w.tenant):
        w.lines["deplacements"].spent_from = w.lines["deplacements"].spent_until = None
        w.lines["deplacements"].save()
        services.report_save(user=w.applicant, dossier=w.dossier, activity_report="Fait.",
                             realised={line.pk: "100" for line in w.lines.values()})
        with pytest.raises(services.AwardError) as refused:
            services.report_file(user=w.applicant, dossier=w.dossier)
        assert ("Indiquez la date (ou la période) de chaque dépense réalisée : Déplacements."
                in refused.value.messages)
        services.report_save(user=w.applicant, dossier=w.dossier, activity_report="Fait.",
                             realised={line.pk: "100" for line in w.lines.values()},
                             dates={w.lines["deplacements"].pk: (date(2024, 9, 2), None)})
        services.report_file(user=w.applicant, dossier=w.dossier,
                             now=datetime(2025, 8, 1, tzinfo=PARIS))
