"""Typed wrapper of ``contracts/ResourceTracker.sol``: goods lots and their custody checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.client import TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.types import BlockId

_ZERO_ADDRESS = "0x" + "00" * 20
_ZERO32 = b"\x00" * 32


class LotSource(IntEnum):
    """``LotSource`` of ``IResourceTracker.sol``."""

    NONE = 0
    PLEDGE = 1
    PURCHASE = 2


class LotStatus(IntEnum):
    """``LotStatus`` of ``IResourceTracker.sol``."""

    NONE = 0
    STORED = 1
    SHIPPED = 2
    IN_TRANSIT = 3
    RECEIVED = 4
    HANDED_OVER = 5
    DELIVERED = 6


class Checkpoint(IntEnum):
    """``Checkpoint`` of ``IResourceTracker.sol``: who signs is always the lot's current holder."""

    SHIPPED = 0
    IN_TRANSIT = 1
    RECEIVED = 2
    HANDED_TO_BENEFICIARY = 3
    SIGNED_OFF = 4


@dataclass(frozen=True)
class Lot:
    holder: ChecksumAddress
    status: LotStatus
    source: LotSource
    quantity: int
    pool_id: int
    goods_type: bytes
    source_ref: bytes

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> Lot:
        return cls(
            holder=to_checksum_address(value[0]),
            status=LotStatus(value[1]),
            source=LotSource(value[2]),
            quantity=int(value[3]),
            pool_id=int(value[4]),
            goods_type=bytes(value[5]),
            source_ref=bytes(value[6]),
        )


class ResourceTracker(ContractWrapper):
    """Goods lots from pledges and purchases, followed to the beneficiary's sign-off."""

    ARTIFACT = "ResourceTracker"

    def set_lot_source(self, admin: LocalAccount, source: str, allowed: bool) -> TxResult:
        return self._write(admin, "setLotSource", source, allowed)

    def open_lot(
        self,
        sender: LocalAccount,
        pool_id: int,
        source: LotSource,
        source_ref: bytes,
        goods_type: bytes,
        quantity: int,
        holder: str,
    ) -> tuple[int, TxResult]:
        """Open a lot (an allowed lot source only); returns the lot id and the transaction."""
        result = self._write(
            sender, "openLot", pool_id, int(source), source_ref, goods_type, quantity, holder
        )
        return int(result.event("LotOpened")["lotId"]), result

    def record_checkpoint(
        self,
        holder: LocalAccount,
        lot_id: int,
        checkpoint: Checkpoint,
        next_holder: str | None = None,
        evidence_digest: bytes = _ZERO32,
    ) -> TxResult:
        """The lot's holder records ``checkpoint``, handing the lot to ``next_holder`` where that applies."""
        return self._write(
            holder, "recordCheckpoint", lot_id, int(checkpoint), next_holder or _ZERO_ADDRESS, evidence_digest
        )

    def lot_of(self, lot_id: int, *, block: BlockId = "latest") -> Lot:
        return Lot.from_tuple(self._read("lotOf", lot_id, block=block))

    def lot_count(self) -> int:
        return int(self._read("lotCount"))

    def is_lot_source(self, account: str) -> bool:
        return bool(self._read("isLotSource", account))
