"""Writes of joint instruction and committee: one function per business action, keyword-only,
in a transaction; each checks the permission and the state, validates, writes, logs an audit
event and enqueues follow-up work through the outbox. Errors are `ReviewError`
(a ValidationError the views show as is) or PermissionDenied."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Value
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.enums import DossierStatus
from applications.models import Dossier, Partner
from applications.services import dossier_transition, dossiers_transition
from applications.services.transitions import sync_instance
from applications.workflow import can_move
from calls.enums import Funder
from calls.models import Call
from portal.amounts import clean_number
from portal.audit import audit_log
from portal.enums import Role
from portal.formatting import format_date_fr, format_money
from portal.models import Membership
from portal.outbox import enqueue

from .assignment import Need, Officer, plan_assignments
from .enums import (DecisionOutcome, EligibilityOutcome, PresenceKind, Recommendation,
                    ReviewStatus, SessionStatus, VoteChoice)
from .envelope import advance_and_balance, money, overruns
from .models import (AgendaItem, Assignment, CommitteeMember, CommitteeSession,
                     ConflictDeclaration, Decision, DecisionShare, DossierSummary,
                     EligibilityReview, Recusal, Review, ReviewSettings)
from .scoring import aggregate, parse_scores, rank, weighted_total
from .selectors import (SEARCH_CONFIG, conflict_q, conflicted_dossier_ids_for, conflicted_pairs,  # noqa: F401,E501
                        criteria_for, dossier_rules, envelope_lines, fold, forget_conflicts,
                        funder_envelope_lines, funder_overruns, recused_by_dossier)


#: The dossier state each outcome leads to (the enums are distinct: one names what was
#: decided, the other where the dossier stands).
ELIGIBILITY_STATES = {EligibilityOutcome.ELIGIBLE: DossierStatus.ELIGIBLE,
                      EligibilityOutcome.INELIGIBLE: DossierStatus.INELIGIBLE}
DECISION_STATES = {DecisionOutcome.GRANTED: DossierStatus.GRANTED,
                   DecisionOutcome.REJECTED: DossierStatus.REJECTED}


#: Sent when a committee session closes (its decisions published), inside the transaction:
#: ``sender=CommitteeSession, session, decision_ids, now``.
session_closed = Signal()


class ReviewError(ValidationError):
    """A business rule refused the action (the message says why)."""


class StaleError(ReviewError):
    """Someone else changed the object since the form was loaded (optimistic locking)."""


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _locked_dossier(dossier) -> Dossier:
    return (Dossier.objects.select_for_update(of=("self",))
            .select_related("tenant", "call", "track", "category", "structure")
            .get(pk=dossier.pk))


def _funder_of(user, tenant) -> str:
    membership = (Membership.objects.filter(tenant=tenant, user=user,
                                            role=Role.INSTRUCTOR, organization__isnull=False)
                  .select_related("organization").first())
    return membership.organization.kind if membership else ""


# --- Conflicts of interest -----------------------------------------------------------------

@transaction.atomic
def conflict_declare(*, tenant, user, siret: str, structure_name: str = "",
                     nature: str) -> ConflictDeclaration:
    from applications.models import Structure
    from applications.validators import normalize_siret, validate_siret

    _require(user, "reviews.declare_conflicts", tenant)
    siret = normalize_siret(siret)
    try:
        validate_siret(siret)
    except ValidationError as exc:
        raise ReviewError({"siret": exc.messages}) from None
    if not (nature or "").strip():
        raise ReviewError({"nature": _("Précisez la nature du lien.")})
    structure = Structure.objects.filter(siret=siret).first()
    name = (structure_name or "").strip() or (structure.name if structure else "")
    if not name:
        raise ReviewError({"structure_name": _("Indiquez le nom de la structure.")})
    declaration, created = ConflictDeclaration.objects.get_or_create(
        tenant=tenant, officer=user, siret=siret,
        defaults={"structure_name": name[:200], "structure": structure,
                  "nature": nature.strip()[:300]})
    if not created:
        raise ReviewError({"siret": _("Vous avez déjà déclaré un lien avec cette structure.")})
    forget_conflicts(user)
    audit_log(tenant=tenant, actor=user, action="reviews.conflict.declared", target=declaration,
              data={"siret": siret, "structure": name})
    return declaration


#: States in which a dossier's instruction has not started: a declaration touching only such
#: dossiers (or none) is withdrawn by the officer who made it.
BEFORE_INSTRUCTION = (DossierStatus.DRAFT, DossierStatus.SUBMITTED,
                      DossierStatus.COMPLETION_REQUESTED, DossierStatus.WITHDRAWN)


@transaction.atomic
def conflict_withdraw(*, user, declaration: ConflictDeclaration) -> None:
    """Withdraw a declared link. Once the instruction of a dossier it touches has started, only
    the tenant admin may: the officer would otherwise regain access at once to a dossier they
    stepped back from (issue 13 finding 10). The withdrawal is audited; the committee's record
    of who was recused keeps what it held."""
    is_admin = user.has_perm("reviews.view_conflict_registry", declaration.tenant)
    if declaration.officer_id != user.pk and not is_admin:
        raise PermissionDenied("reviews.declare_conflicts")
    started = (Dossier.objects.filter(tenant=declaration.tenant)
               .filter(conflict_q({declaration.siret}))
               .exclude(status__in=BEFORE_INSTRUCTION))
    if not is_admin and started.exists():
        raise ReviewError(_("L'instruction d'un dossier concerné par ce lien a commencé : seule "
                            "l'administration du contrat peut retirer la déclaration."),
                          code="instruction_started")
    audit_log(tenant=declaration.tenant, actor=user, action="reviews.conflict.withdrawn",
              target=declaration, data={"siret": declaration.siret})
    officer = declaration.officer
    declaration.delete()
    forget_conflicts(officer)


# --- Exports ----------------------------------------------------------------------------------

def dashboard_export_record(*, user, tenant, fmt: str, rows: int | None) -> None:
    """Log that `user` exported the dashboard's selection (`rows` dossiers when counted before
    the file is streamed): the export leaves the portal with the applicants' data."""
    _require(user, "reviews.view_dashboard", tenant)
    data = {"format": fmt} if rows is None else {"format": fmt, "rows": rows}
    audit_log(tenant=tenant, actor=user, action="reviews.dashboard.exported", data=data)


# --- Settings ---------------------------------------------------------------------------------

@transaction.atomic
def review_settings_set(*, user, tenant, threshold, call=None) -> ReviewSettings:
    """Set the disagreement threshold (points out of 20) of the tenant, or of one call."""
    _require(user, "reviews.manage_sessions", tenant)
    try:
        threshold = clean_number(threshold, label=_("Seuil (points sur 20)"), money=False,
                                 decimal_places=2, max_digits=4)
    except ValidationError as exc:
        raise ReviewError({"threshold": exc.messages}) from None
    if threshold is None or threshold < 0 or threshold > 20:
        raise ReviewError({"threshold": _("Le seuil est compris entre 0 et 20 points.")})
    if call is not None and call.tenant_id != tenant.pk:
        raise PermissionDenied("reviews.manage_sessions")
    row, _created = ReviewSettings.objects.update_or_create(
        tenant=tenant, call=call, defaults={"disagreement_threshold": threshold})
    audit_log(tenant=tenant, actor=user, action="reviews.settings.threshold_set", target=call,
              data={"call": call.pk if call else None, "threshold": str(threshold)})
    return row


# --- Summary (search document, aggregate) ---------------------------------------------------

def summary_refresh(*, dossier) -> DossierSummary:
    """Recompute the dossier's search document and review aggregate (idempotent)."""
    partners = list(Partner.objects.filter(dossier=dossier).values_list("name", "siret"))
    structure = dossier.structure
    text = " ".join([dossier.reference or "", dossier.title or "", structure.name,
                     structure.siret, *[f"{n} {s}" for n, s in partners]])
    totals = list(Review.objects.filter(dossier=dossier, status=ReviewStatus.SUBMITTED)
                  .values_list("total", "proposed_amount"))
    agg = aggregate([t for t, _a in totals])
    proposed = [a for _t, a in totals if a is not None]
    summary, _created = DossierSummary.objects.update_or_create(
        dossier=dossier, defaults={
            "tenant_id": dossier.tenant_id, "search_text": text, "review_count": agg.count,
            "mean": agg.mean, "median": agg.median, "spread": agg.spread,
            "proposed_total": (money(sum(proposed) / len(proposed)) if proposed else None)})
    DossierSummary.objects.filter(pk=summary.pk).update(
        search=SearchVector(Value(fold(text)), config=SEARCH_CONFIG))
    return summary


# --- Eligibility and completeness -------------------------------------------------------------

def required_documents(dossier, *, attachments=None) -> list[dict]:
    """The completeness checklist: each document of the dossier's rules, present or not
    (among `attachments` when the caller already read the dossier's)."""
    snapshot = dossier.rules_snapshot or {}
    if attachments is None:
        attachments = dossier.attachments.all()
    present = {a.requirement_id: a for a in attachments}
    rows = []
    for doc in snapshot.get("document_requirements") or []:
        rows.append({"id": doc["id"], "label": doc["label"], "required": doc.get("required", True),
                     "attachment": present.get(doc["id"])})
    return rows


@transaction.atomic
def eligibility_confirm(*, user, dossier, overrides: dict | None = None,
                        checklist: dict | None = None, comment: str = "") -> EligibilityReview:
    """Confirm the automatic eligibility results, or override some with a written
    justification (``overrides = {criterion_id: {"final": "pass"|"fail", "justification"}}``).
    Criteria the evaluator could not decide ("unknown") must be decided here. The dossier
    becomes eligible, or ineligible when a criterion fails. Confirming eligible requires
    every required document to be present and ticked as conforming."""
    locked = _locked_dossier(dossier)
    _require(user, "reviews.instruct_dossier", locked)
    if locked.status != DossierStatus.SUBMITTED:
        raise ReviewError(_("La recevabilité se confirme sur un dossier déposé en attente "
                            "d'examen (état actuel : %(state)s).")
                          % {"state": locked.get_status_display()})
    overrides = {str(k): v for k, v in (overrides or {}).items()}
    checklist = {str(k): bool(v) for k, v in (checklist or {}).items()}
    results, errors = [], {}
    for row in locked.eligibility_results or []:
        key = str(row.get("id"))
        automatic = row.get("status")
        override = overrides.get(key) or {}
        final = override.get("final") or automatic
        justification = (override.get("justification") or "").strip()
        if final not in ("pass", "fail", "warning"):
            errors[f"criterion_{key}"] = _("« %(label)s » n'a pas pu être vérifié "
                                           "automatiquement : tranchez-le.") % {"label": row.get("label")}
            continue
        if final != automatic and not justification:
            errors[f"criterion_{key}"] = _("Justifiez par écrit la modification du résultat de "
                                           "« %(label)s ».") % {"label": row.get("label")}
            continue
        results.append({"id": row.get("id"), "label": row.get("label"), "automatic": automatic,
                        "final": final, "justification": justification if final != automatic else ""})
    if errors:
        raise ReviewError(errors)
    outcome = (EligibilityOutcome.INELIGIBLE if any(r["final"] == "fail" for r in results)
               else EligibilityOutcome.ELIGIBLE)
    if outcome == EligibilityOutcome.ELIGIBLE:
        missing = [d["label"] for d in required_documents(locked) if d["required"]
                   and (d["attachment"] is None or not checklist.get(str(d["id"])))]
        if missing:
            raise ReviewError(_("Le dossier est incomplet (%(docs)s) : demandez des compléments "
                                "plutôt que de le déclarer recevable.")
                              % {"docs": ", ".join(missing)})
    review = EligibilityReview.objects.create(dossier=locked, outcome=outcome, results=results,
                                              checklist=checklist, comment=comment.strip(),
                                              confirmed_by=user)
    for r in results:
        if r["final"] != r["automatic"]:
            audit_log(tenant=locked.tenant, actor=user, action="reviews.eligibility.overridden",
                      target=locked, data={"criterion": r["id"], "label": r["label"],
                                           "from": r["automatic"], "to": r["final"],
                                           "justification": r["justification"]})
    dossier_transition(
        dossier=locked, to=ELIGIBILITY_STATES[outcome], user=user,
        data={"eligibility_review": review.pk,
              "overrides": sum(r["final"] != r["automatic"] for r in results)})
    sync_instance(dossier, locked)
    return review


# --- Assignments ------------------------------------------------------------------------------

ASSIGNABLE = (DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW)


@transaction.atomic
def assignment_add(*, user, dossier, officer, audit: bool = True) -> Assignment:
    _require(user, "reviews.assign", dossier.tenant)
    locked = _locked_dossier(dossier)
    if locked.status not in ASSIGNABLE:
        raise ReviewError(_("On n'affecte des rapporteur·rices qu'aux dossiers recevables."))
    funder = _funder_of(officer, locked.tenant)
    if not funder:
        raise ReviewError(_("%(user)s n'est pas instructeur·rice d'un financeur de ce contrat.")
                          % {"user": officer})
    if locked.pk in conflicted_dossier_ids_for(officer, locked.tenant, [locked.pk], cached=False):
        raise ReviewError(_("%(user)s a déclaré un lien d'intérêts avec cette structure ou l'un "
                            "de ses partenaires : affectation impossible.") % {"user": officer})
    assignment, created = Assignment.objects.get_or_create(
        dossier=locked, officer=officer, defaults={"funder": funder, "assigned_by": user})
    if not created:
        raise ReviewError(_("%(user)s est déjà rapporteur·rice de ce dossier.") % {"user": officer})
    if locked.status == DossierStatus.ELIGIBLE:
        dossier_transition(dossier=locked, to=DossierStatus.IN_REVIEW, user=user,
                           data={"officer": officer.pk})
    sync_instance(dossier, locked)
    if audit:
        audit_log(tenant=locked.tenant, actor=user, action="reviews.assignment.added",
                  target=locked, data={"officer": officer.pk, "funder": funder})
    return assignment


@transaction.atomic
def assignment_remove(*, user, assignment: Assignment) -> None:
    _require(user, "reviews.assign", assignment.dossier.tenant)
    if Review.objects.filter(dossier=assignment.dossier, officer=assignment.officer,
                             status=ReviewStatus.SUBMITTED).exists():
        raise ReviewError(_("Ce·tte rapporteur·rice a déjà soumis son évaluation."))
    Review.objects.filter(dossier=assignment.dossier, officer=assignment.officer).delete()
    audit_log(tenant=assignment.dossier.tenant, actor=user, action="reviews.assignment.removed",
              target=assignment.dossier, data={"officer": assignment.officer_id})
    assignment.delete()


@transaction.atomic
def assignments_auto(*, user, tenant, call=None):
    """Give every assignable dossier (of `call`, or of the tenant) one rapporteur per funder
    of its call that has none yet, balancing the load, never a conflicted officer.
    Returns the plan (pairs created, slots left unassignable)."""
    _require(user, "reviews.assign", tenant)
    dossiers = Dossier.objects.filter(tenant=tenant, status__in=ASSIGNABLE).select_related("call")
    if call is not None:
        dossiers = dossiers.filter(call=call)
    dossiers = list(dossiers.select_for_update(of=("self",)).order_by("pk"))
    ids = [d.pk for d in dossiers]
    existing = list(Assignment.objects.filter(dossier__tenant=tenant)
                    .values_list("dossier_id", "officer_id", "funder"))
    covered = {(d, f) for d, _o, f in existing}
    needs = [Need(d.pk, f) for d in dossiers for f in (d.call.funders or [])
             if (d.pk, f) not in covered]
    memberships = Membership.objects.filter(tenant=tenant, role=Role.INSTRUCTOR,
                                            organization__kind__in=Funder.values)
    officers = [Officer(m.user_id, m.organization.kind)
                for m in memberships.select_related("organization")]
    load: dict[int, int] = {}
    for _d, officer_id, _f in existing:
        load[officer_id] = load.get(officer_id, 0) + 1
    plan = plan_assignments(needs=needs, officers=officers, load=load,
                            conflicts=conflicted_pairs(tenant, ids),
                            assigned={(o, d) for d, o, _f in existing})
    Assignment.objects.bulk_create([Assignment(dossier_id=d, officer_id=o, funder=f,
                                               assigned_by=user) for d, o, f in plan.pairs])
    touched = {d for d, _o, _f in plan.pairs}
    dossiers_transition(dossiers=[d.pk for d in dossiers if d.pk in touched
                                  and d.status == DossierStatus.ELIGIBLE],
                        to=DossierStatus.IN_REVIEW, user=user, data={"auto": True})
    audit_log(tenant=tenant, actor=user, action="reviews.assignment.auto", target=call,
              data={"created": len(plan.pairs), "unassignable": [
                  [n.dossier_id, n.funder] for n in plan.unassignable]})
    return plan


# --- Reviews -----------------------------------------------------------------------------------

def _amount(value, field="proposed_amount", label=None) -> Decimal | None:
    """A posted amount read as the portal's amount field reads it (portal.amounts)."""
    try:
        amount = clean_number(value, label=label or _("Montant proposé (€)"),
                              min_value=Decimal("0"))
    except ValidationError as exc:
        raise ReviewError({field: exc.messages}) from None
    return None if amount is None else money(amount)


@transaction.atomic
def review_save(*, user, dossier, scores: dict, opinion: str = "", recommendation: str = "",
                proposed_amount=None, submit: bool = False, version: int | None = None,
                now: datetime | None = None) -> Review:
    """Save the officer's draft (partial scores allowed: autosave) or submit it (complete,
    then locked). ``version``: the review version the form was loaded with; a different
    current version means someone saved in between (StaleError)."""
    now = now or timezone.now()
    locked = _locked_dossier(dossier)
    if locked.pk in conflicted_dossier_ids_for(user, locked.tenant, [locked.pk], cached=False):
        raise ReviewError(_("Vous avez déclaré un lien d'intérêts avec cette structure ou l'un "
                            "de ses partenaires : vous ne pouvez pas l'évaluer."), code="conflict")
    if not Assignment.objects.filter(dossier=locked, officer=user).exists():
        raise ReviewError(_("Vous n'êtes pas rapporteur·rice de ce dossier."), code="unassigned")
    _require(user, "reviews.score_dossier", locked)
    if locked.status not in (DossierStatus.IN_REVIEW, DossierStatus.ELIGIBLE):
        raise ReviewError(_("Ce dossier n'est plus en instruction (état : %(state)s).")
                          % {"state": locked.get_status_display()})
    review = (Review.objects.select_for_update(of=("self",))
              .filter(dossier=locked, officer=user).first())
    if review is not None and review.is_submitted:
        raise ReviewError(_("Votre évaluation est soumise : elle ne peut plus être modifiée."),
                          code="locked")
    if version is not None and (review.version if review else 0) != int(version):
        raise StaleError(_("Votre évaluation a été modifiée entre-temps (autre onglet ou "
                           "autre appareil) : rechargez la page avant d'enregistrer."),
                         code="stale")
    criteria = criteria_for(locked)
    errors: dict = {}
    try:
        cleaned = parse_scores(criteria, scores, complete=submit)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    try:
        amount = _amount(proposed_amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        amount = None
    if recommendation and recommendation not in Recommendation.values:
        errors["recommendation"] = _("Recommandation inconnue.")
    rules = dossier_rules(locked)
    if amount is not None:
        if rules.get("amount_max") is not None and amount > rules["amount_max"]:
            errors["proposed_amount"] = _("Le montant proposé dépasse le maximum de la catégorie "
                                          "(%(max)s).") % {"max": format_money(rules["amount_max"])}
        elif locked.call.envelope is not None and amount > locked.call.envelope:
            errors["proposed_amount"] = _("Le montant proposé dépasse l'enveloppe de l'appel.")
    if submit:
        if not (opinion or "").strip():
            errors["opinion"] = _("Rédigez l'avis technique avant de soumettre.")
        if not recommendation:
            errors["recommendation"] = _("Choisissez une recommandation.")
        if recommendation in (Recommendation.FAVOURABLE, Recommendation.RESERVED) and amount is None:
            errors["proposed_amount"] = _("Proposez un montant pour un avis favorable ou réservé.")
    if errors:
        raise ReviewError(errors)
    if review is None:
        review = Review(dossier=locked, officer=user, funder=_funder_of(user, locked.tenant),
                        version=0)
    review.scores = cleaned
    review.total = weighted_total(criteria, cleaned)
    review.opinion = (opinion or "").strip()
    review.recommendation = recommendation or ""
    review.proposed_amount = amount
    review.version += 1
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = now
    review.save()
    if submit:
        summary_refresh(dossier=locked)
        audit_log(tenant=locked.tenant, actor=user, action="reviews.review.submitted",
                  target=locked, data={"review": review.pk, "total": str(review.total),
                                       "recommendation": review.recommendation,
                                       "proposed_amount": str(amount) if amount else None})
    elif review.version == 1:
        audit_log(tenant=locked.tenant, actor=user, action="reviews.review.started",
                  target=locked, data={"review": review.pk})
    return review


# --- Committee sessions -----------------------------------------------------------------------

@transaction.atomic
def session_create(*, user, tenant, title: str, date, calls, quorum: int = 1,
                   quorum_each_funder: bool = True) -> CommitteeSession:
    _require(user, "reviews.manage_sessions", tenant)
    calls = list(calls)
    if not calls:
        raise ReviewError({"calls": _("Choisissez au moins un appel examiné.")})
    if any(c.tenant_id != tenant.pk for c in calls):
        raise PermissionDenied("reviews.manage_sessions")
    session = CommitteeSession(tenant=tenant, title=title.strip(), date=date, quorum=quorum,
                               quorum_each_funder=quorum_each_funder)
    session.full_clean()
    session.save()
    session.calls.set(calls)
    audit_log(tenant=tenant, actor=user, action="reviews.session.created", target=session,
              data={"date": str(date), "calls": [c.pk for c in calls]})
    return session


def _open_session(session) -> CommitteeSession:
    locked = CommitteeSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if locked.is_closed:
        raise ReviewError(_("La séance est close : ses décisions sont figées."), code="closed")
    return locked


@transaction.atomic
def session_update(*, user, session, title: str, date, calls, quorum: int,
                   quorum_each_funder: bool) -> CommitteeSession:
    """Change an open session's title, date, calls or quorum. A call whose dossiers are
    already on the agenda stays (take them off the agenda first)."""
    _require(user, "reviews.manage_sessions", session.tenant)
    locked = _open_session(session)
    calls = list(calls)
    if not calls:
        raise ReviewError({"calls": _("Choisissez au moins un appel examiné.")})
    if any(c.tenant_id != locked.tenant_id for c in calls):
        raise PermissionDenied("reviews.manage_sessions")
    kept = {c.pk for c in calls}
    on_agenda = (Call.objects.filter(dossiers__agenda_item__session=locked)
                 .exclude(pk__in=kept).distinct().order_by("title"))
    if on_agenda:
        raise ReviewError({"calls": _("Des dossiers de « %(call)s » sont à l'ordre du jour : "
                                      "cet appel ne peut pas être retiré de la séance.")
                           % {"call": on_agenda[0].title}})
    before = {"title": locked.title, "date": str(locked.date), "quorum": locked.quorum,
              "quorum_each_funder": locked.quorum_each_funder,
              "calls": sorted(locked.calls.values_list("pk", flat=True))}
    locked.title, locked.date, locked.quorum = title.strip(), date, quorum
    locked.quorum_each_funder = quorum_each_funder
    locked.full_clean()
    locked.save()
    locked.calls.set(calls)
    after = {"title": locked.title, "date": str(date), "quorum": quorum,
             "quorum_each_funder": quorum_each_funder, "calls": sorted(kept)}
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.updated", target=locked,
              data={k: {"from": before[k], "to": after[k]} for k in after
                    if before[k] != after[k]})
    return locked


@transaction.atomic
def session_member_remove(*, user, session, member: CommitteeMember) -> None:
    """Take a member off an open session (their recorded presence goes with them)."""
    _require(user, "reviews.manage_sessions", session.tenant)
    _open_session(session)
    if member.session_id != session.pk:
        raise PermissionDenied("reviews.manage_sessions")
    member_user_id, funder = member.user_id, member.funder
    member.delete()
    audit_log(tenant=session.tenant, actor=user, action="reviews.session.member_removed",
              target=session, data={"user": member_user_id, "funder": funder})


@transaction.atomic
def member_funders(tenant, user) -> set[str]:
    """The funders `user` belongs to in `tenant` (their committee or admin memberships'
    organisations): the funders they may represent in a session."""
    return set(Membership.objects.filter(
        tenant=tenant, user=user, role__in=[Role.COMMITTEE, Role.ADMIN],
        organization__kind__in=Funder.values).values_list("organization__kind", flat=True))


@transaction.atomic
def session_member_add(*, user, session, member, funder: str,
                       override: str = "") -> CommitteeMember:
    """Seat `member` for `funder`. A member represents their own funder (the organisation of
    their membership), so that « each funder represented » is true; seating them for another
    needs a written justification (``override``), kept in the history."""
    _require(user, "reviews.manage_sessions", session.tenant)
    _open_session(session)
    if funder not in Funder.values:
        raise ReviewError({"funder": _("Financeur inconnu.")})
    if not Membership.objects.filter(tenant=session.tenant, user=member,
                                     role__in=[Role.COMMITTEE, Role.ADMIN]).exists():
        raise ReviewError(_("%(user)s n'est pas membre du comité de ce contrat.") % {"user": member})
    own = member_funders(session.tenant, member)
    override = (override or "").strip()
    if funder not in own and not override:
        labels = ", ".join(sorted(str(Funder(f).label) for f in own)) or _("aucun financeur")
        raise ReviewError({"funder": _(
            "%(user)s ne peut siéger que pour son financeur (%(own)s), pas pour : %(funder)s. "
            "Pour une délégation, justifiez-la.") % {"user": member, "own": labels,
                                                     "funder": Funder(funder).label}},
            code="foreign_funder")
    row, created = CommitteeMember.objects.get_or_create(session=session, user=member,
                                                         defaults={"funder": funder})
    if not created:
        raise ReviewError(_("%(user)s est déjà membre de cette séance.") % {"user": member})
    data = {"user": member.pk, "funder": funder}
    if funder not in own:
        data.update(own_funders=sorted(own), override=override[:500])
    audit_log(tenant=session.tenant, actor=user, action="reviews.session.member_added",
              target=session, data=data)
    if funder not in own:
        audit_log(tenant=session.tenant, actor=user,
                  action="reviews.session.member_seated_for_another_funder", target=session,
                  data=data)
    return row


@transaction.atomic
def session_presence_set(*, user, session, present_ids) -> None:
    _require(user, "reviews.manage_sessions", session.tenant)
    _open_session(session)
    present_ids = {int(i) for i in present_ids}
    members = list(CommitteeMember.objects.filter(session=session))
    for m in members:
        m.present = m.pk in present_ids
    CommitteeMember.objects.bulk_update(members, ["present"])
    audit_log(tenant=session.tenant, actor=user, action="reviews.session.presence_recorded",
              target=session, data={"present": sorted(m.user_id for m in members if m.present)})


@transaction.atomic
def agenda_build(*, user, session) -> int:
    """Append to the agenda, in rank order per call and category (best mean first), the
    dossiers of the session's calls that are in review or eligible and not yet on an agenda;
    they move to « en comité ». Returns how many were added."""
    _require(user, "reviews.manage_sessions", session.tenant)
    locked = _open_session(session)
    dossiers = list(Dossier.objects.filter(
        tenant=session.tenant, call__in=locked.calls.all(),
        status__in=[DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW],
        agenda_item__isnull=True).select_related("review_summary")
        .select_for_update(of=("self",)))

    def mean(d):
        summary = getattr(d, "review_summary", None)
        return summary.mean if summary else None

    ranks = rank([(d.pk, (d.call_id, d.category_id), mean(d)) for d in dossiers])
    dossiers.sort(key=lambda d: (d.call_id, d.category_id or 0, ranks.get(d.pk, 10**6),
                                 d.reference))
    start = (AgendaItem.objects.filter(session=locked).aggregate(m=Max("position"))["m"] or 0)
    AgendaItem.objects.bulk_create([AgendaItem(session=locked, dossier=d, position=start + i)
                                    for i, d in enumerate(dossiers, start=1)])
    dossiers_transition(dossiers=dossiers, to=DossierStatus.IN_COMMITTEE, user=user,
                        data={"session": locked.pk})
    audit_log(tenant=session.tenant, actor=user, action="reviews.session.agenda_built",
              target=session, data={"added": [d.pk for d in dossiers]})
    return len(dossiers)


AGENDA_READY = (DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW)


@transaction.atomic
def agenda_add(*, user, session, dossier) -> AgendaItem:
    """Put one dossier at the end of an open session's agenda (the single action behind
    « inscrire à l'ordre du jour » for a selection); it moves to « en comité »."""
    _require(user, "reviews.manage_sessions", session.tenant)
    locked_session = _open_session(session)
    locked = _locked_dossier(dossier)
    if locked.tenant_id != locked_session.tenant_id:
        raise PermissionDenied("reviews.manage_sessions")
    if AgendaItem.objects.filter(dossier=locked).exists():
        raise ReviewError(_("Ce dossier est déjà à l'ordre du jour d'un comité."))
    if locked.status not in AGENDA_READY:
        raise ReviewError(_("Seul un dossier recevable ou en instruction peut être inscrit à "
                            "l'ordre du jour (état actuel : %(state)s).")
                          % {"state": locked.get_status_display()})
    if not locked_session.calls.filter(pk=locked.call_id).exists():
        raise ReviewError(_("Cette séance n'examine pas l'appel « %(call)s ».")
                          % {"call": locked.call.title})
    position = (AgendaItem.objects.filter(session=locked_session)
                .aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem.objects.create(session=locked_session, dossier=locked, position=position)
    dossier_transition(dossier=locked, to=DossierStatus.IN_COMMITTEE, user=user,
                       data={"session": locked_session.pk, "position": position})
    sync_instance(dossier, locked)
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.agenda_added",
              target=locked_session, data={"dossier": locked.pk, "position": position})
    return item


@transaction.atomic
def agenda_move(*, user, session, item: AgendaItem, direction: str) -> None:
    """Move an agenda item one place up or down (positions renumbered 1…n)."""
    _require(user, "reviews.manage_sessions", session.tenant)
    locked = _open_session(session)
    items = list(AgendaItem.objects.filter(session=locked).select_for_update(of=("self",)))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, it in enumerate(items, start=1):
        it.position = position
    AgendaItem.objects.bulk_update(items, ["position"])
    audit_log(tenant=session.tenant, actor=user, action="reviews.session.agenda_reordered",
              target=session, data={"order": [it.dossier_id for it in items]})


def quorum_problems(session, members, dossier, recused_ids) -> list[str]:
    present = [m for m in members if m.present and m.user_id not in recused_ids]
    problems = []
    if len(present) < session.quorum:
        problems.append(_("Quorum non atteint : %(n)s membre(s) présent(s) et non déporté(s), "
                          "%(q)s requis.") % {"n": len(present), "q": session.quorum})
    if session.quorum_each_funder:
        represented = {m.funder for m in present}
        missing = [str(Funder(f).label) for f in (dossier.call.funders or [])
                   if f not in represented]
        if missing:
            problems.append(_("Financeur(s) non représenté(s) : %(f)s.") % {"f": ", ".join(missing)})
    return problems


@transaction.atomic
def decision_record(*, user, session, dossier, outcome: str, shares: dict | None = None,
                    conditions: str = "", motivation: str = "", envelope_override: str = "",
                    version: int = 0, now: datetime | None = None) -> Decision:
    """Record (or, while the session is open, change) the decision on an agenda dossier.
    ``version``: the decision's version the form was loaded with (0: none yet); another
    member saving in between makes this call fail with StaleError, so no update is lost."""
    now = now or timezone.now()
    item = AgendaItem.objects.filter(session=session, dossier=dossier).select_related(
        "session__tenant", "dossier").first()
    if item is None:
        raise ReviewError(_("Ce dossier n'est pas à l'ordre du jour de cette séance."))
    if item.dossier_id not in conflicted_dossier_ids_for(user, session.tenant, [item.dossier_id],
                                                         cached=False):  # told why, below
        # Members of this session, present and not recused on the dossier, or the admin.
        _require(user, "reviews.decide_agenda_dossier", item)
    # Envelope checks read the sums of every decision of the contract: grants are serialised
    # per tenant (the tenant row is locked), so two sessions cannot overrun it together.
    from portal.models import Tenant

    Tenant.objects.select_for_update().filter(pk=session.tenant_id).first()
    locked_session = _open_session(session)
    locked = _locked_dossier(dossier)
    if not AgendaItem.objects.filter(session=locked_session, dossier=locked).exists():
        raise ReviewError(_("Ce dossier n'est pas à l'ordre du jour de cette séance."))
    if locked.pk in conflicted_dossier_ids_for(user, locked.tenant, [locked.pk], cached=False):
        raise ReviewError(_("Vous êtes en conflit d'intérêts sur ce dossier : un autre membre "
                            "enregistre la décision."), code="conflict")
    target = DECISION_STATES.get(outcome)
    if target is not None and locked.status != target and not can_move(locked.status, target):
        raise ReviewError(_("Ce dossier n'est plus en comité (état : %(state)s).")
                          % {"state": locked.get_status_display()})
    existing = Decision.objects.select_for_update(of=("self",)).filter(dossier=locked).first()
    if (existing.version if existing else 0) != int(version):
        who = existing.decided_by if existing else None
        raise StaleError(_("La décision sur ce dossier vient d'être enregistrée ou modifiée par "
                           "%(who)s : rechargez la page pour la voir avant de la changer.")
                         % {"who": who or _("un autre membre")}, code="stale")
    # recusals: members with a declared link are recorded as recused
    members = list(CommitteeMember.objects.filter(session=locked_session).select_related("user"))
    recused = set(recused_by_dossier(locked_session, [locked.pk], members)[locked.pk])
    problems = quorum_problems(locked_session, members, locked, recused)
    if problems:
        raise ReviewError(problems, code="quorum")
    errors: dict = {}
    clean_shares: dict[str, Decimal] = {}
    amount = None
    advance_pct = advance = None
    if outcome == DecisionOutcome.GRANTED:
        for funder, value in (shares or {}).items():
            value = _amount(value, field=f"share_{funder}",
                            label=_("Montant versé par : %(f)s (€)") % {"f": Funder(funder).label}
                            if funder in Funder.values else None)
            if value:
                if funder not in (locked.call.funders or []):
                    errors[f"share_{funder}"] = _("Ce financeur ne participe pas à cet appel.")
                clean_shares[funder] = value
        amount = money(sum(clean_shares.values(), Decimal(0)))
        rules = dossier_rules(locked)
        if amount <= 0:
            errors["__all__"] = _("Indiquez le montant accordé et le ou les financeurs qui le "
                                  "versent.")
        elif rules.get("amount_max") is not None and amount > rules["amount_max"]:
            errors["__all__"] = (
                _("Le montant accordé (%(a)s) dépasse le maximum de la catégorie (%(m)s).")
                if locked.category_id else
                _("Le montant accordé (%(a)s) dépasse le maximum de l'appel (%(m)s).")) % {
                "a": format_money(amount), "m": format_money(rules["amount_max"])}
        elif locked.requested_amount is not None and amount > locked.requested_amount:
            errors["__all__"] = _("Le montant accordé dépasse le montant demandé (%(r)s).") % {
                "r": format_money(locked.requested_amount)}
        advance_pct = rules.get("advance_percentage")
        advance, _balance = advance_and_balance(amount, advance_pct)
        if not errors:
            granted_before = existing is not None and existing.outcome == DecisionOutcome.GRANTED
            previous = existing.amount if granted_before else Decimal(0)
            lines = envelope_lines(locked.tenant, [locked.call])
            over = overruns(lines, amount - (previous or Decimal(0)))
            # Each funder's own envelope (per call, per contract): the change of its share.
            before = ({s.funder: s.amount for s in existing.shares.all()} if granted_before
                      else {})
            deltas = {f: clean_shares.get(f, Decimal(0)) - before.get(f, Decimal(0))
                      for f in set(clean_shares) | set(before)}
            funder_over = funder_overruns(funder_envelope_lines(
                locked.tenant, [locked.call], proposed=deltas, proposed_call_id=locked.call_id))
            over = [*over, *funder_over]
            if over and not envelope_override.strip():
                errors["envelope_override"] = _(
                    "Cette aide dépasserait l'enveloppe : %(lines)s. Pour passer outre, "
                    "justifiez le dépassement.") % {"lines": "; ".join(
                        _("%(label)s (reste %(rest)s)") % {"label": l.label,
                                                           "rest": format_money(l.remaining)}
                        for l in over)}
            if not over:
                envelope_override = ""
    elif outcome == DecisionOutcome.REJECTED:
        if not motivation.strip():
            errors["motivation"] = _("Motivez le refus : la motivation est obligatoire.")
        envelope_override = ""
    else:
        errors["outcome"] = _("Choisissez : aide accordée ou refusée.")
    if errors:
        raise ReviewError(errors)
    decision = existing or Decision(session=locked_session, dossier=locked, version=0)
    decision.session = locked_session
    decision.outcome = outcome
    decision.amount = amount
    decision.advance_percentage = advance_pct if outcome == DecisionOutcome.GRANTED else None
    decision.advance_amount = advance if outcome == DecisionOutcome.GRANTED else None
    decision.conditions = conditions.strip() if outcome == DecisionOutcome.GRANTED else ""
    decision.motivation = motivation.strip()
    decision.envelope_override = envelope_override.strip()
    decision.decided_by = user
    decision.decided_at = now
    decision.version += 1
    decision.save()
    DecisionShare.objects.filter(decision=decision).delete()
    DecisionShare.objects.bulk_create([DecisionShare(decision=decision, funder=f, amount=a)
                                       for f, a in sorted(clean_shares.items())])
    for m in members:
        if m.user_id in recused:
            Recusal.objects.get_or_create(session=locked_session, dossier=locked, user=m.user,
                                          defaults={"reason": _("Lien d'intérêts déclaré")})
    data = {"decision": decision.pk, "outcome": outcome, "version": decision.version,
            "amount": str(amount) if amount is not None else None,
            "shares": {f: str(a) for f, a in clean_shares.items()},
            "recused": sorted(recused)}
    if locked.status != target:  # recorded, or changed to the other outcome
        dossier_transition(dossier=locked, to=target, user=user, now=now,
                           data=data)
    else:  # the same outcome, other terms (amount, shares, conditions)
        audit_log(tenant=locked.tenant, actor=user, action="reviews.decision.changed",
                  target=locked, data=data)
    sync_instance(dossier, locked)
    if locked_session.proposal.get("dossier") == locked.pk:
        locked_session.proposal = {}
        locked_session.save(update_fields=["proposal"])
    _bump(locked_session)
    if decision.envelope_override:
        audit_log(tenant=locked.tenant, actor=user, action="reviews.envelope.overridden",
                  target=locked, data={"decision": decision.pk, "amount": str(amount),
                                       "justification": decision.envelope_override})
    return decision


@transaction.atomic
def recusal_declare(*, user, session, dossier, reason: str = "") -> Recusal:
    """A member of the session steps out of the deliberation on one agenda dossier: they no
    longer count for its quorum and the minutes name them."""
    locked = _open_session(session)
    if not CommitteeMember.objects.filter(session=locked, user=user).exists():
        raise PermissionDenied("reviews.decide")
    if not AgendaItem.objects.filter(session=locked, dossier=dossier).exists():
        raise PermissionDenied("reviews.decide")
    recusal, created = Recusal.objects.get_or_create(
        session=locked, dossier=dossier, user=user,
        defaults={"reason": (reason or "").strip()[:300] or _("Déport volontaire")})
    if not created:
        raise ReviewError(_("Vous êtes déjà déporté·e sur ce dossier."), code="already")
    audit_log(tenant=locked.tenant, actor=user, action="reviews.recusal.declared",
              target=dossier, data={"session": locked.pk, "reason": recusal.reason})
    return recusal


@transaction.atomic
def session_close(*, user, session, now: datetime | None = None,
                  early_reason: str = "") -> CommitteeSession:
    """Freeze the session: every agenda dossier must have a decision. A session dated after
    today (Paris) is closed early only with a written reason, audited. The minutes (PDF) and
    the decision letters are produced and the applicants notified after commit, through the
    outbox."""
    from portal.formatting import to_paris

    now = now or timezone.now()
    _require(user, "reviews.manage_sessions", session.tenant)
    locked = _open_session(session)
    early_reason = (early_reason or "").strip()
    early = locked.date > to_paris(now).date()
    if early and not early_reason:
        raise ReviewError({"early_reason": _(
            "La séance est datée du %(date)s : pour la clore avant cette date, indiquez "
            "pourquoi (le motif est conservé dans l'historique).")
            % {"date": format_date_fr(locked.date)}}, code="early")
    undecided = list(AgendaItem.objects.filter(session=locked, dossier__decision__isnull=True)
                     .values_list("dossier__reference", flat=True))
    if undecided:
        raise ReviewError(_("Des dossiers n'ont pas encore de décision : %(refs)s.")
                          % {"refs": ", ".join(undecided)})
    _set_status(locked, SessionStatus.CLOSED)
    locked.closed_at = now
    locked.closed_by = user
    locked.version += 1
    locked.current_item = None
    locked.proposal = {}
    locked.save(update_fields=["status", "closed_at", "closed_by", "version", "current_item",
                               "proposal"])
    _bump(locked)
    session.status, session.closed_at = locked.status, locked.closed_at
    decisions = list(Decision.objects.filter(session=locked).values_list("pk", flat=True))
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.closed", target=locked,
              data={"decisions": decisions})
    if early:
        audit_log(tenant=locked.tenant, actor=user, action="reviews.session.closed_early",
                  target=locked, data={"session_date": locked.date, "reason": early_reason})
    # The apps above start what follows a published decision (awards: the payment schedule),
    # in this transaction.
    session_closed.send(sender=CommitteeSession, session=locked, decision_ids=decisions, now=now)
    enqueue("reviews.session_minutes", session_id=locked.pk)
    for decision_id in decisions:
        enqueue("reviews.decision_letter", decision_id=decision_id)
        enqueue("reviews.decision_notify", decision_id=decision_id)
    return locked


# --- The live meeting (« en séance ») ----------------------------------------------------------

def _bump(session) -> None:
    """Tell the members' screens that something they follow changed (they poll the version)."""
    from django.db.models import F

    CommitteeSession.objects.filter(pk=session.pk).update(live_version=F("live_version") + 1)


def _require_chair(user, session) -> None:
    if not user.has_perm("reviews.chair_session", session):
        raise PermissionDenied("reviews.chair_session")


def _set_status(locked, target) -> None:
    from .workflow import session_can_move

    if not session_can_move(locked.status, target):
        raise ReviewError(_("La séance ne peut pas passer de « %(from)s » à « %(to)s ».")
                          % {"from": locked.get_status_display(),
                             "to": SessionStatus(target).label}, code="state")
    locked.status = target


@transaction.atomic
def session_conduct_set(*, user, session, chair=None, votes_enabled: bool = False) -> CommitteeSession:
    """Designate the member who chairs the meeting (or none: the tenant admin chairs) and
    whether members vote by name on each dossier."""
    _require(user, "reviews.manage_sessions", session.tenant)
    locked = _open_session(session)
    if chair is not None and not CommitteeMember.objects.filter(session=locked,
                                                                user=chair).exists():
        raise ReviewError({"chair": _("La présidence revient à un membre de la séance.")})
    locked.chair = chair
    locked.votes_enabled = bool(votes_enabled)
    locked.save(update_fields=["chair", "votes_enabled"])
    _bump(locked)
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.conduct_set",
              target=locked, data={"chair": chair.pk if chair else None,
                                   "chair_name": str(chair) if chair else "",
                                   "votes_enabled": locked.votes_enabled})
    return locked


def session_quorum_problems(session, members) -> list[str]:
    """The quorum of the meeting as a whole (dossier by dossier, recusals are counted by
    `quorum_problems`): enough members present, each funder of the calls represented."""
    present = [m for m in members if m.present]
    problems = []
    if len(present) < session.quorum:
        problems.append(_("Quorum non atteint : %(n)s membre(s) présent(s), %(q)s requis.")
                        % {"n": len(present), "q": session.quorum})
    if session.quorum_each_funder:
        funders = {f for c in session.calls.all() for f in (c.funders or [])}
        missing = sorted(str(Funder(f).label) for f in funders
                         if f not in {m.funder for m in present})
        if missing:
            problems.append(_("Financeur(s) non représenté(s) : %(f)s.")
                            % {"f": ", ".join(missing)})
    return problems


@transaction.atomic
def session_open(*, user, session, now: datetime | None = None) -> CommitteeSession:
    """The session sits: « en séance ». The presence taken at the start must meet the
    quorum; the members present are recorded as arrived at the opening time; the meeting
    starts on the first agenda dossier without a decision."""
    from .models import PresenceEvent

    now = now or timezone.now()
    _require_chair(user, session)
    locked = _open_session(session)
    members = list(CommitteeMember.objects.filter(session=locked))
    items = list(AgendaItem.objects.filter(session=locked).select_related("dossier__decision")
                 .order_by("position", "pk"))
    if not items:
        raise ReviewError(_("L'ordre du jour est vide : ajoutez des dossiers avant d'ouvrir la "
                            "séance."), code="empty")
    problems = session_quorum_problems(locked, members)
    if problems:
        raise ReviewError(problems, code="quorum")
    _set_status(locked, SessionStatus.IN_SESSION)
    locked.opened_at = locked.opened_at or now
    undecided = [it for it in items if getattr(it.dossier, "decision", None) is None]
    locked.current_item = (undecided or items)[0]
    locked.proposal = {}
    locked.save(update_fields=["status", "opened_at", "current_item", "proposal"])
    PresenceEvent.objects.bulk_create([
        PresenceEvent(session=locked, user_id=m.user_id, funder=m.funder,
                      kind=PresenceKind.ARRIVED, at=now, recorded_by=user)
        for m in members if m.present])
    _bump(locked)
    session.status = locked.status
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.opened", target=locked,
              data={"present": sorted(m.user_id for m in members if m.present)})
    return locked


@transaction.atomic
def session_suspend(*, user, session) -> CommitteeSession:
    """Back to « en préparation » (the meeting is adjourned; decisions already taken stay)."""
    _require_chair(user, session)
    locked = _open_session(session)
    _set_status(locked, SessionStatus.PLANNED)
    locked.proposal = {}
    locked.save(update_fields=["status", "proposal"])
    _bump(locked)
    session.status = locked.status
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.suspended",
              target=locked, data={})
    return locked


def _sitting(session) -> CommitteeSession:
    locked = _open_session(session)
    if not locked.is_sitting:
        raise ReviewError(_("La séance n'est pas ouverte : ouvrez-la pour conduire la réunion."),
                          code="not_sitting")
    return locked


@transaction.atomic
def meeting_move(*, user, session, item: AgendaItem) -> CommitteeSession:
    """The chair brings the committee to another agenda dossier; every screen follows."""
    _require_chair(user, session)
    locked = _sitting(session)
    if item.session_id != locked.pk:
        raise PermissionDenied("reviews.chair_session")
    locked.current_item = item
    locked.proposal = {}
    locked.save(update_fields=["current_item", "proposal"])
    _bump(locked)
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.current_set",
              target=locked, data={"dossier": item.dossier_id, "position": item.position})
    return locked


@transaction.atomic
def meeting_propose(*, user, session, shares: dict) -> CommitteeSession:
    """The chair puts a split between the funders before the committee for the current
    dossier: every screen shows it, and the envelopes as they would be after it."""
    _require_chair(user, session)
    locked = _sitting(session)
    if locked.current_item_id is None:
        raise ReviewError(_("Aucun dossier en cours d'examen."))
    item = AgendaItem.objects.select_related("dossier__call").get(pk=locked.current_item_id)
    funders = item.dossier.call.funders or []
    errors, clean = {}, {}
    for funder, value in (shares or {}).items():
        label = (_("Montant versé par : %(f)s (€)") % {"f": Funder(funder).label}
                 if funder in Funder.values else None)
        try:
            amount = _amount(value, field=f"share_{funder}", label=label)
        except ReviewError as exc:
            errors.update(exc.message_dict)
            continue
        if amount:
            if funder not in funders:
                errors[f"share_{funder}"] = _("Ce financeur ne participe pas à cet appel.")
            clean[funder] = amount
    if errors:
        raise ReviewError(errors)
    locked.proposal = {"dossier": item.dossier_id,
                       "shares": {f: str(a) for f, a in sorted(clean.items())}}
    locked.save(update_fields=["proposal"])
    _bump(locked)
    audit_log(tenant=locked.tenant, actor=user, action="reviews.session.split_proposed",
              target=item.dossier, data={"session": locked.pk, "shares": locked.proposal["shares"],
                                         "amount": str(sum(clean.values(), Decimal(0)))})
    return locked


@transaction.atomic
def member_presence_change(*, user, session, member: CommitteeMember, present: bool,
                           now: datetime | None = None) -> list[str]:
    """A member arrives or leaves during the meeting: recorded with its time, audited; the
    quorum is checked again. Returns the quorum problems after the change (empty: met)."""
    from .models import PresenceEvent

    now = now or timezone.now()
    _require_chair(user, session)
    locked = _sitting(session)
    member = CommitteeMember.objects.select_for_update(of=("self",)).get(pk=member.pk,
                                                                         session=locked)
    if member.present == bool(present):
        raise ReviewError(_("%(user)s est déjà %(state)s.") % {
            "user": member.user, "state": _("présent·e") if present else _("absent·e")})
    member.present = bool(present)
    member.save(update_fields=["present"])
    kind = PresenceKind.ARRIVED if present else PresenceKind.LEFT
    PresenceEvent.objects.create(session=locked, user_id=member.user_id, funder=member.funder,
                                 kind=kind, at=now, recorded_by=user)
    _bump(locked)
    members = list(CommitteeMember.objects.filter(session=locked))
    problems = session_quorum_problems(locked, members)
    audit_log(tenant=locked.tenant, actor=user,
              action="reviews.session.member_arrived" if present else "reviews.session.member_left",
              target=locked, data={"user": member.user_id, "name": str(member.user),
                                   "funder": member.funder, "quorum_met": not problems})
    return problems


@transaction.atomic
def vote_cast(*, user, session, dossier, choice: str, now: datetime | None = None):
    """A present, non-recused member votes pour / contre / abstention on an agenda dossier
    (where the session asks for votes); voting again replaces the vote."""
    from .models import Vote

    now = now or timezone.now()
    locked = _sitting(session)
    if not locked.votes_enabled:
        raise ReviewError(_("Cette séance ne procède pas à des votes nominatifs."))
    item = AgendaItem.objects.select_related("session__tenant", "dossier").filter(
        session=locked, dossier=dossier).first()
    if item is None or not user.has_perm("reviews.vote_agenda_dossier", item):
        raise PermissionDenied("reviews.vote_agenda_dossier")
    if choice not in VoteChoice.values:
        raise ReviewError({"choice": _("Choisissez : pour, contre ou abstention.")})
    vote, _created = Vote.objects.update_or_create(session=locked, dossier=dossier, user=user,
                                                   defaults={"choice": choice, "cast_at": now})
    _bump(locked)
    audit_log(tenant=locked.tenant, actor=user, action="reviews.vote.cast", target=dossier,
              data={"session": locked.pk, "choice": choice})
    return vote


@transaction.atomic
def funder_envelope_set(*, user, tenant, funder: str, amount, call=None):
    """Set (or, with an empty amount, remove) one funder's envelope for a call or, without
    a call, for the whole contract."""
    from .models import FunderEnvelope

    _require(user, "reviews.manage_sessions", tenant)
    if funder not in Funder.values:
        raise ReviewError({"funder": _("Financeur inconnu.")})
    if call is not None and call.tenant_id != tenant.pk:
        raise PermissionDenied("reviews.manage_sessions")
    if call is not None and funder not in (call.funders or []):
        raise ReviewError({"funder": _("%(f)s ne finance pas l'appel « %(call)s ».")
                           % {"f": Funder(funder).label, "call": call.title}})
    value = _amount(amount, field="amount", label=_("Enveloppe (€)"))
    if value is None:
        FunderEnvelope.objects.filter(tenant=tenant, call=call, funder=funder).delete()
        row = None
    else:
        row, _created = FunderEnvelope.objects.update_or_create(
            tenant=tenant, call=call, funder=funder, defaults={"amount": value})
    audit_log(tenant=tenant, actor=user, action="reviews.envelope.funder_set", target=call,
              data={"funder": funder, "call": call.pk if call else None,
                    "call_title": call.title if call else "",
                    "amount": str(value) if value is not None else None})
    return row


# --- Dashboard: saved views -------------------------------------------------------------------

@transaction.atomic
def saved_view_create(*, user, tenant, name: str, query: str) -> "SavedView":
    """Save the officer's current dashboard view under a name (the same name replaces it)."""
    from .models import SavedView

    _require(user, "reviews.view_dashboard", tenant)
    name = " ".join((name or "").split())
    if not name:
        raise ReviewError({"name": _("Donnez un nom à la vue.")})
    if len(name) > 80:
        raise ReviewError({"name": _("80 caractères au plus (%(n)s saisis).") % {"n": len(name)}})
    if len(query) > 2000:
        raise ReviewError({"name": _("Cette vue a trop de filtres pour être enregistrée.")})
    view, created = SavedView.objects.update_or_create(
        tenant=tenant, owner=user, name=name, defaults={"query": query})
    audit_log(tenant=tenant, actor=user, action="reviews.saved_view.saved", target=view,
              data={"name": name, "query": query, "replaced": not created})
    return view


@transaction.atomic
def saved_view_delete(*, user, view) -> None:
    if view.owner_id != user.pk:
        raise PermissionDenied("reviews.view_dashboard")
    audit_log(tenant=view.tenant, actor=user, action="reviews.saved_view.deleted", target=view,
              data={"name": view.name})
    view.delete()


__all__ = [name for name in dir() if name.endswith(("_add", "_remove", "_auto", "_save",
                                                    "_create", "_record", "_close",
                                                    "_confirm", "_declare", "_withdraw",
                                                    "_refresh", "_move", "_build", "_set"))]
