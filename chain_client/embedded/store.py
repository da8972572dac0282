"""The embedded chain's durable storage: one SQLite file, one transaction per block.

py-evm keeps everything (headers, bodies, receipts, state trie nodes, the canonical head) in a
key-value store. ``SqliteKeyValueStore`` is that store, kept in a SQLite table in WAL mode with
``synchronous=FULL``: writes accumulate in one open SQLite transaction while a block is mined and
indexed, and ``commit()`` makes the whole block durable with a single fsync (group commit). A crash
before the commit leaves the file at the previous block, so the chain always reopens on a block
boundary, with the same hashes and state root it had.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from eth.db.backends.base import BaseDB
from lru import LRU

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
"""


def open_database(path: Path | None) -> sqlite3.Connection:
    """Open (creating if needed) the chain database; ``None`` keeps it in memory (tests, tools)."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        ":memory:" if path is None else str(path),
        isolation_level=None,  # transactions are begun and committed explicitly, one per block
        check_same_thread=False,  # the node serialises access with its own lock
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache
    connection.executescript(_SCHEMA)
    return connection


_CONTENT_KEY_LENGTH = 32
"""py-evm stores trie nodes, headers and code under their 32-byte keccak: such a key's value never
changes, so it can be cached without invalidation. Other keys (the canonical head, number -> hash)
are short schema strings of another length and are always read from SQLite."""


class SqliteKeyValueStore(BaseDB):
    """py-evm's ``DatabaseAPI`` over the ``kv`` table, with explicit block-sized transactions."""

    def __init__(self, connection: sqlite3.Connection, cache_size: int = 200_000) -> None:
        self._connection = connection
        self._lock = threading.RLock()
        self._in_transaction = False
        self._cache: LRU[bytes, bytes] = LRU(cache_size)

    def begin(self) -> None:
        """Start the transaction that the next block's writes go into."""
        with self._lock:
            if not self._in_transaction:
                self._connection.execute("BEGIN IMMEDIATE")
                self._in_transaction = True

    def commit(self) -> None:
        """Make every write since ``begin()`` durable (one fsync in WAL mode)."""
        with self._lock:
            if self._in_transaction:
                self._connection.execute("COMMIT")
                self._in_transaction = False

    def rollback(self) -> None:
        """Forget every write since ``begin()``."""
        with self._lock:
            if self._in_transaction:
                self._connection.execute("ROLLBACK")
                self._in_transaction = False

    def __getitem__(self, key: bytes) -> bytes:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        row = self._connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value: bytes = row[0]
        if len(key) == _CONTENT_KEY_LENGTH:
            self._cache[key] = value
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._connection.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))
        if len(key) == _CONTENT_KEY_LENGTH:
            self._cache[key] = value

    def __delitem__(self, key: bytes) -> None:
        self._cache.pop(key, None)
        cursor = self._connection.execute("DELETE FROM kv WHERE key = ?", (key,))
        if cursor.rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        if key in self._cache:
            return True
        return self._connection.execute("SELECT 1 FROM kv WHERE key = ?", (key,)).fetchone() is not None

    def __iter__(self) -> Iterator[bytes]:
        return (row[0] for row in self._connection.execute("SELECT key FROM kv"))

    def __len__(self) -> int:
        count: int = self._connection.execute("SELECT COUNT(*) FROM kv").fetchone()[0]
        return count
