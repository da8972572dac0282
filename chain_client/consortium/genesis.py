"""The Besu QBFT genesis of the consortium network.

Follows besu-docs ``private-networks/how-to/configure/consensus/qbft.md`` ("Genesis file": ``config.qbft``,
``difficulty`` 0x1, the Istanbul ``mixHash``, ``extraData`` with the validators) and
``private-networks/how-to/configure/free-gas.md`` (``zeroBaseFee``: every block's base fee is 0).

Fee policy: free gas. Transactions still use gas (the block gas limit bounds the work in a block) but
the price is 0, so bank and institution accounts need no native balance; ``alloc`` is empty.
The ledger's contracts are not pre-allocated: they are deployed by the first bank after the network
starts (``python -m chain_client consortium deploy``).

EVM rules: Cancun from block 0, the newest fork a Besu QBFT genesis needs no system contracts for
(Prague makes Besu require the EIP-7002/7251 request contracts and the deposit contract in genesis,
Besu ``RequestContractAddresses.fromGenesis``). The contracts are compiled for Prague, but their
runtime code uses nothing newer than Cancun's opcodes (checked in
``tests/chain_client/consortium/test_genesis.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from chain_client.consortium.extra_data import encode_genesis_extra_data
from chain_client.consortium.network import Network

ISTANBUL_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
"""Besu's BFT mixHash constant ("Istanbul block identification", besu-docs qbft.md)."""

BLOCK_MILESTONES = (
    "homesteadBlock",
    "eip150Block",
    "eip155Block",
    "eip158Block",
    "byzantiumBlock",
    "constantinopleBlock",
    "petersburgBlock",
    "istanbulBlock",
    "muirGlacierBlock",
    "berlinBlock",
    "londonBlock",
)
TIME_MILESTONES = ("shanghaiTime", "cancunTime")


_Address = TypeVar("_Address", bound=str)


def sorted_validators(addresses: Sequence[_Address]) -> list[_Address]:
    """Validators in ascending order of their 20 bytes, as Besu's documentation asks for genesis."""
    return sorted(addresses, key=lambda address: bytes.fromhex(address.removeprefix("0x")))


def build_genesis(network: Network) -> dict[str, Any]:
    """The genesis JSON object (Besu's genesis format) of ``network``."""
    config: dict[str, Any] = {"chainId": network.chain_id}
    config.update(dict.fromkeys(BLOCK_MILESTONES, 0))
    config.update(dict.fromkeys(TIME_MILESTONES, 0))
    config["zeroBaseFee"] = True
    config["qbft"] = {
        "blockperiodseconds": network.qbft.block_period_seconds,
        "epochlength": network.qbft.epoch_length,
        "requesttimeoutseconds": network.qbft.request_timeout_seconds,
    }
    return {
        "config": config,
        "nonce": "0x0",
        "timestamp": hex(network.genesis_timestamp),
        "extraData": encode_genesis_extra_data(list(network.genesis_validators)),
        "gasLimit": hex(network.block_gas_limit),
        "baseFeePerGas": "0x0",
        "difficulty": "0x1",
        "mixHash": ISTANBUL_MIX_HASH,
        "coinbase": "0x" + "00" * 20,
        "alloc": {},
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": "0x" + "00" * 32,
    }
