"""Finds, in product code, every place that turns the tenant scope off: a `scopes_disabled`
(call, decorator or bare reference) or a manager's `with_scopes_disabled()`, and a
`scope(tenant=None)` (django-scopes reads a None dimension as "no filter"). Each use must sit in
a function listed in `portal.tenancy.UNSCOPED_ENTRY_POINTS`.

Used by tests/portal/test_scope_lint.py; the checks run on source text so that a test can also
feed them a snippet that must be caught (as tests/status_lint.py does for status writes).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_APPS = ("portal", "calls", "applications", "reviews", "mentoring", "awards", "national")
ESCAPES = {"scopes_disabled", "with_scopes_disabled"}


def product_files():
    for app in PRODUCT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and "tests" not in path.parts:
                yield path


class _Visitor(ast.NodeVisitor):
    """Collects (function qualname or "<module>", line, what) for every escape of the scope."""

    def __init__(self):
        self.stack: list[str] = []
        self.found: list[tuple[str, int, str]] = []

    def _where(self) -> str:
        return ".".join(self.stack) or "<module>"

    def _nested(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _nested

    def visit_Import(self, node):  # importing the name is not using it
        return

    visit_ImportFrom = visit_Import

    def visit_Name(self, node):
        if node.id in ESCAPES:
            self.found.append((self._where(), node.lineno, node.id))

    def visit_Attribute(self, node):
        if node.attr in ESCAPES:
            self.found.append((self._where(), node.lineno, node.attr))
        self.generic_visit(node)

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", "")
        if name == "scope" and any(isinstance(k.value, ast.Constant) and k.value.value is None
                                   for k in node.keywords):
            self.found.append((self._where(), node.lineno, "scope(…=None)"))
        self.generic_visit(node)


def escapes_in_source(source: str) -> list[tuple[str, int, str]]:
    visitor = _Visitor()
    visitor.visit(ast.parse(source))
    return visitor.found


def escapes_in_product_code() -> dict[tuple[str, str], list[str]]:
    """{(file, function): ["file:line: what", ...]} for every escape of the scope."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in product_files():
        relative = str(path.relative_to(ROOT))
        for function, line, what in escapes_in_source(path.read_text()):
            found.setdefault((relative, function), []).append(f"{relative}:{line}: {what}")
    return found


def problems(allowed: dict[tuple[str, str], str]) -> list[str]:
    """Uses outside the allowlist, and allowlist entries with no use left (stale)."""
    found = escapes_in_product_code()
    out = [f"{where} in {function}() is not in portal.tenancy.UNSCOPED_ENTRY_POINTS "
           "(enter scope(tenant=...) instead, or name the cross-tenant reader and list it)"
           for (relative, function), wheres in sorted(found.items())
           if (relative, function) not in allowed for where in wheres]
    out += [f"{relative}::{function} is listed in UNSCOPED_ENTRY_POINTS but no longer leaves "
            "the scope: remove it from the list" for relative, function in sorted(allowed)
            if (relative, function) not in found]
    return out
