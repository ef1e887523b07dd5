"""Reads of the mentoring scheme. The matchmaker's facts load in a constant number of queries."""

from decimal import Decimal

from django.db.models import (Avg, Count, DurationField, ExpressionWrapper, F, IntegerField,
                              OuterRef, Prefetch, Subquery, Sum)
from django.db.models.functions import Coalesce
from django.utils import timezone

from applications.models import Structure
from portal.geo import DEPARTEMENT_REGION, departement_for_postal_code

from . import matchmaker as mm
from .enums import (ACTIVE_ENGAGEMENT_STATES, FORMAT_DAY_LIMITS, EngagementState, FeedbackSide,
                    NeedState, ProposalStatus)
from .models import (Engagement, Feedback, MatchingWeights, MatchProposal, NeedRequest,
                     ResourcePerson, ResourceTheme, Theme)


def current_year() -> int:
    return timezone.localdate().year


def weights_for(tenant) -> mm.Weights:
    row = MatchingWeights.objects.filter(tenant=tenant).first()
    if row is None:
        return mm.Weights()
    return mm.Weights(**{f: getattr(row, f) for f in MatchingWeights.FACTORS})


def tenant_themes(tenant, *, active_only: bool = False):
    qs = Theme.objects.filter(tenant=tenant)
    return qs.filter(active=True) if active_only else qs


def theme_labels(tenant) -> dict[int, str]:
    return dict(Theme.objects.filter(tenant=tenant).values_list("pk", "label"))


def structures_of(user):
    """The structures a user acts for (global, through StructureMember)."""
    if not getattr(user, "is_authenticated", False):
        return Structure.objects.none()
    return Structure.objects.filter(members__user=user).order_by("name")


# --- Matchmaker facts ---------------------------------------------------------------------

def _need_departement(need: NeedRequest) -> str:
    return departement_for_postal_code(need.place_postal_code) or need.structure.departement


def need_days(need: NeedRequest) -> float:
    diagnosis = getattr(need, "diagnosis", None)
    if diagnosis is not None and diagnosis.days:
        return float(diagnosis.days)
    outcome = diagnosis.outcome if diagnosis is not None else need.hoped_format
    return float(FORMAT_DAY_LIMITS.get(outcome, (1, 2))[1])


def need_facts_qs(tenant):
    return (NeedRequest.objects.filter(tenant=tenant)
            .select_related("structure", "diagnosis")
            .prefetch_related(Prefetch("themes", queryset=Theme.objects.only("pk"))))


def need_to_facts(need: NeedRequest) -> mm.NeedFacts:
    dep = _need_departement(need)
    return mm.NeedFacts(
        id=need.pk, structure_id=need.structure_id,
        theme_ids=frozenset(t.pk for t in need.themes.all()),
        main_activity=need.structure.main_activity or "",
        aesthetics=frozenset(need.structure.aesthetics or ()),
        departement=dep or "", region=DEPARTEMENT_REGION.get(dep, "") if dep else "",
        remote_ok=need.remote_possible,
        available_from=need.available_from, available_until=need.available_until,
        days=need_days(need))


def open_need_facts(tenant) -> list[mm.NeedFacts]:
    """Facts of the diagnosed needs waiting for a resource person (2 queries)."""
    needs = need_facts_qs(tenant).filter(state=NeedState.QUALIFIED).order_by("created_at", "pk")
    return [need_to_facts(n) for n in needs]


def resource_queryset(tenant, *, year: int):
    live = Engagement.objects.filter(resource=OuterRef("pk"), year=year,
                                     state__in=ACTIVE_ENGAGEMENT_STATES)
    used = live.values("resource").annotate(n=Count("pk")).values("n")
    days = live.values("resource").annotate(d=Sum("planned_days")).values("d")
    fb = Feedback.objects.filter(engagement__resource=OuterRef("pk"),
                                 side=FeedbackSide.BENEFICIARY).values("engagement__resource")
    return (ResourcePerson.objects.filter(tenant=tenant)
            .select_related("structure")
            .annotate(
                used=Coalesce(Subquery(used, output_field=IntegerField()), 0),
                days_used=Coalesce(Subquery(days), Decimal("0")),
                feedback_sum=Coalesce(Subquery(fb.annotate(s=Sum("rating")).values("s"),
                                               output_field=IntegerField()), 0),
                feedback_count=Coalesce(Subquery(fb.annotate(c=Count("pk")).values("c"),
                                                 output_field=IntegerField()), 0))
)


def _attach_levels_and_conflicts(resources: list[ResourcePerson]) -> None:
    """Theme levels and declared conflicts of many resource people in two flat queries (no
    model instances: on a pool of 300 this is most of the time of a need's suggestions)."""
    levels = {r.pk: {} for r in resources}
    labels = {r.pk: [] for r in resources}
    conflicts = {r.pk: set() for r in resources}
    ids = list(levels)
    for resource_id, theme_id, level, label in ResourceTheme.objects.filter(
            resource_id__in=ids).order_by("theme__position", "theme__label").values_list(
            "resource_id", "theme_id", "level", "theme__label"):
        levels[resource_id][theme_id] = level
        labels[resource_id].append((label, level))
    through = ResourcePerson.conflict_structures.through
    for resource_id, structure_id in through.objects.filter(
            resourceperson_id__in=ids).values_list("resourceperson_id", "structure_id"):
        conflicts[resource_id].add(structure_id)
    for r in resources:
        r.theme_level_map, r.conflict_ids = levels[r.pk], frozenset(conflicts[r.pk])
        r.theme_labels = labels[r.pk]  # [(label, level)] for display


def resource_to_facts(r: ResourcePerson) -> mm.ResourceFacts:
    if not hasattr(r, "theme_level_map"):
        _attach_levels_and_conflicts([r])
    return mm.ResourceFacts(
        id=r.pk, structure_id=r.structure_id,
        theme_levels=r.theme_level_map,
        main_activity=r.main_activity or "", aesthetics=frozenset(r.aesthetics or ()),
        departement=r.departement, region=DEPARTEMENT_REGION.get(r.departement, ""),
        remote_ok=r.remote_possible, capacity=r.max_engagements_per_year, used=r.used,
        capacity_days=float(r.max_days_per_year), days_used=float(r.days_used),
        available_from=r.available_from, available_until=r.available_until, active=r.active,
        conflict_structure_ids=r.conflict_ids,
        feedback_sum=r.feedback_sum, feedback_count=r.feedback_count)


def resource_pool(tenant, *, year: int | None = None) -> list[ResourcePerson]:
    """The pool with this year's load, past feedback, theme levels and conflicts (3 queries)."""
    pool = list(resource_queryset(tenant, year=year or current_year()))
    _attach_levels_and_conflicts(pool)
    for r in pool:
        r.feedback_average = (Decimal(r.feedback_sum) / r.feedback_count).quantize(
            Decimal("0.1")) if r.feedback_count else None
    return pool


def resource_facts(tenant, *, year: int | None = None) -> list[mm.ResourceFacts]:
    return [resource_to_facts(r) for r in resource_pool(tenant, year=year)]


def suggestions_for(need: NeedRequest, *, limit: int | None = None):
    """Ranked candidates and exclusions for one need, with the pool rows by id."""
    tenant = need.tenant
    pool = resource_pool(tenant)
    facts = [resource_to_facts(r) for r in pool]
    need = need_facts_qs(tenant).get(pk=need.pk)
    result = mm.suggest(need_to_facts(need), facts, weights_for(tenant), limit=limit)
    return result, {r.pk: r for r in pool}


# --- Lists and dashboard ------------------------------------------------------------------

def needs_of_user(tenant, user):
    return (NeedRequest.objects.filter(tenant=tenant, structure__members__user=user)
            .select_related("structure", "diagnosis").prefetch_related("themes").distinct())


def pilot_needs(tenant, *, state: str | None = None):
    qs = (NeedRequest.objects.filter(tenant=tenant)
          .select_related("structure", "diagnosis").prefetch_related("themes"))
    return qs.filter(state=state) if state else qs


def open_proposals(tenant):
    return (MatchProposal.objects.filter(need__tenant=tenant, status=ProposalStatus.PROPOSED)
            .select_related("need__structure", "resource"))


def need_history(need, engagements, *, actions: list[str]):
    """The audit events of a need and of its engagements, oldest first."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from portal.models import AuditEvent

    need_ct = ContentType.objects.get_for_model(NeedRequest)
    eng_ct = ContentType.objects.get_for_model(Engagement)
    return (AuditEvent.objects.filter(
        Q(target_type=need_ct, target_id=str(need.pk))
        | Q(target_type=eng_ct, target_id__in=[str(e.pk) for e in engagements]))
        .filter(action__in=actions).select_related("actor").order_by("created_at", "pk"))


def is_resource_person(tenant, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and ResourcePerson.objects.filter(
        tenant=tenant, user=user).exists()


def open_proposal_of(need):
    return (MatchProposal.objects.filter(need=need, status=ProposalStatus.PROPOSED)
            .select_related("resource").first())


def last_assignment_run(tenant):
    """The last computation that finished (the one the assignment page shows)."""
    from .enums import AssignmentRunState
    from .models import AssignmentRun

    return (AssignmentRun.objects.filter(tenant=tenant, state=AssignmentRunState.FINISHED)
            .order_by("-finished_at", "-pk").first())


def pending_assignment_run(tenant, *, since=None):
    """The computation queued or running in `tenant` (asked for after `since`), if any."""
    from .enums import AssignmentRunState
    from .models import AssignmentRun

    qs = AssignmentRun.objects.filter(
        tenant=tenant, state__in=(AssignmentRunState.QUEUED, AssignmentRunState.RUNNING))
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.select_related("computed_by").order_by("-created_at", "-pk").first()


def assignment_run_progress(run) -> dict:
    """What the run's page polls: its state, in words too, and what it found once finished."""
    from django.utils.translation import gettext as _

    from .enums import AssignmentRunState

    summary = ""
    if run.state == AssignmentRunState.FINISHED:
        summary = _("Répartition recalculée : %(n)s proposition(s), %(m)s besoin(s) à traiter "
                    "à la main.") % {"n": run.assigned, "m": len(run.manual)}
    return {"state": run.state, "label": str(run.get_state_display()),
            "finished": not run.is_pending, "failed": run.state == AssignmentRunState.FAILED,
            "summary": summary, "error": run.error}


def engagements(tenant, *, state: str | None = None):
    qs = (Engagement.objects.filter(tenant=tenant)
          .select_related("need__structure", "resource__structure"))
    return qs.filter(state=state) if state else qs


def engagement_detail(tenant, pk: int) -> Engagement:
    return (Engagement.objects.filter(tenant=tenant)
            .select_related("need__structure", "need__diagnosis", "need__submitted_by",
                            "resource__structure", "tenant")
            .prefetch_related("sessions", "feedbacks", "need__themes").get(pk=pk))


def dashboard(tenant) -> dict:
    """Needs per state, time from request to start, resource load (constant queries)."""
    counts = dict(NeedRequest.objects.filter(tenant=tenant).values_list("state")
                  .annotate(n=Count("pk")).values_list("state", "n"))
    per_state = [{"state": s, "label": s.label, "count": counts.get(s.value, 0)}
                 for s in NeedState]
    started = (Engagement.objects.filter(tenant=tenant, started_at__isnull=False)
               .exclude(state=EngagementState.CANCELLED)
               .annotate(delay=ExpressionWrapper(F("started_at") - F("need__created_at"),
                                                 output_field=DurationField())))
    stats = started.aggregate(avg=Avg("delay"), n=Count("pk"))
    avg_days = None
    if stats["avg"] is not None:
        avg_days = round(stats["avg"].total_seconds() / 86400, 1)
    waiting = (NeedRequest.objects.filter(tenant=tenant, state=NeedState.SUBMITTED)
               .order_by("created_at").first())
    return {
        "per_state": per_state,
        "total_needs": sum(counts.values()),
        "started_count": stats["n"],
        "avg_days_to_start": avg_days,
        "oldest_waiting": waiting,
        "pool": resource_pool(tenant),
        "year": current_year(),
    }
