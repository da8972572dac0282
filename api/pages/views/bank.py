"""The bank's pages: institutions to audit, each on a side-by-side page (the certificate images, the fields OCR
read, the government-registry record, differences marked) from which the bank audits it; plan audits; issuing
a payment order; escrow totals. Every action goes through the routes' own functions."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.audit.institution_audit import ReviewItem, evaluate
from api.core.applications import ApplicationRecord
from api.core.assets import amount_of
from api.core.roles import Role
from api.indexer import Amount, ReadModel
from api.intake.key_info import FieldName
from api.pages.context import PREFIX, PageContext, PageDenied, PageDep, path_address
from api.pages.problems import ACTION_ERRORS, problem_of
from api.pages.rendering import render
from api.routes import institutions, orders, plans
from api.schemas.institutions import OfficerReview
from api.schemas.orders import OrderIssue
from api.schemas.plans import Decision

router = APIRouter(prefix=f"{PREFIX}/bank", include_in_schema=False)

THIRD_PARTY_KINDS = ("supplier", "hospital", "logistics")
_LOCKED = ("issued", "disputed")
_RETURNED = ("refunded", "expired", "cancelled")


@dataclass(frozen=True)
class EscrowTotals:
    """Money in payment orders, by where it is: locked now, paid to payees, returned to plans."""

    locked: Amount
    paid: Amount
    returned: Amount
    orders: int


def escrow_totals(ctx: PageContext, read_model: ReadModel) -> EscrowTotals:
    sums = {"locked": 0, "paid": 0, "returned": 0}
    count = 0
    offset: int | None = 0
    while offset is not None:
        page = read_model.orders(offset=offset, limit=500)
        for order in page.items:
            if order.amount.asset != "0":
                continue
            count += 1
            units = int(order.amount.base_units)
            if order.status in _LOCKED:
                sums["locked"] += units
            elif order.status == "released":
                sums["paid"] += units
            elif order.status in _RETURNED:
                sums["returned"] += units
        offset = page.next_offset
    platform = ctx.platform
    return EscrowTotals(
        locked=amount_of(platform, 0, sums["locked"]),
        paid=amount_of(platform, 0, sums["paid"]),
        returned=amount_of(platform, 0, sums["returned"]),
        orders=count,
    )


def _bank_page(ctx: PageContext, *, done: Any = None, problem: Any = None, status: int = 200) -> Response:
    ctx.require(Role.BANK)
    read_model = ctx.platform.read_model
    if read_model is None:
        return render(ctx, "error.html", message=ctx.t("error.no_read_model"), status=503)
    pending = read_model.institutions(status="pending", limit=200)
    payees = [
        institution
        for kind in THIRD_PARTY_KINDS
        for institution in read_model.institutions(kind=kind, status="approved", limit=200).items
    ]
    return render(
        ctx,
        "bank.html",
        pending=pending.items,
        launched=read_model.plans(status="launched", limit=200).items,
        open_plans=read_model.plans(status="open", limit=200).items,
        payees=payees,
        totals=escrow_totals(ctx, read_model),
        done=done,
        problem=problem,
        as_of=pending.as_of_block,
        status=status,
    )


@router.get("")
def bank_home(ctx: PageDep) -> Response:
    return _bank_page(ctx)


@router.post("/plans/{pool_id}/audit")
async def audit_plan(pool_id: int, ctx: PageDep) -> Response:
    viewer = ctx.require(Role.BANK)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        body = Decision(passed=fields.get("passed") == "yes", report=fields.get("report", ""))
        key = platform.sessions.key_of(viewer.session)
        done = plans.audit_plan(pool_id, body, viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _bank_page(ctx, problem=found, status=found.status)
    return _bank_page(ctx, done=("plan_audited", done.transaction.tx_hash))


@router.post("/orders")
async def issue_order(ctx: PageDep) -> Response:
    viewer = ctx.require(Role.BANK)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        body = OrderIssue(
            pool_id=int(fields.get("pool_id", "0")),
            payee=fields.get("payee", ""),
            amount=fields.get("amount", ""),
            document=fields.get("document", ""),
        )
        key = platform.sessions.key_of(viewer.session)
        issued = orders.issue_order(body, viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _bank_page(ctx, problem=found, status=found.status)
    return _bank_page(ctx, done=("order_issued", issued.transaction.tx_hash, issued.order.order_id))


# ---------------------------------------------------------------------------------------------- side by side


def _side_by_side(
    ctx: PageContext, account: str, *, audited: Any = None, reviewed: Any = None, problem: Any = None
) -> Response:
    ctx.require(Role.BANK)
    platform = ctx.platform
    account = path_address(account)
    try:
        registration = institutions.institution(account, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return render(ctx, "error.html", message=found.reason, status=found.status)
    application = platform.applications.get(registration.account)
    record = registry_problem = None
    checks: list[Any] = []
    outcome = None
    attestation = None
    if application is not None:
        code = application.key_info.credit_code
        try:
            record = platform.registry_source.fetch(code) if code else None
        except ACTION_ERRORS as exc:
            registry_problem = problem_of(exc)
        outcome = evaluate(application.kind, application.key_info, record)
        checks = list(outcome.checks)
        try:
            attestation = institutions.attestation(registration.account, platform)
        except ACTION_ERRORS as exc:
            registry_problem = registry_problem or problem_of(exc)
    as_of = platform.read_model.as_of_block() if platform.read_model is not None else None
    return render(
        ctx,
        "bank_institution.html",
        account=registration.account,
        registration=registration,
        application=application,
        fields=[field.value for field in FieldName],
        record=record,
        checks=checks,
        outcome=outcome,
        attestation=attestation,
        registry_problem=registry_problem,
        audited=audited,
        reviewed=reviewed,
        review=outcome.review if outcome is not None else (),
        decision=outcome.decision.value if outcome is not None else None,
        problem=problem,
        as_of=as_of,
        status=problem.status if problem is not None else 200,
    )


@router.get("/institutions/{account}")
def institution_page(account: str, ctx: PageDep) -> Response:
    return _side_by_side(ctx, account)


@router.get("/institutions/{account}/certificates/{index}")
def certificate_image(account: str, index: int, ctx: PageDep) -> Response:
    """A certificate image of an application, decrypted from the document store (banks and regulators)."""
    ctx.require(Role.BANK, Role.REGULATOR)
    application = ctx.platform.applications.get(path_address(account))
    if application is None or not 0 <= index < len(application.certificate_digests):
        raise PageDenied("denied.no_certificate", status=404)
    image = ctx.platform.documents.get(application.certificate_digests[index])
    media = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    return Response(image, media_type=media, headers={"Cache-Control": "private, max-age=3600"})


def _images(ctx: PageContext, application: ApplicationRecord) -> dict[str, bytes]:
    """The uploaded certificates by the name OCR gave each (``image-1``... in upload order)."""
    return {
        f"image-{index + 1}": ctx.platform.documents.get(digest)
        for index, digest in enumerate(application.certificate_digests)
    }


@router.get("/institutions/{account}/review/{field}/{index}.png")
def review_crop(account: str, field: str, index: int, ctx: PageDep) -> Response:
    """A field the audit rule doubts, cut out of the certificate it was printed on (for the officer)."""
    ctx.require(Role.BANK)
    application = ctx.platform.applications.get(path_address(account))
    if application is None:
        raise PageDenied("denied.no_certificate", status=404)
    item = next((item for item in _review(ctx, application) if item.field.value == field), None)
    crops = item.crops(_images(ctx, application)) if item is not None else []
    if not 0 <= index < len(crops):
        raise PageDenied("denied.no_certificate", status=404)
    buffer = io.BytesIO()
    crops[index].save(buffer, format="PNG")
    return Response(
        buffer.getvalue(), media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )


def _review(ctx: PageContext, application: ApplicationRecord) -> tuple[ReviewItem, ...]:
    code = application.key_info.credit_code
    record = ctx.platform.registry_source.fetch(code) if code else None
    return evaluate(application.kind, application.key_info, record).review


@router.post("/institutions/{account}/attestation")
async def request_attestation(account: str, ctx: PageDep) -> Response:
    viewer = ctx.require(Role.BANK)
    await ctx.form()
    try:
        institutions.request_attestation(path_address(account), viewer.session, ctx.platform)
    except ACTION_ERRORS as exc:
        return _side_by_side(ctx, account, problem=problem_of(exc))
    return _side_by_side(ctx, account)


@router.post("/institutions/{account}/audit")
async def audit_institution(account: str, ctx: PageDep) -> Response:
    """Audit the application against the attested registry record: the institutions route decides and
    writes the decision on-chain (``POST /institutions/{address}/audit``)."""
    viewer = ctx.require(Role.BANK)
    await ctx.form()
    platform = ctx.platform
    try:
        key = platform.sessions.key_of(viewer.session)
        audited = institutions.audit(path_address(account), viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        return _side_by_side(ctx, account, problem=problem_of(exc))
    return _side_by_side(ctx, account, audited=audited)


@router.post("/institutions/{account}/review")
async def review_institution(account: str, ctx: PageDep) -> Response:
    """A bank officer's verdict on an application the rule sent to manual review, through the institutions
    route (``POST /institutions/{address}/review``): written on-chain with a hash of the officer's staff
    identifier."""
    viewer = ctx.require(Role.BANK)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        body = OfficerReview(
            approve=fields.get("verdict") == "approve", officer=fields.get("officer", "").strip()
        )
        key = platform.sessions.key_of(viewer.session)
        reviewed = institutions.review(path_address(account), body, viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        return _side_by_side(ctx, account, problem=problem_of(exc))
    return _side_by_side(ctx, account, reviewed=reviewed)
