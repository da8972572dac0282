"""Automatic matching (S304-S305): when both signed copies of an order are in, submit them; the chain decides.

One cycle (:meth:`OrderMatcher.run_once`) takes the complete pairs from the delivery store, sends one
``settle`` per pair without waiting in between (pipelined), then reads each receipt: the escrow either paid the
payee (``released``), recorded a mismatch (``mismatch``) or refused with a named error (``rejected:<Error>``).
The outcome is written back so the pair leaves the queue; a party signing again puts it back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import structlog
from eth_account.signers.local import LocalAccount

from api.orders.delivery import DeliveryStore, ReadyPair
from chain_client.client import PendingTransaction
from chain_client.contracts.payment_order_escrow import SETTLE_GAS, PaymentOrderEscrow
from chain_client.errors import ChainClientError, ContractReverted, TransactionFailed

log = structlog.get_logger(__name__)

RELEASED = "released"
MISMATCH = "mismatch"


@dataclass(frozen=True)
class MatchOutcome:
    order_id: bytes
    outcome: str
    tx_hash: bytes | None

    @property
    def released(self) -> bool:
        return self.outcome == RELEASED


class OrderMatcher:
    """Submits complete pairs of signed copies to the escrow as ``submitter``."""

    def __init__(
        self,
        escrow: PaymentOrderEscrow,
        store: DeliveryStore,
        submitter: LocalAccount,
        *,
        batch: int = 200,
        interval_seconds: float = 0.5,
    ) -> None:
        self.escrow = escrow
        self.store = store
        self.submitter = submitter
        self.batch = batch
        self.interval_seconds = interval_seconds

    def run_once(self) -> list[MatchOutcome]:
        """Settle every complete pair in the store (up to ``batch``); returns what the chain decided."""
        client = self.escrow.client
        sent: list[tuple[ReadyPair, PendingTransaction]] = []
        for pair in self.store.ready_pairs(self.batch):
            data = self.escrow.settle_data(
                pair.order_id,
                pair.payee.copy,
                pair.payee.signature,
                pair.charity.copy,
                pair.charity.signature,
            )
            try:
                sent.append((pair, client.submit(self.submitter, self.escrow.address, data, gas=SETTLE_GAS)))
            except ChainClientError as exc:
                # The node refused the transaction itself (not the escrow): leave the pair for the next cycle.
                log.warning("settlement not sent", order_id="0x" + pair.order_id.hex(), error=str(exc))
        outcomes = [self._outcome(pair, pending) for pair, pending in sent]
        for outcome in outcomes:
            self.store.record_outcome(outcome.order_id, outcome.outcome, outcome.tx_hash)
            log.info("order settled", order_id="0x" + outcome.order_id.hex(), outcome=outcome.outcome)
        return outcomes

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Cycle until ``stop`` is set, pausing ``interval_seconds`` whenever a cycle found nothing to do."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                busy = bool(self.run_once())
            except Exception:
                # A service loop must outlive a failed cycle (node down, database busy): log it and go on.
                log.exception("matcher cycle failed")
                busy = False
            if not busy:
                stop.wait(self.interval_seconds)

    def _outcome(self, pair: ReadyPair, pending: PendingTransaction) -> MatchOutcome:
        try:
            receipt = pending.wait()
        except ContractReverted as exc:
            return MatchOutcome(pair.order_id, f"rejected:{exc.error_name}", pending.tx_hash)
        except TransactionFailed:
            return MatchOutcome(pair.order_id, "failed", pending.tx_hash)
        names = {event.name for event in self.escrow.client.decode_events(receipt.logs, [self.escrow.abi])}
        return MatchOutcome(
            pair.order_id, RELEASED if "OrderReleased" in names else MISMATCH, pending.tx_hash
        )
