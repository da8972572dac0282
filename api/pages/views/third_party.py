"""The third party's pages (a supplier, a hospital, a logistics firm): the payment orders it is to fulfil and
sign (each opened on :mod:`api.pages.views.orders`), and the goods lots it holds or handled, with the next
custody checkpoint recorded through the lots route (``POST /lots/{id}/checkpoints``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.core.roles import THIRD_PARTY_ROLES
from api.pages.context import PREFIX, PageContext, PageDep
from api.pages.problems import ACTION_ERRORS, problem_of
from api.pages.rendering import render
from api.pages.views.charity import awaiting
from api.routes import lots
from api.schemas.lots import CheckpointIn

router = APIRouter(prefix=PREFIX, include_in_schema=False)

CHECKPOINTS = ("shipped", "in_transit", "received", "handed_to_beneficiary", "signed_off")


def _third_party_page(
    ctx: PageContext, *, recorded: Any = None, problem: Any = None, status: int = 200
) -> Response:
    viewer = ctx.require(*THIRD_PARTY_ROLES)
    read_model = ctx.platform.read_model
    if read_model is None:
        return render(ctx, "error.html", message=ctx.t("error.no_read_model"), status=503)
    orders = read_model.orders(party=viewer.account, limit=200)
    held = read_model.lots(involving=viewer.account, limit=200)
    return render(
        ctx,
        "third_party.html",
        to_sign=awaiting(orders.items, viewer.account),
        orders=orders.items,
        lots=held.items,
        checkpoints=CHECKPOINTS,
        recorded=recorded,
        problem=problem,
        as_of=orders.as_of_block,
        status=status,
    )


@router.get("/third-party")
def third_party_home(ctx: PageDep) -> Response:
    return _third_party_page(ctx)


@router.post("/lots/{lot_id}/checkpoints")
async def record_checkpoint(lot_id: int, ctx: PageDep) -> Response:
    """The lot's holder records its next checkpoint (the route checks, the contract decides)."""
    viewer = ctx.require(*THIRD_PARTY_ROLES)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        body = CheckpointIn(
            checkpoint=fields.get("checkpoint", ""),
            next_holder=fields.get("next_holder") or None,
            evidence=fields.get("evidence") or None,
        )
        key = platform.sessions.key_of(viewer.session)
        recorded = lots.record_checkpoint(lot_id, body, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _third_party_page(ctx, problem=found, status=found.status)
    return _third_party_page(ctx, recorded=recorded)
