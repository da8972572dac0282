"""Typed values that cross the chain boundary, parsed from the JSON-RPC shape every backend speaks.

Both backends hand over JSON-RPC objects (the embedded node renders them itself); this module is
the one place that turns them into Python values, so the two can never drift apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

BlockId = int | Literal["latest", "earliest", "pending", "safe", "finalized"]


def _int(value: str) -> int:
    return int(value, 16)


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


@functools.lru_cache(maxsize=16_384)
def checksum_address(value: str | bytes) -> ChecksumAddress:
    """``value`` (hex text or 20 bytes) as an EIP-55 checksum address, remembered: the checksum is a
    keccak (about 0.1 ms in Python), and a ledger's answers name the same few hundred accounts and
    contracts over and over. Raises ``ValueError`` for a value that is not an address."""
    return to_checksum_address(value)


def _address(value: str | None) -> ChecksumAddress | None:
    return None if value is None else checksum_address(value)


@dataclass(frozen=True)
class Log:
    address: ChecksumAddress
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: bytes
    transaction_hash: bytes
    transaction_index: int
    log_index: int

    @classmethod
    def from_rpc(cls, raw: dict[str, Any]) -> Log:
        return cls(
            address=checksum_address(raw["address"]),
            topics=tuple(_bytes(topic) for topic in raw["topics"]),
            data=_bytes(raw["data"]),
            block_number=_int(raw["blockNumber"]),
            block_hash=_bytes(raw["blockHash"]),
            transaction_hash=_bytes(raw["transactionHash"]),
            transaction_index=_int(raw["transactionIndex"]),
            log_index=_int(raw["logIndex"]),
        )


@dataclass(frozen=True)
class Receipt:
    transaction_hash: bytes
    block_number: int
    block_hash: bytes
    transaction_index: int
    sender: ChecksumAddress
    to: ChecksumAddress | None
    contract_address: ChecksumAddress | None
    status: int
    gas_used: int
    effective_gas_price: int
    logs: tuple[Log, ...]
    revert_data: bytes | None = None
    """Why a failed transaction reverted, where the node tells (the embedded node does)."""

    @property
    def succeeded(self) -> bool:
        return self.status == 1

    @classmethod
    def from_rpc(cls, raw: dict[str, Any]) -> Receipt:
        return cls(
            transaction_hash=_bytes(raw["transactionHash"]),
            block_number=_int(raw["blockNumber"]),
            block_hash=_bytes(raw["blockHash"]),
            transaction_index=_int(raw["transactionIndex"]),
            sender=checksum_address(raw["from"]),
            to=_address(raw.get("to")),
            contract_address=_address(raw.get("contractAddress")),
            status=_int(raw["status"]),
            gas_used=_int(raw["gasUsed"]),
            effective_gas_price=_int(raw.get("effectiveGasPrice", "0x0")),
            logs=tuple(Log.from_rpc(log) for log in raw["logs"]),
            revert_data=_bytes(raw["revertData"]) if raw.get("revertData") else None,
        )


@dataclass(frozen=True)
class Block:
    number: int
    hash: bytes
    parent_hash: bytes
    state_root: bytes
    timestamp: int
    gas_used: int
    gas_limit: int
    base_fee: int
    transactions: tuple[bytes, ...]

    @classmethod
    def from_rpc(cls, raw: dict[str, Any]) -> Block:
        return cls(
            number=_int(raw["number"]),
            hash=_bytes(raw["hash"]),
            parent_hash=_bytes(raw["parentHash"]),
            state_root=_bytes(raw["stateRoot"]),
            timestamp=_int(raw["timestamp"]),
            gas_used=_int(raw["gasUsed"]),
            gas_limit=_int(raw["gasLimit"]),
            base_fee=_int(raw.get("baseFeePerGas", "0x0")),
            transactions=tuple(
                _bytes(tx if isinstance(tx, str) else tx["hash"]) for tx in raw["transactions"]
            ),
        )


@dataclass(frozen=True)
class LogFilter:
    """What ``get_logs`` selects: a block range, some addresses, topics by position (None = any)."""

    from_block: int
    to_block: int
    addresses: tuple[ChecksumAddress, ...] = ()
    topics: tuple[tuple[bytes, ...] | None, ...] = ()


@dataclass(frozen=True)
class CallParams:
    """A call or an unsigned transaction's execution parameters."""

    to: ChecksumAddress | None
    data: bytes = b""
    sender: ChecksumAddress | None = None
    value: int = 0
    gas: int | None = None
