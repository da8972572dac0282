"""What verification by transaction hash answers: the transaction, and the flow graph of its value (JSON-ready).

A :class:`Verification` says what the transaction was (:class:`TransactionKind`), where it is (block number,
hash and time), who sent it, every ledger event it emitted (decoded), and the :class:`FlowGraph` of the value
it concerns. Every :class:`FlowEdge` carries its proof, the event that records it (block number, transaction
hash, log index), so anyone can check it against their own node (``eth_getLogs`` or
``eth_getTransactionReceipt``).

Shares. Money, points and rights are fungible inside a pool, so a gift is followed *pro rata*: its donor's
refunds from the pool are theirs (exactly, per donor), and the rest of the gift is shared across everything
else the pool's value became, in proportion to size (paid to a payee under a payment order, still escrowed
for an order, transferred to a local government, moved to another plan, and still held), split in whole base
units by largest remainder so that the shares add up to the gift exactly. On each edge, ``amount`` is what the
event moved and ``share`` the part of the verified value in it. Out of a plan, the ``share`` of the ``locked``,
``to_government``, ``moved`` and ``refunded`` edges plus the plan node's ``held_share`` add up to the value that
entered it. Goods are not fungible: a goods gift is followed exactly, lot by lot, checkpoint by checkpoint, to
the beneficiary's sign-off.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.indexer.amounts import Amount
from api.indexer.models import BlockRef, EventProof, EventRecord

__all__ = ["EdgeKind", "FlowEdge", "FlowGraph", "FlowNode", "NodeKind", "TransactionKind", "Verification"]


class TransactionKind(StrEnum):
    """What a transaction was, named after the ledger event that says so."""

    DONATION = "donation"
    GOODS_PLEDGE = "goods_pledge"
    GOODS_RECEIVED = "goods_received"
    PLAN_LAUNCH = "plan_launch"
    PLAN_AUDIT = "plan_audit"
    PLAN_DECISION = "plan_decision"
    PLAN_CLOSE = "plan_close"
    PLAN_WIND_UP = "plan_wind_up"
    ORDER_ISSUE = "order_issue"
    ORDER_SIGNATURE = "order_signature"
    ORDER_SETTLEMENT = "order_settlement"
    ORDER_MISMATCH = "order_mismatch"
    ORDER_EXPIRY = "order_expiry"
    ORDER_CANCELLATION = "order_cancellation"
    ORDER_FREEZE = "order_freeze"
    ORDER_DISPUTE_DECISION = "order_dispute_decision"
    PURCHASE_LOT = "purchase_lot"
    CHECKPOINT = "checkpoint"
    REFUND = "refund"
    MOVE = "move"
    GOVERNMENT_TRANSFER_PROPOSAL = "government_transfer_proposal"
    GOVERNMENT_TRANSFER = "government_transfer"
    GOVERNMENT_TRANSFER_REJECTION = "government_transfer_rejection"
    GOVERNMENT_TRANSFER_ACKNOWLEDGEMENT = "government_transfer_acknowledgement"
    DEPOSIT_MINT = "deposit_mint"
    DEPOSIT_REDEMPTION = "deposit_redemption"
    ASSET_ISSUE = "asset_issue"
    ASSET_REDEMPTION = "asset_redemption"
    TRANSFER = "transfer"
    INSTITUTION_APPLICATION = "institution_application"
    INSTITUTION_AUDIT = "institution_audit"
    INSTITUTION_STANDING = "institution_standing"
    REGISTRY_ATTESTATION = "registry_attestation"
    ROLE_CHANGE = "role_change"
    ALLOW_LIST = "allow_list"
    OTHER = "other"


class NodeKind(StrEnum):
    DONOR = "donor"
    PLAN = "plan"
    ORDER = "order"
    PAYEE = "payee"
    LOT = "lot"
    HOLDER = "holder"
    LOCAL_GOVERNMENT = "local_government"
    REFUNDED_DONORS = "refunded_donors"
    ACCOUNT = "account"


class EdgeKind(StrEnum):
    DONATED = "donated"
    PLEDGED = "pledged"
    RECEIVED = "received"
    LOCKED = "locked"
    PAID = "paid"
    RETURNED = "returned"
    REFUNDED = "refunded"
    TO_GOVERNMENT = "to_government"
    MOVED = "moved"
    LOT_OPENED = "lot_opened"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    RECEIVED_BY_HOLDER = "received_by_holder"
    HANDED_TO_BENEFICIARY = "handed_to_beneficiary"
    SIGNED_OFF = "signed_off"
    MINTED = "minted"
    REDEEMED = "redeemed"
    TRANSFERRED = "transferred"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class FlowNode(_Model):
    """A party or place the value passed through. ``id`` is stable: ``plan:3``, ``order:0x…``, ``lot:7``,
    ``account:0x…``, ``lot:7:holder:0x…``."""

    id: str
    kind: NodeKind
    label: str = Field(description="a short human label; the institution's name where the platform knows it")
    address: str | None = None
    name: str | None = Field(None, description="the institution's public name, from the platform's directory")
    details: dict[str, Any] = Field(default_factory=dict)


class FlowEdge(_Model):
    """One movement of value or custody, with the event that proves it."""

    source: str
    target: str
    kind: EdgeKind
    amount: Amount | None = Field(description="what the event moved")
    share: Amount | None = Field(description="the part of the verified value in it (None: not split)")
    proof: EventProof
    timestamp: int = Field(description="the block's time, unix seconds")


class FlowGraph(_Model):
    nodes: list[FlowNode]
    edges: list[FlowEdge]


class Verification(_Model):
    """The answer to "what happened to this transaction's value?"."""

    tx_hash: str
    kind: TransactionKind
    summary: str = Field(description="one English sentence")
    block: BlockRef
    sender: str
    recipient: str | None
    recipient_contract: str | None
    events: list[EventRecord]
    flow: FlowGraph
    as_of_block: int | None = Field(description="the newest block the read model had indexed")
