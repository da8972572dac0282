"""chain_client/consortium/extra_data.py against vectors from Besu's own documentation and test sources.

Vectors (copied from the public sources named, not produced by our code):
- besu-docs ``docs/private-networks/how-to/configure/consensus/qbft.md`` (commit 110d7680), section
  "Generate extra data": the ``toEncode.json`` list of four validators and the RLP that
  ``besu rlp encode --type=QBFT_EXTRA_DATA`` gives for it; and the genesis of the "Contract validator
  selection" tab (no validators).
- hyperledger/besu ``besu/src/test/java/org/hyperledger/besu/cli/subcommands/rlp/RLPSubCommandTest.java``
  (commit 21dd0ac2), ``canEncodeToQbftExtraData``: two validators through the ``rlp encode`` CLI.
- hyperledger/besu ``consensus/qbft/src/test/java/org/hyperledger/besu/consensus/qbft/QbftExtraDataCodecTest.java``
  (commit 0412fd79), ``RAW_HEX_ENCODING_STRING``: a header extraData with a vote, a round and two seals.
"""

from __future__ import annotations

import pytest
import rlp

from chain_client.consortium import (
    ExtraDataInvalid,
    QbftExtraData,
    ValidatorVote,
    decode_extra_data,
    encode_extra_data,
    encode_genesis_extra_data,
)

DOCS_VALIDATORS = [
    "0x4592c8e45706cc08b8f44b11e43cba0cfc5892cb",
    "0x06e23768a0f59cf365e18c2e0c89e151bcdedc70",
    "0xc5327f96ee02d7bcbc1bf1236b8c15148971e1de",
    "0xab5e7f4061c605820d3744227eed91ff8e2c8908",
]
DOCS_EXTRA_DATA = (
    "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f854944592c8e45706cc08"
    "b8f44b11e43cba0cfc5892cb9406e23768a0f59cf365e18c2e0c89e151bcdedc7094c5327f96ee02d7bcbc1bf1236b8c"
    "15148971e1de94ab5e7f4061c605820d3744227eed91ff8e2c8908c080c0"
)
DOCS_CONTRACT_SELECTION_EXTRA_DATA = (
    "0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0"
)

CLI_TEST_VALIDATORS = ["be068f726a13c8d46c44be6ce9d275600e1735a4", "5ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193"]
CLI_TEST_EXTRA_DATA = (
    "0xf84fa00000000000000000000000000000000000000000000000000000000000000000ea94be068f726a13c8d"
    "46c44be6ce9d275600e1735a4945ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193c080c0"
)

CODEC_TEST_RAW = (
    "0xf8f0a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea940000000000000000"
    "000000000000000000000001940000000000000000000000000000000000000002d7940000000000000000"
    "00000000000000000000000181ff83fedcbaf886b841000000000000000000000000000000000000000000"
    "0000000000000000000001000000000000000000000000000000000000000000000000000000000000000a"
    "00b841000000000000000000000000000000000000000000000000000000000000000a0000000000000000"
    "00000000000000000000000000000000000000000000000100"
)


def _address(value: int) -> str:
    return "0x" + value.to_bytes(20, "big").hex()


def _seal(r: int, s: int, v: int) -> bytes:
    # Besu SECPSignature.encodedBytes(): r (32) || s (32) || recovery id (1)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v])


CODEC_TEST_DECODED = QbftExtraData(
    vanity=bytes(range(1, 33)),
    validators=(_address(1), _address(2)),  # type: ignore[arg-type]
    vote=ValidatorVote(recipient=_address(1), add=True),  # type: ignore[arg-type]
    round=0x00FEDCBA,
    seals=(_seal(1, 10, 0), _seal(10, 1, 0)),
)


def test_the_genesis_extra_data_of_besu_docs_is_encoded_identically() -> None:
    assert encode_genesis_extra_data(DOCS_VALIDATORS) == DOCS_EXTRA_DATA


def test_besu_rlp_subcommand_test_vector_is_encoded_identically_in_the_given_order() -> None:
    assert encode_genesis_extra_data(CLI_TEST_VALIDATORS) == CLI_TEST_EXTRA_DATA


@pytest.mark.parametrize(
    ("raw", "validators"),
    [(DOCS_EXTRA_DATA, DOCS_VALIDATORS), (CLI_TEST_EXTRA_DATA, ["0x" + a for a in CLI_TEST_VALIDATORS])],
)
def test_besu_genesis_vectors_decode_to_their_validators_and_nothing_else(
    raw: str, validators: list[str]
) -> None:
    decoded = decode_extra_data(raw)
    assert [v.lower() for v in decoded.validators] == validators
    assert (decoded.vanity, decoded.vote, decoded.round, decoded.seals) == (bytes(32), None, 0, ())


def test_the_contract_selection_genesis_of_besu_docs_has_no_validators() -> None:
    assert decode_extra_data(DOCS_CONTRACT_SELECTION_EXTRA_DATA) == QbftExtraData(validators=())
    assert "0x" + encode_extra_data(QbftExtraData(validators=())).hex() == DOCS_CONTRACT_SELECTION_EXTRA_DATA


def test_besu_codec_vector_with_vote_round_and_seals_decodes_and_encodes_identically() -> None:
    assert decode_extra_data(CODEC_TEST_RAW) == CODEC_TEST_DECODED
    assert "0x" + encode_extra_data(CODEC_TEST_DECODED).hex() == CODEC_TEST_RAW


def test_a_drop_vote_is_an_empty_vote_byte() -> None:
    data = QbftExtraData(validators=(), vote=ValidatorVote(recipient=_address(1), add=False))  # type: ignore[arg-type]
    raw = encode_extra_data(data)
    assert rlp.decode(raw)[2] == [bytes.fromhex(_address(1)[2:]), b""]
    assert decode_extra_data(raw) == data


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("0xzz", "not hex"),
        ("0x01", "RLP list of 5"),
        ("0x" + rlp.encode([bytes(31), [], [], 0, []]).hex(), "vanity"),
        ("0x" + rlp.encode([bytes(32), [bytes(19)], [], 0, []]).hex(), "20-byte"),
        ("0x" + rlp.encode([bytes(32), [], [bytes(20), b"\xaa"], 0, []]).hex(), "vote"),
        # Besu's incorrectlyEncodedRoundThrowsRlpException: a round with a leading zero byte
        ("0x" + rlp.encode([bytes(32), [], [], b"\x00\xdc\xba", []]).hex(), "round"),
        ("0x" + rlp.encode([bytes(32), [], [], 0, [bytes(64)]]).hex(), "seals"),
    ],
)
def test_malformed_extra_data_is_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(ExtraDataInvalid, match=reason):
        decode_extra_data(raw)


def test_a_genesis_needs_distinct_validators() -> None:
    with pytest.raises(ExtraDataInvalid, match="needs a validator"):
        encode_genesis_extra_data([])
    with pytest.raises(ExtraDataInvalid, match="repeats"):
        encode_genesis_extra_data([DOCS_VALIDATORS[0], DOCS_VALIDATORS[0].upper().replace("0X", "0x")])
