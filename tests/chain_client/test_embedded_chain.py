"""Blocks built by the embedded node's fast path (its block builder and interpreter) equal py-evm's
own ``mine_all`` of the same transactions on the stock Prague VM: the same block hash, state root, transaction root and receipt root, and the same bytes
in the database afterwards (so py-evm reads the block back as if it had built it)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import rlp
from eth._utils.address import generate_contract_address
from eth.abc import SignedTransactionAPI
from eth.db.atomic import AtomicDB
from eth.db.trie import _make_trie_root_and_nodes
from eth.rlp.accounts import Account
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.transactions import PragueTransactionBuilder
from eth_account.signers.local import LocalAccount
from eth_typing import Address
from eth_utils import keccak, to_canonical_address, to_checksum_address

from chain_client import ChainClient
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import Foundation, deploy_foundation
from chain_client.embedded.chain import EmbeddedVM, build_block, chain_class, encode_account
from chain_client.embedded.node import EmbeddedNode, Genesis
from chain_client.embedded.store import SqliteKeyValueStore
from chain_client.embedded.trie_root import BLANK_ROOT_HASH, trie_root_and_nodes
from tests.conftest import ACCOUNTS, CHAIN_ID, open_embedded_client

A = ACCOUNTS
GENESIS = Genesis(chain_id=CHAIN_ID, alloc={to_canonical_address(A.admin.address): 10**27})


@pytest.mark.parametrize("count", [0, 1, 2, 16, 17, 127, 128, 129, 300, 1_000])
def test_one_pass_trie_roots_and_nodes_equal_py_evms(count: int) -> None:
    items = tuple(os.urandom(8 + index % 120) for index in range(count))
    assert trie_root_and_nodes(items) == _make_trie_root_and_nodes(items)


def test_the_empty_trie_has_the_blank_root() -> None:
    assert trie_root_and_nodes(()) == (BLANK_ROOT_HASH, {})


INTEGERS = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 2**55, 2**64 - 1, 2**64, 10**27, 2**256 - 1]


@pytest.mark.parametrize("nonce", [0, 1, 0x7F, 0x80, 2**64 - 1])
def test_accounts_are_encoded_as_rlp_encodes_them(nonce: int) -> None:
    for balance in INTEGERS:
        for storage_root, code_hash in [(BLANK_ROOT_HASH, keccak(b"")), (b"\x00" * 32, b"\xff" * 32)]:
            account = Account(nonce, balance, storage_root, code_hash)
            assert encode_account(account) == rlp.encode(account, sedes=Account)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[ChainClient, Foundation]]:
    client = open_embedded_client()
    foundation = deploy_foundation(client, A.admin)
    foundation.consortium.grant_role(A.admin, BANK_ROLE, A.admin.address)
    foundation.consortium.allow_account(A.admin, A.admin.address)
    foundation.consortium.allow_account(A.admin, A.bob.address)
    foundation.deposit_token.mint(A.admin, A.admin.address, 10**24, keccak(text="diff mint"))
    for account in (A.alice, A.bob):
        client.send_value(A.admin, account.address, 10**20)
    yield client, foundation
    client.close()


def _sign(
    sender: LocalAccount, nonce: int, to: str | None, data: bytes, value: int, gas: int | None = None
) -> bytes:
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": CHAIN_ID,
        "nonce": nonce,
        "gas": gas or (1_500_000 if to is None else 150_000),
        "maxFeePerGas": 10**11,
        "maxPriorityFeePerGas": 3,  # a tip, so the coinbase's balance changes too
        "value": value,
        "data": data,
    }
    if to is not None:
        tx["to"] = to
    return bytes(sender.sign_transaction(tx).raw_transaction)


REFUNDER_INITCODE = bytes.fromhex("6001600055" + "600b6011600039" + "600b6000f3" + "6000600055600160005500")
"""Sets slot 0 to 1; its code clears slot 0 and sets it again: a refund earned and taken back."""


def _mixed_transactions(client: ChainClient, foundation: Foundation, count: int) -> list[bytes]:
    """Token transfers with logs, transfers that revert with a custom error (carol is not allowed),
    one that runs out of gas, plain value transfers from other senders, two contract creations, and
    calls that earn a storage refund and take it back (a negative refund)."""
    token = foundation.deposit_token
    nonces = {who.address: client.backend.get_nonce(who.address) for who in (A.admin, A.alice, A.bob)}
    refunder = None
    raws = []
    for index in range(count):
        kind = index % 5
        if index == 4:
            sender, to, data, value = (
                A.admin,
                None,
                bytes.fromhex("600a600c600039600a6000f3602a60005260206000f3"),
                0,
            )
        elif index == 9:
            sender, to, data, value = A.admin, None, REFUNDER_INITCODE, 0
            refunder = to_checksum_address(
                generate_contract_address(_canonical(A.admin), nonces[A.admin.address])
            )
        elif kind == 4 and refunder is not None:
            sender, to, data, value = A.admin, refunder, b"", 0
        elif kind in (0, 1, 4):
            sender, to, data, value = A.admin, token.address, token.transfer_data(A.bob.address, index + 1), 0
        elif kind == 2:
            sender, to, data, value = A.admin, token.address, token.transfer_data(A.carol.address, 1), 0
        else:
            sender = A.alice if index % 2 else A.bob
            to, data, value = A.carol.address, b"", 10**9 + index
        gas = 30_000 if index == 6 else None  # enough to start, not to finish: out of gas mid-way
        raws.append(_sign(sender, nonces[sender.address], to, data, value, gas))
        nonces[sender.address] += 1
    return raws


def _canonical(account: LocalAccount) -> Address:
    return Address(to_canonical_address(account.address))


def _copy_database(node: EmbeddedNode) -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    node._read_db.backup(copy)  # the committed chain
    return copy


def _decode(raws: Sequence[bytes]) -> list[SignedTransactionAPI]:
    return [PragueTransactionBuilder.decode(raw) for raw in raws]


@pytest.mark.parametrize("count", [1, 130])
def test_built_blocks_equal_py_evms_mine_all(world: tuple[ChainClient, Foundation], count: int) -> None:
    client, foundation = world
    node: EmbeddedNode = client.backend.node  # type: ignore[attr-defined]
    raws = _mixed_transactions(client, foundation, count)
    databases = [_copy_database(node), _copy_database(node)]
    chains = [
        chain_class(GENESIS, vm)(AtomicDB(SqliteKeyValueStore(db)))
        for db, vm in zip(databases, (EmbeddedVM, PragueVM), strict=True)
    ]
    for chain in chains:
        parent = chain.get_canonical_head()
        chain.header = chain.header.copy(timestamp=parent.timestamp + 12, mix_hash=keccak(parent.hash))

    fast = build_block(chains[0], _decode(raws))
    reference, receipts, _ = chains[1].mine_all(_decode(raws))
    expected = reference.imported_block

    assert len(fast.block.transactions) == count
    assert {receipt.state_root for receipt in receipts} == ({b"\x01", b""} if count > 2 else {b"\x01"})
    assert fast.block.header.state_root == expected.header.state_root
    assert fast.block.header.transaction_root == expected.header.transaction_root
    assert fast.block.header.receipt_root == expected.header.receipt_root
    assert fast.block.header == expected.header
    assert fast.block.hash == expected.hash
    assert fast.receipts == receipts
    assert chains[0].header == chains[1].header  # the next pending block too
    rows = [db.execute("SELECT key, value FROM kv ORDER BY key").fetchall() for db in databases]
    assert rows[0] == rows[1]
    # py-evm reads the block back from what was stored, transactions and receipts included.
    stored = chains[0].get_block_by_hash(fast.block.hash)
    assert stored.transactions == expected.transactions
    assert stored.get_receipts(chains[0].chaindb) == receipts
