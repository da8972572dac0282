"""The deposit token (``contracts/DepositToken.sol``): a bank mints against its deposit reference, a holder
redeems on withdrawal; anyone reads balances."""

from __future__ import annotations

from fastapi import APIRouter

from api.core.assets import money
from api.core.errors import ERROR_RESPONSES
from api.core.natspec import describe
from api.deps import BankRoles, LedgerDep, PlatformDep, Signer
from api.schemas.common import Address, AsOf, Transaction, digest_of_text, hex0x, to_base_units
from api.schemas.deposit_tokens import BalanceOut, MintRequest, RedeemRequest, TokenMovement, TokenOut

router = APIRouter(prefix="/deposit-tokens", tags=["deposit-tokens"], responses=ERROR_RESPONSES)


@router.get("", response_model=TokenOut)
def token(platform: PlatformDep, ledger: LedgerDep) -> TokenOut:
    """The deposit token: address, name, symbol, decimals, total supply."""
    deposit = ledger.foundation.deposit_token
    block = platform.client.block_number()
    return TokenOut(
        address=deposit.address,
        name=deposit.name(),
        symbol=platform.money.symbol,
        decimals=platform.money.decimals,
        total_supply=money(platform, deposit.total_supply(block=block)),
        paused=deposit.paused(),
        as_of=AsOf(block_number=block),
    )


@router.get("/balances/{account}", response_model=BalanceOut)
def balance(account: Address, platform: PlatformDep, ledger: LedgerDep) -> BalanceOut:
    """An account's deposit-token balance (no sign-in)."""
    block = platform.client.block_number()
    value = ledger.foundation.deposit_token.balance_of(account, block=block)
    return BalanceOut(account=account, balance=money(platform, value), as_of=AsOf(block_number=block))


@router.post(
    "/mint",
    response_model=TokenMovement,
    status_code=201,
    description=describe(
        "A bank issues deposit tokens to an account against a deposit it holds (bank role).",
        ("DepositToken", "mint"),
    ),
)
def mint(
    body: MintRequest, _: BankRoles, bank: Signer, platform: PlatformDep, ledger: LedgerDep
) -> TokenMovement:
    units = to_base_units(body.amount, platform.money.decimals)
    reference = digest_of_text(body.bank_reference)
    result = ledger.foundation.deposit_token.mint(bank, body.to, units, reference)
    return TokenMovement(
        transaction=Transaction.of(result.receipt),
        account=body.to,
        amount=money(platform, units),
        bank_reference_digest=hex0x(reference),
    )


@router.post(
    "/redeem",
    response_model=TokenMovement,
    status_code=201,
    description=describe(
        "The signed-in holder burns deposit tokens; the named bank pays the money out against its reference.",
        ("DepositToken", "redeem"),
    ),
)
def redeem(body: RedeemRequest, holder: Signer, platform: PlatformDep, ledger: LedgerDep) -> TokenMovement:
    units = to_base_units(body.amount, platform.money.decimals)
    reference = digest_of_text(body.bank_reference)
    result = ledger.foundation.deposit_token.redeem(holder, units, body.bank, reference)
    return TokenMovement(
        transaction=Transaction.of(result.receipt),
        account=holder.address,
        amount=money(platform, units),
        bank_reference_digest=hex0x(reference),
    )
