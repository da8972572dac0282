"""chain_client/embedded/rpc_api.py against anvil: the same transactions applied to both (through the
product's own flows), then every read method asked the same questions, edge requests included; the
answers must be equal field by field, except the differences listed in :data:`DIFFERENCES`, each with its
reason. Every answer of the embedded node is also validated against the execution-apis schemas.

Both chains start from the same state (chain id 1337, gas limit 60M, base fee 0 that stays 0, the admin
with 10,000 ether) and every transaction is mined in its own block on both, so transaction hashes,
contract addresses, gas, logs, balances, storage and code are the same; only what each node derives from
its own clock and block-building choices differs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak, to_canonical_address

from chain_client import ChainClient
from chain_client.anvil import start_anvil
from chain_client.backends import JsonRpcBackend
from chain_client.embedded.node import EmbeddedNode, Genesis
from chain_client.embedded.rpc_server import RpcServer
from tests.chain_client.rpc_history import ADMIN_BALANCE, History, MirroredBackend, build_history, rpc
from tests.chain_client.rpc_schema import schema_errors, spec_methods
from tests.conftest import ACCOUNTS, CHAIN_ID

pytestmark = pytest.mark.anvil

DIFFERENCES: dict[str, str] = {
    # ---- derived from each node's own clock
    "timestamp": "blocks are stamped by each node's clock when it mines them",
    "blockTimestamp": "the block's timestamp, repeated on transactions, receipts and logs (anvil also writes "
    "it as a JSON number in receipts, against the specification's hex quantity)",
    # ---- block-building choices of each node
    "stateRoot": "anvil does not commit its genesis accounts to a state trie (its genesis stateRoot is the "
    "empty trie) and stores the Prague system contracts' storage per block differently, so every root differs",
    "mixHash": "prevrandao: the embedded node derives it from the parent hash (reproducible blocks), anvil "
    "writes zero",
    "extraData": "the embedded node names itself in its genesis block ('welfare-aid-ledger'); anvil writes none",
    "size": "the encoded block's size, which includes extraData",
    "parentBeaconBlockRoot": "anvil writes a zero root, the embedded node the EIP-4788 root py-evm derives",
    "gasLimit@0": "the genesis gas limit: both run 60M blocks, anvil reports its own genesis default",
    # ---- fields one node adds
    "blobGasPrice": "anvil adds the blob gas price to every receipt; the specification's receipt has no such "
    "field for non-blob transactions and this chain carries no blobs",
    # ---- estimates and suggestions
    "eth_estimateGas": "the embedded node executes once and adds headroom (an eighth and 10,000 gas) for the "
    "63/64 rule; anvil bisects to the exact minimum. Both estimates suffice (checked below)",
    "eth_gasPrice": "the free-gas ledger suggests the base fee and no tip (0); anvil suggests a 1 gwei tip",
    "eth_maxPriorityFeePerGas": "as eth_gasPrice: no tip on the free-gas ledger, 1 gwei on anvil",
    "safe/finalized": "a committed block here is final (one sequencer, no forks), so 'safe' and 'finalized' "
    "are the head; anvil imitates beacon-chain finality with the block 32 ('safe') and 64 ('finalized') "
    "behind the head",
    "eth_getBlockByNumber(pending)": "the embedded node answers the head block (a single sequencer mines what "
    "it admits within milliseconds); anvil builds a pending block",
    "block-past-head-state": "a state read at a block past the head is an error on both; geth's 'header not "
    "found' (-32000) here, anvil's BlockOutOfRangeError (-32602)",
    "count-past-head": "eth_getBlockTransactionCountByNumber past the head: null here (as geth), an error on anvil",
    "logs-past-head": "eth_getLogs wholly past the head: [] here (an empty range, as for any range past the "
    "head), an error on anvil",
    "filter-ids": "filter ids are random on both nodes",
}
"""The documented differences: field names (compared nowhere) and named requests (compared as stated)."""

IGNORED_FIELDS = {
    "timestamp",
    "blockTimestamp",
    "stateRoot",
    "mixHash",
    "extraData",
    "size",
    "parentBeaconBlockRoot",
    "blobGasPrice",
}


@dataclass
class Twins:
    history: History
    embedded: JsonRpcBackend
    anvil: JsonRpcBackend
    hashes: dict[str, list[str]]
    """Each node's block hashes by number."""


@pytest.fixture(scope="module")
def twins() -> Iterator[Twins]:
    genesis = Genesis(
        chain_id=CHAIN_ID, base_fee=0, alloc={to_canonical_address(ACCOUNTS.admin.address): ADMIN_BALANCE}
    )
    with (
        start_anvil(chain_id=CHAIN_ID, base_fee=0) as anvil,
        EmbeddedNode(None, genesis) as node,
        RpcServer(node, port=0) as server,
    ):
        mirror = JsonRpcBackend(anvil.url)
        client = ChainClient(MirroredBackend(server.url, node, mirror))
        history = build_history(client, node, mirror)
        embedded = JsonRpcBackend(server.url)
        head = history.head
        assert int(mirror.request("eth_blockNumber"), 16) == head, (
            "both chains have one block per transaction"
        )
        hashes = {
            name: [backend.request("eth_getBlockByNumber", hex(n), False)["hash"] for n in range(head + 1)]
            for name, backend in (("embedded", embedded), ("anvil", mirror))
        }
        yield Twins(history, embedded, mirror, hashes)


# ---------------------------------------------------------------------- asking and comparing


@dataclass(frozen=True)
class BlockHash:
    """A placeholder for block ``number``'s hash, which differs between the nodes."""

    number: int


def _resolve(value: Any, hashes: list[str]) -> Any:
    if isinstance(value, BlockHash):
        return hashes[value.number]
    if isinstance(value, list):
        return [_resolve(item, hashes) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, hashes) for key, item in value.items()}
    return value


def _normalise(value: Any, hashes: list[str], key: str = "") -> Any:
    """Block hashes become ``<block N>``; ignored fields go; addresses compare case-insensitively."""
    if isinstance(value, dict):
        return {
            name: _normalise(item, hashes, name)
            for name, item in value.items()
            if name not in IGNORED_FIELDS and not (name == "gasLimit" and value.get("number") == "0x0")
        }
    if isinstance(value, list):
        return [_normalise(item, hashes, key) for item in value]
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in hashes:
            return f"<block {hashes.index(lowered)}>"
        if key in ("from", "to", "address", "contractAddress", "miner") or (
            len(value) == 42 and value.startswith("0x")
        ):
            return lowered
    return value


def _ask(twins: Twins, method: str, *params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    embedded = rpc(twins.embedded, method, *_resolve(list(params), twins.hashes["embedded"]))
    anvil = rpc(twins.anvil, method, *_resolve(list(params), twins.hashes["anvil"]))
    if "result" in embedded and method in spec_methods():
        assert not schema_errors(method, embedded["result"]), schema_errors(method, embedded["result"])
    return embedded, anvil


def _same(twins: Twins, method: str, *params: Any) -> Any:
    embedded, anvil = _ask(twins, method, *params)
    assert ("error" in embedded) == ("error" in anvil), (method, params, embedded, anvil)
    if "error" in embedded:
        return None
    ours = _normalise(embedded["result"], [h.lower() for h in twins.hashes["embedded"]])
    theirs = _normalise(anvil["result"], [h.lower() for h in twins.hashes["anvil"]])
    assert ours == theirs, (method, params, _first_difference(ours, theirs))
    return embedded["result"]


def _first_difference(ours: Any, theirs: Any, path: str = "") -> str:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if ours.get(key, "<absent>") != theirs.get(key, "<absent>"):
                return _first_difference(
                    ours.get(key, "<absent>"), theirs.get(key, "<absent>"), f"{path}.{key}"
                )
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for index, (left, right) in enumerate(zip(ours, theirs, strict=True)):
            if left != right:
                return _first_difference(left, right, f"{path}[{index}]")
    return f"{path}: embedded {str(ours)[:200]} / anvil {str(theirs)[:200]}"


# ---------------------------------------------------------------------- the questions


def _sample_blocks(twins: Twins) -> list[int]:
    """Every block of interest (genesis, the release, the transfer, the revert, the empty block, the head) and
    every seventh: each shape of block the history has, at a fraction of the cost of asking about all."""
    backend = twins.history.client.backend
    special = {0, 1, twins.history.empty_block, twins.history.head}
    for tx_hash in (twins.history.release, twins.history.transfer, twins.history.reverted):
        receipt = backend.get_receipt(tx_hash)
        assert receipt is not None
        special.add(receipt.block_number)
    return sorted(special | set(range(0, twins.history.head + 1, 7)))


def _sample_transactions(twins: Twins) -> list[bytes]:
    history = twins.history
    special = [history.release, history.transfer, history.reverted]
    return special + [tx for tx in history.transactions[::5] if tx not in special]


def test_blocks_by_every_selector_are_the_same(twins: Twins) -> None:
    head = twins.history.head
    for number in _sample_blocks(twins):
        for full in (False, True):
            _same(twins, "eth_getBlockByNumber", hex(number), full)
            _same(twins, "eth_getBlockByHash", BlockHash(number), full)
        _same(twins, "eth_getBlockTransactionCountByNumber", hex(number))
        _same(twins, "eth_getBlockTransactionCountByHash", BlockHash(number))
        _same(twins, "eth_getBlockReceipts", hex(number))
        _same(twins, "eth_getBlockReceipts", BlockHash(number))
        _same(twins, "eth_getUncleCountByBlockNumber", hex(number))
    for tag in ("latest", "earliest"):
        _same(twins, "eth_getBlockByNumber", tag, False)
        _same(twins, "eth_getBlockReceipts", tag)
    for tag, behind in (("safe", 32), ("finalized", 64)):
        ours, theirs = _ask(twins, "eth_getBlockByNumber", tag, False)
        assert int(ours["result"]["number"], 16) == head, DIFFERENCES["safe/finalized"]
        assert int(theirs["result"]["number"], 16) == max(head - behind, 0), DIFFERENCES["safe/finalized"]
    assert _same(twins, "eth_getBlockByNumber", hex(head + 10), False) is None  # past the head: null on both
    assert _same(twins, "eth_getBlockByHash", "0x" + "ab" * 32, False) is None
    assert _same(twins, "eth_getBlockReceipts", hex(head + 10)) is None
    assert _same(twins, "eth_getBlockReceipts", "0x" + "ab" * 32) is None
    empty = _same(twins, "eth_getBlockByNumber", hex(twins.history.empty_block), True)
    assert empty["transactions"] == []
    assert _same(twins, "eth_blockNumber") == hex(head)


def test_transactions_and_receipts_by_every_selector_are_the_same(twins: Twins) -> None:
    for tx_hash in _sample_transactions(twins):
        tx = _same(twins, "eth_getTransactionByHash", "0x" + tx_hash.hex())
        number, index = tx["blockNumber"], tx["transactionIndex"]
        _same(twins, "eth_getTransactionReceipt", "0x" + tx_hash.hex())
        _same(twins, "eth_getTransactionByBlockNumberAndIndex", number, index)
        _same(twins, "eth_getTransactionByBlockHashAndIndex", BlockHash(int(number, 16)), index)
    reverted = _same(twins, "eth_getTransactionReceipt", "0x" + twins.history.reverted.hex())
    assert reverted["status"] == "0x0"
    assert _same(twins, "eth_getTransactionByHash", "0x" + "cd" * 32) is None
    assert _same(twins, "eth_getTransactionReceipt", "0x" + "cd" * 32) is None
    assert _same(twins, "eth_getTransactionByBlockNumberAndIndex", "0x1", "0x63") is None


def test_logs_and_their_edge_requests_are_the_same(twins: Twins) -> None:
    head = twins.history.head
    token, escrow = twins.history.addresses["token"], twins.history.addresses["escrow"]
    transfer = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
    bob = "0x" + "00" * 12 + ACCOUNTS.bob.address[2:].lower()
    release_block = int(twins.history.client.backend.get_receipt(twins.history.release).block_number)  # type: ignore[union-attr]
    filters: list[dict[str, Any]] = [
        {"fromBlock": "0x0", "toBlock": "latest"},
        {"fromBlock": "earliest", "toBlock": hex(head + 100)},  # ends past the head: logs up to the head
        {"fromBlock": "0x0", "address": token},
        {"fromBlock": "0x0", "address": [token, escrow]},
        {"fromBlock": "0x0", "topics": [transfer]},
        {"fromBlock": "0x0", "topics": [[transfer], None, [bob]]},
        {"fromBlock": "0x0", "topics": [None, None, bob]},
        {"fromBlock": "0x0", "topics": [[], None]},
        {"fromBlock": hex(release_block), "toBlock": hex(release_block)},
        {"blockHash": BlockHash(release_block)},
        {"blockHash": BlockHash(release_block), "address": escrow},
        {"fromBlock": hex(head), "toBlock": hex(head - 3)},  # reversed: []
        {"fromBlock": "latest"},
    ]
    everything = _same(twins, "eth_getLogs", filters[0])
    assert len(everything) > 20
    for log_filter in filters[1:]:
        _same(twins, "eth_getLogs", log_filter)
    assert _same(twins, "eth_getLogs", {"fromBlock": hex(head), "toBlock": hex(head - 3)}) == []
    # unknown block hash: an error on both
    assert _same(twins, "eth_getLogs", {"blockHash": "0x" + "ef" * 32}) is None
    # documented: wholly past the head
    ours, theirs = _ask(twins, "eth_getLogs", {"fromBlock": hex(head + 5), "toBlock": hex(head + 9)})
    assert ours["result"] == [], DIFFERENCES["logs-past-head"]
    assert "error" in theirs, DIFFERENCES["logs-past-head"]


def test_state_and_execution_at_any_block_are_the_same(twins: Twins) -> None:
    history = twins.history
    head = history.head
    token = history.addresses["token"]
    balance_of = history.ew.token.abi.encode_call("balanceOf", ACCOUNTS.bob.address)
    blocks = ["latest", "earliest", "0x0", hex(head // 2), hex(head - 1), hex(head)]
    for block in blocks:
        for account in (ACCOUNTS.admin.address, ACCOUNTS.bob.address, token, "0x" + "12" * 20):
            _same(twins, "eth_getBalance", account, block)
            _same(twins, "eth_getCode", account, block)
            _same(twins, "eth_getTransactionCount", account, block)
        for slot in ("0x0", "0x1", "0x2", "0x5"):
            _same(twins, "eth_getStorageAt", token, slot, block)
        _same(twins, "eth_call", {"to": token, "data": "0x" + balance_of.hex()}, block)
    _same(twins, "eth_getBalance", ACCOUNTS.bob.address, {"blockHash": BlockHash(head // 2)})
    _same(twins, "eth_call", {"to": token, "data": "0x" + balance_of.hex()}, {"blockNumber": hex(head - 1)})
    _same(twins, "eth_getTransactionCount", ACCOUNTS.admin.address, "pending")
    mint = history.ew.token.abi.encode_call("mint", ACCOUNTS.alice.address, 1, b"\x01" * 32)
    ours, theirs = _ask(
        twins, "eth_call", {"from": ACCOUNTS.alice.address, "to": token, "data": "0x" + mint.hex()}
    )
    assert ours["error"]["code"] == theirs["error"]["code"] == 3
    assert ours["error"]["data"] == theirs["error"]["data"]  # the same custom error, byte for byte
    # documented: state at a block past the head is an error on both, with each node's words
    ours, theirs = _ask(twins, "eth_getBalance", ACCOUNTS.bob.address, hex(head + 5))
    assert ours["error"]["message"] == "header not found", DIFFERENCES["block-past-head-state"]
    assert "error" in theirs, DIFFERENCES["block-past-head-state"]


def test_estimates_suffice_on_both(twins: Twins) -> None:
    """Documented difference: the values differ (headroom here, bisection there), and both are enough."""
    token = twins.history.addresses["token"]
    transfer = twins.history.ew.token.abi.encode_call("transfer", ACCOUNTS.alice.address, 1)
    call = {"from": ACCOUNTS.bob.address, "to": token, "data": "0x" + transfer.hex()}
    ours, theirs = _ask(twins, "eth_estimateGas", call)
    ours_gas, anvil_gas = int(ours["result"], 16), int(theirs["result"], 16)
    assert anvil_gas <= ours_gas <= anvil_gas + anvil_gas // 8 + 10_000, DIFFERENCES["eth_estimateGas"]
    for gas in (ours_gas, anvil_gas):
        assert "result" in rpc(twins.embedded, "eth_call", {**call, "gas": hex(gas)}, "latest")


def test_fees_chain_and_client_answers_are_the_same(twins: Twins) -> None:
    head = twins.history.head
    _same(twins, "eth_chainId")
    _same(twins, "net_version")
    _same(twins, "eth_syncing")
    _same(twins, "eth_blobBaseFee")
    _same(twins, "net_listening")
    for count, newest, percentiles in (
        ("0x5", "latest", [10, 50, 90]),
        ("0x1", "0x1", []),
        (hex(head + 1), "latest", None),
        ("0x3", hex(head - 2), [0, 100]),
    ):
        params = [count, newest] if percentiles is None else [count, newest, percentiles]
        _same(twins, "eth_feeHistory", *params)
    ours, theirs = _ask(twins, "eth_gasPrice")
    assert ours["result"] == "0x0", DIFFERENCES["eth_gasPrice"]
    assert int(theirs["result"], 16) > 0, DIFFERENCES["eth_gasPrice"]
    assert (
        _ask(twins, "eth_accounts")[0]["result"] == []
    )  # anvil lists its development keys; this node has none


def test_filters_report_the_same_changes(twins: Twins) -> None:
    history = twins.history
    token = history.addresses["token"]
    log_filter = {"address": token}
    ours_id = rpc(twins.embedded, "eth_newFilter", log_filter)["result"]
    theirs_id = rpc(twins.anvil, "eth_newFilter", log_filter)["result"]
    ours_blocks = rpc(twins.embedded, "eth_newBlockFilter")["result"]
    theirs_blocks = rpc(twins.anvil, "eth_newBlockFilter")["result"]
    assert ours_id != theirs_id, DIFFERENCES["filter-ids"]
    history.ew.token.transfer(ACCOUNTS.bob, ACCOUNTS.alice.address, 1)  # mirrored to anvil
    ours = rpc(twins.embedded, "eth_getFilterChanges", ours_id)["result"]
    theirs = rpc(twins.anvil, "eth_getFilterChanges", theirs_id)["result"]
    assert len(ours) == len(theirs) == 1
    new_block = int(ours[0]["blockNumber"], 16)
    assert _normalise(ours, [ours[0]["blockHash"]]) == _normalise(theirs, [theirs[0]["blockHash"]])
    assert new_block == int(theirs[0]["blockNumber"], 16)
    assert rpc(twins.embedded, "eth_getFilterChanges", ours_id)["result"] == []
    assert rpc(twins.anvil, "eth_getFilterChanges", theirs_id)["result"] == []
    assert len(rpc(twins.embedded, "eth_getFilterChanges", ours_blocks)["result"]) == 1
    assert len(rpc(twins.anvil, "eth_getFilterChanges", theirs_blocks)["result"]) == 1
    ours_all = rpc(twins.embedded, "eth_getFilterLogs", ours_id)["result"]
    theirs_all = rpc(twins.anvil, "eth_getFilterLogs", theirs_id)["result"]
    assert ours_all[-1]["transactionHash"] == theirs_all[-1]["transactionHash"]
    for backend, filter_id in ((twins.embedded, ours_id), (twins.anvil, theirs_id)):
        assert rpc(backend, "eth_uninstallFilter", filter_id)["result"] is True
        assert "error" in rpc(backend, "eth_getFilterChanges", filter_id)


def test_batches_are_answered_alike(twins: Twins) -> None:
    import httpx

    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {
            "jsonrpc": "2.0",
            "id": "two",
            "method": "eth_getBalance",
            "params": [ACCOUNTS.bob.address, "latest"],
        },
        {"jsonrpc": "2.0", "id": 3, "method": "eth_noSuchMethod", "params": []},
    ]
    answers = {}
    for name, backend in (("embedded", twins.embedded), ("anvil", twins.anvil)):
        answers[name] = httpx.post(backend.url, json=batch).json()
    assert [a["id"] for a in answers["embedded"]] == [a["id"] for a in answers["anvil"]] == [1, "two", 3]
    assert answers["embedded"][:2] == answers["anvil"][:2]
    assert answers["embedded"][2]["error"]["code"] == answers["anvil"][2]["error"]["code"] == -32601


def test_every_ignored_field_really_differs(twins: Twins) -> None:
    """The ignore list is no wider than the differences: each field in it differs somewhere."""
    release = twins.history.client.backend.get_receipt(twins.history.release)
    assert release is not None
    seen_different: set[str] = set()
    for number in (0, release.block_number, twins.history.head):
        ours, theirs = _ask(twins, "eth_getBlockByNumber", hex(number), True)
        tx_ours, tx_theirs = ours["result"]["transactions"], theirs["result"]["transactions"]
        receipts_ours, receipts_theirs = _ask(twins, "eth_getBlockReceipts", hex(number))
        pairs = [(ours["result"], theirs["result"])]
        pairs += list(zip(tx_ours, tx_theirs, strict=True))
        pairs += list(zip(receipts_ours["result"], receipts_theirs["result"], strict=True))
        for receipt_ours, receipt_theirs in zip(
            receipts_ours["result"], receipts_theirs["result"], strict=True
        ):
            pairs += list(zip(receipt_ours["logs"], receipt_theirs["logs"], strict=True))
        for left, right in pairs:
            seen_different |= {name for name in IGNORED_FIELDS if left.get(name) != right.get(name)}
    assert seen_different == IGNORED_FIELDS
