"""QBFT ``extraData``: the RLP structure in a Besu QBFT block header that names the validators.

Shape (Besu ``QbftExtraDataCodec``; besu-docs ``private-networks/how-to/configure/consensus/qbft.md``,
section "Extra data")::

    RLP([vanity: 32 bytes, validators: [address, ...], vote: [] | [address, 0xff (add) | "" (drop)],
         round: integer scalar, seals: [65-byte signature, ...]])

In a genesis block only the validators carry information: vanity is 32 zero bytes, no vote, round 0,
no seals. ``encode_genesis_extra_data`` produces exactly what ``besu rlp encode --type=QBFT_EXTRA_DATA``
prints for a JSON list of addresses (the list's order is kept, as Besu's encoder keeps it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import rlp
from eth_typing import ChecksumAddress
from eth_utils import to_canonical_address, to_checksum_address

from chain_client.consortium.errors import ExtraDataInvalid

VANITY_LENGTH = 32
SEAL_LENGTH = 65
VOTE_ADD = b"\xff"
"""Besu ``Vote.ADD_BYTE_VALUE``; a drop vote is the empty string."""


@dataclass(frozen=True)
class ValidatorVote:
    """A validator vote carried in a block header: add (``True``) or drop ``recipient``."""

    recipient: ChecksumAddress
    add: bool


@dataclass(frozen=True)
class QbftExtraData:
    """The decoded fields of a QBFT ``extraData``."""

    validators: tuple[ChecksumAddress, ...]
    vanity: bytes = bytes(VANITY_LENGTH)
    vote: ValidatorVote | None = None
    round: int = 0
    seals: tuple[bytes, ...] = field(default=())


def encode_extra_data(data: QbftExtraData) -> bytes:
    """RLP-encode ``data`` in Besu's field order; raises ``ExtraDataInvalid`` on a malformed field."""
    if len(data.vanity) != VANITY_LENGTH:
        raise ExtraDataInvalid(f"vanity must be {VANITY_LENGTH} bytes, got {len(data.vanity)}")
    if data.round < 0:
        raise ExtraDataInvalid(f"round must not be negative, got {data.round}")
    for seal in data.seals:
        if len(seal) != SEAL_LENGTH:
            raise ExtraDataInvalid(f"a seal must be {SEAL_LENGTH} bytes, got {len(seal)}")
    vote: list[bytes] = []
    if data.vote is not None:
        vote = [to_canonical_address(data.vote.recipient), VOTE_ADD if data.vote.add else b""]
    encoded: bytes = rlp.encode(
        [
            data.vanity,
            [to_canonical_address(validator) for validator in data.validators],
            vote,
            data.round,
            list(data.seals),
        ]
    )
    return encoded


def encode_genesis_extra_data(validators: Sequence[str]) -> str:
    """The genesis ``extraData`` hex string for ``validators``, in the order given.

    Equal to ``besu rlp encode --type=QBFT_EXTRA_DATA`` of the JSON list of the same addresses.
    Besu's documentation asks for the initial validators in ascending order; callers sort.
    """
    if not validators:
        raise ExtraDataInvalid("a QBFT network with block-header validator selection needs a validator")
    if len({address.lower() for address in validators}) != len(validators):
        raise ExtraDataInvalid("the validator list repeats an address")
    data = QbftExtraData(validators=tuple(to_checksum_address(address) for address in validators))
    return "0x" + encode_extra_data(data).hex()


def decode_extra_data(raw: bytes | str) -> QbftExtraData:
    """Decode a QBFT ``extraData`` (bytes or 0x-hex); raises ``ExtraDataInvalid`` if it is malformed."""
    if isinstance(raw, str):
        try:
            raw = bytes.fromhex(raw.removeprefix("0x"))
        except ValueError:
            raise ExtraDataInvalid("extraData is not hex") from None
    if not raw:
        raise ExtraDataInvalid("extraData is empty")
    try:
        items = rlp.decode(raw)
    except rlp.exceptions.DecodingError as exc:
        raise ExtraDataInvalid(f"extraData is not RLP: {exc}") from None
    if not isinstance(items, list) or len(items) != 5:
        raise ExtraDataInvalid("extraData must be an RLP list of 5 items")
    vanity, validators, vote, round_bytes, seals = items
    if not isinstance(vanity, bytes) or len(vanity) != VANITY_LENGTH:
        raise ExtraDataInvalid(f"vanity must be {VANITY_LENGTH} bytes")
    if not isinstance(validators, list) or any(
        not isinstance(item, bytes) or len(item) != 20 for item in validators
    ):
        raise ExtraDataInvalid("validators must be a list of 20-byte addresses")
    return QbftExtraData(
        validators=tuple(to_checksum_address(item) for item in validators),
        vanity=vanity,
        vote=_decode_vote(vote),
        round=_decode_scalar(round_bytes),
        seals=_decode_seals(seals),
    )


def _decode_vote(vote: object) -> ValidatorVote | None:
    if vote == []:
        return None
    if (
        not isinstance(vote, list)
        or len(vote) != 2
        or not isinstance(vote[0], bytes)
        or len(vote[0]) != 20
        or vote[1] not in (VOTE_ADD, b"")
    ):
        raise ExtraDataInvalid("vote must be [] or [20-byte address, 0xff | empty]")
    return ValidatorVote(recipient=to_checksum_address(vote[0]), add=vote[1] == VOTE_ADD)


def _decode_scalar(value: object) -> int:
    # Besu reads the round with readIntScalar: minimal big-endian bytes, no leading zero, at most 4 bytes.
    if not isinstance(value, bytes) or len(value) > 4 or value[:1] == b"\x00":
        raise ExtraDataInvalid("round must be a minimal big-endian integer of at most 4 bytes")
    return int.from_bytes(value, "big")


def _decode_seals(seals: object) -> tuple[bytes, ...]:
    if not isinstance(seals, list) or any(
        not isinstance(seal, bytes) or len(seal) != SEAL_LENGTH for seal in seals
    ):
        raise ExtraDataInvalid(f"seals must be a list of {SEAL_LENGTH}-byte signatures")
    return tuple(seals)
