"""The regulator's pages: every ledger entry with filters (plan, institution, kind, time, block range), the
export of what is shown (CSV or JSON Lines with a manifest, :mod:`api.audit.trail_export`), open disputes and
orders with mismatches, and the suspend, reinstate and freeze actions (the regulator routes' own functions)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response

from api.audit.trail_export import TrailFilters, TrailPage, export_trail, trail_page
from api.core.roles import Role
from api.pages.context import PREFIX, PageContext, PageDep, path_address, path_hash
from api.pages.problems import ACTION_ERRORS, Problem, problem_of
from api.pages.rendering import render
from api.routes import regulator
from api.schemas.regulator import Freeze, Suspension

router = APIRouter(prefix=f"{PREFIX}/regulator", include_in_schema=False)

PAGE_SIZE: Final = 50
FILTER_FIELDS: Final = ("pool_id", "account", "event", "from_time", "to_time", "from_block", "to_block")


def _optional_int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def _time(value: str | None) -> int | None:
    """A ``datetime-local`` value (taken as UTC) as unix seconds."""
    if not value:
        return None
    moment = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())


def filters_of(params: Mapping[str, str]) -> TrailFilters:
    """The trail filters a page's query gives (empty fields: no filter). Raises ``ValueError``."""
    event = (params.get("event") or "").strip() or None
    return TrailFilters(
        pool_id=_optional_int(params.get("pool_id")),
        account=(params.get("account") or "").strip() or None,
        event=event,
        from_block=_optional_int(params.get("from_block")),
        to_block=_optional_int(params.get("to_block")),
        from_time=_time(params.get("from_time")),
        to_time=_time(params.get("to_time")),
    )


def _query_of(params: Mapping[str, str]) -> str:
    return urlencode({key: params[key] for key in FILTER_FIELDS if params.get(key)})


def _entries(ctx: PageContext) -> tuple[TrailPage | None, Problem | None, int]:
    params = dict(ctx.request.query_params)
    offset = max(0, _optional_int(params.get("offset")) or 0)
    read_model = ctx.platform.read_model
    if read_model is None:
        return None, Problem(503, "ReadModelUnavailable", ctx.t("error.no_read_model")), offset
    try:
        return trail_page(read_model, filters_of(params), offset=offset, limit=PAGE_SIZE), None, offset
    except ACTION_ERRORS as exc:
        return None, problem_of(exc), offset


def _event_names(ctx: PageContext) -> list[str]:
    names: set[str] = set()
    for contract in dict(ctx.platform.ledger.addresses()):
        names.update(ctx.platform.client.abi(contract).events_by_name)
    return sorted(names)


def _regulator_page(
    ctx: PageContext, *, done: Any = None, problem: Any = None, status: int = 200
) -> Response:
    ctx.require(Role.REGULATOR)
    read_model = ctx.platform.read_model
    if read_model is None:
        return render(ctx, "error.html", message=ctx.t("error.no_read_model"), status=503)
    page, filter_problem, offset = _entries(ctx)
    params = dict(ctx.request.query_params)
    issued = read_model.orders(status="issued", limit=200).items
    return render(
        ctx,
        "regulator.html",
        page=page,
        offset=offset,
        page_size=PAGE_SIZE,
        filter_problem=filter_problem,
        params=params,
        filter_query=_query_of(params),
        event_names=_event_names(ctx),
        institutions=read_model.institutions(limit=500).items,
        plans=read_model.plans(limit=500).items,
        disputed=read_model.orders(status="disputed", limit=200).items,
        mismatched=[order for order in issued if order.mismatches],
        issued=issued,
        done=done,
        problem=problem,
        status=status if filter_problem is None else filter_problem.status,
    )


@router.get("")
def regulator_home(ctx: PageDep) -> Response:
    return _regulator_page(ctx)


@router.get("/entries")
def entries(ctx: PageDep) -> Response:
    """The entries table alone (what the filter form swaps in with htmx)."""
    ctx.require(Role.REGULATOR)
    page, filter_problem, offset = _entries(ctx)
    params = dict(ctx.request.query_params)
    return render(
        ctx,
        "regulator_entries.html",
        page=page,
        offset=offset,
        page_size=PAGE_SIZE,
        filter_problem=filter_problem,
        filter_query=_query_of(params),
        status=200 if filter_problem is None else filter_problem.status,
    )


@router.get("/export")
def export(ctx: PageDep, format: str = "csv") -> Response:
    """The entries the filters select as a zip (data file and manifest.json), like ``GET /audit-trail``."""
    ctx.require(Role.REGULATOR)
    read_model = ctx.platform.read_model
    try:
        if read_model is None:
            raise ValueError(ctx.t("error.no_read_model"))
        made = export_trail(
            read_model, filters_of(dict(ctx.request.query_params)), "jsonl" if format == "jsonl" else "csv"
        )
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _regulator_page(ctx, problem=found, status=found.status)
    return Response(
        made.archive(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{made.archive_name}"'},
    )


@router.post("/institutions/{account}/suspend")
async def suspend(account: str, ctx: PageDep) -> Response:
    viewer = ctx.require(Role.REGULATOR)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        body = Suspension(reason_code=fields.get("reason_code", "").strip().upper())
        key = platform.sessions.key_of(viewer.session)
        done = regulator.suspend(path_address(account), body, viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _regulator_page(ctx, problem=found, status=found.status)
    return _regulator_page(ctx, done=("suspended", done.transaction.tx_hash))


@router.post("/institutions/{account}/reinstate")
async def reinstate(account: str, ctx: PageDep) -> Response:
    viewer = ctx.require(Role.REGULATOR)
    await ctx.form()
    platform = ctx.platform
    try:
        key = platform.sessions.key_of(viewer.session)
        done = regulator.reinstate(path_address(account), viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _regulator_page(ctx, problem=found, status=found.status)
    return _regulator_page(ctx, done=("reinstated", done.transaction.tx_hash))


@router.post("/orders/{order_id}/freeze")
async def freeze(order_id: str, ctx: PageDep) -> Response:
    viewer = ctx.require(Role.REGULATOR)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        body = Freeze(reason=fields.get("reason", ""))
        key = platform.sessions.key_of(viewer.session)
        done = regulator.freeze(path_hash(order_id), body, viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _regulator_page(ctx, problem=found, status=found.status)
    return _regulator_page(ctx, done=("frozen", done.transaction.tx_hash))
