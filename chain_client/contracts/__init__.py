"""One typed wrapper per contract; nothing else in the product builds transactions by hand."""

from chain_client.contracts.base import ContractWrapper
from chain_client.contracts.consortium import (
    BANK_ROLE,
    DEFAULT_ADMIN_ROLE,
    GOVERNMENT_ROLE,
    ORACLE_ROLE,
    REGULATOR_ROLE,
    Consortium,
)
from chain_client.contracts.deposit_token import DepositToken

__all__ = [
    "BANK_ROLE",
    "DEFAULT_ADMIN_ROLE",
    "GOVERNMENT_ROLE",
    "ORACLE_ROLE",
    "REGULATOR_ROLE",
    "Consortium",
    "ContractWrapper",
    "DepositToken",
]
