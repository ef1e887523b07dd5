"""Reads of the calls app (querysets with their prefetches; no N+1 on list pages)."""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Prefetch
from django.utils import timezone

from portal import page_generations

from .enums import CallPhase, CallStatus
from .models import (AppraisalCriterion, Call, Category, DocumentRequirement,
                     EligibilityCriterion, Track)


def public_calls(tenant):
    """Published and closed calls of `tenant` (not drafts, not archived)."""
    return (Call.objects.filter(tenant=tenant,
                                status__in=[CallStatus.PUBLISHED, CallStatus.CLOSED])
            .prefetch_related(Prefetch("tracks", queryset=Track.objects.order_by("position",
                                                                                   "pk")))
            .order_by("closes_at", "title"))


# --- The public call pages' reads, kept in the shared cache -------------------------------
# The region home and a call's page are the pages every applicant opens; what they read (the
# public calls with their tracks, a call with its rules) is the same for every visitor and
# changes only when the tenant's staff edit a call. It is cached per tenant under a
# generation token that any save or deletion of a call or of an item under it forgets
# (`forget_calls`, connected in calls.signals; again when the transaction commits, so that a
# reader between the write and the commit cannot keep the old state), so nothing is ever read
# under another tenant's key or after an edit. What depends on the clock (open, closed,
# countdown) and on the visitor (may they see a draft) is computed on each request.

CALLS_CACHE_SECONDS = 300
_GENERATION_KEY = "calls-generation:{tenant_id}"


def _generation(tenant_id) -> str:
    key = _GENERATION_KEY.format(tenant_id=tenant_id)
    generation = cache.get(key)
    if generation is None:
        generation = secrets.token_hex(8)
        if not cache.add(key, generation, CALLS_CACHE_SECONDS * 12):
            generation = cache.get(key) or generation
    return generation


def forget_calls(tenant_id) -> None:
    """A call of the tenant or an item under it changed: its cached calls are read again, now
    and once the transaction commits."""
    key = _GENERATION_KEY.format(tenant_id=tenant_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _cached(tenant_id, name: str, read):
    """`read()`, kept under the tenant's calls generation with the tables it came from (a
    page kept by portal.pagecache depends on them even when the value came from here)."""
    key = f"calls:{tenant_id}:{_generation(tenant_id)}:{name}:with-tables"
    found = cache.get(key)
    if found is None:
        with page_generations.recording() as reads:
            value = read()
        if value is not None:
            cache.set(key, (value, frozenset(reads.tables)), CALLS_CACHE_SECONDS)
        return value
    value, tables = found
    page_generations.read(tables)
    return value


def calls_by_phase(tenant, now=None) -> dict[str, list[Call]]:
    """``{"open": [...], "upcoming": [...], "closed": [...]}`` for the region home (the
    public calls with their tracks, from the cache; 2 queries when not cached). Open calls:
    nearest deadline first; closed: most recent first."""
    now = now or timezone.now()
    groups = {CallPhase.OPEN: [], CallPhase.UPCOMING: [], CallPhase.CLOSED: []}
    for call in _cached(tenant.pk, "public", lambda: list(public_calls(tenant))):
        phase = call.phase(now)
        if phase in groups:
            groups[phase].append(call)
    groups[CallPhase.CLOSED].sort(key=lambda c: c.closes_at or now, reverse=True)
    groups[CallPhase.UPCOMING].sort(key=lambda c: c.opens_at or now)
    return {str(k): v for k, v in groups.items()}


def choice_rows(tenant) -> list[tuple]:
    """``(kind, pk, title, call title, position)`` of each call, track and category of
    `tenant` (kind: "call", "track" or "category"; a call's position is 0), unordered: what
    the staff's drop-downs list (the instruction dashboard's filters). From the cache, under
    the tenant's generation token (one query when not cached)."""
    return _cached(tenant.pk, "choice-rows", lambda: _choice_rows(tenant))


def _choice_rows(tenant) -> list[tuple]:
    from django.db.models import CharField, IntegerField, Value

    def rows(model, kind, tenant_path, call_title):
        return model.objects.filter(**{tenant_path: tenant}).order_by().values_list(
            Value(kind, output_field=CharField()), "pk", "title", call_title,
            Value(0, output_field=IntegerField()) if kind == "call" else "position")

    return list(rows(Call, "call", "tenant", "title").union(
        rows(Track, "track", "call__tenant", "call__title"),
        rows(Category, "category", "call__tenant", "call__title"), all=True))


#: Items of a call: call level first, then per track, then per category, then by position.
SCOPE_ORDER = (F("track__position").asc(nulls_first=True), F("track_id").asc(nulls_first=True),
               F("category__position").asc(nulls_first=True),
               F("category_id").asc(nulls_first=True), "position", "pk")


def call_with_rules(tenant, slug: str) -> Call:
    """One call with everything under it (raises Call.DoesNotExist)."""
    return (Call.objects.filter(tenant=tenant, slug=slug)
            .prefetch_related(
                Prefetch("tracks", queryset=Track.objects.order_by("position", "pk")),
                Prefetch("categories", queryset=Category.objects.select_related("track")),
                Prefetch("eligibility_criteria",
                         queryset=EligibilityCriterion.objects.select_related("track", "category")
                         .order_by(*SCOPE_ORDER)),
                Prefetch("appraisal_criteria",
                         queryset=AppraisalCriterion.objects.select_related("track", "category")
                         .order_by(*SCOPE_ORDER)),
                Prefetch("document_requirements",
                         queryset=DocumentRequirement.objects.select_related("track", "category")
                         .order_by(*SCOPE_ORDER)))
            .get())


def public_call_with_rules(tenant, slug: str) -> Call:
    """`call_with_rules` for the public call page, from the cache (raises Call.DoesNotExist;
    an unknown slug is not cached). The caller still checks ``calls.view_call``."""
    call = _cached(tenant.pk, f"rules:{slug}", lambda: _call_with_rules_or_none(tenant, slug))
    if call is None:
        raise Call.DoesNotExist
    return call


def _call_with_rules_or_none(tenant, slug: str):
    try:
        return call_with_rules(tenant, slug)
    except Call.DoesNotExist:
        return None


def manage_calls(tenant):
    """Every call of `tenant` with its counts, for the admin list (one query)."""
    return (Call.objects.filter(tenant=tenant)
            .annotate(track_count=Count("tracks", distinct=True),
                      category_count=Count("categories", distinct=True),
                      criterion_count=Count("eligibility_criteria", distinct=True),
                      document_count=Count("document_requirements", distinct=True))
            .order_by("-created_at", "title"))


def ical_calls(tenant):
    """Calls whose dates go to the region's iCalendar feed."""
    return (Call.objects.filter(tenant=tenant,
                                status__in=[CallStatus.PUBLISHED, CallStatus.CLOSED])
            .order_by("closes_at", "pk"))


def criteria_by_scope(call: Call) -> list[dict]:
    """The call's eligibility criteria grouped for display: call level, then each track
    (and its categories), then each call-level category. Uses the prefetched rows."""
    criteria = list(call.eligibility_criteria.all())
    groups = [{"title": None, "items": [c for c in criteria
                                        if c.track_id is None and c.category_id is None]}]
    for track in call.tracks.all():
        groups.append({"title": track.title, "items": [
            c for c in criteria if c.track_id == track.pk and c.category_id is None]})
    for category in call.categories.all():
        groups.append({"title": category.title, "items": [
            c for c in criteria if c.category_id == category.pk]})
    return [g for g in groups if g["items"]]


@dataclass(frozen=True)
class EnvelopeCommitment:
    """The calls' envelopes against the contract's: one pot funds every call of a contract."""

    contract: Decimal
    committed: Decimal
    calls: list  # [(title, envelope)], largest first

    @property
    def over(self) -> Decimal:
        return self.committed - self.contract


def envelope_overcommitment(tenant) -> EnvelopeCommitment | None:
    """When the envelopes of the contract's calls add up to more than the contract's envelope
    (two calls of 150 000 € under a 150 000 € contract), what they add up to; None when they
    fit or when the contract's envelope is not known. Every call counts, drafts and archived
    ones included: each draws on the same multi-year pot."""
    if tenant.envelope is None:
        return None
    rows = list(Call.objects.filter(tenant=tenant, envelope__isnull=False)
                .order_by("-envelope", "title").values_list("title", "envelope"))
    committed = sum((envelope for _title, envelope in rows), Decimal("0"))
    if committed <= tenant.envelope:
        return None
    return EnvelopeCommitment(contract=tenant.envelope, committed=committed, calls=rows)
