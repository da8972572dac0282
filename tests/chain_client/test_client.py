"""chain_client/client.py over every backend: refused sends, failed waits, time, events."""

from __future__ import annotations

import time
from typing import Any

import pytest
from eth_typing import ChecksumAddress

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


def test_a_pipelined_failure_behind_another_transaction_is_named(
    chain: ChainClient, foundation: Foundation, accounts: Accounts
) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 10, b"\x02" * 32)
    data = token.transfer_data(accounts.bob.address, 10)
    first = chain.submit(accounts.alice, token.address, data, gas=200_000)
    second = chain.submit(accounts.alice, token.address, data, gas=200_000)  # spends what the first took
    first.wait()
    with pytest.raises(ContractReverted) as raised:
        second.wait()
    assert raised.value.error_name == "ERC20InsufficientBalance"
    assert raised.value.args == (accounts.alice.address, 0, 10)
    assert token.balance_of(accounts.bob.address) == 10


def test_a_stale_cached_base_fee_is_refreshed_and_the_send_retried(
    chain: ChainClient, accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send priced on a cached base fee the chain has since outgrown (a burst of full blocks, a reverted
    chain) is refused by the node; the client reads the fee afresh and sends again, once."""
    assert chain.backend.next_base_fee() > 0  # both test chains charge a base fee (EIP-1559)
    reads: list[int] = []
    read_fee = chain.backend.next_base_fee

    def counted() -> int:
        reads.append(1)
        return read_fee()

    monkeypatch.setattr(chain.backend, "next_base_fee", counted)
    # A fee of zero cached "an hour from now": it cannot expire during the test however slow the machine.
    monkeypatch.setattr(chain, "_fee_cache", (time.monotonic() + 3600, 0))
    before = chain.balance(accounts.bob.address)
    chain.send_value(accounts.alice, accounts.bob.address, 1)
    assert chain.balance(accounts.bob.address) == before + 1
    assert reads == [1]  # refused on the stale fee, refreshed once, sent


@pytest.mark.parametrize(
    ("to", "data", "value"),
    [
        ("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", bytes.fromhex("a9059cbb") + bytes(64), 0),
        (None, bytes.fromhex("6080604052"), 0),
        ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", b"", 10**18 + 7),
    ],
)
def test_transactions_are_signed_as_eth_account_signs_them(
    chain: ChainClient, accounts: Accounts, to: ChecksumAddress | None, data: bytes, value: int
) -> None:
    fields: dict[str, Any] = {
        "type": 2,
        "chainId": chain.chain_id,
        "nonce": 41,
        "gas": 90_000,
        "maxFeePerGas": 3 * 10**9,
        "maxPriorityFeePerGas": 0,
        "value": value,
        "data": data,
    }
    if to is not None:
        fields["to"] = to
    expected = bytes(accounts.alice.sign_transaction(fields).raw_transaction)
    signed = chain.sign_transaction(
        accounts.alice,
        to,
        data,
        nonce=41,
        gas=90_000,
        max_fee=3 * 10**9,
        value=value,
    )
    assert signed == expected
