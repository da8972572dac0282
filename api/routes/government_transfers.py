"""Transfers of a plan's value to a local government (``contracts/WelfarePools.sol``): proposed by the
plan's charity (``POST /plans/{id}/government-transfers``), confirmed or rejected by a bank, acknowledged by
the local government."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.core.assets import amount_of, asset_name
from api.core.errors import ERROR_RESPONSES, NotFound
from api.core.natspec import describe
from api.deps import BankRoles, PlatformDep, Signer
from api.schemas.common import JSON_SAFE_MAX, AsOf, Transaction, hex0x
from api.schemas.plans import Done, GovernmentTransferOut
from chain_client.contracts import GovernmentTransferStatus

router = APIRouter(prefix="/government-transfers", tags=["plans"], responses=ERROR_RESPONSES)

TransferId = Annotated[int, Path(ge=1, le=JSON_SAFE_MAX)]


@router.get("/{transfer_id}", response_model=GovernmentTransferOut)
def get_transfer(transfer_id: TransferId, platform: PlatformDep) -> GovernmentTransferOut:
    """A proposed transfer to a local government and where it stands (no sign-in)."""
    block = platform.client.block_number()
    transfer = platform.ledger.welfare.pools.government_transfer_of(transfer_id)
    if transfer.status is GovernmentTransferStatus.NONE:
        raise NotFound(f"no government transfer {transfer_id}")
    return GovernmentTransferOut(
        transfer_id=transfer_id,
        pool_id=transfer.pool_id,
        local_government=transfer.local_government,
        status=transfer.status.name.lower(),
        asset=asset_name(transfer.asset),
        amount=amount_of(platform, transfer.asset, transfer.amount),
        purpose_digest=hex0x(transfer.purpose_digest),
        as_of=AsOf(block_number=block),
    )


@router.post(
    "/{transfer_id}/confirm",
    response_model=Done,
    description=describe(
        "A bank confirms a proposed transfer: the value leaves the plan to the local government (bank role).",
        ("WelfarePools", "confirmGovernmentTransfer"),
    ),
)
def confirm(transfer_id: TransferId, _: BankRoles, bank: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.welfare.pools.confirm_government_transfer(bank, transfer_id)
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/{transfer_id}/reject",
    response_model=Done,
    description=describe(
        "A bank rejects a proposed transfer (bank role).", ("WelfarePools", "rejectGovernmentTransfer")
    ),
)
def reject(transfer_id: TransferId, _: BankRoles, bank: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.welfare.pools.reject_government_transfer(bank, transfer_id)
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/{transfer_id}/acknowledge",
    response_model=Done,
    description=describe(
        "The receiving local government acknowledges a confirmed transfer.",
        ("WelfarePools", "acknowledgeGovernmentTransfer"),
    ),
)
def acknowledge(transfer_id: TransferId, local_government: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.welfare.pools.acknowledge_government_transfer(local_government, transfer_id)
    return Done(transaction=Transaction.of(result.receipt))
