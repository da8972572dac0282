"""api/aid/inputs.py: the canonical inputs and their digest."""

from __future__ import annotations

import pytest

from api.aid.errors import InputsInvalid
from api.aid.inputs import DecisionInputs
from oracle.aid.population import Forgery
from tests.aid_cases import case_of, inputs_of


def test_the_canonical_encoding_round_trips_and_is_the_only_one_accepted() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    raw = inputs.canonical_json()
    assert DecisionInputs.from_canonical(raw) == inputs
    assert case.id_card.name.encode() in raw  # UTF-8 text, not \\u escapes
    for not_canonical in (raw.replace(b",", b", ", 1), raw + b"\n", b" " + raw):
        with pytest.raises(InputsInvalid, match="canonical"):
            DecisionInputs.from_canonical(not_canonical)
    for broken in (b"{", raw[:-1], b"{}"):
        with pytest.raises(InputsInvalid):
            DecisionInputs.from_canonical(broken)


def test_changing_any_byte_changes_the_digest() -> None:
    case, registered = case_of(Forgery.NONE)
    raw = inputs_of(case, registered).canonical_json()
    digest = DecisionInputs.from_canonical(raw).digest()
    seen = {digest}
    for position in range(0, len(raw), max(1, len(raw) // 97)):
        changed = raw[:position] + bytes([raw[position] ^ 1]) + raw[position + 1 :]
        from eth_utils import keccak

        seen.add(keccak(changed))
    assert len(seen) == 1 + len(range(0, len(raw), max(1, len(raw) // 97)))
