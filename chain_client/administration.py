"""Consortium administration: grant roles, allow-list accounts, fund gas; each step idempotent.

The same functions back the ``python -m chain_client admin`` commands and the bootstrap of a new ledger, so a
role granted by hand and one granted at first start go through one path. Each returns whether it changed
anything (False: it was already so), and a refusal surfaces as ``ContractReverted`` with the contract's error.
"""

from __future__ import annotations

from typing import Final

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from chain_client.client import ChainClient
from chain_client.contracts.consortium import (
    BANK_ROLE,
    DEFAULT_ADMIN_ROLE,
    GOVERNMENT_ROLE,
    ORACLE_ROLE,
    REGULATOR_ROLE,
    Consortium,
)

__all__ = ["DEFAULT_GAS_MONEY", "ROLES", "ensure_allowed", "ensure_gas", "ensure_role", "revoke_role"]

ROLES: Final = {
    "admin": DEFAULT_ADMIN_ROLE,
    "bank": BANK_ROLE,
    "regulator": REGULATOR_ROLE,
    "oracle": ORACLE_ROLE,
    "government": GOVERNMENT_ROLE,
}
"""The consortium's roles by the name the CLI takes (``IConsortium``'s ``*_ROLE``)."""

DEFAULT_GAS_MONEY: Final = 10**19
"""10 ether of gas money, topped up when an account holds less than a tenth of it."""


def ensure_role(consortium: Consortium, admin: LocalAccount, role: bytes, account: str) -> bool:
    """Grant ``role`` to ``account`` unless it holds it (``admin`` must hold DEFAULT_ADMIN_ROLE)."""
    if consortium.has_role(role, account):
        return False
    consortium.grant_role(admin, role, to_checksum_address(account))
    return True


def revoke_role(consortium: Consortium, admin: LocalAccount, role: bytes, account: str) -> bool:
    """Revoke ``role`` from ``account`` if it holds it."""
    if not consortium.has_role(role, account):
        return False
    consortium.revoke_role(admin, role, to_checksum_address(account))
    return True


def ensure_allowed(consortium: Consortium, sponsor: LocalAccount, account: str) -> bool:
    """Put ``account`` on the allow-list unless it is on it (``sponsor``: the admin or a bank)."""
    if consortium.is_allowed(account):
        return False
    consortium.allow_account(sponsor, to_checksum_address(account))
    return True


def ensure_gas(
    client: ChainClient, funder: LocalAccount, account: str, amount: int = DEFAULT_GAS_MONEY
) -> bool:
    """Send ``account`` ``amount`` wei of gas money if it holds less than a tenth of it."""
    target = to_checksum_address(account)
    if client.balance(target) >= amount // 10:
        return False
    client.send_value(funder, target, amount)
    return True
