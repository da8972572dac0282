"""The government's page, by what the signed-in account's roles let it do:

- a government department (the Consortium's ``GOVERNMENT`` role) decides the plans that need government
  intervention once a bank has audited them (status ``audited`` with ``needs_government_approval``): approve
  (the plan opens) or reject, with a decision text whose keccak256 goes on-chain, through the plans route
  (``POST /plans/{id}/decision``, ``WelfarePools.decidePlan``);
- a local government (an institution of kind ``local_government`` the registry holds as active) sees the
  transfers of plans' value proposed to it and acknowledges a confirmed one, through the transfers route
  (``POST /government-transfers/{id}/acknowledge``, ``WelfarePools.acknowledgeGovernmentTransfer``).

Lists come from the read model; a transfer's status is read from the chain (``GET /government-transfers/{id}``'s
function), since the read model keeps no transfer table. Every action goes through the routes' own functions.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter
from fastapi.responses import Response

from api.core.roles import Role
from api.indexer import PlanSummary, ReadModel
from api.pages.context import PREFIX, PageContext, PageDep, Viewer
from api.pages.problems import ACTION_ERRORS, problem_of
from api.pages.rendering import render
from api.routes import government_transfers, plans
from api.schemas.plans import GovernmentDecision, GovernmentTransferOut

router = APIRouter(prefix=f"{PREFIX}/government", include_in_schema=False)

GOVERNMENT_ROLES: Final = (Role.GOVERNMENT, Role.LOCAL_GOVERNMENT)
"""Who has this page: a government department, a local government (or an account that is both)."""


def awaiting_decision(read_model: ReadModel) -> list[PlanSummary]:
    """Plans a bank audited that need the government's intervention, by pool id."""
    audited = read_model.plans(status="audited", limit=200).items
    return [plan for plan in audited if plan.needs_government_approval]


def transfers_to(ctx: PageContext, viewer: Viewer, read_model: ReadModel) -> list[GovernmentTransferOut]:
    """The transfers proposed to the viewer (a local government), newest first, each as the chain has it now."""
    proposed = read_model.events(account=viewer.account, name="GovernmentTransferProposed", limit=200).items
    ids = [
        int(event.args["transferId"])
        for event in proposed
        if str(event.args["localGovernment"]).lower() == viewer.account.lower()
    ]
    return [government_transfers.get_transfer(transfer_id, ctx.platform) for transfer_id in reversed(ids)]


def _government_page(
    ctx: PageContext, *, done: Any = None, problem: Any = None, status: int = 200
) -> Response:
    viewer = ctx.require(*GOVERNMENT_ROLES)
    read_model = ctx.platform.read_model
    if read_model is None:
        return render(ctx, "error.html", message=ctx.t("error.no_read_model"), status=503)
    deciding = viewer.has_any({Role.GOVERNMENT})
    receiving = viewer.has_any({Role.LOCAL_GOVERNMENT})
    return render(
        ctx,
        "government.html",
        deciding=deciding,
        receiving=receiving,
        awaiting=awaiting_decision(read_model) if deciding else [],
        transfers=transfers_to(ctx, viewer, read_model) if receiving else [],
        done=done,
        problem=problem,
        as_of=read_model.as_of_block(),
        status=status,
    )


@router.get("")
def government_home(ctx: PageDep) -> Response:
    return _government_page(ctx)


@router.post("/plans/{pool_id}/decision")
async def decide_plan(pool_id: int, ctx: PageDep) -> Response:
    """Approve or reject an audited plan awaiting the government (``POST /plans/{id}/decision``)."""
    viewer = ctx.require(Role.GOVERNMENT)
    fields = await ctx.form()
    platform = ctx.platform
    try:
        body = GovernmentDecision(
            approved=fields.get("approved") == "yes", decision=fields.get("decision", "").strip()
        )
        key = platform.sessions.key_of(viewer.session)
        decided = plans.decide_plan(pool_id, body, viewer.roles, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _government_page(ctx, problem=found, status=found.status)
    outcome = "plan_approved" if body.approved else "plan_rejected"
    return _government_page(ctx, done=(outcome, decided.transaction.tx_hash))


@router.post("/transfers/{transfer_id}/acknowledge")
async def acknowledge_transfer(transfer_id: int, ctx: PageDep) -> Response:
    """The receiving local government acknowledges a confirmed transfer
    (``POST /government-transfers/{id}/acknowledge``; the contract checks it is the transfer's)."""
    viewer = ctx.require(Role.LOCAL_GOVERNMENT)
    await ctx.form()
    platform = ctx.platform
    try:
        key = platform.sessions.key_of(viewer.session)
        acknowledged = government_transfers.acknowledge(transfer_id, key, platform)
    except ACTION_ERRORS as exc:
        found = problem_of(exc)
        return _government_page(ctx, problem=found, status=found.status)
    return _government_page(ctx, done=("transfer_acknowledged", acknowledged.transaction.tx_hash))
