"""Budget arithmetic and the funding rules of the category (pure: no writes).

Total budget = total expenses. Income = the amount requested from the call + the income
lines (self-financing, other public funders, private, other). The budget balances when
income equals expenses to the cent. Shares are percentages of the total budget.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Iterable

from django.utils.translation import gettext as _

from calls.enums import ShareBase
from calls.expenses import ExpenseRules
from portal.formatting import format_money

from .enums import BudgetKind, IncomeSource

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def share_cap(base: Decimal, percentage) -> Decimal:
    """`percentage` % of `base`, rounded down to the cent (a ceiling never rounds up)."""
    return (Decimal(base) * Decimal(percentage) / 100).quantize(CENT, rounding=ROUND_DOWN)


def format_percent(value) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "\u00a0%"


@dataclass
class BudgetSummary:
    total_expenses: Decimal
    total_income: Decimal
    requested: Decimal
    self_financing: Decimal
    income_by_source: dict = field(default_factory=dict)
    #: the expenses of an eligible nature (`calls.expenses`); all of them when the call
    #: restricts no nature
    eligible_expenses: Decimal = ZERO
    #: what the share rules are a percentage of: "budget" or "eligible"
    share_base: str = ShareBase.BUDGET

    @property
    def base(self) -> Decimal:
        """The amount the share rules are computed on."""
        return (self.eligible_expenses if self.share_base == ShareBase.ELIGIBLE
                else self.total_expenses)

    @property
    def on_eligible(self) -> bool:
        return self.share_base == ShareBase.ELIGIBLE

    @property
    def requested_share_of_base(self) -> Decimal | None:
        return _pct(self.requested, self.base)

    @property
    def self_financing_share_of_base(self) -> Decimal | None:
        return _pct(self.self_financing, self.base)

    @property
    def ineligible_expenses(self) -> Decimal:
        return self.total_expenses - self.eligible_expenses

    @property
    def total_budget(self) -> Decimal:
        return self.total_expenses

    @property
    def balance(self) -> Decimal:
        return self.total_income - self.total_expenses

    @property
    def is_balanced(self) -> bool:
        return self.total_expenses > 0 and self.balance == 0

    @property
    def requested_share(self) -> Decimal | None:
        return _pct(self.requested, self.total_expenses)

    @property
    def self_financing_share(self) -> Decimal | None:
        return _pct(self.self_financing, self.total_expenses)


def line_is_eligible(line, expense_rules: ExpenseRules | None) -> bool:
    """An expense line of an eligible nature (every expense when no rules are given)."""
    def get(name):
        return line.get(name) if isinstance(line, dict) else getattr(line, name, None)

    if get("kind") != BudgetKind.EXPENSE:
        return False
    return expense_rules is None or expense_rules.is_eligible_kind(get("expense_kind"))


def summarize(*, requested_amount, lines: Iterable,
              expense_rules: ExpenseRules | None = None) -> BudgetSummary:
    """`lines`: BudgetLine instances or dicts with kind, source, amount (and expense_kind);
    `expense_rules` (`calls.expenses.expense_rules`) say which expenses are eligible and what
    the share rules are computed on (without them: every expense, the whole budget)."""
    def get(line, name):
        return line.get(name) if isinstance(line, dict) else getattr(line, name)

    expenses = income = self_financing = eligible = ZERO
    by_source: dict[str, Decimal] = {}
    for line in lines:
        amount = Decimal(get(line, "amount") or 0)
        if get(line, "kind") == BudgetKind.EXPENSE:
            expenses += amount
            if line_is_eligible(line, expense_rules):
                eligible += amount
        else:
            income += amount
            source = get(line, "source")
            by_source[source] = by_source.get(source, ZERO) + amount
            if source == IncomeSource.SELF_FINANCING:
                self_financing += amount
    requested = Decimal(requested_amount or 0)
    return BudgetSummary(total_expenses=expenses, total_income=income + requested,
                         requested=requested, self_financing=self_financing,
                         income_by_source=by_source, eligible_expenses=eligible,
                         share_base=(expense_rules.share_base if expense_rules is not None
                                     else ShareBase.BUDGET))


def funding_problems(*, summary: BudgetSummary, rules: dict, partner_count: int,
                     duration_months: int | None,
                     level: str = "category") -> dict[str, list[str]]:
    """The funding rules that the dossier breaks, keyed by the field they concern
    ("requested_amount", "balance", "self_financing", "partners", "duration"), with the
    reason in French, ready to be shown next to the field. `level` is the most precise
    choice the dossier made ("category", "track", or "call" for a call filed without
    either), named in the amount messages."""
    problems: dict[str, list[str]] = {}
    if level == "call":
        too_low = _("Le montant demandé (%(amount)s) est inférieur au minimum de l'appel "
                    "(%(min)s).")
        too_high = _("Le montant demandé (%(amount)s) dépasse le maximum de l'appel (%(max)s).")
    elif level == "track":
        too_low = _("Le montant demandé (%(amount)s) est inférieur au minimum du volet "
                    "(%(min)s).")
        too_high = _("Le montant demandé (%(amount)s) dépasse le maximum du volet (%(max)s).")
    else:
        too_low = _("Le montant demandé (%(amount)s) est inférieur au minimum de la catégorie "
                    "(%(min)s).")
        too_high = _("Le montant demandé (%(amount)s) dépasse le maximum de la catégorie "
                     "(%(max)s).")

    def add(key, message):
        problems.setdefault(key, []).append(message)

    requested = summary.requested
    amount_min, amount_max = rules.get("amount_min"), rules.get("amount_max")
    if requested <= 0:
        add("requested_amount", _("Indiquez le montant demandé."))
    else:
        if amount_min is not None and requested < Decimal(amount_min):
            add("requested_amount", too_low
                % {"amount": format_money(requested), "min": format_money(amount_min)})
        if amount_max is not None and requested > Decimal(amount_max):
            add("requested_amount", too_high
                % {"amount": format_money(requested), "max": format_money(amount_max)})
    if summary.total_expenses <= 0:
        add("balance", _("Ajoutez au moins une ligne de dépense."))
    elif summary.balance != 0:
        add("balance", _("Le budget n'est pas équilibré : les recettes (%(income)s) doivent "
                         "être égales aux dépenses (%(expenses)s), écart de %(gap)s.")
            % {"income": format_money(summary.total_income),
               "expenses": format_money(summary.total_expenses),
               "gap": format_money(summary.balance)})
    max_share = rules.get("max_share_of_budget")
    share = summary.requested_share_of_base
    if max_share is not None and summary.on_eligible and summary.requested > 0 \
            and summary.total_expenses > 0 and not summary.eligible_expenses:
        add("requested_amount", _("L'aide est limitée à %(max)s des dépenses éligibles, et le "
                                  "budget n'en compte aucune : indiquez la nature de chaque "
                                  "dépense.") % {"max": format_percent(max_share)})
    elif max_share is not None and share is not None and share > Decimal(max_share):
        if summary.on_eligible:
            add("requested_amount", _(
                "L'aide demandée représente %(share)s des dépenses éligibles (%(base)s) ; la "
                "catégorie la limite à %(max)s, soit %(cap)s.")
                % {"share": format_percent(share), "max": format_percent(max_share),
                   "base": format_money(summary.base),
                   "cap": format_money(share_cap(summary.base, max_share))})
        else:
            add("requested_amount", _("L'aide demandée représente %(share)s du budget ; la "
                                      "catégorie la limite à %(max)s.")
                % {"share": format_percent(share), "max": format_percent(max_share)})
    min_self = rules.get("min_self_financing_share")
    self_share = summary.self_financing_share_of_base
    if min_self is not None and summary.total_expenses > 0 and (
            self_share is None or self_share < Decimal(min_self)):
        if summary.on_eligible:
            add("self_financing", _("L'autofinancement représente %(share)s des dépenses "
                                    "éligibles ; la catégorie exige au moins %(min)s.")
                % {"share": format_percent(self_share or 0), "min": format_percent(min_self)})
        else:
            add("self_financing", _("L'autofinancement représente %(share)s du budget ; la "
                                    "catégorie exige au moins %(min)s.")
                % {"share": format_percent(self_share or 0), "min": format_percent(min_self)})
    min_partners = rules.get("min_partners")
    if min_partners and partner_count < int(min_partners):
        add("partners", _("La catégorie demande au moins %(min)s structures partenaires "
                          "(%(count)s indiquée(s)).") % {"min": min_partners,
                                                          "count": partner_count})
    dmin, dmax = rules.get("duration_months_min"), rules.get("duration_months_max")
    if duration_months is not None:
        if dmin and duration_months < int(dmin):
            add("duration", _("Le projet dure %(months)s mois ; la catégorie demande au moins "
                              "%(min)s mois.") % {"months": duration_months, "min": dmin})
        if dmax and duration_months > int(dmax):
            add("duration", _("Le projet dure %(months)s mois ; la catégorie permet au plus "
                              "%(max)s mois.") % {"months": duration_months, "max": dmax})
    return problems
