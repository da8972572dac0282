"""Donations in every form: money (deposit tokens), points and rights (welfare assets), goods pledges."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.indexer.amounts import Amount
from api.schemas.common import (
    Address,
    AsOf,
    DecimalAmount,
    Hash32,
    PositiveSafeInt,
    ShortText,
    UintString,
)
from api.schemas.plans import GoodsRef

DonationFormName = Literal["money", "points", "rights", "virtual_resource", "goods"]


class MoneyDonation(BaseModel):
    pool_id: PositiveSafeInt
    amount: DecimalAmount = Field(description="deposit tokens, in token units")


class AssetDonation(BaseModel):
    pool_id: PositiveSafeInt
    asset_id: UintString = Field(description="the welfare asset (points, voucher, service hours) id")
    amount: DecimalAmount = Field(description="whole units of the asset")


class GoodsPledge(BaseModel):
    pool_id: PositiveSafeInt
    goods_type: GoodsRef
    quantity: PositiveSafeInt
    details: ShortText = Field(
        description="what is pledged and how it will arrive; only its keccak256 goes on-chain"
    )


class PledgeReceipt(BaseModel):
    quantity: PositiveSafeInt = Field(description="how many arrived (at most the pledged quantity)")


class DonationOut(BaseModel):
    """A gift as its donor keeps it: the transaction hash is the receipt anyone can verify."""

    tx_hash: Hash32
    block_number: int
    log_index: int
    pool_id: int
    donor: Address
    form: DonationFormName
    asset: str = Field(description="'money', a welfare asset id, or for goods the goods type id")
    amount: Amount
    pledge_id: int | None = None
    lot_id: int | None = None


class PledgeCreated(BaseModel):
    pledge_id: int
    tx_hash: Hash32
    block_number: int


class PledgeOut(BaseModel):
    pledge_id: int
    pool_id: int
    donor: Address
    status: Literal["pledged", "received"]
    goods_type: Hash32
    quantity: int
    received: int
    lot_id: int | None
    as_of: AsOf


class ContributionOut(BaseModel):
    pool_id: int
    donor: Address
    asset: str
    donated: Amount
    refunded: Amount
    refundable: Amount
    as_of: AsOf
