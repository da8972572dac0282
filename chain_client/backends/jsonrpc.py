"""chain_client's backend over any Ethereum JSON-RPC node (anvil in tests, Besu in the consortium).

Requests go through web3.py's ``HTTPProvider`` as raw JSON-RPC (keep-alive session, no result
formatters), and answers are parsed by ``chain_client.types``, the same parser the embedded node's
answers go through.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from eth_typing import ChecksumAddress
from web3 import HTTPProvider
from web3.types import RPCEndpoint

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


class JsonRpcError(BackendUnavailable):
    """The node answered a request with a JSON-RPC error that is not a revert or a rejection."""

    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__(f"{method} failed: [{code}] {message}")
        self.code = code


class JsonRpcBackend:
    """A chain behind an HTTP JSON-RPC URL."""

    name = "jsonrpc"

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self._provider = HTTPProvider(url, request_kwargs={"timeout": timeout})
        self._chain_id: int | None = None

    def request(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call; returns ``result`` or raises a chain_client error."""
        try:
            response = self._provider.make_request(RPCEndpoint(method), list(params))
        except (requests.RequestException, OSError) as exc:
            raise BackendUnavailable(f"{method} to {self.url} failed: {exc}") from exc
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
        delay = 0.0
        while True:
            receipt = self.get_receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() >= deadline:
                raise TransactionTimeout(f"no receipt for 0x{tx_hash.hex()} within {timeout} s")
            time.sleep(delay)
            delay = min(0.2, delay * 2 or 0.002)

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
        """Nothing to release: the HTTP session is closed with the process."""


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
