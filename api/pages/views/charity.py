"""The charity's pages: its plans with inflows, outflows, balances and locked amounts; launching a plan; the
payment orders awaiting its signature (each opened on :mod:`api.pages.views.orders` before it signs)."""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.core.roles import CHARITY_ROLES
from api.indexer import OrderSummary, PlanDetail
from api.pages.context import PREFIX, PageContext, PageDep
from api.pages.problems import ACTION_ERRORS, problem_of
from api.pages.rendering import render
from api.routes import plans
from api.schemas.plans import InKindWanted, PlanLaunch

router = APIRouter(prefix=f"{PREFIX}/charity", include_in_schema=False)


def awaiting(orders: list[OrderSummary], account: str) -> list[OrderSummary]:
    """The issued orders whose signature ``account`` still owes (as their charity or their payee)."""
    return [
        order
        for order in orders
        if order.status == "issued"
        and (
            (order.charity.address == account and not order.charity_signed)
            or (order.payee.address == account and not order.payee_signed)
        )
    ]


def _charity_page(
    ctx: PageContext, *, launched: Any = None, problem: Any = None, status: int = 200
) -> Response:
    viewer = ctx.require(*CHARITY_ROLES)
    read_model = ctx.platform.read_model
    if read_model is None:
        return render(ctx, "error.html", message=ctx.t("error.no_read_model"), status=503)
    summaries = read_model.plans(charity=viewer.account, limit=200).items
    details: list[PlanDetail] = [d for d in (read_model.plan(p.pool_id) for p in summaries) if d is not None]
    orders = read_model.orders(party=viewer.account, limit=200)
    return render(
        ctx,
        "charity.html",
        plans=details,
        to_sign=awaiting(orders.items, viewer.account),
        orders=orders.items,
        launched=launched,
        problem=problem,
        as_of=orders.as_of_block,
        default_deadline=_chain_day(ctx, 30),
        status=status,
    )


def _chain_day(ctx: PageContext, days: int) -> str:
    """A date ``days`` after the chain's latest block, for the launch form's default deadline."""
    latest = ctx.platform.client.backend.get_block("latest")
    now = latest.timestamp if latest is not None else 0
    return datetime.datetime.fromtimestamp(now + days * 86_400, tz=datetime.UTC).strftime("%Y-%m-%d")


@router.get("")
def charity_home(ctx: PageDep) -> Response:
    return _charity_page(ctx)


def parse_date(text: str) -> int:
    """``YYYY-MM-DD`` (end of that day, UTC) or ``YYYY-MM-DDTHH:MM`` (UTC) as unix seconds."""
    text = text.strip()
    if "T" in text:
        moment = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)
        return int(moment.timestamp())
    day = datetime.date.fromisoformat(text)
    return int(datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=datetime.UTC).timestamp())


@router.post("/plans")
async def launch(ctx: PageDep) -> Response:
    """Launch a relief plan through the plans route (``POST /plans``)."""
    viewer = ctx.require(*CHARITY_ROLES)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        in_kind = []
        if fields.get("goods_type", "").strip():
            in_kind.append(
                InKindWanted(
                    goods_type=fields["goods_type"].strip(), quantity=int(fields.get("goods_quantity", "0"))
                )
            )
        body = PlanLaunch(
            purpose=fields.get("purpose", ""),
            deadline=parse_date(fields.get("deadline", "")),
            money_target=fields.get("money_target") or None,
            in_kind=in_kind,
            needs_government_approval=fields.get("needs_government_approval") == "on",
            government_transfer_allowed=fields.get("government_transfer_allowed") == "on",
            unspent="move_to_plan" if fields.get("unspent") == "move_to_plan" else "refund",
            successor_pool_id=fields.get("successor_pool_id", "").strip() or None,
        )
        key = platform.sessions.key_of(viewer.session)
        launched = plans.launch_plan(body, viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _charity_page(ctx, problem=found, status=found.status)
    return _charity_page(ctx, launched=launched)
