"""Relief plans (``contracts/WelfarePools.sol``): launch, audit, government decision, close, wind up,
refunds, moves of unspent value, and proposing a transfer to a local government."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.core.assets import asset_id, goods_type, money, movement_of, units_of
from api.core.errors import ERROR_RESPONSES, NotFound
from api.core.natspec import describe
from api.core.platform import Platform
from api.deps import BankRoles, CharityRoles, GovernmentRoles, PlatformDep, ReadModelDep, Signer
from api.indexer import MAX_PAGE, Page, PlanDetail, PlanSummary
from api.routes.params import PoolId
from api.schemas.common import JSON_SAFE_MAX, AsOf, Transaction, digest_of_text, hex0x
from api.schemas.plans import (
    AssetMovement,
    Created,
    Decision,
    Done,
    GoodsOut,
    GovernmentDecision,
    GovernmentTransferProposal,
    MoneyLedger,
    MovedValueReturn,
    MoveUnspent,
    PlanLaunch,
    PlanLaunched,
    PlanOut,
    PlanStatusName,
    RefundClaim,
)
from chain_client.contracts import InKindItem, PlanStatus, PlanTerms, UnspentTerms
from chain_client.contracts.welfare_pools import MONEY

router = APIRouter(prefix="/plans", tags=["plans"], responses=ERROR_RESPONSES)

Offset = Annotated[int, Query(ge=0, le=JSON_SAFE_MAX, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="items per page")]
AddressQuery = Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")]


@router.get("", response_model=Page[PlanSummary])
def list_plans(
    read_model: ReadModelDep,
    charity: AddressQuery = None,
    status: Annotated[PlanStatusName | None, Query()] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[PlanSummary]:
    """Relief plans from the read model (no sign-in), by pool id, optionally of one charity or in one status;
    ``as_of_block`` says which block the answer is as of."""
    return read_model.plans(charity=charity, status=status, offset=offset, limit=limit)


@router.get("/{pool_id}/history", response_model=PlanDetail)
def plan_history(pool_id: PoolId, read_model: ReadModelDep) -> PlanDetail:
    """A plan as the read model knows it: its ledgers per asset, goods sought and every event of its
    history, each with its proof (block, transaction, log index)."""
    found = read_model.plan(pool_id)
    if found is None:
        raise NotFound(f"the read model has no plan {pool_id} (as of block {read_model.as_of_block()})")
    return found


def plan_out(platform: Platform, pool_id: int) -> PlanOut:
    """A plan's state, pinned to one block (404 if there is no such plan)."""
    pools = platform.ledger.welfare.pools
    block = platform.client.block_number()
    plan = pools.plan_of(pool_id, block=block)
    if plan.status is PlanStatus.NONE:
        raise NotFound(f"no plan {pool_id}")
    ledger = pools.ledger_of(pool_id, MONEY, block=block)
    goods = []
    for item in pools.in_kind_of(pool_id):
        held = pools.goods_of(pool_id, item.goods_type)
        goods.append(GoodsOut(goods_type=hex0x(item.goods_type), wanted=held.wanted, received=held.received))
    return PlanOut(
        pool_id=pool_id,
        charity=plan.charity,
        status=plan.status.name.lower(),
        deadline=plan.deadline,
        needs_government_approval=plan.needs_government_approval,
        government_transfer_allowed=plan.government_transfer_allowed,
        unspent=plan.unspent.name.lower(),
        successor_pool_id=plan.successor_pool_id or None,
        warehouse=plan.warehouse,
        purpose_digest=hex0x(plan.purpose_digest),
        money_target=money(platform, plan.money_target),
        money=MoneyLedger(
            donated=money(platform, ledger.donated),
            balance=money(platform, ledger.balance),
            escrowed=money(platform, ledger.escrowed),
            paid_out=money(platform, ledger.paid_out),
            refunded=money(platform, ledger.refunded),
            to_government=money(platform, ledger.to_government),
            moved_in=money(platform, ledger.moved_in),
            moved_out=money(platform, ledger.moved_out),
        ),
        in_kind=goods,
        as_of=AsOf(block_number=block),
    )


@router.get("/{pool_id}", response_model=PlanOut)
def get_plan(pool_id: PoolId, platform: PlatformDep) -> PlanOut:
    """A plan: terms, status, where its money is, and the goods it seeks (no sign-in)."""
    return plan_out(platform, pool_id)


@router.post(
    "",
    response_model=PlanLaunched,
    status_code=201,
    description=describe(
        "An active charity or government agency launches a relief plan; it then waits for a bank's audit "
        "(and, if it needs government intervention, for a government decision).",
        ("WelfarePools", "launchPlan"),
    ),
)
def launch_plan(body: PlanLaunch, _: CharityRoles, charity: Signer, platform: PlatformDep) -> PlanLaunched:
    purpose = digest_of_text(body.purpose)
    terms = PlanTerms(
        purpose_digest=purpose,
        deadline=body.deadline,
        money_target=units_of(platform, MONEY, body.money_target, field="money_target")
        if body.money_target is not None
        else 0,
        in_kind=tuple(InKindItem(goods_type(item.goods_type), item.quantity) for item in body.in_kind),
        needs_government_approval=body.needs_government_approval,
        government_transfer_allowed=body.government_transfer_allowed,
        unspent=UnspentTerms.REFUND if body.unspent == "refund" else UnspentTerms.MOVE_TO_PLAN,
        successor_pool_id=body.successor_pool_id or 0,
        warehouse=body.warehouse,
    )
    created = platform.ledger.welfare.pools.launch_plan(charity, terms)
    return PlanLaunched(
        pool_id=created.id, purpose_digest=hex0x(purpose), transaction=Transaction.of(created.result.receipt)
    )


@router.post(
    "/{pool_id}/audit",
    response_model=Done,
    description=describe("A bank audits a launched plan (bank role).", ("WelfarePools", "auditPlan")),
)
def audit_plan(pool_id: PoolId, body: Decision, _: BankRoles, bank: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.welfare.pools.audit_plan(bank, pool_id, body.passed, digest_of_text(body.report))
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/{pool_id}/decision",
    response_model=Done,
    description=describe(
        "The government approves or rejects an audited plan that needs its intervention (government role).",
        ("WelfarePools", "decidePlan"),
    ),
)
def decide_plan(
    pool_id: PoolId, body: GovernmentDecision, _: GovernmentRoles, government: Signer, platform: PlatformDep
) -> Done:
    result = platform.ledger.welfare.pools.decide_plan(
        government, pool_id, body.approved, digest_of_text(body.decision)
    )
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/{pool_id}/close",
    response_model=Done,
    description=describe("The plan's charity or a bank closes an open plan.", ("WelfarePools", "closePlan")),
)
def close_plan(pool_id: PoolId, signer: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.welfare.pools.close_plan(signer, pool_id)
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/{pool_id}/wind-up",
    response_model=Done,
    description=describe(
        "The plan's charity or a bank winds up a plan after its deadline; unspent value is then refunded "
        "or moved, as its terms say.",
        ("WelfarePools", "windUp"),
    ),
)
def wind_up(pool_id: PoolId, signer: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.welfare.pools.wind_up(signer, pool_id)
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/{pool_id}/refunds",
    response_model=AssetMovement,
    description=describe(
        "Pay a donor their pro-rata refund of a wound-up plan (anyone may claim it for the donor; the "
        "value goes to the donor).",
        ("WelfarePools", "claimRefund"),
    ),
)
def claim_refund(pool_id: PoolId, body: RefundClaim, signer: Signer, platform: PlatformDep) -> AssetMovement:
    asset = asset_id(body.asset)
    donor = body.donor or signer.address
    result = platform.ledger.welfare.pools.claim_refund(signer, pool_id, asset, donor)
    return movement_of(platform, asset, result, "RefundPaid")


@router.post(
    "/{pool_id}/moves",
    response_model=AssetMovement,
    description=describe(
        "Anyone moves a wound-up plan's unspent value of one asset to the successor plan its terms name "
        "(move_to_plan terms); the moved value stays its donors' (their refund rights follow it).",
        ("WelfarePools", "moveUnspent"),
    ),
)
def move_unspent(pool_id: PoolId, body: MoveUnspent, signer: Signer, platform: PlatformDep) -> AssetMovement:
    asset = asset_id(body.asset)
    result = platform.ledger.welfare.pools.move_unspent(signer, pool_id, asset, body.to_pool_id)
    return movement_of(platform, asset, result, "UnspentMoved")


@router.post(
    "/{pool_id}/moved-value-returns",
    response_model=AssetMovement,
    description=describe(
        "Anyone pays a plan that moved its unspent value into this wound-up plan its pro-rata share of this "
        "plan's refund: the moved value stays its original donors'.",
        ("WelfarePools", "returnMovedValue"),
    ),
)
def return_moved_value(
    pool_id: PoolId, body: MovedValueReturn, signer: Signer, platform: PlatformDep
) -> AssetMovement:
    asset = asset_id(body.asset)
    result = platform.ledger.welfare.pools.return_moved_value(
        signer, pool_id, asset, body.contributor_pool_id
    )
    return movement_of(platform, asset, result, "MovedValueReturned")


@router.post(
    "/{pool_id}/government-transfers",
    response_model=Created,
    status_code=201,
    description=describe(
        "The plan's charity proposes transferring value to a registered local government; a bank confirms "
        "(POST /government-transfers/{id}/confirm) and the local government acknowledges.",
        ("WelfarePools", "proposeGovernmentTransfer"),
    ),
)
def propose_government_transfer(
    pool_id: PoolId, body: GovernmentTransferProposal, charity: Signer, platform: PlatformDep
) -> Created:
    asset = asset_id(body.asset)
    created = platform.ledger.welfare.pools.propose_government_transfer(
        charity,
        pool_id,
        body.local_government,
        asset,
        units_of(platform, asset, body.amount),
        digest_of_text(body.purpose),
    )
    return Created(id=created.id, transaction=Transaction.of(created.result.receipt))
