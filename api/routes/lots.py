"""Goods lots (``contracts/ResourceTracker.sol``): opened from a received pledge or a payee's purchase, then
followed checkpoint by checkpoint, each signed by the lot's current holder, to the beneficiary's sign-off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.core.errors import ERROR_RESPONSES, NotFound
from api.core.natspec import describe
from api.deps import PlatformDep, ReadModelDep, Signer
from api.indexer import MAX_PAGE, LotDetail, LotSummary, Page
from api.schemas.common import JSON_SAFE_MAX, AsOf, Transaction, digest_of_text, hex0x
from api.schemas.lots import CheckpointIn, CheckpointOut, LotOut
from chain_client.contracts import Checkpoint, LotStatus

router = APIRouter(prefix="/lots", tags=["lots"], responses=ERROR_RESPONSES)

LotId = Annotated[int, Path(ge=1, le=JSON_SAFE_MAX)]


@router.get("", response_model=Page[LotSummary])
def list_lots(
    read_model: ReadModelDep,
    pool_id: Annotated[int | None, Query(ge=1, le=JSON_SAFE_MAX)] = None,
    involving: Annotated[
        str | None,
        Query(pattern=r"^0x[0-9a-fA-F]{40}$", description="an account that held or handled the lot"),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=JSON_SAFE_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[LotSummary]:
    """Goods lots from the read model (no sign-in); ``as_of_block`` says which block the answer is as of."""
    return read_model.lots(pool_id=pool_id, involving=involving, offset=offset, limit=limit)


@router.get("/{lot_id}/history", response_model=LotDetail)
def lot_history(lot_id: LotId, read_model: ReadModelDep) -> LotDetail:
    """A lot's checkpoints, each signed by the holder then, with its proof."""
    found = read_model.lot(lot_id)
    if found is None:
        raise NotFound(f"the read model has no lot {lot_id} (as of block {read_model.as_of_block()})")
    return found


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
