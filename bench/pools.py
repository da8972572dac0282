"""``python -m bench pools``: gas of the welfare pools, assets and tracker, and per-donor trace latency.

Figures:
- ``gas``: launch, audit, government approval, each form of donation (money with a permit and with a
  prior approval, for a donor's first gift to a pool and a later one; points; a goods pledge and its
  receipt), refund, transfer to a local government, escrow lock, a custody checkpoint. Also reported by
  ``python -m bench gas`` (scenario ``WelfarePools``).
- ``trace``: a pool of N donations (10,000; ``--quick`` 1,000) from 100 donors with payment orders,
  a government transfer; ``index_s`` is the indexer's reading of its events into a read model
  (:mod:`api.indexer`), ``p50_ms``/``p95_ms`` the latency of verifying one gift by its hash (:mod:`api.verify`).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from api.indexer import EventCatalog, Indexer, ReadModel, open_engine
from api.verify import EdgeKind, verify_transaction
from bench.gas import GAS_MONEY, GasWorld, open_world
from chain_client import ChainClient
from chain_client.contracts import (
    GOVERNMENT_ROLE,
    MONEY,
    AssetKind,
    AuditDecision,
    Checkpoint,
    InKindItem,
    InstitutionKind,
    InstitutionRegistry,
    PlanTerms,
    WelfareContracts,
    deploy_institution_registry,
    deploy_welfare_pools,
)
from chain_client.contracts.institution_registry import RegistryAttestation, credit_code_hash, encryption_key

RICE = keccak(text="goods:rice-25kg")
TOKEN = 10**18
DONATION_GAS = 200_000
_OUT_OF_PLAN = {EdgeKind.LOCKED, EdgeKind.TO_GOVERNMENT, EdgeKind.MOVED, EdgeKind.REFUNDED}


def _account(name: str) -> LocalAccount:
    account: LocalAccount = Account.from_key(keccak(text=f"bench pools {name}"))
    return account


def _progress(message: str) -> None:
    sys.stderr.write(f"  {message}\n")
    sys.stderr.flush()


@dataclass(frozen=True)
class PoolsWorld:
    base: GasWorld
    registry: InstitutionRegistry
    welfare: WelfareContracts
    charity: LocalAccount
    local_government: LocalAccount
    merchant: LocalAccount
    government: LocalAccount
    warehouse: LocalAccount
    carrier: LocalAccount
    escrow: LocalAccount
    donors: tuple[LocalAccount, ...]
    points: int

    @property
    def client(self) -> ChainClient:
        return self.base.client

    def now(self) -> int:
        block = self.client.backend.get_block("latest")
        return block.timestamp if block is not None else 0


def _allow(world: GasWorld, account: str) -> None:
    consortium = world.foundation.consortium
    if not consortium.is_allowed(account):
        consortium.allow_account(world.admin, account)


def _register(
    world: GasWorld, registry: InstitutionRegistry, account: LocalAccount, kind: InstitutionKind
) -> None:
    from oracle.attestation import sign_attestation  # the oracle package signs; bench only measures

    client = world.client
    _allow(world, account.address)
    registry.apply_for_registration(
        account,
        kind,
        [keccak(text=f"certificate {account.address}")],
        keccak(text="key"),
        encryption_key(account),
    )
    block = client.backend.get_block("latest")
    now = block.timestamp if block is not None else 0
    attestation = RegistryAttestation(
        credit_code_hash(account.address), keccak(text="record"), now, now + 86_400
    )
    signatures = [
        sign_attestation(o, attestation, client.chain_id, registry.address) for o in world.oracles[:2]
    ]
    attestation_id = registry.attest(world.oracles[0], attestation, signatures).event("RegistryAttested")[
        "attestationId"
    ]
    decision = AuditDecision(
        registry.application_digest_of(account.address), attestation_id, True, 1, now + 86_400 * 365
    )
    registry.audit(world.bank, account.address, decision)


def open_pools_world(world: GasWorld, donors: int = 2, *, escrow_account: bool = True) -> PoolsWorld:
    """The pools' escrow can be set only once: ``escrow_account`` makes it the cast's ``escrow`` account (which
    drives the hooks directly); without it the caller deploys the real escrow."""
    client, admin = world.client, world.admin
    consortium = world.foundation.consortium
    names = ["charity", "local_government", "merchant", "government", "warehouse", "carrier", "escrow"]
    cast = {name: _account(name) for name in names}
    donor_accounts = tuple(_account(f"donor {index}") for index in range(donors))
    for account in (*cast.values(), *donor_accounts):
        client.send_value(admin, account.address, GAS_MONEY)
    consortium.grant_role(admin, GOVERNMENT_ROLE, cast["government"].address)
    _allow(world, world.bank.address)
    registry = deploy_institution_registry(client, admin, consortium.address, 2)
    _register(world, registry, cast["charity"], InstitutionKind.CHARITY)
    _register(world, registry, cast["local_government"], InstitutionKind.LOCAL_GOVERNMENT)
    _register(world, registry, cast["merchant"], InstitutionKind.SUPPLIER)
    welfare = deploy_welfare_pools(
        client, admin, consortium, world.foundation.deposit_token.address, registry.address
    )
    if escrow_account:
        welfare.pools.set_escrow(admin, cast["escrow"].address)
    points, _ = welfare.assets.define_asset(cast["merchant"], AssetKind.POINTS, keccak(text="points terms"))
    token = world.foundation.deposit_token
    for index, donor in enumerate(donor_accounts):
        _allow(world, donor.address)
        deposit = keccak(text=f"bench donor deposit {registry.address} {index}")
        token.mint(world.bank, donor.address, 10**6 * TOKEN, deposit)
    return PoolsWorld(
        base=world,
        registry=registry,
        welfare=welfare,
        charity=cast["charity"],
        local_government=cast["local_government"],
        merchant=cast["merchant"],
        government=cast["government"],
        warehouse=cast["warehouse"],
        carrier=cast["carrier"],
        escrow=cast["escrow"],
        donors=donor_accounts,
        points=points,
    )


def _plan(world: PoolsWorld, ttl: int, *, needs_government: bool = False) -> tuple[int, dict[str, int]]:
    pools = world.welfare.pools
    terms = PlanTerms(
        purpose_digest=keccak(text="bench plan"),
        deadline=world.now() + ttl,
        money_target=10**6 * TOKEN,
        in_kind=(InKindItem(RICE, 1_000),),
        needs_government_approval=needs_government,
        government_transfer_allowed=True,
        warehouse=world.warehouse.address,
    )
    launched = pools.launch_plan(world.charity, terms)
    gas = {"launchPlan_1_in_kind_item": launched.result.receipt.gas_used}
    gas["auditPlan"] = pools.audit_plan(
        world.base.bank, launched.id, True, keccak(text="report")
    ).receipt.gas_used
    if needs_government:
        approved = pools.decide_plan(world.government, launched.id, True, keccak(text="approval"))
        gas["decidePlan"] = approved.receipt.gas_used
    return launched.id, gas


def pools_gas(base: GasWorld) -> dict[str, int]:
    """Every WelfarePools, WelfareAssets and ResourceTracker operation the issue's targets name."""
    world = open_pools_world(base)
    pools, tracker = world.welfare.pools, world.welfare.tracker
    alice, bob = world.donors
    pool_id, gas = _plan(world, ttl=60, needs_government=True)
    gas["donateWithPermit_first_gift"] = pools.donate_with_permit(alice, pool_id, 10 * TOKEN).gas_used
    gas["donateWithPermit"] = pools.donate_with_permit(alice, pool_id, 10 * TOKEN).gas_used
    world.base.foundation.deposit_token.approve(bob, pools.address, 2**256 - 1)
    gas["donate_first_gift"] = pools.donate(bob, pool_id, 10 * TOKEN).gas_used
    gas["donate"] = pools.donate(bob, pool_id, 10 * TOKEN).gas_used
    world.welfare.assets.issue(world.merchant, world.points, alice.address, 1_000, keccak(text="loyalty"))
    gas["donatePoints_first_gift"] = pools.donate_asset(alice, pool_id, world.points, 100).gas_used
    gas["donatePoints"] = pools.donate_asset(alice, pool_id, world.points, 100).gas_used
    pledge = pools.pledge_goods(bob, pool_id, RICE, 20, keccak(text="20 bags"))
    gas["pledgeGoods"] = pledge.result.receipt.gas_used
    gas["receivePledge_opens_lot"] = pools.receive_pledge(world.warehouse, pledge.id, 20).gas_used
    lot_id = pools.pledge_of(pledge.id).lot_id
    shipped = tracker.record_checkpoint(world.warehouse, lot_id, Checkpoint.SHIPPED, world.carrier.address)
    gas["checkpoint_shipped"] = shipped.receipt.gas_used
    gas["checkpoint_in_transit"] = tracker.record_checkpoint(
        world.carrier, lot_id, Checkpoint.IN_TRANSIT
    ).receipt.gas_used
    bank = world.base.bank.address
    order_deadline = pools.plan_of(pool_id).deadline
    gas["lockForOrder"] = pools.lock_for_order(
        world.escrow, pool_id, keccak(text="o1"), MONEY, 10 * TOKEN, bank, order_deadline
    ).receipt.gas_used
    # The stand-in payee is the charity, so that the escrow scenario's merchant keeps its first payment.
    gas["payOrder_payees_first_payment"] = pools.pay_order(
        world.escrow, pool_id, keccak(text="o1"), MONEY, 5 * TOKEN, world.charity.address, bank
    ).receipt.gas_used
    gas["payOrder"] = pools.pay_order(
        world.escrow, pool_id, keccak(text="o1"), MONEY, 5 * TOKEN, world.charity.address, bank
    ).receipt.gas_used
    proposed = pools.propose_government_transfer(
        world.charity, pool_id, world.local_government.address, MONEY, TOKEN, keccak(text="agreement")
    )
    gas["proposeGovernmentTransfer"] = proposed.result.receipt.gas_used
    gas["confirmGovernmentTransfer"] = pools.confirm_government_transfer(
        world.base.bank, proposed.id
    ).receipt.gas_used
    deadline = pools.plan_of(pool_id).deadline
    while world.now() <= deadline:
        world.client.send_value(world.escrow, world.escrow.address, 0)
        time.sleep(0.05)
    gas["windUp"] = pools.wind_up(world.charity, pool_id).receipt.gas_used
    gas["claimRefund"] = pools.claim_refund(bob, pool_id, MONEY, alice.address).receipt.gas_used
    return gas


def trace_latency(base: GasWorld, donations: int) -> dict[str, float | int]:
    """Tracing one gift in a pool of ``donations`` gifts from 100 donors, after outflows and refunds."""
    world = open_pools_world(base, donors=100)
    pools, client = world.welfare.pools, world.client
    token = base.foundation.deposit_token
    for donor in world.donors:
        token.approve(donor, pools.address, 2**256 - 1)
    pool_id, _ = _plan(world, ttl=3_600)
    started = time.perf_counter()
    pending = []
    sample: list[bytes] = []
    for index in range(donations):
        donor = world.donors[index % len(world.donors)]
        data = pools.abi.encode_call("donate", pool_id, (index % 97 + 1) * TOKEN)
        pending.append(client.submit(donor, pools.address, data, gas=DONATION_GAS))
        sample.append(pending[-1].tx_hash)
        if len(pending) >= 500:
            for each in pending:
                each.wait()
            pending.clear()
            _progress(f"trace: {index + 1} donations")
    for each in pending:
        each.wait()
    donate_s = time.perf_counter() - started
    for serial in range(10):
        order = keccak(text=f"bench order {serial}")
        pools.lock_for_order(
            world.escrow,
            pool_id,
            order,
            MONEY,
            1_000 * TOKEN,
            base.bank.address,
            pools.plan_of(pool_id).deadline,
        )
        if serial % 2 == 0:
            pools.pay_order(
                world.escrow, pool_id, order, MONEY, 1_000 * TOKEN, world.charity.address, base.bank.address
            )
    proposed = pools.propose_government_transfer(
        world.charity, pool_id, world.local_government.address, MONEY, 500 * TOKEN, keccak(text="agreement")
    )
    pools.confirm_government_transfer(base.bank, proposed.id)

    contracts = {
        **base.foundation.addresses(),
        "InstitutionRegistry": world.registry.address,
        **world.welfare.addresses(),
    }
    engine = open_engine(f"sqlite:///{tempfile.mkdtemp(prefix='bench-pools-')}/read-model.db")
    indexer = Indexer(client, engine, EventCatalog(client, contracts), max_batches_per_cycle=10**6)
    started = time.perf_counter()
    indexed = indexer.run_once().events
    index_s = time.perf_counter() - started
    read_model = ReadModel(engine)
    hashes = sample[:: max(1, len(sample) // 500)]
    latencies = []
    plan = f"plan:{pool_id}"
    for tx_hash in hashes:
        started = time.perf_counter()
        verification = verify_transaction(read_model, "0x" + tx_hash.hex())
        latencies.append((time.perf_counter() - started) * 1_000)
        gift = next(edge for edge in verification.flow.edges if edge.kind is EdgeKind.DONATED)
        held = next(node for node in verification.flow.nodes if node.id == plan).details["held"]
        out = sum(
            int(edge.share.base_units)
            for edge in verification.flow.edges
            if edge.source == plan and edge.share is not None and edge.kind in _OUT_OF_PLAN
        )
        assert gift.share is not None
        assert out + sum(int(item["share"]["base_units"]) for item in held) == int(gift.share.base_units)
    latencies.sort()
    return {
        "donations": donations,
        "donations_per_s": round(donations / donate_s, 1),
        "events_indexed": indexed,
        "index_s": round(index_s, 3),
        "p50_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 3),
    }


def run(quick: bool) -> dict[str, object]:
    base = open_world()
    try:
        _progress("pools: gas")
        gas = pools_gas(base)
        _progress("pools: trace latency")
        trace = trace_latency(base, 1_000 if quick else 10_000)
    finally:
        base.client.close()
    return {"gas": gas, "trace": trace}
