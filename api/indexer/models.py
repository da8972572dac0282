"""What the read model answers: JSON-ready pydantic models, each saying which block it is as of.

Formats (the service's): amounts as :class:`~api.indexer.amounts.Amount` (decimal strings, decimals stated),
addresses checksummed, hashes and bytes32 as 0x-hex, integers that may exceed 2**53 as decimal strings,
statuses as lower-case names of the contracts' enums (``open``, ``wound_up``, ``released``...).
``as_of_block`` is the newest block indexed when the answer was read (None while nothing is indexed).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from api.indexer.amounts import Amount

__all__ = [
    "BlockRef",
    "CheckpointRecord",
    "DonationRecord",
    "EventProof",
    "EventRecord",
    "IndexerStatus",
    "InstitutionSummary",
    "LotDetail",
    "LotSummary",
    "OrderDetail",
    "OrderSummary",
    "Page",
    "Party",
    "PlanDetail",
    "PlanSummary",
    "PoolLedger",
    "TransactionRecord",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class BlockRef(_Model):
    number: int
    hash: str
    timestamp: int = Field(description="unix seconds")


class EventProof(_Model):
    """Where an event is, so anyone can check it against their own node: block, transaction, log index."""

    block_number: int
    tx_hash: str
    log_index: int
    contract: str = Field(description="the emitting contract's name, e.g. WelfarePools")
    event: str = Field(description="the event's name, e.g. DonationReceived")


class EventRecord(_Model):
    """One decoded event; ``args`` as the contract's ABI names them (integers as decimal strings)."""

    block_number: int
    log_index: int
    tx_hash: str
    tx_index: int
    contract: str
    address: str
    name: str
    args: dict[str, Any]

    @property
    def proof(self) -> EventProof:
        return EventProof(
            block_number=self.block_number,
            tx_hash=self.tx_hash,
            log_index=self.log_index,
            contract=self.contract,
            event=self.name,
        )


class Party(_Model):
    """An account, named when the platform's directory knows it (institutions only, never persons)."""

    address: str
    name: str | None = None
    kind: str | None = Field(None, description="charity, supplier, hospital, bank, regulator, ...")


class TransactionRecord(_Model):
    tx_hash: str
    block: BlockRef
    tx_index: int
    sender: str
    recipient: str | None
    recipient_contract: str | None = Field(None, description="the ledger contract called, if any")
    events: list[EventRecord]
    as_of_block: int | None


T = TypeVar("T")


class Page(_Model, Generic[T]):
    """Up to ``limit`` items; ``next_offset`` is where the next page starts (None: this is the last)."""

    items: list[T]
    next_offset: int | None
    as_of_block: int | None


class IndexerStatus(_Model):
    chain_id: int | None
    contracts: dict[str, str]
    as_of_block: int | None
    as_of_hash: str | None
    as_of_timestamp: int | None
    events: int
    transactions: int


class PoolLedger(_Model):
    """One asset of one pool, rebuilt from events: ``donated + moved_in == balance + escrowed + paid_out +
    refunded + to_government + moved_out``."""

    asset: str
    donated: Amount
    moved_in: Amount
    balance: Amount
    escrowed: Amount
    paid_out: Amount
    refunded: Amount
    to_government: Amount
    moved_out: Amount


class PlanSummary(_Model):
    pool_id: int
    charity: Party
    status: str = Field(description="launched, audited, open, closed, rejected or wound_up")
    deadline: int = Field(description="unix seconds: the last moment donations are accepted")
    money_target: Amount
    needs_government_approval: bool
    government_transfer_allowed: bool
    unspent: str = Field(description="refund or move_to_plan")
    warehouse: str
    purpose_digest: str
    launched: EventProof
    donated: Amount = Field(description="money donated so far")


class PlanDetail(PlanSummary):
    in_kind: list[dict[str, str]] = Field(description="goods sought: goods_type, quantity, name if known")
    ledgers: list[PoolLedger]
    history: list[EventRecord] = Field(
        description="the plan's own events: launch, audit, decision, close, wind-up"
    )
    as_of_block: int | None


class DonationRecord(_Model):
    pool_id: int
    donor: str
    form: str = Field(description="money, points, rights, virtual_resource or goods")
    amount: Amount
    pledge_id: int | None
    proof: EventProof


class OrderSummary(_Model):
    order_id: str
    pool_id: int
    charity: Party
    payee: Party
    bank: Party
    amount: Amount
    deadline: int
    status: str = Field(description="issued, disputed, released, refunded, expired or cancelled")
    payee_signed: bool
    charity_signed: bool
    mismatches: int
    issued: EventProof
    closed: EventProof | None = Field(None, description="the event that made the order final, if any")


class OrderDetail(OrderSummary):
    purpose_digest: str
    digest: str
    history: list[EventRecord]
    lots: list[LotSummary]
    as_of_block: int | None


class CheckpointRecord(_Model):
    checkpoint: str = Field(description="shipped, in_transit, received, handed_to_beneficiary or signed_off")
    by: Party
    holder: Party
    evidence_digest: str
    proof: EventProof


class LotSummary(_Model):
    lot_id: int
    pool_id: int
    source: str = Field(description="pledge or purchase")
    order_id: str | None
    pledge_id: int | None
    goods: Amount
    holder: Party
    status: str = Field(description="stored, shipped, in_transit, received, handed_over or delivered")
    opened: EventProof


class LotDetail(LotSummary):
    checkpoints: list[CheckpointRecord]
    as_of_block: int | None


class InstitutionSummary(_Model):
    address: str
    name: str | None = Field(description="from the platform's directory (the name on its certificates)")
    kind: str = Field(
        description="charity, government_agency, supplier, hospital, logistics or local_government"
    )
    status: str = Field(description="pending, approved, rejected, suspended or flagged")
    applied: EventProof
    audited: EventProof | None


OrderDetail.model_rebuild()
