"""The regulator's actions: suspend and reinstate an institution (``InstitutionRegistry``), wind a plan up
early and move its unspent value by decision (``WelfarePools``), freeze a payment order under dispute and
decide the dispute (``PaymentOrderEscrow``). Regulator role only."""

from __future__ import annotations

from fastapi import APIRouter

from api.core.assets import asset_id, movement_of
from api.core.errors import ERROR_RESPONSES, InvalidInput
from api.core.natspec import describe
from api.deps import PlatformDep, RegulatorRoles, Signer
from api.routes.params import OrderId, PoolId
from api.schemas.common import Address, Transaction, digest_of_text, to_bytes
from api.schemas.plans import AssetMovement, Done
from api.schemas.regulator import DisputeDecision, Freeze, MoveByDecision, PlanWindUp, Suspension
from chain_client.contracts.institution_registry import short_code

router = APIRouter(prefix="/regulator", tags=["regulator"], responses=ERROR_RESPONSES)


@router.post(
    "/institutions/{account}/suspend",
    response_model=Done,
    description=describe("Suspend an institution: it can no longer act.", ("InstitutionRegistry", "suspend")),
)
def suspend(
    account: Address, body: Suspension, _: RegulatorRoles, regulator: Signer, platform: PlatformDep
) -> Done:
    result = platform.ledger.registry.suspend(regulator, account, short_code(body.reason_code))
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/institutions/{account}/reinstate",
    response_model=Done,
    description=describe("Lift an institution's suspension.", ("InstitutionRegistry", "reinstate")),
)
def reinstate(account: Address, _: RegulatorRoles, regulator: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.registry.reinstate(regulator, account)
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/plans/{pool_id}/wind-up",
    response_model=Done,
    description=describe(
        "Wind a plan up before its deadline (a plan that can no longer reach its purpose): refunds, or the "
        "move its terms name, can start. Not by the plan's own charity.",
        ("WelfarePools", "windUpByDecision"),
    ),
)
def wind_up_by_decision(
    pool_id: PoolId, body: PlanWindUp, _: RegulatorRoles, regulator: Signer, platform: PlatformDep
) -> Done:
    result = platform.ledger.welfare.pools.wind_up_by_decision(
        regulator, pool_id, digest_of_text(body.decision)
    )
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/plans/{pool_id}/moves",
    response_model=AssetMovement,
    description=describe(
        "Move a wound-up plan's unspent value of one asset to an open plan its terms do not name, before any "
        "refund of that asset was paid. Not by the charity of either plan.",
        ("WelfarePools", "moveUnspentByDecision"),
    ),
)
def move_by_decision(
    pool_id: PoolId, body: MoveByDecision, _: RegulatorRoles, regulator: Signer, platform: PlatformDep
) -> AssetMovement:
    asset = asset_id(body.asset)
    result = platform.ledger.welfare.pools.move_unspent_by_decision(
        regulator, pool_id, asset, body.to_pool_id, digest_of_text(body.decision)
    )
    return movement_of(platform, asset, result, "UnspentMoved")


@router.post(
    "/orders/{order_id}/freeze",
    response_model=Done,
    description=describe(
        "Freeze an issued payment order under dispute: nothing settles until the regulator decides.",
        ("PaymentOrderEscrow", "freeze"),
    ),
)
def freeze(
    order_id: OrderId, body: Freeze, _: RegulatorRoles, regulator: Signer, platform: PlatformDep
) -> Done:
    result = platform.ledger.escrow.freeze(regulator, to_bytes(order_id), digest_of_text(body.reason))
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/orders/{order_id}/decision",
    response_model=Done,
    description=describe(
        "Decide a disputed order: release it to the payee, or return its amount to the plan.",
        ("PaymentOrderEscrow", "resolveDispute"),
    ),
)
def decide_dispute(
    order_id: OrderId, body: DisputeDecision, _: RegulatorRoles, regulator: Signer, platform: PlatformDep
) -> Done:
    order = body.order.to_order()
    if order.order_id != to_bytes(order_id):
        raise InvalidInput("the order in the body has another order id than the path")
    result = platform.ledger.escrow.resolve_dispute(
        regulator, order, body.release, digest_of_text(body.decision)
    )
    return Done(transaction=Transaction.of(result.receipt))
