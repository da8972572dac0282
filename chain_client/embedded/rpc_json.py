"""Render py-evm objects in Ethereum JSON-RPC form (hex quantities, 0x-data, checksum-free addresses).

The embedded node answers in exactly the shape an Ethereum node would (the execution-apis schemas,
``blockTimestamp`` on transactions and logs, as geth gives it), so that its JSON-RPC
endpoint, ordinary Ethereum tools and chain_client's own parsing all see one format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils import encode_hex

from chain_client.types import checksum_address

RpcObject = dict[str, Any]

# py-evm's abstract types lack the fork-specific fields rendered here (base fee, blob gas, requests
# hash, typed-transaction fields), so the rendered objects are taken as what they are at run time.
Header = Any
Block = Any
Transaction = Any
PyEvmReceipt = Any


def quantity(value: int) -> str:
    """An integer as a JSON-RPC quantity (``0x`` hex, no leading zeros)."""
    return hex(value)


def data(value: bytes) -> str:
    """Bytes as JSON-RPC data (``0x`` hex, two digits a byte)."""
    return encode_hex(value)


def address(value: bytes) -> str:
    return checksum_address(value)


def _topic(value: int) -> str:
    return data(value.to_bytes(32, "big"))


def render_header(header: Header) -> RpcObject:
    rendered: RpcObject = {
        "number": quantity(header.block_number),
        "hash": data(header.hash),
        "parentHash": data(header.parent_hash),
        "nonce": data(header.nonce),
        "sha3Uncles": data(header.uncles_hash),
        "logsBloom": data(header.bloom.to_bytes(256, "big")),
        "transactionsRoot": data(header.transaction_root),
        "stateRoot": data(header.state_root),
        "receiptsRoot": data(header.receipt_root),
        "miner": address(header.coinbase),
        "difficulty": quantity(header.difficulty),
        "totalDifficulty": quantity(0),
        "extraData": data(header.extra_data),
        "gasLimit": quantity(header.gas_limit),
        "gasUsed": quantity(header.gas_used),
        "timestamp": quantity(header.timestamp),
        "mixHash": data(header.mix_hash),
        "baseFeePerGas": quantity(header.base_fee_per_gas),
        "withdrawalsRoot": data(header.withdrawals_root),
        "blobGasUsed": quantity(header.blob_gas_used),
        "excessBlobGas": quantity(header.excess_blob_gas),
        "parentBeaconBlockRoot": data(header.parent_beacon_block_root),
        "requestsHash": data(header.requests_hash),
    }
    return rendered


def render_block(block: Block, full_transactions: bool) -> RpcObject:
    rendered = render_header(block.header)
    if full_transactions:
        rendered["transactions"] = [
            render_transaction(tx, block.header, index) for index, tx in enumerate(block.transactions)
        ]
    else:
        rendered["transactions"] = [data(tx.hash) for tx in block.transactions]
    rendered["uncles"] = []
    rendered["withdrawals"] = []
    rendered["size"] = quantity(len(block.encode()) if hasattr(block, "encode") else 0)
    return rendered


def effective_gas_price(tx: Transaction, base_fee: int) -> int:
    if tx.type_id is None:
        price: int = tx.gas_price
        return price
    max_fee: int = tx.max_fee_per_gas
    tip: int = tx.max_priority_fee_per_gas
    return min(max_fee, base_fee + tip)


def render_transaction(tx: Transaction, header: Header, index: int) -> RpcObject:
    rendered: RpcObject = {
        "hash": data(tx.hash),
        "nonce": quantity(tx.nonce),
        "blockHash": data(header.hash),
        "blockNumber": quantity(header.block_number),
        "blockTimestamp": quantity(header.timestamp),
        "transactionIndex": quantity(index),
        "from": address(tx.sender),
        "to": address(tx.to) if tx.to else None,
        "value": quantity(tx.value),
        "gas": quantity(tx.gas),
        "gasPrice": quantity(effective_gas_price(tx, header.base_fee_per_gas)),
        "input": data(tx.data),
        "r": quantity(tx.r),
        "s": quantity(tx.s),
    }
    if tx.type_id is None:
        rendered.update(type="0x0", v=quantity(tx.v))
        if tx.chain_id is not None:
            rendered["chainId"] = quantity(tx.chain_id)
    else:
        rendered.update(
            type=quantity(tx.type_id),
            chainId=quantity(tx.chain_id),
            v=quantity(tx.y_parity),
            yParity=quantity(tx.y_parity),
            accessList=[
                {"address": address(item_address), "storageKeys": [_topic(key) for key in keys]}
                for item_address, keys in tx.access_list
            ],
        )
        if tx.type_id >= 2:
            rendered.update(
                maxFeePerGas=quantity(tx.max_fee_per_gas),
                maxPriorityFeePerGas=quantity(tx.max_priority_fee_per_gas),
            )
    return rendered


def render_receipt(
    receipt: PyEvmReceipt,
    tx: Transaction,
    header: Header,
    index: int,
    gas_used: int,
    first_log_index: int,
    contract_address: bytes | None,
) -> RpcObject:
    """Render one receipt; ``gas_used`` is this transaction's own (the receipt holds the cumulative)."""
    logs = [
        render_log(log.address, log.topics, log.data, header, tx.hash, index, first_log_index + offset)
        for offset, log in enumerate(receipt.logs)
    ]
    return {
        "transactionHash": data(tx.hash),
        "transactionIndex": quantity(index),
        "blockHash": data(header.hash),
        "blockNumber": quantity(header.block_number),
        "from": address(tx.sender),
        "to": address(tx.to) if tx.to else None,
        "cumulativeGasUsed": quantity(receipt.gas_used),
        "gasUsed": quantity(gas_used),
        "effectiveGasPrice": quantity(effective_gas_price(tx, header.base_fee_per_gas)),
        "contractAddress": address(contract_address) if contract_address else None,
        "logs": logs,
        "logsBloom": data(receipt.bloom.to_bytes(256, "big")),
        "status": quantity(1 if receipt.state_root == b"\x01" else 0),
        "type": quantity(tx.type_id or 0),
    }


def render_log(
    log_address: bytes,
    topics: Sequence[int],
    log_data: bytes,
    header: Header,
    tx_hash: bytes,
    tx_index: int,
    log_index: int,
) -> RpcObject:
    return {
        "address": address(log_address),
        "topics": [_topic(topic) for topic in topics],
        "data": data(log_data),
        "blockNumber": quantity(header.block_number),
        "blockHash": data(header.hash),
        "blockTimestamp": quantity(header.timestamp),
        "transactionHash": data(tx_hash),
        "transactionIndex": quantity(tx_index),
        "logIndex": quantity(log_index),
        "removed": False,
    }
