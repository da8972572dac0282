"""chain_client/consortium/votes.py: the qbft_* JSON-RPC calls each validator makes to add or remove a bank."""

from __future__ import annotations

import json

import pytest

from chain_client.consortium import discard_votes, load_network, validator_votes, votes_needed
from tests.chain_client.consortium.conftest import GeneratedKit


@pytest.mark.parametrize(("validators", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4)])
def test_a_vote_passes_with_more_than_half_of_the_validators(validators: int, needed: int) -> None:
    assert votes_needed(validators) == needed
    assert needed > validators / 2 >= needed - 1


def test_every_other_validator_proposes_the_change_with_a_well_formed_json_rpc_call(
    kit: GeneratedKit,
) -> None:
    network = load_network(kit.path)
    leaving = network.banks[2]
    steps = validator_votes(network, leaving, add=False)
    assert [step.voter for step in steps] == [b.name for b in network.banks if b.name != leaving.name]
    for step in steps:
        call = json.loads(step.payload)
        assert call == {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "qbft_proposeValidatorVote",
            "params": [leaving.validator, False],
        }
        assert step.curl.endswith("http://127.0.0.1:8545")  # on the voter's own server: RPC is on loopback
        assert f"--data '{step.payload}'" in step.curl
    discards = [json.loads(step.payload) for step in discard_votes(network, leaving)]
    assert {(d["method"], tuple(d["params"])) for d in discards} == {
        ("qbft_discardValidatorVote", (leaving.validator,))
    }
