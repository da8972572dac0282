"""Goods lots (``contracts/ResourceTracker.sol``): opened from a received pledge or a payee's purchase, then
followed checkpoint by checkpoint, each signed by the lot's current holder, to the beneficiary's sign-off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.core.errors import ERROR_RESPONSES, NotFound
from api.core.natspec import describe
from api.deps import PlatformDep, Signer
from api.schemas.common import JSON_SAFE_MAX, AsOf, Transaction, digest_of_text, hex0x
from api.schemas.lots import CheckpointIn, CheckpointOut, LotOut
from chain_client.contracts import Checkpoint, LotStatus

router = APIRouter(prefix="/lots", tags=["lots"], responses=ERROR_RESPONSES)

LotId = Annotated[int, Path(ge=1, le=JSON_SAFE_MAX)]


@router.get("/{lot_id}", response_model=LotOut)
def get_lot(lot_id: LotId, platform: PlatformDep) -> LotOut:
    """A goods lot: who holds it, where it is on its way, where it came from (no sign-in)."""
    block = platform.client.block_number()
    lot = platform.ledger.welfare.tracker.lot_of(lot_id, block=block)
    if lot.status is LotStatus.NONE:
        raise NotFound(f"no lot {lot_id}")
    return LotOut(
        lot_id=lot_id,
        pool_id=lot.pool_id,
        holder=lot.holder,
        status=lot.status.name.lower(),
        source=lot.source.name.lower(),
        source_ref=hex0x(lot.source_ref),
        goods_type=hex0x(lot.goods_type),
        quantity=lot.quantity,
        as_of=AsOf(block_number=block),
    )


@router.post(
    "/{lot_id}/checkpoints",
    response_model=CheckpointOut,
    status_code=201,
    description=describe(
        "The lot's current holder records the next checkpoint (shipped, in transit, received, handed to the "
        "beneficiary, signed off by the beneficiary), handing the lot on where that applies.",
        ("ResourceTracker", "recordCheckpoint"),
    ),
)
def record_checkpoint(
    lot_id: LotId, body: CheckpointIn, holder: Signer, platform: PlatformDep
) -> CheckpointOut:
    tracker = platform.ledger.welfare.tracker
    result = tracker.record_checkpoint(
        holder,
        lot_id,
        Checkpoint[body.checkpoint.upper()],
        body.next_holder,
        digest_of_text(body.evidence) if body.evidence else b"\x00" * 32,
    )
    event = result.event("CheckpointRecorded")
    return CheckpointOut(
        lot_id=lot_id,
        checkpoint=body.checkpoint,
        holder=event["holder"],
        transaction=Transaction.of(result.receipt),
    )
