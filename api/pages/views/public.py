"""Pages anyone may open: the home page, verify by transaction hash (with the flow graph and the proofs), and
sign-in / sign-out with the API's own password sign-in."""

from __future__ import annotations

import re
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.bootstrap import read_logins
from api.core.platform import Platform
from api.pages.context import PREFIX, SESSION_COOKIE, PageContext, PageDep, home_of
from api.pages.flow_graph import flow_svg, node_dom_id, node_label
from api.pages.problems import ACTION_ERRORS, problem_of
from api.pages.proofs import proof_steps
from api.pages.rendering import render
from api.verify import InvalidTransactionHash, TransactionNotIndexed, Verification, verify_transaction

router = APIRouter(prefix=PREFIX, include_in_schema=False)

_HASH: Final = re.compile(r"^0x[0-9a-fA-F]{64}$")


def rpc_url(platform: Platform) -> str:
    """The JSON-RPC URL people are shown to check proofs against: the node this service runs (any node of
    the chain answers the same)."""
    chain = platform.settings.chain
    if chain.backend == "jsonrpc":
        return chain.rpc_url
    return f"http://{chain.rpc_host}:{chain.rpc_port}"


def verify_url(platform: Platform, tx_hash: str) -> str:
    """The public link of a gift's verify page (what a receipt's QR code holds)."""
    return f"{platform.settings.api.url}{PREFIX}/verify/{tx_hash.lower()}"


@router.get("", name="pages_home")
def home(ctx: PageDep) -> Response:
    read_model = ctx.platform.read_model
    status = read_model.status() if read_model is not None else None
    plans = read_model.plans(status="open", limit=6).items if read_model is not None else []
    return render(ctx, "home.html", status_info=status, plans=plans)


@router.get("/verify")
def verify_search(ctx: PageDep, tx: str = "") -> Response:
    tx = tx.strip()
    if not tx:
        return render(ctx, "verify_search.html", error=None, tx=tx)
    if not _HASH.match(tx):
        return render(ctx, "verify_search.html", error="verify.bad_hash", tx=tx, status=422)
    return RedirectResponse(f"{PREFIX}/verify/{tx.lower()}", status_code=303)


def _verification(ctx: PageContext, tx_hash: str) -> Verification | Response:
    read_model = ctx.platform.read_model
    if read_model is None:
        return render(ctx, "error.html", message=ctx.t("error.no_read_model"), status=503)
    try:
        return verify_transaction(read_model, tx_hash)
    except InvalidTransactionHash:
        return render(ctx, "verify_search.html", error="verify.bad_hash", tx=tx_hash, status=422)
    except TransactionNotIndexed:
        return render(
            ctx,
            "verify_pending.html",
            tx_hash=tx_hash,
            as_of=read_model.as_of_block(),
            status=404,
        )


@router.get("/verify/{tx_hash}")
def verify_page(tx_hash: str, ctx: PageDep) -> Response:
    """What a transaction was, the flow of its value as a graph, each step with its proof."""
    found = _verification(ctx, tx_hash)
    if not isinstance(found, Verification):
        return found
    platform = ctx.platform
    nodes = {node.id: node for node in found.flow.nodes}
    main = [event.proof for event in found.events]
    steps = proof_steps(
        [edge.proof for edge in found.flow.edges] or main,
        rpc_url=rpc_url(platform),
        contracts=dict(platform.ledger.addresses()),
        abi_of=platform.client.abi,
    )
    return render(
        ctx,
        "verify.html",
        v=found,
        nodes=nodes,
        svg=flow_svg(found.flow, ctx.t),
        steps=steps,
        edges=found.flow.edges,
        node_dom_id=node_dom_id,
        node_text=lambda node: node_label(node, ctx.t).replace("\n", " · ").strip(" ·"),
        rpc=rpc_url(platform),
        json_url=f"/verify/{found.tx_hash}",
        self_url=verify_url(platform, found.tx_hash),
    )


@router.get("/verify/{tx_hash}/graph.svg")
def verify_graph(tx_hash: str, ctx: PageDep) -> Response:
    """The flow graph alone, as an SVG document (labels in the page's language)."""
    found = _verification(ctx, tx_hash)
    if not isinstance(found, Verification):
        return found
    return Response(flow_svg(found.flow, ctx.t), media_type="image/svg+xml")


@router.get("/verify/{tx_hash}/indexed")
def verify_indexed(tx_hash: str, ctx: PageDep) -> Response:
    """For the waiting page (htmx polls it): 204 while the transaction is not indexed, then a redirect."""
    read_model = ctx.platform.read_model
    try:
        if read_model is not None:
            verify_transaction(read_model, tx_hash)
    except (TransactionNotIndexed, InvalidTransactionHash):
        return Response(status_code=204)
    return Response(status_code=200, headers={"HX-Redirect": f"{PREFIX}/verify/{tx_hash}"})


# ---------------------------------------------------------------------------------------------- sign-in


def _safe_next(target: str | None) -> str | None:
    """Only a path of these pages may be gone to after signing in (no open redirect)."""
    if target and target.startswith(PREFIX) and not target.startswith("//"):
        return target
    return None


@router.get("/sign-in")
def sign_in_form(ctx: PageDep, next: str | None = None) -> Response:
    book = read_logins(ctx.platform.settings.data_dir)
    return render(
        ctx, "sign_in.html", next=_safe_next(next) or "", error=None, logins=book.logins if book else []
    )


@router.post("/sign-in")
async def sign_in(request: Request, ctx: PageDep) -> Response:
    data = await request.form()
    organisation = str(data.get("organisation", "")).strip()
    password = str(data.get("password", ""))
    target = _safe_next(str(data.get("next", "")))
    try:
        issued = ctx.platform.sessions.sign_in_with_password(organisation, password)
    except ACTION_ERRORS as exc:
        book = read_logins(ctx.platform.settings.data_dir)
        return render(
            ctx,
            "sign_in.html",
            next=target or "",
            error=problem_of(exc),
            logins=book.logins if book else [],
            status=401,
        )
    roles = ctx.platform.roles.roles_of(issued.session.account)
    response = RedirectResponse(target or home_of(roles), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=ctx.platform.sessions.session_ttl,
        httponly=True,
        samesite="lax",
        secure=ctx.platform.settings.api.url.startswith("https://"),
        path="/",
    )
    return response


@router.post("/sign-out")
async def sign_out(ctx: PageDep) -> Response:
    if ctx.viewer is not None:
        await ctx.form()
        ctx.platform.sessions.sign_out(ctx.viewer.session)
    response = RedirectResponse(PREFIX, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
