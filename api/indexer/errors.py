"""Errors of the read model and its indexer."""

from __future__ import annotations

__all__ = ["ChainChangedWhileReading", "IndexerError", "ReadModelMismatch"]


class IndexerError(Exception):
    """Base of the read model's errors."""


class ReadModelMismatch(IndexerError):
    """The read model was built for another chain or other contracts: it must be reset before it is reused."""

    def __init__(self, what: str, stored: str, current: str) -> None:
        super().__init__(
            f"the read model was built for {what} {stored}, not {current}: "
            "reset it (`python -m api.indexer reset`) or point LEDGER_INDEXER__DATABASE_URL elsewhere"
        )
        self.what = what
        self.stored = stored
        self.current = current


class ChainChangedWhileReading(IndexerError):
    """The node's chain changed between two reads of one batch (a reorganisation under way); retried later."""
