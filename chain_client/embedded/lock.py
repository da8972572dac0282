"""One writer per chain: an exclusive OS lock on the embedded chain's data directory.

The node that opens a chain file holds ``flock(LOCK_EX)`` on ``node.lock`` beside it for as long as it
runs, and writes ``node.json`` beside it: its PID and, once its endpoint listens, its JSON-RPC URL. A
second process (or a second opener in the same process: ``flock`` locks belong to the open file, not
the process) cannot take the lock; it reads the record and raises :class:`ChainLocked` naming the
running node, before it has opened, let alone changed, anything. The kernel drops the lock when the
holder exits, even on ``kill -9``, so a stale record never blocks a restart: the next holder rewrites it.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from chain_client.errors import ChainLocked

LOCK_FILE = "node.lock"
RECORD_FILE = "node.json"


@dataclass(frozen=True)
class NodeRecord:
    """What a running node says about itself in ``node.json``."""

    pid: int | None
    url: str | None


def read_record(directory: Path) -> NodeRecord:
    """The record beside a chain (PID and URL are None where the record is missing or unreadable)."""
    try:
        raw = json.loads((directory / RECORD_FILE).read_text())
    except (OSError, ValueError):
        return NodeRecord(None, None)
    pid, url = raw.get("pid"), raw.get("rpcUrl")
    return NodeRecord(pid if isinstance(pid, int) else None, url if isinstance(url, str) else None)


class DirectoryLock:
    """The exclusive lock on one chain directory, held from construction until :meth:`release`."""

    def __init__(self, directory: Path) -> None:
        """Take the lock or raise :class:`ChainLocked` (naming the holder's PID and URL)."""
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        handle: IO[str] = open(directory / LOCK_FILE, "a+")  # noqa: SIM115 - held open while locked
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            holder = read_record(directory)
            raise ChainLocked(str(directory), holder.pid, holder.url) from None
        self._handle: IO[str] | None = handle
        self._write(NodeRecord(os.getpid(), None))

    def advertise(self, url: str | None) -> None:
        """Announce (or, with None, withdraw) the JSON-RPC URL other processes should write through."""
        if self._handle is not None:
            self._write(NodeRecord(os.getpid(), url))

    def _write(self, record: NodeRecord) -> None:
        temporary = self.directory / f".{RECORD_FILE}.{os.getpid()}"
        temporary.write_text(json.dumps({"pid": record.pid, "rpcUrl": record.url}) + "\n")
        temporary.replace(self.directory / RECORD_FILE)  # readers never see half a record

    def release(self) -> None:
        """Withdraw the record and drop the lock (idempotent)."""
        if self._handle is None:
            return
        (self.directory / RECORD_FILE).unlink(missing_ok=True)
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None
