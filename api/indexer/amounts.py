"""Amounts as they cross every JSON boundary: decimal strings in token units, with the decimals stated.

Asset numbers are the pools' (``IWelfarePools``): ``0`` is the deposit token, any other number a welfare asset
(``IWelfareAssets``: points, vouchers, service hours, virtual resources, counted in whole units). Goods are
counted in whole units of their goods type (a bytes32). The deposit token keeps ERC-20's default of 18
decimals (``DepositToken.sol`` does not override ``decimals()``).
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from chain_client.contracts.welfare_assets import AssetId, AssetKind

__all__ = ["MONEY_DECIMALS", "MONEY_SYMBOL", "Amount", "asset_amount", "format_units", "goods_amount"]

MONEY_DECIMALS: Final = 18
MONEY_SYMBOL: Final = "dCNY"


def format_units(base_units: int, decimals: int) -> str:
    """``base_units`` in token units as an exact decimal string: ``format_units(12_500, 3) == "12.5"``."""
    sign = "-" if base_units < 0 else ""
    whole, fraction = divmod(abs(base_units), 10**decimals)
    if not decimals or not fraction:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{str(fraction).rjust(decimals, '0').rstrip('0')}"


class Amount(BaseModel):
    """A quantity of one asset. ``value`` is in token units (``"12.5"`` dCNY), ``base_units`` the integer the
    chain stores (``"12500000000000000000"``); both are strings, never JSON numbers."""

    model_config = ConfigDict(frozen=True)

    asset: str = Field(description='"0" for the deposit token, a welfare-asset id, or a goods type (0x-hex)')
    unit: str = Field(description="dCNY, points, voucher, service_hours, virtual_resource or goods")
    decimals: int
    value: str = Field(description="the amount in token units, an exact decimal string")
    base_units: str = Field(description="the amount as the chain stores it, a decimal integer string")


def _unit_of(asset: int) -> tuple[str, int]:
    if asset == 0:
        return MONEY_SYMBOL, MONEY_DECIMALS
    kind = AssetId.parse(asset).kind
    return (kind.name.lower() if kind is not AssetKind.NONE else "asset"), 0


def asset_amount(asset: int, base_units: int) -> Amount:
    """``base_units`` of pool asset ``asset`` (0: the deposit token)."""
    unit, decimals = _unit_of(asset)
    return Amount(
        asset=str(asset),
        unit=unit,
        decimals=decimals,
        value=format_units(base_units, decimals),
        base_units=str(base_units),
    )


def goods_amount(goods_type: str, quantity: int) -> Amount:
    """``quantity`` units of ``goods_type`` (0x-hex bytes32)."""
    return Amount(asset=goods_type, unit="goods", decimals=0, value=str(quantity), base_units=str(quantity))
