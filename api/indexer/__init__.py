"""The read model: every ledger contract's events in SQL, reorganisation-safe, never written to the chain.

* :class:`Indexer` (``run_once()``, ``run_forever()``) reads blocks and events through chain_client into the
  read model (SQLite in the data directory by default, PostgreSQL by URL; ``IndexerSettings``).
* :class:`ReadModel` answers the API's lists and searches (plans, donations, orders, lots, institutions,
  events, transactions), each answer saying which block it is ``as_of_block``.
* :class:`Directory` holds the public names of institutions the platform learned off-chain.
* :func:`open_indexer` / :func:`open_read_model` build them from the settings root.

See ``docs/indexer.md``.
"""

from __future__ import annotations

from api.indexer.amounts import MONEY_DECIMALS, MONEY_SYMBOL, Amount, asset_amount, format_units, goods_amount
from api.indexer.catalog import EventCatalog, IndexedEvent
from api.indexer.database import open_engine
from api.indexer.directory import Directory, DirectoryCategory, InvalidDirectoryEntry
from api.indexer.errors import ChainChangedWhileReading, IndexerError, ReadModelMismatch
from api.indexer.indexer import CycleReport, Indexer, Reorganisation
from api.indexer.models import (
    BlockRef,
    CheckpointRecord,
    DonationRecord,
    EventProof,
    EventRecord,
    IndexerStatus,
    InstitutionSummary,
    LotDetail,
    LotSummary,
    OrderDetail,
    OrderSummary,
    Page,
    Party,
    PlanDetail,
    PlanSummary,
    PoolLedger,
    TransactionRecord,
)
from api.indexer.read_model import MAX_PAGE, InvalidQuery, ReadModel
from api.indexer.service import open_indexer, open_read_model

__all__ = [
    "MAX_PAGE",
    "MONEY_DECIMALS",
    "MONEY_SYMBOL",
    "Amount",
    "BlockRef",
    "ChainChangedWhileReading",
    "CheckpointRecord",
    "CycleReport",
    "Directory",
    "DirectoryCategory",
    "DonationRecord",
    "EventCatalog",
    "EventProof",
    "EventRecord",
    "IndexedEvent",
    "Indexer",
    "IndexerError",
    "IndexerStatus",
    "InstitutionSummary",
    "InvalidDirectoryEntry",
    "InvalidQuery",
    "LotDetail",
    "LotSummary",
    "OrderDetail",
    "OrderSummary",
    "Page",
    "Party",
    "PlanDetail",
    "PlanSummary",
    "PoolLedger",
    "ReadModel",
    "ReadModelMismatch",
    "Reorganisation",
    "TransactionRecord",
    "asset_amount",
    "format_units",
    "goods_amount",
    "open_engine",
    "open_indexer",
    "open_read_model",
]
