"""Every real Celery task of the project (not a probe) runs in the scope of the tenant its row
names, and only there (issue 13, tenancy layer): started from tenant B's scope with tenant A's
row, its body sees tenant A's scope; a platform task's body sees no scope at all, so a
tenant-owned query there raises ScopeError. tests/portal/test_task_base.py checks the base with
probe tasks; this walks the project's own tasks, whatever app declares them."""

import pytest
from django.apps import apps
from django_scopes import get_scope, scope
from django_scopes.exceptions import ScopeError

from portal.celery import app
from portal.taskbase import TenantTask
from tests.sweep_rules import build_world

pytestmark = pytest.mark.django_db

PROJECT_PREFIXES = ("portal.", "calls.", "applications.", "reviews.", "mentoring.", "awards.",
                    "national.")


def project_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in sorted(app.tasks.items())
            if name.startswith(PROJECT_PREFIXES)}


def test_every_task_of_every_app_is_on_the_tenant_task_base():
    tasks = project_tasks()
    assert any(name.startswith("awards.") for name in tasks)
    assert [n for n, t in tasks.items() if not isinstance(t, TenantTask)] == []


def _row_of(w, label: str, path: str):
    """A row of `label` in tenant A (the sweep world holds one of each kind a task names)."""
    model = apps.get_model(label)
    row = model._base_manager.filter(**{path: w.a.pk}).order_by("pk").first()
    if row is None and label == "applications.DossierExport":
        row = model._base_manager.create(tenant=w.a, dossier=w.dossier,
                                         requested_by=w.applicant_a)
    assert row is not None, f"the sweep world has no {label} of tenant A"
    return row


def test_each_task_body_runs_in_the_tenant_its_row_names_or_in_no_scope(monkeypatch):
    w = build_world()
    seen: list[dict] = []

    def spy(*args, **kwargs):
        current = dict(get_scope())
        try:
            apps.get_model("applications.Dossier").objects.count()
            current["query"] = "ran"
        except ScopeError:
            current["query"] = "ScopeError"
        seen.append(current)

    problems = []
    for name, task in project_tasks().items():
        monkeypatch.setattr(task, "run", spy)
        seen.clear()
        if task.tenant_from is None:
            with scope(tenant=w.b):  # an eager task started while serving a tenant
                task()
            if seen != [{"query": "ScopeError"}]:
                problems.append(f"{name} (platform task) ran in {seen}, not in no scope")
            continue
        kwarg, label, path = task.tenant_from
        row = _row_of(w, label, path)
        with scope(tenant=w.b):  # started from tenant B's request
            task(**{kwarg: row.pk})
        if len(seen) != 1 or seen[0].get("tenant") != w.a or not seen[0].get("_enabled") or (
                seen[0]["query"] != "ran"):
            problems.append(f"{name} with {label} #{row.pk} of tenant A ran in {seen}")
        seen.clear()
        task(**{kwarg: 987654321})  # its row is gone: the body does not run at all
        if seen:
            problems.append(f"{name} ran for a {label} that does not exist: {seen}")
    assert problems == [], "\n".join(problems)
