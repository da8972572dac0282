"""The donor's pages: plans open for gifts with their progress; give money, points or goods; my gifts and
where each went; a PDF receipt of each gift. Gifts go through the donation routes' own functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from api.core.assets import amount_of
from api.indexer import Amount, DonationRecord, PlanSummary, ReadModel
from api.pages.context import PREFIX, PageContext, PageDenied, PageDep
from api.pages.problems import ACTION_ERRORS, problem_of
from api.pages.receipts import receipt_facts, receipt_pdf
from api.pages.rendering import render
from api.pages.views.public import verify_url
from api.routes import donations
from api.schemas.donations import AssetDonation, GoodsPledge, MoneyDonation
from api.verify import EdgeKind, NodeKind, verify_transaction

router = APIRouter(prefix=f"{PREFIX}/donor", include_in_schema=False)


@dataclass(frozen=True)
class Destination:
    """Where part of a gift is now: an edge out of its plan (or what the plan still holds)."""

    kind: str
    name: str | None
    share: Amount


@dataclass(frozen=True)
class Gift:
    record: DonationRecord
    destinations: list[Destination]


def progress(plan: PlanSummary) -> int:
    """Percent of the money target given so far (0 without a target)."""
    target = int(plan.money_target.base_units)
    return min(100, int(plan.donated.base_units) * 100 // target) if target else 0


def _destinations(read_model: ReadModel, record: DonationRecord) -> list[Destination]:
    try:
        found = verify_transaction(read_model, record.proof.tx_hash)
    except ACTION_ERRORS:
        return []
    nodes = {node.id: node for node in found.flow.nodes}
    plan = next((node for node in found.flow.nodes if node.kind is NodeKind.PLAN), None)
    out: list[Destination] = []
    for edge in found.flow.edges:
        if edge.share is None or int(edge.share.base_units) == 0:
            continue
        if edge.kind in (EdgeKind.PAID, EdgeKind.TO_GOVERNMENT, EdgeKind.REFUNDED, EdgeKind.MOVED):
            target = nodes.get(edge.target)
            out.append(Destination(edge.kind.value, target.name if target else None, edge.share))
    if plan is not None:
        for held in plan.details.get("held", []):
            share = Amount.model_validate(held["share"])
            if int(share.base_units):
                out.append(Destination("held", None, share))
    return out


def _donor_page(ctx: PageContext, *, problem: Any = None, status: int = 200) -> Response:
    viewer = ctx.require()
    platform = ctx.platform
    read_model = platform.read_model
    if read_model is None:
        return render(ctx, "error.html", message=ctx.t("error.no_read_model"), status=503)
    plans = read_model.plans(status="open", limit=100).items
    details = {plan.pool_id: read_model.plan(plan.pool_id) for plan in plans}
    in_kind = {pool_id: detail.in_kind if detail is not None else [] for pool_id, detail in details.items()}
    gifts_page = read_model.donations(donor=viewer.account, limit=100)
    gifts = [Gift(record, _destinations(read_model, record)) for record in reversed(gifts_page.items)]
    balance = amount_of(platform, 0, platform.ledger.foundation.deposit_token.balance_of(viewer.account))
    assets = []
    issued = read_model.events(account=viewer.account, name="AssetIssued", limit=100).items
    for asset_id in sorted({int(event.args["assetId"]) for event in issued}):
        held = platform.ledger.welfare.assets.balance_of(viewer.account, asset_id)
        if held:
            assets.append((str(asset_id), amount_of(platform, asset_id, held)))
    return render(
        ctx,
        "donor.html",
        plans=plans,
        in_kind=in_kind,
        progress=progress,
        gifts=gifts,
        balance=balance,
        assets=assets,
        problem=problem,
        as_of=gifts_page.as_of_block,
        status=status,
    )


@router.get("")
def donor_home(ctx: PageDep) -> Response:
    return _donor_page(ctx)


@router.post("/gifts")
async def give(ctx: PageDep) -> Response:
    """Give money, points or goods (the form's ``form``), through the donation routes."""
    viewer = ctx.require()
    fields = await ctx.form()
    platform = ctx.platform
    try:
        donor = platform.sessions.key_of(viewer.session)
        pool_id = int(fields.get("pool_id", "0"))
        form = fields.get("form", "money")
        if form == "money":
            given = donations.donate_money(
                MoneyDonation(pool_id=pool_id, amount=fields.get("amount", "")), donor, platform
            )
            tx_hash = given.tx_hash
        elif form == "points":
            given = donations.donate_asset(
                AssetDonation(
                    pool_id=pool_id, asset_id=fields.get("asset_id", ""), amount=fields.get("amount", "")
                ),
                donor,
                platform,
            )
            tx_hash = given.tx_hash
        elif form == "goods":
            pledged = donations.pledge_goods(
                GoodsPledge(
                    pool_id=pool_id,
                    goods_type=fields.get("goods_type", ""),
                    quantity=int(fields.get("quantity", "0")),
                    details=fields.get("details", "") or "-",
                ),
                donor,
                platform,
            )
            tx_hash = pledged.tx_hash
        else:
            raise PageDenied("denied.bad_form", status=422)
    except ACTION_ERRORS as exc:
        return _donor_page(ctx, problem=problem_of(exc), status=problem_of(exc).status)
    return RedirectResponse(f"{PREFIX}/donor/gifts/{tx_hash}?form={form}", status_code=303)


@router.get("/gifts/{tx_hash}")
def gift(tx_hash: str, ctx: PageDep, form: str = "money") -> Response:
    """The page after a gift: its receipt (the transaction hash), the verify link, the PDF receipt."""
    ctx.require()
    return render(ctx, "gift.html", tx_hash=tx_hash, form=form, link=verify_url(ctx.platform, tx_hash))


@router.get("/receipts/{tx_hash}.pdf")
def receipt(tx_hash: str, ctx: PageDep, name: str = "") -> Response:
    """The PDF receipt of the viewer's gift in transaction ``tx_hash`` (``name``: the display name to print;
    empty: anonymous)."""
    viewer = ctx.require()
    read_model = ctx.platform.read_model
    facts = receipt_facts(read_model, tx_hash, viewer.account) if read_model is not None else None
    if facts is None:
        raise PageDenied("denied.no_gift", status=404)
    display = name.strip()[:60] or None
    pdf = receipt_pdf(facts, verify_url=verify_url(ctx.platform, facts.tx_hash), display_name=display)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="receipt-{facts.tx_hash[:10]}.pdf"'},
    )
