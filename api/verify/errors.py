"""Errors of verification by transaction hash (the API maps them to 422 and 404)."""

from __future__ import annotations

__all__ = ["InvalidTransactionHash", "TransactionNotIndexed", "VerifyError"]


class VerifyError(Exception):
    """Base of verification's errors."""


class InvalidTransactionHash(VerifyError, ValueError):
    """The hash is not 0x followed by 64 hex digits."""


class TransactionNotIndexed(VerifyError, LookupError):
    """The read model holds no ledger event of this transaction: it is not mined, not indexed yet (the answer
    is as of ``as_of_block``), or it touched no ledger contract."""

    def __init__(self, tx_hash: str, as_of_block: int | None) -> None:
        super().__init__(
            f"no ledger transaction {tx_hash} in the read model as of block {as_of_block}: "
            "not mined, not indexed yet, or not a ledger transaction"
        )
        self.tx_hash = tx_hash
        self.as_of_block = as_of_block
