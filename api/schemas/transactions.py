"""Transactions signed by their senders, relayed to the node; receipts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import Address, Hash32, HexBytes, Transaction


class RawTransaction(BaseModel):
    raw: HexBytes = Field(
        description="the signed transaction (EIP-2718 typed or legacy RLP), 0x-hex, as eth_sendRawTransaction takes it",
        examples=["0x02f8…"],
    )


class DecodedEvent(BaseModel):
    contract: Address
    name: str
    log_index: int
    args: dict[str, str | bool | list[str]] = Field(
        description="the event's arguments: integers and bytes as strings (0x-hex for bytes)"
    )


class RelayedTransaction(BaseModel):
    transaction: Transaction
    to: Address | None
    events: list[DecodedEvent]


class ReceiptOut(BaseModel):
    tx_hash: Hash32
    status: str = Field(examples=["succeeded"])
    block_number: int
    block_hash: Hash32
    sender: Address
    to: Address | None
    gas_used: int
    events: list[DecodedEvent]
