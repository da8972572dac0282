"""The regulator's audit-trail export (``api/audit/trail_export.py``): every ledger event, or a filtered part,
as CSV or JSON Lines with a manifest, zipped. ``python -m api.audit verify EXPORT --rpc URL`` checks it
against any JSON-RPC node."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.audit.trail_export import TrailFilters, export_trail
from api.core.errors import ERROR_RESPONSES
from api.deps import ReadModelDep, RegulatorRoles
from api.schemas.common import JSON_SAFE_MAX

router = APIRouter(prefix="/audit-trail", tags=["regulator"], responses=ERROR_RESPONSES)

Block = Annotated[int | None, Query(ge=0, le=JSON_SAFE_MAX)]


def trail_filters(
    pool_id: Annotated[
        int | None, Query(ge=1, le=JSON_SAFE_MAX, description="only events of this plan")
    ] = None,
    account: Annotated[
        str | None,
        Query(pattern=r"^0x[0-9a-fA-F]{40}$", description="only events naming this account (an institution)"),
    ] = None,
    event: Annotated[
        str | None, Query(max_length=64, description="only this kind of entry: the event's name")
    ] = None,
    contract: Annotated[str | None, Query(max_length=64, description="only this contract's events")] = None,
    from_block: Block = None,
    to_block: Block = None,
    from_time: Annotated[int | None, Query(ge=0, le=JSON_SAFE_MAX, description="block time, unix s")] = None,
    to_time: Annotated[int | None, Query(ge=0, le=JSON_SAFE_MAX, description="block time, unix s")] = None,
) -> TrailFilters:
    return TrailFilters(
        pool_id=pool_id,
        account=account,
        event=event,
        contract=contract,
        from_block=from_block,
        to_block=to_block,
        from_time=from_time,
        to_time=to_time,
    )


@router.get(
    "",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "the data file and manifest.json"}},
)
def export(
    _: RegulatorRoles,
    read_model: ReadModelDep,
    filters: Annotated[TrailFilters, Depends(trail_filters)],
    fmt: Annotated[Literal["csv", "jsonl"], Query(alias="format", description="csv or jsonl")] = "csv",
) -> Response:
    """The audit trail as of the read model's newest block (regulator role): a zip holding the data file (one
    row per event: block number, hash and time, transaction hash, log index, contract, event, decoded
    arguments) and ``manifest.json`` (row count, the data file's SHA-256, the head block's number and hash,
    the chain id, the contracts' addresses, the filters)."""
    made = export_trail(read_model, filters, fmt)
    return Response(
        made.archive(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{made.archive_name}"'},
    )
