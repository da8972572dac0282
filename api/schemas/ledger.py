"""The ledger this service is bound to."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import Address, AsOf


class LedgerOut(BaseModel):
    chain_id: int
    contracts: dict[str, Address] = Field(description="contract name -> address")
    money: dict[str, str | int] = Field(description="the deposit token's symbol and decimals")
    as_of: AsOf
