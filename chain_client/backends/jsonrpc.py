"""chain_client's backend over any Ethereum JSON-RPC node (anvil in tests, Besu in the consortium).

Requests are plain JSON-RPC 2.0 over HTTP/1.1 (``http.client``), one keep-alive connection per thread:
a request costs one write and one read, without a session layer's per-request work (proxy and netrc
look-ups, TLS context, connection checks), which under load was most of a sender's CPU. Answers are
parsed by ``chain_client.types``, the same parser the embedded node's answers go through.

Receipts: where the node answers ``ledger_waitForTransactionReceipt`` (the embedded node,
``chain_client/embedded/rpc_api.py``), the wait is one request that the node answers when the block is
durable; elsewhere (anvil, Besu) ``eth_getTransactionReceipt`` is polled.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from eth_typing import ChecksumAddress

from chain_client.errors import (
    BackendUnavailable,
    ExecutionReverted,
    LogQueryTooLarge,
    SenderNotPermitted,
    TransactionRejected,
    TransactionTimeout,
)
from chain_client.types import Block, BlockId, CallParams, Log, LogFilter, Receipt

_REVERT_CODES = {3, -32000, -32003, -32015}
_LIMIT_EXCEEDED = -32005
"""Codes nodes use for "execution reverted" (geth/anvil: 3; Besu: -32000; others -32003/-32015)."""
_METHOD_NOT_FOUND = -32601
_WAIT_FOR_RECEIPT = "ledger_waitForTransactionReceipt"
_LONG_POLL_S = 10.0
"""The longest single wait asked of the node (each request stays well inside the HTTP timeout)."""


class JsonRpcError(BackendUnavailable):
    """The node answered a request with a JSON-RPC error that is not a revert or a rejection."""

    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__(f"{method} failed: [{code}] {message}")
        self.code = code
        self.message = message


class JsonRpcBackend:
    """A chain behind an HTTP JSON-RPC URL."""

    name = "jsonrpc"

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) JSON-RPC URL: {url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout
        self._local = threading.local()
        self._ids = itertools.count(1)
        self._chain_id: int | None = None
        self._long_poll: bool | None = None
        """Whether the node answers ``ledger_waitForTransactionReceipt`` (None: not yet known)."""

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self._timeout)
            self._local.connection = connection
        return connection

    def _drop_connection(self) -> None:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def _post(self, method: str, body: bytes) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        for attempt in range(2):
            connection = self._connection()
            reused = connection.sock is not None
            try:
                connection.request("POST", self._path, body, headers)
                response = connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self._drop_connection()
                # A keep-alive connection the server had closed: the request never reached it, so
                # sending it again on a new connection is safe (once).
                if reused and attempt == 0:
                    continue
                raise BackendUnavailable(f"{method} to {self.url} failed: {exc}") from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                raise BackendUnavailable(f"{method} to {self.url} failed: {exc}") from exc
            if response.will_close:
                self._drop_connection()
            if response.status != 200:
                raise BackendUnavailable(
                    f"{method} to {self.url} failed: HTTP {response.status} {payload[:200]!r}"
                )
            try:
                answer: dict[str, Any] = json.loads(payload)
            except ValueError as exc:
                raise BackendUnavailable(f"{method} to {self.url}: the answer is not JSON ({exc})") from exc
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def raw_request(self, method: str, *params: Any) -> dict[str, Any]:
        """One JSON-RPC call; the node's whole answer object (``result`` or ``error``), unparsed."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        return self._post(method, body.encode())

    def request(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call; returns ``result`` or raises a chain_client error."""
        response = self.raw_request(method, *params)
        error = response.get("error")
        if error is None:
            return response.get("result")
        code = int(error.get("code", 0))
        message = str(error.get("message", ""))
        data = error.get("data")
        if isinstance(data, dict):  # some nodes nest the revert data
            data = data.get("data")
        if code in _REVERT_CODES and ("revert" in message.lower() or isinstance(data, str)):
            revert_data = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b""
            raise ExecutionReverted(revert_data, message)
        if method == "eth_sendRawTransaction":
            if code == SenderNotPermitted.rpc_code:  # Besu's account-permissioning refusal
                raise SenderNotPermitted(f"node refused the transaction: {message}")
            raise TransactionRejected(f"node refused the transaction: {message}")
        if method == "eth_getLogs" and (code == _LIMIT_EXCEEDED or "more than" in message.lower()):
            raise LogQueryTooLarge(f"{message}; narrow the block range")
        raise JsonRpcError(method, code, message)

    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.request("eth_chainId"), 16)
        return self._chain_id

    def block_number(self) -> int:
        return int(self.request("eth_blockNumber"), 16)

    def get_block(self, block: BlockId | bytes) -> Block | None:
        if isinstance(block, bytes):
            raw = self.request("eth_getBlockByHash", "0x" + block.hex(), False)
        else:
            raw = self.request("eth_getBlockByNumber", _block_id(block), False)
        return None if raw is None else Block.from_rpc(raw)

    def get_nonce(self, account: ChecksumAddress, block: BlockId = "pending") -> int:
        return int(self.request("eth_getTransactionCount", account, _block_id(block)), 16)

    def get_balance(self, account: ChecksumAddress, block: BlockId = "latest") -> int:
        return int(self.request("eth_getBalance", account, _block_id(block)), 16)

    def get_code(self, account: ChecksumAddress, block: BlockId = "latest") -> bytes:
        return bytes.fromhex(self.request("eth_getCode", account, _block_id(block))[2:])

    def next_base_fee(self) -> int:
        latest = self.request("eth_getBlockByNumber", "latest", False)
        return int(latest.get("baseFeePerGas", "0x0"), 16)

    def call(self, params: CallParams, block: BlockId = "latest") -> bytes:
        return bytes.fromhex(self.request("eth_call", _call_object(params), _block_id(block))[2:])

    def estimate_gas(self, params: CallParams) -> int:
        return int(self.request("eth_estimateGas", _call_object(params)), 16)

    def send_raw_transaction(self, raw: bytes) -> bytes:
        return bytes.fromhex(self.request("eth_sendRawTransaction", "0x" + raw.hex())[2:])

    def wait_for_receipt(self, tx_hash: bytes, timeout: float) -> Receipt:
        deadline = time.monotonic() + timeout
        if self._long_poll is not False:
            receipt = self._wait_on_node(tx_hash, deadline)
            if receipt is not None:
                return receipt
            if self._long_poll:  # the node waited the whole time
                raise TransactionTimeout(f"no receipt for 0x{tx_hash.hex()} within {timeout} s")
        delay = 0.0
        while True:
            receipt = self.get_receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() >= deadline:
                raise TransactionTimeout(f"no receipt for 0x{tx_hash.hex()} within {timeout} s")
            time.sleep(delay)
            delay = min(0.2, delay * 2 or 0.002)

    def _wait_on_node(self, tx_hash: bytes, deadline: float) -> Receipt | None:
        """Wait with ``ledger_waitForTransactionReceipt`` until ``deadline``; None if the node does not
        offer it (then ``_long_poll`` is False) or the deadline passed."""
        wanted = "0x" + tx_hash.hex()
        while (remaining := deadline - time.monotonic()) > 0:
            wait_ms = int(1000 * min(remaining, _LONG_POLL_S, self._timeout / 2))
            try:
                raw = self.request(_WAIT_FOR_RECEIPT, wanted, hex(max(wait_ms, 1)))
            except JsonRpcError as exc:
                if exc.code == _METHOD_NOT_FOUND:
                    self._long_poll = False
                    return None
                raise TransactionRejected(f"node refused the transaction: {exc.message}") from None
            self._long_poll = True
            if raw is not None:
                return Receipt.from_rpc(raw)
        return None

    def get_receipt(self, tx_hash: bytes) -> Receipt | None:
        raw = self.request("eth_getTransactionReceipt", "0x" + tx_hash.hex())
        return None if raw is None else Receipt.from_rpc(raw)

    def get_transaction(self, tx_hash: bytes) -> dict[str, Any] | None:
        raw: dict[str, Any] | None = self.request("eth_getTransactionByHash", "0x" + tx_hash.hex())
        return raw

    def get_logs(self, log_filter: LogFilter) -> list[Log]:
        rpc_filter: dict[str, Any] = {
            "fromBlock": hex(log_filter.from_block),
            "toBlock": hex(log_filter.to_block),
            "topics": [
                None if wanted is None else ["0x" + topic.hex() for topic in wanted]
                for wanted in log_filter.topics
            ],
        }
        if log_filter.addresses:
            rpc_filter["address"] = list(log_filter.addresses)
        return [Log.from_rpc(raw) for raw in self.request("eth_getLogs", rpc_filter)]

    def snapshot(self) -> int:
        return int(self.request("evm_snapshot"), 16)

    def advance_time(self, seconds: int) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        # The next block's exact time, not evm_increaseTime: the offset it adds is ignored by a node whose
        # blocks follow a fixed interval (anvil_setBlockTimestampInterval, see chain_client.anvil).
        head = self.get_block("latest")
        if head is None:
            raise JsonRpcError("eth_getBlockByNumber", 0, "the node has no latest block")
        self.request("evm_setNextBlockTimestamp", head.timestamp + max(seconds, 1))
        self.request("evm_mine")

    def revert(self, snapshot_id: int) -> None:
        if not self.request("evm_revert", hex(snapshot_id)):
            raise JsonRpcError("evm_revert", 0, f"snapshot {snapshot_id} is unknown to the node")

    def close(self) -> None:
        """Close this thread's connection (other threads' connections close with their threads)."""
        self._drop_connection()


def _block_id(block: BlockId) -> str:
    return hex(block) if isinstance(block, int) else block


def _call_object(params: CallParams) -> dict[str, Any]:
    call: dict[str, Any] = {"data": "0x" + params.data.hex()}
    if params.to is not None:
        call["to"] = params.to
    if params.sender is not None:
        call["from"] = params.sender
    if params.value:
        call["value"] = hex(params.value)
    if params.gas is not None:
        call["gas"] = hex(params.gas)
    return call
