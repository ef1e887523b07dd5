"""The data migration of the assignment runs: the runs stored before the matchmaker moved to
a task were computed inside the request, so they are finished, at the time they were stored."""

from datetime import datetime, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("mentoring", "0005_assignment_runs")]
AFTER = [("mentoring", "0006_assignment_run_state")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_runs_stored_before_the_task_are_finished_when_they_were_stored():
    latest = [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes()
              if key[0] == "mentoring"]
    old_apps = _migrate(BEFORE)
    try:
        from tests.factories import TenantFactory

        tenant = TenantFactory(slug="migration-test")  # portal's tables are at their latest
        AssignmentRun = old_apps.get_model("mentoring", "AssignmentRun")
        stored = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
        AssignmentRun.objects.create(tenant_id=tenant.pk, created_at=stored, needs=3,
                                     assigned=2)
        new_apps = _migrate(AFTER)
        run = new_apps.get_model("mentoring", "AssignmentRun").objects.get()
        assert (run.state, run.started_at, run.finished_at, run.error) == (
            "finished", stored, stored, "")
        assert (run.needs, run.assigned) == (3, 2)
        # and a run created after the migration starts queued
        fresh = new_apps.get_model("mentoring", "AssignmentRun").objects.create(tenant_id=tenant.pk)
        assert (fresh.state, fresh.finished_at) == ("queued", None)
    finally:
        _migrate(latest)
