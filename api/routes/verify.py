"""Verify by transaction hash (no sign-in): what a transaction was, and the whole flow of its value.

``api/verify`` answers from the indexer's read model: the transaction's kind, block, sender and decoded
events, and the flow graph of its value (donor -> plan -> locked for an order -> paid to the named payee ->
goods lot checkpoints -> the beneficiary's sign-off; or -> a local government; or -> refunded; and on
through a move to another plan), every edge with its proof (block number, transaction hash, log index) so
anyone can check it against their own node.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.core.errors import ERROR_RESPONSES
from api.deps import ReadModelDep
from api.schemas.common import Hash32
from api.verify import Verification, verify_transaction

router = APIRouter(prefix="/verify", tags=["verify"], responses=ERROR_RESPONSES)


@router.get("/{tx_hash}", response_model=Verification)
def verify(tx_hash: Hash32, read_model: ReadModelDep) -> Verification:
    """What transaction ``tx_hash`` was and where its value went, as of the newest indexed block (404 while
    the transaction is not mined or not yet indexed, or when it is not a ledger transaction)."""
    return verify_transaction(read_model, tx_hash)
