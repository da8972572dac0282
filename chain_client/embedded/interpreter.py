"""A cheaper interpreter loop for py-evm's Prague computation, with the same results.

py-evm runs each EVM instruction through several layers of Python calls: the opcode object charges
its gas through the computation and then the gas meter (each checking whether debug logging is on),
and its logic pops and pushes through the computation's and the stack's methods, validating and
converting every value. An ERC-20 transfer executes about 700 instructions, so this overhead is most
of the time spent in the EVM. ``EmbeddedComputation`` changes how instructions are dispatched, never
what they do:

- opcodes of fixed gas cost are charged inline by the dispatch loop, raising py-evm's own
  ``OutOfGas`` with py-evm's message;
- the most frequent instructions (PUSH, DUP, SWAP, POP, JUMP, JUMPI, simple arithmetic, compare
  and bitwise operations, MLOAD, MSTORE, CALLDATALOAD, CALLER, CALLVALUE, CALLDATASIZE: together
  about 90% of the instructions of our contracts) have logic functions that work on the stack's list
  and the memory's bytes directly, with py-evm's stack-limit and underflow errors (``FullStack``,
  ``InsufficientStack``), its memory-expansion gas and the EVM's 256-bit wrap-around;
- valid jump destinations come from one linear scan per distinct code, kept in a bounded cache,
  instead of a look-back of up to 32 bytes at every JUMP and JUMPI;
- the gas meter for everything else skips the debug-logging checks.

Every other instruction (calls, creates, storage, logs, memory-expanding ones, precompiles) runs
py-evm's own code. ``tests/chain_client/test_interpreter.py`` runs edge cases of every replaced
instruction on both interpreters and compares output, gas, errors and stacks; blocks built on this
interpreter equal py-evm's stock ones (``tests/chain_client/test_embedded_chain.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth.abc import ComputationAPI, MessageAPI, StateAPI, TransactionContextAPI
from eth.exceptions import (
    FullStack,
    Halt,
    InsufficientStack,
    InvalidInstruction,
    InvalidJumpDestination,
    OutOfGas,
)
from eth.vm.code_stream import CodeStream
from eth.vm.computation import NO_RESULT
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.gas_meter import GasMeter
from eth.vm.logic.invalid import InvalidOpcode
from eth.vm.opcode import _FastOpcode
from eth.vm.opcode_values import (
    ADD,
    AND,
    CALLDATALOAD,
    CALLDATASIZE,
    CALLER,
    CALLVALUE,
    DUP1,
    DUP16,
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
    PUSH32,
    SGT,
    SHL,
    SHR,
    SLT,
    SUB,
    SWAP1,
    SWAP16,
    XOR,
)
from eth_utils import ValidationError
from lru import LRU

_UINT_256_MAX = 2**256 - 1
_UINT_255_MAX = 2**255 - 1
_UINT_256_CEILING = 2**256
_STACK_LIMIT = 1024
_GAS_MEMORY = 3
_GAS_MEMORY_QUADRATIC_DENOMINATOR = 512

Logic = Callable[[Any], None]

_OPCODE_STARTS: LRU[bytes, bytes] = LRU(256)
"""Code -> a byte per position, 1 where an instruction starts (not inside a PUSH's data)."""


def _opcode_starts(code: bytes) -> bytes:
    starts = _OPCODE_STARTS.get(code)
    if starts is None:
        marks = bytearray(len(code))
        position = 0
        while position < len(code):
            marks[position] = 1
            opcode = code[position]
            position += opcode - PUSH1 + 2 if PUSH1 <= opcode <= PUSH32 else 1
        starts = bytes(marks)
        _OPCODE_STARTS[code] = starts
    return starts


class _AnalysedCode(CodeStream):
    """py-evm's ``CodeStream``, answering ``is_valid_opcode`` from one scan of the whole code."""

    __slots__ = ["_starts"]

    def __init__(self, code_bytes: bytes) -> None:
        super().__init__(code_bytes)
        self._starts = _opcode_starts(code_bytes)

    def is_valid_opcode(self, position: int) -> bool:
        return position < self._length_cache and self._starts[position] == 1


class _QuietGasMeter(GasMeter):
    """py-evm's ``GasMeter`` without the per-charge debug-logging checks."""

    def consume_gas(self, amount: int, reason: str) -> None:
        if amount < 0:
            raise ValidationError("Gas consumption amount must be positive")
        if amount > self.gas_remaining:
            raise OutOfGas(f"Out of gas: Needed {amount} - Remaining {self.gas_remaining} - Reason: {reason}")
        self.gas_remaining -= amount


# ---------------------------------------------------------------- instruction logic on the raw stack
# The stack holds ints and bytes (py-evm converts lazily); the top is the list's end.


def _int(value: int | bytes) -> int:
    return value if type(value) is int else int.from_bytes(value, "big")  # type: ignore[arg-type]


def _pop1(values: list[Any]) -> int | bytes:
    if not values:
        raise InsufficientStack("Wanted 1 stack item, had none")
    return values.pop()  # type: ignore[no-any-return]


def _push(values: list[Any], value: int | bytes) -> None:
    if len(values) >= _STACK_LIMIT:
        raise FullStack("Stack limit reached")
    values.append(value)


def _pop2(values: list[Any]) -> tuple[int, int]:
    """The top two items as ints, top first (py-evm's ``stack_pop_ints(2)``)."""
    if len(values) < 2:
        raise InsufficientStack(f"Wanted 2 stack items, only had {len(values)}")
    top = values.pop()
    second = values.pop()
    return _int(top), _int(second)


def _push_logic(size: int) -> Logic:
    def push(computation: Any) -> None:
        code = computation.code
        start = code.program_counter
        raw = code._raw_code_bytes[start : start + size]
        code.program_counter = start + size
        if len(raw) != size:
            raw = raw.ljust(size, b"\x00")
        values = computation._stack.values
        if len(values) >= _STACK_LIMIT:
            raise FullStack("Stack limit reached")
        values.append(raw)

    return push


def _dup_logic(position: int) -> Logic:
    def dup(computation: Any) -> None:
        values = computation._stack.values
        if len(values) >= _STACK_LIMIT:
            raise FullStack("Stack limit reached")
        if len(values) < position:
            raise InsufficientStack(f"Insufficient stack items for DUP{position}")
        values.append(values[-position])

    return dup


def _swap_logic(position: int) -> Logic:
    deep = -position - 1

    def swap(computation: Any) -> None:
        values = computation._stack.values
        if len(values) <= position:
            raise InsufficientStack(f"Insufficient stack items for SWAP{position}")
        values[-1], values[deep] = values[deep], values[-1]

    return swap


def _pop(computation: Any) -> None:
    values = computation._stack.values
    if not values:
        raise InsufficientStack("Wanted 1 stack item, had none")
    values.pop()


def _jump_to(computation: Any, destination: int) -> None:
    code = computation.code
    code.program_counter = destination
    if code.peek() != JUMPDEST:
        raise InvalidJumpDestination("Invalid Jump Destination")
    if not code.is_valid_opcode(destination):
        raise InvalidInstruction("Jump resulted in invalid instruction")


def _jump(computation: Any) -> None:
    values = computation._stack.values
    if not values:
        raise InsufficientStack("Wanted 1 stack item, had none")
    _jump_to(computation, _int(values.pop()))


def _jumpi(computation: Any) -> None:
    destination, condition = _pop2(computation._stack.values)
    if condition:
        _jump_to(computation, destination)


def _binary_logic(operation: Callable[[int, int], int]) -> Logic:
    def binary(computation: Any) -> None:
        values = computation._stack.values
        left, right = _pop2(values)  # left is the top, as in py-evm's logic functions
        values.append(operation(left, right))

    return binary


def _iszero(computation: Any) -> None:
    values = computation._stack.values
    if not values:
        raise InsufficientStack("Wanted 1 stack item, had none")
    values.append(1 if _int(values.pop()) == 0 else 0)


def _not(computation: Any) -> None:
    values = computation._stack.values
    if not values:
        raise InsufficientStack("Wanted 1 stack item, had none")
    values.append(_UINT_256_MAX - _int(values.pop()))


def _signed(value: int) -> int:
    return value if value <= _UINT_255_MAX else value - _UINT_256_CEILING


def _memory_cost(size: int) -> int:
    words = (size + 31) // 32
    return words * _GAS_MEMORY + words * words // _GAS_MEMORY_QUADRATIC_DENOMINATOR


def _extend_memory(computation: Any, start: int, size: int) -> bytearray:
    """py-evm's ``BaseComputation.extend_memory`` (charge for growth, then grow); returns the bytes."""
    memory = computation._memory._bytes
    end = start + size
    if size == 0 or end <= len(memory):  # nothing to grow, nothing to charge
        return memory  # type: ignore[no-any-return]
    before_size = len(memory)  # always a multiple of 32
    after_size = (end + 31) // 32 * 32
    fee = _memory_cost(after_size) - _memory_cost(before_size)
    meter = computation._gas_meter
    if fee > meter.gas_remaining:
        raise OutOfGas(
            f"Out of gas: Needed {fee} - Remaining {meter.gas_remaining}"
            f" - Reason: Expanding memory {before_size} -> {after_size}"
        )
    meter.gas_remaining -= fee
    computation._memory.extend(start, size)
    return computation._memory._bytes  # type: ignore[no-any-return]


def _mstore(computation: Any) -> None:
    values = computation._stack.values
    start = _int(_pop1(values))
    value = _pop1(values)
    word = value.to_bytes(32, "big") if type(value) is int else value.rjust(32, b"\x00")[-32:]  # type: ignore[union-attr]
    memory = _extend_memory(computation, start, 32)
    memory[start : start + 32] = word


def _mload(computation: Any) -> None:
    values = computation._stack.values
    start = _int(_pop1(values))
    memory = _extend_memory(computation, start, 32)
    values.append(bytes(memory[start : start + 32]))


def _calldataload(computation: Any) -> None:
    values = computation._stack.values
    start = _int(_pop1(values))
    word = bytes(computation.msg.data[start : start + 32]).ljust(32, b"\x00")
    values.append(word.lstrip(b"\x00"))


def _caller(computation: Any) -> None:
    _push(computation._stack.values, computation.msg.sender)


def _callvalue(computation: Any) -> None:
    _push(computation._stack.values, computation.msg.value)


def _calldatasize(computation: Any) -> None:
    _push(computation._stack.values, len(computation.msg.data))


FAST_LOGIC: dict[int, Logic] = {
    PUSH0: _push_logic(0),
    **{PUSH1 + index: _push_logic(index + 1) for index in range(PUSH32 - PUSH1 + 1)},
    **{DUP1 + index: _dup_logic(index + 1) for index in range(DUP16 - DUP1 + 1)},
    **{SWAP1 + index: _swap_logic(index + 1) for index in range(SWAP16 - SWAP1 + 1)},
    POP: _pop,
    JUMP: _jump,
    JUMPI: _jumpi,
    ADD: _binary_logic(lambda left, right: (left + right) & _UINT_256_MAX),
    SUB: _binary_logic(lambda left, right: (left - right) & _UINT_256_MAX),
    AND: _binary_logic(lambda left, right: left & right),
    OR: _binary_logic(lambda left, right: left | right),
    XOR: _binary_logic(lambda left, right: left ^ right),
    EQ: _binary_logic(lambda left, right: 1 if left == right else 0),
    LT: _binary_logic(lambda left, right: 1 if left < right else 0),
    GT: _binary_logic(lambda left, right: 1 if left > right else 0),
    SHL: _binary_logic(lambda shift, value: 0 if shift >= 256 else (value << shift) & _UINT_256_MAX),
    SHR: _binary_logic(lambda shift, value: 0 if shift >= 256 else value >> shift),
    SLT: _binary_logic(lambda left, right: 1 if _signed(left) < _signed(right) else 0),
    SGT: _binary_logic(lambda left, right: 1 if _signed(left) > _signed(right) else 0),
    ISZERO: _iszero,
    NOT: _not,
    MSTORE: _mstore,
    MLOAD: _mload,
    CALLDATALOAD: _calldataload,
    CALLER: _caller,
    CALLVALUE: _callvalue,
    CALLDATASIZE: _calldatasize,
}
"""Instruction -> logic on the raw stack, for the instructions listed in the module docstring."""

_FixedCostOpcodes = list[tuple[int, Logic, str] | None]


class EmbeddedComputation(PragueComputation):
    """Prague's computation with the cheaper dispatch described in the module docstring."""

    _fixed_cost_opcodes: _FixedCostOpcodes | None = None

    def __init__(
        self, state: StateAPI, message: MessageAPI, transaction_context: TransactionContextAPI
    ) -> None:
        super().__init__(state, message, transaction_context)
        self.code = _AnalysedCode(message.code)

    def _configure_gas_meter(self) -> GasMeter:
        stock = super()._configure_gas_meter()  # keeps the fork's refund strategy (negative refunds)
        return _QuietGasMeter(stock.start_gas, stock.refund_strategy)

    @classmethod
    def _fixed_costs(cls) -> _FixedCostOpcodes:
        """A table by opcode value: (gas, logic, mnemonic) for fixed-cost opcodes, else ``None``."""
        if cls._fixed_cost_opcodes is None:
            table: _FixedCostOpcodes = [None] * 256
            for value, opcode in cls.opcodes.items():
                if type(opcode) is _FastOpcode:
                    table[value] = (opcode.gas_cost, FAST_LOGIC.get(value, opcode.logic_fn), opcode.mnemonic)
            cls._fixed_cost_opcodes = table
        return cls._fixed_cost_opcodes

    @classmethod
    def apply_computation(
        cls,
        state: StateAPI,
        message: MessageAPI,
        transaction_context: TransactionContextAPI,
        parent_computation: ComputationAPI | None = None,
    ) -> ComputationAPI:
        # py-evm's BaseComputation.apply_computation, with the dispatch loop below.
        with cls(state, message, transaction_context) as computation:
            if computation.is_origin_computation:
                computation.contracts_created = []
                if message.is_create:
                    cls.consume_initcode_gas_cost(computation)
            if parent_computation is not None:
                computation.contracts_created = parent_computation.contracts_created
            if message.is_create:
                computation.contracts_created.append(message.storage_address)
            precompile = computation.precompiles.get(message.code_address, NO_RESULT)
            if precompile is not NO_RESULT:
                if not message.is_delegation:
                    precompile(computation)
                return computation

            fixed_costs = cls._fixed_costs()
            opcodes = computation.opcodes
            meter = computation.get_gas_meter()
            code = computation.code
            raw_code = message.code  # what the CodeStream reads
            code_length = len(raw_code)
            while True:
                # CodeStream.__iter__ without the generator: past the end of the code is a STOP.
                position = code.program_counter
                if position >= code_length:
                    break
                opcode = raw_code[position]
                code.program_counter = position + 1
                fixed = fixed_costs[opcode]
                try:
                    if fixed is None:
                        opcode_fn = opcodes.get(opcode)
                        if opcode_fn is None:
                            opcode_fn = InvalidOpcode(opcode)
                        opcode_fn(computation=computation)
                        continue
                    gas_cost, logic_fn, mnemonic = fixed
                    if gas_cost:
                        if gas_cost > meter.gas_remaining:
                            raise OutOfGas(
                                f"Out of gas: Needed {gas_cost} - Remaining {meter.gas_remaining}"
                                f" - Reason: {mnemonic}"
                            )
                        meter.gas_remaining -= gas_cost
                    logic_fn(computation)
                except Halt:
                    break
        return computation
