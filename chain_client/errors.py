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
    """The node refused the transaction before queueing it (nonce, funds, gas, signature, chain id).

    The message starts with the standard phrase Ethereum nodes use (geth's ``core/error.go`` and
    ``core/txpool/errors.go``: ``nonce too low``, ``intrinsic gas too low``, ...), so tools that read
    it (ethers, viem, web3.py) classify it as they would a geth answer. ``rpc_code`` is the JSON-RPC
    error code the embedded node answers with (geth's -32000).
    """

    rpc_code = -32000


class SenderNotPermitted(TransactionRejected):
    """Account permissioning refused the sender (the Consortium's ``transactionAllowed``, as Besu asks it).

    JSON-RPC code -32007 and message ``Sender account not authorized to send transactions`` are Besu's.
    """

    rpc_code = -32007


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


class ChainLocked(ChainClientError):
    """Another process owns this chain's data directory: a chain has exactly one writer.

    ``pid`` and ``url`` name the running node (``url`` is None while it serves no JSON-RPC endpoint);
    write through that URL instead of opening the file. Nothing was opened or changed.
    """

    def __init__(self, directory: str, pid: int | None, url: str | None) -> None:
        who = f"the node running as PID {pid}" if pid is not None else "another process"
        where = f" (JSON-RPC {url})" if url else " (no JSON-RPC endpoint announced)"
        advice = (
            f"write through its JSON-RPC URL (LEDGER_CHAIN__BACKEND=jsonrpc LEDGER_CHAIN__RPC_URL={url})"
            if url
            else "stop it first"
        )
        super().__init__(f"the chain in {directory} is held by {who}{where}; {advice}")
        self.directory = directory
        self.pid = pid
        self.url = url

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.directory, self.pid, self.url))


class DeploymentMismatch(ChainClientError):
    """A deployment record exists but does not describe this chain (another chain id, another layout,
    or contracts without code). A deployment is recorded once and never silently redone: move the
    record aside (or point ``LEDGER_DATA_DIR`` elsewhere) to deploy a new ledger."""
