"""Reads of joint instruction and committee: conflicts, dashboard, visible reviews, agenda,
envelope totals. Every function runs inside the tenant's scope and issues a fixed number of
queries, whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery
from django.db.models import (BooleanField, Case, Count, DecimalField, Exists, ExpressionWrapper,
                              F, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When)
from django.db.models.functions import Coalesce

from applications.enums import DossierStatus
from applications.models import Dossier, Partner
from applications.workflow import status_choices
from calls.models import AppraisalCriterion
from portal.enums import Role
from portal.models import Membership

from .enums import DecisionOutcome, ReviewStatus
from .envelope import EnvelopeLine, money
from .models import (AgendaItem, Assignment, CommitteeMember, ConflictDeclaration, Decision,
                     DecisionShare, Recusal, Review, ReviewSettings)
from .scoring import DEFAULT_DISAGREEMENT_THRESHOLD, Criterion, is_disagreement

from portal.tenancy import request_memo, roles_of  # noqa: E402,F401  (roles_of: for views)

SEARCH_CONFIG = "french_unaccent"


def fold(text: str) -> str:
    """Accents removed (« Éléphant » → « Elephant »): applied to the indexed text and to the
    query, so the search ignores accents even where PostgreSQL lacks the unaccent extension
    (the `french_unaccent` configuration then only stems)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- Conflicts of interest ---------------------------------------------------------------

def conflict_sirets(user, tenant, *, cached: bool = True) -> frozenset[str]:
    """The SIRETs the officer declared links with in this tenant (cached on the user object
    for the request; services pass ``cached=False``)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = request_memo(user).setdefault("_conflict_sirets", {})
    if not cached or tenant.pk not in cache:
        cache[tenant.pk] = frozenset(ConflictDeclaration.objects.filter(
            tenant=tenant, officer=user).values_list("siret", flat=True))
    return cache[tenant.pk]


def forget_conflicts(user) -> None:
    request_memo(user).pop("_conflict_sirets", None)


def conflict_q(sirets) -> Q:
    """Dossiers whose structure or one of whose partners has one of `sirets`."""
    sirets = list(sirets)
    if not sirets:
        return Q(pk__in=[])
    return Q(structure__siret__in=sirets) | Q(Exists(Partner.objects.filter(
        dossier=OuterRef("pk"), siret__in=sirets)))


def conflicted_dossier_ids_for(user, tenant, dossier_ids=None, *, cached: bool = True) -> set[int]:
    sirets = conflict_sirets(user, tenant, cached=cached)
    if not sirets:
        return set()
    qs = Dossier.objects.filter(tenant=tenant).filter(conflict_q(sirets))
    if dossier_ids is not None:
        qs = qs.filter(pk__in=list(dossier_ids))
    return set(qs.values_list("pk", flat=True))


def _ids(dossier_ids):
    """Ids to filter on: a list, or a queryset of ids kept as a subquery (a committee agenda:
    342 ids are not sent, and parsed, in each query)."""
    return dossier_ids if isinstance(dossier_ids, QuerySet) else list(dossier_ids)


def conflicted_pairs(tenant, dossier_ids) -> set[tuple[int, int]]:
    """(officer_id, dossier_id) pairs with a declared link, for the given dossiers (a list, or
    a queryset of their ids), 3 queries."""
    by_siret = defaultdict(set)
    for officer_id, siret in ConflictDeclaration.objects.filter(tenant=tenant).values_list(
            "officer_id", "siret"):
        by_siret[siret].add(officer_id)
    if not by_siret:
        return set()
    pairs = set()
    dossier_ids = _ids(dossier_ids)
    rows = list(Dossier.objects.filter(tenant=tenant, pk__in=dossier_ids,
                                       structure__siret__in=list(by_siret))
                .values_list("pk", "structure__siret"))
    rows += list(Partner.objects.filter(dossier__tenant=tenant, dossier_id__in=dossier_ids,
                                        siret__in=list(by_siret))
                 .values_list("dossier_id", "siret"))
    for dossier_id, siret in rows:
        for officer_id in by_siret[siret]:
            pairs.add((officer_id, dossier_id))
    return pairs


def tenant_officers(tenant) -> list:
    """The instructors of `tenant` who belong to a funder (those who may be rapporteurs)."""
    return [m.user for m in Membership.objects.filter(
        tenant=tenant, role=Role.INSTRUCTOR, organization__isnull=False).select_related("user")]


def session_member_candidates(session, *, member_ids=None) -> list[tuple[int, str]]:
    """Committee members and admins of the session's tenant not yet members of it, by name
    (with their organisation)."""
    if member_ids is None:
        member_ids = set(session.members.values_list("user_id", flat=True))
    return sorted({(m.user_id, f"{m.user} — {m.organization}" if m.organization
                    else str(m.user)) for m in Membership.objects.filter(
        tenant=session.tenant, role__in=[Role.COMMITTEE, Role.ADMIN]).select_related(
        "user", "organization") if m.user_id not in member_ids}, key=lambda c: c[1])


def session_members(session) -> list:
    """The session's members (`CommitteeMember`) with their user, in the model's order."""
    return list(CommitteeMember.objects.filter(session=session).select_related("user"))


def tenant_user(tenant, user_id: int):
    membership = (Membership.objects.filter(tenant=tenant, user_id=user_id)
                  .select_related("user").first())
    return membership.user if membership else None


def recused_by_dossier(session, dossier_ids, members, *,
                       pairs=None) -> dict[int, dict[int, object]]:
    """Who takes no part in the decision on each dossier, ``{dossier_id: {user_id: user}}``:
    the session's members with a declared link of interest (the registry, matched on SIRET)
    and those who stepped out (`Recusal`). The one rule the committee page, the decision and
    the quorum use."""
    dossier_ids = list(dossier_ids)
    result: dict[int, dict[int, object]] = {pk: {} for pk in dossier_ids}
    for recusal in (Recusal.objects.filter(session=session, dossier_id__in=dossier_ids)
                    .select_related("user")):
        result[recusal.dossier_id][recusal.user_id] = recusal.user
    if pairs is None:
        pairs = conflicted_pairs(session.tenant, dossier_ids)
    for member in members:
        for pk in dossier_ids:
            if (member.user_id, pk) in pairs:
                result[pk].setdefault(member.user_id, member.user)
    return result


# --- Settings and grids ----------------------------------------------------------------------

def disagreement_threshold(tenant, call=None) -> Decimal:
    rows = {r.call_id: r.disagreement_threshold for r in ReviewSettings.objects.filter(
        tenant=tenant).filter(Q(call__isnull=True) | Q(call=call))}
    if call is not None and call.pk in rows:
        return rows[call.pk]
    return rows.get(None, DEFAULT_DISAGREEMENT_THRESHOLD)


def disagreement_thresholds(tenant, call_ids) -> dict[int, Decimal]:
    """{call_id: threshold} for these calls (the call's setting, else the tenant's): 1 query."""
    call_ids = [pk for pk in call_ids if pk is not None]
    rows = {r_call: value for r_call, value in ReviewSettings.objects.filter(tenant=tenant).filter(
        Q(call__isnull=True) | Q(call_id__in=call_ids)).values_list("call_id",
                                                                     "disagreement_threshold")}
    default = rows.get(None, DEFAULT_DISAGREEMENT_THRESHOLD)
    return {pk: rows.get(pk, default) for pk in call_ids}


def criteria_for(dossier) -> list[Criterion]:
    """The appraisal grid of the rules the dossier was filed under (its snapshot); the
    call's live criteria when no snapshot was stored."""
    snapshot = dossier.rules_snapshot or {}
    if snapshot.get("appraisal_criteria") is not None:
        return [Criterion.from_snapshot(c) for c in snapshot["appraisal_criteria"]]
    criteria = AppraisalCriterion.objects.filter(call_id=dossier.call_id)
    return [Criterion.from_model(c) for c in criteria
            if c.applies_to(dossier.track_id, dossier.category_id)]


def dossier_rules(dossier) -> dict:
    """The effective funding rules of the dossier as filed (snapshot), else live ones."""
    from calls.funding import effective_rules, rules_from_snapshot

    rules = rules_from_snapshot(dossier.rules_snapshot)
    if rules is None:
        return effective_rules(dossier.call, dossier.track, dossier.category)
    stored = (dossier.rules_snapshot or {}).get("rules") or {}
    missing = [name for name in rules if name not in stored]
    if missing:  # a rule added after the dossier was filed: today's value of the call
        live = effective_rules(dossier.call, dossier.track, dossier.category)
        rules.update({name: live[name] for name in missing})
    return rules


# --- One dossier's instruction page ---------------------------------------------------------
# The dossier given to these was read within its tenant (the scope, then the permission): its
# children are read by it through their plain managers, without the scope's join back to the
# dossier table for each of them.

def instruction_dossiers(tenant, user):
    """The tenant's dossiers as the instruction page reads one: with its call, track, category,
    structure and review summary, whether `user` may read the others' scores on it (the
    blind-review rule, `scores_visible_q`, as one SQL expression) and the disagreement
    threshold of its call (the call's setting, else the tenant's): one query instead of four
    (`scores_visible` and `dossier_threshold` read these annotations)."""
    from django.db.models import Subquery

    settings = ReviewSettings._base_manager.filter(tenant=tenant)
    qs = (Dossier.objects.filter(tenant=tenant)
          .select_related("call", "track", "category", "structure", "review_summary")
          .defer("review_summary__search", "review_summary__search_text")
          .annotate(scores_visible_viewer=Value(user.pk),
                    call_threshold=Subquery(settings.filter(call_id=OuterRef("call_id"))
                                            .values("disagreement_threshold")[:1]),
                    tenant_threshold=Subquery(settings.filter(call__isnull=True)
                                              .values("disagreement_threshold")[:1])))
    return with_scores_visibility(qs, user, tenant)


def dossier_threshold(dossier) -> Decimal:
    """`disagreement_threshold` of the dossier's call, from `instruction_dossiers`'s
    annotations when the dossier carries them."""
    if not hasattr(dossier, "tenant_threshold"):
        return disagreement_threshold(dossier.tenant, dossier.call)
    if dossier.call_threshold is not None:
        return dossier.call_threshold
    if dossier.tenant_threshold is not None:
        return dossier.tenant_threshold
    return DEFAULT_DISAGREEMENT_THRESHOLD


def dossier_assignments(dossier) -> list[Assignment]:
    """The dossier's rapporteurs, each `Assignment` with its officer (1 query)."""
    return list(Assignment._base_manager.filter(dossier=dossier).select_related("officer"))


def assignment_candidates(tenant, dossier, *, assigned_ids, partners=None) -> list[Membership]:
    """Who may still be made a rapporteur of `dossier`: the instructors of a funder of its
    call, not among `assigned_ids`, without a declared link with it (its structure's or one
    of its `partners`' SIRET, read from the dossier when not given): 1 query."""
    if partners is None:
        partners = list(dossier.partners.all())
    sirets = {dossier.structure.siret, *(p.siret for p in partners)} - {None}
    members = (Membership.objects.filter(tenant=tenant, role=Role.INSTRUCTOR,
                                         organization__kind__in=dossier.call.funders or [])
               .exclude(user_id__in=sorted(assigned_ids)).select_related("user", "organization"))
    if sirets:
        members = members.exclude(Exists(ConflictDeclaration._base_manager.filter(
            tenant=tenant, officer_id=OuterRef("user_id"), siret__in=sorted(sirets))))
    return list(members)


def eligibility_reviews(dossier) -> list:
    """The recevabilité confirmations of `dossier` (`EligibilityReview`), with who confirmed
    them (1 query)."""
    from .models import EligibilityReview

    return list(EligibilityReview._base_manager.filter(dossier=dossier)
                .select_related("confirmed_by"))


def application_parts(dossier) -> dict:
    """The parts of the application the instruction page shows beside the scoring form: its
    budget lines, partners and attachments (with their requirement), 3 queries."""
    from applications.models import Attachment, BudgetLine

    return {"budget_lines": list(BudgetLine._base_manager.filter(dossier=dossier)),
            "partners": list(Partner._base_manager.filter(dossier=dossier)),
            "attachments": list(Attachment._base_manager.filter(dossier=dossier)
                                .select_related("requirement"))}


# --- Reviews and the blind-review rule ------------------------------------------------------

def scores_visible_q(user, tenant) -> Q:
    """The blind-review rule, as a filter on dossiers: those whose other reviews (scores,
    opinions, recommendations, amounts, authors) and aggregate (mean, median, spread,
    disagreement) `user` may read. Every page, dashboard, export and selector applies it:

    * nobody reads them on a dossier they have a declared conflict on;
    * a rapporteur assigned to the dossier reads them once their own review is submitted
      (HotCRP's rule), whatever other role they hold;
    * otherwise committee members and tenant admins read them;
    * an instructor reads them only on dossiers they have submitted a review of: until one's
      own review is in, no trace of the others' scores (sorting and filtering by score
      included).
    """
    roles = roles_of(user, tenant)
    if not getattr(user, "is_authenticated", False) or not roles:
        return Q(pk__in=[])
    # Correlated on the outer dossier, itself filtered by tenant: the reviews' and
    # assignments' plain manager, without the scope's join back to the dossier table (which
    # made PostgreSQL hash the tenant's 5 000 dossiers for each use of the rule).
    own_submitted = Exists(Review._base_manager.filter(dossier=OuterRef("pk"), officer=user,
                                                       status=ReviewStatus.SUBMITTED))
    if roles & {Role.COMMITTEE, Role.ADMIN}:
        pending = Exists(Assignment._base_manager.filter(dossier=OuterRef("pk"), officer=user))
        q = ~Q(pending) | Q(own_submitted)
    elif Role.INSTRUCTOR in roles:
        q = Q(own_submitted)
    else:
        return Q(pk__in=[])
    sirets = conflict_sirets(user, tenant)
    if sirets:
        q &= ~conflict_q(sirets)
    return q


def with_scores_visibility(queryset, user, tenant):
    """`queryset` of dossiers annotated with ``scores_visible`` (the rule above, one SQL
    expression: no query per row)."""
    return queryset.annotate(scores_visible=ExpressionWrapper(
        scores_visible_q(user, tenant), output_field=BooleanField()))


def scores_visible(user, dossier) -> bool:
    """The rule above for one dossier (one query, none on a dossier read by
    `instruction_dossiers` for this user); `reviews.view_scores` checks it."""
    if dossier is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(dossier, "scores_visible_viewer", None) == user.pk:
        return dossier.scores_visible
    return Dossier.objects.filter(tenant=dossier.tenant, pk=dossier.pk).filter(
        scores_visible_q(user, dossier.tenant)).exists()


def scores_visible_ids(user, tenant, dossier_ids) -> set[int]:
    """Of `dossier_ids` (a list, or a queryset of ids), those whose scores `user` may read
    (one query)."""
    return set(Dossier.objects.filter(tenant=tenant, pk__in=_ids(dossier_ids))
               .filter(scores_visible_q(user, tenant)).values_list("pk", flat=True))


def visible_reviews(dossier, user) -> tuple[Review | None, list[Review], bool]:
    """(my review, others' submitted reviews I may read, whether others are hidden from me).
    Drafts are never shown to anyone but their author; the rest follows `scores_visible`."""
    # the dossier was read in its tenant: its reviews by it, without the scope's join back
    reviews = list(Review._base_manager.filter(dossier=dossier).select_related("officer"))
    mine = next((r for r in reviews if r.officer_id == user.pk), None)
    submitted = [r for r in reviews if r.is_submitted and r.officer_id != user.pk]
    if not scores_visible(user, dossier):
        return mine, [], bool(submitted)
    return mine, submitted, False


# --- Dashboard -------------------------------------------------------------------------

#: Scores sort on what the user may see of them (hidden ones count as none: blind review).
SORTS = {
    "score": ("-visible_mean", "-pk"), "-score": ("visible_mean", "pk"),
    "spread": ("-visible_spread", "-pk"), "-spread": ("visible_spread", "pk"),
    "date": ("-submitted_at", "-pk"), "-date": ("submitted_at", "pk"),
    "amount": ("-requested_amount", "-pk"), "-amount": ("requested_amount", "pk"),
    "reference": ("reference", "pk"), "-reference": ("-reference", "-pk"),
    "structure": ("structure__name", "pk"), "-structure": ("-structure__name", "-pk"),
    "call": ("call__title", "category__title", "pk"),
    "-call": ("-call__title", "-category__title", "-pk"),
    "status": ("status", "pk"), "-status": ("-status", "-pk"),
    "reviews": ("-review_summary__review_count", "-pk"),
    "-reviews": ("review_summary__review_count", "pk"),
    "median": ("-visible_median", "-pk"), "-median": ("visible_median", "pk"),
    "mine": ("-my_assignment", "-pk"), "-mine": ("my_assignment", "pk"),
}


def dashboard_base(tenant, user):
    """The filed dossiers of the tenant the officer may see (conflicted ones left out)."""
    qs = Dossier.objects.filter(tenant=tenant).exclude(status=DossierStatus.DRAFT)
    sirets = conflict_sirets(user, tenant)
    if sirets:
        qs = qs.exclude(conflict_q(sirets))
    return qs


def eligible_states() -> frozenset[str]:
    """The states of a dossier found « recevable »: recevable itself and every state it leads
    to (instruction, committee, decision, and the follow-up states registered by `awards`),
    except the exits that say nothing of it (withdrawal) or say the opposite."""
    from applications.workflow import reachable_from

    return (frozenset({DossierStatus.ELIGIBLE}) | reachable_from(DossierStatus.ELIGIBLE)) - {
        DossierStatus.WITHDRAWN, DossierStatus.INELIGIBLE, DossierStatus.SUBMITTED,
        DossierStatus.COMPLETION_REQUESTED, DossierStatus.DRAFT}


def dashboard_queryset(tenant, user, params: dict):
    """Filters: call, track, category, status, eligibility, mine, to_review (assigned to
    the user, their review not submitted), ready (every rapporteur's review is in), funder,
    score_min, score_max, submitted_from / submitted_to (Paris dates, inclusive), ids (a
    selection), q (search), disagreement; sort: see SORTS."""
    qs = with_scores_visibility(dashboard_base(tenant, user), user, tenant)
    filters = Q()
    if params.get("call"):
        filters &= Q(call_id=params["call"])
    if params.get("track"):
        filters &= Q(track_id=params["track"])
    if params.get("category"):
        filters &= Q(category_id=params["category"])
    eligibility = params.get("eligibility")
    if eligibility == "eligible":
        filters &= Q(status__in=sorted(eligible_states()))
    elif eligibility == "ineligible":
        filters &= Q(status=DossierStatus.INELIGIBLE)
    elif eligibility == "pending":
        filters &= Q(status__in=[DossierStatus.SUBMITTED, DossierStatus.COMPLETION_REQUESTED])
    # Correlated on the outer dossier, itself filtered by tenant: the reviews' and
    # assignments' plain managers (as scores_visible_q), without the scope's join back to the
    # dossier table in each subquery.
    assignments, reviews = Assignment._base_manager, Review._base_manager
    if params.get("mine"):
        filters &= Q(Exists(assignments.filter(dossier=OuterRef("pk"), officer=user)))
    if params.get("to_review"):
        filters &= Q(status__in=[DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW]) & Q(Exists(
            assignments.filter(dossier=OuterRef("pk"), officer=user))) & ~Q(Exists(
                reviews.filter(dossier=OuterRef("pk"), officer=user,
                               status=ReviewStatus.SUBMITTED)))
    if params.get("ready"):
        # Every rapporteur has submitted: no assignment without its submitted review.
        pending = assignments.filter(dossier=OuterRef("pk")).exclude(Exists(
            reviews.filter(dossier=OuterRef("dossier_id"), officer=OuterRef("officer_id"),
                           status=ReviewStatus.SUBMITTED)))
        filters &= (Q(status__in=[DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW])
                    & Q(Exists(assignments.filter(dossier=OuterRef("pk"))))
                    & ~Q(Exists(pending)))
    if params.get("ids") is not None:
        filters &= Q(pk__in=list(params["ids"]))
    if params.get("submitted_from"):
        filters &= Q(submitted_at__gte=_paris_midnight(params["submitted_from"]))
    if params.get("submitted_to"):
        filters &= Q(submitted_at__lt=_paris_midnight(params["submitted_to"], next_day=True))
    if params.get("funder"):
        filters &= Q(call__funders__contains=[params["funder"]])
    if params.get("score_min") is not None:
        filters &= Q(scores_visible=True, review_summary__mean__gte=params["score_min"])
    if params.get("score_max") is not None:
        filters &= Q(scores_visible=True, review_summary__mean__lte=params["score_max"])
    if params.get("disagreement"):
        filters &= Q(scores_visible=True, review_summary__spread__gt=params["threshold"],
                     review_summary__review_count__gte=2)
    text = (params.get("q") or "").strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        # The dossiers found, as one set of ids: those whose search document matches, whose
        # reference is the text, whose SIRET starts with its digits (each read by its own
        # index). Written as conditions OR-ed on each dossier, the tenant's 5 000 dossiers
        # and search documents were read and joined row by row, in the counters' query and
        # again in the page's (3 ms each at 5 000 dossiers).
        from .models import DossierSummary

        found = DossierSummary._base_manager.filter(
            tenant=tenant, search=SearchQuery(fold(text), config=SEARCH_CONFIG,
                                              search_type="websearch")).values("dossier_id")
        by_reference = Dossier._base_manager.filter(tenant=tenant, reference__iexact=text)
        found = found.union(by_reference.order_by().values("pk"))
        if len(digits) >= 9 and len(digits) == len(text.replace(" ", "")):
            found = found.union(Dossier._base_manager.filter(
                tenant=tenant, structure__siret__startswith=digits).order_by().values("pk"))
        filters &= Q(pk__in=found)
    # The counters per state are faceted: they ignore the state filter itself, so that the
    # state list shows how many dossiers each state would give with the other filters.
    counters_qs = qs.filter(filters)
    qs = counters_qs.filter(status=params["status"]) if params.get("status") else counters_qs
    qs = qs.select_related("call", "track", "category", "structure", "review_summary")
    scored = any(params.get(k) is not None for k in ("score_min", "score_max")) or bool(
        params.get("disagreement"))
    return _sorted(qs, user, params.get("sort") or "", all_visible=scored), counters_qs


def _sorted(qs, user, sort_key: str, *, all_visible: bool = False):
    """`qs` (annotated with ``scores_visible``) in the order of SORTS[sort_key];
    `all_visible`: its filters keep only dossiers whose scores the user may read."""
    sort = sort_key.lstrip("-")
    # Only the sort that needs it computes a score hidden from the user as NULL: each use of
    # the visibility rule in the SQL is one more subplan for PostgreSQL (none where a score
    # filter already kept only the visible ones).
    visible = {"score": "mean", "spread": "spread", "median": "median"}.get(sort)
    if visible:
        qs = qs.annotate(**{f"visible_{visible}": F(f"review_summary__{visible}") if all_visible
                            else Case(When(scores_visible=True,
                                           then=F(f"review_summary__{visible}")))})
    if sort == "mine":
        qs = qs.annotate(my_assignment=Exists(Assignment._base_manager.filter(
            dossier=OuterRef("pk"), officer=user)))
    order = SORTS.get(sort_key, ("-submitted_at", "-pk"))
    return qs.order_by(*(F(o[1:]).desc(nulls_last=True) if o.startswith("-")
                         else F(o).asc(nulls_last=True) for o in order))


def _paris_midnight(day, *, next_day: bool = False):
    """The start of `day` (or of the day after it) in Paris time, as an aware datetime."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    if next_day:
        day = day + timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=ZoneInfo("Europe/Paris"))


def dashboard_ids(tenant, user, params: dict) -> list[int]:
    """The ids of the dashboard's list in its order (the current selection an officer walks
    through from one dossier to the next): one query."""
    qs, _counters = dashboard_queryset(tenant, user, params)
    return list(qs.values_list("pk", flat=True))


@dataclass(frozen=True, slots=True)
class DashboardRow:
    """One line of the dashboard, read as plain values (no model instance is built for the
    page: the dossier's JSON fields — rules snapshot, draft data, eligibility results — are
    never read either). The scores are None where the blind-review rule hides them."""

    pk: int
    reference: str
    status: str
    status_label: str
    requested_amount: Decimal | None
    submitted_at: object
    call_title: str
    category_title: str | None
    structure_name: str
    structure_siret: str
    review_count: int
    mean: Decimal | None
    median: Decimal | None
    spread: Decimal | None
    scores_visible: bool
    mine: str | None  # "assigned" | "draft" | "submitted" where the user is a rapporteur


#: What a dashboard row reads, in DashboardRow's order.
DASHBOARD_ROW_VALUES = (
    "pk", "reference", "status", "requested_amount", "submitted_at", "call__title",
    "category__title", "structure__name", "structure__siret", "review_summary__review_count",
    "review_summary__mean", "review_summary__median", "review_summary__spread",
    "scores_visible", "my_part")


def dashboard_rows(queryset, user, *, tenant, sort: str, start: int,
                   stop: int) -> list[DashboardRow]:
    """The rows `start` to `stop` of `queryset` (`dashboard_queryset`'s list, sorted by
    `sort`) with the user's part in each (`my_part`): one query.

    The page is found first on the dossiers alone (a subquery with the list's filters,
    ordered and cut to the page: only the joins they need), and only its rows are joined to
    their call, category, structure and summary, sorted again and read the user's part:
    sorting the whole list with every joined column before cutting it cost PostgreSQL 6 to
    10 ms at 5 000 dossiers, and the filters written again around the page cost it as much
    to plan as to run."""
    from django.db.models import Subquery
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Coalesce

    # The page's ids, compiled once here: as a Subquery, the list's whole query was cloned and
    # resolved again inside this one (0.7 ms of Python with a search).
    from django.core.exceptions import EmptyResultSet

    try:
        page_ids = RawSQL(*queryset.values("pk")[start:stop].query.sql_with_params())
    except EmptyResultSet:  # a filter Django knows matches nothing (an empty id list)
        return []
    queryset = _sorted(with_scores_visibility(Dossier.objects.filter(
        tenant=tenant, pk__in=page_ids), user, tenant), user, sort)
    # Correlated on the page's dossiers (already filtered by tenant): the plain managers.
    # The assignment read as a one-row subquery, looked up for each of the page's rows: an
    # EXISTS here was hashed over all the user's assignments (1 700 in the benchmark).
    own_review = Review._base_manager.filter(dossier=OuterRef("pk"), officer=user)
    own_assignment = Assignment._base_manager.filter(dossier=OuterRef("pk"), officer=user)
    queryset = queryset.annotate(my_assignment_pk=Subquery(
        own_assignment.order_by().values("pk")[:1]))
    queryset = queryset.annotate(my_part=Case(When(
        my_assignment_pk__isnull=False,
        then=Coalesce(Subquery(own_review.order_by().values("status")[:1]),
                      Value("assigned")))))
    labels = dict(status_choices())
    rows = []
    for (pk, reference, status, amount, submitted_at, call_title, category_title, name, siret,
         count, mean, median, spread, visible, mine) in queryset.values_list(
            *DASHBOARD_ROW_VALUES):
        rows.append(DashboardRow(
            pk=pk, reference=reference, status=status,
            status_label=str(labels.get(status, status)), requested_amount=amount,
            submitted_at=submitted_at, call_title=call_title, category_title=category_title,
            structure_name=name, structure_siret=siret, review_count=count or 0,
            mean=mean if visible else None, median=median if visible else None,
            spread=spread if visible else None, scores_visible=bool(visible), mine=mine))
    return rows


def state_counters(queryset) -> dict[str, int]:
    return dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))


def workload(tenant) -> list[dict]:
    """Per officer: assigned, submitted, pending reviews (2 queries)."""
    from portal.models import Membership
    from portal.enums import Role

    members = list(Membership.objects.filter(tenant=tenant, role=Role.INSTRUCTOR)
                   .select_related("user", "organization"))
    counts = {row["officer_id"]: row for row in Assignment.objects.filter(
        dossier__tenant=tenant).values("officer_id").annotate(
        assigned=Count("pk", distinct=True),
        submitted=Count("dossier__reviews", filter=Q(
            dossier__reviews__officer_id=F("officer_id"),
            dossier__reviews__status=ReviewStatus.SUBMITTED), distinct=True))}
    rows = []
    for m in members:
        c = counts.get(m.user_id, {"assigned": 0, "submitted": 0})
        rows.append({"user": m.user, "organization": m.organization,
                     "funder": m.organization.kind if m.organization else "",
                     "assigned": c["assigned"], "submitted": c["submitted"],
                     "pending": c["assigned"] - c["submitted"]})
    rows.sort(key=lambda r: (r["funder"], -r["assigned"], str(r["user"])))
    return rows


# --- Envelope ------------------------------------------------------------------------------

#: Providers of the amounts given back to the envelopes after the decision (a grant reduced by
#: re-evaluation of its final report): ``func(tenant, calls) -> {"per_call": {call_id: D},
#: "contract": D, "per_funder": {funder: D}, "per_call_funder": {(call_id, funder): D}}``.
#: Filled by the post-award app (`awards`), which this app must not import.
_RELEASED_PROVIDERS: list = []


def register_released_amounts(func):
    """Register a provider of released amounts (see `_RELEASED_PROVIDERS`); idempotent."""
    if func not in _RELEASED_PROVIDERS:
        _RELEASED_PROVIDERS.append(func)
    return func


def released_totals(tenant, calls) -> dict:
    """The amounts released since the grants (summed over the registered providers), in the
    shape of `granted_totals`."""
    out = {"per_call": defaultdict(lambda: money(0)), "contract": money(0),
           "per_funder": defaultdict(lambda: money(0)),
           "per_call_funder": defaultdict(lambda: money(0))}
    for provider in _RELEASED_PROVIDERS:
        part = provider(tenant, calls) or {}
        out["contract"] = money(out["contract"] + money(part.get("contract")))
        for key in ("per_call", "per_funder", "per_call_funder"):
            for k, v in (part.get(key) or {}).items():
                out[key][k] = money(out[key][k] + money(v))
    return {"contract": out["contract"],
            **{key: dict(out[key]) for key in ("per_call", "per_funder", "per_call_funder")}}


def granted_totals(tenant, calls) -> dict:
    """Granted amounts: per call id, for the whole contract, and per funder (3 queries), and
    under "released" what re-evaluations gave back since (`released_totals`)."""
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
    base = Decision.objects.filter(session__tenant=tenant, outcome=DecisionOutcome.GRANTED)
    per_call = dict(base.filter(dossier__call__in=calls).values_list("dossier__call_id")
                    .annotate(total=Coalesce(Sum("amount"), zero)))
    contract = base.aggregate(total=Coalesce(Sum("amount"), zero))["total"]
    shares = DecisionShare.objects.filter(decision__session__tenant=tenant,
                                          decision__outcome=DecisionOutcome.GRANTED)
    per_funder = dict(shares.values_list("funder").annotate(total=Coalesce(Sum("amount"), zero)))
    per_call_funder = {(call_id, funder): money(total) for call_id, funder, total in shares.filter(
        decision__dossier__call__in=calls).values_list("decision__dossier__call_id", "funder")
        .annotate(total=Coalesce(Sum("amount"), zero)).order_by()}
    return {"per_call": {k: money(v) for k, v in per_call.items()},
            "contract": money(contract),
            "per_funder": {k: money(v) for k, v in per_funder.items()},
            "per_call_funder": per_call_funder,
            "released": released_totals(tenant, calls)}


@dataclass(frozen=True)
class FunderLine:
    """One funder's envelope for one call (or the contract, ``call_id`` None): what is
    committed (granted decisions), what the open session proposes on top, what remains."""

    funder: str
    funder_label: str
    scope_label: str
    call_id: int | None
    envelope: Decimal | None
    committed: Decimal
    proposed: Decimal = Decimal("0.00")
    #: given back by re-evaluations since the grants (the envelope gets it back)
    released: Decimal = Decimal("0.00")

    @property
    def label(self) -> str:
        return f"{self.funder_label} — {self.scope_label}"

    @property
    def after(self) -> Decimal:
        """What the envelope carries after the proposal: committed − released + proposed."""
        return money(self.committed - self.released + self.proposed)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.envelope is None else money(self.envelope - self.after)

    @property
    def exceeded(self) -> bool:
        return self.envelope is not None and self.after > self.envelope


def funder_envelope_lines(tenant, calls, totals=None, *, proposed=None,
                          proposed_call_id=None) -> list[FunderLine]:
    """Each funder's envelope per call (the funders of that call), then per contract, with
    the committed amounts and, for ``proposed`` ({funder: amount} on a dossier of call
    ``proposed_call_id``), the amounts the open session proposes (1 query + the totals')."""
    from calls.enums import Funder

    from .models import FunderEnvelope

    totals = totals or granted_totals(tenant, calls)
    released = totals.get("released") or {}
    budgets = {(call_id, funder): amount for call_id, funder, amount in
               FunderEnvelope.objects.filter(tenant=tenant).filter(
                   Q(call__isnull=True) | Q(call__in=calls)).values_list("call_id", "funder",
                                                                         "amount")}
    labels = {k: str(v) for k, v in Funder.choices}
    proposed = {f: money(a) for f, a in (proposed or {}).items() if a}
    lines, funders = [], []
    for call in calls:
        for funder in call.funders or []:
            if funder not in funders:
                funders.append(funder)
            lines.append(FunderLine(
                funder, labels.get(funder, funder), str(call), call.pk,
                budgets.get((call.pk, funder)),
                totals["per_call_funder"].get((call.pk, funder), money(0)),
                proposed.get(funder, money(0)) if call.pk == proposed_call_id else money(0),
                (released.get("per_call_funder") or {}).get((call.pk, funder), money(0))))
    contract = str(tenant.contract_title or tenant.name)
    for funder in [f for f in Funder.values if f in funders or (None, f) in budgets]:
        lines.append(FunderLine(funder, labels.get(funder, funder), contract, None,
                                budgets.get((None, funder)),
                                totals["per_funder"].get(funder, money(0)),
                                proposed.get(funder, money(0)),
                                (released.get("per_funder") or {}).get(funder, money(0))))
    return lines


def funder_overruns(lines: list[FunderLine]) -> list[FunderLine]:
    return [line for line in lines if line.exceeded and line.proposed > 0]


def envelope_lines(tenant, calls, totals=None) -> list[EnvelopeLine]:
    totals = totals or granted_totals(tenant, calls)
    released = totals.get("released") or {}
    lines = [EnvelopeLine(str(call), call.envelope, totals["per_call"].get(call.pk, money(0)),
                          (released.get("per_call") or {}).get(call.pk, money(0)))
             for call in calls]
    lines.append(EnvelopeLine(str(tenant.contract_title or tenant.name), tenant.envelope,
                              totals["contract"], released.get("contract") or money(0)))
    return lines


def reviews_prefetch(prefix: str = ""):
    """The submitted reviews with their authors, as `submitted_reviews` (one query)."""
    qs = Review.objects.filter(status=ReviewStatus.SUBMITTED).select_related("officer")
    return Prefetch(f"{prefix}reviews", queryset=qs, to_attr="submitted_reviews")


# --- Committee agenda --------------------------------------------------------------------------

class _ByKey:
    """Rows the templates read by key: ``{{ row.reference }}`` finds the value at its first,
    dictionary, lookup instead of raising (and catching) a TypeError per attribute and row."""

    def __getitem__(self, key):
        return self.__dict__[key]


@dataclass(frozen=True)
class AgendaReview(_ByKey):
    officer: str
    funder: str
    total: Decimal | None
    recommendation: str
    proposed_amount: Decimal | None
    #: `total` localised (« 14,50 ») and `proposed_amount` as money (« 12 000,00 € »)
    total_text: str = ""
    proposed_text: str = ""


@dataclass(frozen=True)
class AgendaRow(_ByKey):
    """One agenda item as the committee page shows it: plain values, French labels and the
    amounts and scores already written out, read in a fixed number of queries (no model
    instances: at 342 items building them, their related objects and their choice labels
    cost most of the page; formatting each number in the template cost a fifth of it)."""

    item_pk: int
    position: int
    dossier_pk: int
    reference: str
    structure_name: str
    title: str
    call_title: str
    category_title: str
    requested_amount: Decimal | None
    status: str
    status_label: str
    review_count: int
    mean: Decimal | None
    median: Decimal | None
    spread: Decimal | None
    reviews: tuple[AgendaReview, ...]
    decision_pk: int | None
    decision_outcome: str
    decision_label: str
    decision_amount: Decimal | None
    decision_advance: Decimal | None
    decision_balance: Decimal | None
    decision_motivation: str
    decided_by: str
    recused: tuple[str, ...]
    conflicted: bool
    scores_hidden: bool
    letter: bool
    can_decide: bool
    can_read: bool = False
    can_recuse: bool = False
    call_id: int | None = None
    #: the reviewers disagree (spread above the call's threshold), for whoever reads scores
    disagreement: bool = False
    #: « Moyenne 14,50/20 · médiane 14,00 · écart 2,00 » when the reader sees the scores
    scores_text: str = ""
    #: the amounts as money (« 12 000,00 € »), "" when there is none
    requested_text: str = ""
    decision_amount_text: str = ""
    decision_advance_text: str = ""
    decision_balance_text: str = ""


def _person(first: str | None, last: str | None, email: str | None) -> str:
    """As `User.__str__` says it (full name, else e-mail), without loading the user."""
    return f"{first or ''} {last or ''}".strip() or (email or "")


def _localised():
    """A formatter of decimals as the templates localise them (``{{ value }}``) in the active
    language: a score (under 1 000, two decimals) only changes its decimal point, and is
    written so directly; any other value goes through Django's `localize`."""
    from django.conf import settings
    from django.utils.formats import get_format, localize

    separator = get_format("DECIMAL_SEPARATOR")
    grouping = settings.USE_THOUSAND_SEPARATOR

    def text(value) -> str:
        if value is None:
            return ""
        written = str(value)
        if grouping or "E" in written or not -1000 < value < 1000:
            return str(localize(value))
        return written.replace(".", separator)
    return text


def _agenda_permissions(session, user, seat):
    """``(recused, conflicted) -> (may read, may decide)`` for `user`'s agenda items. The
    committee's rules (reviews.rules) depend on an item only through the viewer's seat in its
    session, their recusal and their conflict on it: each of the four combinations is checked
    once through the permissions, not once per item."""
    known: dict[tuple[bool, bool], tuple[bool, bool]] = {}

    def permissions(recused: bool, conflicted: bool) -> tuple[bool, bool]:
        if (recused, conflicted) not in known:
            probe = AgendaItem(session=session)
            probe.viewer_id, probe.viewer_present = user.pk, seat
            probe.viewer_recused, probe.viewer_conflicted = recused, conflicted
            known[recused, conflicted] = (
                user.has_perm("reviews.read_agenda_dossier", probe),
                user.has_perm("reviews.decide_agenda_dossier", probe))
        return known[recused, conflicted]
    return permissions


def agenda_rows(*, session, user, members, can_decide: bool,
                letter_decision_ids=frozenset(), item_ids=None) -> list[AgendaRow]:
    """The agenda of `session` for `user`, in order: a member's conflicts hide the reviews
    and the decision button from them, scores follow `scores_visible` (blind review), recused
    and conflicted members are listed per dossier; `letter` says the decision's letter is
    stored (`letter_decision_ids`: the decisions' ids as strings). 7 queries whatever the
    length of the agenda."""
    from django.utils.translation import gettext

    from portal.formatting import format_money

    from .enums import Recommendation

    items = AgendaItem.objects.filter(session=session)
    if item_ids is not None:  # one item (the live meeting's current dossier)
        items = items.filter(pk__in=list(item_ids))
    items = list(items.order_by("position", "pk").values_list(
        "pk", "position", "dossier_id", "dossier__reference", "dossier__structure__name",
        "dossier__title", "dossier__call__title", "dossier__category__title",
        "dossier__requested_amount", "dossier__status", "dossier__review_summary__review_count",
        "dossier__review_summary__mean", "dossier__review_summary__median",
        "dossier__review_summary__spread", "dossier__decision__pk", "dossier__decision__outcome",
        "dossier__decision__amount", "dossier__decision__advance_amount",
        "dossier__decision__motivation", "dossier__decision__decided_by__first_name",
        "dossier__decision__decided_by__last_name", "dossier__decision__decided_by__email",
        "dossier__call_id"))
    thresholds = disagreement_thresholds(session.tenant, {row[-1] for row in items})
    dossier_ids = [row[2] for row in items]
    # the whole agenda: its dossiers as a subquery rather than a list of ids in each query
    agenda = (AgendaItem.objects.filter(session=session).values("dossier_id")
              if item_ids is None else dossier_ids)
    number = _localised()
    reviews = defaultdict(list)
    funder_labels = {k: str(v) for k, v in Review._meta.get_field("funder").choices}
    recommendation_labels = {k: str(v) for k, v in Recommendation.choices}
    for (dossier_id, first, last, email, funder, total, recommendation,
         proposed) in Review.objects.filter(
            dossier_id__in=agenda, status=ReviewStatus.SUBMITTED).order_by(
            "submitted_at", "pk").values_list(
            "dossier_id", "officer__first_name", "officer__last_name", "officer__email",
            "funder", "total", "recommendation", "proposed_amount"):
        reviews[dossier_id].append(AgendaReview(
            _person(first, last, email), funder_labels.get(funder, funder), total,
            recommendation_labels.get(recommendation, recommendation), proposed,
            total_text=number(total), proposed_text=format_money(proposed)))
    pairs = conflicted_pairs(session.tenant, agenda)
    readable = scores_visible_ids(user, session.tenant, agenda)
    recused = recused_by_dossier(session, dossier_ids, members, pairs=pairs)
    member_ids = {m.user_id for m in members}
    status_labels = {k: str(v) for k, v in status_choices()}
    outcome_labels = {k: str(v) for k, v in DecisionOutcome.choices}
    seat = next((m.present for m in members if m.user_id == user.pk), None)
    permissions = _agenda_permissions(session, user, seat)
    may_recuse = user.pk in member_ids and not session.is_closed
    scores_sentence = gettext("Moyenne %(mean)s/20 · médiane %(median)s · écart %(spread)s")
    rows = []
    for (item_pk, position, dossier_id, reference, structure_name, title, call_title,
         category_title, requested, status, review_count, mean, median, spread, decision_pk,
         outcome, amount, advance, motivation, first, last, email, call_id) in items:
        me_conflicted = (user.pk, dossier_id) in pairs
        visible = dossier_id in readable
        names = recused[dossier_id]
        me_recused = user.pk in names
        can_read, may_decide = permissions(me_recused, me_conflicted)
        balance = None if amount is None else amount - (advance or 0)
        count = (review_count or 0) if visible else 0
        rows.append(AgendaRow(
            item_pk=item_pk, position=position, dossier_pk=dossier_id, reference=reference,
            structure_name=structure_name, title=title or "", call_title=call_title,
            category_title=category_title or "", requested_amount=requested, status=status,
            status_label=status_labels.get(status, status),
            review_count=count,
            mean=mean if visible else None, median=median if visible else None,
            spread=spread if visible else None,
            reviews=tuple(reviews.get(dossier_id, ())) if visible and not me_conflicted else (),
            decision_pk=decision_pk, decision_outcome=outcome or "",
            decision_label=outcome_labels.get(outcome, ""),
            decision_amount=amount, decision_advance=advance, decision_balance=balance,
            decision_motivation=motivation or "",
            decided_by=_person(first, last, email) if outcome else "",
            recused=tuple(str(u) for u in names.values()), conflicted=me_conflicted,
            scores_hidden=not visible,
            letter=decision_pk is not None and str(decision_pk) in letter_decision_ids,
            can_read=can_read, can_decide=can_decide and may_decide,
            can_recuse=may_recuse and not me_recused,
            call_id=call_id,
            disagreement=visible and not me_conflicted and is_disagreement(
                spread, thresholds.get(call_id, DEFAULT_DISAGREEMENT_THRESHOLD),
                review_count or 0),
            scores_text=scores_sentence % {"mean": number(mean), "median": number(median),
                                           "spread": number(spread)} if count else "",
            requested_text=format_money(requested), decision_amount_text=format_money(amount),
            decision_advance_text=format_money(advance),
            decision_balance_text=format_money(balance)))
    return rows


# --- The committee page ------------------------------------------------------------------

def stored_letter_ids(session) -> set[str]:
    """Ids (as stored) of the session's decisions whose letter exists; only once closed
    (2 queries then, none before)."""
    from portal.models import GeneratedDocument

    from .letters import LETTER_KIND

    if not session.is_closed:
        return set()
    ids = [str(pk) for pk in Decision.objects.filter(session=session).values_list("pk", flat=True)]
    return set(GeneratedDocument.objects.filter(kind=LETTER_KIND, target_id__in=ids,
                                                tenant=session.tenant)
               .values_list("target_id", flat=True))


def session_minutes(session, user):
    """The stored minutes of a closed session, for whoever may read them (else None)."""
    from portal.models import GeneratedDocument

    if not (session.is_closed and user.has_perm("reviews.read_session_minutes", session)):
        return None
    return GeneratedDocument.objects.filter(kind="reviews.committee_minutes",
                                            target_id=str(session.pk)).first()


def session_page(*, session, user) -> dict:
    """What the committee page of `session` shows `user`: the calls, the members (and who is
    present), the agenda rows (`agenda_rows`), the envelopes, the letters' progress and the
    minutes once closed, and for whoever manages the sessions the accounts that may still be
    seated: a fixed number of queries whatever the length of the agenda
    (tests/reviews/test_agenda_selector.py counts the page's)."""
    from calls.enums import Funder

    from .letters_batch import session_letters_progress

    tenant = session.tenant
    calls = list(session.calls.all())
    members = session_members(session)
    totals = granted_totals(tenant, calls)
    can_manage = (user.has_perm("reviews.manage_sessions", tenant) and not session.is_closed)
    rows = agenda_rows(session=session, user=user, members=members,
                       can_decide=not session.is_closed,
                       letter_decision_ids=stored_letter_ids(session))
    funders = sorted({f for c in calls for f in (c.funders or [])})
    return {
        "calls": calls, "members": members, "present": [m for m in members if m.present],
        "rows": rows, "can_decide": any(r.can_decide for r in rows), "can_manage": can_manage,
        "envelope": envelope_lines(tenant, calls, totals),
        "funder_lines": funder_envelope_lines(tenant, calls, totals),
        "per_funder": [(Funder(f).label, totals["per_funder"].get(f, Decimal("0.00")))
                       for f in funders],
        # only a manager sees the form that seats them
        "candidates": session_member_candidates(
            session, member_ids={m.user_id for m in members}) if can_manage else [],
        "letters": session_letters_progress(session) if session.is_closed else None,
        "minutes": session_minutes(session, user),
    }


# --- The live meeting ----------------------------------------------------------------------

def meeting_votes(session, dossier_id) -> dict:
    """The votes cast on one dossier: ``{"tally": {choice: [names]}, "by_user": {user_id:
    choice}}`` (1 query)."""
    from .enums import VoteChoice
    from .models import Vote

    tally = {choice: [] for choice in VoteChoice.values}
    by_user = {}
    for user_id, choice, first, last, email in Vote.objects.filter(
            session=session, dossier_id=dossier_id).order_by("pk").values_list(
            "user_id", "choice", "user__first_name", "user__last_name", "user__email"):
        tally.setdefault(choice, []).append(_person(first, last, email))
        by_user[user_id] = choice
    return {"tally": tally, "by_user": by_user}


def votes_by_dossier(session) -> dict[int, dict[str, list[str]]]:
    """Every vote of the session, per dossier and choice, with the voters' names (1 query):
    the minutes print them."""
    from .models import Vote

    result: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for dossier_id, choice, first, last, email in Vote.objects.filter(session=session).order_by(
            "pk").values_list("dossier_id", "choice", "user__first_name", "user__last_name",
                              "user__email"):
        result[dossier_id][choice].append(_person(first, last, email))
    return result


def presence_events(session) -> list:
    from .models import PresenceEvent

    return list(PresenceEvent.objects.filter(session=session).select_related("user"))


def proposal_deltas(session, dossier_id, decision_shares: dict) -> dict:
    """What the chair's proposal on the current dossier adds to each funder's commitments
    (the proposal less what a recorded decision already commits)."""
    proposal = session.proposal or {}
    if proposal.get("dossier") != dossier_id:
        return {}
    return {f: money(Decimal(a) - decision_shares.get(f, Decimal("0")))
            for f, a in (proposal.get("shares") or {}).items()}
