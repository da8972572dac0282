"""Relief plans (pools): terms, state, money ledger, goods wanted, and the actions on them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from api.indexer.amounts import Amount
from api.schemas.common import (
    Address,
    AsOf,
    DecimalAmount,
    Hash32,
    PositiveSafeInt,
    SafeInt,
    ShortText,
    Transaction,
)

AssetRef = Annotated[
    str,
    Field(
        pattern=r"^(money|[0-9]{1,78})$",
        description="'money' (the deposit token) or a welfare asset's id (uint256, decimal string)",
        examples=["money"],
    ),
]
GoodsRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="a goods type: its id (0x + 64 hex), or its name (the id is keccak256 of the name)",
        examples=["rice 25 kg"],
    ),
]
PlanStatusName = Literal["launched", "audited", "open", "closed", "rejected", "wound_up"]


class InKindWanted(BaseModel):
    goods_type: GoodsRef
    quantity: PositiveSafeInt


class PlanLaunch(BaseModel):
    """What a charity commits to when it launches a plan."""

    purpose: ShortText = Field(
        description="the plan's purpose; only its keccak256 goes on-chain",
        examples=["Flood relief, Xinxiang"],
    )
    deadline: PositiveSafeInt = Field(description="unix seconds; after it the plan can be wound up")
    money_target: DecimalAmount | None = Field(None, description="in deposit-token units")
    in_kind: list[InKindWanted] = Field(default_factory=list, max_length=50)
    needs_government_approval: bool = False
    government_transfer_allowed: bool = False
    unspent: Literal["refund", "move_to_plan"] = "refund"
    successor_pool_id: PositiveSafeInt | None = Field(
        None,
        description="with unspent=move_to_plan, the existing plan unspent value moves to (required); "
        "with refund, none",
    )
    warehouse: Address | None = Field(None, description="who signs for pledged goods")

    @model_validator(mode="after")
    def _successor_matches_terms(self) -> PlanLaunch:
        if self.unspent == "move_to_plan" and self.successor_pool_id is None:
            raise ValueError("unspent=move_to_plan needs successor_pool_id: the plan unspent value moves to")
        if self.unspent == "refund" and self.successor_pool_id is not None:
            raise ValueError("successor_pool_id is only for unspent=move_to_plan")
        return self


class PlanLaunched(BaseModel):
    pool_id: int
    purpose_digest: Hash32
    transaction: Transaction


class GoodsOut(BaseModel):
    goods_type: Hash32
    wanted: int
    received: int


class MoneyLedger(BaseModel):
    """Where the plan's money is: ``donated + moved_in = balance + escrowed + paid_out + refunded +
    to_government + moved_out`` always holds."""

    donated: Amount
    balance: Amount
    escrowed: Amount
    paid_out: Amount
    refunded: Amount
    to_government: Amount
    moved_in: Amount
    moved_out: Amount


class PlanOut(BaseModel):
    pool_id: int
    charity: Address
    status: PlanStatusName
    deadline: int
    needs_government_approval: bool
    government_transfer_allowed: bool
    unspent: Literal["refund", "move_to_plan"]
    successor_pool_id: int | None = Field(
        description="with move_to_plan terms, the plan unspent value moves to"
    )
    warehouse: Address
    purpose_digest: Hash32
    money_target: Amount
    money: MoneyLedger
    in_kind: list[GoodsOut]
    as_of: AsOf


class Decision(BaseModel):
    passed: bool
    report: ShortText = Field(description="the audit report; only its keccak256 goes on-chain")


class GovernmentDecision(BaseModel):
    approved: bool
    decision: ShortText = Field(description="the decision document; only its keccak256 goes on-chain")


class RefundClaim(BaseModel):
    asset: AssetRef = "money"
    donor: Address | None = Field(None, description="whose refund (default: the signed-in account)")


class MoveUnspent(BaseModel):
    asset: AssetRef = "money"
    to_pool_id: PositiveSafeInt = Field(description="the successor plan the wound-up plan's terms name")


class MovedValueReturn(BaseModel):
    asset: AssetRef = "money"
    contributor_pool_id: PositiveSafeInt = Field(
        description="the wound-up plan whose unspent value was moved into this one; it is paid back its "
        "pro-rata share of this plan's refund, for its own donors"
    )


class GovernmentTransferProposal(BaseModel):
    local_government: Address
    asset: AssetRef = "money"
    amount: DecimalAmount
    purpose: ShortText


class GovernmentTransferOut(BaseModel):
    transfer_id: int
    pool_id: int
    local_government: Address
    status: Literal["proposed", "confirmed", "rejected", "acknowledged"]
    asset: str
    amount: Amount
    purpose_digest: Hash32
    as_of: AsOf


class Created(BaseModel):
    id: int
    transaction: Transaction


class Done(BaseModel):
    transaction: Transaction


class AssetMovement(BaseModel):
    transaction: Transaction
    amount: Amount


__all__ = ["SafeInt"]
