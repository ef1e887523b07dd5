"""The money of a grant's follow-up, in Decimal, to the cent, without the database.

* `split(total, weights)`: a total shared pro rata between funders so that the parts add up
  to the total exactly (largest remainder: each part rounded down to the cent, the leftover
  cents to the largest remainders, ties to the funder order given);
* `reevaluate(...)`: the grant after the final report — when the realised eligible expenses
  are lower than planned the grant is reduced pro rata of them, and never above the call's
  cap (its maximum share of the eligible expenses, or of the budget, as realised); each
  funder's share reduced the same way (`split`), its balance = new share − advance paid,
  negative when the funder must recover part of its advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(CENTS, rounding=ROUND_HALF_UP)


def split(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """`total` shared between the keys of `weights` pro rata; the parts add up to `total`."""
    total = money(total)
    keys = list(weights)
    weight_sum = sum((Decimal(w) for w in weights.values()), Decimal(0))
    if not keys:
        return {}
    if weight_sum <= 0:
        parts = {k: ZERO for k in keys}
        parts[keys[0]] = total
        return parts
    exact = {k: total * Decimal(weights[k]) / weight_sum for k in keys}
    parts = {k: exact[k].quantize(CENTS, rounding=ROUND_DOWN) for k in keys}
    leftover = int((total - sum(parts.values(), ZERO)) / CENTS)
    order = sorted(keys, key=lambda k: (-(exact[k] - parts[k]), keys.index(k)))
    for k in order[:leftover]:
        parts[k] += CENTS
    return parts


@dataclass(frozen=True)
class FunderOutcome:
    funder: str
    share: Decimal  # granted by the committee
    new_share: Decimal  # after re-evaluation
    advance: Decimal  # paid
    balance: Decimal  # new_share − advance: > 0 to pay, < 0 to recover

    @property
    def released(self) -> Decimal:
        return self.share - self.new_share

    @property
    def to_pay(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def to_recover(self) -> Decimal:
        return max(-self.balance, ZERO)


@dataclass(frozen=True)
class Reevaluation:
    granted: Decimal
    planned_eligible: Decimal
    realised_eligible: Decimal
    pro_rata: Decimal  # granted × realised / planned (capped at granted)
    cap: Decimal | None  # the call's cap on the realised base, if any
    amount: Decimal  # the re-evaluated grant
    funders: list[FunderOutcome] = field(default_factory=list)

    @property
    def reduced(self) -> bool:
        return self.amount < self.granted

    @property
    def released(self) -> Decimal:
        return self.granted - self.amount

    @property
    def advance(self) -> Decimal:
        return sum((f.advance for f in self.funders), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.amount - self.advance

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.cap < self.pro_rata


def reevaluate(*, granted: Decimal, shares: dict[str, Decimal], advances: dict[str, Decimal],
               planned_eligible: Decimal, realised_eligible: Decimal,
               max_share: Decimal | None = None, cap_base: Decimal | None = None
               ) -> Reevaluation:
    """The grant after the final report.

    `shares`: each funder's part of `granted`; `advances`: what each funder paid already;
    `max_share` (percent) and `cap_base` (the realised eligible expenses, or the realised
    budget, as the call's rule says): the call's cap, None when the call sets none."""
    granted = money(granted)
    planned, realised = money(planned_eligible), money(realised_eligible)
    if planned <= 0 or realised >= planned:
        pro_rata = granted
    else:
        pro_rata = min(granted, money(granted * realised / planned))
    cap = None
    if max_share is not None and cap_base is not None:
        cap = max(money(Decimal(cap_base) * Decimal(max_share) / 100), ZERO)
    amount = max(min(pro_rata, cap) if cap is not None else pro_rata, ZERO)
    new_shares = split(amount, {f: money(a) for f, a in shares.items()})
    funders = [FunderOutcome(funder=f, share=money(shares[f]), new_share=new_shares[f],
                             advance=money(advances.get(f)),
                             balance=new_shares[f] - money(advances.get(f)))
               for f in shares]
    return Reevaluation(granted=granted, planned_eligible=planned, realised_eligible=realised,
                        pro_rata=pro_rata, cap=cap, amount=amount, funders=funders)
