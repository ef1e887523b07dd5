"""The follow-up of a grant through its services: schedule on publication, payments by each
funder's officers, the final report, acceptance, re-evaluation with recovery, closing."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope

from applications.privacy import closed_dossiers_expired
from awards import services
from awards.enums import AwardStatus, PaymentKind, PaymentStatus
from awards.models import FinalReport, Payment
from portal.enums import OrganizationKind as K
from portal.formatting import PARIS
from portal.models import AuditEvent
from tests.factories.reviews import ConflictFactory

NOW = datetime(2024, 5, 10, 9, tzinfo=PARIS)
pytestmark = pytest.mark.django_db


def _payments(w):
    return {(p.funder, p.kind): p for p in Payment.objects.filter(dossier=w.dossier)}


def _pay_advances(w, now=NOW):
    for (funder, kind), p in _payments(w).items():
        if kind == PaymentKind.ADVANCE:
            services.payment_mark_sent(user=w.officers[funder], payment=p, now=now)
            services.payment_mark_paid(user=w.officers[funder], payment=p, paid_on=now.date(),
                                       amount=f"{p.amount}".replace(".", ","),
                                       reference=f"MANDAT-{funder}-1", now=now)


def _file_report(w, realised, now=datetime(2025, 8, 1, 10, tzinfo=PARIS)):
    services.report_save(user=w.applicant, dossier=w.dossier,
                         activity_report="Douze concerts, trois résidences.",
                         realised={w.lines[k].pk: v for k, v in realised.items()})
    return services.report_file(user=w.applicant, dossier=w.dossier, now=now)


def test_closing_the_session_creates_the_schedule_from_the_rules(grant):
    w = grant
    with scope(tenant=w.tenant):
        assert w.dossier.status == AwardStatus.ADVANCE_DUE
        p = _payments(w)
        # 80 % of 12 000,50 € = 9 600,40 €, split pro rata of the shares
        assert (p[("cnm", "advance")].amount, p[("region", "advance")].amount) == (
            D("5600.40"), D("4000.00"))
        assert all(x.status == PaymentStatus.DUE for (f, k), x in p.items() if k == "advance")
        assert (p[("cnm", "balance")].amount, p[("region", "balance")].amount) == (
            D("1400.10"), D("1000.00"))
        assert p[("cnm", "balance")].status == PaymentStatus.PLANNED
        assert ("drac", "advance") not in p
        # the report is due 3 months after the end of the action (30 June 2025)
        assert FinalReport.objects.get(dossier=w.dossier).due_on == date(2025, 9, 30)
        event = AuditEvent.objects.filter(action="awards.dossier.advance_due").get()
        assert event.data["advance_amount"] == "9600.40"


def test_schedule_is_made_once(grant):
    with scope(tenant=grant.tenant):
        assert services.schedule_create(decision=grant.decision) == []
        assert Payment.objects.filter(dossier=grant.dossier).count() == 4


def test_only_the_paying_funders_officer_records_its_payment(grant):
    w = grant
    with scope(tenant=w.tenant):
        cnm_advance = _payments(w)[("cnm", "advance")]
        for intruder in (w.officers[K.REGION], w.officers[K.DRAC], w.applicant, w.admin):
            with pytest.raises(PermissionDenied):
                services.payment_mark_sent(user=intruder, payment=cnm_advance, now=NOW)
        ConflictFactory(tenant=w.tenant, officer=w.officers[K.CNM], siret=w.structure.siret)
        with pytest.raises(PermissionDenied):
            services.payment_mark_sent(user=w.officers[K.CNM], payment=cnm_advance, now=NOW)


def test_paid_amount_must_be_the_amount_due_and_errors_name_the_field(grant):
    w = grant
    with scope(tenant=w.tenant):
        p = _payments(w)[("cnm", "advance")]
        with pytest.raises(services.AwardError) as exc:
            services.payment_mark_paid(user=w.officers[K.CNM], payment=p, paid_on=date(2024, 6, 1),
                                       amount="5 600,41", reference="", now=NOW)
        errors = exc.value.message_dict
        assert errors["amount"][0].startswith("Montant versé : 5")
        assert "ne correspond pas au montant à verser" in errors["amount"][0]
        assert "dans le futur" in errors["paid_on"][0]
        assert errors["reference"][0].startswith("Référence")
        p.refresh_from_db()
        assert p.status == PaymentStatus.DUE


def test_advance_paid_by_both_funders_moves_the_dossier(grant):
    w = grant
    with scope(tenant=w.tenant):
        cnm = _payments(w)[("cnm", "advance")]
        services.payment_mark_paid(user=w.officers[K.CNM], payment=cnm, paid_on=NOW.date(),
                                   amount="5 600,40", reference="M-1", now=NOW)
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.ADVANCE_DUE  # the Région has not paid yet
        region = _payments(w)[("region", "advance")]
        services.payment_mark_paid(user=w.officers[K.REGION], payment=region, paid_on=NOW.date(),
                                   amount="4000", reference="M-2", now=NOW)
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.ADVANCE_PAID
        assert list(AuditEvent.objects.filter(action__startswith="awards.payment.paid")
                    .values_list("data__funder", flat=True).order_by("pk")) == ["cnm", "region"]


def test_report_falls_due_then_overdue_with_the_clock(grant):
    w = grant
    with scope(tenant=w.tenant):
        _pay_advances(w)
        assert services.awards_tick(tenant=w.tenant, now=datetime(2025, 6, 30, 12, tzinfo=PARIS)) \
            == {"report_due": 0, "report_overdue": 0}
        assert services.awards_tick(tenant=w.tenant, now=datetime(2025, 7, 1, 8, tzinfo=PARIS)) \
            == {"report_due": 1, "report_overdue": 0}
        assert services.awards_tick(tenant=w.tenant, now=datetime(2025, 9, 30, 23, tzinfo=PARIS)) \
            == {"report_due": 0, "report_overdue": 0}
        assert services.awards_tick(tenant=w.tenant, now=datetime(2025, 10, 1, 0, 1, tzinfo=PARIS)) \
            == {"report_due": 0, "report_overdue": 1}
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.REPORT_OVERDUE


def test_filing_needs_every_line_and_keeps_the_draft(grant):
    w = grant
    with scope(tenant=w.tenant):
        _pay_advances(w)
        services.report_save(user=w.applicant, dossier=w.dossier, activity_report="",
                             realised={w.lines["cachets"].pk: "12 000,50"})
        with pytest.raises(services.AwardError) as exc:
            services.report_file(user=w.applicant, dossier=w.dossier, now=NOW)
        assert "Bilan d'activité" in exc.value.message_dict["activity_report"][0]
        assert "Déplacements" in exc.value.message_dict["__all__"][0]
        report = FinalReport.objects.get(dossier=w.dossier)
        assert report.lines.get().realised == D("12000.50")
        with pytest.raises(services.AwardError) as exc:
            services.report_save(user=w.applicant, dossier=w.dossier, activity_report="x",
                                 realised={w.lines["cachets"].pk: "douze mille"})
        assert "Réalisé — Cachets des artistes" in exc.value.message_dict[
            f"line_{w.lines['cachets'].pk}"][0]


def test_accepting_the_report_makes_each_balance_due(grant):
    w = grant
    with scope(tenant=w.tenant):
        _pay_advances(w)
        _file_report(w, {"cachets": "20 000", "deplacements": "5 000", "materiel": "3 000",
                         "fonds": "15 999,50"})
        services.report_accept(user=w.officers[K.DRAC], dossier=w.dossier, comment="Conforme.",
                               now=datetime(2025, 8, 5, tzinfo=PARIS))
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.REPORT_ACCEPTED
        p = _payments(w)
        assert (p[("cnm", "balance")].status, p[("cnm", "balance")].amount) == (
            PaymentStatus.DUE, D("1400.10"))
        for funder in ("cnm", "region"):
            services.payment_mark_paid(user=w.officers[funder], payment=p[(funder, "balance")],
                                       paid_on=date(2025, 8, 20), amount=p[(funder, "balance")].amount,
                                       reference="S-1", now=datetime(2025, 8, 21, tzinfo=PARIS))
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.BALANCE_PAID
        services.dossier_close(user=w.officers[K.CNM], dossier=w.dossier)
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.CLOSED


def test_reevaluation_reduces_the_grant_and_says_what_each_funder_recovers(grant):
    w = grant
    with scope(tenant=w.tenant):
        _pay_advances(w)
        # eligible: 25 000 planned, 12 000,50 + 3 000 = 15 000,50 realised (matériel ineligible)
        _file_report(w, {"cachets": "12 000,50", "deplacements": "3 000", "materiel": "9 000",
                         "fonds": "10 000"})
        with pytest.raises(services.AwardError):
            services.report_reevaluate(user=w.officers[K.DRAC], dossier=w.dossier, comment="")
        report = services.report_reevaluate(
            user=w.officers[K.DRAC], dossier=w.dossier,
            comment="Dépenses éligibles réalisées inférieures au budget prévu.",
            now=datetime(2025, 8, 5, tzinfo=PARIS))
        # 12 000,50 × 15 000,50 / 25 000 = 7 200,54; shares 4 200,440… and 3 000,099…: the
        # leftover cent goes to the Région (largest remainder)
        assert report.reevaluated_amount == D("7200.54")
        assert report.reevaluation["funders"]["cnm"] == {
            "share": "7000.50", "new_share": "4200.44", "advance": "5600.40",
            "balance": "-1399.96"}
        assert report.reevaluation["funders"]["region"]["new_share"] == "3000.10"
        p = _payments(w)
        assert p[("cnm", "balance")].status == PaymentStatus.CANCELLED
        assert (p[("cnm", "recovery")].amount, p[("region", "recovery")].amount) == (
            D("1399.96"), D("999.90"))
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.REEVALUATED
        event = AuditEvent.objects.get(action="awards.dossier.reevaluated")
        assert event.data["released"] == "4799.96"
        assert event.data["recover"] == {"cnm": "1399.96", "region": "999.90"}
        services.payment_mark_paid(user=w.officers[K.CNM], payment=p[("cnm", "recovery")],
                                   paid_on=date(2025, 9, 1), amount="1 399,96",
                                   reference="TITRE-77", now=datetime(2025, 9, 2, tzinfo=PARIS))
        assert AuditEvent.objects.filter(action="awards.payment.recovered").count() == 1


def test_completion_request_reopens_the_report_until_its_date(grant):
    w = grant
    with scope(tenant=w.tenant):
        _pay_advances(w)
        _file_report(w, {"cachets": "20 000", "deplacements": "5 000", "materiel": "0",
                         "fonds": "0"})
        services.report_request_completion(
            user=w.officers[K.REGION], dossier=w.dossier, message="Joignez les factures.",
            due_on=date(2025, 10, 15), now=datetime(2025, 8, 5, tzinfo=PARIS))
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.REPORT_DUE
        report = FinalReport.objects.get(dossier=w.dossier)
        assert report.due_on == date(2025, 10, 15) and report.lines.count() == 4
        assert services.awards_tick(tenant=w.tenant, now=datetime(2025, 10, 15, 20, tzinfo=PARIS)) \
            == {"report_due": 0, "report_overdue": 0}


def test_applicant_and_other_tenant_cannot_examine(grant, other_tenant):
    w = grant
    with scope(tenant=w.tenant):
        _pay_advances(w)
        _file_report(w, {"cachets": "1", "deplacements": "1", "materiel": "1", "fonds": "1"})
        with pytest.raises(PermissionDenied):
            services.report_accept(user=w.applicant, dossier=w.dossier)
    from tests.factories.reviews import officer

    foreign = officer(other_tenant, K.CNM)
    with scope(tenant=w.tenant):
        with pytest.raises(PermissionDenied):
            services.report_reevaluate(user=foreign, dossier=w.dossier, comment="x")
        with pytest.raises(PermissionDenied):
            services.payment_mark_sent(user=foreign, payment=_payments(w)[("cnm", "advance")])


def test_retention_keeps_a_dossier_whose_payments_are_not_closed(grant):
    from awards.privacy import dossiers_with_open_payments
    from applications.models import Dossier

    with scope(tenant=grant.tenant):
        assert Dossier.objects.filter(dossiers_with_open_payments()).count() == 1
        # even with a state that retention purges, a dossier with a payment due is kept
        Dossier.objects.filter(pk=grant.dossier.pk).update(status="rejected")
        assert list(closed_dossiers_expired(tenant=grant.tenant,
                                            cutoff=datetime(2100, 1, 1, tzinfo=PARIS))) == []
        Payment.objects.filter(dossier=grant.dossier).update(status=PaymentStatus.PAID,
                                                             paid_on=date(2024, 5, 1),
                                                             paid_amount=D("1"))
        assert len(closed_dossiers_expired(tenant=grant.tenant,
                                           cutoff=datetime(2100, 1, 1, tzinfo=PARIS))) == 1


def test_where_the_call_says_so_the_advance_waits_for_the_signed_convention(tenant):
    from tests.awards.world import build

    w = build(tenant, advance_paid_on="convention")
    with scope(tenant=w.tenant):
        cnm = _payments(w)[("cnm", "advance")]
        assert cnm.status == PaymentStatus.PLANNED and cnm.awaits_convention
        with pytest.raises(services.AwardError):
            services.payment_mark_sent(user=w.officers[K.CNM], payment=cnm, now=NOW)
        with pytest.raises(PermissionDenied):
            services.convention_receive(user=w.applicant, dossier=w.dossier,
                                        received_on=date(2024, 5, 2), now=NOW)
        with pytest.raises(services.AwardError) as exc:
            services.convention_receive(user=w.officers[K.DRAC], dossier=w.dossier,
                                        received_on=date(2024, 6, 2), now=NOW)
        assert "dans le futur" in exc.value.message_dict["received_on"][0]
        services.convention_receive(user=w.officers[K.DRAC], dossier=w.dossier,
                                    received_on=date(2024, 5, 2), now=NOW)
        assert {p.status for (f, k), p in _payments(w).items() if k == "advance"} == {
            PaymentStatus.DUE}
        event = AuditEvent.objects.get(action="awards.convention.received")
        assert event.data == {"received_on": "2024-05-02", "amount": "9600.40"}
        with pytest.raises(services.AwardError):  # once only
            services.convention_receive(user=w.officers[K.DRAC], dossier=w.dossier,
                                        received_on=date(2024, 5, 2), now=NOW)
