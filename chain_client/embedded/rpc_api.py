"""The Ethereum JSON-RPC methods of the embedded node (ethereum/execution-apis, ``src/eth/*.yaml``).

Donors, regulators and wallets use this endpoint with ordinary Ethereum tools (web3.py, ethers,
viem, ``cast``, explorers). It answers every read method a verifying tool uses, as the execution-apis
specification says and, where that leaves a choice, as geth and anvil do; it admits transactions
signed by their senders (``eth_sendRawTransaction``, checked by ``admission.py``); it never signs
(``eth_sendTransaction``, ``eth_sign*`` answer "method not found": it holds no keys). One method of its
own, ``ledger_waitForTransactionReceipt`` (:data:`WAIT_FOR_RECEIPT`), lets a sender wait for a receipt
without polling; chain_client uses it where a node answers it and polls elsewhere.

Block tags on a single-sequencer chain with immediate finality: ``latest``, ``safe`` and
``finalized`` are all the head block (a committed block is final: there are no forks);
``earliest`` is block 0; ``pending`` is the head block for block and state reads, and the head plus
what is queued for ``eth_getTransactionCount`` (the next nonce to use).

Choices the specification leaves open, and the answer given here:

- a block number past the head: ``eth_getBlockByNumber``, ``eth_getBlockReceipts``,
  ``eth_getBlockTransactionCountByNumber``, ``eth_getTransactionByBlockNumberAndIndex`` answer
  ``null``; state reads (``eth_getBalance``, ``eth_call``, ...) answer error -32000
  ``header not found`` (geth's words);
- ``eth_getLogs`` whose range ends past the head answers the logs up to the head, a range with
  ``fromBlock`` after ``toBlock`` (or wholly past the head) answers ``[]``; ``blockHash`` together
  with ``fromBlock``/``toBlock`` is refused (-32602), an unknown ``blockHash`` is error -32000;
- ``eth_gasPrice`` and ``eth_maxPriorityFeePerGas`` suggest the base fee and a zero tip: on the
  free-gas ledger, zero;
- ``eth_estimateGas`` executes once and answers the gas used plus headroom (an eighth and 10,000)
  for the 63/64 rule, at most the block gas limit: enough, never the bisected minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from eth_utils import keccak

from chain_client.embedded import rpc_json
from chain_client.embedded.index import LogQuery
from chain_client.embedded.node import CallRequest, EmbeddedNode
from chain_client.embedded.rpc_filters import FilterNotFound, FilterRegistry, TooManyFilters
from chain_client.errors import ExecutionReverted, LogQueryTooLarge, TransactionRejected, TransactionTimeout

PARSE_ERROR: Final = -32700
INVALID_REQUEST: Final = -32600
METHOD_NOT_FOUND: Final = -32601
INVALID_PARAMS: Final = -32602
SERVER_ERROR: Final = -32000
"""geth's code for request errors that are not parameter errors (``header not found``, txpool refusals)."""
EXECUTION_REVERTED: Final = 3
LIMIT_EXCEEDED: Final = -32005

WAIT_FOR_RECEIPT: Final = "ledger_waitForTransactionReceipt"
"""This node's own method (not in the specification): ``eth_getTransactionReceipt`` that waits, up to a
timeout in milliseconds, for the transaction's block to be committed, instead of answering ``null`` at
once; woken by the node when that block is durable, so a sender needs no polling loop."""
MAX_RECEIPT_WAIT_MS: Final = 30_000

MAX_FEE_HISTORY_BLOCKS: Final = 1_024
"""geth's cap on ``eth_feeHistory``'s block count."""
MAX_TOPIC_POSITIONS: Final = 4
MIN_BLOB_BASE_FEE: Final = 1
"""EIP-4844 ``MIN_BASE_FEE_PER_BLOB_GAS``: the blob base fee of a chain that carries no blobs."""

BLOCK_TAGS: Final = ("latest", "earliest", "pending", "safe", "finalized")
SIGNING_METHODS: Final = (
    "eth_sendTransaction",
    "eth_sign",
    "eth_signTransaction",
    "eth_signTypedData",
    "eth_signTypedData_v3",
    "eth_signTypedData_v4",
    "personal_sign",
    "personal_sendTransaction",
)
_UNSUPPORTED: Final = {
    "eth_getProof": "Merkle proofs are not served by the embedded node",
    "eth_createAccessList": "access lists are not computed by the embedded node",
    "eth_simulateV1": "block simulation is not offered by the embedded node",
    "eth_newPendingTransactionFilter": "queued transactions are mined within milliseconds; poll blocks",
}


class RpcError(Exception):
    """A JSON-RPC error object: ``code``, ``message`` and optional ``data``."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def as_object(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def _hex_to_int(value: Any, what: str) -> int:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(INVALID_PARAMS, f"{what} must be a 0x-prefixed hex quantity, got {value!r}")
    try:
        return int(value, 16)
    except ValueError:
        raise RpcError(INVALID_PARAMS, f"{what} is not hex: {value!r}") from None


def _count(value: Any, what: str) -> int:
    """A count given as a hex quantity or, as some clients send it, a plain JSON integer."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return _hex_to_int(value, what)


def _hex_to_bytes(value: Any, what: str, length: int | None = None) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(INVALID_PARAMS, f"{what} must be 0x-prefixed hex data, got {value!r}")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise RpcError(INVALID_PARAMS, f"{what} is not hex: {value!r}") from None
    if length is not None and len(raw) != length:
        raise RpcError(INVALID_PARAMS, f"{what} must be {length} bytes, got {len(raw)}")
    return raw


def _header_not_found() -> RpcError:
    return RpcError(SERVER_ERROR, "header not found")


class EthRpc:
    """Dispatches JSON-RPC requests to the node."""

    def __init__(self, node: EmbeddedNode) -> None:
        self._node = node
        self._filters = FilterRegistry()
        self._methods: dict[str, Callable[..., Any]] = {
            "web3_clientVersion": lambda: node.client_version,
            "web3_sha3": lambda data: rpc_json.data(keccak(_hex_to_bytes(data, "data"))),
            "net_version": lambda: str(node.chain_id),
            "net_listening": lambda: True,
            "net_peerCount": lambda: "0x0",
            "eth_chainId": lambda: hex(node.chain_id),
            "eth_syncing": lambda: False,
            "eth_accounts": lambda: [],
            "eth_coinbase": lambda: rpc_json.address(b"\x00" * 20),
            "eth_blockNumber": lambda: hex(node.block_number()),
            "eth_gasPrice": lambda: hex(node.next_base_fee()),
            "eth_baseFee": lambda: hex(node.next_base_fee()),
            "eth_maxPriorityFeePerGas": lambda: "0x0",
            "eth_blobBaseFee": lambda: hex(MIN_BLOB_BASE_FEE),
            "eth_feeHistory": self._fee_history,
            "eth_getBlockByNumber": self._get_block_by_number,
            "eth_getBlockByHash": self._get_block_by_hash,
            "eth_getBlockTransactionCountByNumber": self._count_by_number,
            "eth_getBlockTransactionCountByHash": self._count_by_hash,
            "eth_getUncleCountByBlockNumber": self._uncle_count_by_number,
            "eth_getUncleCountByBlockHash": self._uncle_count_by_hash,
            "eth_getUncleByBlockNumberAndIndex": lambda block, index: None,
            "eth_getUncleByBlockHashAndIndex": lambda block, index: None,
            "eth_getBlockReceipts": self._get_block_receipts,
            "eth_getTransactionByHash": self._get_transaction,
            "eth_getTransactionByBlockNumberAndIndex": self._transaction_by_number_and_index,
            "eth_getTransactionByBlockHashAndIndex": self._transaction_by_hash_and_index,
            "eth_getTransactionReceipt": self._get_receipt,
            "eth_getLogs": self._get_logs,
            "eth_newFilter": self._new_filter,
            "eth_newBlockFilter": self._new_block_filter,
            "eth_getFilterChanges": self._get_filter_changes,
            "eth_getFilterLogs": self._get_filter_logs,
            "eth_uninstallFilter": lambda filter_id: self._filters.uninstall(str(filter_id)),
            "eth_call": self._call,
            "eth_estimateGas": self._estimate_gas,
            "eth_getBalance": self._get_balance,
            "eth_getCode": self._get_code,
            "eth_getTransactionCount": self._get_transaction_count,
            "eth_getStorageAt": self._get_storage_at,
            "eth_getStorageValues": self._get_storage_values,
            "eth_sendRawTransaction": self._send_raw_transaction,
            WAIT_FOR_RECEIPT: self._wait_for_receipt,
        }

    @property
    def methods(self) -> tuple[str, ...]:
        """Every method this endpoint answers."""
        return tuple(self._methods)

    def handle(self, request: Any) -> dict[str, Any] | None:
        """Answer one request object; ``None`` for a notification (no id)."""
        if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or "method" not in request:
            return {
                "jsonrpc": "2.0",
                "id": None,
                "error": RpcError(INVALID_REQUEST, "invalid request").as_object(),
            }
        request_id = request.get("id")
        try:
            result = self.dispatch(str(request["method"]), request.get("params", []))
        except RpcError as error:
            response = {"jsonrpc": "2.0", "id": request_id, "error": error.as_object()}
        else:
            response = {"jsonrpc": "2.0", "id": request_id, "result": result}
        return response if "id" in request else None

    def dispatch(self, method: str, params: Any) -> Any:
        if params is None:
            params = []
        if not isinstance(params, list):
            raise RpcError(INVALID_PARAMS, "params must be an array")
        handler = self._methods.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, _not_found(method))
        try:
            return handler(*params)
        except TypeError as exc:
            raise RpcError(INVALID_PARAMS, f"wrong parameters for {method}: {exc}") from None

    # ------------------------------------------------------------------ parameters

    def _block(self, value: Any = "latest") -> int | str:
        """A block parameter (number, tag, or EIP-1898 object) as the node's block id; a number or
        hash that names no block raises ``header not found``."""
        if isinstance(value, dict):  # EIP-1898
            if "blockHash" in value:
                block = self._node.get_block(_hex_to_bytes(value["blockHash"], "blockHash", 32))
                if block is None:
                    raise RpcError(SERVER_ERROR, f"header for hash {value['blockHash']} not found")
                return int(block["number"], 16)
            value = value.get("blockNumber", "latest")
        if value is None:
            value = "latest"
        if value in BLOCK_TAGS:
            return str(value)
        number = _hex_to_int(value, "block number")
        if number > self._node.block_number():
            raise _header_not_found()
        return number

    def _block_or_none(self, value: Any) -> int | str | None:
        """As :meth:`_block`, but a number past the head is None (the getters answer null)."""
        if value in BLOCK_TAGS:
            return str(value)
        number = _hex_to_int(value, "block number")
        return None if number > self._node.block_number() else number

    def _block_by_selector(self, selector: Any) -> rpc_json.RpcObject | None:
        """``eth_getBlockReceipts``' parameter: a number, a tag, a 32-byte hash, or an EIP-1898 object."""
        if isinstance(selector, dict):
            if "blockHash" in selector:
                return self._node.get_block(_hex_to_bytes(selector["blockHash"], "blockHash", 32))
            selector = selector.get("blockNumber", "latest")
        if isinstance(selector, str) and selector.startswith("0x") and len(selector) == 66:
            return self._node.get_block(_hex_to_bytes(selector, "block hash", 32))
        number = self._block_or_none(selector)
        return None if number is None else self._node.get_block(number)

    def _call_request(self, call: Any) -> CallRequest:
        if not isinstance(call, dict):
            raise RpcError(INVALID_PARAMS, "the call must be an object")
        if "data" in call and "input" in call and call["data"] != call["input"]:
            raise RpcError(INVALID_PARAMS, 'both "data" and "input" are set and not equal')
        data = call.get("input", call.get("data")) or "0x"
        return CallRequest(
            to=_hex_to_bytes(call["to"], "to", 20) if call.get("to") else None,
            sender=_hex_to_bytes(call["from"], "from", 20) if call.get("from") else b"\x00" * 20,
            data=_hex_to_bytes(data, "data"),
            value=_hex_to_int(call["value"], "value") if call.get("value") else 0,
            gas=_hex_to_int(call["gas"], "gas") if call.get("gas") else None,
        )

    def _log_query(self, log_filter: Any) -> LogQuery | None:
        """An ``eth_getLogs`` filter as a query over committed blocks; None when the range is empty."""
        if not isinstance(log_filter, dict):
            raise RpcError(INVALID_PARAMS, "the filter must be an object")
        head = self._node.block_number()
        if log_filter.get("blockHash") is not None:
            if log_filter.get("fromBlock") is not None or log_filter.get("toBlock") is not None:
                raise RpcError(
                    INVALID_PARAMS,
                    "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other",
                )
            block = self._node.get_block(_hex_to_bytes(log_filter["blockHash"], "blockHash", 32))
            if block is None:
                raise RpcError(SERVER_ERROR, "unknown block")
            first = last = int(block["number"], 16)
        else:
            first = self._range_end(log_filter.get("fromBlock"), head)
            last = min(self._range_end(log_filter.get("toBlock"), head), head)
            if first > last:
                return None
        addresses = log_filter.get("address") or []
        if isinstance(addresses, str):
            addresses = [addresses]
        positions = log_filter.get("topics") or []
        if not isinstance(positions, list):
            raise RpcError(INVALID_PARAMS, "topics must be an array")
        if len(positions) > MAX_TOPIC_POSITIONS:
            raise RpcError(INVALID_PARAMS, "exceed max topics")
        topics: list[list[bytes] | None] = []
        for position in positions:
            if position is None:
                topics.append(None)
            elif isinstance(position, str):
                topics.append([_hex_to_bytes(position, "topic", 32)])
            else:
                topics.append([_hex_to_bytes(topic, "topic", 32) for topic in position] or None)
        return LogQuery(
            from_block=first,
            to_block=last,
            addresses=[_hex_to_bytes(address, "address", 20) for address in addresses],
            topics=topics,
        )

    def _range_end(self, value: Any, head: int) -> int:
        if value is None or value in ("latest", "pending", "safe", "finalized"):
            return head
        if value == "earliest":
            return 0
        return _hex_to_int(value, "block number")

    def _logs(self, query: LogQuery | None) -> list[rpc_json.RpcObject]:
        if query is None:
            return []
        try:
            return self._node.get_logs(query)
        except LogQueryTooLarge as exc:
            raise RpcError(LIMIT_EXCEEDED, str(exc)) from None

    # ------------------------------------------------------------------ blocks

    def _get_block_by_number(self, block: Any, full: bool = False) -> Any:
        number = self._block_or_none(block)
        return None if number is None else self._node.get_block(number, bool(full))

    def _get_block_by_hash(self, block_hash: Any, full: bool = False) -> Any:
        return self._node.get_block(_hex_to_bytes(block_hash, "block hash", 32), bool(full))

    def _count_by_number(self, block: Any) -> str | None:
        found = self._get_block_by_number(block)
        return None if found is None else hex(len(found["transactions"]))

    def _count_by_hash(self, block_hash: Any) -> str | None:
        found = self._get_block_by_hash(block_hash)
        return None if found is None else hex(len(found["transactions"]))

    def _uncle_count_by_number(self, block: Any) -> str | None:
        return None if self._get_block_by_number(block) is None else "0x0"

    def _uncle_count_by_hash(self, block_hash: Any) -> str | None:
        return None if self._get_block_by_hash(block_hash) is None else "0x0"

    def _get_block_receipts(self, selector: Any) -> list[rpc_json.RpcObject] | None:
        block = self._block_by_selector(selector)
        if block is None:
            return None
        receipts = []
        for tx_hash in block["transactions"]:
            receipt = self._node.get_receipt(_hex_to_bytes(tx_hash, "hash", 32))
            if receipt is None:  # a reorganisation cannot happen here; a read racing a revert can
                return None
            receipts.append(receipt)
        return receipts

    def _fee_history(self, block_count: Any, newest: Any, percentiles: Any = None) -> dict[str, Any]:
        count = min(_count(block_count, "block count"), MAX_FEE_HISTORY_BLOCKS)
        head = self._node.block_number()
        newest_number = self._node.resolve_block_number(self._block(newest))
        wanted = [] if percentiles is None else list(percentiles)
        if any(not isinstance(p, int | float) or not 0 <= p <= 100 for p in wanted) or wanted != sorted(
            wanted
        ):
            raise RpcError(INVALID_PARAMS, "reward percentiles must be ascending numbers from 0 to 100")
        oldest = max(newest_number - count + 1, 0) if count else newest_number + 1
        base_fees: list[str] = []
        ratios: list[float] = []
        rewards: list[list[str]] = []
        for number in range(oldest, newest_number + 1):
            block = self._node.get_block(number)
            if block is None:
                raise _header_not_found()
            base_fee = int(block["baseFeePerGas"], 16)
            base_fees.append(hex(base_fee))
            ratios.append(int(block["gasUsed"], 16) / int(block["gasLimit"], 16))
            if wanted:
                rewards.append(self._block_rewards(block, base_fee, wanted))
        if count:
            following = self._node.get_block(newest_number + 1) if newest_number < head else None
            next_fee = int(following["baseFeePerGas"], 16) if following else self._node.next_base_fee()
            base_fees.append(hex(next_fee))
        history: dict[str, Any] = {
            "oldestBlock": hex(oldest),
            "baseFeePerGas": base_fees,
            "gasUsedRatio": ratios,
            "baseFeePerBlobGas": [hex(MIN_BLOB_BASE_FEE)] * len(base_fees),
            "blobGasUsedRatio": [0.0] * len(ratios),
        }
        history["reward"] = rewards if wanted else []  # no percentiles asked: an empty list (as anvil)
        return history

    def _block_rewards(self, block: rpc_json.RpcObject, base_fee: int, percentiles: list[float]) -> list[str]:
        """geth's fee-history rewards: each percentile of the block's gas, by effective tip."""
        receipts = self._get_block_receipts(block["hash"]) or []
        if not receipts:
            return ["0x0"] * len(percentiles)
        tips = sorted(
            (int(receipt["effectiveGasPrice"], 16) - base_fee, int(receipt["gasUsed"], 16))
            for receipt in receipts
        )
        gas_used = int(block["gasUsed"], 16)
        rewards = []
        index, cumulative = 0, tips[0][1]
        for percentile in percentiles:
            threshold = gas_used * percentile / 100
            while cumulative < threshold and index < len(tips) - 1:
                index += 1
                cumulative += tips[index][1]
            rewards.append(hex(tips[index][0]))
        return rewards

    # ------------------------------------------------------------------ transactions and receipts

    def _get_transaction(self, tx_hash: Any) -> Any:
        return self._node.get_transaction(_hex_to_bytes(tx_hash, "transaction hash", 32))

    def _transaction_at(self, block: rpc_json.RpcObject | None, index: Any) -> Any:
        position = _hex_to_int(index, "transaction index")
        if block is None or position >= len(block["transactions"]):
            return None
        return self._node.get_transaction(_hex_to_bytes(block["transactions"][position], "hash", 32))

    def _transaction_by_number_and_index(self, block: Any, index: Any) -> Any:
        return self._transaction_at(self._get_block_by_number(block), index)

    def _transaction_by_hash_and_index(self, block_hash: Any, index: Any) -> Any:
        return self._transaction_at(self._get_block_by_hash(block_hash), index)

    def _get_receipt(self, tx_hash: Any) -> Any:
        return self._node.get_receipt(_hex_to_bytes(tx_hash, "transaction hash", 32))

    def _wait_for_receipt(self, tx_hash: Any, timeout_ms: Any = "0x2710") -> Any:
        """The receipt once its block is committed; ``null`` if that takes more than ``timeout_ms``
        (a hex quantity, at most :data:`MAX_RECEIPT_WAIT_MS`); error -32000 for a transaction the
        node does not know or refused while mining."""
        wanted = _hex_to_bytes(tx_hash, "transaction hash", 32)
        timeout = min(_count(timeout_ms, "timeout"), MAX_RECEIPT_WAIT_MS) / 1000
        try:
            return self._node.wait_for_receipt(wanted, timeout)
        except TransactionTimeout:
            return None
        except TransactionRejected as exc:
            raise RpcError(SERVER_ERROR, str(exc)) from None

    def _send_raw_transaction(self, raw: Any) -> str:
        try:
            return rpc_json.data(self._node.send_raw_transaction(_hex_to_bytes(raw, "transaction")))
        except TransactionRejected as exc:
            raise RpcError(exc.rpc_code, str(exc)) from None

    # ------------------------------------------------------------------ logs and filters

    def _get_logs(self, log_filter: Any) -> list[rpc_json.RpcObject]:
        return self._logs(self._log_query(log_filter))

    def _new_filter(self, log_filter: Any) -> str:
        self._log_query(log_filter)  # refuse a malformed filter now, not at its first poll
        return self._install(dict(log_filter))

    def _new_block_filter(self) -> str:
        return self._install(None)

    def _install(self, criteria: dict[str, Any] | None) -> str:
        try:
            return self._filters.install(criteria, self._node.block_number())
        except TooManyFilters as exc:
            raise RpcError(LIMIT_EXCEEDED, str(exc)) from None

    def _installed(self, filter_id: Any) -> Any:
        try:
            return self._filters.get(str(filter_id))
        except FilterNotFound:
            raise RpcError(SERVER_ERROR, "filter not found") from None

    def _get_filter_changes(self, filter_id: Any) -> list[Any]:
        installed = self._installed(filter_id)
        start = installed.next_block
        head = self._node.block_number()
        if head < start:
            return []
        if installed.criteria is None:
            changes: list[Any] = []
            for number in range(start, head + 1):
                block = self._node.get_block(number)
                if block is not None:
                    changes.append(block["hash"])
        else:
            criteria = dict(installed.criteria)
            if criteria.get("fromBlock") in (None, "latest", "pending", "safe", "finalized"):
                criteria["fromBlock"] = "earliest"  # "from now on": every block since the last poll
            query = self._log_query(criteria)
            if query is not None:
                query = LogQuery(
                    from_block=max(query.from_block, start),
                    to_block=min(query.to_block, head),
                    addresses=query.addresses,
                    topics=query.topics,
                )
                query = query if query.from_block <= query.to_block else None
            changes = self._logs(query)
        return changes if self._filters.advance(str(filter_id), start, head) else []

    def _get_filter_logs(self, filter_id: Any) -> list[rpc_json.RpcObject]:
        installed = self._installed(filter_id)
        if installed.criteria is None:
            raise RpcError(SERVER_ERROR, "filter not found")  # geth: a block filter has no logs
        return self._logs(self._log_query(installed.criteria))

    # ------------------------------------------------------------------ state and execution

    def _execute(self, operation: Callable[[CallRequest, int | str], Any], call: Any, block: Any) -> Any:
        try:
            return operation(self._call_request(call), self._block(block))
        except ExecutionReverted as exc:
            raise RpcError(EXECUTION_REVERTED, "execution reverted", "0x" + exc.data.hex()) from None

    def _call(self, call: Any, block: Any = "latest", overrides: Any = None) -> str:
        if overrides:
            raise RpcError(INVALID_PARAMS, "state overrides are not supported by the embedded node")
        output: bytes = self._execute(self._node.call, call, block)
        return "0x" + output.hex()

    def _estimate_gas(self, call: Any, block: Any = "latest", overrides: Any = None) -> str:
        if overrides:
            raise RpcError(INVALID_PARAMS, "state overrides are not supported by the embedded node")
        return hex(self._execute(self._node.estimate_gas, call, block))

    def _get_balance(self, address: Any, block: Any = "latest") -> str:
        return hex(self._node.get_balance(_hex_to_bytes(address, "address", 20), self._block(block)))

    def _get_code(self, address: Any, block: Any = "latest") -> str:
        return "0x" + self._node.get_code(_hex_to_bytes(address, "address", 20), self._block(block)).hex()

    def _get_transaction_count(self, address: Any, block: Any = "latest") -> str:
        return hex(self._node.get_nonce(_hex_to_bytes(address, "address", 20), self._block(block)))

    def _get_storage_at(self, address: Any, slot: Any, block: Any = "latest") -> str:
        value = self._node.get_storage_at(
            _hex_to_bytes(address, "address", 20), _storage_key(slot), self._block(block)
        )
        return "0x" + value.to_bytes(32, "big").hex()

    def _get_storage_values(self, requests: Any, block: Any = "latest") -> dict[str, list[str]]:
        if not isinstance(requests, dict):
            raise RpcError(INVALID_PARAMS, "storage requests must be an object of address to slots")
        at = self._block(block)
        return {
            address: [
                "0x"
                + self._node.get_storage_at(_hex_to_bytes(address, "address", 20), _storage_key(slot), at)
                .to_bytes(32, "big")
                .hex()
                for slot in slots
            ]
            for address, slots in requests.items()
        }


def _storage_key(slot: Any) -> int:
    """A storage slot: a quantity or up to 32 bytes of data (``bytesMax32``)."""
    key = _hex_to_int(slot, "storage slot")
    if key >= 1 << 256:
        raise RpcError(INVALID_PARAMS, f"storage slot {slot} is longer than 32 bytes")
    return key


def _not_found(method: str) -> str:
    message = f"the method {method} does not exist/is not available"
    if method in SIGNING_METHODS or method.startswith("personal_"):
        return (
            f"{message}: this node holds no keys and never signs; send a transaction signed by "
            "its sender with eth_sendRawTransaction"
        )
    if method in _UNSUPPORTED:
        return f"{message}: {_UNSUPPORTED[method]}"
    return message
