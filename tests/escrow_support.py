"""The world the payment-order tests share: the pools' world plus the real escrow and two more third parties.

Built on :mod:`tests.pools_support` (registered charity, agency, supplier; real registry, pools, assets and
tracker), with :class:`PaymentOrderEscrow` deployed and set as the pools' escrow, a second registered supplier (the
"rival", for wrong-payee attacks) and a registered hospital.

Its fixtures (registered for every test module in ``tests/conftest.py``): ``escrow_world``, the module's
world, and ``ew``, the same world on the test's chain snapshot.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from chain_client import ChainClient
from chain_client.contracts import (
    MONEY,
    DepositToken,
    InstitutionKind,
    Ledger,
    PaymentOrder,
    PaymentOrderEscrow,
    WelfarePools,
    deploy_payment_order_escrow,
)
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS, GAS_MONEY, named_account
from tests.pools_support import TOKEN, World, build_world, fund, open_plan, register, terms
from tests.registry_support import chain_time

RIVAL = named_account("escrow rival supplier")
HOSPITAL = named_account("escrow hospital")
PURPOSE = keccak(text="order document: 200 bags of rice, delivered to the Xinxiang shelter")

_nonces = itertools.count(1)


@dataclass(frozen=True)
class EscrowWorld:
    world: World
    escrow: PaymentOrderEscrow

    @property
    def client(self) -> ChainClient:
        return self.world.client

    @property
    def pools(self) -> WelfarePools:
        return self.world.welfare.pools

    @property
    def token(self) -> DepositToken:
        return self.world.foundation.deposit_token


def build_escrow_world(client: ChainClient, foundation: Foundation) -> EscrowWorld:
    world = build_world(client, foundation, escrow_account=False)
    consortium = foundation.consortium
    for member, kind, code in (
        (RIVAL, InstitutionKind.SUPPLIER, "SUPPLIER-2"),
        (HOSPITAL, InstitutionKind.HOSPITAL, "HOSPITAL-1"),
    ):
        if client.balance(member.address) < GAS_MONEY // 2:
            client.send_value(ACCOUNTS.admin, member.address, GAS_MONEY)
        if not consortium.is_allowed(member.address):
            consortium.allow_account(ACCOUNTS.admin, member.address)
        register(world.registry, member, kind, code)
    escrow = deploy_payment_order_escrow(client, ACCOUNTS.admin, world.welfare)
    return EscrowWorld(world, escrow)


def funded_pool(ew: EscrowWorld, amount: int = 100 * TOKEN, *, points: int = 0) -> int:
    """An open pool of the charity holding ``amount`` deposit tokens (from alice) and ``points`` of the bank's
    vouchers (from bob)."""
    world = ew.world
    pool_id = open_plan(world, terms(ew.client))
    if amount:
        fund(world, ACCOUNTS.alice, amount, f"escrow-fund-{pool_id}-{next(_nonces)}")
        ew.pools.donate_with_permit(ACCOUNTS.alice, pool_id, amount)
    if points:
        world.welfare.assets.issue(
            ACCOUNTS.bank, world.vouchers, ACCOUNTS.bob.address, points, keccak(text=f"v{pool_id}")
        )
        ew.pools.donate_asset(ACCOUNTS.bob, pool_id, world.vouchers, points)
    return pool_id


def make_order(
    ew: EscrowWorld,
    pool_id: int,
    amount: int,
    *,
    asset: int = MONEY,
    payee: LocalAccount | None = None,
    bank: LocalAccount | None = None,
    ttl: int = 3_600,
    nonce: int | None = None,
    charity: LocalAccount | None = None,
) -> PaymentOrder:
    """An order of the bank (by default) paying the supplier (by default) from ``pool_id`` of the charity (by
    default), due ``ttl`` seconds of chain time from now."""
    return PaymentOrder.new(
        bank=(bank or ACCOUNTS.bank).address,
        nonce=next(_nonces) if nonce is None else nonce,
        pool_id=pool_id,
        charity=(charity or ACCOUNTS.charity).address,
        payee=(payee or ACCOUNTS.supplier).address,
        asset=asset,
        amount=amount,
        purpose_digest=PURPOSE,
        deadline=chain_time(ew.client) + ttl,
    )


def conserved(ledger: Ledger) -> bool:
    return ledger.inflow == ledger.outflow


@pytest.fixture(scope="module")
def escrow_world(session_client: ChainClient, session_foundation: Foundation) -> EscrowWorld:
    return build_escrow_world(session_client, session_foundation)


@pytest.fixture
def ew(escrow_world: EscrowWorld, chain: ChainClient) -> EscrowWorld:
    return escrow_world
