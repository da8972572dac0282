"""The read model's tables (SQLAlchemy Core): blocks, transactions, every event, and what verify derives.

Chain data (rolled back on a reorganisation, row by row, from the fork point):

* ``blocks``: every indexed block's number, hash, parent hash and time; the chain the indexer believes in.
* ``transactions``: every transaction that emitted a ledger event (sender and recipient from the node).
* ``events``: every event of every ledger contract, decoded (``args`` as JSON), with typed key columns
  (see :mod:`api.indexer.catalog`); ``event_accounts`` lists the accounts each event names.
* ``value_flows``: one row per event that moves value into, inside or out of a welfare pool (a donation,
  a lock for a payment order, a payment, a return, a refund, a transfer to a local government, a move),
  with its amount; ``flow_totals`` adds them up per pool, asset, kind and reference, so that a gift's share
  of each destination is read in a few rows however long the history.

Platform data (never rolled back): ``directory``, the public names of institutions (and goods types) that
the platform learns off-chain from applications, and ``indexer_state``.

Asset numbers (uint256) are decimal text. Amounts are uint256: ``NUMERIC(78, 0)`` on PostgreSQL, decimal text on SQLite (whose integers stop at 2**63);
Python adds them up, so both give exact answers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Dialect,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "blocks",
    "directory",
    "event_accounts",
    "events",
    "flow_totals",
    "indexer_state",
    "metadata",
    "transactions",
    "value_flows",
]


class Uint256(TypeDecorator[int]):
    """An unsigned 256-bit integer, exact on every database."""

    impl = String(78)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(78, 0))
        return dialect.type_descriptor(String(78))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return Decimal(value) if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


HASH = String(66)
ADDRESS = String(42)

metadata = MetaData()

blocks = Table(
    "blocks",
    metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", HASH, nullable=False),
    Column("parent_hash", HASH, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

transactions = Table(
    "transactions",
    metadata,
    Column("tx_hash", HASH, primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("tx_index", Integer, nullable=False),
    Column("sender", ADDRESS, nullable=False),
    Column("recipient", ADDRESS, nullable=True),
)

events = Table(
    "events",
    metadata,
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("tx_hash", HASH, nullable=False, index=True),
    Column("tx_index", Integer, nullable=False),
    Column("contract", String(64), nullable=False),
    Column("address", ADDRESS, nullable=False),
    Column("name", String(64), nullable=False),
    Column("args", JSON, nullable=False),
    Column("pool_id", BigInteger, nullable=True),
    Column("order_id", HASH, nullable=True),
    Column("lot_id", BigInteger, nullable=True),
    Column("pledge_id", BigInteger, nullable=True),
    Column("transfer_id", BigInteger, nullable=True),
    Index("ix_events_name", "name", "block_number"),
    Index("ix_events_pool", "pool_id", "name"),
    Index("ix_events_order", "order_id"),
    Index("ix_events_lot", "lot_id"),
    Index("ix_events_pledge", "pledge_id"),
    Index("ix_events_transfer", "transfer_id"),
)

event_accounts = Table(
    "event_accounts",
    metadata,
    Column("account", ADDRESS, primary_key=True),
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("arg", String(64), primary_key=True),
    Index("ix_event_accounts_block", "block_number"),
)

value_flows = Table(
    "value_flows",
    metadata,
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("pool_id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(24), primary_key=True),
    Column("asset", String(78), nullable=False),
    Column("ref", String(66), nullable=False),
    Column("amount", Uint256, nullable=False),
    Index("ix_value_flows_pool", "pool_id", "asset", "kind", "ref"),
)

flow_totals = Table(
    "flow_totals",
    metadata,
    Column("pool_id", BigInteger, primary_key=True, autoincrement=False),
    Column("asset", String(78), primary_key=True),
    Column("kind", String(24), primary_key=True),
    Column("ref", String(66), primary_key=True),
    Column("amount", Uint256, nullable=False),
    Column("event_count", BigInteger, nullable=False),
)

directory = Table(
    "directory",
    metadata,
    Column("subject", String(78), primary_key=True),
    Column("category", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=True),
)

indexer_state = Table(
    "indexer_state",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)
