"""The embedded node's interpreter loop against py-evm's stock Prague computation: every replaced
instruction, at its edges (wrap-around, shifts of 256 and more, stack underflow and overflow, a PUSH
cut short by the end of the code, jumps into PUSH data, out of gas), gives the same output, gas,
error and stack."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
from eth.abc import ComputationAPI
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.vm.forks.prague import PragueVM
from eth.vm.opcode_values import (
    ADD,
    AND,
    CALLDATALOAD,
    CALLDATASIZE,
    CALLER,
    CALLVALUE,
    DUP1,
    EQ,
    GT,
    ISZERO,
    JUMP,
    JUMPDEST,
    JUMPI,
    LT,
    MLOAD,
    MSTORE,
    NOT,
    OR,
    POP,
    PUSH0,
    PUSH1,
    PUSH2,
    PUSH4,
    PUSH32,
    SGT,
    SHL,
    SHR,
    SLT,
    SSTORE,
    STOP,
    SUB,
    SWAP1,
    XOR,
)
from eth_typing import Address

from chain_client.embedded.chain import EmbeddedVM, chain_class
from chain_client.embedded.interpreter import FAST_LOGIC
from chain_client.embedded.node import Genesis

MAX = 2**256 - 1
EDGES = [0, 1, 2, 255, 256, 257, 2**255, MAX - 1, MAX]
SENDER = Address(b"\x11" * 20)
CONTRACT = Address(b"\x22" * 20)
CALLDATA = bytes(range(1, 37))
VALUE = 10**18 + 5


def _push(value: int) -> bytes:
    return bytes([PUSH32]) + value.to_bytes(32, "big")


def _programs() -> Iterator[tuple[str, bytes, int]]:
    """(name, code, gas) for every case; each runs with CALLDATA and a value of VALUE wei."""
    for op, (left, right) in product((ADD, SUB, AND, OR, XOR, EQ, LT, GT, SHL, SHR), product(EDGES, EDGES)):
        yield f"{op:#x} of {left}, {right}", _push(right) + _push(left) + bytes([op]), 100_000
    for op, (left, right) in product((SLT, SGT), product(EDGES, EDGES)):
        yield f"{op:#x} of {left}, {right}", _push(right) + _push(left) + bytes([op]), 100_000
    for offset, value in product((0, 1, 31, 32, 33, 1_000, 2**20, 2**64, MAX), (0, 7, MAX)):
        yield f"mstore {value} at {offset}", _push(value) + _push(offset) + bytes([MSTORE]), 1_000_000
        load_back = bytes([PUSH1, 7, PUSH1, 0, MSTORE]) + _push(offset) + bytes([MLOAD])
        yield f"mload at {offset}", load_back, 1_000_000
    yield "mstore of a short push", bytes([PUSH2, 0xAB, 0xCD, PUSH1, 3, MSTORE, PUSH1, 0, MLOAD]), 100_000
    yield (
        "mstore twice, growing",
        bytes([PUSH1, 1, PUSH1, 0, MSTORE, PUSH1, 2, PUSH2, 0x10, 0, MSTORE]),
        100_000,
    )
    yield "memory growth out of gas", bytes([PUSH1, 1, PUSH4, 0, 0x10, 0, 0, MSTORE]), 30_000
    for offset in (0, 1, 4, 30, 31, 32, 36, 1_000, MAX):
        yield f"calldataload at {offset}", _push(offset) + bytes([CALLDATALOAD]), 100_000
    yield "caller, callvalue, calldatasize", bytes([CALLER, CALLVALUE, CALLDATASIZE]), 100_000
    for op, value in product((ISZERO, NOT), EDGES):
        yield f"{op:#x} of {value}", _push(value) + bytes([op]), 100_000
    for op in FAST_LOGIC:  # with too few items on the stack
        yield (
            f"op{op:#x} underflow",
            bytes([PUSH1, 7, op]) if op not in range(PUSH0, PUSH32 + 1) else bytes([op]),
            100_000,
        )
        yield f"op{op:#x} on empty", bytes([op]), 100_000
    yield "push cut short", bytes([PUSH4, 0xAB, 0xCD]), 100_000
    yield "push0", bytes([PUSH0, PUSH0, ADD]), 100_000
    for depth in range(1, 17):
        items = b"".join(bytes([PUSH1, value]) for value in range(1, 18))
        yield f"dup{depth}", items + bytes([DUP1 + depth - 1]), 100_000
        yield f"swap{depth}", items + bytes([SWAP1 + depth - 1]), 100_000
    yield "pop", bytes([PUSH1, 1, PUSH1, 2, POP]), 100_000
    yield "stack overflow by push", bytes([PUSH1, 1]) * 1_025, 10_000_000
    yield "stack overflow by dup", bytes([PUSH1, 1]) * 1_024 + bytes([DUP1]), 10_000_000
    yield "full stack, then arithmetic", bytes([PUSH1, 1]) * 1_024 + bytes([ADD]), 10_000_000
    yield "jump to a jumpdest", bytes([PUSH1, 4, JUMP, STOP, JUMPDEST, PUSH1, 9]), 100_000
    yield "jump into push data", bytes([PUSH1, 4, JUMP, PUSH2, JUMPDEST, JUMPDEST, STOP]), 100_000
    yield "jump to a non-jumpdest", bytes([PUSH1, 3, JUMP, STOP]), 100_000
    yield "jump past the end", bytes([PUSH2, 0xFF, 0xFF, JUMP]), 100_000
    yield "jump to a huge destination", _push(MAX) + bytes([JUMP]), 100_000
    yield "jumpi taken", bytes([PUSH1, 1, PUSH1, 6, JUMPI, STOP, JUMPDEST, PUSH1, 5]), 100_000
    yield "jumpi not taken", bytes([PUSH1, 0, PUSH1, 6, JUMPI, PUSH1, 3, JUMPDEST]), 100_000
    yield "jumpi taken to a bad place", bytes([PUSH1, 1, PUSH1, 5, JUMPI, STOP]), 100_000
    clear_then_reset = bytes([PUSH1, 0, PUSH1, 0, SSTORE, PUSH1, 1, PUSH1, 0, SSTORE])
    yield "a refund taken back (negative refund)", clear_then_reset, 100_000
    yield "out of gas on a push", bytes([PUSH1, 1, PUSH1, 2, ADD]), 5
    yield "out of gas on the add", bytes([PUSH1, 1, PUSH1, 2, ADD]), 8


def _chain(vm_class: type[PragueVM]) -> MiningChain:
    chain_type = chain_class(Genesis(chain_id=1337), vm_class)
    genesis_params: dict[str, Any] = {"gas_limit": 30_000_000, "difficulty": 0, "timestamp": 1}
    return chain_type.from_genesis(AtomicDB(), genesis_params)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def chains() -> tuple[MiningChain, MiningChain]:
    return _chain(PragueVM), _chain(EmbeddedVM)


def _run(chain: MiningChain, code: bytes, gas: int) -> ComputationAPI:
    vm = chain.get_vm()
    # A slot set before the call (committed, so it is the "original" value of EIP-2200): clearing
    # it earns a refund, setting it again takes the refund back (a negative refund).
    vm.state.set_storage(CONTRACT, 0, 1)
    vm.state.persist()
    return vm.execute_bytecode(
        origin=SENDER, gas_price=0, gas=gas, to=CONTRACT, sender=SENDER, value=VALUE, data=CALLDATA, code=code
    )


def _outcome(computation: ComputationAPI) -> tuple[object, ...]:
    values = computation._stack.values  # type: ignore[attr-defined]
    stack = [value if isinstance(value, int) else int.from_bytes(value, "big") for value in values]
    error = type(computation.error).__name__ if computation.is_error else None
    memory = bytes(computation._memory._bytes)  # type: ignore[attr-defined]
    gas = (computation.get_gas_remaining(), computation.get_gas_refund())
    return (error, computation.output, gas, stack, memory)


def test_each_replaced_instruction_behaves_as_in_py_evm(chains: tuple[MiningChain, MiningChain]) -> None:
    stock, embedded = chains
    programs = list(_programs())
    assert len(programs) > 300
    differing = [
        name
        for name, code, gas in programs
        if _outcome(_run(embedded, code, gas)) != _outcome(_run(stock, code, gas))
    ]
    assert differing == []


def test_the_cases_reach_every_outcome(chains: tuple[MiningChain, MiningChain]) -> None:
    """The edge cases above do hit each error the replaced instructions can raise."""
    _, embedded = chains
    errors = {_outcome(_run(embedded, code, gas))[0] for _, code, gas in _programs()}
    expected = {
        None,
        "InsufficientStack",
        "FullStack",
        "InvalidJumpDestination",
        "InvalidInstruction",
        "OutOfGas",
    }
    assert expected <= errors
