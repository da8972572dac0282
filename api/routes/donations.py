"""Donations (``contracts/WelfarePools.sol``): money in one transaction with an EIP-2612 permit, welfare
assets (points, rights) as ERC-1155 transfers to the pool, goods pledged and then signed for."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.core.assets import MONEY_NAME, amount_of, asset_id, asset_name, goods_quantity, goods_type
from api.core.errors import ERROR_RESPONSES, NotFound
from api.core.natspec import describe
from api.core.platform import Platform
from api.deps import PlatformDep, ReadModelDep, Signer
from api.indexer import MAX_PAGE, DonationRecord, Page
from api.routes.params import PoolId
from api.schemas.common import JSON_SAFE_MAX, Address, AsOf, digest_of_text, hex0x, parse_uint, to_base_units
from api.schemas.donations import (
    AssetDonation,
    ContributionOut,
    DonationOut,
    GoodsPledge,
    MoneyDonation,
    PledgeCreated,
    PledgeOut,
    PledgeReceipt,
)
from api.schemas.plans import AssetRef
from chain_client.contracts import DonationForm, DonationReceipt, PledgeStatus

router = APIRouter(prefix="/donations", tags=["donations"], responses=ERROR_RESPONSES)

PledgeId = Annotated[int, Path(ge=1, le=JSON_SAFE_MAX)]
PERMIT_TTL_SECONDS = 3_600


@router.get("", response_model=Page[DonationRecord])
def list_donations(
    read_model: ReadModelDep,
    donor: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")] = None,
    pool_id: Annotated[int | None, Query(ge=1, le=JSON_SAFE_MAX)] = None,
    offset: Annotated[int, Query(ge=0, le=JSON_SAFE_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[DonationRecord]:
    """Donations from the read model (no sign-in), oldest first, of one donor and/or to one plan, each with
    its proof; ``as_of_block`` says which block the answer is as of."""
    return read_model.donations(donor=donor, pool_id=pool_id, offset=offset, limit=limit)


def donation_out(platform: Platform, receipt: DonationReceipt, lot_id: int | None = None) -> DonationOut:
    if receipt.form is DonationForm.GOODS:
        kind = receipt.asset.to_bytes(32, "big")
        asset, amount = hex0x(kind), goods_quantity(kind, receipt.amount)
    else:
        asset, amount = asset_name(receipt.asset), amount_of(platform, receipt.asset, receipt.amount)
    return DonationOut(
        tx_hash=hex0x(receipt.tx_hash),
        block_number=receipt.block_number,
        log_index=receipt.log_index,
        pool_id=receipt.pool_id,
        donor=receipt.donor,
        form=receipt.form.name.lower(),
        asset=asset,
        amount=amount,
        pledge_id=receipt.pledge_id or None,
        lot_id=lot_id,
    )


@router.post(
    "",
    response_model=DonationOut,
    status_code=201,
    description=describe(
        "The signed-in donor gives deposit tokens to an open plan, in one transaction: the platform signs "
        "an EIP-2612 permit for exactly the amount with the donor's key. Keep the transaction hash: "
        "`GET /verify/{tx_hash}` follows the gift.",
        ("WelfarePools", "donateWithPermit"),
    ),
)
def donate_money(body: MoneyDonation, donor: Signer, platform: PlatformDep) -> DonationOut:
    units = to_base_units(body.amount, platform.money.decimals)
    pools = platform.ledger.welfare.pools
    # The permit is signed with the ledger's own deposit-token wrapper (its address known, its EIP-712
    # domain read once), valid for an hour of chain time.
    latest = platform.client.backend.get_block("latest")
    deadline = (latest.timestamp if latest is not None else 0) + PERMIT_TTL_SECONDS
    signature = platform.ledger.foundation.deposit_token.sign_permit(donor, pools.address, units, deadline)
    receipt = pools.donate_with_permit(
        donor, body.pool_id, units, permit_deadline=deadline, signature=signature
    )
    return donation_out(platform, receipt)


@router.post(
    "/assets",
    response_model=DonationOut,
    status_code=201,
    description=describe(
        "The signed-in donor gives welfare assets (points, vouchers, service hours) to an open plan.",
        ("WelfarePools", "onERC1155Received"),
    ),
)
def donate_asset(body: AssetDonation, donor: Signer, platform: PlatformDep) -> DonationOut:
    asset = parse_uint(body.asset_id, field="asset_id")
    units = to_base_units(body.amount, 0)
    receipt = platform.ledger.welfare.pools.donate_asset(donor, body.pool_id, asset, units)
    return donation_out(platform, receipt)


@router.post(
    "/pledges",
    response_model=PledgeCreated,
    status_code=201,
    description=describe(
        "The signed-in donor pledges goods a plan seeks; the gift counts when the plan's warehouse signs "
        "for them (POST /donations/pledges/{id}/receipt).",
        ("WelfarePools", "pledgeGoods"),
    ),
)
def pledge_goods(body: GoodsPledge, donor: Signer, platform: PlatformDep) -> PledgeCreated:
    created = platform.ledger.welfare.pools.pledge_goods(
        donor, body.pool_id, goods_type(body.goods_type), body.quantity, digest_of_text(body.details)
    )
    receipt = created.result.receipt
    return PledgeCreated(
        pledge_id=created.id, tx_hash=hex0x(receipt.transaction_hash), block_number=receipt.block_number
    )


@router.post(
    "/pledges/{pledge_id}/receipt",
    response_model=DonationOut,
    status_code=201,
    description=describe(
        "The plan's warehouse signs for pledged goods: the gift counts and a goods lot opens in its custody.",
        ("WelfarePools", "receivePledge"),
    ),
)
def receive_pledge(
    pledge_id: PledgeId, body: PledgeReceipt, warehouse: Signer, platform: PlatformDep
) -> DonationOut:
    pools = platform.ledger.welfare.pools
    receipt = pools.receive_pledge(warehouse, pledge_id, body.quantity)
    return donation_out(platform, receipt, lot_id=pools.pledge_of(pledge_id).lot_id)


@router.get("/pledges/{pledge_id}", response_model=PledgeOut)
def get_pledge(pledge_id: PledgeId, platform: PlatformDep) -> PledgeOut:
    """A goods pledge and, once received, its lot (no sign-in)."""
    block = platform.client.block_number()
    pledge = platform.ledger.welfare.pools.pledge_of(pledge_id)
    if pledge.status is PledgeStatus.NONE:
        raise NotFound(f"no pledge {pledge_id}")
    return PledgeOut(
        pledge_id=pledge_id,
        pool_id=pledge.pool_id,
        donor=pledge.donor,
        status=pledge.status.name.lower(),
        goods_type=hex0x(pledge.goods_type),
        quantity=pledge.quantity,
        received=pledge.received,
        lot_id=pledge.lot_id or None,
        as_of=AsOf(block_number=block),
    )


@router.get("/contributions/{pool_id}/{donor}", response_model=ContributionOut)
def contribution(
    pool_id: PoolId,
    donor: Address,
    platform: PlatformDep,
    asset: Annotated[AssetRef, Query()] = MONEY_NAME,
) -> ContributionOut:
    """What a donor gave to a plan, was refunded, and could claim back now (no sign-in)."""
    pools = platform.ledger.welfare.pools
    block = platform.client.block_number()
    number = asset_id(asset)
    given = pools.contribution_of(pool_id, number, donor, block=block)
    refundable = pools.refundable_of(pool_id, number, donor)
    return ContributionOut(
        pool_id=pool_id,
        donor=donor,
        asset=asset,
        donated=amount_of(platform, number, given.donated),
        refunded=amount_of(platform, number, given.refunded),
        refundable=amount_of(platform, number, refundable),
        as_of=AsOf(block_number=block),
    )
