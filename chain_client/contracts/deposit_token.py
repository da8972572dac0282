"""Typed wrapper of ``contracts/DepositToken.sol``: the bank-issued ERC-20 deposit token."""

from __future__ import annotations

import functools
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client import eip712
from chain_client.client import TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.types import BlockId

PERMIT: Final = eip712.StructType.of(
    "Permit",
    ("owner", "address"),
    ("spender", "address"),
    ("value", "uint256"),
    ("nonce", "uint256"),
    ("deadline", "uint256"),
)
"""EIP-2612's ``Permit`` struct (OpenZeppelin ``ERC20Permit``), signed under the token's name, version "1"."""
PERMIT_DOMAIN_VERSION: Final = "1"


class DepositToken(ContractWrapper):
    """Money on the ledger: minted by a bank against a deposit, burned on redemption."""

    ARTIFACT = "DepositToken"

    def consortium(self) -> ChecksumAddress:
        return to_checksum_address(self._read("consortium"))

    def balance_of(self, account: str, *, block: BlockId = "latest") -> int:
        return int(self._read("balanceOf", account, block=block))

    def total_supply(self, *, block: BlockId = "latest") -> int:
        return int(self._read("totalSupply", block=block))

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._read("allowance", owner, spender))

    def paused(self) -> bool:
        return bool(self._read("paused"))

    def paused_until(self) -> int:
        """When the current pause runs out (unix seconds; zero or past when not paused)."""
        return int(self._read("pausedUntil"))

    def max_pause_duration(self) -> int:
        """The longest one pause lasts, in seconds."""
        return int(self._read("MAX_PAUSE_DURATION"))

    def is_mint_reference_used(self, bank: str, bank_ref: bytes) -> bool:
        """Whether ``bank`` already minted under ``bank_ref``."""
        return bool(self._read("isMintReferenceUsed", bank, bank_ref))

    def is_redemption_reference_used(self, bank: str, bank_ref: bytes) -> bool:
        """Whether a redemption paid out by ``bank`` already used ``bank_ref``."""
        return bool(self._read("isRedemptionReferenceUsed", bank, bank_ref))

    def mint(self, bank: LocalAccount, to: str, amount: int, bank_ref: bytes) -> TxResult:
        """A bank issues ``amount`` to ``to`` against the deposit identified by ``bank_ref``."""
        return self._write(bank, "mint", to, amount, bank_ref)

    def redeem(self, holder: LocalAccount, amount: int, bank: str, bank_ref: bytes) -> TxResult:
        """The holder burns ``amount``; ``bank`` pays the money out against ``bank_ref``."""
        return self._write(holder, "redeem", amount, bank, bank_ref)

    def transfer(self, sender: LocalAccount, to: str, amount: int) -> TxResult:
        return self._write(sender, "transfer", to, amount)

    def approve(self, owner: LocalAccount, spender: str, amount: int) -> TxResult:
        return self._write(owner, "approve", spender, amount)

    def transfer_from(self, spender: LocalAccount, owner: str, to: str, amount: int) -> TxResult:
        return self._write(spender, "transferFrom", owner, to, amount)

    def pause(self, admin: LocalAccount) -> TxResult:
        """Pause every mint, redemption and transfer for at most ``max_pause_duration`` (the consortium admin)."""
        return self._write(admin, "pause")

    def unpause(self, admin: LocalAccount) -> TxResult:
        return self._write(admin, "unpause")

    def pause_data(self) -> bytes:
        """Calldata of ``pause``, for a council proposal."""
        return self.abi.encode_call("pause")

    def unpause_data(self) -> bytes:
        """Calldata of ``unpause``, for a council proposal."""
        return self.abi.encode_call("unpause")

    def name(self) -> str:
        return str(self._read("name"))

    def symbol(self) -> str:
        return str(self._read("symbol"))

    def decimals(self) -> int:
        """How many decimal places a token unit has (balances are integers of the smallest unit)."""
        return int(self._read("decimals"))

    def nonces(self, owner: str) -> int:
        """The owner's next EIP-2612 permit nonce."""
        return int(self._read("nonces", owner))

    def permit_typed_data(
        self, owner: str, spender: str, value: int, deadline: int, *, nonce: int | None = None
    ) -> dict[str, Any]:
        """The ``eth_signTypedData_v4`` JSON of an EIP-2612 permit (``value``, ``nonce``, ``deadline`` as
        decimal strings): what a holder signs in a wallet to let ``spender`` move ``value`` until ``deadline``."""
        return eip712.typed_data(
            self._permit_domain(), PERMIT, self._permit_values(owner, spender, value, deadline, nonce)
        )

    def sign_permit(
        self, owner: LocalAccount, spender: str, value: int, deadline: int, *, nonce: int | None = None
    ) -> tuple[int, bytes, bytes]:
        """The owner's EIP-2612 signature ``(v, r, s)`` letting ``spender`` move ``value`` until ``deadline``.

        The typed data is exactly EIP-712 (:meth:`permit_typed_data`), so a wallet gives the same bytes.
        """
        values = self._permit_values(owner.address, spender, value, deadline, nonce)
        signature = eip712.sign(bytes(owner.key), eip712.digest(self._permit_domain(), PERMIT, values))
        return signature[64], signature[:32], signature[32:64]

    def _permit_domain(self) -> eip712.Domain:
        return eip712.Domain(self._domain_name, PERMIT_DOMAIN_VERSION, self.client.chain_id, self.address)

    @functools.cached_property
    def _domain_name(self) -> str:
        # Set at deployment and never changed: one read per wrapper, not one per permit.
        return self.name()

    def _permit_values(
        self, owner: str, spender: str, value: int, deadline: int, nonce: int | None
    ) -> dict[str, Any]:
        return {
            "owner": to_checksum_address(owner),
            "spender": to_checksum_address(spender),
            "value": value,
            "nonce": self.nonces(owner) if nonce is None else nonce,
            "deadline": deadline,
        }

    def permit(
        self,
        sender: LocalAccount,
        owner: str,
        spender: str,
        value: int,
        deadline: int,
        signature: tuple[int, bytes, bytes],
    ) -> TxResult:
        """Submit an owner's permit (anyone may send it; the signature is what counts)."""
        v, r, s = signature
        return self._write(sender, "permit", owner, spender, value, deadline, v, r, s)

    def transfer_data(self, to: str, amount: int) -> bytes:
        """Calldata of ``transfer`` (for pre-signed and batched sends)."""
        return self.abi.encode_call("transfer", to, amount)
