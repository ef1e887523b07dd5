"""Writes of the mentoring scheme: one function per business action, audited, notified."""

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Structure
from portal.audit import audit_log
from portal.outbox import enqueue

from . import matchmaker as mm
from .enums import (ACTIVE_ENGAGEMENT_STATES, AssignmentRunState, DEFAULT_THEMES, ENGAGEMENT_TRANSITIONS,
                    FORMAT_DAY_LIMITS, REDIRECT_OUTCOMES, DiagnosisOutcome, EngagementState, FeedbackSide, NeedState, ProposalSource,
                    ProposalStatus)
from .explain import breakdown_json, exclusion_text, fmt_days
from .models import (AssignmentRun, Diagnosis, Engagement, EngagementSession, Feedback,
                     MatchingWeights, MatchProposal, NeedRequest, ResourcePerson, ResourceTheme,
                     Theme)
from . import selectors


logger = logging.getLogger(__name__)


class MentoringError(ValidationError):
    """A business rule of the mentoring scheme refused the action (shown as is)."""


#: Filters a pilot may override with a written justification (never structure, conflict,
#: capacity or an inactive resource).
OVERRIDABLE_FILTERS = (mm.NO_THEME, mm.AVAILABILITY)


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _notify(need: NeedRequest, event: str, occasion) -> None:
    """Tell the beneficiary; `occasion` (the audit event of the change) keys the message in the
    ledger, so that a diagnosis made again is told again, a retried task never twice."""
    enqueue("mentoring.need_notification", need_id=need.pk, event=event, key=str(occasion.pk))


def _recompute_later(tenant) -> None:
    enqueue("mentoring.assignment_recompute", tenant_id=tenant.pk)


def _convention_later(engagement: Engagement) -> None:
    """Store the convention again (the task renders only if what it shows changed)."""
    enqueue("mentoring.convention", engagement_id=engagement.pk)


# --- Themes and weights -------------------------------------------------------------------

@transaction.atomic
def theme_save(*, tenant, user, label: str, position: int = 0, active: bool = True,
               theme: Theme | None = None) -> Theme:
    _require(user, "mentoring.configure", tenant)
    created = theme is None
    theme = theme or Theme(tenant=tenant)
    theme.label, theme.position, theme.active = label.strip(), position, active
    theme.full_clean()
    theme.save()
    audit_log(tenant=tenant, actor=user, target=theme,
              action="mentoring.theme.created" if created else "mentoring.theme.updated",
              data={"label": theme.label, "position": position, "active": active})
    return theme


@transaction.atomic
def themes_seed_defaults(*, tenant, user=None) -> list[Theme]:
    """Create the five themes of the scheme (idempotent)."""
    out = []
    for position, label in enumerate(DEFAULT_THEMES, start=1):
        theme, created = Theme.objects.get_or_create(
            tenant=tenant, label=str(label), defaults={"position": position})
        if created:
            audit_log(tenant=tenant, actor=user, action="mentoring.theme.created", target=theme,
                      data={"label": theme.label, "position": position, "active": True})
        out.append(theme)
    return out


@transaction.atomic
def weights_update(*, tenant, user, **weights) -> MatchingWeights:
    _require(user, "mentoring.configure", tenant)
    row, _created = MatchingWeights.objects.get_or_create(tenant=tenant)
    for key in MatchingWeights.FACTORS:
        setattr(row, key, int(weights[key]))
    row.full_clean()
    row.save()
    audit_log(tenant=tenant, actor=user, action="mentoring.weights.updated", target=row,
              data={k: getattr(row, k) for k in MatchingWeights.FACTORS})
    _recompute_later(tenant)
    return row


# --- Needs --------------------------------------------------------------------------------

@transaction.atomic
def need_submit(*, tenant, user, structure: Structure, themes, description: str,
                **fields) -> NeedRequest:
    """The beneficiary's questionnaire. Refused without theme or description."""
    _require(user, "mentoring.submit_need", tenant)
    if not user.has_perm("applications.view_structure", structure):
        raise MentoringError({"structure": _("Vous n'agissez pas pour cette structure.")})
    themes = list(themes or [])
    errors = {}
    if not themes:
        errors["themes"] = _("Choisissez au moins une thématique.")
    elif any(t.tenant_id != tenant.pk or not t.active for t in themes):
        errors["themes"] = _("Thématique inconnue pour ce dispositif.")
    if not (description or "").strip():
        errors["description"] = _("Décrivez votre besoin.")
    if errors:
        raise MentoringError(errors)
    need = NeedRequest(tenant=tenant, structure=structure, submitted_by=user,
                       description=description.replace("\r\n", "\n").strip(),
                       state=NeedState.SUBMITTED, **fields)
    need.full_clean()
    need.save()
    need.themes.set(themes)
    occasion = audit_log(
        tenant=tenant, actor=user, action="mentoring.need.submitted", target=need,
        data={"structure": structure.pk, "themes": sorted(t.pk for t in themes),
              "hoped_format": need.hoped_format})
    _notify(need, "submitted", occasion)
    return need


@transaction.atomic
def need_diagnose(*, need: NeedRequest, user, outcome: str, comment: str,
                  days: Decimal | None = None, redirect_to: str = "") -> Diagnosis:
    """The pilot's diagnosis: TSF (1–2 days), mentoring (≤ 4 days), or a redirection."""
    tenant = need.tenant
    _require(user, "mentoring.manage", tenant)
    need = NeedRequest.objects.select_for_update(of=("self",)).get(pk=need.pk)
    if need.state not in (NeedState.SUBMITTED, NeedState.QUALIFIED, NeedState.REDIRECTED,
                          NeedState.NOT_ELIGIBLE):
        raise MentoringError(_("Ce besoin a déjà une mise en relation : le diagnostic ne peut "
                                "plus être modifié."))
    errors = {}
    if not (comment or "").strip():
        errors["comment"] = _("Expliquez le diagnostic.")
    if outcome in FORMAT_DAY_LIMITS:
        low, high = FORMAT_DAY_LIMITS[outcome]
        if days is None:
            errors["days"] = _("Indiquez le nombre de jours prévus.")
        elif not (low <= days <= high):
            errors["days"] = _("%(format)s : de %(low)s à %(high)s jours, pas %(days)s.") % {
                "format": DiagnosisOutcome(outcome).label, "low": low, "high": high,
                "days": fmt_days(days)}
        redirect_to = ""
    else:
        days = None
        if outcome in REDIRECT_OUTCOMES and not (redirect_to or "").strip():
            errors["redirect_to"] = _("Indiquez au ou à la bénéficiaire où s'adresser.")
    if errors:
        raise MentoringError(errors)
    diagnosis = Diagnosis.objects.filter(need=need).first() or Diagnosis(need=need)
    diagnosis.outcome, diagnosis.comment = outcome, comment.strip()
    diagnosis.days, diagnosis.redirect_to = days, (redirect_to or "").strip()
    diagnosis.diagnosed_by = user
    diagnosis.full_clean()
    diagnosis.save()
    need.state = (NeedState.QUALIFIED if outcome in FORMAT_DAY_LIMITS
                  else NeedState.REDIRECTED if outcome in REDIRECT_OUTCOMES
                  else NeedState.NOT_ELIGIBLE)
    if need.state != NeedState.QUALIFIED:
        need.proposals.filter(status=ProposalStatus.PROPOSED).update(
            status=ProposalStatus.SUPERSEDED)
    need.save(update_fields=["state", "updated_at"])
    occasion = audit_log(
        tenant=tenant, actor=user, action="mentoring.need.diagnosed", target=need,
        data={"outcome": outcome, "days": str(days) if days is not None else None,
              "state": need.state})
    _notify(need, "diagnosed", occasion)
    _recompute_later(tenant)
    return diagnosis


@transaction.atomic
def need_withdraw(*, need: NeedRequest, user) -> NeedRequest:
    """The beneficiary withdraws a request not yet matched."""
    if not user.has_perm("mentoring.view_need", need) or not \
            user.has_perm("applications.view_structure", need.structure):
        raise PermissionDenied("mentoring.view_need")
    if need.state not in (NeedState.SUBMITTED, NeedState.QUALIFIED):
        raise MentoringError(_("Cette demande ne peut plus être retirée."))
    need.state = NeedState.CANCELLED
    need.save(update_fields=["state", "updated_at"])
    need.proposals.filter(status=ProposalStatus.PROPOSED).update(
        status=ProposalStatus.SUPERSEDED)
    occasion = audit_log(tenant=need.tenant, actor=user, action="mentoring.need.withdrawn",
                         target=need)
    _notify(need, "withdrawn", occasion)
    _recompute_later(need.tenant)
    return need


# --- Resource pool ------------------------------------------------------------------------

@transaction.atomic
def resource_save(*, tenant, user, fields: dict, theme_levels: dict, conflict_structures=(),
                  resource: ResourcePerson | None = None) -> ResourcePerson:
    """Create or update a resource person with their themes (theme → level 1–3)."""
    _require(user, "mentoring.manage", tenant)
    created = resource is None
    resource = resource or ResourcePerson(tenant=tenant)
    for name, value in fields.items():
        setattr(resource, name, value)
    resource.full_clean()
    resource.save()
    levels = {t: int(level) for t, level in theme_levels.items() if level}
    if any(t.tenant_id != tenant.pk for t in levels):
        raise MentoringError(_("Thématique inconnue pour ce dispositif."))
    if any(not 1 <= level <= 3 for level in levels.values()):
        raise MentoringError(_("Le niveau d'une thématique va de 1 à 3."))
    ResourceTheme.objects.filter(resource=resource).exclude(
        theme__in=list(levels)).delete()
    for theme, level in levels.items():
        ResourceTheme.objects.update_or_create(resource=resource, theme=theme,
                                               defaults={"level": level})
    conflicts = list(conflict_structures)
    if resource.structure_id and resource.structure_id in {s.pk for s in conflicts}:
        conflicts = [s for s in conflicts if s.pk != resource.structure_id]
    resource.conflict_structures.set(conflicts)
    audit_log(tenant=tenant, actor=user, target=resource,
              action="mentoring.resource.created" if created else "mentoring.resource.updated",
              data={"name": resource.full_name, "active": resource.active,
                    "themes": {str(t.pk): lv for t, lv in levels.items()},
                    "capacity": resource.max_engagements_per_year,
                    "days": resource.max_days_per_year})
    _recompute_later(tenant)
    return resource


# --- Matchmaker ---------------------------------------------------------------------------

#: A computation still queued or running after this long is taken as lost (its worker died
#: and nothing redelivered it): asking again starts a new one instead of following it.
ASSIGNMENT_RUN_STALE = timedelta(minutes=15)

#: First key of the PostgreSQL advisory lock that serialises a tenant's computations.
_ASSIGNMENT_LOCK = 7_341_001


@transaction.atomic
def assignment_request(*, tenant, user, now: datetime | None = None) -> AssignmentRun:
    """The pilot asks for the global assignment to be computed again: a queued run, computed
    by the `mentoring.assignment_recompute` task after commit (the integer program may take
    seconds; it never runs inside the request). A computation already queued or running is
    followed rather than doubled."""
    _require(user, "mentoring.manage", tenant)
    now = now or timezone.now()
    pending = selectors.pending_assignment_run(tenant, since=now - ASSIGNMENT_RUN_STALE)
    if pending is not None:
        return pending
    run = AssignmentRun.objects.create(tenant=tenant, computed_by=user, created_at=now)
    enqueue("mentoring.assignment_recompute", tenant_id=tenant.pk, run_id=run.pk)
    return run


def assignment_run(*, run_id: int) -> AssignmentRun | None:
    """What the task does with a pilot's request: compute, and record how it went on the run.
    Idempotent: a finished or failed run is left as it is; a run caught running (its worker
    was killed, the task delivered again) is computed again."""
    run = AssignmentRun.objects.select_related("tenant", "computed_by").filter(pk=run_id).first()
    if run is None or not run.is_pending:
        return run
    run.state, run.started_at = AssignmentRunState.RUNNING, timezone.now()
    AssignmentRun.objects.filter(pk=run.pk).update(state=run.state, started_at=run.started_at)
    try:
        assignment_recompute(tenant=run.tenant, user=run.computed_by, run=run)
    except PermissionDenied:
        _assignment_failed(run, _("La personne qui a lancé le calcul n'a plus le droit de "
                                  "piloter le mentorat dans ce contrat."))
    except Exception:  # noqa: BLE001 - whatever broke, the pilot's page must say it stopped
        logger.exception("assignment run %s failed", run.pk)
        _assignment_failed(run, _("Le calcul n'a pas abouti. Relancez-le ; si l'échec se "
                                  "répète, signalez-le à l'équipe technique."))
    run.refresh_from_db()
    return run


def _assignment_failed(run: AssignmentRun, message: str) -> None:
    run.state, run.error, run.finished_at = AssignmentRunState.FAILED, message, timezone.now()
    AssignmentRun.objects.filter(pk=run.pk).update(state=run.state, error=run.error,
                                                   finished_at=run.finished_at)


@transaction.atomic
def assignment_recompute(*, tenant, user=None, run: AssignmentRun | None = None) -> mm.Assignment:
    """Recompute the global assignment of all open needs and store it as proposals
    (replacing the previous, not yet accepted, global proposals), and what it found as `run`
    (a new finished run when none is given). One computation at a time per tenant."""
    if user is not None:
        _require(user, "mentoring.manage", tenant)
    with connection.cursor() as cursor:  # held until commit: a second one waits, then reads ours
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ASSIGNMENT_LOCK, tenant.pk])
    # Proposals the pilot pinned (swapped) stay; their needs are left out and their
    # resources keep the slot and the days they hold.
    pinned = list(MatchProposal.objects.filter(need__tenant=tenant,
                                               status=ProposalStatus.PROPOSED)
                  .exclude(source=ProposalSource.GLOBAL)
                  .values_list("need_id", "resource_id", "need__diagnosis__days"))
    pinned_needs = {need_id for need_id, _r, _d in pinned}
    held: dict[int, list] = {}
    for _n, res_id, days in pinned:
        held.setdefault(res_id, []).append(float(days or 0))
    needs = [n for n in selectors.open_need_facts(tenant) if n.id not in pinned_needs]
    resources = [replace(r, used=r.used + len(held[r.id]),
                         days_used=r.days_used + sum(held[r.id])) if r.id in held else r
                 for r in selectors.resource_facts(tenant)]
    weights = selectors.weights_for(tenant)
    result = mm.assign(needs, resources, weights)
    MatchProposal.objects.filter(need__tenant=tenant, status=ProposalStatus.PROPOSED,
                                 source=ProposalSource.GLOBAL).delete()
    by_need = {n.id: n for n in needs}
    by_res = {r.id: r for r in resources}
    themes = selectors.theme_labels(tenant)
    MatchProposal.objects.bulk_create([
        MatchProposal(need_id=need_id, resource_id=res_id, source=ProposalSource.GLOBAL,
                      score=Decimal(score) / 100,
                      breakdown=breakdown_json(mm.candidate(by_need[need_id], by_res[res_id],
                                                            weights), themes=themes))
        for need_id, (res_id, score) in result.pairs.items()])
    manual = {str(k): {"code": v.code, "reason": exclusion_text(v)}
              for k, v in result.manual.items()}
    now = timezone.now()
    if run is None:
        run = AssignmentRun(
            tenant=tenant, created_at=now, started_at=now,
            computed_by=user if getattr(user, "is_authenticated", False) else None)
    run.needs, run.resources, run.assigned = len(needs), len(resources), len(result.pairs)
    run.total, run.optimal = Decimal(str(result.total)), result.optimal
    run.gap_percent, run.manual = Decimal(str(result.gap_percent)), manual
    run.state, run.finished_at, run.error = AssignmentRunState.FINISHED, now, ""
    run.save()
    audit_log(tenant=tenant, actor=user, action="mentoring.assignment.computed", target=run,
              data={"needs": run.needs, "resources": run.resources, "assigned": run.assigned,
                    "total": str(run.total), "optimal": run.optimal,
                    "gap_percent": str(run.gap_percent)})
    return result


def _check_pair(need: NeedRequest, resource: ResourcePerson, *, allow=()) -> list[mm.Exclusion]:
    """The hard filters for one pair on fresh facts; the ones not in `allow` raise."""
    facts_need = selectors.need_to_facts(
        selectors.need_facts_qs(need.tenant).get(pk=need.pk))
    facts_res = selectors.resource_to_facts(
        selectors.resource_queryset(need.tenant, year=selectors.current_year()).get(
            pk=resource.pk))
    failed = list(mm.exclusions(facts_need, facts_res))
    blocking = [e for e in failed if e.code not in allow]
    if blocking:
        raise MentoringError({"resource": [
            _("%(name)s ne peut pas accompagner ce besoin : %(reason)s.") % {
                "name": resource.full_name, "reason": exclusion_text(e)} for e in blocking]})
    return failed


def _draft_terms(need: NeedRequest, diagnosis: Diagnosis, resource: ResourcePerson) -> str:
    themes = ", ".join(t.label for t in need.themes.all())
    return _(
        "Objet : %(format)s au bénéfice de %(structure)s.\n"
        "Personne accompagnée : %(person)s (%(status)s), %(role)s.\n"
        "Personne-ressource : %(resource)s%(resource_structure)s.\n"
        "Thématiques : %(themes)s.\n"
        "Besoin exprimé : %(description)s\n"
        "Diagnostic de la structure pilote : %(comment)s\n"
        "Durée : %(days)s jour(s), entre le %(start)s et le %(end)s"
        "%(remote)s.\n"
        "Livrables attendus : un point d'étape à mi-parcours et un bilan partagé en fin "
        "d'accompagnement, suivis d'un retour écrit de chaque partie.") % {
        "format": diagnosis.get_outcome_display(), "structure": need.structure.name,
        "person": need.person_name, "status": need.get_person_status_display(),
        "role": need.person_role, "resource": resource.full_name,
        "resource_structure": f" ({resource.structure_label})" if resource.structure_label
        else "",
        "themes": themes, "description": need.description, "comment": diagnosis.comment,
        "days": fmt_days(diagnosis.days),
        "start": need.available_from.strftime("%d/%m/%Y"),
        "end": need.available_until.strftime("%d/%m/%Y"),
        "remote": _(", à distance possible") if need.remote_possible else ""}


def _start_date(need: NeedRequest):
    start = max(need.available_from, timezone.localdate())
    return start if start <= need.available_until else None


@transaction.atomic
def engagement_propose(*, need: NeedRequest, resource: ResourcePerson, user,
                       source: str = ProposalSource.CHOSEN, reason: str = "",
                       proposal: MatchProposal | None = None) -> Engagement:
    """The pilot's decision: accept the matchmaker's proposal, swap for another ranked
    candidate, or override (manual choice, justified). Creates the tripartite engagement
    (state *proposed*) with a cahier des charges drafted from the need and its diagnosis."""
    tenant = need.tenant
    _require(user, "mentoring.manage", tenant)
    need = NeedRequest.objects.select_for_update(of=("self",)).get(pk=need.pk)
    if resource.tenant_id != tenant.pk:
        raise MentoringError({"resource": _("Personne-ressource inconnue.")})
    ResourcePerson.objects.select_for_update(of=("self",)).filter(pk=resource.pk).first()
    if need.state != NeedState.QUALIFIED:
        raise MentoringError(_("Seul un besoin diagnostiqué (TSF ou mentorat) et sans "
                                "accompagnement peut être mis en relation."))
    if source == ProposalSource.OVERRIDE and not (reason or "").strip():
        raise MentoringError({"reason": _("Justifiez le choix manuel.")})
    allow = OVERRIDABLE_FILTERS if source == ProposalSource.OVERRIDE else ()
    bypassed = _check_pair(need, resource, allow=allow)
    diagnosis = need.diagnosis
    weights = selectors.weights_for(tenant)
    facts_need = selectors.need_to_facts(selectors.need_facts_qs(tenant).get(pk=need.pk))
    facts_res = selectors.resource_to_facts(
        selectors.resource_queryset(tenant, year=selectors.current_year()).get(pk=resource.pk))
    scored = mm.candidate(facts_need, facts_res, weights)
    previous = list(need.proposals.filter(status=ProposalStatus.PROPOSED))
    accepted = proposal if (proposal is not None and proposal.resource_id == resource.pk
                            and proposal.need_id == need.pk) else None
    for p in previous:
        if accepted is None or p.pk != accepted.pk:
            p.status = ProposalStatus.SUPERSEDED
            p.save(update_fields=["status"])
    if accepted is None:
        accepted = MatchProposal.objects.create(
            need=need, resource=resource, source=source, status=ProposalStatus.ACCEPTED,
            score=scored.score, reason=(reason or "").strip(), created_by=user,
            breakdown=breakdown_json(scored, themes=selectors.theme_labels(tenant)))
    else:
        accepted.status = ProposalStatus.ACCEPTED
        accepted.save(update_fields=["status"])
    engagement = Engagement(
        tenant=tenant, need=need, resource=resource, proposal=accepted,
        format=diagnosis.outcome, planned_days=diagnosis.days,
        terms=_draft_terms(need, diagnosis, resource), year=selectors.current_year(),
        start_date=_start_date(need), end_date=need.available_until, created_by=user)
    engagement.full_clean()
    engagement.save()
    need.state = NeedState.MATCHED
    need.save(update_fields=["state", "updated_at"])
    action = {ProposalSource.GLOBAL: "mentoring.proposal.accepted",
              ProposalSource.CHOSEN: "mentoring.proposal.swapped",
              ProposalSource.OVERRIDE: "mentoring.proposal.overridden"}[source]
    replaced = [p.resource_id for p in previous if p.pk != accepted.pk]
    audit_log(tenant=tenant, actor=user, action=action, target=need,
              data={"resource": resource.pk, "score": str(scored.score),
                    "replaced_resources": replaced, "reason": (reason or "").strip(),
                    "bypassed_filters": [e.code for e in bypassed]})
    occasion = audit_log(
        tenant=tenant, actor=user, action="mentoring.engagement.proposed", target=engagement,
        data={"need": need.pk, "resource": resource.pk, "format": engagement.format,
              "planned_days": str(engagement.planned_days)})
    _notify(need, "matched", occasion)
    _recompute_later(tenant)
    _convention_later(engagement)
    return engagement


@transaction.atomic
def proposals_swap(*, first: MatchProposal, second: MatchProposal, user) -> tuple:
    """Swap the resource people of two open proposals (each pair must pass the filters);
    the swapped proposals are pinned: later recomputations keep them."""
    tenant = first.need.tenant
    _require(user, "mentoring.manage", tenant)
    ids = sorted([first.pk, second.pk])
    locked = {p.pk: p for p in MatchProposal.objects.select_for_update(of=("self",))
              .select_related("need", "resource").filter(pk__in=ids)}
    first, second = locked.get(first.pk), locked.get(second.pk)
    if first is None or second is None or first.pk == second.pk or \
            first.need.tenant_id != second.need.tenant_id or \
            {first.status, second.status} != {ProposalStatus.PROPOSED}:
        raise MentoringError(_("Ces propositions ne peuvent pas être échangées."))
    if first.resource_id == second.resource_id:
        raise MentoringError(_("Les deux propositions désignent la même personne-ressource."))
    _check_pair(first.need, second.resource)
    _check_pair(second.need, first.resource)
    weights = selectors.weights_for(tenant)
    themes = selectors.theme_labels(tenant)
    res_by_id = {r.id: r for r in selectors.resource_facts(tenant)}
    facts = {n.pk: selectors.need_to_facts(n) for n in selectors.need_facts_qs(tenant).filter(
        pk__in=[first.need_id, second.need_id])}
    before = {first.pk: (first.resource_id, str(first.score)),
              second.pk: (second.resource_id, str(second.score))}
    first.resource, second.resource = second.resource, first.resource
    for p in (first, second):
        scored = mm.candidate(facts[p.need_id], res_by_id[p.resource_id], weights)
        p.score, p.breakdown = scored.score, breakdown_json(scored, themes=themes)
        p.source, p.created_by = ProposalSource.CHOSEN, user
        p.save(update_fields=["resource", "score", "breakdown", "source", "created_by"])
        audit_log(tenant=tenant, actor=user, action="mentoring.proposal.swapped", target=p.need,
                  data={"proposal": p.pk, "from_resource": before[p.pk][0],
                        "to_resource": p.resource_id, "from_score": before[p.pk][1],
                        "to_score": str(p.score)})
    _recompute_later(tenant)
    return first, second


def proposal_accept(*, proposal: MatchProposal, user) -> Engagement:
    if proposal.status != ProposalStatus.PROPOSED:
        raise MentoringError(_("Cette proposition n'est plus d'actualité."))
    return engagement_propose(need=proposal.need, resource=proposal.resource, user=user,
                              source=ProposalSource.GLOBAL, proposal=proposal)


# --- Engagements --------------------------------------------------------------------------

def _day_limit(engagement: Engagement) -> Decimal:
    return Decimal(FORMAT_DAY_LIMITS[engagement.format][1])


@transaction.atomic
def engagement_update(*, engagement: Engagement, user, terms: str, planned_days: Decimal,
                      start_date=None, end_date=None) -> Engagement:
    _require(user, "mentoring.manage", engagement.tenant)
    if engagement.state in (EngagementState.DONE, EngagementState.CANCELLED):
        raise MentoringError(_("Cet accompagnement est clos."))
    terms = (terms or "").replace("\r\n", "\n")
    errors = {}
    limit = _day_limit(engagement)
    low = Decimal(FORMAT_DAY_LIMITS[engagement.format][0])
    if planned_days is None or planned_days > limit:
        errors["planned_days"] = _("%(format)s : au plus %(limit)s jours.") % {
            "format": engagement.get_format_display(), "limit": fmt_days(limit)}
    elif planned_days < low:
        errors["planned_days"] = _("%(format)s : au moins %(low)s jour(s).") % {
            "format": engagement.get_format_display(), "low": fmt_days(low)}
    elif planned_days > engagement.planned_days:
        # The resource's yearly days: what its other live engagements of the year leave.
        resource = ResourcePerson.objects.select_for_update(of=("self",)).get(
            pk=engagement.resource_id)
        others = (Engagement.objects.filter(resource=resource, year=engagement.year,
                                            state__in=ACTIVE_ENGAGEMENT_STATES)
                  .exclude(pk=engagement.pk)
                  .aggregate(d=Sum("planned_days"))["d"]) or Decimal(0)
        left = max(Decimal(resource.max_days_per_year) - others, Decimal(0))
        if planned_days > left:
            errors["planned_days"] = _(
                "%(name)s n'a plus que %(left)s jour(s) disponible(s) en %(year)s pour cet "
                "accompagnement (%(cap)s jours par an).") % {
                "name": resource.full_name, "left": fmt_days(left), "year": engagement.year,
                "cap": resource.max_days_per_year}
    logged = sum((s.days for s in engagement.sessions.all()), Decimal(0))
    if planned_days is not None and logged > planned_days:
        errors["planned_days"] = _("Déjà %(logged)s jour(s) inscrits au calendrier.") % {
            "logged": fmt_days(logged)}
    if not (terms or "").strip():
        errors["terms"] = _("Le cahier des charges ne peut pas être vide.")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("La fin doit suivre le début.")
    if errors:
        raise MentoringError(errors)
    changed = {k: str(v) for k, v in {"terms": terms.strip(), "planned_days": planned_days,
                                      "start_date": start_date, "end_date": end_date}.items()
               if getattr(engagement, k) != v}
    engagement.terms, engagement.planned_days = terms.strip(), planned_days
    engagement.start_date, engagement.end_date = start_date, end_date
    engagement.full_clean()
    engagement.save()
    audit_log(tenant=engagement.tenant, actor=user, action="mentoring.engagement.updated",
              target=engagement, data={k: (v if k != "terms" else "…") for k, v in changed.items()})
    if changed:
        _convention_later(engagement)
    return engagement


NEED_STATE_FOR = {
    EngagementState.SIGNED: NeedState.MATCHED,
    EngagementState.IN_PROGRESS: NeedState.IN_PROGRESS,
    EngagementState.DONE: NeedState.DONE,
    EngagementState.CANCELLED: NeedState.QUALIFIED,
}


@transaction.atomic
def engagement_transition(*, engagement: Engagement, user, to: str,
                          reason: str = "") -> Engagement:
    """proposed → signed → in progress → done; cancelled from any open state."""
    _require(user, "mentoring.manage", engagement.tenant)
    engagement = Engagement.objects.select_for_update(of=("self",)).select_related(
        "need", "tenant").get(pk=engagement.pk)
    if to not in ENGAGEMENT_TRANSITIONS[engagement.state]:
        raise MentoringError(_("Passage impossible de « %(from)s » à « %(to)s ».") % {
            "from": engagement.get_state_display(), "to": EngagementState(to).label})
    now = timezone.now()
    if to == EngagementState.CANCELLED:
        if not (reason or "").strip():
            raise MentoringError({"reason": _("Indiquez le motif de l'annulation.")})
        engagement.cancelled_at, engagement.cancel_reason = now, reason.strip()
    elif to == EngagementState.SIGNED:
        engagement.signed_at = now
    elif to == EngagementState.IN_PROGRESS:
        engagement.started_at = now
    elif to == EngagementState.DONE:
        done = sum((s.days for s in engagement.sessions.all() if s.done), Decimal(0))
        if done <= 0:
            raise MentoringError(_("Inscrivez au moins une journée réalisée avant de clore."))
        engagement.finished_at = now
    previous = engagement.state
    engagement.state = to
    engagement.save()
    need = engagement.need
    need.state = NEED_STATE_FOR[to]
    need.save(update_fields=["state", "updated_at"])
    occasion = audit_log(
        tenant=engagement.tenant, actor=user, action=f"mentoring.engagement.{to}",
        target=engagement, data={"from": previous, "to": to, "reason": (reason or "").strip()})
    _notify(need, f"engagement_{to}", occasion)
    if to == EngagementState.CANCELLED:
        _recompute_later(engagement.tenant)
    return engagement


@transaction.atomic
def session_add(*, engagement: Engagement, user, date, days: Decimal, done: bool = False,
                notes: str = "") -> EngagementSession:
    """Plan or log a day; the total never exceeds the planned days (≤ the format's limit)."""
    _require(user, "mentoring.manage", engagement.tenant)
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    if engagement.state in (EngagementState.DONE, EngagementState.CANCELLED):
        raise MentoringError(_("Cet accompagnement est clos."))
    if done and engagement.state != EngagementState.IN_PROGRESS:
        raise MentoringError({"done": _("Une journée ne peut être réalisée qu'une fois "
                                         "l'accompagnement démarré.")})
    total = sum((s.days for s in engagement.sessions.all()), Decimal(0)) + days
    if total > engagement.planned_days:
        raise MentoringError({"days": _(
            "%(total)s jours au total dépasseraient les %(planned)s jours prévus "
            "(%(format)s : %(limit)s jours au plus).") % {
            "total": fmt_days(total),
            "planned": fmt_days(engagement.planned_days),
            "format": engagement.get_format_display(),
            "limit": fmt_days(_day_limit(engagement))}})
    session = EngagementSession(engagement=engagement, date=date, days=days, done=done,
                                notes=(notes or "").strip())
    session.full_clean()
    session.save()
    audit_log(tenant=engagement.tenant, actor=user, action="mentoring.session.added",
              target=engagement, data={"date": date, "days": str(days), "done": done})
    _convention_later(engagement)
    return session


@transaction.atomic
def session_mark_done(*, session: EngagementSession, user) -> EngagementSession:
    engagement = session.engagement
    _require(user, "mentoring.manage", engagement.tenant)
    if engagement.state != EngagementState.IN_PROGRESS:
        raise MentoringError(_("Une journée ne peut être réalisée qu'une fois "
                                "l'accompagnement démarré."))
    session.done = True
    session.save(update_fields=["done"])
    audit_log(tenant=engagement.tenant, actor=user, action="mentoring.session.done",
              target=engagement, data={"session": session.pk, "date": session.date})
    return session


@transaction.atomic
def feedback_give(*, engagement: Engagement, user, side: str, rating: int,
                  comment: str = "") -> Feedback:
    """End-of-engagement feedback of one side; the beneficiary's rating feeds the score."""
    perm = ("mentoring.give_beneficiary_feedback" if side == FeedbackSide.BENEFICIARY
            else "mentoring.give_resource_feedback")
    if not user.has_perm(perm, engagement):
        raise PermissionDenied(perm)
    if engagement.state != EngagementState.DONE:
        raise MentoringError(_("Les retours se donnent à la fin de l'accompagnement."))
    if Feedback.objects.filter(engagement=engagement, side=side).exists():
        raise MentoringError(_("Ce retour a déjà été donné."))
    feedback = Feedback(engagement=engagement, side=side, rating=rating,
                        comment=(comment or "").strip(), author=user)
    feedback.full_clean()
    feedback.save()
    audit_log(tenant=engagement.tenant, actor=user, action="mentoring.feedback.given",
              target=engagement, data={"side": side, "rating": rating})
    _recompute_later(engagement.tenant)
    return feedback
