"""The read-only Ethereum JSON-RPC methods over an ``EmbeddedNode``.

Donors and regulators verify history with ordinary Ethereum tools (web3.py's ``HTTPProvider``,
``cast``, block explorers) against this endpoint. It answers the read methods; anything that would
write (send a transaction, sign, mine, change node state) gets a JSON-RPC error, because writes
reach the ledger only through the platform's signed, checked paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chain_client.embedded.index import LogQuery
from chain_client.embedded.node import CallRequest, EmbeddedNode
from chain_client.errors import ExecutionReverted, LogQueryTooLarge

INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
EXECUTION_REVERTED = 3
LIMIT_EXCEEDED = -32005

_BLOCK_TAGS = ("latest", "earliest", "pending", "safe", "finalized")
_WRITE_PREFIXES = (
    "eth_send",
    "eth_sign",
    "personal_",
    "evm_",
    "anvil_",
    "hardhat_",
    "debug_",
    "admin_",
    "miner_",
)


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


class ReadOnlyRpc:
    """Dispatches JSON-RPC requests to the node's read methods."""

    def __init__(self, node: EmbeddedNode) -> None:
        self._node = node
        self._methods: dict[str, Callable[..., Any]] = {
            "web3_clientVersion": lambda: node.client_version,
            "net_version": lambda: str(node.chain_id),
            "net_listening": lambda: True,
            "eth_chainId": lambda: hex(node.chain_id),
            "eth_syncing": lambda: False,
            "eth_accounts": lambda: [],
            "eth_blockNumber": lambda: hex(node.block_number()),
            "eth_gasPrice": lambda: hex(node.next_base_fee()),
            "eth_maxPriorityFeePerGas": lambda: "0x0",
            "eth_getBlockByNumber": self._get_block_by_number,
            "eth_getBlockByHash": self._get_block_by_hash,
            "eth_getTransactionByHash": self._get_transaction,
            "eth_getTransactionReceipt": self._get_receipt,
            "eth_getLogs": self._get_logs,
            "eth_call": self._call,
            "eth_estimateGas": self._estimate_gas,
            "eth_getBalance": self._get_balance,
            "eth_getCode": self._get_code,
            "eth_getTransactionCount": self._get_transaction_count,
            "eth_getStorageAt": self._get_storage_at,
        }

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
        if not isinstance(params, list):
            raise RpcError(INVALID_PARAMS, "params must be an array")
        handler = self._methods.get(method)
        if handler is None:
            if method.startswith(_WRITE_PREFIXES):
                raise RpcError(
                    METHOD_NOT_FOUND,
                    f"{method} is not available: this endpoint is read-only; "
                    "transactions reach the ledger only through the platform",
                )
            raise RpcError(METHOD_NOT_FOUND, f"the method {method} does not exist/is not available")
        try:
            return handler(*params)
        except TypeError as exc:
            raise RpcError(INVALID_PARAMS, f"wrong parameters for {method}: {exc}") from None

    # ------------------------------------------------------------------ parameters

    def _block(self, value: Any = "latest") -> int | str:
        if isinstance(value, dict):  # EIP-1898
            if "blockHash" in value:
                block = self._node.get_block(_hex_to_bytes(value["blockHash"], "blockHash", 32))
                if block is None:
                    raise RpcError(INVALID_PARAMS, f"unknown block hash {value['blockHash']}")
                return int(block["number"], 16)
            value = value.get("blockNumber", "latest")
        if value in _BLOCK_TAGS:
            return str(value)
        number = _hex_to_int(value, "block number")
        if number > self._node.block_number():
            raise RpcError(INVALID_PARAMS, f"block {number} is beyond the head")
        return number

    def _call_request(self, call: Any) -> CallRequest:
        if not isinstance(call, dict):
            raise RpcError(INVALID_PARAMS, "the call must be an object")
        data = call.get("data", call.get("input", "0x"))
        return CallRequest(
            to=_hex_to_bytes(call["to"], "to", 20) if call.get("to") else None,
            sender=_hex_to_bytes(call["from"], "from", 20) if call.get("from") else b"\x00" * 20,
            data=_hex_to_bytes(data, "data"),
            value=_hex_to_int(call["value"], "value") if call.get("value") else 0,
            gas=_hex_to_int(call["gas"], "gas") if call.get("gas") else None,
        )

    # ------------------------------------------------------------------ methods

    def _get_block_by_number(self, block: Any, full: bool = False) -> Any:
        return self._node.get_block(self._block(block), bool(full))

    def _get_block_by_hash(self, block_hash: Any, full: bool = False) -> Any:
        return self._node.get_block(_hex_to_bytes(block_hash, "block hash", 32), bool(full))

    def _get_transaction(self, tx_hash: Any) -> Any:
        return self._node.get_transaction(_hex_to_bytes(tx_hash, "transaction hash", 32))

    def _get_receipt(self, tx_hash: Any) -> Any:
        return self._node.get_receipt(_hex_to_bytes(tx_hash, "transaction hash", 32))

    def _get_logs(self, log_filter: Any) -> Any:
        if not isinstance(log_filter, dict):
            raise RpcError(INVALID_PARAMS, "the filter must be an object")
        if "blockHash" in log_filter:
            from_block = to_block = self._block({"blockHash": log_filter["blockHash"]})
        else:
            from_block = self._block(log_filter.get("fromBlock", "latest"))
            to_block = self._block(log_filter.get("toBlock", "latest"))
        first = self._node.resolve_block_number(from_block)
        last = self._node.resolve_block_number(to_block)
        if first > last:
            raise RpcError(INVALID_PARAMS, f"fromBlock {first} is after toBlock {last}")
        addresses = log_filter.get("address") or []
        if isinstance(addresses, str):
            addresses = [addresses]
        topics: list[list[bytes] | None] = []
        for position in log_filter.get("topics") or []:
            if position is None:
                topics.append(None)
            elif isinstance(position, str):
                topics.append([_hex_to_bytes(position, "topic", 32)])
            else:
                topics.append([_hex_to_bytes(topic, "topic", 32) for topic in position])
        query = LogQuery(
            from_block=first,
            to_block=last,
            addresses=[_hex_to_bytes(address, "address", 20) for address in addresses],
            topics=topics,
        )
        try:
            return self._node.get_logs(query)
        except LogQueryTooLarge as exc:
            raise RpcError(LIMIT_EXCEEDED, str(exc)) from None

    def _execute(self, operation: Callable[[CallRequest, int | str], Any], call: Any, block: Any) -> Any:
        try:
            return operation(self._call_request(call), self._block(block))
        except ExecutionReverted as exc:
            raise RpcError(EXECUTION_REVERTED, "execution reverted", "0x" + exc.data.hex()) from None

    def _call(self, call: Any, block: Any = "latest") -> str:
        output: bytes = self._execute(self._node.call, call, block)
        return "0x" + output.hex()

    def _estimate_gas(self, call: Any, block: Any = "latest") -> str:
        return hex(self._execute(self._node.estimate_gas, call, block))

    def _get_balance(self, address: Any, block: Any = "latest") -> str:
        return hex(self._node.get_balance(_hex_to_bytes(address, "address", 20), self._block(block)))

    def _get_code(self, address: Any, block: Any = "latest") -> str:
        return "0x" + self._node.get_code(_hex_to_bytes(address, "address", 20), self._block(block)).hex()

    def _get_transaction_count(self, address: Any, block: Any = "latest") -> str:
        return hex(self._node.get_nonce(_hex_to_bytes(address, "address", 20), self._block(block)))

    def _get_storage_at(self, address: Any, slot: Any, block: Any = "latest") -> str:
        value = self._node.get_storage_at(
            _hex_to_bytes(address, "address", 20), _hex_to_int(slot, "slot"), self._block(block)
        )
        return "0x" + value.to_bytes(32, "big").hex()
