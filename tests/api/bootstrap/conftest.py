"""The bootstrap suite reads the session's demo ledger and builds small ledgers of its own."""

from __future__ import annotations

from tests.ledger_support import demo_ledger

__all__ = ["demo_ledger"]
