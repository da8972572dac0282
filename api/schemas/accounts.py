"""Accounts: roles read from the chain, and the allow-list."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.core.roles import Role
from api.indexer.amounts import Amount
from api.schemas.common import Address, AsOf


class AccountOut(BaseModel):
    account: Address
    roles: list[Role] = Field(
        description="from the Consortium's grants and the registry's active institutions"
    )
    allowed: bool = Field(description="on the Consortium's allow-list: may transact and hold deposit tokens")
    sponsor: Address | None = Field(description="who allow-listed it (the consortium admin or a bank)")
    money: Amount
    as_of: AsOf
