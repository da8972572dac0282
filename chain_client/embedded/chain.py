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

The VM is py-evm's Prague VM with a cheaper interpreter loop (``interpreter``), accounts written
without py-evm's generic RLP machinery (``encode_account``), and without py-evm's re-validation of
each receipt's bloom against its own logs (computed from those very logs a moment before).

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
from eth.db.account import AccountDB
from eth.rlp.accounts import Account
from eth.validation import validate_canonical_address, validate_uint64, validate_uint256
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.state import PragueState
from eth_typing import Address, BlockNumber

from chain_client.embedded.free_gas import vm_for_base_fee
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


def _rlp_string(value: bytes) -> bytes:
    if len(value) == 1 and value[0] < 0x80:
        return value
    if len(value) < 56:
        return bytes([0x80 + len(value)]) + value
    length = len(value).to_bytes((len(value).bit_length() + 7) // 8, "big")
    return bytes([0xB7 + len(length)]) + length + value


def encode_account(account: Account) -> bytes:
    """``rlp.encode(account, sedes=Account)``, in a tenth of its time (the state's hottest write).

    An account is the RLP list [nonce, balance, storageRoot, codeHash] (Yellow Paper 4.1), the
    integers as big-endian bytes without leading zeros (zero as the empty string).
    """
    nonce, balance = account.nonce, account.balance
    payload = (
        _rlp_string(nonce.to_bytes((nonce.bit_length() + 7) // 8, "big"))
        + _rlp_string(balance.to_bytes((balance.bit_length() + 7) // 8, "big"))
        + _rlp_string(account.storage_root)
        + _rlp_string(account.code_hash)
    )
    if len(payload) < 56:
        return bytes([0xC0 + len(payload)]) + payload
    length = len(payload).to_bytes((len(payload).bit_length() + 7) // 8, "big")
    return bytes([0xF7 + len(length)]) + length + payload


class EmbeddedAccountDB(AccountDB):
    """py-evm's account database, writing accounts without its generic RLP machinery: a changed
    balance or nonce makes a new ``Account`` directly instead of ``Account.copy`` (which validates
    and merges its arguments), and accounts are encoded by ``encode_account``."""

    def _set_account(self, address: Address, account: Account) -> None:
        self._account_cache[address] = account
        self._journaltrie[address] = encode_account(account)

    def set_balance(self, address: Address, balance: int) -> None:
        validate_canonical_address(address, title="Storage Address")
        validate_uint256(balance, title="Account Balance")
        account = self._get_account(address)
        self._set_account(address, Account(account.nonce, balance, account.storage_root, account.code_hash))

    def set_nonce(self, address: Address, nonce: int) -> None:
        validate_canonical_address(address, title="Storage Address")
        validate_uint64(nonce, title="Nonce")
        account = self._get_account(address)
        self._set_account(address, Account(nonce, account.balance, account.storage_root, account.code_hash))


class EmbeddedState(PragueState):
    computation_class = EmbeddedComputation
    account_db_class = EmbeddedAccountDB


class EmbeddedVM(PragueVM):
    """Prague rules; the cheaper interpreter; no re-check of each fresh receipt's bloom."""

    _state_class = EmbeddedState

    @classmethod
    def validate_receipt(cls, receipt: ReceiptAPI) -> None:
        """Skipped: the receipt's bloom was computed from these very logs (py-evm's self-check)."""


def chain_class(genesis: Genesis, vm_class: type[PragueVM] = EmbeddedVM) -> type[MiningChain]:
    """A py-evm chain class for ``genesis``: Prague from block 0, the genesis gas limit for ever, and
    a base fee pinned at zero if the genesis's is zero (free gas, ``free_gas.py``).

    ``vm_class=PragueVM`` gives the same chain on py-evm's stock VM (the tests' reference).
    """

    class EmbeddedChain(MiningChain):
        chain_id = genesis.chain_id
        vm_configuration = ((BlockNumber(0), vm_for_base_fee(vm_class, genesis.base_fee)),)

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
