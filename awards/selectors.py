"""Reads of the follow-up: each funder's payments, a dossier's follow-up, the envelopes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from calls.enums import Funder

from .arithmetic import ZERO, money
from .enums import PaymentKind, PaymentStatus
from .models import BankAccount, FinalReport, Payment

FUNDER_ORDER = [Funder.DRAC.value, Funder.CNM.value, Funder.REGION.value]


def payments_for_funder(tenant, funder: str, *, user, status: str | None = None):
    """The payments `funder` makes or recovers in `tenant`, with the structure and its bank
    account, for `user` (an officer of that funder): never a dossier they declared a conflict
    of interest on."""
    from reviews.selectors import conflicted_dossier_ids_for

    qs = (Payment.objects.filter(tenant=tenant, funder=funder)
          .exclude(dossier_id__in=conflicted_dossier_ids_for(user, tenant))
          .exclude(status=PaymentStatus.CANCELLED)
          .select_related("dossier__structure__bank_account", "dossier__call", "dossier__tenant")
          .order_by("status", "dossier__reference", "kind"))
    if status:
        qs = qs.filter(status=status)
    return qs


def payments_to_export(tenant, funder: str, *, user):
    """What the funder's finance department must pay or recover: due and sent payments."""
    return payments_for_funder(tenant, funder, user=user).filter(
        status__in=[PaymentStatus.DUE, PaymentStatus.SENT])


def payments_to_transfer(tenant, funder: str, *, user):
    """What the SEPA file carries: the payments marked « transmis au service financier »."""
    return payments_for_funder(tenant, funder, user=user).filter(status=PaymentStatus.SENT)


def funder_account_of(tenant, funder: str):
    from .models import FunderAccount

    return FunderAccount.objects.filter(tenant=tenant, funder=funder).first()


def bank_account_of(structure) -> BankAccount | None:
    return BankAccount.objects.filter(structure=structure).first()


def schedule_of(dossier) -> list[Payment]:
    order = {k: i for i, k in enumerate(PaymentKind.values)}
    rows = list(Payment.objects.filter(dossier=dossier))
    return sorted(rows, key=lambda p: (order[p.kind], FUNDER_ORDER.index(p.funder)
                                       if p.funder in FUNDER_ORDER else 9))


def start_attestation_of(dossier):
    from .models import StartAttestation

    return StartAttestation.objects.filter(dossier=dossier).first()


def report_of(dossier) -> FinalReport | None:
    return FinalReport.objects.filter(dossier=dossier).prefetch_related("lines").first()


# --- Envelopes --------------------------------------------------------------------------------

def released_amounts(tenant, calls) -> dict:
    """What re-evaluations released, for the committee's envelope checks
    (`reviews.selectors.register_released_amounts`): per call, contract, funder and (call,
    funder), from each re-evaluated report's per-funder shares (1 query)."""
    call_ids = {c.pk for c in calls}
    out = {"per_call": defaultdict(lambda: ZERO), "contract": ZERO,
           "per_funder": defaultdict(lambda: ZERO), "per_call_funder": defaultdict(lambda: ZERO)}
    rows = (FinalReport.objects.filter(dossier__tenant=tenant, reevaluation__isnull=False)
            .values_list("dossier__call_id", "reevaluation"))
    for call_id, data in rows:
        for funder, part in ((data or {}).get("funders") or {}).items():
            released = money(part.get("share")) - money(part.get("new_share"))
            if released <= 0:
                continue
            out["contract"] += released
            out["per_funder"][funder] += released
            if call_id in call_ids:
                out["per_call"][call_id] += released
                out["per_call_funder"][(call_id, funder)] += released
    return {"contract": out["contract"],
            **{k: dict(out[k]) for k in ("per_call", "per_funder", "per_call_funder")}}


@dataclass
class EnvelopeFigures:
    """Committed (the grants as they stand), paid (net of recoveries), remaining to pay and
    released (by re-evaluations), for one call and funder, or a total."""

    label: str
    granted: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    released: Decimal = ZERO
    envelope: Decimal | None = None
    funders: list[EnvelopeFigures] = field(default_factory=list)

    #: (remaining, to_recover) summed over what was added: one grant's recovery never hides
    #: another's payment due (None: a single grant's figures)
    sums: list | None = None

    @property
    def remaining(self) -> Decimal:
        """Still to pay (never negative: an advance above the grant as it stands is to be
        recovered, see `to_recover`)."""
        if self.sums is not None:
            return self.sums[0]
        return max(self.committed - self.paid, ZERO)

    @property
    def to_recover(self) -> Decimal:
        """Paid above the grant as it stands (a re-evaluation's recovery not collected yet)."""
        if self.sums is not None:
            return self.sums[1]
        return max(self.paid - self.committed, ZERO)

    @property
    def envelope_left(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.committed

    def add(self, other: EnvelopeFigures) -> None:
        self.sums = [(self.sums or [ZERO, ZERO])[0] + other.remaining,
                     (self.sums or [ZERO, ZERO])[1] + other.to_recover]
        self.granted += other.granted
        self.committed += other.committed
        self.paid += other.paid
        self.released += other.released


def envelope_figures(tenant) -> dict:
    """{"calls": [EnvelopeFigures with .funders], "funders": [totals per funder], "total"} of
    the grants published in `tenant` (decisions of closed sessions)."""
    from reviews.enums import DecisionOutcome, SessionStatus
    from reviews.models import Decision

    decisions = (Decision.objects.filter(session__tenant=tenant, outcome=DecisionOutcome.GRANTED,
                                         session__status=SessionStatus.CLOSED)
                 .select_related("dossier__call", "dossier__final_report")
                 .prefetch_related("shares", Prefetch("dossier__payments",
                                                      queryset=Payment.objects.all())))
    by_call: dict[int, dict[str, EnvelopeFigures]] = defaultdict(dict)
    calls = {}
    for decision in decisions:
        dossier = decision.dossier
        calls[dossier.call_id] = dossier.call
        report = getattr(dossier, "final_report", None)
        reevaluated = (report.reevaluation or {}).get("funders", {}) if report else {}
        paid = defaultdict(lambda: ZERO)
        for p in dossier.payments.all():
            if p.status == PaymentStatus.PAID:
                sign = -1 if p.kind == PaymentKind.RECOVERY else 1
                paid[p.funder] += sign * (p.paid_amount or ZERO)
        for share in decision.shares.all():
            f = share.funder
            now = money(reevaluated[f]["new_share"]) if f in reevaluated else share.amount
            figures = by_call[dossier.call_id].setdefault(
                f, EnvelopeFigures(label=str(Funder(f).label) if f in Funder.values else f))
            figures.add(EnvelopeFigures(label="", granted=share.amount, committed=now,
                                        paid=paid[f], released=share.amount - now))
    from reviews.models import FunderEnvelope

    budgets = {(e.call_id, e.funder): e.amount
               for e in FunderEnvelope.objects.filter(tenant=tenant)}
    result_calls, per_funder = [], {}
    total = EnvelopeFigures(label="total", envelope=tenant.envelope)
    for call_id, funders in by_call.items():
        call = calls[call_id]
        row = EnvelopeFigures(label=call.title, envelope=call.envelope)
        for f in sorted(funders, key=lambda f: FUNDER_ORDER.index(f) if f in FUNDER_ORDER else 9):
            funders[f].envelope = budgets.get((call_id, f))
            row.funders.append(funders[f])
            row.add(funders[f])
            per_funder.setdefault(f, EnvelopeFigures(label=funders[f].label,
                                                     envelope=budgets.get((None, f)))
                                  ).add(funders[f])
        result_calls.append(row)
        total.add(row)
    result_calls.sort(key=lambda r: r.label)
    return {"calls": result_calls, "total": total,
            "funders": [per_funder[f] for f in sorted(
                per_funder, key=lambda f: FUNDER_ORDER.index(f) if f in FUNDER_ORDER else 9)]}


def envelope_chart(rows: list[EnvelopeFigures], *, width: int = 720, bar: int = 22,
                   gap: int = 14, label_width: int = 250) -> dict:
    """Geometry of a horizontal stacked-bar chart (server-rendered SVG): one bar per row,
    paid | remaining to pay | released, scaled on the largest grant."""
    scale_max = max((r.granted for r in rows), default=ZERO) or Decimal(1)
    plot = width - label_width - 10
    bars = []
    for i, r in enumerate(rows):
        y = i * (bar + gap) + 4
        segments, x = [], Decimal(label_width)
        # paid (up to the grant as it stands) + remaining + released = the granted amount
        for key, value in (("paid", max(min(r.paid, r.committed), ZERO)),
                           ("remaining", r.remaining), ("released", max(r.released, ZERO))):
            w = (value * plot / scale_max).quantize(Decimal("0.1"))
            if w > 0:
                segments.append({"key": key, "x": x, "width": w, "value": value})
            x += w
        bars.append({"label": r.label, "y": y, "text_y": y + bar - 6, "segments": segments,
                     "row": r})
    return {"width": width, "height": len(rows) * (bar + gap) + 8, "bar": bar, "bars": bars,
            "label_x": label_width - 8}
