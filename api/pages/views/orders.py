"""A payment order as its charity or its payee sees it: the decrypted copy (opened with the key the platform
holds for the session), every check's result, and the button that signs it. The order routes' own
functions do the opening, checking and signing (``GET /orders/{id}/copy``, ``POST /orders/{id}/sign``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.core.assets import amount_of
from api.pages.context import PREFIX, PageContext, PageDep, path_hash
from api.pages.problems import ACTION_ERRORS, problem_of
from api.pages.rendering import render
from api.routes import orders

router = APIRouter(prefix=f"{PREFIX}/orders", include_in_schema=False)


def _order_page(ctx: PageContext, order_id: str, *, signed: Any = None, problem: Any = None) -> Response:
    viewer = ctx.require()
    order_id = path_hash(order_id)
    platform = ctx.platform
    read_model = platform.read_model
    summary = read_model.order(order_id) if read_model is not None else None
    status = None
    try:
        status = orders.order_status(order_id, platform)
    except ACTION_ERRORS:
        status = None
    try:
        key = platform.sessions.key_of(viewer.session)
        copy = orders.opened_copy(order_id, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return render(
            ctx,
            "order.html",
            order_id=order_id,
            copy=None,
            order_amount=None,
            summary=summary,
            order_status=status,
            signed=signed,
            problem=problem or found,
            status=found.status,
        )
    order_amount = amount_of(platform, int(copy.order.asset), int(copy.order.amount))
    return render(
        ctx,
        "order.html",
        order_id=order_id,
        copy=copy,
        order_amount=order_amount,
        summary=summary,
        order_status=status,
        signed=signed,
        problem=problem,
        status=problem.status if problem is not None else 200,
    )


@router.get("/{order_id}")
def order_page(order_id: str, ctx: PageDep) -> Response:
    return _order_page(ctx, order_id)


@router.post("/{order_id}/sign")
async def sign_order(order_id: str, ctx: PageDep) -> Response:
    viewer = ctx.require()
    order_id = path_hash(order_id)
    await ctx.form()
    platform = ctx.platform
    try:
        key = platform.sessions.key_of(viewer.session)
        signed = orders.sign_copy(order_id, key, platform)
    except ACTION_ERRORS as exc:
        return _order_page(ctx, order_id, problem=problem_of(exc))
    return _order_page(ctx, order_id, signed=signed)
