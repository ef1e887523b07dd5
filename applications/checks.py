"""The pre-check of a dossier: completeness, funding rules of its category and eligibility
criteria of its call, as shown live on the pre-check page and enforced at submission."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from calls.eligibility import FAIL, UNKNOWN, WARNING, evaluate
from calls.expenses import ExpenseRules, expense_rules
from calls.funding import effective_rules, rules_from_snapshot
from calls.versioning import rules_snapshot

from .budget import BudgetSummary, funding_problems, summarize
from .eligibility_facts import dossier_facts
from .enums import BudgetKind, DossierStep

#: funding-problem key → the step where it is fixed
PROBLEM_STEPS = {"requested_amount": DossierStep.BUDGET, "balance": DossierStep.BUDGET,
                 "self_financing": DossierStep.BUDGET, "partners": DossierStep.PARTNERS,
                 "duration": DossierStep.PROJECT}


@dataclass
class DossierCheck:
    rules: dict
    budget: BudgetSummary
    snapshot: dict
    expenses: ExpenseRules | None = None
    criteria: list = field(default_factory=list)   # CriterionResult
    problems: dict = field(default_factory=dict)   # step → [message]
    field_problems: dict = field(default_factory=dict)  # funding key → [message]

    @property
    def blocking_reasons(self) -> list[str]:
        reasons = [m for messages in self.problems.values() for m in messages]
        reasons += [f"{_get(r.criterion, 'label')} : {r.message}" for r in self.criteria
                    if r.status == FAIL]
        return reasons

    @property
    def failing_criteria(self) -> list:
        """The blocking criteria that fail, each with where it is fixed: ``"structure"`` (a
        fact of the structure's profile), ``"declarations"`` (a declaration on honour) or
        ``""``."""
        return [self._with_target(r) for r in self.criteria if r.status == FAIL]

    @property
    def warning_criteria(self) -> list:
        return [self._with_target(r) for r in self.criteria if r.status == WARNING]

    @staticmethod
    def _with_target(result) -> dict:
        field_name = _get(result.criterion, "field") or ""
        target = ("declarations" if _get(result.criterion, "kind") == "declaration"
                  else "structure" if field_name.startswith("structure.") else "")
        return {"label": _get(result.criterion, "label"), "message": result.message,
                "target": target}

    @property
    def can_submit(self) -> bool:
        return not self.blocking_reasons

    def results_json(self) -> list[dict]:
        return [{"id": _get(r.criterion, "id"), "label": _get(r.criterion, "label"),
                 "status": r.status, "message": r.message} for r in self.criteria]


def _get(criterion, name):
    return criterion.get(name) if isinstance(criterion, dict) else getattr(criterion, name)


def filed_snapshot(dossier) -> dict | None:
    """The rules snapshot a dossier is judged against: the one stored when it was filed, for
    any dossier past the draft state (None for a draft: the call's live rules apply)."""
    from .enums import DossierStatus

    if dossier.status == DossierStatus.DRAFT:
        return None
    return dossier.rules_snapshot or None


def dossier_rules_and_expenses(dossier) -> tuple[dict, ExpenseRules]:
    """The funding rules a dossier is judged against (its snapshot once filed, else the
    call's live ones) and its eligible-expense rules."""
    snapshot = filed_snapshot(dossier)
    rules = rules_from_snapshot(snapshot)
    if rules is None:
        rules = effective_rules(dossier.call, dossier.track, dossier.category)
    return rules, expense_rules(call=dossier.call, snapshot=snapshot, rules=rules)


def check_dossier(dossier, *, now=None, snapshot: dict | None = None) -> DossierCheck:
    call, track, category = dossier.call, dossier.track, dossier.category
    # A filed dossier is judged against the rules it was filed under (its snapshot), never
    # against rules changed on the call since.
    rules = rules_from_snapshot(snapshot)
    if rules is None:
        rules = effective_rules(call, track, category)
    expenses = expense_rules(call=call, snapshot=snapshot, rules=rules)
    snapshot = snapshot or rules_snapshot(call, track, category)
    lines = list(dossier.budget_lines.all())
    summary = summarize(requested_amount=dossier.requested_amount, lines=lines,
                        expense_rules=expenses)
    partner_count = dossier.partners.count()
    funding = funding_problems(summary=summary, rules=rules, partner_count=partner_count,
                               duration_months=dossier.duration_months,
                               level="category" if category else "track" if track else "call")
    problems: dict[str, list[str]] = {}

    def add(step, message):
        problems.setdefault(str(step), []).append(message)

    missing = [str(label) for name, label in (
        ("title", _("l'intitulé")), ("summary", _("la présentation")),
        ("start_date", _("la date de début")), ("end_date", _("la date de fin")))
        if not getattr(dossier, name)]
    if missing:
        add(DossierStep.PROJECT, _("Projet incomplet : indiquez %(fields)s.")
            % {"fields": ", ".join(missing)})
    for key, messages in funding.items():
        for message in messages:
            add(PROBLEM_STEPS[key], message)
    for line in lines:  # the call's period may have changed since a draft was saved
        if line.kind == BudgetKind.EXPENSE:
            outside = expenses.period_problem(line.label, line.spent_from, line.spent_until)
            if outside:
                add(DossierStep.BUDGET, outside)
    present = set(dossier.attachments.values_list("requirement_id", flat=True))
    for requirement in snapshot.get("document_requirements", []):
        if requirement["required"] and requirement["id"] not in present:
            add(DossierStep.DOCUMENTS, _("Pièce manquante : %(label)s.")
                % {"label": requirement["label"]})
    if dossier.draft_data:
        for step in dossier.draft_data:
            add(step, _("Cette étape contient des saisies non valides, non encore "
                        "enregistrées : corrigez-les."))
    criteria = evaluate(snapshot.get("eligibility_criteria", []),
                        dossier_facts(dossier, now=now))
    return DossierCheck(rules=rules, budget=summary, snapshot=snapshot, criteria=criteria,
                        problems=problems, field_problems=funding, expenses=expenses)


# --- Structure criteria, shown before the applicant invests in a dossier ----------------------

@dataclass
class StructureCriterion:
    """One criterion of a call on the structure's own profile, judged against it."""

    label: str
    rule: str       # the rule in plain French ("Ancienneté … supérieure ou égale à 24 mois")
    actual: str     # what the profile says ("créée il y a 6 mois")
    status: str     # calls.eligibility PASS, FAIL, WARNING or UNKNOWN
    blocking: bool
    scope: str = ""  # "" for the whole call, else the track / category it applies to

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def attention(self) -> bool:
        return self.status in (WARNING, UNKNOWN)


def is_structure_criterion(criterion) -> bool:
    return (_get(criterion, "kind") != "declaration"
            and (_get(criterion, "field") or "").startswith("structure."))


def structure_criteria(criteria, structure, *, now=None, with_scope: bool = False) -> list:
    """The criteria among `criteria` (models or snapshot dicts) that read the structure's
    profile, each evaluated on it with the profile's actual value, failing ones first. With
    `with_scope`, each carries the track or category it is limited to (models only)."""
    from django.utils import timezone

    from calls.eligibility import describe, describe_fact, evaluate_one
    from portal.formatting import PARIS

    from .eligibility_facts import structure_facts

    today = (now or timezone.now()).astimezone(PARIS).date()
    facts = structure_facts(structure, today=today)
    rows = []
    for criterion in criteria:
        if not is_structure_criterion(criterion):
            continue
        result = evaluate_one(criterion, facts)
        scope = ""
        if with_scope and not isinstance(criterion, dict) and (
                criterion.track_id or criterion.category_id):
            scope = criterion.scope_label
        rows.append(StructureCriterion(
            label=str(_get(criterion, "label")), rule=describe(criterion),
            actual=describe_fact(criterion, facts), status=result.status,
            blocking=_get(criterion, "severity") != "warning", scope=scope))
    order = {FAIL: 0, WARNING: 1, UNKNOWN: 2}
    return sorted(rows, key=lambda r: (order.get(r.status, 3), r.scope))


def structure_checks(criteria, structure, **kwargs) -> dict:
    """`structure_criteria` with the count of blocking failures, as the template shows it."""
    rows = structure_criteria(criteria, structure, **kwargs)
    return {"structure": structure, "rows": rows,
            "problems": [r for r in rows if r.failed or r.attention],
            "passed": [r for r in rows if not (r.failed or r.attention)],
            # Failures of a criterion limited to one track or category block only that choice.
            "blocking_failures": sum(1 for r in rows if r.failed and r.blocking and not r.scope),
            "scoped_failures": sum(1 for r in rows if r.failed and r.blocking and r.scope)}
