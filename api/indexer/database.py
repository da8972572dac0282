"""The read model's database: SQLite in the data directory by default, PostgreSQL by URL.

Every query of the read model runs in one transaction that sees one snapshot, so an answer and the block it
says it is as of always agree: on SQLite the transaction is begun explicitly (pysqlite would otherwise run
each SELECT on its own) in WAL mode, so readers never wait for the indexer; on PostgreSQL reads run at
REPEATABLE READ. Writes take SQLite's write lock when they begin (``BEGIN IMMEDIATE``), so two writers
queue instead of failing half-way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from api.indexer.schema import metadata

__all__ = ["create_schema", "open_engine", "read_transaction", "write_transaction"]

_BEGIN_OPTION = "ledger_sqlite_begin"


def open_engine(url: str) -> Engine:
    """An engine for the read model at ``url``, its tables created if missing.

    ``sqlite:///path`` (the parent directory is created) or ``postgresql+psycopg://user@host:port/db``.
    """
    parsed = make_url(url)
    engine: Engine
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30.0})
        _enable_sqlite_transactions(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    create_schema(engine)
    return engine


def _enable_sqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # pysqlite begins nothing itself; "begin" below does
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # the read model can always be rebuilt from the chain
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))


def create_schema(engine: Engine) -> None:
    """Create the read model's tables that do not exist yet."""
    with write_transaction(engine) as connection:
        metadata.create_all(connection)


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose every statement sees the same snapshot; closed (rolled back) afterwards."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that commits on success and rolls back on error."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection = connection.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"})
        with connection.begin():
            yield connection
