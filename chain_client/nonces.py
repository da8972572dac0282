"""Nonce allocation that is safe when many threads, and many processes, send from one account.

The node's pending nonce is the only truth (it counts what it has queued, and it goes back when a
test reverts a snapshot); what must not happen is two senders reading the same value before either
has sent. So the read and the send happen under one lock per account: a thread lock within this
process and, when a lock directory is configured, an OS file lock across processes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from eth_typing import ChecksumAddress
from filelock import FileLock

from chain_client.backends.base import Backend


class NonceManager:
    """Hands out each account's next nonce to one sender at a time."""

    def __init__(self, backend: Backend, lock_dir: Path | None = None) -> None:
        self._backend = backend
        self._lock_dir = lock_dir
        self._guard = threading.Lock()
        self._thread_locks: dict[str, threading.Lock] = {}
        if lock_dir is not None:
            lock_dir.mkdir(parents=True, exist_ok=True)

    def _thread_lock(self, account: ChecksumAddress) -> threading.Lock:
        lock = self._thread_locks.get(account)
        if lock is None:
            with self._guard:
                lock = self._thread_locks.setdefault(account, threading.Lock())
        return lock

    @contextlib.contextmanager
    def reserve(self, account: ChecksumAddress) -> Iterator[int]:
        """Hold ``account``'s lock and yield its next nonce; send the transaction inside the block."""
        with self._thread_lock(account), self._process_lock(account):
            yield self._backend.get_nonce(account, "pending")

    def _process_lock(self, account: ChecksumAddress) -> contextlib.AbstractContextManager[object]:
        if self._lock_dir is None:
            return contextlib.nullcontext()
        return FileLock(self._lock_dir / f"{self._backend.chain_id()}-{account}.lock")
