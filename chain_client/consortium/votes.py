"""The QBFT validator votes an existing validator casts to add or remove a bank's validator.

Besu QBFT with block-header validator selection: each validator calls ``qbft_proposeValidatorVote``
(``[address, true]`` to add, ``[address, false]`` to remove) on its own node; when more than half of
the validators have proposed the same vote, the change takes effect; each then calls
``qbft_discardValidatorVote`` (besu-docs qbft.md, "Add and remove validators using block headers").
Pending votes are dropped at each epoch transition and re-added by the validators that still hold them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from chain_client.consortium.network import RPC_PORT, BankNode, Network


@dataclass(frozen=True)
class VoteStep:
    """One validator's call: ``voter`` runs ``curl`` on its own server (JSON-RPC is on its loopback)."""

    voter: str
    method: str
    params: tuple[object, ...]

    @property
    def payload(self) -> str:
        return json.dumps({"jsonrpc": "2.0", "id": 1, "method": self.method, "params": list(self.params)})

    @property
    def curl(self) -> str:
        return (
            "curl -s -X POST -H 'Content-Type: application/json' "
            f"--data '{self.payload}' http://127.0.0.1:{RPC_PORT}"
        )


def votes_needed(validator_count: int) -> int:
    """More than half of the current validators (besu-docs qbft.md)."""
    return validator_count // 2 + 1


def proposals(validator: str, voters: Sequence[BankNode], *, add: bool) -> list[VoteStep]:
    """Each of ``voters`` proposes adding (``add``) or removing ``validator``."""
    return [VoteStep(bank.name, "qbft_proposeValidatorVote", (validator, add)) for bank in voters]


def discards(validator: str, voters: Sequence[BankNode]) -> list[VoteStep]:
    """After the change shows in ``qbft_getValidatorsByBlockNumber``, each voter discards its proposal."""
    return [VoteStep(bank.name, "qbft_discardValidatorVote", (validator,)) for bank in voters]


def _others(network: Network, target: BankNode) -> list[BankNode]:
    return [bank for bank in network.banks if bank.name != target.name]


def validator_votes(network: Network, target: BankNode, *, add: bool) -> list[VoteStep]:
    """The proposals every current validator except ``target`` makes (more than half must)."""
    return proposals(target.validator, _others(network, target), add=add)


def discard_votes(network: Network, target: BankNode) -> list[VoteStep]:
    """The discards of the voters of ``validator_votes``, once the change has taken effect."""
    return discards(target.validator, _others(network, target))


def validators_step() -> VoteStep:
    """Any bank's node: the validator set at the latest block."""
    return VoteStep("any bank", "qbft_getValidatorsByBlockNumber", ("latest",))
