"""The indexer: reads every ledger contract's events from a node into the read model, reorganisation-safe.

One cycle (:meth:`Indexer.run_once`):

1. **Reconcile.** The newest indexed block's hash is compared with the node's block at that height. If the
   node no longer has it (a reorganisation: on anvil, ``anvil_reorg`` or a reverted snapshot; on Besu, a
   fork), the fork point is found by binary search over the stored hashes (each stored block is linked to
   its parent, so once one height agrees every lower one does), everything above it is rolled back, and
   indexing resumes from there. (After safe-global's ``reorg_service``, which also keeps block hashes and
   re-indexes from the first block that no longer matches.)
2. **Catch up**, in bounded batches of ``batch_blocks`` blocks, at most ``max_batches_per_cycle`` per cycle:
   the blocks' headers (number, hash, parent hash, time), the ledger contracts' logs (``eth_getLogs`` with
   an address filter), each transaction's sender and recipient (``eth_getTransactionByHash``). A batch is
   written only if it is one chain: its first block's parent is the newest stored block, each block's
   parent is the one before, and every log names the hash of the header read for its block. Otherwise the
   node changed under the read (a reorganisation in progress) and the cycle stops; the next one reconciles.
   Each batch is one database transaction.

The indexer reads through chain_client only (the embedded node, anvil or Besu alike) and never writes to
the chain. :meth:`Indexer.run_forever` repeats the cycle, pausing when caught up; the API process runs it
in a background thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Engine

from api.indexer import store
from api.indexer.catalog import EventCatalog, IndexedEvent, checksummed, hex32
from api.indexer.database import open_engine, read_transaction, write_transaction
from api.indexer.errors import ChainChangedWhileReading, ReadModelMismatch
from chain_client.client import ChainClient
from chain_client.config import IndexerSettings
from chain_client.errors import LogQueryTooLarge
from chain_client.types import Block, Log

__all__ = ["CycleReport", "Indexer", "Reorganisation"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Reorganisation:
    """The node's chain replaced ours above ``fork_point`` (the newest block both share, -1 if none)."""

    fork_point: int
    dropped_blocks: int
    previous_tip: int


@dataclass(frozen=True)
class CycleReport:
    """What one :meth:`Indexer.run_once` did."""

    head: int
    """The node's newest block when the cycle began."""
    indexed_to: int | None
    """The newest block now in the read model (None: none yet)."""
    blocks: int = 0
    events: int = 0
    reorganisations: tuple[Reorganisation, ...] = field(default=())

    @property
    def caught_up(self) -> bool:
        return self.indexed_to is not None and self.indexed_to >= self.head


class Indexer:
    """Keeps the read model at ``engine`` in step with the ledger contracts ``catalog`` names."""

    def __init__(
        self,
        client: ChainClient,
        engine: Engine,
        catalog: EventCatalog,
        *,
        batch_blocks: int = 500,
        max_batches_per_cycle: int = 20,
        start_block: int = 0,
        poll_interval_seconds: float = 0.5,
    ) -> None:
        """Raises :class:`ReadModelMismatch` if ``engine`` holds a read model of another chain or contracts."""
        if batch_blocks < 1 or max_batches_per_cycle < 1 or start_block < 0:
            raise ValueError(
                "batch_blocks and max_batches_per_cycle must be positive, start_block not negative"
            )
        self.client = client
        self.engine = engine
        self.catalog = catalog
        self.batch_blocks = batch_blocks
        self.max_batches_per_cycle = max_batches_per_cycle
        self.start_block = start_block
        self.poll_interval_seconds = poll_interval_seconds
        self._lock = threading.Lock()
        self._claim_read_model()

    @classmethod
    def from_settings(
        cls, client: ChainClient, settings: IndexerSettings, addresses: dict[str, str]
    ) -> Indexer:
        """An indexer of the deployed contracts ``addresses`` into the read model the settings name."""
        return cls(
            client,
            open_engine(settings.url),
            EventCatalog(client, addresses),
            batch_blocks=settings.batch_blocks,
            max_batches_per_cycle=settings.max_batches_per_cycle,
            start_block=settings.start_block,
            poll_interval_seconds=settings.poll_interval_seconds,
        )

    def _claim_read_model(self) -> None:
        wanted = {
            "chain_id": str(self.client.chain_id),
            "contracts": store.contracts_state(
                {name: address for address, name in self.catalog.contracts.items()}
            ),
        }
        with write_transaction(self.engine) as connection:
            for key, value in wanted.items():
                stored = store.state(connection, key)
                if stored is None:
                    store.set_state(connection, key, value)
                elif stored != value:
                    raise ReadModelMismatch(key.replace("_", " "), stored, value)

    # ------------------------------------------------------------------ the cycle

    def run_once(self) -> CycleReport:
        """Reconcile with the node, then index up to ``max_batches_per_cycle`` batches of new blocks."""
        with self._lock:
            head = self.client.block_number()
            reorganisations: list[Reorganisation] = []
            found = self._reconcile(head)
            if found is not None:
                reorganisations.append(found)
            blocks = events = 0
            for _ in range(self.max_batches_per_cycle):
                with read_transaction(self.engine) as connection:
                    newest = store.tip(connection)
                start = self.start_block if newest is None else newest.number + 1
                if start > head:
                    break
                try:
                    written = self._index_batch(newest, start, min(head, start + self.batch_blocks - 1))
                except ChainChangedWhileReading as exc:
                    log.info("chain changed while reading; reconciling next cycle", reason=str(exc))
                    break
                blocks += written[0]
                events += written[1]
            with read_transaction(self.engine) as connection:
                newest = store.tip(connection)
            report = CycleReport(
                head=head,
                indexed_to=None if newest is None else newest.number,
                blocks=blocks,
                events=events,
                reorganisations=tuple(reorganisations),
            )
            if blocks or reorganisations:
                log.info(
                    "indexed",
                    blocks=blocks,
                    events=events,
                    indexed_to=report.indexed_to,
                    head=head,
                    reorganisations=len(reorganisations),
                )
            return report

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Cycle until ``stop`` is set, pausing ``poll_interval_seconds`` whenever caught up."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                report = self.run_once()
                caught_up = report.caught_up
            except Exception:
                # A service loop must outlive a failed cycle (node restarting, database busy): log and go on.
                log.exception("indexer cycle failed")
                caught_up = True
            if caught_up:
                stop.wait(self.poll_interval_seconds)

    # ------------------------------------------------------------------ reorganisations

    def _node_hash(self, number: int) -> str | None:
        block = self.client.backend.get_block(number)
        return None if block is None else hex32(block.hash)

    def _reconcile(self, head: int) -> Reorganisation | None:
        """Roll back above the newest block the node still has; None if the newest indexed block is current."""
        with read_transaction(self.engine) as connection:
            newest = store.tip(connection)
            lowest = store.first_block(connection)
            if newest is None or lowest is None:
                return None
            top = min(newest.number, head)
            if top == newest.number and self._node_hash(top) == newest.hash:
                return None
            # Binary search for the highest stored block the node still has: stored blocks are parent-linked,
            # so "the node has it" holds up to the fork point and fails above it.
            low, high, fork_point = lowest, top, lowest - 1
            while low <= high:
                middle = (low + high) // 2
                if self._node_hash(middle) == store.block_hash(connection, middle):
                    fork_point, low = middle, middle + 1
                else:
                    high = middle - 1
        with write_transaction(self.engine) as connection:
            dropped = store.rollback_to(connection, fork_point)
        found = Reorganisation(fork_point=fork_point, dropped_blocks=dropped, previous_tip=newest.number)
        log.warning(
            "reorganisation: rolled back",
            fork_point=fork_point,
            dropped_blocks=dropped,
            previous_tip=newest.number,
        )
        return found

    # ------------------------------------------------------------------ one batch

    def _headers(self, start: int, end: int) -> list[Block]:
        headers: list[Block] = []
        for number in range(start, end + 1):
            block = self.client.backend.get_block(number)
            if block is None:
                raise ChainChangedWhileReading(f"block {number} is gone")
            if headers and block.parent_hash != headers[-1].hash:
                raise ChainChangedWhileReading(f"block {number} does not follow block {number - 1}")
            headers.append(block)
        return headers

    def _logs(self, start: int, end: int) -> list[Log]:
        found: list[Log] = []
        window = end - start + 1
        first = start
        while first <= end:
            last = min(end, first + window - 1)
            try:
                found += self.client.get_logs(
                    from_block=first, to_block=last, addresses=self.catalog.addresses
                )
            except LogQueryTooLarge:
                if window == 1:
                    raise
                window = max(1, window // 2)
                continue
            first = last + 1
        return found

    def _transactions(
        self, indexed: Sequence[IndexedEvent], headers: Sequence[Block]
    ) -> list[store.TransactionRow]:
        rows: dict[str, store.TransactionRow] = {}
        for event in indexed:
            if event.tx_hash in rows:
                continue
            raw = self.client.backend.get_transaction(bytes.fromhex(event.tx_hash[2:]))
            if raw is None or raw.get("blockHash") != hex32(
                headers[event.block_number - headers[0].number].hash
            ):
                raise ChainChangedWhileReading(f"transaction {event.tx_hash} is not in the block read")
            recipient = raw.get("to")
            rows[event.tx_hash] = store.TransactionRow(
                tx_hash=event.tx_hash,
                block_number=event.block_number,
                tx_index=event.tx_index,
                sender=checksummed(bytes.fromhex(raw["from"][2:])),
                recipient=None if recipient is None else checksummed(bytes.fromhex(recipient[2:])),
            )
        return list(rows.values())

    def _index_batch(self, newest: store.BlockRow | None, start: int, end: int) -> tuple[int, int]:
        headers = self._headers(start, end)
        if newest is not None and hex32(headers[0].parent_hash) != newest.hash:
            raise ChainChangedWhileReading(f"block {start} does not follow the newest indexed block")
        logs = self._logs(start, end)
        for entry in logs:
            if entry.block_hash != headers[entry.block_number - start].hash:
                raise ChainChangedWhileReading(f"a log of block {entry.block_number} names another block")
        indexed = self.catalog.decode_all(logs)
        transaction_rows = self._transactions(indexed, headers)
        block_rows = [
            store.BlockRow(block.number, hex32(block.hash), hex32(block.parent_hash), block.timestamp)
            for block in headers
        ]
        with write_transaction(self.engine) as connection:
            current = store.tip(connection)
            if (current is None) != (newest is None) or (
                current is not None and newest is not None and current.number != newest.number
            ):
                raise ChainChangedWhileReading("another indexer wrote to the read model meanwhile")
            store.write_batch(connection, block_rows, transaction_rows, indexed)
        return len(block_rows), len(indexed)
