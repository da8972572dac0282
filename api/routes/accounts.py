"""Accounts (``contracts/Consortium.sol``): anyone reads an account's roles; a bank (or the consortium admin)
puts an account on the allow-list so that it may transact and hold deposit tokens, and takes it off."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.core.assets import money
from api.core.errors import ERROR_RESPONSES
from api.core.natspec import describe
from api.core.roles import Role
from api.deps import PlatformDep, Signer, roles_required
from api.schemas.accounts import AccountOut
from api.schemas.common import Address, AsOf, Transaction
from api.schemas.plans import Done

router = APIRouter(prefix="/accounts", tags=["accounts"], responses=ERROR_RESPONSES)


@router.get("/{account}", response_model=AccountOut)
def account_roles(account: Address, platform: PlatformDep) -> AccountOut:
    """An account's roles and allow-listing as the chain says now (no sign-in)."""
    roles = platform.roles.roles_of(account)  # type: ignore[arg-type]
    ledger = platform.ledger
    return AccountOut(
        account=account,
        roles=sorted(roles.roles),
        allowed=roles.allowed,
        sponsor=ledger.foundation.consortium.sponsor_of(account),
        money=money(platform, ledger.foundation.deposit_token.balance_of(account, block=roles.block_number)),
        as_of=AsOf(block_number=roles.block_number),
    )


@router.post(
    "/{account}/allow",
    response_model=Done,
    dependencies=[Depends(roles_required(Role.BANK, Role.CONSORTIUM_ADMIN))],
    description=describe(
        "A bank (or the consortium admin) allow-lists an account: it may then transact.",
        ("Consortium", "allowAccount"),
    ),
)
def allow(account: Address, sponsor: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.foundation.consortium.allow_account(sponsor, account)
    return Done(transaction=Transaction.of(result.receipt))


@router.post(
    "/{account}/disallow",
    response_model=Done,
    description=describe(
        "Take an account off the allow-list (the consortium admin, the regulator, or the bank that allowed it).",
        ("Consortium", "disallowAccount"),
    ),
)
def disallow(account: Address, sender: Signer, platform: PlatformDep) -> Done:
    result = platform.ledger.foundation.consortium.disallow_account(sender, account)
    return Done(transaction=Transaction.of(result.receipt))
