"""The regulator's actions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import PositiveSafeInt, ShortText
from api.schemas.orders import OrderMessage
from api.schemas.plans import AssetRef


class Suspension(BaseModel):
    reason_code: str = Field(
        pattern=r"^[A-Z0-9_]{1,32}$",
        description="a short reason code (ASCII, at most 32 characters), stored on-chain as is",
        examples=["FUNDS_MISUSED"],
    )


class Freeze(BaseModel):
    reason: ShortText = Field(description="why; only its keccak256 goes on-chain")


class DisputeDecision(BaseModel):
    order: OrderMessage = Field(description="the whole order (the escrow holds only its commitment)")
    release: bool = Field(description="true: pay the payee; false: return the amount to the plan")
    decision: ShortText = Field(description="the decision document; only its keccak256 goes on-chain")


class PlanWindUp(BaseModel):
    decision: ShortText = Field(description="why the plan ends early; only its keccak256 goes on-chain")


class MoveByDecision(BaseModel):
    asset: AssetRef = "money"
    to_pool_id: PositiveSafeInt = Field(description="an open plan, whatever the wound-up plan's terms name")
    decision: ShortText = Field(description="the decision document; only its keccak256 goes on-chain")
