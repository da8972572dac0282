"""EIP-712 typed structured data: the one implementation behind every payload the product signs or
hands out (payment orders, registry attestations, EIP-2612 permits).

Two faces of one definition (:class:`StructType` under a :class:`Domain`):

- the **digest** (``keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))``, EIP-712 "Specification of
  the eth_signTypedData JSON RPC"), computed directly from the ABI encoding, which is what the services
  and the contracts' ``hashTypedData`` use;
- the **JSON** a wallet's ``eth_signTypedData_v4`` takes (:func:`typed_data`). JavaScript numbers are
  exact only up to 2^53, so every integer field whose type can exceed that (``uint64`` and wider) is
  written as a decimal string, never a JSON number; ethers v6, viem 2 and eth-account then sign the
  same bytes, which equal the digest here and the contract's. Only ``domain.chainId`` stays a JSON
  number, as wallets compare it with the chain they are connected to (chain ids are safe integers:
  :data:`MAX_SAFE_CHAIN_ID`).

Reading a payload someone sent (:func:`parse_typed_data`, :func:`decode_message`,
:func:`recover_signer`) never lets a library exception through: every out-of-range, malformed or
mismatched field raises :class:`TypedDataInvalid` naming the field, every unusable signature
:class:`SignatureInvalid`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_keys.datatypes import Signature
from eth_keys.exceptions import BadSignature
from eth_typing import ChecksumAddress
from eth_utils import ValidationError as KeysValidationError
from eth_utils import is_checksum_address, keccak, to_checksum_address

from chain_client.errors import ChainClientError

MAX_SAFE_INTEGER: Final = 2**53 - 1
"""The largest integer a JavaScript number holds exactly (``Number.MAX_SAFE_INTEGER``)."""
MAX_SAFE_CHAIN_ID: Final = MAX_SAFE_INTEGER
SECP256K1_N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

_UINT = re.compile(r"^uint(\d{1,3})$")
_BYTES_N = re.compile(r"^bytes(\d{1,2})$")
_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")
_HEX = re.compile(r"^0x[0-9a-fA-F]*$")


def _is_supported(kind: str) -> bool:
    if kind in ("address", "bool", "string", "bytes"):
        return True
    uint = _UINT.match(kind)
    if uint:
        bits = int(uint.group(1))
        return 8 <= bits <= 256 and bits % 8 == 0
    fixed = _BYTES_N.match(kind)
    return bool(fixed) and 1 <= int(fixed.group(1)) <= 32  # type: ignore[union-attr]


class TypedDataInvalid(ChainClientError, ValueError):
    """Typed data (or one of its fields) is malformed, out of range, or not the expected type.

    ``field`` names the offending field (``message.deadline``, ``domain.chainId``, ``types``); also a
    ``ValueError`` so that callers validating input treat it as one.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"invalid typed data: {field}: {reason}")
        self.field = field
        self.reason = reason


class SignatureInvalid(TypedDataInvalid):
    """A signature is not 65 bytes, has an invalid ``v``, or an ``r``/``s`` out of range (EIP-2: low s)."""

    def __init__(self, reason: str) -> None:
        super().__init__("signature", reason)


# ---------------------------------------------------------------------- types


@dataclass(frozen=True)
class Field:
    """One member of a struct: its name and its atomic Solidity type."""

    name: str
    type: str

    def __post_init__(self) -> None:
        if not _is_supported(self.type):
            raise ValueError(f"type {self.type!r} of {self.name} is not an atomic EIP-712 type")

    @property
    def integer_bits(self) -> int | None:
        match = _UINT.match(self.type)
        return int(match.group(1)) if match else None

    @property
    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True)
class StructType:
    """A struct of atomic members (no nested structs or arrays: none of the product's payloads has any)."""

    name: str
    fields: tuple[Field, ...]

    @classmethod
    def of(cls, name: str, *members: tuple[str, str]) -> StructType:
        """``StructType.of("Permit", ("owner", "address"), ...)``."""
        return cls(name, tuple(Field(member, kind) for member, kind in members))

    @cached_property
    def encoded(self) -> str:
        """``encodeType``: ``Name(type1 name1,type2 name2,...)``."""
        return f"{self.name}({','.join(f'{f.type} {f.name}' for f in self.fields)})"

    @cached_property
    def typehash(self) -> bytes:
        return keccak(text=self.encoded)

    @cached_property
    def _abi_types(self) -> list[str]:
        return ["bytes32"] + ["bytes32" if f.type in ("string", "bytes") else f.type for f in self.fields]

    def hash_struct(self, values: Mapping[str, Any]) -> bytes:
        """``hashStruct``: keccak of the typehash and each member's ABI encoding (dynamic ones hashed)."""
        encoded = [self.typehash]
        for member in self.fields:
            value = values[member.name]
            if member.type == "string":
                value = keccak(text=value)
            elif member.type == "bytes":
                value = keccak(value)
            encoded.append(value)
        return keccak(abi_encode(self._abi_types, encoded))

    @property
    def as_json(self) -> list[dict[str, str]]:
        return [member.as_json for member in self.fields]


EIP712_DOMAIN: Final = StructType.of(
    "EIP712Domain",
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
)


@dataclass(frozen=True)
class Domain:
    """An EIP-712 domain with the four fields every product contract uses (OpenZeppelin ``EIP712``)."""

    name: str
    version: str
    chain_id: int
    verifying_contract: ChecksumAddress

    def __post_init__(self) -> None:
        if not 0 < self.chain_id <= MAX_SAFE_CHAIN_ID:
            raise TypedDataInvalid("domain.chainId", f"{self.chain_id} is not a chain id from 1 to 2^53 - 1")
        object.__setattr__(self, "verifying_contract", to_checksum_address(self.verifying_contract))

    @cached_property
    def separator(self) -> bytes:
        return EIP712_DOMAIN.hash_struct(
            {
                "name": self.name,
                "version": self.version,
                "chainId": self.chain_id,
                "verifyingContract": self.verifying_contract,
            }
        )

    @property
    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


# ---------------------------------------------------------------------- digest, JSON, signatures


def digest(domain: Domain, struct: StructType, values: Mapping[str, Any]) -> bytes:
    """The EIP-712 digest of ``values`` (already typed: ints, bytes, checksummed addresses)."""
    return keccak(b"\x19\x01" + domain.separator + struct.hash_struct(values))


def typed_data(domain: Domain, struct: StructType, values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``eth_signTypedData_v4`` JSON of ``values``: types, primaryType, domain, message, with
    integers of ``uint64`` and wider as decimal strings and bytes as 0x-hex."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN.as_json, struct.name: struct.as_json},
        "primaryType": struct.name,
        "domain": domain.as_json,
        "message": {member.name: _to_json(member, values[member.name]) for member in struct.fields},
    }


def sign(signer_key: bytes, message_digest: bytes) -> bytes:
    """The 65-byte ``r ‖ s ‖ v`` signature (v = 27 or 28) of a digest: what ``eth_signTypedData_v4`` gives."""
    signed = Account.unsafe_sign_hash(message_digest, signer_key)
    return bytes(signed.signature)


def recover_signer(message_digest: bytes, signature: bytes) -> ChecksumAddress:
    """The address whose key made ``signature`` over ``message_digest``; raises :class:`SignatureInvalid`."""
    if not isinstance(signature, bytes | bytearray) or len(signature) != 65:
        raise SignatureInvalid(f"a signature is 65 bytes, not {len(signature)}")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if v not in (0, 1, 27, 28):
        raise SignatureInvalid(f"v is {v}, not 27 or 28")
    if not (0 < r < SECP256K1_N and 0 < s <= SECP256K1_N // 2):
        raise SignatureInvalid("r or s is out of range (EIP-2 requires a low s)")
    try:
        public_key = Signature(vrs=(v - 27 if v >= 27 else v, r, s)).recover_public_key_from_msg_hash(
            message_digest
        )
    except (BadSignature, KeysValidationError) as exc:
        raise SignatureInvalid(f"no key recovers from it ({exc})") from None
    return to_checksum_address(public_key.to_address())


# ---------------------------------------------------------------------- reading what others sent


def decode_message(struct: StructType, message: Any, *, where: str = "message") -> dict[str, Any]:
    """The typed values of a received ``message`` (ints, bytes, checksummed addresses, str, bool).

    Integers may be JSON numbers, decimal strings or 0x-hex strings and must fit their type; addresses
    must be 20 bytes (a mixed-case one must carry a valid EIP-55 checksum); ``bytesN`` exactly N bytes.
    Extra or missing members are refused. Raises :class:`TypedDataInvalid` naming the field.
    """
    if not isinstance(message, Mapping):
        raise TypedDataInvalid(where, "is not an object")
    names = [member.name for member in struct.fields]
    unknown = sorted(set(message) - set(names))
    if unknown:
        raise TypedDataInvalid(where, f"has members {unknown} that {struct.name} does not")
    return {
        member.name: _from_json(member, message.get(member.name), f"{where}.{member.name}")
        for member in struct.fields
    }


def parse_typed_data(payload: Any, struct: StructType) -> tuple[Domain, dict[str, Any]]:
    """The domain and typed message of an ``eth_signTypedData_v4`` payload that must be a ``struct``.

    The ``types`` must define exactly ``struct`` and the four-field ``EIP712Domain`` (a payload whose
    types differ would have a wallet sign another structure), ``primaryType`` must name ``struct``.
    Raises :class:`TypedDataInvalid`.
    """
    if not isinstance(payload, Mapping):
        raise TypedDataInvalid("typed data", "is not an object")
    types = payload.get("types")
    expected = {"EIP712Domain": EIP712_DOMAIN.as_json, struct.name: struct.as_json}
    if types != expected:
        raise TypedDataInvalid(
            "types",
            f"are not exactly {struct.encoded} with the EIP712Domain of name, "
            "version, chainId and verifyingContract",
        )
    if payload.get("primaryType") != struct.name:
        raise TypedDataInvalid("primaryType", f"is {payload.get('primaryType')!r}, not {struct.name!r}")
    raw_domain = payload.get("domain")
    values = decode_message(EIP712_DOMAIN, raw_domain, where="domain")
    domain = Domain(
        name=values["name"],
        version=values["version"],
        chain_id=values["chainId"],
        verifying_contract=values["verifyingContract"],
    )
    return domain, decode_message(struct, payload.get("message"))


def check_values(struct: StructType, values: Mapping[str, Any]) -> None:
    """Refuse typed values that do not fit ``struct`` (an int out of its range, bytes of the wrong size)."""
    for member in struct.fields:
        _check_typed(member, values[member.name], member.name)


# ---------------------------------------------------------------------- members


def _to_json(member: Field, value: Any) -> Any:
    _check_typed(member, value, member.name)
    bits = member.integer_bits
    if bits is not None:
        return value if bits <= 53 else str(value)
    if member.type == "address":
        return to_checksum_address(value)
    if member.type == "bytes" or member.type.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return value


def _check_typed(member: Field, value: Any, where: str) -> None:
    bits = member.integer_bits
    if bits is not None:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << bits:
            raise TypedDataInvalid(where, f"{value!r} is not a {member.type} (0 to 2^{bits} - 1)")
    elif member.type == "address":
        if not isinstance(value, str) or not is_checksum_address(value):
            raise TypedDataInvalid(where, f"{value!r} is not a checksummed address")
    elif member.type == "bool":
        if not isinstance(value, bool):
            raise TypedDataInvalid(where, f"{value!r} is not a bool")
    elif member.type == "string":
        if not isinstance(value, str):
            raise TypedDataInvalid(where, f"{value!r} is not a string")
    elif member.type == "bytes":
        if not isinstance(value, bytes | bytearray):
            raise TypedDataInvalid(where, f"{value!r} is not bytes")
    else:
        size = int(member.type[5:])
        if not isinstance(value, bytes | bytearray) or len(value) != size:
            raise TypedDataInvalid(where, f"{value!r} is not {size} bytes")


def _from_json(member: Field, raw: Any, where: str) -> Any:
    if raw is None:
        raise TypedDataInvalid(where, "is missing")
    bits = member.integer_bits
    if bits is not None:
        value = _integer(raw, where)
        if not 0 <= value < 1 << bits:
            raise TypedDataInvalid(where, f"{value} is out of range for {member.type} (0 to 2^{bits} - 1)")
        return value
    if member.type == "address":
        return _address(raw, where)
    if member.type == "bool":
        if not isinstance(raw, bool):
            raise TypedDataInvalid(where, f"{raw!r} is not true or false")
        return raw
    if member.type == "string":
        if not isinstance(raw, str):
            raise TypedDataInvalid(where, f"{raw!r} is not a string")
        return raw
    data = _hex_bytes(raw, where)
    if member.type != "bytes" and len(data) != int(member.type[5:]):
        raise TypedDataInvalid(where, f"is {len(data)} bytes, not {member.type[5:]}")
    return data


def _integer(raw: Any, where: str) -> int:
    if isinstance(raw, bool):
        raise TypedDataInvalid(where, f"{raw!r} is not an integer")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        if _DECIMAL.match(raw) and len(raw) <= 78:
            return int(raw)
        if _HEX.match(raw) and 2 < len(raw) <= 66:
            return int(raw, 16)
    raise TypedDataInvalid(
        where, f"{raw!r} is not an unsigned integer (a decimal string, a 0x-hex string or a number)"
    )


def _address(raw: Any, where: str) -> ChecksumAddress:
    if not isinstance(raw, str) or not re.fullmatch(r"0x[0-9a-fA-F]{40}", raw):
        raise TypedDataInvalid(where, f"{raw!r} is not a 20-byte 0x-hex address")
    body = raw[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(raw):
        raise TypedDataInvalid(where, f"{raw} has an invalid EIP-55 checksum")
    return to_checksum_address(raw)


def _hex_bytes(raw: Any, where: str) -> bytes:
    if not isinstance(raw, str) or not _HEX.match(raw) or len(raw) % 2:
        raise TypedDataInvalid(where, f"{raw!r} is not 0x-hex bytes")
    return bytes.fromhex(raw[2:])
