"""Eligible expenses of a call (pure: no database).

A call says which natures of expense are eligible (`Call.eligible_expense_kinds`; none ticked:
every nature) and during which period expenses are eligible (`expenses_start` ..
`expenses_end`, inclusive). The share rules of a level (maximum share of the grant, minimum
self-financing) are percentages of the whole budget or of the eligible expenses
(`share_base`). A filed dossier is judged against the rules of its snapshot
(`calls.versioning.rules_snapshot`), so everything here reads either a Call or a snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from portal.formatting import format_date_local

from .enums import ExpenseKind, ShareBase


@dataclass(frozen=True)
class ExpenseRules:
    #: the eligible natures; None: every nature is eligible
    kinds: frozenset[str] | None
    start: date | None
    end: date | None
    share_base: str = ShareBase.BUDGET

    def is_eligible_kind(self, kind: str | None) -> bool:
        if self.kinds is None:
            return True
        return bool(kind) and kind in self.kinds

    @property
    def on_eligible(self) -> bool:
        return self.share_base == ShareBase.ELIGIBLE

    @property
    def period_label(self) -> str:
        """« du 1er janvier 2024 au 31 décembre 2025 » (or one bound), "" without a period."""
        if self.start and self.end:
            return _("du %(start)s au %(end)s") % {"start": format_date_local(self.start),
                                                   "end": format_date_local(self.end)}
        if self.start:
            return _("à partir du %(start)s") % {"start": format_date_local(self.start)}
        if self.end:
            return _("jusqu'au %(end)s") % {"end": format_date_local(self.end)}
        return ""

    @property
    def kinds_labels(self) -> list[str]:
        if self.kinds is None:
            return []
        return [str(label) for value, label in ExpenseKind.choices if value in self.kinds]

    def period_problem(self, label: str, first: date | None, last: date | None) -> str | None:
        """Why an expense dated `first`..`last` is refused (outside the eligible period), or
        None. A line with one date is an expense of that day."""
        first, last = first or last, last or first
        if first is None:
            return None
        if first and last and last < first:
            return _("La fin de la dépense « %(label)s » précède son début.") % {"label": label}
        if (self.start and first < self.start) or (self.end and last > self.end):
            return _("La dépense « %(label)s » sort de la période des dépenses éligibles de "
                     "l'appel (%(period)s) : elle ne peut pas figurer au budget.") % {
                "label": label, "period": self.period_label}
        return None


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def expense_rules(*, call=None, snapshot: dict | None = None,
                  rules: dict | None = None) -> ExpenseRules:
    """The eligible-expense rules of a dossier: from its snapshot when it has one (a filed
    dossier), else from the call's live settings; `rules` are the effective funding rules of
    its choice (their `share_base`). Snapshots older than these rules hold no natures: every
    nature is eligible there, as it was when they were filed."""
    base = (rules or {}).get("share_base") or ShareBase.BUDGET
    stored = (snapshot or {}).get("call")
    if stored is not None:
        kinds = stored.get("eligible_expense_kinds") or None
        return ExpenseRules(kinds=frozenset(kinds) if kinds else None,
                            start=_date(stored.get("expenses_start")),
                            end=_date(stored.get("expenses_end")), share_base=base)
    if call is None:
        return ExpenseRules(kinds=None, start=None, end=None, share_base=base)
    kinds = list(call.eligible_expense_kinds or [])
    return ExpenseRules(kinds=frozenset(kinds) if kinds else None, start=call.expenses_start,
                        end=call.expenses_end, share_base=base)


def share_base_words(rules: dict) -> str:
    """« du budget total de l'action » or « des dépenses éligibles »."""
    base = rules.get("share_base") or ShareBase.BUDGET
    return str(ShareBase(base).label)
