"""chain_client/embedded/rpc_api.py: every read method a verifying tool uses, through web3.py and raw
JSON-RPC, each answer valid under the execution-apis schemas; block tags; the edges where the
specification leaves a choice; filters as tools poll them; signed transactions admitted, signing refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from eth_utils import keccak, to_canonical_address
from web3 import HTTPProvider, Web3

from chain_client import ChainClient, ContractReverted
from chain_client.backends import JsonRpcBackend
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import Foundation, deploy_foundation
from chain_client.embedded.node import EmbeddedNode, Genesis
from chain_client.embedded.rpc_api import WAIT_FOR_RECEIPT, EthRpc
from chain_client.embedded.rpc_server import RpcServer
from tests.chain_client.rpc_schema import schema_errors, spec_methods
from tests.conftest import ACCOUNTS, CHAIN_ID

REF = b"\x07" * 32


@dataclass
class Endpoint:
    node: EmbeddedNode
    client: ChainClient
    foundation: Foundation
    url: str
    w3: Web3
    mint: bytes
    transfer: bytes
    reverted: bytes
    empty_block: int

    def ask(self, method: str, *params: Any) -> dict[str, Any]:
        """The raw answer; a result is checked against the specification's schema for ``method``."""
        answer: dict[str, Any] = httpx.post(
            self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        ).json()
        if "result" in answer and method in spec_methods():
            assert not schema_errors(method, answer["result"]), schema_errors(method, answer["result"])
        return answer

    def result(self, method: str, *params: Any) -> Any:
        answer = self.ask(method, *params)
        assert "result" in answer, answer
        return answer["result"]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    genesis = Genesis(
        chain_id=CHAIN_ID, base_fee=0, alloc={to_canonical_address(ACCOUNTS.admin.address): 10**24}
    )
    with EmbeddedNode(None, genesis) as node, RpcServer(node, port=0) as server:
        client = ChainClient(JsonRpcBackend(server.url))
        foundation = deploy_foundation(client, ACCOUNTS.admin)
        consortium, token = foundation.consortium, foundation.deposit_token
        consortium.grant_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.admin.address)
        for account in (ACCOUNTS.admin, ACCOUNTS.alice, ACCOUNTS.bob):
            consortium.allow_account(ACCOUNTS.admin, account.address)
        mint = token.mint(ACCOUNTS.admin, ACCOUNTS.alice.address, 500, REF).tx_hash
        transfer = token.transfer(ACCOUNTS.alice, ACCOUNTS.bob.address, 20).tx_hash
        data = token.abi.encode_call("mint", ACCOUNTS.bob.address, 1, keccak(text="not a bank"))
        pending = client.submit(ACCOUNTS.bob, token.address, data, gas=150_000)
        with pytest.raises(ContractReverted, match="DepositTokenUnauthorized"):
            pending.wait()
        node.advance_time(1)
        yield Endpoint(
            node,
            client,
            foundation,
            server.url,
            Web3(HTTPProvider(server.url)),
            mint,
            transfer,
            pending.tx_hash,
            node.block_number(),
        )


def test_the_node_answers_every_read_method_of_the_specification(endpoint: Endpoint) -> None:
    answered = set(EthRpc(endpoint.node).methods)
    not_offered = {
        "eth_getBlockAccessList",  # EIP-7928, not in Prague
        "eth_config",  # EIP-7910 fork configuration: not offered
        "eth_capabilities",
        "eth_getProof",
        "eth_createAccessList",
        "eth_simulateV1",
        "eth_newPendingTransactionFilter",
        "eth_sendTransaction",  # the node never signs
        "eth_sign",
        "eth_signTransaction",
    }
    assert set(spec_methods()) - answered == not_offered & set(spec_methods())
    for method in sorted(not_offered - {"eth_sendTransaction", "eth_sign", "eth_signTransaction"}):
        assert endpoint.ask(method)["error"]["code"] == -32601


def test_web3_reads_counts_transactions_by_position_receipts_and_fee_history(endpoint: Endpoint) -> None:
    w3 = endpoint.w3
    receipt = w3.eth.get_transaction_receipt(endpoint.transfer)
    block = receipt["blockNumber"]
    assert w3.eth.get_block_transaction_count(block) == 1
    assert w3.eth.get_block_transaction_count(receipt["blockHash"]) == 1
    assert w3.eth.get_transaction_by_block(block, 0)["hash"] == endpoint.transfer
    assert w3.eth.get_transaction_by_block(receipt["blockHash"], 0)["hash"] == endpoint.transfer
    (only,) = w3.eth.get_block_receipts(block)
    assert only["transactionHash"] == endpoint.transfer
    history = w3.eth.fee_history(4, "latest", [25, 75])
    assert history["oldestBlock"] == w3.eth.block_number - 3
    assert history["baseFeePerGas"] == [0] * 5  # free gas: zero, and it stays zero
    assert len(history["reward"]) == 4
    assert all(0 < ratio < 1 for ratio in history["gasUsedRatio"][:-1])
    assert w3.eth.syncing is False
    assert w3.eth.accounts == []
    assert w3.eth.gas_price == 0
    assert w3.eth.max_priority_fee == 0


def test_block_tags_on_a_chain_with_immediate_finality(endpoint: Endpoint) -> None:
    latest = endpoint.result("eth_getBlockByNumber", "latest", False)
    for tag in ("safe", "finalized", "pending"):
        assert endpoint.result("eth_getBlockByNumber", tag, False) == latest
    assert endpoint.result("eth_getBlockByNumber", "earliest", False)["number"] == "0x0"
    admin = ACCOUNTS.admin.address
    assert endpoint.result("eth_getTransactionCount", admin, "pending") == endpoint.result(
        "eth_getTransactionCount", admin, "latest"
    )


def test_the_edges_are_answered_as_geth_and_anvil_do(endpoint: Endpoint) -> None:
    head = endpoint.node.block_number()
    past = hex(head + 5)
    for method, params in (
        ("eth_getBlockByNumber", [past, False]),
        ("eth_getBlockReceipts", [past]),
        ("eth_getBlockTransactionCountByNumber", [past]),
        ("eth_getTransactionByBlockNumberAndIndex", [past, "0x0"]),
        ("eth_getBlockByHash", ["0x" + "11" * 32, False]),
        ("eth_getTransactionByHash", ["0x" + "11" * 32]),
        ("eth_getTransactionReceipt", ["0x" + "11" * 32]),
        ("eth_getTransactionByBlockNumberAndIndex", ["0x1", "0x9"]),
    ):
        assert endpoint.result(method, *params) is None, method
    all_logs = endpoint.result("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest"})
    assert endpoint.result("eth_getLogs", {"fromBlock": "0x0", "toBlock": hex(head + 1_000)}) == all_logs
    assert endpoint.result("eth_getLogs", {"fromBlock": hex(head), "toBlock": "0x1"}) == []
    assert endpoint.result("eth_getLogs", {"fromBlock": past}) == []
    conflicting = {"blockHash": "0x" + "11" * 32, "fromBlock": "0x1"}
    assert endpoint.ask("eth_getLogs", conflicting)["error"]["code"] == -32602
    assert endpoint.ask("eth_getLogs", {"blockHash": "0x" + "11" * 32})["error"]["message"] == "unknown block"
    assert endpoint.ask("eth_getLogs", {"topics": [None] * 5})["error"]["code"] == -32602
    assert endpoint.ask("eth_getBalance", ACCOUNTS.alice.address, past)["error"] == {
        "code": -32000,
        "message": "header not found",
    }
    block = endpoint.result("eth_getBlockByNumber", hex(endpoint.empty_block), True)
    assert block["transactions"] == []
    assert endpoint.result("eth_getBlockReceipts", block["hash"]) == []


def test_state_and_calls_at_any_block(endpoint: Endpoint) -> None:
    token = endpoint.foundation.deposit_token
    receipt = endpoint.client.backend.get_receipt(endpoint.mint)
    assert receipt is not None
    before, after = hex(receipt.block_number - 1), hex(receipt.block_number)
    balance_of = "0x" + token.abi.encode_call("balanceOf", ACCOUNTS.alice.address).hex()
    call = {"to": token.address, "data": balance_of}
    assert int(endpoint.result("eth_call", call, before), 16) == 0
    assert int(endpoint.result("eth_call", call, after), 16) == 500
    assert int(endpoint.result("eth_call", call, {"blockHash": "0x" + receipt.block_hash.hex()}), 16) == 500
    assert (
        int(endpoint.result("eth_call", {**call, "input": balance_of, "data": balance_of}, after), 16) == 500
    )
    mismatched = {**call, "input": "0x00"}
    assert endpoint.ask("eth_call", mismatched, after)["error"]["code"] == -32602
    assert int(endpoint.result("eth_estimateGas", call, before), 16) > 21_000
    assert endpoint.result("eth_getCode", token.address, "0x0") == "0x"
    assert len(endpoint.result("eth_getCode", token.address, "latest")) > 1_000
    storage = endpoint.result("eth_getStorageValues", {token.address: ["0x0", "0x2"]}, "latest")
    assert storage[token.address] == [
        endpoint.result("eth_getStorageAt", token.address, slot, "latest") for slot in ("0x0", "0x2")
    ]
    assert endpoint.result("web3_sha3", "0x68656c6c6f") == "0x" + keccak(b"hello").hex()
    assert endpoint.result("net_peerCount") == "0x0"


def test_log_and_block_filters_are_polled_as_ethers_and_viem_poll_them(endpoint: Endpoint) -> None:
    token = endpoint.foundation.deposit_token
    w3 = endpoint.w3
    log_filter = w3.eth.filter({"address": token.address, "fromBlock": "0x0"})
    block_filter = w3.eth.filter("latest")
    head = w3.eth.block_number
    assert log_filter.get_new_entries() == []  # no replay of history: changes since installation (geth)
    first = token.transfer(ACCOUNTS.alice, ACCOUNTS.bob.address, 1)
    second = token.transfer(ACCOUNTS.bob, ACCOUNTS.alice.address, 1)
    entries = log_filter.get_new_entries()
    assert [entry["transactionHash"] for entry in entries] == [first.tx_hash, second.tx_hash]
    assert log_filter.get_new_entries() == []  # each change is reported once
    assert len(block_filter.get_new_entries()) == w3.eth.block_number - head
    everything = log_filter.get_all_entries()  # eth_getFilterLogs: the filter's whole range
    assert len(everything) >= 4
    assert w3.eth.uninstall_filter(log_filter.filter_id) is True
    assert w3.eth.uninstall_filter(log_filter.filter_id) is False
    assert (
        endpoint.ask("eth_getFilterChanges", log_filter.filter_id)["error"]["message"] == "filter not found"
    )
    assert endpoint.ask("eth_getFilterLogs", block_filter.filter_id)["error"]["message"] == "filter not found"
    bounded = endpoint.result(
        "eth_newFilter", {"fromBlock": "0x0", "toBlock": "0x1", "address": token.address}
    )
    token.transfer(ACCOUNTS.alice, ACCOUNTS.bob.address, 1)
    assert endpoint.result("eth_getFilterChanges", bounded) == []  # the new logs are past its toBlock
    assert endpoint.ask("eth_newFilter", {"topics": "nonsense"})["error"]["code"] == -32602


def test_a_raw_transaction_signed_with_web3_is_admitted(endpoint: Endpoint) -> None:
    w3 = endpoint.w3
    sender = ACCOUNTS.alice
    before = w3.eth.get_balance(ACCOUNTS.carol.address)
    signed = sender.sign_transaction(
        {
            "type": 2,
            "chainId": CHAIN_ID,
            "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
            "gas": 21_000,
            "maxFeePerGas": 0,  # free gas
            "maxPriorityFeePerGas": 0,
            "to": ACCOUNTS.carol.address,
            "value": 0,
        }
    )
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1
    assert w3.eth.get_balance(ACCOUNTS.carol.address) == before


def test_refusals_carry_the_standard_message_and_code(endpoint: Endpoint) -> None:
    w3 = endpoint.w3
    sender = ACCOUNTS.alice
    nonce = w3.eth.get_transaction_count(sender.address, "pending")
    stale = sender.sign_transaction(
        {
            "type": 2,
            "chainId": CHAIN_ID,
            "nonce": 0,
            "gas": 21_000,
            "maxFeePerGas": 0,
            "maxPriorityFeePerGas": 0,
            "to": sender.address,
        }
    )
    error = endpoint.ask("eth_sendRawTransaction", "0x" + stale.raw_transaction.hex())["error"]
    assert error["code"] == -32000
    assert error["message"].startswith("nonce too low")
    assert w3.eth.get_transaction_count(sender.address, "pending") == nonce


def _signed_transfer(nonce: int) -> str:
    signed = ACCOUNTS.carol.sign_transaction(
        {
            "type": 2,
            "chainId": CHAIN_ID,
            "nonce": nonce,
            "gas": 21_000,
            "maxFeePerGas": 0,
            "maxPriorityFeePerGas": 0,
            "to": ACCOUNTS.alice.address,
            "value": 0,
        }
    )
    return "0x" + signed.raw_transaction.hex()


def test_waiting_for_a_receipt_answers_it_once_its_block_is_committed(endpoint: Endpoint) -> None:
    endpoint.foundation.consortium.allow_account(ACCOUNTS.admin, ACCOUNTS.carol.address)
    nonce = int(endpoint.result("eth_getTransactionCount", ACCOUNTS.carol.address, "pending"), 16)
    # A nonce ahead of the next is held, never mined while the gap is open: the wait times out, null.
    held = endpoint.result("eth_sendRawTransaction", _signed_transfer(nonce + 1))
    assert endpoint.result(WAIT_FOR_RECEIPT, held, "0x1") is None
    # The gap filled, both are mined; each wait answers exactly eth_getTransactionReceipt's receipt.
    first = endpoint.result("eth_sendRawTransaction", _signed_transfer(nonce))
    for tx_hash in (first, held):
        receipt = endpoint.result(WAIT_FOR_RECEIPT, tx_hash, "0x7530")
        assert receipt is not None
        assert receipt["status"] == "0x1"
        assert receipt == endpoint.result("eth_getTransactionReceipt", tx_hash)


def test_waiting_for_an_unknown_transaction_is_an_error(endpoint: Endpoint) -> None:
    error = endpoint.ask(WAIT_FOR_RECEIPT, "0x" + "12" * 32, "0x3e8")["error"]
    assert error["code"] == -32000
    assert error["message"].startswith("unknown transaction")
    assert endpoint.ask(WAIT_FOR_RECEIPT, "0x12", "0x3e8")["error"]["code"] == -32602


def test_chain_client_waits_on_the_node_instead_of_polling(endpoint: Endpoint) -> None:
    backend = JsonRpcBackend(endpoint.url)
    client = ChainClient(backend)
    token = endpoint.foundation.deposit_token
    pending = client.submit(ACCOUNTS.alice, token.address, token.transfer_data(ACCOUNTS.bob.address, 1))
    asked: list[str] = []
    request = backend.request

    def spy(method: str, *params: Any) -> Any:
        asked.append(method)
        return request(method, *params)

    backend.request = spy  # type: ignore[method-assign]
    receipt = pending.wait()
    assert receipt.succeeded
    assert asked == [WAIT_FOR_RECEIPT]  # one request, answered when the block was durable
    assert receipt == backend.get_receipt(pending.tx_hash)
