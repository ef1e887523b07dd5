"""« Bilan des précédentes aides transmis » as an eligibility fact: a structure with an overdue
final report in this tenant fails it, automatically; in another tenant it does not count."""

from datetime import datetime

import pytest
from django_scopes import scope

from applications.eligibility_facts import dossier_facts
from awards import services
from awards.enums import PaymentKind
from awards.models import Payment
from calls.eligibility import FAIL, PASS, describe_fact, evaluate_one
from portal.formatting import PARIS
from tests.awards.world import build
from tests.factories.reviews import FiledDossierFactory

pytestmark = pytest.mark.django_db
CRITERION = {"kind": "check", "field": "structure.previous_reports_sent", "operator": "is_true",
             "severity": "blocking", "label": "Bilan des précédentes aides transmis"}


def _make_overdue(w):
    for p in Payment.objects.filter(dossier=w.dossier, kind=PaymentKind.ADVANCE):
        services.payment_mark_paid(user=w.officers[p.funder], payment=p,
                                   paid_on=datetime(2024, 5, 10).date(), amount=p.amount,
                                   reference="M")
    services.awards_tick(tenant=w.tenant, now=datetime(2025, 10, 2, tzinfo=PARIS))


def test_an_overdue_report_fails_the_criterion_in_this_tenant_only(tenant, other_tenant):
    w = build(tenant)
    with scope(tenant=tenant):
        new = FiledDossierFactory(call=w.call, structure=w.structure, status="submitted",
                                  reference="HDF-2026-COOP-0001")
        assert evaluate_one(CRITERION, dossier_facts(new)).status == PASS
        _make_overdue(w)
        w.dossier.refresh_from_db()
        assert w.dossier.status == "report_overdue"
        facts = dossier_facts(new)
        assert facts["structure.previous_reports_sent"] is False
        assert evaluate_one(CRITERION, facts).status == FAIL
        assert describe_fact(CRITERION, facts) == ("Un bilan final d'une précédente aide est en "
                                                   "retard")
    other = build(other_tenant, reference="OCC-2026-COOP-0001")
    with scope(tenant=other_tenant):
        elsewhere = FiledDossierFactory(call=other.call, structure=w.structure,
                                        status="submitted", reference="OCC-2026-COOP-0002")
        assert evaluate_one(CRITERION, dossier_facts(elsewhere)).status == PASS
    with scope(tenant=tenant):
        services.report_save(user=w.applicant, dossier=w.dossier, activity_report="Fait.",
                             realised={line.pk: "1" for line in w.lines.values()})
        services.report_file(user=w.applicant, dossier=w.dossier,
                             now=datetime(2025, 10, 3, tzinfo=PARIS))
        assert evaluate_one(CRITERION, dossier_facts(new)).status == PASS
