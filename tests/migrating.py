"""Helpers of the data-migration tests: move the test database to a migration state and back.

A test migrates to the state just before the migration it checks, creates rows with the
historical models that state returns, migrates forward and asserts; it always returns to the
latest state (in ``finally``) so that the tests after it find the schema they expect."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Apply or unapply migrations up to ``targets``; return the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    """Every app's leaf migration: where a test must leave the database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
