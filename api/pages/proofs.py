""" "Check it yourself": for each step of a verified flow, the exact JSON-RPC calls that prove it on any node.

A step is one event (block number, transaction hash, log index). Anyone can ask their own node of the
ledger's chain for the transaction's receipt (``eth_getTransactionReceipt``, Ethereum execution API) and find
in its ``logs`` the entry whose ``logIndex`` is the step's, emitted by the contract's address, whose
``topics[0]`` is keccak256 of the event's signature; ``eth_getBlockByNumber`` gives the block's hash and time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from eth_utils import keccak

from api.audit.trail import event_signature
from api.indexer.models import EventProof
from chain_client.abi import ContractAbi

__all__ = ["ProofStep", "curl", "proof_steps"]


def curl(rpc_url: str, method: str, params: list[object]) -> str:
    """The curl command line of one JSON-RPC call (POSIX shell quoting)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, separators=(",", ":"))
    return f"curl -s -X POST -H 'Content-Type: application/json' --data '{body}' {rpc_url}"


@dataclass(frozen=True)
class ProofStep:
    number: int
    proof: EventProof
    address: str | None
    signature: str | None
    topic0: str | None
    receipt_call: str
    block_call: str

    @property
    def block_hex(self) -> str:
        return hex(self.proof.block_number)

    @property
    def log_index_hex(self) -> str:
        return hex(self.proof.log_index)


def proof_steps(
    proofs: list[EventProof],
    *,
    rpc_url: str,
    contracts: Mapping[str, str],
    abi_of: Callable[[str], ContractAbi],
) -> list[ProofStep]:
    """One :class:`ProofStep` per proof, numbered from 1 in the order given."""
    steps = []
    for number, proof in enumerate(proofs, start=1):
        signature = topic0 = None
        try:
            entry = abi_of(proof.contract).events_by_name.get(proof.event)
        except Exception:  # no compiled ABI of that name: the step is still checkable by hash and index
            entry = None
        if entry is not None:
            signature = event_signature(entry)
            topic0 = "0x" + keccak(text=signature).hex()
        steps.append(
            ProofStep(
                number=number,
                proof=proof,
                address=contracts.get(proof.contract),
                signature=signature,
                topic0=topic0,
                receipt_call=curl(rpc_url, "eth_getTransactionReceipt", [proof.tx_hash]),
                block_call=curl(rpc_url, "eth_getBlockByNumber", [hex(proof.block_number), False]),
            )
        )
    return steps
