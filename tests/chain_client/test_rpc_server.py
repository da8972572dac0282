"""chain_client/embedded/rpc_server.py: ordinary Ethereum tools (web3.py's HTTPProvider) read the
embedded chain's history through the read-only endpoint; writes are refused."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractCustomError, Web3RPCError
from web3.logs import DISCARD

from chain_client import ChainClient
from chain_client.backends import EmbeddedBackend
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import Foundation, deploy_foundation
from chain_client.embedded.rpc_server import RpcServer
from tests.conftest import ACCOUNTS, open_embedded_client

REF = b"\x07" * 32


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[ChainClient, Foundation, Web3]]:
    client = open_embedded_client()
    foundation = deploy_foundation(client, ACCOUNTS.admin)
    consortium, token = foundation.consortium, foundation.deposit_token
    consortium.grant_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.admin.address)
    for account in (ACCOUNTS.admin, ACCOUNTS.alice):
        consortium.allow_account(ACCOUNTS.admin, account.address)
    token.mint(ACCOUNTS.admin, ACCOUNTS.alice.address, 500, REF)
    assert isinstance(client.backend, EmbeddedBackend)
    with RpcServer(client.backend.node, port=0) as server:
        yield client, foundation, Web3(HTTPProvider(server.url))
    client.close()


def test_web3_reads_chain_id_blocks_and_balances(world: tuple[ChainClient, Foundation, Web3]) -> None:
    client, _, w3 = world
    assert w3.eth.chain_id == client.chain_id
    assert w3.eth.block_number == client.block_number()
    latest = w3.eth.get_block("latest")
    assert latest["number"] == client.block_number()
    assert w3.eth.get_block(latest["hash"])["number"] == latest["number"]
    assert w3.eth.get_balance(ACCOUNTS.admin.address) == client.balance(ACCOUNTS.admin.address)


def test_web3_verifies_a_donation_like_receipt_by_hash(world: tuple[ChainClient, Foundation, Web3]) -> None:
    client, foundation, w3 = world
    minted = foundation.deposit_token.events("DepositMinted")[0]
    tx_hash = minted.log.transaction_hash
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    assert receipt["blockNumber"] == minted.log.block_number
    token = w3.eth.contract(address=foundation.deposit_token.address, abi=client.abi("DepositToken").entries)
    (event,) = token.events.DepositMinted().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["to"] == ACCOUNTS.alice.address
    assert event["args"]["amount"] == 500
    tx = w3.eth.get_transaction(tx_hash)
    assert tx["from"] == ACCOUNTS.admin.address
    assert (
        w3.eth.get_block(receipt["blockNumber"], full_transactions=True)["transactions"][0]["hash"] == tx_hash
    )


def test_web3_filters_logs_and_calls_contracts(world: tuple[ChainClient, Foundation, Web3]) -> None:
    client, foundation, w3 = world
    token = w3.eth.contract(address=foundation.deposit_token.address, abi=client.abi("DepositToken").entries)
    transfers = token.events.Transfer().get_logs(from_block=0)
    assert [entry["args"]["value"] for entry in transfers] == [500]
    assert token.functions.balanceOf(ACCOUNTS.alice.address).call() == 500
    assert w3.eth.get_code(foundation.deposit_token.address) != b""


def test_a_reverting_call_carries_its_custom_error(world: tuple[ChainClient, Foundation, Web3]) -> None:
    client, foundation, w3 = world
    token = w3.eth.contract(address=foundation.deposit_token.address, abi=client.abi("DepositToken").entries)
    with pytest.raises(ContractCustomError) as raised:
        token.functions.mint(ACCOUNTS.alice.address, 1, REF).call({"from": ACCOUNTS.alice.address})
    decoded = client.decode_revert_data(bytes.fromhex(str(raised.value.data)[2:]))
    assert decoded.error_name == "DepositTokenUnauthorized"


@pytest.mark.parametrize(
    "method", ["eth_sendTransaction", "eth_sign", "eth_signTypedData_v4", "personal_sign"]
)
def test_the_node_never_signs(world: tuple[ChainClient, Foundation, Web3], method: str) -> None:
    _, _, w3 = world
    provider = w3.provider
    assert isinstance(provider, HTTPProvider)
    request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": [{}]}
    error = httpx.post(str(provider.endpoint_uri), json=request).json()["error"]
    assert error["code"] == -32601
    assert "never signs" in error["message"]


def test_a_malformed_raw_transaction_is_refused(world: tuple[ChainClient, Foundation, Web3]) -> None:
    _, _, w3 = world
    with pytest.raises(Web3RPCError, match="invalid transaction"):
        w3.eth.send_raw_transaction(b"\x02" + b"\x00" * 10)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": ["0x12", "latest"]}, -32602),
        ({"jsonrpc": "2.0", "id": 1, "method": "eth_noSuchMethod", "params": []}, -32601),
        (
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "eth_getLogs",
                "params": [{"fromBlock": "0x1", "toBlock": "0x1", "blockHash": "0x" + "00" * 32}],
            },
            -32602,
        ),
        ({"id": 1, "method": "eth_chainId"}, -32600),
    ],
)
def test_bad_requests_get_json_rpc_errors(
    world: tuple[ChainClient, Foundation, Web3], payload: dict[str, object], code: int
) -> None:
    _, _, w3 = world
    provider = w3.provider
    assert isinstance(provider, HTTPProvider)
    answer = httpx.post(str(provider.endpoint_uri), json=payload).json()
    assert answer["error"]["code"] == code


def test_batches_are_answered_in_order(world: tuple[ChainClient, Foundation, Web3]) -> None:
    client, _, w3 = world
    provider = w3.provider
    assert isinstance(provider, HTTPProvider)
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "eth_blockNumber", "params": []},
    ]
    answers = httpx.post(str(provider.endpoint_uri), json=batch).json()
    assert [answer["id"] for answer in answers] == [1, 2]
    assert int(answers[0]["result"], 16) == client.chain_id
