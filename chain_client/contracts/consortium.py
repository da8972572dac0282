"""Typed wrapper of ``contracts/Consortium.sol``: roles and the allow-list of accounts."""

from __future__ import annotations

from typing import Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from chain_client.client import TxResult
from chain_client.contracts.base import ContractWrapper

DEFAULT_ADMIN_ROLE: Final = b"\x00" * 32
BANK_ROLE: Final = keccak(text="BANK_ROLE")
REGULATOR_ROLE: Final = keccak(text="REGULATOR_ROLE")
ORACLE_ROLE: Final = keccak(text="ORACLE_ROLE")
GOVERNMENT_ROLE: Final = keccak(text="GOVERNMENT_ROLE")


class Consortium(ContractWrapper):
    """The consortium of banks: who holds which role, and which accounts may transact."""

    ARTIFACT = "Consortium"

    def has_role(self, role: bytes, account: str) -> bool:
        return bool(self._read("hasRole", role, account))

    def grant_role(self, admin: LocalAccount, role: bytes, account: str) -> TxResult:
        return self._write(admin, "grantRole", role, account)

    def revoke_role(self, admin: LocalAccount, role: bytes, account: str) -> TxResult:
        return self._write(admin, "revokeRole", role, account)

    def allow_account(self, sender: LocalAccount, account: str) -> TxResult:
        """Put ``account`` on the allow-list (the consortium admin or a bank)."""
        return self._write(sender, "allowAccount", account)

    def disallow_account(self, sender: LocalAccount, account: str) -> TxResult:
        """Take ``account`` off the allow-list (the admin or the regulator; a bank only for accounts it allowed)."""
        return self._write(sender, "disallowAccount", account)

    def is_allowed(self, account: str) -> bool:
        return bool(self._read("isAllowed", account))

    def transaction_allowed(
        self,
        sender: str,
        target: str | None = None,
        value: int = 0,
        gas_price: int = 0,
        gas_limit: int = 0,
        payload: bytes = b"",
    ) -> bool:
        """Besu's account permissioning question (``AccountRulesProxy.transactionAllowed``) for ``sender``."""
        zero = "0x" + "00" * 20
        return bool(
            self._read("transactionAllowed", sender, target or zero, value, gas_price, gas_limit, payload)
        )

    def sponsor_of(self, account: str) -> ChecksumAddress | None:
        """Who allowed ``account`` (an admin or a bank), or None if it is not on the allow-list."""
        found = to_checksum_address(self._read("sponsorOf", account))
        return None if int(found, 16) == 0 else found

    def first_not_allowed(self, first: str, second: str) -> ChecksumAddress | None:
        """The first of the two not on the allow-list (a zero address counts as allowed), or None."""
        found = to_checksum_address(self._read("firstNotAllowed", first, second))
        return None if int(found, 16) == 0 else found
