"""Assets as the API names them: ``money`` (the deposit token) or a welfare asset id; goods types.

Money has the deposit token's decimals; welfare assets (points, vouchers, service hours, virtual
resources: ERC-1155) and goods quantities are whole units (0 decimals).
"""

from __future__ import annotations

import re

from eth_utils import keccak

from api.core.errors import InvalidInput
from api.core.platform import Platform
from api.indexer.amounts import Amount, asset_amount, goods_amount
from api.schemas.common import UINT256_MAX, Transaction, to_base_units
from api.schemas.plans import AssetMovement
from chain_client import TxResult
from chain_client.contracts import MONEY

MONEY_NAME = "money"


def asset_id(ref: str) -> int:
    """``'money'`` -> 0 (the deposit token); a decimal string -> that welfare asset id."""
    if ref == MONEY_NAME:
        return MONEY
    value = int(ref)
    if value > UINT256_MAX:
        raise InvalidInput(f"asset {ref} is larger than uint256")
    return value


def asset_name(asset: int) -> str:
    return MONEY_NAME if asset == MONEY else str(asset)


def decimals_of(platform: Platform, asset: int) -> int:
    return platform.money.decimals if asset == MONEY else 0


def amount_of(platform: Platform, asset: int, value: int) -> Amount:
    """``value`` smallest units of ``asset`` as an :class:`Amount` (the read model's shape, so that every
    answer of the API states amounts alike)."""
    del platform  # the deposit token's decimals are ERC-20's 18, as the read model states them
    return asset_amount(asset, value)


def money(platform: Platform, value: int) -> Amount:
    return amount_of(platform, MONEY, value)


def units_of(platform: Platform, asset: int, text: str, *, field: str = "amount") -> int:
    """A decimal string in ``asset``'s units as an integer of its smallest unit (422 if it does not fit)."""
    return to_base_units(text, decimals_of(platform, asset), field=field)


def goods_type(ref: str) -> bytes:
    """A goods type id: ``0x`` + 64 hex as given, or keccak256 of the goods' name."""
    if re.fullmatch(r"0x[0-9a-fA-F]{64}", ref):
        return bytes.fromhex(ref[2:])
    return keccak(text=ref)


def goods_quantity(kind: bytes, quantity: int) -> Amount:
    """A quantity of goods of type ``kind``: whole units."""
    return goods_amount("0x" + kind.hex(), quantity)


def movement_of(platform: Platform, asset: int, result: TxResult, event: str) -> AssetMovement:
    """The answer of a route that moved value: its transaction, and the ``amount`` of ``asset`` that the
    transaction's ``event`` (``RefundPaid``, ``UnspentMoved``, ...) says moved."""
    return AssetMovement(
        transaction=Transaction.of(result.receipt),
        amount=amount_of(platform, asset, int(result.event(event)["amount"])),
    )
