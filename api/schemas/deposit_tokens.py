"""The deposit token: minted by a bank against a deposit, redeemed on withdrawal."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.indexer.amounts import Amount
from api.schemas.common import Address, AsOf, DecimalAmount, Hash32, Transaction


class TokenOut(BaseModel):
    address: Address
    name: str
    symbol: str
    decimals: int
    total_supply: Amount
    paused: bool
    as_of: AsOf


class BalanceOut(BaseModel):
    account: Address
    balance: Amount
    as_of: AsOf


class BankReference(BaseModel):
    bank_reference: str = Field(
        min_length=1,
        max_length=200,
        description="the bank's own reference of the deposit or withdrawal (only its keccak256 goes on-chain; "
        "each reference works once per bank)",
        examples=["DEP-2026-000123"],
    )


class MintRequest(BankReference):
    to: Address
    amount: DecimalAmount


class RedeemRequest(BankReference):
    amount: DecimalAmount
    bank: Address = Field(description="the member bank that pays the money out")


class TokenMovement(BaseModel):
    transaction: Transaction
    account: Address
    amount: Amount
    bank_reference_digest: Hash32
