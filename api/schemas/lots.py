"""Goods lots and their custody checkpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Address, AsOf, Hash32, ShortText, Transaction

CheckpointName = Literal["shipped", "in_transit", "received", "handed_to_beneficiary", "signed_off"]


class LotOut(BaseModel):
    lot_id: int
    pool_id: int
    holder: Address
    status: Literal["stored", "shipped", "in_transit", "received", "handed_over", "delivered"]
    source: Literal["pledge", "purchase"]
    source_ref: Hash32 = Field(description="the pledge id (as bytes32) or the payment order id")
    goods_type: Hash32
    quantity: int
    as_of: AsOf


class CheckpointIn(BaseModel):
    checkpoint: CheckpointName
    next_holder: Address | None = Field(
        None, description="who takes the lot (shipped: the carrier; received/handed over: the next holder)"
    )
    evidence: ShortText | None = Field(
        None,
        description="a waybill, a photo's description, a signature record; only its keccak256 goes on-chain",
    )


class CheckpointOut(BaseModel):
    lot_id: int
    checkpoint: CheckpointName
    holder: Address
    transaction: Transaction
