"""Per-donor tracing: where did my gift go? Answered from the pools' and the tracker's events alone.

A :class:`PoolTracer` reads the ``WelfarePools`` (and ``ResourceTracker``) logs once into an index, keeps
it current with :meth:`PoolTracer.refresh`, and answers :meth:`PoolTracer.trace` for a donation's
transaction hash without touching the chain again.

Money, points and rights are fungible inside a pool, so a gift is followed *pro rata*: the part of its
donor's refunds that belongs to the gift (refunds are per donor, so this part is exact), and the rest of
the gift shared across the pool's other destinations in proportion to their size: paid out (per payment
order), in escrow (per order), transferred to a local government (per recipient), moved to another plan
(per plan), and still in the pool. Amounts are whole token units split by largest remainder, so they add
up to the gift exactly. Goods are not fungible: a goods gift is followed exactly, through its lot's
custody checkpoints to the beneficiary.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.abi import ContractAbi, DecodedEvent
from chain_client.client import ChainClient
from chain_client.contracts.resource_tracker import Checkpoint
from chain_client.contracts.welfare_pools import DonationForm, DonationReceipt
from chain_client.errors import LogQueryTooLarge

__all__ = ["CustodyStep", "Destination", "DestinationKind", "GiftTrace", "PoolTracer"]

_POOLS: Final = "WelfarePools"
_TRACKER: Final = "ResourceTracker"
_PLEDGE_SOURCE: Final = 1
_LOG_WINDOW: Final = 5_000
"""Blocks per log query; halved while the node says a query matches too many logs."""


class DestinationKind(StrEnum):
    """Where (part of) a gift is now."""

    BALANCE = "balance"
    ESCROWED = "escrowed"
    PAID_OUT = "paid_out"
    REFUNDED = "refunded"
    TO_GOVERNMENT = "to_government"
    MOVED = "moved"


@dataclass(frozen=True)
class Destination:
    """``amount`` of the gift went to ``kind``; ``ref`` names the order id (hex), the local government,
    the receiving pool id or the refunded donor."""

    kind: DestinationKind
    amount: int
    ref: str = ""


@dataclass(frozen=True)
class CustodyStep:
    """One checkpoint of a goods lot, as its ``CheckpointRecorded`` event says."""

    checkpoint: Checkpoint
    by: ChecksumAddress
    holder: ChecksumAddress
    evidence_digest: bytes
    tx_hash: bytes
    block_number: int


@dataclass(frozen=True)
class GiftTrace:
    """Where one gift went. For money, points and rights ``destinations`` add up to the gift's amount;
    for goods, ``lot_id`` and ``custody`` give the lot's path (``delivered`` once the beneficiary signed)."""

    receipt: DonationReceipt
    destinations: tuple[Destination, ...] = ()
    lot_id: int | None = None
    holder: ChecksumAddress | None = None
    custody: tuple[CustodyStep, ...] = ()
    delivered: bool = False

    def amount_to(self, kind: DestinationKind) -> int:
        return sum(destination.amount for destination in self.destinations if destination.kind is kind)


@dataclass
class _Flows:
    """What happened to one asset of one pool, from its events."""

    donated: int = 0
    moved_in: int = 0
    contributions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refunds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    locked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    paid: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    returned: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    to_government: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    moved_out: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _buckets: list[tuple[DestinationKind, str, int]] | None = None

    def buckets(self) -> list[tuple[DestinationKind, str, int]]:
        """Every non-refund destination with its size (cached until the next event)."""
        if self._buckets is None:
            buckets: list[tuple[DestinationKind, str, int]] = []
            for order, amount in self.paid.items():
                buckets.append((DestinationKind.PAID_OUT, order, amount))
            for order, amount in self.locked.items():
                escrowed = amount - self.paid.get(order, 0) - self.returned.get(order, 0)
                if escrowed:
                    buckets.append((DestinationKind.ESCROWED, order, escrowed))
            for government, amount in self.to_government.items():
                buckets.append((DestinationKind.TO_GOVERNMENT, government, amount))
            for pool, amount in self.moved_out.items():
                buckets.append((DestinationKind.MOVED, pool, amount))
            gone = sum(amount for _, _, amount in buckets) + sum(self.refunds.values())
            balance = self.donated + self.moved_in - gone
            if balance:
                buckets.append((DestinationKind.BALANCE, "", balance))
            self._buckets = buckets
        return self._buckets

    def changed(self) -> None:
        self._buckets = None


@dataclass
class _Lot:
    lot_id: int
    holder: ChecksumAddress
    custody: list[CustodyStep] = field(default_factory=list)
    delivered: bool = False


class PoolTracer:
    """An index of one ``WelfarePools`` contract's events (and its tracker's) that traces gifts."""

    def __init__(
        self,
        client: ChainClient,
        pools: ChecksumAddress,
        tracker: ChecksumAddress | None = None,
        *,
        from_block: int = 0,
    ) -> None:
        self.client = client
        self.pools = to_checksum_address(pools)
        self.tracker = to_checksum_address(tracker) if tracker is not None else None
        self._pools_abi: ContractAbi = client.abi(_POOLS)
        self._tracker_abi: ContractAbi = client.abi(_TRACKER)
        self._next_block = from_block
        self._gifts_by_tx: dict[bytes, list[DonationReceipt]] = defaultdict(list)
        self._pledge_txs: dict[bytes, list[int]] = defaultdict(list)
        self._goods_gifts: dict[int, DonationReceipt] = {}
        self._flows: dict[tuple[int, int], _Flows] = defaultdict(_Flows)
        self._lots_by_pledge: dict[int, int] = {}
        self._lots: dict[int, _Lot] = {}
        self._proposed_recipients: dict[int, str] = {}

    # ------------------------------------------------------------------ index

    def refresh(self) -> int:
        """Read the events mined since the last refresh; returns how many were indexed."""
        head = self.client.block_number()
        if head < self._next_block:
            return 0
        addresses = [self.pools] + ([self.tracker] if self.tracker is not None else [])
        count = 0
        window = _LOG_WINDOW
        while self._next_block <= head:
            last = min(head, self._next_block + window - 1)
            try:
                logs = self.client.get_logs(from_block=self._next_block, to_block=last, addresses=addresses)
            except LogQueryTooLarge:
                if window == 1:
                    raise
                window = max(1, window // 2)
                continue
            logs.sort(key=lambda entry: (entry.block_number, entry.log_index))
            for entry in logs:
                abi = self._pools_abi if entry.address == self.pools else self._tracker_abi
                event = abi.decode_log(entry)
                if event is not None:
                    self._apply(event)
                    count += 1
            self._next_block = last + 1
        return count

    def _apply(self, event: DecodedEvent) -> None:
        handler = getattr(self, f"_on_{event.name}", None)
        if handler is not None:
            handler(event)

    def _flow(self, pool_id: int, asset: int) -> _Flows:
        flows = self._flows[(pool_id, asset)]
        flows.changed()
        return flows

    def _on_DonationReceived(self, event: DecodedEvent) -> None:  # noqa: N802
        receipt = DonationReceipt.from_event(event)
        self._gifts_by_tx[receipt.tx_hash].append(receipt)
        if receipt.form is DonationForm.GOODS:
            self._goods_gifts[receipt.pledge_id] = receipt
            return
        flows = self._flow(receipt.pool_id, receipt.asset)
        flows.donated += receipt.amount
        flows.contributions[receipt.donor] += receipt.amount

    def _on_GoodsPledged(self, event: DecodedEvent) -> None:  # noqa: N802
        self._pledge_txs[event.log.transaction_hash].append(int(event["pledgeId"]))

    def _on_RefundPaid(self, event: DecodedEvent) -> None:  # noqa: N802
        self._flow(event["poolId"], event["asset"]).refunds[event["donor"]] += event["amount"]

    def _on_OrderFundsLocked(self, event: DecodedEvent) -> None:  # noqa: N802
        self._flow(event["poolId"], event["asset"]).locked["0x" + event["orderId"].hex()] += event["amount"]

    def _on_OrderFundsPaid(self, event: DecodedEvent) -> None:  # noqa: N802
        self._flow(event["poolId"], event["asset"]).paid["0x" + event["orderId"].hex()] += event["amount"]

    def _on_OrderFundsReturned(self, event: DecodedEvent) -> None:  # noqa: N802
        self._flow(event["poolId"], event["asset"]).returned["0x" + event["orderId"].hex()] += event["amount"]

    def _on_UnspentMoved(self, event: DecodedEvent) -> None:  # noqa: N802
        amount = event["amount"]
        self._flow(event["fromPoolId"], event["asset"]).moved_out[str(event["toPoolId"])] += amount
        self._flow(event["toPoolId"], event["asset"]).moved_in += amount

    def _on_GovernmentTransferProposed(self, event: DecodedEvent) -> None:  # noqa: N802
        self._proposed_recipients[event["transferId"]] = event["localGovernment"]

    def _on_GovernmentTransferConfirmed(self, event: DecodedEvent) -> None:  # noqa: N802
        recipient = self._proposed_recipients[event["transferId"]]
        self._flow(event["poolId"], event["asset"]).to_government[recipient] += event["amount"]

    def _on_LotOpened(self, event: DecodedEvent) -> None:  # noqa: N802
        lot_id = int(event["lotId"])
        self._lots[lot_id] = _Lot(lot_id, event["holder"])
        if event["source"] == _PLEDGE_SOURCE:
            self._lots_by_pledge[int.from_bytes(event["sourceRef"], "big")] = lot_id

    def _on_CheckpointRecorded(self, event: DecodedEvent) -> None:  # noqa: N802
        lot = self._lots[int(event["lotId"])]
        step = CustodyStep(
            checkpoint=Checkpoint(event["checkpoint"]),
            by=event["by"],
            holder=event["holder"],
            evidence_digest=event["evidenceDigest"],
            tx_hash=event.log.transaction_hash,
            block_number=event.log.block_number,
        )
        lot.custody.append(step)
        lot.holder = step.holder
        lot.delivered = step.checkpoint is Checkpoint.SIGNED_OFF

    # ------------------------------------------------------------------ queries

    def gifts(self, tx_hash: bytes) -> list[DonationReceipt]:
        """The gifts a transaction made (a pledge's transaction counts once its goods were received)."""
        found = list(self._gifts_by_tx.get(tx_hash, ()))
        for pledge_id in self._pledge_txs.get(tx_hash, ()):
            if pledge_id in self._goods_gifts:
                found.append(self._goods_gifts[pledge_id])
        return found

    def trace(self, tx_hash: bytes) -> list[GiftTrace]:
        """Where each gift of the donation transaction ``tx_hash`` went (empty if it made none)."""
        return [self.trace_gift(receipt) for receipt in self.gifts(tx_hash)]

    def trace_gift(self, receipt: DonationReceipt) -> GiftTrace:
        if receipt.form is DonationForm.GOODS:
            lot_id = self._lots_by_pledge.get(receipt.pledge_id)
            lot = self._lots.get(lot_id) if lot_id is not None else None
            if lot is None:
                return GiftTrace(receipt=receipt, lot_id=lot_id)
            return GiftTrace(
                receipt=receipt,
                lot_id=lot.lot_id,
                holder=lot.holder,
                custody=tuple(lot.custody),
                delivered=lot.delivered,
            )
        flows = self._flows[(receipt.pool_id, receipt.asset)]
        contributed = flows.contributions.get(receipt.donor, 0)
        refunded = flows.refunds.get(receipt.donor, 0) * receipt.amount // contributed if contributed else 0
        destinations = [Destination(DestinationKind.REFUNDED, refunded, receipt.donor)] if refunded else []
        destinations += _pro_rata(receipt.amount - refunded, flows.buckets())
        return GiftTrace(receipt=receipt, destinations=tuple(destinations))


def _pro_rata(total: int, buckets: list[tuple[DestinationKind, str, int]]) -> list[Destination]:
    """Split ``total`` across ``buckets`` in proportion to their sizes, by largest remainder."""
    weight = sum(size for _, _, size in buckets)
    if total <= 0 or weight <= 0:
        return []
    shares = [(kind, ref, total * size // weight, total * size % weight) for kind, ref, size in buckets]
    missing = total - sum(share for _, _, share, _ in shares)
    order = sorted(range(len(shares)), key=lambda index: shares[index][3], reverse=True)
    bonus = set(order[:missing])
    return [
        Destination(kind, share + (1 if index in bonus else 0), ref)
        for index, (kind, ref, share, _) in enumerate(shares)
        if share or index in bonus
    ]
