"""Demo data of instruction and committee (idempotent). For each demo region, the filed demo
dossiers of applications.demo.STORY are taken to their stage through the product's services,
by the demo accounts whose work it is, so that every role finds a coherent story:

* previous edition (PAST): recevable, reviewed by one rapporteur per funder, examined by a
  committee session held on its date, decided (two grants split between the funders, one
  refusal with its motivation) and closed — minutes, decision letters and the applicants'
  messages follow, as after any session;
* call open today (OPEN): filed dossiers for the instructors to make recevable, a recevable
  one awaiting its rapporteurs, one in instruction (the DRAC's review submitted, the CNM's
  started, the Région's to write), two on the agenda of the coming session (held on the date
  the call announces), with their reviews in, for the members to decide.

The history of a past step is dated when it happened (its audit events are re-dated)."""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from portal.enums import Role

#: When the previous edition's steps happened (Paris dates): recevable, rapporteurs,
#: reviews, agenda, session (decisions and closing).
PAST_DATES = {
    "occitanie": [date(2024, 3, 18), date(2024, 3, 20), date(2024, 4, 12), date(2024, 4, 22),
                  date(2024, 4, 30)],
    "hauts-de-france": [date(2023, 9, 27), date(2023, 9, 29), date(2023, 10, 20),
                        date(2023, 11, 6), date(2023, 11, 16)],
}

FUNDERS = ("drac", "cnm", "region")
OPINIONS = {
    "favourable": ("Projet solide, coopération réelle entre les structures et budget "
                   "réaliste ; l'ancrage territorial est démontré."),
    "reserved": ("Projet intéressant mais plan de financement fragile : la part des "
                 "recettes propres reste à confirmer."),
    "unfavourable": ("La coopération reste à construire : un seul porteur réalise l'essentiel "
                     "des actions et l'impact sur le territoire est peu décrit."),
}


@contextmanager
def _dated(day: date | None, hour: int = 10):
    """Re-date the audit events written inside the block to `day` (Paris), when given."""
    from portal.formatting import PARIS
    from portal.models import AuditEvent

    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    if day is not None:
        when = datetime.combine(day, time(hour), tzinfo=PARIS)
        AuditEvent.objects.filter(pk__gt=last).update(created_at=when)


def _staff(tenant):
    from portal.models import User

    def get(local):
        return User.objects.get(email=f"{local}@{tenant.slug}.demo")
    return {"admin": get("admin"),
            **{f: get(f"instructor-{f}") for f in FUNDERS},
            **{f"committee-{f}": get(f"committee-{f}") for f in FUNDERS}}


def _scores(dossier, recommendation: str) -> dict:
    from .selectors import criteria_for

    high = {"favourable": 4, "reserved": 3, "unfavourable": 2}[recommendation]
    return {str(c.id): min(c.scale_max, high + (i % 2)) for i, c in
            enumerate(criteria_for(dossier))}


def _review(dossier, officer, recommendation: str, *, submit: bool = True, now=None):
    from .services import review_save

    amount = (dossier.requested_amount if recommendation == "favourable"
              else (dossier.requested_amount * Decimal("0.8")).quantize(Decimal("1"))
              if recommendation == "reserved" else None)
    review_save(user=officer, dossier=dossier, scores=_scores(dossier, recommendation),
                opinion=OPINIONS[recommendation], recommendation=recommendation,
                proposed_amount=str(amount) if amount is not None else None, submit=submit,
                now=now)


def _recevable(dossier, staff):
    from .services import eligibility_confirm, required_documents

    checklist = {str(row["id"]): True for row in required_documents(dossier)
                 if row["attachment"] is not None}
    eligibility_confirm(user=staff["cnm"], dossier=dossier, checklist=checklist,
                        comment="Dossier complet, critères vérifiés.")


def _rapporteurs(dossier, staff):
    from .services import assignment_add

    for funder in dossier.call.funders or FUNDERS:
        assignment_add(user=staff["admin"], dossier=dossier, officer=staff[funder])


def _session(tenant, *, title: str, day: date, calls):
    from .models import CommitteeMember, CommitteeSession
    from portal.models import Membership

    session, created = CommitteeSession.objects.get_or_create(
        tenant=tenant, title=title,
        defaults={"date": day, "quorum": 2, "quorum_each_funder": True})
    if created:
        session.calls.set(calls)
    elif not session.is_closed and session.date != day:
        session.date = day
        session.save(update_fields=["date"])
    for m in (Membership.objects.filter(tenant=tenant, role=Role.COMMITTEE,
                                        organization__isnull=False)
              .select_related("organization")):
        CommitteeMember.objects.get_or_create(
            session=session, user=m.user,
            defaults={"funder": m.organization.kind, "present": True})
    return session, created


def _shares(amount: Decimal) -> dict:
    """A grant split between the three funders (Région 40 %, DRAC 30 %, CNM the rest)."""
    region = (amount * Decimal("0.4")).quantize(Decimal("1"))
    drac = (amount * Decimal("0.3")).quantize(Decimal("1"))
    return {"region": str(region), "drac": str(drac), "cnm": str(amount - region - drac)}


def _past(tenant, staff, dossiers):
    """The previous edition, from « déposé » to a closed session (skipped once it exists)."""
    from portal.formatting import PARIS

    from .models import CommitteeSession
    from .services import agenda_add, decision_record, session_close

    if not dossiers or CommitteeSession.objects.filter(
            tenant=tenant, title="Comité de sélection de l'édition précédente").exists():
        return
    eligible_on, assigned_on, reviewed_on, agenda_on, session_on = PAST_DATES[tenant.slug]
    with _dated(eligible_on):
        for dossier, _stage in dossiers:
            _recevable(dossier, staff)
    with _dated(assigned_on):
        for dossier, _stage in dossiers:
            _rapporteurs(dossier, staff)
    with _dated(reviewed_on):
        for dossier, stage in dossiers:
            for funder in FUNDERS:
                _review(dossier, staff[funder],
                        "favourable" if stage == "granted" else "unfavourable",
                        now=datetime.combine(reviewed_on, time(15), tzinfo=PARIS))
    session, _created = _session(tenant, title="Comité de sélection de l'édition précédente",
                                 day=session_on, calls=[dossiers[0][0].call])
    with _dated(agenda_on):
        for dossier, _stage in dossiers:
            agenda_add(user=staff["admin"], session=session, dossier=dossier)
    decided_at = datetime.combine(session_on, time(11), tzinfo=PARIS)
    with _dated(session_on, 11):
        for dossier, stage in dossiers:
            if stage == "granted":
                decision_record(user=staff["committee-region"], session=session,
                                dossier=dossier, outcome="granted",
                                shares=_shares(dossier.requested_amount),
                                conditions="Bilan qualitatif et financier à transmettre dans "
                                           "les trois mois suivant la fin du projet.",
                                now=decided_at)
            else:
                decision_record(user=staff["committee-region"], session=session,
                                dossier=dossier, outcome="rejected",
                                motivation="Le projet ne répond pas au critère de coopération : "
                                           "un seul porteur réalise l'essentiel des actions.",
                                now=decided_at)
    with _dated(session_on, 17):
        session_close(user=staff["admin"], session=session,
                      now=datetime.combine(session_on, time(17), tzinfo=PARIS))


def _open(tenant, staff, dossiers):
    """The call open today: each dossier left at its stage for its role to pick up."""
    from applications.enums import DossierStatus

    from .services import agenda_add, assignment_add

    calls = sorted({d.call for d, _stage in dossiers}, key=lambda c: c.pk)
    if not calls:
        return
    day = min((c.committee_date for c in calls if c.committee_date),
              default=timezone.localdate() + timedelta(days=30))
    session, _created = _session(tenant, title="Comité de sélection", day=day, calls=calls)
    for dossier, stage in dossiers:
        if dossier.status != DossierStatus.SUBMITTED or stage == "submitted":
            continue  # already taken to its stage (a second seed), or the instructors' work
        _recevable(dossier, staff)
        if stage == "in_review":
            assignment_add(user=staff["admin"], dossier=dossier, officer=staff["drac"])
            assignment_add(user=staff["admin"], dossier=dossier, officer=staff["cnm"])
            assignment_add(user=staff["admin"], dossier=dossier, officer=staff["region"])
            _review(dossier, staff["drac"], "favourable")
            _review(dossier, staff["cnm"], "reserved", submit=False)
        elif stage == "in_committee":
            _rapporteurs(dossier, staff)
            favourable = dossier.requested_amount <= Decimal("10000")
            for funder in FUNDERS:
                _review(dossier, staff[funder],
                        "favourable" if favourable or funder == "region" else "reserved")
            agenda_add(user=staff["admin"], session=session, dossier=dossier)


def seed() -> list[str]:
    from applications.demo import CALLS, OPEN, PAST, STORY
    from applications.enums import DossierStatus
    from applications.models import Dossier
    from portal.models import Tenant

    from .services import summary_refresh

    tenants = list(Tenant.objects.filter(slug__in=STORY))  # Tenant is not scoped
    for tenant in tenants:
        with scope(tenant=tenant), transaction.atomic():
            staff = _staff(tenant)
            for part, advance in ((PAST, _past), (OPEN, _open)):
                dossiers = []
                for n, title, _requested, stage in STORY[tenant.slug][part]:
                    dossier = (Dossier.objects.filter(tenant=tenant, title=title,
                                                      call__slug=CALLS[(tenant.slug, part)])
                               .select_related("call", "structure").first())
                    if dossier is not None and stage != "draft":
                        dossiers.append((dossier, stage))
                advance(tenant, staff, dossiers)
            for dossier in (Dossier.objects.filter(tenant=tenant)
                            .exclude(status=DossierStatus.DRAFT)
                            .exclude(reference="").select_related("structure")):
                summary_refresh(dossier=dossier)
    return []
