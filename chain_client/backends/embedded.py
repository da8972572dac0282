"""chain_client's backend over an in-process ``EmbeddedNode`` (no sockets, no serialisation)."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress
from eth_utils import to_canonical_address

from chain_client.embedded.index import LogQuery
from chain_client.embedded.node import CallRequest, EmbeddedNode
from chain_client.types import Block, BlockId, CallParams, Log, LogFilter, Receipt


class EmbeddedBackend:
    """Adapts the embedded node's calls to the ``Backend`` interface."""

    name = "embedded"

    def __init__(self, node: EmbeddedNode, *, owns_node: bool = True) -> None:
        self.node = node
        self._owns_node = owns_node

    def chain_id(self) -> int:
        return self.node.chain_id

    def block_number(self) -> int:
        return self.node.block_number()

    def get_block(self, block: BlockId | bytes) -> Block | None:
        raw = self.node.get_block(block)
        return None if raw is None else Block.from_rpc(raw)

    def get_nonce(self, account: ChecksumAddress, block: BlockId = "pending") -> int:
        return self.node.get_nonce(to_canonical_address(account), block)

    def get_balance(self, account: ChecksumAddress, block: BlockId = "latest") -> int:
        return self.node.get_balance(to_canonical_address(account), block)

    def get_code(self, account: ChecksumAddress, block: BlockId = "latest") -> bytes:
        return self.node.get_code(to_canonical_address(account), block)

    def next_base_fee(self) -> int:
        return self.node.next_base_fee()

    def call(self, params: CallParams, block: BlockId = "latest") -> bytes:
        return self.node.call(_request(params), block)

    def estimate_gas(self, params: CallParams) -> int:
        return self.node.estimate_gas(_request(params))

    def send_raw_transaction(self, raw: bytes) -> bytes:
        return self.node.send_raw_transaction(raw)

    def wait_for_receipt(self, tx_hash: bytes, timeout: float) -> Receipt:
        return Receipt.from_rpc(self.node.wait_for_receipt(tx_hash, timeout))

    def get_receipt(self, tx_hash: bytes) -> Receipt | None:
        raw = self.node.get_receipt(tx_hash)
        return None if raw is None else Receipt.from_rpc(raw)

    def get_transaction(self, tx_hash: bytes) -> dict[str, Any] | None:
        return self.node.get_transaction(tx_hash)

    def get_logs(self, log_filter: LogFilter) -> list[Log]:
        query = LogQuery(
            from_block=log_filter.from_block,
            to_block=log_filter.to_block,
            addresses=[to_canonical_address(address) for address in log_filter.addresses],
            topics=log_filter.topics,
        )
        return [Log.from_rpc(raw) for raw in self.node.get_logs(query)]

    def snapshot(self) -> int:
        return self.node.snapshot()

    def advance_time(self, seconds: int) -> None:
        self.node.advance_time(seconds)

    def revert(self, snapshot_id: int) -> None:
        self.node.revert(snapshot_id)

    def close(self) -> None:
        if self._owns_node:
            self.node.close()


def _request(params: CallParams) -> CallRequest:
    return CallRequest(
        to=None if params.to is None else to_canonical_address(params.to),
        sender=to_canonical_address(params.sender) if params.sender else b"\x00" * 20,
        data=params.data,
        value=params.value,
        gas=params.gas,
    )
