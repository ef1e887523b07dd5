"""The committee's envelopes give back what re-evaluations released: remaining = envelope −
committed + released, on the session page and in the decision's envelope check (reviews
reads it through its registry, filled by awards)."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django_scopes import scope

from awards import services
from awards.enums import PaymentKind
from awards.models import Payment
from portal.enums import OrganizationKind as K
from portal.formatting import PARIS
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.models import AgendaItem, CommitteeMember, FunderEnvelope
from tests.factories.applications import StructureFactory
from tests.factories.reviews import FiledDossierFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def _reevaluate(w):
    """Advances paid, then a report with lower eligible expenses: the CNM's share 7 000,50 →
    4 200,44 (2 800,06 released), the Région's 5 000 → 3 000,10 (1 999,90 released)."""
    for p in Payment.objects.filter(dossier=w.dossier, kind=PaymentKind.ADVANCE):
        services.payment_mark_paid(user=w.officers[p.funder], payment=p,
                                   paid_on=date(2024, 5, 10), amount=str(p.amount),
                                   reference="M-1", now=datetime(2024, 5, 10, tzinfo=PARIS))
    lines = w.lines
    services.report_save(user=w.applicant, dossier=w.dossier, activity_report="Concerts.",
                         realised={lines["cachets"].pk: "12 000,50",
                                   lines["deplacements"].pk: "3 000",
                                   lines["materiel"].pk: "0", lines["fonds"].pk: "0"})
    services.report_file(user=w.applicant, dossier=w.dossier,
                         now=datetime(2025, 8, 1, tzinfo=PARIS))
    services.report_reevaluate(user=w.officers[K.CNM], dossier=w.dossier, comment="Moins.",
                               now=datetime(2025, 8, 5, tzinfo=PARIS))


def _second_session(w):
    """An open session of the same call with a new dossier asking 5 000 € of the CNM."""
    session = SessionFactory(tenant=w.tenant, date=date(2025, 10, 1), quorum=1)
    session.calls.set([w.call])
    CommitteeMember.objects.create(session=session, user=w.committee, funder="cnm",
                                   present=True)
    dossier = FiledDossierFactory(call=w.call, category=w.category,
                                  structure=StructureFactory(name="Ondes Nouvelles"),
                                  status="in_committee", reference="HDF-2025-COOP-0002",
                                  requested_amount=D("5000"))
    AgendaItem.objects.create(session=session, dossier=dossier, position=1)
    return session, dossier


def test_a_released_amount_goes_back_to_the_funders_envelope_in_committee(client, grant):
    w = grant
    with scope(tenant=w.tenant):
        FunderEnvelope.objects.create(tenant=w.tenant, call=w.call, funder="cnm",
                                      amount=D("10000.00"))
        session, dossier = _second_session(w)
        # before the re-evaluation: 7 000,50 committed + 5 000 > 10 000 → refused
        with pytest.raises(review_services.ReviewError) as refused:
            review_services.decision_record(user=w.committee, session=session,
                                            dossier=dossier, outcome="granted",
                                            shares={"cnm": "5000"})
        assert "reste -2\u00a0000,50\u00a0€" in " ".join(refused.value.messages)
        _reevaluate(w)
        line = next(x for x in review_selectors.funder_envelope_lines(w.tenant, [w.call])
                    if x.funder == "cnm" and x.call_id == w.call.pk)
        assert (line.committed, line.released, line.remaining) == (
            D("7000.50"), D("2800.06"), D("5799.56"))
        # the call's own envelope (150 000) gets the whole released amount back too
        call_line = review_selectors.envelope_lines(w.tenant, [w.call])[0]
        assert call_line.remaining == D("150000.00") - D("12000.50") + D("4799.96")
        # 7 000,50 − 2 800,06 + 5 000 = 9 200,44 ≤ 10 000: granted without override
        decision = review_services.decision_record(user=w.committee, session=session,
                                                   dossier=dossier, outcome="granted",
                                                   shares={"cnm": "5000"})
        assert decision.envelope_override == ""
    client.force_login(w.committee)
    page = client.get(reverse("reviews:session", kwargs={
        "tenant_slug": w.tenant.slug, "session_pk": session.pk})).content.decode()
    # the session page's envelopes: what remains for the CNM after the release and this grant
    assert "799,56\u00a0€" in page  # 10 000 − 7 000,50 + 2 800,06 − 5 000


def test_nothing_released_without_a_reevaluation(grant):
    w = grant
    with scope(tenant=w.tenant):
        totals = review_selectors.granted_totals(w.tenant, [w.call])
        assert totals["released"] == {"contract": D("0.00"), "per_call": {},
                                      "per_funder": {}, "per_call_funder": {}}
