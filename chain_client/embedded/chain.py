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

The VM is py-evm's Prague VM with a cheaper interpreter loop (``interpreter``), and without
py-evm's re-validation of each receipt's bloom against its own logs (computed from those very logs a
moment before).

``tests/chain_client/test_embedded_chain.py`` holds blocks built here equal to py-evm's
``mine_all`` on the stock Prague VM: the same header, state root, transaction and receipt roots.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth.abc import BlockAPI, BlockHeaderAPI, ComputationAPI, ReceiptAPI, SignedTransactionAPI
from eth.chains.base import MiningChain
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.state import PragueState
from eth_typing import BlockNumber

from chain_client.embedded.interpreter import EmbeddedComputation
from chain_client.embedded.trie_root import trie_root_and_nodes

if TYPE_CHECKING:
    from chain_client.embedded.node import Genesis


@dataclass(frozen=True)
class BuiltBlock:
    """A mined and persisted (not yet committed) block, with what its transactions produced."""

    block: BlockAPI
    receipts: tuple[ReceiptAPI, ...]
    computations: tuple[ComputationAPI, ...]


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


STAGES = ("execution", "tries", "state_root", "writes")
"""Where a block's time goes, as ``build_block`` records it: running the transactions (EVM, fees,
receipts), the transaction and receipt tries, the state root (the state trie's writes included),
and writing the block (the miner adds its index rows and the commit to this one). Measured in CPU
seconds of the mining thread, so that other work on a shared machine does not blur the shares (the
wait for the disk inside the commit's fsync is therefore not in ``writes``)."""


def build_block(
    chain: MiningChain,
    transactions: Sequence[SignedTransactionAPI],
    stages: dict[str, float] | None = None,
) -> BuiltBlock:
    """Mine ``transactions`` on ``chain.header`` and persist the block; as ``chain.mine_all``.

    ``stages``, when given, has the seconds spent in each of ``STAGES`` added to it.
    Raises what ``apply_all_transactions`` raises for a transaction that cannot be included (its
    writes stay in the database's open transaction, for the caller to roll back).
    """
    clock = _StageClock(stages)
    base_header = chain.header
    vm = chain.get_vm(base_header)
    new_header, receipts, computations = vm.apply_all_transactions(transactions, base_header)
    clock.lap("execution")

    tx_root, tx_nodes = trie_root_and_nodes([tx.encode() for tx in transactions])
    receipt_root, receipt_nodes = trie_root_and_nodes([receipt.encode() for receipt in receipts])
    filled = vm.get_block().copy(
        transactions=transactions,
        header=new_header.copy(transaction_root=tx_root, receipt_root=receipt_root),
    )
    clock.lap("tries")

    # pack_block would only copy the block again (no uncles, no extra fields after the merge).
    block = vm.finalize_block(filled).block  # no rewards after the merge; the state root
    clock.lap("state_root")

    chaindb = chain.chaindb
    chaindb.persist_trie_data_dict(tx_nodes)
    chaindb.persist_trie_data_dict(receipt_nodes)
    chaindb.persist_block(block)
    chain.header = chain.create_header_from_parent(block.header)
    clock.lap("writes")
    return BuiltBlock(block, tuple(receipts), tuple(computations))


class _StageClock:
    def __init__(self, stages: dict[str, float] | None) -> None:
        self._stages = stages
        self._last = time.thread_time()

    def lap(self, stage: str) -> None:
        if self._stages is not None:
            now = time.thread_time()
            self._stages[stage] = self._stages.get(stage, 0.0) + now - self._last
            self._last = now
