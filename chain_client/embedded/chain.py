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

``tests/chain_client/test_embedded_chain.py`` holds blocks built here equal to ``mine_all``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth.abc import BlockAPI, BlockHeaderAPI, ComputationAPI, ReceiptAPI, SignedTransactionAPI
from eth.chains.base import MiningChain
from eth.vm.forks.prague import PragueVM
from eth_typing import BlockNumber

from chain_client.embedded.trie_root import trie_root_and_nodes

if TYPE_CHECKING:
    from chain_client.embedded.node import Genesis


@dataclass(frozen=True)
class BuiltBlock:
    """A mined and persisted (not yet committed) block, with what its transactions produced."""

    block: BlockAPI
    receipts: tuple[ReceiptAPI, ...]
    computations: tuple[ComputationAPI, ...]


def chain_class(genesis: Genesis) -> type[MiningChain]:
    """A py-evm chain class for ``genesis``: Prague from block 0, the genesis gas limit for ever."""

    class EmbeddedChain(MiningChain):
        chain_id = genesis.chain_id
        vm_configuration = ((BlockNumber(0), PragueVM),)

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
