"""chain_client/embedded/read_cache.py: calls on the node share trie lookups per root, and answer
exactly what py-evm's own state answers; a simulated write never leaks into a later read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from eth.abc import SignedTransactionAPI
from eth.db.atomic import AtomicDB
from eth.vm.spoof import SpoofTransaction
from eth_typing import Address
from eth_utils import to_canonical_address

from chain_client import ChainClient
from chain_client.backends import EmbeddedBackend
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import Foundation, deploy_foundation
from chain_client.embedded.chain import chain_class
from chain_client.embedded.node import CallRequest, EmbeddedNode, Genesis
from chain_client.embedded.store import SqliteKeyValueStore, open_database
from tests.conftest import ACCOUNTS, CHAIN_ID, GENESIS_TIME

GENESIS = Genesis(
    chain_id=CHAIN_ID,
    base_fee=0,
    alloc={to_canonical_address(ACCOUNTS.admin.address): 10**27},
    timestamp=GENESIS_TIME,
)


@pytest.fixture
def world() -> Iterator[tuple[EmbeddedNode, ChainClient, Foundation]]:
    node = EmbeddedNode(None, GENESIS, frozen_clock=True)
    client = ChainClient(EmbeddedBackend(node))
    foundation = deploy_foundation(client, ACCOUNTS.admin)
    foundation.consortium.grant_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.admin.address)
    for account in (ACCOUNTS.admin, ACCOUNTS.alice, ACCOUNTS.bob):
        foundation.consortium.allow_account(ACCOUNTS.admin, account.address)
    foundation.deposit_token.mint(ACCOUNTS.admin, ACCOUNTS.alice.address, 500, b"\x01" * 32)
    yield node, client, foundation
    client.close()


def _stock_call(node: EmbeddedNode, request: CallRequest) -> tuple[bytes, int]:
    """The same call on py-evm's own state (no shared lookups), on a connection of its own."""
    chain = chain_class(GENESIS)(AtomicDB(SqliteKeyValueStore(open_database(node.path))))
    vm = chain.get_vm(chain.get_canonical_head())
    with vm.in_costless_state() as state:
        unsigned = vm.create_unsigned_transaction(
            nonce=state.get_nonce(Address(request.sender)),
            gas_price=0,
            gas=GENESIS.gas_limit,
            to=Address(request.to or b""),
            value=0,
            data=request.data,
        )
        spoofed = cast(SignedTransactionAPI, SpoofTransaction(unsigned, from_=request.sender))
        computation = state.costless_execute_transaction(spoofed)
    return computation.output, GENESIS.gas_limit - computation.get_gas_remaining()


def test_calls_answer_as_py_evm_and_a_simulated_transfer_leaves_no_trace(
    world: tuple[EmbeddedNode, ChainClient, Foundation],
) -> None:
    node, _, foundation = world
    token = foundation.deposit_token
    alice = to_canonical_address(ACCOUNTS.alice.address)
    at = to_canonical_address(token.address)

    def balance(owner: str) -> CallRequest:
        return CallRequest(to=at, data=token.abi.encode_call("balanceOf", owner))

    transfer = CallRequest(to=at, sender=alice, data=token.transfer_data(ACCOUNTS.bob.address, 100))
    for block in range(3):
        # Simulate the transfer (it writes balances inside the call), twice, then read both balances:
        # the shared lookups must still answer the committed state, exactly as py-evm's own state does.
        _, gross = _stock_call(node, transfer)
        assert node.estimate_gas(transfer) == gross + gross // 8 + 10_000  # the same gas, EIP-2929 too
        assert node.estimate_gas(transfer) == gross + gross // 8 + 10_000
        for owner in (ACCOUNTS.alice.address, ACCOUNTS.bob.address):
            assert node.call(balance(owner)) == _stock_call(node, balance(owner))[0]
        assert int.from_bytes(node.call(balance(ACCOUNTS.bob.address)), "big") == 100 * block
        token.transfer(ACCOUNTS.alice, ACCOUNTS.bob.address, 100)  # a new block: new roots
    assert token.balance_of(ACCOUNTS.alice.address) == 200
