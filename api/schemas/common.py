"""Shapes every resource shares: addresses, hashes, amounts, transaction receipts, "as of" blocks.

Amounts cross the API as decimal strings in token units, with the token's decimals stated beside them
(:class:`api.indexer.amounts.Amount`: ``{"asset": "0", "unit": "dCNY", "decimals": 18, "value": "25.5",
"base_units": "25500000000000000000"}``), never as floats and never as JSON numbers that could exceed 2^53;
integers that can (uint256 ids) are strings too.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address
from pydantic import AfterValidator, BaseModel, Field

from api.core.errors import InvalidInput
from chain_client.types import Receipt

UINT256_MAX = 2**256 - 1
JSON_SAFE_MAX = 2**53 - 1
"""The largest integer a JSON number carries exactly (IEEE 754 double)."""

EXAMPLE_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
EXAMPLE_HASH = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"


def _checksummed(value: str) -> str:
    return to_checksum_address(value)


Address = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{40}$",
        description="an account address (any case in, EIP-55 checksummed out)",
        examples=[EXAMPLE_ADDRESS],
    ),
    AfterValidator(_checksummed),
]
Hash32 = Annotated[
    str,
    Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="32 bytes, 0x-hex", examples=[EXAMPLE_HASH]),
]
HexBytes = Annotated[
    str, Field(pattern=r"^0x([0-9a-fA-F]{2})*$", max_length=262_144, description="bytes, 0x-hex")
]
Signature65 = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{130}$",
        description="a 65-byte secp256k1 signature (r, s, v), 0x-hex",
        examples=["0x" + "ab" * 65],
    ),
]
DecimalAmount = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,78}(\.[0-9]{1,78})?$",
        description="a positive decimal string in token units (at most the token's decimals after the point)",
        examples=["25.5"],
    ),
]
UintString = Annotated[
    str,
    Field(pattern=r"^[0-9]{1,78}$", description="an unsigned integer as a decimal string (uint256)"),
]
ShortText = Annotated[str, Field(min_length=1, max_length=2_000)]
SafeInt = Annotated[int, Field(ge=0, le=JSON_SAFE_MAX)]
PositiveSafeInt = Annotated[int, Field(ge=1, le=JSON_SAFE_MAX)]


def to_bytes(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def hex0x(value: bytes) -> str:
    return "0x" + value.hex()


def digest_of_text(text: str) -> bytes:
    """keccak256 of a UTF-8 text: how a document, purpose or report reaches the chain (its digest only)."""
    return keccak(text=text)


def to_base_units(amount: str, decimals: int, *, field: str = "amount") -> int:
    """``amount`` (a decimal string in token units) as an integer of the smallest unit.

    Raises :class:`InvalidInput` for more fractional digits than ``decimals``, zero, or more than uint256.
    """
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", amount):
        raise InvalidInput(f"{field} must be a decimal string like '25.5', not {amount!r}")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise InvalidInput(f"{field} {amount!r} is not a decimal number") from None
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"{field} {amount!r} has more than {decimals} decimal places")
    units = int(scaled)
    if units <= 0:
        raise InvalidInput(f"{field} must be more than zero")
    if units > UINT256_MAX:
        raise InvalidInput(f"{field} {amount!r} is too large")
    return units


def to_token_units(value: int, decimals: int) -> str:
    """An integer of the smallest unit as a decimal string in token units (no trailing zeros)."""
    if decimals == 0:
        return str(value)
    whole, fraction = divmod(value, 10**decimals)
    text = f"{fraction:0{decimals}d}".rstrip("0")
    return f"{whole}.{text}" if text else str(whole)


def parse_uint(value: str, *, field: str) -> int:
    number = int(value)
    if number > UINT256_MAX:
        raise InvalidInput(f"{field} is larger than uint256")
    return number


class Transaction(BaseModel):
    """A mined, successful transaction: what a donor keeps as a receipt and checks on any node."""

    tx_hash: Hash32
    block_number: int
    block_hash: Hash32
    sender: Address
    gas_used: int

    @classmethod
    def of(cls, receipt: Receipt) -> Transaction:
        return cls(
            tx_hash=hex0x(receipt.transaction_hash),
            block_number=receipt.block_number,
            block_hash=hex0x(receipt.block_hash),
            sender=receipt.sender,
            gas_used=receipt.gas_used,
        )


class AsOf(BaseModel):
    """Which block an answer is as of."""

    block_number: int
    block_hash: Hash32 | None = None


def checksum(value: str) -> ChecksumAddress:
    return to_checksum_address(value)
