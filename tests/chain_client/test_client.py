"""chain_client/client.py over every backend: refused sends, failed waits, time, events."""

from __future__ import annotations

import pytest

from chain_client import ChainClient, ContractReverted, TransactionRejected
from chain_client.deploy import Foundation
from tests.conftest import Accounts


def test_a_send_the_node_refuses_raises_and_changes_nothing(chain: ChainClient, accounts: Accounts) -> None:
    nonce = chain.backend.get_nonce(accounts.outsider.address)
    balance = chain.balance(accounts.outsider.address)
    with pytest.raises(TransactionRejected, match=r"(?i)insufficient funds"):
        chain.submit(accounts.outsider, accounts.bob.address, value=balance * 2, gas=21_000)
    assert chain.backend.get_nonce(accounts.outsider.address) == nonce
    assert chain.balance(accounts.outsider.address) == balance


def test_a_reverting_write_is_named_before_anything_is_sent(
    chain: ChainClient, foundation: Foundation, accounts: Accounts
) -> None:
    nonce = chain.backend.get_nonce(accounts.alice.address)
    head = chain.block_number()
    with pytest.raises(ContractReverted) as raised:
        foundation.deposit_token.mint(accounts.alice, accounts.alice.address, 1, b"\x01" * 32)
    assert raised.value.error_name == "DepositTokenUnauthorized"
    assert chain.backend.get_nonce(accounts.alice.address) == nonce
    assert chain.block_number() == head


def test_a_transaction_that_fails_once_mined_is_named_too(
    chain: ChainClient, foundation: Foundation, accounts: Accounts
) -> None:
    token = foundation.deposit_token
    data = token.abi.encode_call("mint", accounts.alice.address, 1, b"\x01" * 32)
    pending = chain.submit(accounts.alice, token.address, data, gas=200_000)  # no simulation: gas given
    with pytest.raises(ContractReverted) as raised:
        pending.wait()
    assert raised.value.error_name == "DepositTokenUnauthorized"
    assert token.total_supply() == 0


def test_time_moves_forward_on_every_backend(chain: ChainClient) -> None:
    before = chain.backend.get_block("latest")
    assert before is not None
    chain.backend.advance_time(86_400)
    after = chain.backend.get_block("latest")
    assert after is not None
    assert after.timestamp >= before.timestamp + 86_400
    assert after.number == before.number + 1


def test_events_are_found_by_name_over_a_range(
    chain: ChainClient, foundation: Foundation, accounts: Accounts
) -> None:
    first = chain.block_number() + 1
    foundation.consortium.allow_account(accounts.bank, accounts.carol.address)
    foundation.consortium.allow_account(accounts.bank, accounts.outsider.address)
    events = foundation.consortium.events("AccountAllowed", from_block=first)
    assert [event["account"] for event in events] == [accounts.carol.address, accounts.outsider.address]
    assert foundation.consortium.events("AccountDisallowed", from_block=first) == []
