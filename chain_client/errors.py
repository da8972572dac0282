"""chain_client's exceptions: one base class, one subclass per thing that can go wrong.

Whatever backend is underneath (the embedded py-evm node, anvil, Besu), a contract revert reaches
callers as one ``ContractReverted`` carrying the custom error's name and arguments.
"""

from __future__ import annotations

from typing import Any


class ChainClientError(Exception):
    """Base of every error chain_client raises."""


class ExecutionReverted(ChainClientError):
    """A backend executed a call or transaction and it reverted with ``data`` (not yet decoded)."""

    def __init__(self, data: bytes, reason: str = "execution reverted") -> None:
        super().__init__(f"{reason} (data 0x{data.hex()})")
        self.data = data
        self.reason = reason


class ContractReverted(ChainClientError):
    """A contract reverted with a known error: ``error_name`` and its decoded ``args`` (``.args``).

    ``error_name`` is the custom error's name (``DepositTokenAccountNotAllowed``), ``Error`` for a
    revert string, ``Panic`` for a Solidity panic, or ``Unknown`` when the selector matches no
    compiled contract (``data`` then holds the raw bytes).
    """

    def __init__(self, error_name: str, args: tuple[Any, ...], data: bytes = b"") -> None:
        super().__init__(*args)
        self.error_name = error_name
        self.data = data

    def __str__(self) -> str:
        return f"{self.error_name}({', '.join(_render(arg) for arg in self.args)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.error_name, self.args, self.data))


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value) if isinstance(value, str) else str(value)


class TransactionRejected(ChainClientError):
    """The node refused the transaction before mining it (nonce, funds, gas, signature, chain id)."""


class TransactionTimeout(ChainClientError):
    """No receipt arrived within the time allowed."""


class TransactionFailed(ChainClientError):
    """A mined transaction has status 0 but replaying it gives no revert data (e.g. out of gas)."""

    def __init__(self, tx_hash: bytes, gas_used: int) -> None:
        super().__init__(f"transaction 0x{tx_hash.hex()} failed after using {gas_used} gas")
        self.tx_hash = tx_hash
        self.gas_used = gas_used


class BackendUnavailable(ChainClientError):
    """The chain node cannot be reached or answered with a transport-level error."""


class LogQueryTooLarge(ChainClientError):
    """A getLogs filter matches more logs than one answer may carry; narrow the block range."""


class KeystoreError(ChainClientError):
    """A keystore is missing, exists already, or the password does not open it."""
