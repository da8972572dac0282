"""The indexer suite runs twice: on SQLite (the default read model) and on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ledger_support import demo_ledger
from tests.postgres_support import fresh_postgres_database, postgres_url

__all__ = ["demo_ledger", "postgres_url"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty read-model database: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'read-model.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_url"))
