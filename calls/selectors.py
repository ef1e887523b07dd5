"""Reads of the calls app (querysets with their prefetches; no N+1 on list pages)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch
from django.utils import timezone

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


def calls_by_phase(tenant, now=None) -> dict[str, list[Call]]:
    """``{"open": [...], "upcoming": [...], "closed": [...]}`` for the region home (2
    queries). Open calls: nearest deadline first; closed: most recent first."""
    now = now or timezone.now()
    groups = {CallPhase.OPEN: [], CallPhase.UPCOMING: [], CallPhase.CLOSED: []}
    for call in public_calls(tenant):
        phase = call.phase(now)
        if phase in groups:
            groups[phase].append(call)
    groups[CallPhase.CLOSED].sort(key=lambda c: c.closes_at or now, reverse=True)
    groups[CallPhase.UPCOMING].sort(key=lambda c: c.opens_at or now)
    return {str(k): v for k, v in groups.items()}


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
