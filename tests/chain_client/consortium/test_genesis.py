"""chain_client/consortium/genesis.py: the EVM rules the genesis enables run the ledger's contracts.

The genesis enables Cancun (not Prague: Besu requires Prague's system contracts in a genesis). The
contracts are compiled for Prague; this checks, with py-evm's opcode tables, that every instruction of
every contract's runtime code is a Cancun instruction (they use Cancun's TLOAD/TSTORE/MCOPY).
"""

from __future__ import annotations

import json

import pytest
from eth.vm.forks.cancun.computation import CancunComputation
from eth.vm.forks.shanghai.computation import ShanghaiComputation

from chain_client.compiler import load_artifact
from chain_client.consortium.genesis import TIME_MILESTONES
from chain_client.deploy import LEDGER_CONTRACTS
from tests.chain_client.consortium.conftest import GeneratedKit

INVALID = 0xFE  # Solidity's designated invalid instruction; after the last one come data sections


def _instructions(runtime: bytes) -> list[int]:
    """The opcodes of the code section: from the start to the data after the code's final INVALID."""
    metadata_length = int.from_bytes(runtime[-2:], "big")  # Solidity's CBOR metadata trailer
    body = runtime[: -(metadata_length + 2)]
    known = set(CancunComputation.opcodes) | {INVALID}
    opcodes: list[int] = []
    position = 0
    while position < len(body):
        opcode = body[position]
        if opcode not in known:
            assert INVALID in opcodes, f"unknown instruction 0x{opcode:02x} at {position} before any INVALID"
            break  # the data section after the code
        opcodes.append(opcode)
        position += 1 + (opcode - 0x5F if 0x60 <= opcode <= 0x7F else 0)
    return opcodes


@pytest.mark.parametrize("name", LEDGER_CONTRACTS)
def test_every_contract_runs_under_the_cancun_rules_of_the_consortium_genesis(name: str) -> None:
    runtime = bytes.fromhex(load_artifact(name)["deployedBytecode"].removeprefix("0x"))
    opcodes = _instructions(runtime)
    assert len(opcodes) > 100
    assert set(opcodes) <= set(CancunComputation.opcodes) | {INVALID}


def test_the_contracts_do_need_cancun_so_the_genesis_must_enable_it() -> None:
    used = set()
    for name in LEDGER_CONTRACTS:
        used |= set(_instructions(bytes.fromhex(load_artifact(name)["deployedBytecode"].removeprefix("0x"))))
    cancun_only = used - set(ShanghaiComputation.opcodes) - {INVALID}
    assert cancun_only >= {0x5C, 0x5D}  # TLOAD, TSTORE (EIP-1153): OpenZeppelin's ReentrancyGuardTransient
    assert "cancunTime" in TIME_MILESTONES


def test_the_genesis_has_no_prague_milestone(kit: GeneratedKit) -> None:
    genesis = json.loads((kit.path / "genesis.json").read_text())
    assert set(TIME_MILESTONES) <= set(genesis["config"])
    assert not any(key.lower().startswith(("prague", "osaka")) for key in genesis["config"])
