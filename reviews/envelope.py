"""Pure envelope arithmetic in Decimal (no database).

The committee grants amounts within two envelopes: the call's (``Call.envelope``) and the
contract's (``Tenant.envelope``, shared by every call of the tenant). Either may be unknown
(None: no limit to check). Each granted amount is split between the funders paying it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class EnvelopeLine:
    label: str
    envelope: Decimal | None
    granted: Decimal
    #: given back since the grants (re-evaluations of final reports): the envelope gets it back
    released: Decimal = ZERO

    @property
    def used(self) -> Decimal:
        """What the grants take from the envelope: granted − released."""
        return money(self.granted - self.released)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.envelope is None else money(self.envelope - self.used)

    @property
    def exceeded(self) -> bool:
        return self.envelope is not None and self.used > self.envelope

    @property
    def percent_used(self) -> Decimal | None:
        if not self.envelope:
            return None
        return (self.used * 100 / self.envelope).quantize(Decimal("0.1"),
                                                          rounding=ROUND_HALF_UP)

    def with_amount(self, amount: Decimal) -> EnvelopeLine:
        return EnvelopeLine(self.label, self.envelope, money(self.granted + money(amount)),
                            self.released)


def overruns(lines: list[EnvelopeLine], adding: Decimal) -> list[EnvelopeLine]:
    """The envelopes that granting ``adding`` more would exceed (after the addition)."""
    return [line.with_amount(adding) for line in lines if line.with_amount(adding).exceeded]


def advance_and_balance(amount: Decimal, advance_percentage: Decimal | None) -> tuple[Decimal, Decimal]:
    """Advance = amount × percentage, rounded half-up to the cent; balance = the rest (so
    advance + balance == amount exactly)."""
    amount = money(amount)
    if advance_percentage is None:
        return ZERO, amount
    advance = money(amount * Decimal(advance_percentage) / 100)
    return advance, amount - advance


def split_check(amount: Decimal, shares: dict[str, Decimal]) -> bool:
    """The funders' shares add up to the amount, to the cent, and none is negative."""
    values = [money(v) for v in shares.values() if v is not None]
    return all(v >= 0 for v in values) and sum(values, ZERO) == money(amount)
