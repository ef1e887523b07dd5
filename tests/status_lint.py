"""Finds, in product code, what the transition table forbids: a status assigned outside
`applications.services.transitions`, and statuses written as strings instead of the enums.

Used by tests/applications/test_workflow.py; the checks run on source text so that a test
can also feed them a snippet that must be caught.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_APPS = ("portal", "calls", "applications", "reviews", "mentoring", "awards")

#: (file, function) pairs that may assign a `.status`: each one is another model's own life
#: (the dossier's goes only through the transition service).
STATUS_WRITERS = {
    ("applications/services/transitions.py", "_apply"): "the dossier's transition service",
    ("calls/services.py", "call_publish"): "Call.status",
    ("calls/services.py", "_call_move"): "Call.status",
    ("reviews/services.py", "session_close"): "CommitteeSession.status",
    ("reviews/services.py", "_set_status"): "CommitteeSession.status (reviews.workflow's table)",
    ("reviews/services.py", "session_open"): "the caller's CommitteeSession copy",
    ("reviews/services.py", "session_suspend"): "the caller's CommitteeSession copy",
    ("reviews/services.py", "review_save"): "Review.status",
    ("mentoring/services.py", "need_diagnose"): "MatchProposal.status",
    ("mentoring/services.py", "need_withdraw"): "MatchProposal.status",
    ("mentoring/services.py", "engagement_propose"): "MatchProposal.status",
    ("awards/services.py", "payment_mark_sent"): "Payment.status",
    ("awards/services.py", "payment_mark_paid"): "Payment.status",
    ("awards/services.py", "_balance_due"): "Payment.status",
    ("awards/services.py", "convention_receive"): "Payment.status",
    ("awards/services.py", "start_attest"): "Payment.status",
}

#: Files allowed string statuses (none: each app reads its own states from its enums).
STRING_STATUS_EXEMPT: set[str] = set()

_STATUS_KEYWORD = re.compile(r"(^|__)status(__in)?$")


def product_files():
    for app in PRODUCT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _is_status(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "status"


def _targets(node):
    for target in getattr(node, "targets", None) or [getattr(node, "target", None)]:
        if isinstance(target, (ast.Tuple, ast.List)):
            yield from target.elts
        elif target is not None:
            yield target


def _strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [v for elt in node.elts for v in _strings(elt)]
    return []


class _Visitor(ast.NodeVisitor):
    def __init__(self, relative: str):
        self.relative = relative
        self.function = None
        self.problems: list[str] = []

    def _where(self, node) -> str:
        return f"{self.relative}:{node.lineno}"

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def _assigns(self, node):
        if any(_is_status(t) for t in _targets(node)) and (
                (self.relative, self.function) not in STATUS_WRITERS):
            self.problems.append(f"{self._where(node)}: assigns .status "
                                 "(use applications.services.dossier_transition)")
        self.generic_visit(node)

    visit_Assign = visit_AugAssign = visit_AnnAssign = _assigns

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", "")
        allowed = (self.relative, self.function) in STATUS_WRITERS
        if name == "update" and not allowed and any(k.arg == "status" for k in node.keywords):
            self.problems.append(f"{self._where(node)}: .update(status=…) skips the table")
        if name == "bulk_update" and not allowed and any(
                "status" in _strings(a) for a in node.args[1:2]):
            self.problems.append(f"{self._where(node)}: bulk_update of status skips the table")
        if name == "setattr" and len(node.args) >= 2 and _strings(node.args[1]) == ["status"]:
            self.problems.append(f"{self._where(node)}: setattr(…, 'status', …)")
        for keyword in node.keywords:
            if self.relative in STRING_STATUS_EXEMPT:
                break
            if keyword.arg and _STATUS_KEYWORD.search(keyword.arg) and _strings(keyword.value):
                self.problems.append(f"{self._where(node)}: {keyword.arg}= with a string "
                                     "(use the enum)")
        self.generic_visit(node)

    def visit_Compare(self, node):
        sides = [node.left, *node.comparators]
        if any(_is_status(s) for s in sides) and any(_strings(s) for s in sides):
            self.problems.append(f"{self._where(node)}: .status compared with a string "
                                 "(use the enum)")
        self.generic_visit(node)


def problems_in_source(source: str, relative: str = "snippet.py") -> list[str]:
    visitor = _Visitor(relative)
    visitor.visit(ast.parse(source))
    return visitor.problems


def problems_in_product_code() -> list[str]:
    problems = []
    for path in product_files():
        problems += problems_in_source(path.read_text(), str(path.relative_to(ROOT)))
    return problems


#: A dossier's or a call's status compared with a string in a template
#: (``{% if dossier.status == "draft" %}``): templates ask the model or a permission.
TEMPLATE_STATUS_COMPARE = re.compile(r"\b(dossier|call)\.status(_for_applicant)?\s*(==|!=|in\b)")


def template_problems() -> list[str]:
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if TEMPLATE_STATUS_COMPARE.search(line):
                problems.append(f"{path.relative_to(ROOT)}:{number}: status compared with a "
                                "string in a template")
    return problems
