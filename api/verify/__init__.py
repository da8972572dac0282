"""Verification by transaction hash: what a transaction was, and the whole flow of its value, JSON-ready.

``verify_transaction(read_model, tx_hash) -> Verification`` (no sign-in, no chain access: the indexer's read
model alone). See :mod:`api.verify.models` for the shape and the pro-rata rules, ``docs/indexer.md`` for a tour.
"""

from __future__ import annotations

from api.verify.errors import InvalidTransactionHash, TransactionNotIndexed, VerifyError
from api.verify.flow import split_pro_rata
from api.verify.models import EdgeKind, FlowEdge, FlowGraph, FlowNode, NodeKind, TransactionKind, Verification
from api.verify.verification import classify, verify_transaction

__all__ = [
    "EdgeKind",
    "FlowEdge",
    "FlowGraph",
    "FlowNode",
    "InvalidTransactionHash",
    "NodeKind",
    "TransactionKind",
    "TransactionNotIndexed",
    "Verification",
    "VerifyError",
    "classify",
    "split_pro_rata",
    "verify_transaction",
]
