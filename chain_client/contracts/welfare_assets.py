"""Typed wrapper of ``contracts/WelfareAssets.sol``: points, rights and virtual resources (ERC-1155)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.client import TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.types import BlockId

_KIND_SHIFT = 248
_ISSUER_SHIFT = 88
_SERIAL_MASK = (1 << 88) - 1
_ISSUER_MASK = (1 << 160) - 1


class AssetKind(IntEnum):
    """``AssetKind`` of ``IWelfareAssets.sol`` (same order)."""

    NONE = 0
    POINTS = 1
    VOUCHER = 2
    SERVICE_HOURS = 3
    VIRTUAL_RESOURCE = 4


@dataclass(frozen=True)
class AssetId:
    """A typed welfare-asset id: kind, issuer and the issuer's serial, packed into one uint256."""

    kind: AssetKind
    issuer: ChecksumAddress
    serial: int

    @property
    def value(self) -> int:
        return (int(self.kind) << _KIND_SHIFT) | (int(self.issuer, 16) << _ISSUER_SHIFT) | self.serial

    @classmethod
    def parse(cls, value: int) -> AssetId:
        kind = value >> _KIND_SHIFT
        issuer = (value >> _ISSUER_SHIFT) & _ISSUER_MASK
        return cls(
            kind=AssetKind(kind) if kind <= max(AssetKind) else AssetKind.NONE,
            issuer=to_checksum_address(issuer.to_bytes(20, "big")),
            serial=value & _SERIAL_MASK,
        )


class WelfareAssets(ContractWrapper):
    """Points, vouchers, service hours and virtual resources, issued by banks and merchants."""

    ARTIFACT = "WelfareAssets"

    def define_asset(
        self, issuer: LocalAccount, kind: AssetKind, terms_digest: bytes
    ) -> tuple[int, TxResult]:
        """Define a new asset issued by ``issuer``; returns its id and the transaction."""
        result = self._write(issuer, "defineAsset", int(kind), terms_digest)
        return int(result.event("AssetDefined")["assetId"]), result

    def issue(self, issuer: LocalAccount, asset_id: int, to: str, amount: int, ref: bytes) -> TxResult:
        return self._write(issuer, "issue", asset_id, to, amount, ref)

    def redeem(self, holder: LocalAccount, asset_id: int, amount: int, ref: bytes) -> TxResult:
        return self._write(holder, "redeem", asset_id, amount, ref)

    def safe_transfer_from(
        self, sender: LocalAccount, owner: str, to: str, asset_id: int, amount: int, data: bytes = b""
    ) -> TxResult:
        return self._write(sender, "safeTransferFrom", owner, to, asset_id, amount, data)

    def safe_batch_transfer_from(
        self,
        sender: LocalAccount,
        owner: str,
        to: str,
        asset_ids: list[int],
        amounts: list[int],
        data: bytes = b"",
    ) -> TxResult:
        return self._write(sender, "safeBatchTransferFrom", owner, to, asset_ids, amounts, data)

    def set_approval_for_all(self, owner: LocalAccount, operator: str, approved: bool) -> TxResult:
        return self._write(owner, "setApprovalForAll", operator, approved)

    def balance_of(self, account: str, asset_id: int, *, block: BlockId = "latest") -> int:
        return int(self._read("balanceOf", account, asset_id, block=block))

    def is_defined(self, asset_id: int) -> bool:
        return bool(self._read("isDefined", asset_id))

    def terms_of(self, asset_id: int) -> bytes:
        return bytes(self._read("termsOf", asset_id))

    def kind_of(self, asset_id: int) -> AssetKind:
        return AssetKind(self._read("kindOf", asset_id))

    def issuer_of(self, asset_id: int) -> ChecksumAddress:
        return to_checksum_address(self._read("issuerOf", asset_id))

    def asset_id_of(self, kind: AssetKind, issuer: str, serial: int) -> int:
        return int(self._read("assetIdOf", int(kind), issuer, serial))
