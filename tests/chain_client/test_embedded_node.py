"""chain_client/embedded/node.py: durable storage, admission checks, group commit, indexes."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import to_canonical_address

from chain_client import ChainClient, TransactionRejected
from chain_client.backends import EmbeddedBackend
from chain_client.embedded.index import LogQuery
from chain_client.embedded.node import EmbeddedNode, Genesis
from tests.conftest import ACCOUNTS, CHAIN_ID

ADMIN = ACCOUNTS.admin
GENESIS = Genesis(chain_id=CHAIN_ID, alloc={to_canonical_address(ADMIN.address): 10**24})


def _transfer(nonce: int, *, chain_id: int = CHAIN_ID, gas: int = 21_000, value: int = 1) -> bytes:
    tx = {
        "type": 2,
        "chainId": chain_id,
        "nonce": nonce,
        "gas": gas,
        "maxFeePerGas": 4 * 10**9,
        "maxPriorityFeePerGas": 0,
        "to": ACCOUNTS.bob.address,
        "value": value,
    }
    return bytes(ADMIN.sign_transaction(tx).raw_transaction)


@pytest.fixture
def node(tmp_path: Path) -> EmbeddedNode:
    opened = EmbeddedNode(tmp_path / "chain.db", GENESIS)
    yield opened  # type: ignore[misc]
    opened.close()


def test_a_reopened_chain_is_identical(tmp_path: Path) -> None:
    path = tmp_path / "chain.db"
    with EmbeddedNode(path, GENESIS) as first:
        hashes = [first.send_raw_transaction(_transfer(nonce)) for nonce in range(20)]
        for tx_hash in hashes:
            first.wait_for_receipt(tx_hash, 10)
        head = first.get_block("latest")
        blocks = [first.get_block(number) for number in range(int(head["number"], 16) + 1)]
        balance = first.get_balance(to_canonical_address(ACCOUNTS.bob.address))
    with EmbeddedNode(path, GENESIS) as second:
        assert second.get_block("latest") == head
        assert [second.get_block(number) for number in range(len(blocks))] == blocks
        assert second.get_balance(to_canonical_address(ACCOUNTS.bob.address)) == balance == 20
        for tx_hash in hashes:
            assert second.get_receipt(tx_hash) is not None
        # and it goes on from there
        more = second.send_raw_transaction(_transfer(20))
        assert int(second.wait_for_receipt(more, 10)["blockNumber"], 16) == int(head["number"], 16) + 1


def test_a_chain_file_refuses_another_chain_id(tmp_path: Path) -> None:
    path = tmp_path / "chain.db"
    EmbeddedNode(path, GENESIS).close()
    with pytest.raises(ValueError, match="chain id"):
        EmbeddedNode(path, Genesis(chain_id=CHAIN_ID + 1))


def test_queued_transactions_share_blocks(node: EmbeddedNode) -> None:
    raws = [_transfer(nonce) for nonce in range(200)]
    # Hold the miner (as a long block would) while the queue fills, so the test does not depend on
    # how fast this machine sends compared to how fast it mines.
    with node._write_lock:
        hashes = [node.send_raw_transaction(raw) for raw in raws]
    blocks = {node.wait_for_receipt(tx_hash, 30)["blockNumber"] for tx_hash in hashes}
    assert len(blocks) <= 2, (
        "group commit puts what is queued into one block (the miner may hold one already)"
    )
    assert node.get_nonce(to_canonical_address(ADMIN.address)) == 200


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x02\xf0garbage", "malformed"),
        (_transfer(0, chain_id=CHAIN_ID + 1), "chain id"),
        (_transfer(64), "nonce too high"),
        (_transfer(0, gas=70_000_000), "block gas limit"),
        (_transfer(0, value=10**30), "insufficient funds"),
    ],
)
def test_bad_transactions_are_refused_and_nothing_changes(
    node: EmbeddedNode, raw: bytes, reason: str
) -> None:
    with pytest.raises(TransactionRejected, match=reason):
        node.send_raw_transaction(raw)
    assert node.block_number() == 0
    assert node.get_nonce(to_canonical_address(ADMIN.address), "pending") == 0


def test_a_replayed_transaction_is_refused(node: EmbeddedNode) -> None:
    raw = _transfer(0)
    node.wait_for_receipt(node.send_raw_transaction(raw), 10)
    with pytest.raises(TransactionRejected, match="already known"):
        node.send_raw_transaction(raw)


def test_the_log_index_answers_by_address_and_topic(node: EmbeddedNode) -> None:
    client = ChainClient(EmbeddedBackend(node, owns_node=False))
    result = client.deploy("Consortium", ADMIN, ADMIN.address)
    consortium = result.receipt.contract_address
    assert consortium is not None
    abi = client.abi("Consortium")
    for account in (ACCOUNTS.alice, ACCOUNTS.bob):
        client.transact(ADMIN, consortium, abi.encode_call("allowAccount", account.address))
    head = node.block_number()
    allowed = abi.event_topic("AccountAllowed")
    logs = node.get_logs(LogQuery(0, head, addresses=[to_canonical_address(consortium)], topics=[[allowed]]))
    assert [log["topics"][1][-40:] for log in logs] == [
        ACCOUNTS.alice.address[2:].lower(),
        ACCOUNTS.bob.address[2:].lower(),
    ]
    only_bob = [b"\x00" * 12 + to_canonical_address(ACCOUNTS.bob.address)]
    assert len(node.get_logs(LogQuery(0, head, topics=[[allowed], only_bob]))) == 1
    assert node.get_logs(LogQuery(0, head, addresses=[b"\x11" * 20])) == []


def test_snapshot_and_revert_restore_the_chain(node: EmbeddedNode) -> None:
    node.wait_for_receipt(node.send_raw_transaction(_transfer(0)), 10)
    snapshot = node.snapshot()
    head = node.get_block("latest")
    node.wait_for_receipt(node.send_raw_transaction(_transfer(1)), 10)
    node.revert(snapshot)
    assert node.get_block("latest") == head
    assert node.get_nonce(to_canonical_address(ADMIN.address)) == 1
    # the reverted transaction can be sent again
    node.wait_for_receipt(node.send_raw_transaction(_transfer(1)), 10)


def test_receipts_wait_for_the_commit(node: EmbeddedNode) -> None:
    tx_hash = node.send_raw_transaction(_transfer(0))
    receipt = node.wait_for_receipt(tx_hash, 10)
    assert receipt["status"] == "0x1"
    assert node.get_transaction(tx_hash)["hash"] == "0x" + tx_hash.hex()
    with pytest.raises(TransactionRejected, match="unknown transaction"):
        node.wait_for_receipt(b"\x12" * 32, 1)


def test_an_unfunded_sender_is_refused() -> None:
    stranger = Account.create()
    with EmbeddedNode(None, GENESIS) as node:
        raw = bytes(
            stranger.sign_transaction(
                {
                    "type": 2,
                    "chainId": CHAIN_ID,
                    "nonce": 0,
                    "gas": 21_000,
                    "maxFeePerGas": 2 * 10**9,
                    "maxPriorityFeePerGas": 0,
                    "to": ADMIN.address,
                    "value": 0,
                }
            ).raw_transaction
        )
        with pytest.raises(TransactionRejected, match="insufficient funds"):
            node.send_raw_transaction(raw)


def test_advancing_time_moves_the_next_block_forward(node: EmbeddedNode) -> None:
    before = int(node.get_block("latest")["timestamp"], 16)
    node.advance_time(3_600)
    after = node.get_block("latest")
    assert int(after["timestamp"], 16) >= before + 3_600
    assert after["transactions"] == []
    with pytest.raises(ValueError, match="forward"):
        node.advance_time(-1)
