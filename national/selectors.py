"""The national view's reads: named cross-tenant selectors, the only reads of the portal that
cross tenants besides the platform admin's. Each one runs under ``scopes_disabled()`` and
returns figures and public facts only (calls, dates, envelopes, counts, sums): no structure,
no applicant, no person, whatever the reader holds. One query each, whatever the number of
tenants."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django_scopes import scopes_disabled

from applications.enums import DossierStatus
from applications.models import Dossier
from applications.workflow import status_choices
from awards.enums import PaymentKind, PaymentStatus
from awards.models import Payment
from calls.enums import CallStatus, Funder
from calls.models import Call
from mentoring.enums import NeedState
from mentoring.models import Engagement, NeedRequest
from portal.models import Tenant
from reviews.enums import DecisionOutcome, SessionStatus
from reviews.models import CommitteeSession, DecisionShare

ZERO = Decimal("0.00")


def national_tenants() -> list[dict]:
    return list(Tenant.objects.order_by("name").values("pk", "name", "envelope"))


def national_calls() -> list[dict]:
    """Every published (or closed, archived) call of every region: dates and envelope."""
    with scopes_disabled():
        return list(Call.objects.exclude(status=CallStatus.DRAFT)
                    .order_by("tenant__name", "opens_at", "title")
                    .values("tenant_id", "tenant__name", "title", "status", "opens_at",
                            "closes_at", "committee_date", "envelope", "funders"))


def national_dossiers_per_state() -> dict[int, dict[str, int]]:
    """{tenant_id: {state: count}} of the filed dossiers (drafts are nobody's business)."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    with scopes_disabled():
        for tenant_id, status, n in (Dossier.objects.exclude(status=DossierStatus.DRAFT)
                                     .order_by().values_list("tenant_id", "status")
                                     .annotate(n=Count("pk"))):
            result[tenant_id][status] = n
    return result


def national_requested() -> dict[int, Decimal]:
    """{tenant_id: amount requested by the filed dossiers}."""
    with scopes_disabled():
        return {tenant_id: total or ZERO for tenant_id, total in
                Dossier.objects.exclude(status=DossierStatus.DRAFT).order_by()
                .values_list("tenant_id").annotate(total=Sum("requested_amount"))}


def national_granted_per_funder() -> dict[tuple[int, str], Decimal]:
    """{(tenant_id, funder): granted} — decisions of closed sessions only (published ones)."""
    with scopes_disabled():
        return {(t, f): total or ZERO for t, f, total in DecisionShare.objects.filter(
            decision__outcome=DecisionOutcome.GRANTED,
            decision__session__status=SessionStatus.CLOSED).order_by()
            .values_list("decision__session__tenant_id", "funder").annotate(total=Sum("amount"))}


def national_paid_per_funder() -> dict[tuple[int, str], Decimal]:
    """{(tenant_id, funder): paid} — payments made, less what was recovered."""
    with scopes_disabled():
        rows = (Payment.objects.filter(status=PaymentStatus.PAID).order_by()
                .values_list("tenant_id", "funder").annotate(
                    paid=Sum("paid_amount", filter=~Q(kind=PaymentKind.RECOVERY)),
                    recovered=Sum("paid_amount", filter=Q(kind=PaymentKind.RECOVERY))))
        return {(t, f): (paid or ZERO) - (recovered or ZERO) for t, f, paid, recovered in rows}


def national_committees() -> list[dict]:
    """Every committee session: region, title, date, state, dossiers on its agenda."""
    with scopes_disabled():
        return list(CommitteeSession.objects.order_by("tenant__name", "date")
                    .annotate(items=Count("agenda"))
                    .values("tenant_id", "tenant__name", "title", "date", "status", "items"))


def national_mentoring() -> dict[int, dict]:
    """{tenant_id: {"needs": {state: n}, "engagements": started}}."""
    result: dict[int, dict] = defaultdict(lambda: {"needs": {}, "engagements": 0})
    with scopes_disabled():
        for tenant_id, state, n in (NeedRequest.objects.order_by()
                                    .values_list("tenant_id", "state").annotate(n=Count("pk"))):
            result[tenant_id]["needs"][state] = n
        for tenant_id, n in (Engagement.objects.filter(started_at__isnull=False).order_by()
                             .values_list("tenant_id").annotate(n=Count("pk"))):
            result[tenant_id]["engagements"] = n
    return result


def national_overview() -> dict:
    """Everything the national page and its export show, region by region (8 queries)."""
    tenants = national_tenants()
    per_state = national_dossiers_per_state()
    requested = national_requested()
    granted = national_granted_per_funder()
    paid = national_paid_per_funder()
    mentoring = national_mentoring()
    states = [(v, str(label)) for v, label in status_choices() if v != DossierStatus.DRAFT]
    funders = [(v, str(label)) for v, label in Funder.choices]
    need_states = [(v, str(label)) for v, label in NeedState.choices]
    regions = []
    for t in tenants:
        pk = t["pk"]
        regions.append({
            "name": t["name"], "envelope": t["envelope"],
            "states": [(label, per_state.get(pk, {}).get(v, 0)) for v, label in states],
            "dossiers": sum(per_state.get(pk, {}).values()),
            "requested": requested.get(pk, ZERO),
            "funders": [(label, granted.get((pk, v), ZERO), paid.get((pk, v), ZERO))
                        for v, label in funders],
            "granted": sum((granted.get((pk, v), ZERO) for v, _l in funders), ZERO),
            "paid": sum((paid.get((pk, v), ZERO) for v, _l in funders), ZERO),
            "needs": [(label, mentoring[pk]["needs"].get(v, 0)) for v, label in need_states]
            if pk in mentoring else [(label, 0) for _v, label in need_states],
            "engagements": mentoring[pk]["engagements"] if pk in mentoring else 0,
        })
    totals_per_state = [(label, sum(per_state.get(t["pk"], {}).get(v, 0) for t in tenants))
                        for v, label in states]
    state_rows = [(label, [r["states"][i][1] for r in regions])
                  for i, (_v, label) in enumerate(states)]
    # needs per state as rows, regions as columns (as the dossiers): a column per need state
    # ran off the page's right edge
    need_rows = [(label, [r["needs"][i][1] for r in regions])
                 for i, (_v, label) in enumerate(need_states)]
    return {"regions": regions, "state_rows": state_rows, "need_rows": need_rows,
            "calls": national_calls(), "committees": national_committees(),
            "states": states, "funders": funders,
            "pipeline": [(label, n) for label, n in totals_per_state if n],
            "funder_totals": [(label, sum((granted.get((t["pk"], v), ZERO) for t in tenants), ZERO),
                               sum((paid.get((t["pk"], v), ZERO) for t in tenants), ZERO))
                              for v, label in funders],
            "call_status": dict((v, str(label)) for v, label in CallStatus.choices),
            "session_status": dict((v, str(label)) for v, label in SessionStatus.choices)}
