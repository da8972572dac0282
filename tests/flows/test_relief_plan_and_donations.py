"""Flows 2, 3 and 6 of DESIGN.md: a relief plan is approved, donors give in every form, and each donor
follows their gift (pro rata for money and points, exactly for goods) from the events alone, through the
indexer's read model and verification by transaction hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_utils import keccak

from api.indexer import EventCatalog, Indexer, ReadModel, open_engine
from api.verify import EdgeKind, TransactionNotIndexed, Verification, verify_transaction
from chain_client import ChainClient, ContractReverted
from chain_client.contracts import MONEY, Checkpoint, DonationForm, PlanStatus
from tests.conftest import Accounts
from tests.pools_support import CAST, RICE, TOKEN, ZERO32, World, fund, terms
from tests.registry_support import advance_past

pytestmark = pytest.mark.flow

ORDER_MONEY = keccak(text="order: rice purchase")
ORDER_POINTS = keccak(text="order: supermarket points")


@pytest.fixture
def world(pools_world: World, chain: ChainClient) -> World:
    if chain.backend.name != "embedded":
        pytest.skip("flows run on the embedded chain")
    return pools_world


def test_a_plan_needing_government_intervention_stays_closed_until_approved(
    world: World, accounts: Accounts
) -> None:
    pools = world.welfare.pools
    fund(world, accounts.alice, 10 * TOKEN, "gov-flow")
    pool_id = pools.launch_plan(accounts.charity, terms(world.client, needs_government_approval=True)).id
    for expected in (PlanStatus.LAUNCHED, PlanStatus.AUDITED):
        with pytest.raises(ContractReverted) as raised:
            pools.donate_with_permit(accounts.alice, pool_id, TOKEN)
        assert (raised.value.error_name, raised.value.args) == ("PoolNotOpen", (pool_id, expected))
        if expected is PlanStatus.LAUNCHED:
            pools.audit_plan(accounts.bank, pool_id, True, keccak(text="S301 report"))
    pools.decide_plan(accounts.government, pool_id, True, keccak(text="approval"))
    assert pools.donate_with_permit(accounts.alice, pool_id, TOKEN).amount == TOKEN


def test_a_government_agency_plan_opens_without_government_approval(world: World, accounts: Accounts) -> None:
    pools = world.welfare.pools
    pool_id = pools.launch_plan(CAST.agency, terms(world.client, needs_government_approval=True)).id
    pools.audit_plan(accounts.bank, pool_id, True, keccak(text="S301 report"))
    assert pools.plan_of(pool_id).status == PlanStatus.OPEN


def test_a_donor_gives_money_points_and_goods_and_follows_each_gift(
    world: World, accounts: Accounts, tmp_path: Path
) -> None:
    pools, assets, tracker = world.welfare.pools, world.welfare.assets, world.welfare.tracker
    token = world.foundation.deposit_token
    pool_id = pools.launch_plan(accounts.charity, terms(world.client, ttl=30)).id
    pools.audit_plan(accounts.bank, pool_id, True, keccak(text="S301 report"))

    # Donations: alice in three forms, bob in money.
    fund(world, accounts.alice, 60 * TOKEN, "alice-flow")
    fund(world, accounts.bob, 40 * TOKEN, "bob-flow")
    assets.issue(accounts.supplier, world.points, accounts.alice.address, 100, keccak(text="loyalty"))
    money = pools.donate_with_permit(accounts.alice, pool_id, 60 * TOKEN)  # one transaction, no approve
    pools.donate_with_permit(accounts.bob, pool_id, 40 * TOKEN)
    points = pools.donate_asset(accounts.alice, pool_id, world.points, 100)
    pledge = pools.pledge_goods(accounts.alice, pool_id, RICE, 30, keccak(text="30 bags of rice"))
    goods = pools.receive_pledge(CAST.warehouse, pledge.id, 30)
    assert [(r.form, r.donor) for r in (money, points, goods)] == [
        (DonationForm.MONEY, accounts.alice.address),
        (DonationForm.POINTS, accounts.alice.address),
        (DonationForm.GOODS, accounts.alice.address),
    ]
    assert money.tx_hash != points.tx_hash != goods.tx_hash

    # Outflows: a payment order (30 paid, 20 still in escrow), 10 to a local government, 40 points paid.
    bank, due = accounts.bank.address, pools.plan_of(pool_id).deadline
    pools.lock_for_order(CAST.escrow, pool_id, ORDER_MONEY, MONEY, 50 * TOKEN, bank, due)
    pools.pay_order(CAST.escrow, pool_id, ORDER_MONEY, MONEY, 30 * TOKEN, accounts.supplier.address, bank)
    transfer = pools.propose_government_transfer(
        accounts.charity, pool_id, CAST.local_government.address, MONEY, 10 * TOKEN, keccak(text="agreement")
    )
    pools.confirm_government_transfer(accounts.bank, transfer.id)
    pools.acknowledge_government_transfer(CAST.local_government, transfer.id)
    pools.lock_for_order(CAST.escrow, pool_id, ORDER_POINTS, world.points, 40, bank, due)
    pools.pay_order(CAST.escrow, pool_id, ORDER_POINTS, world.points, 40, accounts.supplier.address, bank)

    # The goods travel to a beneficiary, each holder signing.
    lot_id = pools.pledge_of(pledge.id).lot_id
    tracker.record_checkpoint(
        CAST.warehouse, lot_id, Checkpoint.SHIPPED, CAST.carrier.address, keccak(text="waybill")
    )
    tracker.record_checkpoint(CAST.carrier, lot_id, Checkpoint.IN_TRANSIT, accounts.charity.address)
    tracker.record_checkpoint(accounts.charity, lot_id, Checkpoint.RECEIVED)
    tracker.record_checkpoint(
        accounts.charity, lot_id, Checkpoint.HANDED_TO_BENEFICIARY, CAST.beneficiary.address
    )
    tracker.record_checkpoint(
        CAST.beneficiary, lot_id, Checkpoint.SIGNED_OFF, None, keccak(text="signature sheet")
    )

    # After the deadline the plan is wound up and alice claims her refunds (bob has not yet).
    advance_past(world.client, pools.plan_of(pool_id).deadline, CAST.dave)
    pools.wind_up(accounts.charity, pool_id)
    pools.claim_refund(accounts.alice, pool_id, MONEY, accounts.alice.address)
    pools.claim_refund(accounts.alice, pool_id, world.points, accounts.alice.address)
    assert token.balance_of(accounts.alice.address) == 24 * TOKEN  # 60/100 of the 40 left
    assert assets.balance_of(accounts.alice.address, world.points) == 60

    # Each donor follows their gift from the events alone: the indexer reads them, verify follows the value.
    contracts = {
        **world.foundation.addresses(),
        "InstitutionRegistry": world.registry.address,
        **world.welfare.addresses(),
    }
    engine = open_engine(f"sqlite:///{tmp_path / 'read-model.db'}")
    Indexer(world.client, engine, EventCatalog(world.client, contracts)).run_once()
    read_model = ReadModel(engine)

    def shares(verification: Verification, kind: EdgeKind) -> int:
        return sum(int(e.share.base_units) for e in verification.flow.edges if e.kind is kind and e.share)

    money_trace = verify_transaction(read_model, "0x" + money.tx_hash.hex())
    plan = f"plan:{pool_id}"
    held = next(n for n in money_trace.flow.nodes if n.id == plan).details["held"]
    assert shares(money_trace, EdgeKind.DONATED) == 60 * TOKEN
    assert shares(money_trace, EdgeKind.REFUNDED) == 24 * TOKEN
    # The other 36 follows the pool's remaining 76: 30 paid, 20 escrowed, 10 to government, 16 unspent.
    rest = 36 * TOKEN
    held_share = sum(int(item["share"]["base_units"]) for item in held)
    paid, locked = shares(money_trace, EdgeKind.PAID), shares(money_trace, EdgeKind.LOCKED)
    for found, amount in [
        (paid, rest * 30 // 76),
        (locked - paid, rest * 20 // 76),
        (shares(money_trace, EdgeKind.TO_GOVERNMENT), rest * 10 // 76),
        (held_share, rest * 16 // 76),
    ]:
        assert 0 <= found - amount <= 1
    assert locked + shares(money_trace, EdgeKind.TO_GOVERNMENT) + held_share == rest
    edges = {edge.kind: edge for edge in money_trace.flow.edges}
    assert edges[EdgeKind.LOCKED].target == "order:0x" + ORDER_MONEY.hex()
    assert edges[EdgeKind.TO_GOVERNMENT].target == f"account:{CAST.local_government.address}"
    assert edges[EdgeKind.PAID].target == f"account:{accounts.supplier.address}"

    points_trace = verify_transaction(read_model, "0x" + points.tx_hash.hex())
    assert (shares(points_trace, EdgeKind.REFUNDED), shares(points_trace, EdgeKind.PAID)) == (60, 40)

    # The goods gift is followed exactly, from the pledge's transaction or the warehouse's receipt.
    goods_trace = verify_transaction(read_model, "0x" + pledge.result.tx_hash.hex())
    assert verify_transaction(read_model, "0x" + goods.tx_hash.hex()).flow == goods_trace.flow
    custody = [n for n in goods_trace.flow.nodes if n.id.startswith(f"lot:{lot_id}:step:")]
    assert [n.details["checkpoint"] for n in custody] == [
        "shipped",
        "in_transit",
        "received",
        "handed_to_beneficiary",
        "signed_off",
    ]
    assert [n.details["by"] for n in custody] == [
        CAST.warehouse.address,
        CAST.carrier.address,
        accounts.charity.address,
        accounts.charity.address,
        CAST.beneficiary.address,
    ]
    assert custody[-1].address == CAST.beneficiary.address
    with pytest.raises(TransactionNotIndexed):
        verify_transaction(read_model, "0x" + ZERO32.hex())
