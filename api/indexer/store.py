"""Writing the read model: a batch of blocks with their transactions and events, and rolling back to a block.

Both run inside the caller's transaction, so a batch is indexed whole or not at all, and a rollback leaves the
read model exactly as it was when the fork point was the newest block indexed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, insert, select, update

from api.indexer.catalog import IndexedEvent
from api.indexer.flows import FlowKind, FlowRow, TotalKey, flow_rows, total_keys
from api.indexer.schema import (
    blocks,
    event_accounts,
    events,
    flow_totals,
    indexer_state,
    transactions,
    value_flows,
)

__all__ = ["BlockRow", "TransactionRow", "rollback_to", "set_state", "state", "tip", "write_batch"]


@dataclass(frozen=True)
class BlockRow:
    number: int
    hash: str
    parent_hash: str
    timestamp: int


@dataclass(frozen=True)
class TransactionRow:
    tx_hash: str
    block_number: int
    tx_index: int
    sender: str
    recipient: str | None


def tip(connection: Connection) -> BlockRow | None:
    """The newest indexed block, or None if nothing is indexed."""
    row = connection.execute(select(blocks).order_by(blocks.c.number.desc()).limit(1)).first()
    return None if row is None else BlockRow(row.number, row.hash, row.parent_hash, row.timestamp)


def first_block(connection: Connection) -> int | None:
    value = connection.execute(select(func.min(blocks.c.number))).scalar()
    return None if value is None else int(value)


def block_hash(connection: Connection, number: int) -> str | None:
    value = connection.execute(select(blocks.c.hash).where(blocks.c.number == number)).scalar()
    return None if value is None else str(value)


def state(connection: Connection, key: str) -> str | None:
    value = connection.execute(select(indexer_state.c.value).where(indexer_state.c.key == key)).scalar()
    return None if value is None else str(value)


def set_state(connection: Connection, key: str, value: str) -> None:
    if state(connection, key) is None:
        connection.execute(insert(indexer_state).values(key=key, value=value))
    else:
        connection.execute(update(indexer_state).where(indexer_state.c.key == key).values(value=value))


def write_batch(
    connection: Connection,
    block_rows: Sequence[BlockRow],
    transaction_rows: Sequence[TransactionRow],
    indexed: Sequence[IndexedEvent],
) -> None:
    """Insert a contiguous run of blocks with the transactions and events in them."""
    _insert_many(connection, blocks, [vars(row) for row in block_rows])
    _insert_many(connection, transactions, [vars(row) for row in transaction_rows])
    _insert_many(
        connection,
        events,
        [
            {
                "block_number": event.block_number,
                "log_index": event.log_index,
                "tx_hash": event.tx_hash,
                "tx_index": event.tx_index,
                "contract": event.contract,
                "address": event.address,
                "name": event.name,
                "args": json.dumps(event.args, separators=(",", ":"), ensure_ascii=False),
                "pool_id": event.pool_id,
                "order_id": event.order_id,
                "lot_id": event.lot_id,
                "pledge_id": event.pledge_id,
                "transfer_id": event.transfer_id,
            }
            for event in indexed
        ],
    )
    _insert_many(
        connection,
        event_accounts,
        [
            {"account": address, "block_number": event.block_number, "log_index": event.log_index, "arg": arg}
            for event in indexed
            for arg, address in event.accounts
        ],
    )
    flows = [row for event in indexed for row in flow_rows(event)]
    if flows:
        connection.execute(
            insert(value_flows),
            [
                {
                    "block_number": row.block_number,
                    "log_index": row.log_index,
                    "pool_id": row.pool_id,
                    "kind": row.kind.value,
                    "asset": str(row.asset),
                    "ref": row.ref,
                    "amount": row.amount,
                }
                for row in flows
            ],
        )
        _add_to_totals(connection, _deltas(flows, sign=1))


def _insert_many(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` with one driver-level ``executemany`` (the bulk of indexing: SQLAlchemy's per-row parameter
    processing would cost more than the database). Values must already be in their stored form (JSON as text)."""
    if not rows:
        return
    columns = list(rows[0])
    placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608 - the schema's own names; values are bound
        f"VALUES ({', '.join([placeholder] * len(columns))})"
    )
    connection.exec_driver_sql(sql, [tuple(row[column] for column in columns) for row in rows])


def _deltas(rows: Iterable[FlowRow], *, sign: int) -> dict[TotalKey, tuple[int, int]]:
    deltas: dict[TotalKey, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        for key in total_keys(row):
            deltas[key][0] += sign * row.amount
            deltas[key][1] += sign
    return {key: (amount, count) for key, (amount, count) in deltas.items()}


def _add_to_totals(connection: Connection, deltas: Mapping[TotalKey, tuple[int, int]]) -> None:
    for (pool_id, asset, kind, ref), (amount, count) in deltas.items():
        where = and_(
            flow_totals.c.pool_id == pool_id,
            flow_totals.c.asset == asset,
            flow_totals.c.kind == kind,
            flow_totals.c.ref == ref,
        )
        current = connection.execute(
            select(flow_totals.c.amount, flow_totals.c.event_count).where(where)
        ).first()
        if current is None:
            connection.execute(
                insert(flow_totals).values(
                    pool_id=pool_id, asset=asset, kind=kind, ref=ref, amount=amount, event_count=count
                )
            )
        elif current.event_count + count == 0:
            connection.execute(delete(flow_totals).where(where))
        else:
            connection.execute(
                update(flow_totals)
                .where(where)
                .values(amount=current.amount + amount, event_count=current.event_count + count)
            )


def rollback_to(connection: Connection, number: int) -> int:
    """Forget every block above ``number`` and everything in them; returns how many blocks were dropped."""
    undone = [
        FlowRow(
            row.block_number,
            row.log_index,
            row.pool_id,
            FlowKind(row.kind),
            int(row.asset),
            row.ref,
            row.amount,
        )
        for row in connection.execute(select(value_flows).where(value_flows.c.block_number > number))
    ]
    if undone:
        _add_to_totals(connection, _deltas(undone, sign=-1))
    for table in (value_flows, event_accounts, events, transactions):
        connection.execute(delete(table).where(table.c.block_number > number))
    dropped = connection.execute(delete(blocks).where(blocks.c.number > number)).rowcount
    return int(dropped)


def contracts_state(addresses: Mapping[str, str]) -> str:
    """The canonical text of the indexed contracts, kept to refuse a read model built for others."""
    return json.dumps(dict(sorted(addresses.items())), separators=(",", ":"))
