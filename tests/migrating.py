"""Running the migrations to a given state inside a test (data migrations are tested this way:
build rows with the historical models before, check them after, end at the latest state)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the test database to ``targets``; return that state's apps (historical models)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    """The latest migration of every app."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
