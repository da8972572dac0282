"""The embedded chain's py-evm classes and its block builder.

``chain_class(genesis)`` is a py-evm ``MiningChain`` on Prague rules with one fixed gas limit.
``build_block`` mines a block of transactions exactly as py-evm's ``MiningChain.mine_all`` does
(the same header, state root, transaction and receipt roots, hence the same block hash), minus the
work that does not change the block:

- the transaction and receipt trie roots come from a one-pass builder (``trie_root``) instead of
  py-evm's insert-one-at-a-time trie, whose cost grows faster than the block;
- the block is written with ``ChainDB.persist_block`` directly: ``mine_all`` goes through
  ``Chain.persist_block``, which first re-validates the header it has just built and then reads the
  whole block back from the database (every transaction and receipt decoded again) only to return it.

The VM is py-evm's Prague VM with its interpreter made cheaper where that changes no result:

- a contract's valid jump destinations are found in one linear scan per distinct code, kept in a
  bounded cache, instead of by looking back up to 32 bytes for every JUMP and JUMPI;
- the opcodes of fixed gas cost are dispatched by a loop that charges their gas inline (py-evm goes
  through three calls per opcode for it), with py-evm's own ``OutOfGas`` and error handling;
- the debug-logging checks on each gas charge are dropped, and py-evm's re-validation of each
  receipt's bloom against its own logs (computed from those logs a moment before) is skipped.

``tests/chain_client/test_embedded_chain.py`` holds blocks built here equal to py-evm's
``mine_all`` on the stock Prague VM: the same header, state root, transaction and receipt roots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth.abc import (
    BlockAPI,
    BlockHeaderAPI,
    ComputationAPI,
    MessageAPI,
    ReceiptAPI,
    SignedTransactionAPI,
    StateAPI,
    TransactionContextAPI,
)
from eth.chains.base import MiningChain
from eth.exceptions import Halt, OutOfGas
from eth.vm.code_stream import CodeStream
from eth.vm.computation import NO_RESULT
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState
from eth.vm.gas_meter import GasMeter
from eth.vm.logic.invalid import InvalidOpcode
from eth.vm.opcode import _FastOpcode
from eth.vm.opcode_values import PUSH1, PUSH32
from eth_typing import BlockNumber
from eth_utils import ValidationError
from lru import LRU

from chain_client.embedded.trie_root import trie_root_and_nodes

if TYPE_CHECKING:
    from chain_client.embedded.node import Genesis


@dataclass(frozen=True)
class BuiltBlock:
    """A mined and persisted (not yet committed) block, with what its transactions produced."""

    block: BlockAPI
    receipts: tuple[ReceiptAPI, ...]
    computations: tuple[ComputationAPI, ...]


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


_FixedCostOpcodes = dict[int, tuple[int, Any, str]]


class EmbeddedComputation(PragueComputation):
    """Prague's computation with the cheaper interpreter loop described in the module docstring."""

    _fixed_cost_opcodes: _FixedCostOpcodes | None = None

    def __init__(
        self, state: StateAPI, message: MessageAPI, transaction_context: TransactionContextAPI
    ) -> None:
        super().__init__(state, message, transaction_context)
        self.code = _AnalysedCode(message.code)

    def _configure_gas_meter(self) -> GasMeter:
        return _QuietGasMeter(self.msg.gas)

    @classmethod
    def _fixed_costs(cls) -> _FixedCostOpcodes:
        if cls._fixed_cost_opcodes is None:
            cls._fixed_cost_opcodes = {
                value: (opcode.gas_cost, opcode.logic_fn, opcode.mnemonic)
                for value, opcode in cls.opcodes.items()
                if type(opcode) is _FastOpcode
            }
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
            for opcode in computation.code:
                fixed = fixed_costs.get(opcode)
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


class EmbeddedState(PragueState):
    computation_class = EmbeddedComputation


class EmbeddedVM(PragueVM):
    """Prague rules; the cheaper interpreter; no re-check of each fresh receipt's bloom."""

    _state_class = EmbeddedState

    @classmethod
    def validate_receipt(cls, receipt: ReceiptAPI) -> None:
        """Skipped: the receipt's bloom was computed from these very logs (py-evm's self-check)."""


def chain_class(genesis: Genesis, vm_class: type[PragueVM] = EmbeddedVM) -> type[MiningChain]:
    """A py-evm chain class for ``genesis``: Prague from block 0, the genesis gas limit for ever.

    ``vm_class=PragueVM`` gives the same chain on py-evm's stock VM (the tests' reference).
    """

    class EmbeddedChain(MiningChain):
        chain_id = genesis.chain_id
        vm_configuration = ((BlockNumber(0), vm_class),)

        def create_header_from_parent(self, parent_header: BlockHeaderAPI, **header_params: Any) -> Any:
            # A permissioned chain keeps one gas limit; py-evm would otherwise drift it.
            header_params["gas_limit"] = genesis.gas_limit
            return super().create_header_from_parent(parent_header, **header_params)

    return EmbeddedChain


def build_block(chain: MiningChain, transactions: Sequence[SignedTransactionAPI]) -> BuiltBlock:
    """Mine ``transactions`` on ``chain.header`` and persist the block; as ``chain.mine_all``.

    Raises what ``apply_all_transactions`` raises for a transaction that cannot be included (its
    writes stay in the database's open transaction, for the caller to roll back).
    """
    base_header = chain.header
    vm = chain.get_vm(base_header)
    new_header, receipts, computations = vm.apply_all_transactions(transactions, base_header)

    tx_root, tx_nodes = trie_root_and_nodes([tx.encode() for tx in transactions])
    receipt_root, receipt_nodes = trie_root_and_nodes([receipt.encode() for receipt in receipts])
    chaindb = chain.chaindb
    chaindb.persist_trie_data_dict(tx_nodes)
    chaindb.persist_trie_data_dict(receipt_nodes)
    filled = vm.get_block().copy(
        transactions=transactions,
        header=new_header.copy(transaction_root=tx_root, receipt_root=receipt_root),
    )

    block = vm.finalize_block(
        vm.pack_block(filled)
    ).block  # applies no rewards after the merge; the state root
    chaindb.persist_block(block)
    chain.header = chain.create_header_from_parent(block.header)
    return BuiltBlock(block, tuple(receipts), tuple(computations))
