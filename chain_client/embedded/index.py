"""The embedded node's own lookup indexes: transactions by hash and logs by address/topic/block.

py-evm can find a receipt only by re-reading the block's receipt trie, and has no log index at all;
eth-tester scans blocks. These SQL tables sit in the chain's own SQLite file and are written in the
same transaction as the block, so they can never disagree with the chain after a crash, and a
lookup costs one B-tree search whatever the chain's length.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from chain_client.embedded.rpc_json import RpcObject
from chain_client.errors import LogQueryTooLarge

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tx_index (
    hash BLOB PRIMARY KEY,
    block_number INTEGER NOT NULL,
    tx_index INTEGER NOT NULL,
    tx_json TEXT NOT NULL,
    receipt_json TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_index (
    block_number INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    address BLOB NOT NULL,
    topic0 BLOB, topic1 BLOB, topic2 BLOB, topic3 BLOB,
    log_json TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log_by_address ON log_index (address, block_number);
CREATE INDEX IF NOT EXISTS log_by_topic0 ON log_index (topic0, block_number);
"""

MAX_LOGS_PER_QUERY = 10_000
"""A getLogs answer larger than this is refused, as public nodes do, rather than built in memory."""


@dataclass(frozen=True)
class LogQuery:
    """An ``eth_getLogs`` filter: a block range, any of some addresses, topics by position."""

    from_block: int
    to_block: int
    addresses: Sequence[bytes] = ()
    topics: Sequence[Sequence[bytes] | None] = ()


class ChainIndex:
    """Transactions and logs of canonical blocks, keyed for the JSON-RPC lookups."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        connection.executescript(_SCHEMA)

    def add_block(self, transactions: Sequence[tuple[bytes, RpcObject, RpcObject]]) -> None:
        """Index one block's ``(hash, transaction, receipt)`` triples, inside the block's DB transaction."""
        tx_rows = []
        log_rows = []
        for tx_hash, tx_json, receipt_json in transactions:
            block_number = int(receipt_json["blockNumber"], 16)
            tx_rows.append(
                (
                    tx_hash,
                    block_number,
                    int(receipt_json["transactionIndex"], 16),
                    json.dumps(tx_json, separators=(",", ":")),
                    json.dumps(receipt_json, separators=(",", ":")),
                )
            )
            for log in receipt_json["logs"]:
                topics: list[bytes | None] = [bytes.fromhex(topic[2:]) for topic in log["topics"]]
                topics += [None] * (4 - len(topics))
                log_rows.append(
                    (
                        block_number,
                        int(log["logIndex"], 16),
                        bytes.fromhex(log["address"][2:]),
                        *topics,
                        json.dumps(log, separators=(",", ":")),
                    )
                )
        self._connection.executemany("INSERT OR REPLACE INTO tx_index VALUES (?, ?, ?, ?, ?)", tx_rows)
        self._connection.executemany(
            "INSERT OR REPLACE INTO log_index VALUES (?, ?, ?, ?, ?, ?, ?, ?)", log_rows
        )

    def transaction(self, tx_hash: bytes) -> RpcObject | None:
        row = self._connection.execute("SELECT tx_json FROM tx_index WHERE hash = ?", (tx_hash,)).fetchone()
        return None if row is None else _loads(row[0])

    def receipt(self, tx_hash: bytes) -> RpcObject | None:
        row = self._connection.execute(
            "SELECT receipt_json FROM tx_index WHERE hash = ?", (tx_hash,)
        ).fetchone()
        return None if row is None else _loads(row[0])

    def logs(self, query: LogQuery) -> list[RpcObject]:
        clauses = ["block_number BETWEEN ? AND ?"]
        params: list[object] = [query.from_block, query.to_block]
        if query.addresses:
            clauses.append(f"address IN ({', '.join('?' * len(query.addresses))})")
            params.extend(query.addresses)
        for position, wanted in enumerate(query.topics[:4]):
            if wanted:
                clauses.append(f"topic{position} IN ({', '.join('?' * len(wanted))})")
                params.extend(wanted)
        sql = (
            f"SELECT log_json FROM log_index WHERE {' AND '.join(clauses)} "  # noqa: S608 - fixed column names
            f"ORDER BY block_number, log_index LIMIT {MAX_LOGS_PER_QUERY + 1}"
        )
        rows = self._connection.execute(sql, params).fetchall()
        if len(rows) > MAX_LOGS_PER_QUERY:
            raise LogQueryTooLarge(
                f"query matches more than {MAX_LOGS_PER_QUERY} logs; narrow the block range"
            )
        return [_loads(row[0]) for row in rows]


def _loads(text: str) -> RpcObject:
    loaded: RpcObject = json.loads(text)
    return loaded
