"""Demo data of the follow-up (idempotent): in Occitanie, a dossier of the demo applicant's
structure on the 2024 « coopération professionnelle » call (advance 80 %, eligible expenses
from 1 January 2024 to 31 December 2025, the seed's figures), granted by the committee of
25 April 2024 with the CNM's and the Région's shares, its advance paid by both in May 2024,
and its final report filed with lower realised expenses than planned — waiting for an
instructor to accept it or re-evaluate the grant. Runs through the services (scopes disabled
for the lookups only, the work inside the tenant's scope)."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal as D

from django.utils import timezone
from django_scopes import scope

from portal.formatting import PARIS

TITLE = "Tournée mutualisée des labels d'Occitanie"


@contextmanager
def _dated(when: datetime):
    """The audit events written inside the block are dated `when` (the history reads as it
    happened, not when the demo was loaded)."""
    from portal.models import AuditEvent

    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    AuditEvent.objects.filter(pk__gt=last).update(created_at=when)


def _run(tenant) -> None:
    from applications.demo import STRUCTURES, demo_siret
    from applications.enums import DossierStatus
    from applications.models import BudgetLine, Dossier, Partner, Structure, StructureMember
    from applications.services import dossier_transition
    from applications.services.dossiers import reference_allocate
    from calls.models import Call
    from calls.versioning import rules_snapshot
    from portal.enums import Role
    from portal.models import Membership, User
    from reviews import services as reviews
    from reviews.models import AgendaItem, CommitteeMember, CommitteeSession

    from . import services
    from .enums import PaymentKind
    from .models import Payment

    call = Call.objects.filter(tenant=tenant, slug="cooperation-professionnelle-2024").first()
    structure = Structure.objects.filter(siret=demo_siret(STRUCTURES[0][0])).first()
    applicant = User.objects.filter(email=f"applicant@{tenant.slug}.demo").first()
    committee = User.objects.filter(email=f"committee-cnm@{tenant.slug}.demo").first()
    admin = User.objects.filter(email=f"admin@{tenant.slug}.demo").first()
    if None in (call, structure, applicant, committee, admin):
        return
    if Dossier.objects.filter(tenant=tenant, call=call, structure=structure,
                              title=TITLE).exists():
        return
    StructureMember.objects.get_or_create(structure=structure, user=applicant,
                                          defaults={"role": "manager"})
    category = call.categories.filter(title__startswith="Catégorie 1").first()
    track = call.tracks.first()
    dossier = Dossier.objects.create(
        tenant=tenant, call=call, track=track, category=category, structure=structure,
        title=TITLE, created_by=applicant, requested_amount=D("12000.00"),
        summary="Trois labels indépendants mutualisent une tournée de douze dates et trois "
                "résidences dans les scènes de musiques actuelles de la région.",
        objectives="Faire connaître les artistes des trois labels hors de leur ville.",
        start_date=date(2024, 3, 1), end_date=date(2025, 6, 30))
    lines = [BudgetLine(dossier=dossier, kind="expense", label=label, expense_kind=kind,
                        amount=D(amount), position=i, spent_from=date(2024, 3, 1),
                        spent_until=date(2025, 6, 30))
             for i, (label, kind, amount) in enumerate([
                 ("Cachets des artistes", "artistic", "18000"),
                 ("Déplacements et hébergement", "travel", "7000"),
                 ("Communication de la tournée", "communication", "3000")])]
    lines += [BudgetLine(dossier=dossier, kind="income", source="self_financing",
                         label="Fonds propres des trois labels", amount=D("10000"), position=3),
              BudgetLine(dossier=dossier, kind="income", source="public",
                         label="Département de l'Hérault", amount=D("6000"), position=4)]
    BudgetLine.objects.bulk_create(lines)
    Partner.objects.bulk_create([
        Partner(dossier=dossier, name="Label Garonne", role="Co-production", position=0),
        Partner(dossier=dossier, name="Pic Saint-Loup Live", role="Diffusion", position=1)])
    filed = datetime(2024, 3, 5, 14, tzinfo=PARIS)
    reference = reference_allocate(dossier, filed)
    snapshot = rules_snapshot(call, track, category)
    with _dated(filed):
        dossier_transition(dossier=dossier, to=DossierStatus.SUBMITTED, now=filed, quiet=True,
                           fields={"reference": reference, "rules_snapshot": snapshot,
                                   "eligibility_results": []},
                           data={"reference": reference,  # as dossier_submit logs it
                                 "rules_version": snapshot.get("rules_version")})
    for status, when in ((DossierStatus.ELIGIBLE, datetime(2024, 3, 20, 10, tzinfo=PARIS)),
                         (DossierStatus.IN_COMMITTEE, datetime(2024, 4, 10, 10, tzinfo=PARIS))):
        with _dated(when):
            dossier_transition(dossier=dossier, to=status, quiet=True, now=when)
    session = CommitteeSession.objects.create(
        tenant=tenant, title="Comité de sélection du 25 avril 2024", date=date(2024, 4, 25),
        quorum=1, quorum_each_funder=False)
    session.calls.set([call])
    CommitteeMember.objects.create(session=session, user=committee, funder="cnm", present=True)
    AgendaItem.objects.create(session=session, dossier=dossier, position=1)
    decided = datetime(2024, 4, 25, 11, tzinfo=PARIS)
    with _dated(decided):
        reviews.decision_record(user=committee, session=session, dossier=dossier,
                                outcome="granted", shares={"cnm": "7000", "region": "5000"},
                                now=decided)
    closed = datetime(2024, 4, 25, 17, tzinfo=PARIS)
    with _dated(closed):
        reviews.session_close(user=admin, session=session, now=closed)
    paid = datetime(2024, 5, 15, 11, tzinfo=PARIS)
    for payment in Payment.objects.filter(dossier=dossier, kind=PaymentKind.ADVANCE):
        officer = Membership.objects.filter(
            tenant=tenant, role=Role.INSTRUCTOR,
            organization__kind=payment.funder).select_related("user").first()
        if officer is None:
            continue
        with _dated(paid):
            services.payment_mark_sent(user=officer.user, payment=payment, now=paid)
            services.payment_mark_paid(user=officer.user, payment=payment, paid_on=paid.date(),
                                       amount=payment.amount,
                                       reference=f"2024-{payment.funder.upper()}-"
                                                 f"{dossier.pk:04d}", now=paid)
    dossier.refresh_from_db()
    realised = {"Cachets des artistes": "14 500,50", "Déplacements et hébergement": "5 200",
                "Communication de la tournée": "2 100", "Fonds propres des trois labels":
                "8 000", "Département de l'Hérault": "6 000"}
    services.report_save(user=applicant, dossier=dossier,
                         activity_report="Neuf concerts sur douze prévus (trois dates annulées "
                                         "par les salles), trois résidences, 2 400 spectateurs.",
                         realised={line.pk: realised[line.label]
                                   for line in dossier.budget_lines.all()})
    reported = min(timezone.now(), datetime(2025, 9, 15, 10, tzinfo=PARIS))
    with _dated(reported):
        services.report_file(user=applicant, dossier=dossier, now=reported)


def seed() -> list[str]:
    from portal.models import Tenant

    tenant = Tenant.objects.filter(slug="occitanie").first()  # Tenant is not scoped
    if tenant is not None:
        with scope(tenant=tenant):
            _run(tenant)
    return []
