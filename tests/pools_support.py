"""The world the pool, asset and tracker tests share: registered institutions and the welfare contracts.

Built once per backend and module (before the first test's snapshot, so every per-test revert keeps
it) with the real InstitutionRegistry: each institution applies, two oracles attest its registry record
and a bank approves it.

Its fixtures (registered for every test module in ``tests/conftest.py``): ``pools_world``, the module's
world, and ``world``, the same world on the test's chain snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from chain_client import ChainClient
from chain_client.contracts import (
    AssetKind,
    AuditDecision,
    InKindItem,
    InstitutionKind,
    InstitutionRegistry,
    PlanTerms,
    UnspentTerms,
    WelfareContracts,
    deploy_institution_registry,
    deploy_welfare_pools,
)
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS, GAS_MONEY, named_account
from tests.registry_support import DAY, apply, attestation_for, chain_time, signatures

ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20
RICE = keccak(text="goods:rice-25kg")
BLANKETS = keccak(text="goods:blanket")
TOKEN = 10**18


@dataclass(frozen=True)
class Cast:
    """Accounts beyond the shared test cast: institutions, logistics and people in need."""

    agency: LocalAccount  # a government agency (launches plans needing no approval)
    local_government: LocalAccount  # a LocalGovernment institution (receives transfers)
    unregistered_government: LocalAccount  # allowed, never registered
    warehouse: LocalAccount  # the charity's receiving warehouse
    carrier: LocalAccount  # a logistics firm's driver
    beneficiary: LocalAccount  # a person in need (an account, no personal data)
    escrow: LocalAccount  # stands in for the payment-order escrow contract (it holds nothing)
    dave: LocalAccount  # a third donor


CAST = Cast(**{name: named_account(f"pools {name}") for name in Cast.__dataclass_fields__})


@dataclass(frozen=True)
class World:
    client: ChainClient
    foundation: Foundation
    registry: InstitutionRegistry
    welfare: WelfareContracts
    points: int  # a Points asset issued by the supplier (a merchant)
    vouchers: int  # a Voucher asset issued by the bank


def register(
    registry: InstitutionRegistry, institution: LocalAccount, kind: InstitutionKind, code: str
) -> None:
    """``institution`` applies as ``kind``; oracles 1 and 2 attest record ``code``; the bank approves."""
    client = registry.client
    apply(registry, institution, kind)
    attestation = attestation_for(client, code)
    recorded = registry.attest(
        ACCOUNTS.outsider,
        attestation,
        signatures(registry, attestation, [ACCOUNTS.oracle1, ACCOUNTS.oracle2]),
    )
    decision = AuditDecision(
        application_digest=registry.application_digest_of(institution.address),
        attestation_id=recorded.event("RegistryAttested")["attestationId"],
        passed=True,
        rule_version=1,
        expires_at=chain_time(client) + 365 * DAY,
    )
    registry.audit(ACCOUNTS.bank, institution.address, decision)


def build_world(client: ChainClient, foundation: Foundation, *, escrow_account: bool = True) -> World:
    """Deploy and populate a world. The pools' escrow can be set only once: with ``escrow_account`` it is
    ``CAST.escrow`` (an account the pool tests drive the escrow hooks with); without it, it is left unset for
    the caller to deploy the real escrow."""
    a = ACCOUNTS
    consortium = foundation.consortium
    # Several modules build a world on the same session chain: fund and allow the cast only once.
    for member in vars(CAST).values():
        if client.balance(member.address) < GAS_MONEY // 2:
            client.send_value(a.admin, member.address, GAS_MONEY)
    for member in (CAST.agency, CAST.local_government, CAST.unregistered_government, CAST.dave):
        if not consortium.is_allowed(member.address):
            consortium.allow_account(a.admin, member.address)

    registry = deploy_institution_registry(client, a.admin, consortium.address, 2)
    register(registry, a.charity, InstitutionKind.CHARITY, "CHARITY-1")
    register(registry, CAST.agency, InstitutionKind.GOVERNMENT_AGENCY, "AGENCY-1")
    register(registry, CAST.local_government, InstitutionKind.LOCAL_GOVERNMENT, "LOCALGOV-1")
    register(registry, a.supplier, InstitutionKind.SUPPLIER, "SUPPLIER-1")

    welfare = deploy_welfare_pools(
        client, a.admin, consortium, foundation.deposit_token.address, registry.address
    )
    if escrow_account:
        welfare.pools.set_escrow(a.admin, CAST.escrow.address)
    points, _ = welfare.assets.define_asset(
        a.supplier, AssetKind.POINTS, keccak(text="supermarket points terms")
    )
    vouchers, _ = welfare.assets.define_asset(a.bank, AssetKind.VOUCHER, keccak(text="clinic voucher terms"))
    return World(client, foundation, registry, welfare, points, vouchers)


def terms(
    client: ChainClient,
    *,
    ttl: int = 3_600,
    money_target: int = 1_000 * TOKEN,
    in_kind: tuple[InKindItem, ...] = (InKindItem(RICE, 500), InKindItem(BLANKETS, 200)),
    needs_government_approval: bool = False,
    government_transfer_allowed: bool = True,
    unspent: UnspentTerms = UnspentTerms.REFUND,
    warehouse: str | None = None,
    purpose: str = "flood relief, Xinxiang 2026",
    successor: int = 0,
) -> PlanTerms:
    """A plan's terms, due ``ttl`` seconds of chain time from now; ``successor`` is the plan MoveToPlan terms name."""
    return PlanTerms(
        purpose_digest=keccak(text=purpose),
        deadline=chain_time(client) + ttl,
        money_target=money_target,
        in_kind=in_kind,
        needs_government_approval=needs_government_approval,
        government_transfer_allowed=government_transfer_allowed,
        unspent=unspent,
        warehouse=warehouse if warehouse is not None else CAST.warehouse.address,
        successor_pool_id=successor,
    )


def open_plan(world: World, plan_terms: PlanTerms, charity: LocalAccount | None = None) -> int:
    """Launch and audit (and, if needed, approve) a plan; returns its pool id."""
    pools = world.welfare.pools
    pool_id = pools.launch_plan(charity or ACCOUNTS.charity, plan_terms).id
    pools.audit_plan(ACCOUNTS.bank, pool_id, True, keccak(text=f"audit {pool_id}"))
    if plan_terms.needs_government_approval and charity is not CAST.agency:
        pools.decide_plan(ACCOUNTS.government, pool_id, True, keccak(text=f"approval {pool_id}"))
    return pool_id


def fund(world: World, donor: LocalAccount, amount: int, ref: str) -> None:
    """The bank mints ``amount`` deposit tokens to ``donor`` and approves nothing."""
    world.foundation.deposit_token.mint(ACCOUNTS.bank, donor.address, amount, keccak(text=ref))


@pytest.fixture(scope="module")
def pools_world(session_client: ChainClient, session_foundation: Foundation) -> World:
    return build_world(session_client, session_foundation)


@pytest.fixture
def world(pools_world: World, chain: ChainClient) -> World:
    return pools_world
