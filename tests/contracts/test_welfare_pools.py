"""contracts/WelfarePools.sol: plans, their audit and approval, donations, and every way value leaves a pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from chain_client import ContractReverted, TxResult
from chain_client.contracts import (
    BANK_ROLE,
    DEFAULT_ADMIN_ROLE,
    GOVERNMENT_ROLE,
    MONEY,
    DonationForm,
    GovernmentTransferStatus,
    InKindItem,
    InstitutionKind,
    Ledger,
    LotSource,
    LotStatus,
    PlanStatus,
    PledgeStatus,
    UnspentTerms,
    WelfarePools,
    deploy_welfare_pools,
)
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS, Accounts
from tests.pools_support import (
    BLANKETS,
    CAST,
    RICE,
    TOKEN,
    ZERO32,
    ZERO_ADDRESS,
    World,
    fund,
    open_plan,
    terms,
)
from tests.registry_support import advance_past, chain_time

pytestmark = pytest.mark.contract

ORDER = keccak(text="order-1")
REPORT = keccak(text="audit report")


def _reverts(call: Callable[[], Any], name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()
    assert raised.value.error_name == name
    assert raised.value.args == args


def _pools(world: World) -> WelfarePools:
    return world.welfare.pools


def _funded_pool(world: World, accounts: Accounts, **overrides: Any) -> int:
    """An open pool (charity's) with 60 from alice and 40 from bob."""
    pools = _pools(world)
    pool_id = open_plan(world, terms(world.client, **overrides))
    for donor, amount, ref in ((accounts.alice, 60, "fa"), (accounts.bob, 40, "fb")):
        fund(world, donor, amount * TOKEN, f"{ref}-{pool_id}")
        pools.donate_with_permit(donor, pool_id, amount * TOKEN)
    return pool_id


def _lock(pools: WelfarePools, escrow: LocalAccount, pool_id: int, asset: int, amount: int) -> TxResult:
    """``escrow`` sets ``amount`` aside for ORDER of the bank, due by the plan's deadline."""
    deadline = pools.plan_of(pool_id).deadline
    return pools.lock_for_order(escrow, pool_id, ORDER, asset, amount, ACCOUNTS.bank.address, deadline)


def _pay(
    pools: WelfarePools, escrow: LocalAccount, pool_id: int, asset: int, amount: int, payee: str
) -> TxResult:
    """``escrow`` pays ``amount`` of ORDER (issued by the bank) to ``payee``."""
    return pools.pay_order(escrow, pool_id, ORDER, asset, amount, payee, ACCOUNTS.bank.address)


def _expire(world: World, pool_id: int) -> None:
    advance_past(world.client, _pools(world).plan_of(pool_id).deadline, CAST.dave)


def _conserved(ledger: Ledger) -> None:
    assert ledger.inflow == ledger.outflow


# ---------------------------------------------------------------- launch, audit, approval


def test_an_approved_charity_launches_and_a_bank_audit_opens_the_plan(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    plan_terms = terms(world.client)
    launched = pools.launch_plan(accounts.charity, plan_terms)
    event = launched.result.event("PlanLaunched")
    assert (launched.id, event["charity"]) == (1, accounts.charity.address)
    assert event["terms"][0] == plan_terms.purpose_digest
    plan = pools.plan_of(launched.id)
    assert (plan.status, plan.charity, plan.warehouse, plan.deadline) == (
        PlanStatus.LAUNCHED,
        accounts.charity.address,
        CAST.warehouse.address,
        plan_terms.deadline,
    )
    assert pools.charity_of(launched.id) == accounts.charity.address
    assert pools.charity_of(999) == ZERO_ADDRESS
    assert pools.in_kind_of(launched.id) == plan_terms.in_kind
    assert pools.goods_of(launched.id, RICE).wanted == 500

    audited = pools.audit_plan(accounts.bank, launched.id, True, REPORT).event("PlanAudited")
    assert (audited["bank"], audited["passed"], audited["reportDigest"], audited["status"]) == (
        accounts.bank.address,
        True,
        REPORT,
        PlanStatus.OPEN,
    )
    assert pools.plan_of(launched.id).status == PlanStatus.OPEN
    assert pools.pool_count() == 1


def test_a_plan_needing_government_intervention_waits_for_the_government(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    pool_id = pools.launch_plan(accounts.charity, terms(world.client, needs_government_approval=True)).id
    pools.audit_plan(accounts.bank, pool_id, True, REPORT)
    assert pools.plan_of(pool_id).status == PlanStatus.AUDITED
    decided = pools.decide_plan(accounts.government, pool_id, True, keccak(text="approval")).event(
        "PlanDecided"
    )
    assert (decided["government"], decided["approved"], decided["status"]) == (
        accounts.government.address,
        True,
        PlanStatus.OPEN,
    )


def test_a_government_agency_plan_needs_no_approval(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = pools.launch_plan(CAST.agency, terms(world.client, needs_government_approval=True)).id
    assert not pools.plan_of(pool_id).needs_government_approval
    pools.audit_plan(accounts.bank, pool_id, True, REPORT)
    assert pools.plan_of(pool_id).status == PlanStatus.OPEN


def test_a_failed_audit_or_a_government_refusal_rejects_the_plan(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    first = pools.launch_plan(accounts.charity, terms(world.client)).id
    assert (
        pools.audit_plan(accounts.bank, first, False, REPORT).event("PlanAudited")["status"]
        == PlanStatus.REJECTED
    )
    second = pools.launch_plan(accounts.charity, terms(world.client, needs_government_approval=True)).id
    pools.audit_plan(accounts.bank, second, True, REPORT)
    pools.decide_plan(accounts.government, second, False, ZERO32)
    assert pools.plan_of(second).status == PlanStatus.REJECTED


def test_only_approved_charities_and_agencies_launch(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    plan_terms = terms(world.client)
    _reverts(
        lambda: pools.launch_plan(accounts.alice, plan_terms), "PoolLauncherNotActive", accounts.alice.address
    )
    _reverts(
        lambda: pools.launch_plan(accounts.supplier, plan_terms),
        "PoolLauncherKindNotAllowed",
        accounts.supplier.address,
        InstitutionKind.SUPPLIER,
    )
    world.registry.suspend(accounts.regulator, accounts.charity.address, keccak(text="FRAUD"))
    _reverts(
        lambda: pools.launch_plan(accounts.charity, plan_terms),
        "PoolLauncherNotActive",
        accounts.charity.address,
    )
    assert pools.pool_count() == 0


def test_a_plan_needs_a_target_a_valid_in_kind_list_and_a_future_deadline(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    client = world.client
    _reverts(
        lambda: pools.launch_plan(accounts.charity, terms(client, money_target=0, in_kind=())),
        "PoolTargetMissing",
    )
    duplicate = (InKindItem(RICE, 1), InKindItem(BLANKETS, 2), InKindItem(RICE, 3))
    _reverts(
        lambda: pools.launch_plan(accounts.charity, terms(client, in_kind=duplicate)), "PoolInKindInvalid", 2
    )
    zero = (InKindItem(RICE, 0),)
    _reverts(lambda: pools.launch_plan(accounts.charity, terms(client, in_kind=zero)), "PoolInKindInvalid", 0)
    past = terms(client, ttl=-1)
    _reverts(lambda: pools.launch_plan(accounts.charity, past), "PoolDeadlineInPast", past.deadline)
    assert pools.pool_count() == 0


def test_audits_and_decisions_need_the_role_and_the_right_moment(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = pools.launch_plan(accounts.charity, terms(world.client, needs_government_approval=True)).id
    _reverts(
        lambda: pools.audit_plan(accounts.alice, pool_id, True, REPORT),
        "PoolUnauthorized",
        accounts.alice.address,
        BANK_ROLE,
    )
    _reverts(
        lambda: pools.decide_plan(accounts.government, pool_id, True, REPORT),
        "PoolNotAwaitingApproval",
        pool_id,
        PlanStatus.LAUNCHED,
    )
    pools.audit_plan(accounts.bank, pool_id, True, REPORT)
    _reverts(
        lambda: pools.audit_plan(accounts.bank2, pool_id, True, REPORT),
        "PoolNotAwaitingAudit",
        pool_id,
        PlanStatus.AUDITED,
    )
    _reverts(
        lambda: pools.decide_plan(accounts.bank, pool_id, True, REPORT),
        "PoolUnauthorized",
        accounts.bank.address,
        GOVERNMENT_ROLE,
    )
    _reverts(lambda: pools.audit_plan(accounts.bank, 99, True, REPORT), "PoolUnknown", 99)
    assert pools.plan_of(pool_id).status == PlanStatus.AUDITED


# ---------------------------------------------------------------- donations


def test_money_with_a_permit_is_one_transaction_and_one_gift(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = open_plan(world, terms(world.client))
    fund(world, accounts.alice, 100 * TOKEN, "alice")
    receipt = pools.donate_with_permit(accounts.alice, pool_id, 30 * TOKEN)
    assert (receipt.pool_id, receipt.donor, receipt.form, receipt.asset, receipt.amount) == (
        pool_id,
        accounts.alice.address,
        DonationForm.MONEY,
        MONEY,
        30 * TOKEN,
    )
    assert token.balance_of(accounts.alice.address) == 70 * TOKEN
    assert token.balance_of(pools.address) == 30 * TOKEN
    assert token.allowance(accounts.alice.address, pools.address) == 0
    assert pools.ledger_of(pool_id) == Ledger(donated=30 * TOKEN, balance=30 * TOKEN)
    assert pools.contribution_of(pool_id, MONEY, accounts.alice.address).donated == 30 * TOKEN


def test_money_already_approved_is_donated_with_donate(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = open_plan(world, terms(world.client))
    fund(world, accounts.bob, 10 * TOKEN, "bob")
    world.foundation.deposit_token.approve(accounts.bob, pools.address, 10 * TOKEN)
    assert pools.donate(accounts.bob, pool_id, 10 * TOKEN).amount == 10 * TOKEN
    assert pools.ledger_of(pool_id).balance == 10 * TOKEN


def test_points_and_rights_are_donated_through_the_erc1155_hook(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    assets = world.welfare.assets
    pool_id = open_plan(world, terms(world.client))
    assets.issue(accounts.supplier, world.points, accounts.alice.address, 1_000, keccak(text="loyalty-1"))
    assets.issue(accounts.bank, world.vouchers, accounts.alice.address, 5, keccak(text="vouchers-1"))
    points = pools.donate_asset(accounts.alice, pool_id, world.points, 400)
    assert (points.form, points.asset, points.amount, points.donor) == (
        DonationForm.POINTS,
        world.points,
        400,
        accounts.alice.address,
    )
    vouchers = pools.donate_asset(accounts.alice, pool_id, world.vouchers, 2)
    assert vouchers.form == DonationForm.RIGHTS
    assert assets.balance_of(pools.address, world.points) == 400
    assert pools.ledger_of(pool_id, world.points) == Ledger(donated=400, balance=400)
    assert pools.ledger_of(pool_id, world.vouchers) == Ledger(donated=2, balance=2)


def test_a_batch_of_assets_is_one_gift_per_asset(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    assets = world.welfare.assets
    pool_id = open_plan(world, terms(world.client))
    assets.issue(accounts.supplier, world.points, accounts.bob.address, 10, ZERO32)
    assets.issue(accounts.bank, world.vouchers, accounts.bob.address, 3, ZERO32)
    result = assets.safe_batch_transfer_from(
        accounts.bob,
        accounts.bob.address,
        pools.address,
        [world.points, world.vouchers],
        [10, 3],
        abi_encode(["uint256"], [pool_id]),
    )
    decoded = world.client.decode_events(result.receipt.logs, [pools.abi])
    gifts = [event for event in decoded if event.name == "DonationReceived"]
    assert [(gift["asset"], gift["amount"]) for gift in gifts] == [(world.points, 10), (world.vouchers, 3)]


def test_welfare_assets_need_the_pool_id_and_only_welfare_assets_are_taken(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    assets = world.welfare.assets
    open_plan(world, terms(world.client))
    assets.issue(accounts.supplier, world.points, accounts.alice.address, 10, ZERO32)
    _reverts(
        lambda: assets.safe_transfer_from(
            accounts.alice, accounts.alice.address, pools.address, world.points, 5
        ),
        "PoolDonationPoolMissing",
    )
    call = pools.abi.encode_call(
        "onERC1155Received",
        accounts.alice.address,
        accounts.alice.address,
        world.points,
        5,
        abi_encode(["uint256"], [1]),
    )
    _reverts(
        lambda: world.client.transact(accounts.alice, pools.address, call),
        "PoolAssetContractUnknown",
        accounts.alice.address,
    )
    assert assets.balance_of(accounts.alice.address, world.points) == 10


def test_goods_count_when_the_warehouse_signs_and_open_a_lot(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = open_plan(world, terms(world.client))
    pledge = pools.pledge_goods(accounts.bob, pool_id, RICE, 50, keccak(text="50 bags"))
    assert pools.pledge_of(pledge.id).status == PledgeStatus.PLEDGED
    assert pools.goods_of(pool_id, RICE).received == 0

    receipt = pools.receive_pledge(CAST.warehouse, pledge.id, 48)
    assert (receipt.form, receipt.asset, receipt.amount, receipt.pledge_id, receipt.donor) == (
        DonationForm.GOODS,
        int.from_bytes(RICE, "big"),
        48,
        pledge.id,
        accounts.bob.address,
    )
    stored = pools.pledge_of(pledge.id)
    assert (stored.status, stored.received, stored.lot_id) == (PledgeStatus.RECEIVED, 48, 1)
    assert pools.goods_of(pool_id, RICE).received == 48
    lot = world.welfare.tracker.lot_of(stored.lot_id)
    assert (lot.holder, lot.status, lot.source, lot.quantity, lot.pool_id, lot.source_ref) == (
        CAST.warehouse.address,
        LotStatus.STORED,
        LotSource.PLEDGE,
        48,
        pool_id,
        pledge.id.to_bytes(32, "big"),
    )


def test_wrong_pledges_and_receipts_revert(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = open_plan(world, terms(world.client, in_kind=(InKindItem(RICE, 10),)))
    _reverts(
        lambda: pools.pledge_goods(accounts.bob, pool_id, BLANKETS, 1, ZERO32),
        "PoolGoodsNotWanted",
        pool_id,
        BLANKETS,
    )
    _reverts(lambda: pools.pledge_goods(accounts.bob, pool_id, RICE, 0, ZERO32), "PoolZeroAmount")
    pledge_id = pools.pledge_goods(accounts.bob, pool_id, RICE, 5, ZERO32).id
    _reverts(lambda: pools.receive_pledge(CAST.warehouse, 9, 1), "PoolPledgeUnknown", 9)
    _reverts(
        lambda: pools.receive_pledge(accounts.charity, pledge_id, 5),
        "PoolNotWarehouse",
        pool_id,
        accounts.charity.address,
    )
    _reverts(
        lambda: pools.receive_pledge(CAST.warehouse, pledge_id, 6),
        "PoolPledgeQuantityInvalid",
        pledge_id,
        5,
        6,
    )
    _reverts(
        lambda: pools.receive_pledge(CAST.warehouse, pledge_id, 0),
        "PoolPledgeQuantityInvalid",
        pledge_id,
        5,
        0,
    )
    pools.receive_pledge(CAST.warehouse, pledge_id, 5)
    _reverts(
        lambda: pools.receive_pledge(CAST.warehouse, pledge_id, 5), "PoolPledgeAlreadyReceived", pledge_id
    )
    assert pools.goods_of(pool_id, RICE).received == 5
    assert world.welfare.tracker.lot_count() == 1


def test_a_closed_plan_still_takes_pledged_goods_but_a_wound_up_one_does_not(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    pool_id = open_plan(world, terms(world.client, ttl=12))
    first = pools.pledge_goods(accounts.bob, pool_id, RICE, 5, ZERO32).id
    second = pools.pledge_goods(accounts.bob, pool_id, RICE, 7, ZERO32).id
    pools.close_plan(accounts.charity, pool_id)
    pools.receive_pledge(CAST.warehouse, first, 5)
    _expire(world, pool_id)
    pools.wind_up(accounts.charity, pool_id)
    _reverts(
        lambda: pools.receive_pledge(CAST.warehouse, second, 7),
        "PoolNotSpendable",
        pool_id,
        PlanStatus.WOUND_UP,
    )
    stored = pools.pledge_of(second)
    assert (stored.status, stored.received, stored.lot_id) == (PledgeStatus.PLEDGED, 0, 0)
    assert pools.goods_of(pool_id, RICE).received == 5
    assert world.welfare.tracker.lot_count() == 1


def test_donating_to_an_unaudited_unapproved_closed_or_expired_plan_reverts_and_changes_nothing(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    fund(world, accounts.alice, 100 * TOKEN, "alice")
    world.welfare.assets.issue(accounts.supplier, world.points, accounts.alice.address, 10, ZERO32)
    unaudited = pools.launch_plan(accounts.charity, terms(world.client)).id
    unapproved = pools.launch_plan(accounts.charity, terms(world.client, needs_government_approval=True)).id
    pools.audit_plan(accounts.bank, unapproved, True, REPORT)
    closed = open_plan(world, terms(world.client))
    pools.close_plan(accounts.charity, closed)
    expired = open_plan(world, terms(world.client, ttl=8))
    _expire(world, expired)

    cases = [
        (unaudited, "PoolNotOpen", (unaudited, PlanStatus.LAUNCHED)),
        (unapproved, "PoolNotOpen", (unapproved, PlanStatus.AUDITED)),
        (closed, "PoolNotOpen", (closed, PlanStatus.CLOSED)),
        (expired, "PoolExpired", (expired, pools.plan_of(expired).deadline)),
        (42, "PoolUnknown", (42,)),
    ]
    for pool_id, error, args in cases:
        _reverts(
            lambda pool_id=pool_id: pools.donate_with_permit(accounts.alice, pool_id, TOKEN), error, *args
        )
        _reverts(
            lambda pool_id=pool_id: pools.donate_asset(accounts.alice, pool_id, world.points, 1), error, *args
        )
        _reverts(
            lambda pool_id=pool_id: pools.pledge_goods(accounts.alice, pool_id, RICE, 1, ZERO32), error, *args
        )
        assert pools.ledger_of(pool_id) == Ledger()
        assert pools.ledger_of(pool_id, world.points) == Ledger()
    assert token.balance_of(accounts.alice.address) == 100 * TOKEN
    assert token.balance_of(pools.address) == 0
    assert world.welfare.assets.balance_of(accounts.alice.address, world.points) == 10


def test_a_zero_donation_reverts(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = open_plan(world, terms(world.client))
    _reverts(lambda: pools.donate_with_permit(accounts.alice, pool_id, 0), "PoolZeroAmount")


# ---------------------------------------------------------------- close, wind up, refunds, moves


def test_closing_needs_the_charity_or_a_bank_and_an_open_plan(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = open_plan(world, terms(world.client))
    _reverts(
        lambda: pools.close_plan(accounts.bob, pool_id), "PoolNotCharityOrBank", pool_id, accounts.bob.address
    )
    assert pools.close_plan(accounts.bank, pool_id).event("PlanClosed")["by"] == accounts.bank.address
    _reverts(lambda: pools.close_plan(accounts.charity, pool_id), "PoolNotOpen", pool_id, PlanStatus.CLOSED)


def test_after_the_deadline_donors_are_refunded_pro_rata(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = _funded_pool(world, accounts, ttl=12)
    # 50 goes to a government transfer first; 50 of the 100 remains to refund: alice 30, bob 20.
    transfer_id = pools.propose_government_transfer(
        accounts.charity, pool_id, CAST.local_government.address, MONEY, 50 * TOKEN, ZERO32
    ).id
    pools.confirm_government_transfer(accounts.bank, transfer_id)
    _reverts(
        lambda: pools.wind_up(accounts.charity, pool_id),
        "PoolNotWindable",
        pool_id,
        PlanStatus.OPEN,
        pools.plan_of(pool_id).deadline,
    )
    _reverts(
        lambda: pools.claim_refund(accounts.alice, pool_id, MONEY, accounts.alice.address),
        "PoolNotWoundUp",
        pool_id,
        PlanStatus.OPEN,
    )
    _expire(world, pool_id)
    wound = pools.wind_up(accounts.charity, pool_id).event("PlanWoundUp")
    assert wound["unspent"] == UnspentTerms.REFUND
    assert pools.refundable_of(pool_id, MONEY, accounts.alice.address) == 30 * TOKEN

    refund = pools.claim_refund(accounts.outsider, pool_id, MONEY, accounts.alice.address).event("RefundPaid")
    assert (refund["donor"], refund["amount"]) == (accounts.alice.address, 30 * TOKEN)
    pools.claim_refund(accounts.bob, pool_id, MONEY, accounts.bob.address)
    assert token.balance_of(accounts.alice.address) == 30 * TOKEN
    assert token.balance_of(accounts.bob.address) == 20 * TOKEN
    ledger = pools.ledger_of(pool_id)
    assert ledger == Ledger(donated=100 * TOKEN, refunded=50 * TOKEN, to_government=50 * TOKEN)
    _reverts(
        lambda: pools.claim_refund(accounts.alice, pool_id, MONEY, accounts.alice.address),
        "PoolNothingToRefund",
        pool_id,
        MONEY,
        accounts.alice.address,
    )
    _reverts(
        lambda: pools.claim_refund(accounts.alice, pool_id, MONEY, accounts.carol.address),
        "PoolNothingToRefund",
        pool_id,
        MONEY,
        accounts.carol.address,
    )


def test_value_back_from_escrow_after_a_wind_up_is_refunded_too(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = _funded_pool(world, accounts, ttl=12)
    _lock(pools, CAST.escrow, pool_id, MONEY, 100 * TOKEN)
    _expire(world, pool_id)
    pools.wind_up(accounts.bank, pool_id)
    _reverts(
        lambda: _lock(pools, CAST.escrow, pool_id, MONEY, 1),
        "PoolNotSpendable",
        pool_id,
        PlanStatus.WOUND_UP,
    )
    assert pools.refundable_of(pool_id, MONEY, accounts.alice.address) == 0
    pools.return_from_order(CAST.escrow, pool_id, ORDER, MONEY, 100 * TOKEN)
    assert pools.refundable_of(pool_id, MONEY, accounts.alice.address) == 60 * TOKEN
    pools.claim_refund(accounts.alice, pool_id, MONEY, accounts.alice.address)
    _conserved(pools.ledger_of(pool_id))


def test_unspent_value_moves_to_the_plan_the_terms_name(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    target = open_plan(world, terms(world.client))
    other = open_plan(world, terms(world.client))
    source = _funded_pool(world, accounts, ttl=12, unspent=UnspentTerms.MOVE_TO_PLAN, successor=target)
    assert pools.plan_of(source).successor_pool_id == target
    _expire(world, source)
    _reverts(
        lambda: pools.move_unspent(accounts.charity, source, MONEY, target),
        "PoolNotWoundUp",
        source,
        PlanStatus.OPEN,
    )
    pools.wind_up(accounts.charity, source)
    _reverts(
        lambda: pools.claim_refund(accounts.alice, source, MONEY, accounts.alice.address),
        "PoolUnspentTermsMismatch",
        source,
        UnspentTerms.MOVE_TO_PLAN,
    )
    # Only the named plan: not itself, not another open plan, whoever asks (the bank of another charity included).
    for destination in (source, other):
        for mover in (accounts.charity, accounts.bank):
            _reverts(
                lambda destination=destination, mover=mover: pools.move_unspent(
                    mover, source, MONEY, destination
                ),
                "PoolNotSuccessor",
                source,
                destination,
                target,
            )
    assert pools.ledger_of(other) == Ledger()
    # The terms decide, so anyone may carry them out.
    moved = pools.move_unspent(accounts.bob, source, MONEY, target).event("UnspentMoved")
    assert (moved["fromPoolId"], moved["toPoolId"], moved["amount"], moved["decisionDigest"]) == (
        source,
        target,
        100 * TOKEN,
        ZERO32,
    )
    assert pools.ledger_of(source) == Ledger(donated=100 * TOKEN, moved_out=100 * TOKEN)
    assert pools.ledger_of(target) == Ledger(balance=100 * TOKEN, moved_in=100 * TOKEN)
    assert pools.moved_contribution_of(target, MONEY, source).donated == 100 * TOKEN
    _reverts(
        lambda: pools.move_unspent(accounts.charity, source, MONEY, target),
        "PoolNothingToMove",
        source,
        MONEY,
    )


def test_a_refund_plan_cannot_move_and_a_move_needs_an_open_target(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    source = _funded_pool(world, accounts, ttl=12)
    closed = open_plan(world, terms(world.client))
    pools.close_plan(accounts.charity, closed)
    _expire(world, source)
    pools.wind_up(accounts.charity, source)
    _reverts(
        lambda: pools.move_unspent(accounts.charity, source, MONEY, closed),
        "PoolUnspentTermsMismatch",
        source,
        UnspentTerms.REFUND,
    )
    assert pools.ledger_of(source).balance == 100 * TOKEN


# ---------------------------------------------------------------- the charity's standing


def _suspend_charity(world: World, accounts: Accounts) -> None:
    world.registry.suspend(accounts.regulator, accounts.charity.address, keccak(text="FRAUD"))


def test_a_bank_cannot_audit_the_plan_of_a_suspended_charity(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = pools.launch_plan(accounts.charity, terms(world.client)).id
    _suspend_charity(world, accounts)
    _reverts(
        lambda: pools.audit_plan(accounts.bank, pool_id, True, REPORT),
        "PoolCharityNotActive",
        pool_id,
        accounts.charity.address,
    )
    assert pools.plan_of(pool_id).status == PlanStatus.LAUNCHED


def test_a_suspended_charitys_plan_takes_no_gifts_and_the_charity_cannot_act_on_it(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = _funded_pool(world, accounts)
    fund(world, accounts.alice, 10 * TOKEN, "alice after suspension")
    world.welfare.assets.issue(accounts.supplier, world.points, accounts.alice.address, 10, ZERO32)
    _suspend_charity(world, accounts)
    not_active = ("PoolCharityNotActive", pool_id, accounts.charity.address)

    _reverts(lambda: pools.donate_with_permit(accounts.alice, pool_id, TOKEN), *not_active)
    token.approve(accounts.alice, pools.address, TOKEN)
    _reverts(lambda: pools.donate(accounts.alice, pool_id, TOKEN), *not_active)
    _reverts(lambda: pools.donate_asset(accounts.alice, pool_id, world.points, 1), *not_active)
    _reverts(lambda: pools.pledge_goods(accounts.alice, pool_id, RICE, 1, ZERO32), *not_active)
    _reverts(lambda: pools.close_plan(accounts.charity, pool_id), *not_active)
    _reverts(
        lambda: pools.propose_government_transfer(
            accounts.charity, pool_id, CAST.local_government.address, MONEY, TOKEN, ZERO32
        ),
        *not_active,
    )
    assert pools.plan_of(pool_id).status == PlanStatus.OPEN
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    assert pools.ledger_of(pool_id, world.points) == Ledger()
    assert pools.government_transfer_of(1).pool_id == 0
    assert token.balance_of(accounts.alice.address) == 10 * TOKEN
    assert world.welfare.assets.balance_of(accounts.alice.address, world.points) == 10
    # A bank can still close it for the donors' sake.
    assert pools.close_plan(accounts.bank, pool_id).event("PlanClosed")["by"] == accounts.bank.address


def test_after_a_charity_is_suspended_a_bank_winds_its_plan_up_and_donors_are_refunded(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = _funded_pool(world, accounts, ttl=12)
    _expire(world, pool_id)
    _suspend_charity(world, accounts)
    _reverts(
        lambda: pools.wind_up(accounts.charity, pool_id),
        "PoolCharityNotActive",
        pool_id,
        accounts.charity.address,
    )
    assert pools.plan_of(pool_id).status == PlanStatus.OPEN
    assert pools.wind_up(accounts.bank, pool_id).event("PlanWoundUp")["by"] == accounts.bank.address
    before = token.balance_of(accounts.alice.address)
    pools.claim_refund(accounts.alice, pool_id, MONEY, accounts.alice.address)
    assert token.balance_of(accounts.alice.address) == before + 60 * TOKEN


def test_unspent_value_waits_while_the_successors_charity_is_suspended(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    target = open_plan(world, terms(world.client))
    source = _funded_pool(world, accounts, ttl=12, unspent=UnspentTerms.MOVE_TO_PLAN, successor=target)
    _expire(world, source)
    pools.wind_up(accounts.charity, source)
    _suspend_charity(world, accounts)
    _reverts(
        lambda: pools.move_unspent(accounts.bank, source, MONEY, target),
        "PoolCharityNotActive",
        target,
        accounts.charity.address,
    )
    # Nor may its donors start refunds: the successor may still take the value once its charity is reinstated.
    _reverts(
        lambda: pools.claim_refund(accounts.alice, source, MONEY, accounts.alice.address),
        "PoolUnspentTermsMismatch",
        source,
        UnspentTerms.MOVE_TO_PLAN,
    )
    assert pools.ledger_of(source) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    assert pools.ledger_of(target) == Ledger()
    world.registry.reinstate(accounts.regulator, accounts.charity.address)
    moved = pools.move_unspent(accounts.bank, source, MONEY, target).event("UnspentMoved")
    assert (moved["toPoolId"], moved["amount"]) == (target, 100 * TOKEN)


def test_a_front_run_permit_does_not_stop_the_donation(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = open_plan(world, terms(world.client))
    fund(world, accounts.alice, 100 * TOKEN, "alice")
    deadline = chain_time(world.client) + 3_600
    signature = pools.sign_permit(accounts.alice, 30 * TOKEN, deadline)
    # Someone copies the permit from the mempool and submits it first: it uses up alice's nonce.
    token.permit(accounts.bob, accounts.alice.address, pools.address, 30 * TOKEN, deadline, signature)
    receipt = pools.donate_with_permit(
        accounts.alice, pool_id, 30 * TOKEN, permit_deadline=deadline, signature=signature
    )
    assert (receipt.donor, receipt.amount) == (accounts.alice.address, 30 * TOKEN)
    assert token.balance_of(pools.address) == 30 * TOKEN
    assert token.allowance(accounts.alice.address, pools.address) == 0


def test_a_failed_permit_without_an_allowance_reverts_at_the_transfer(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = open_plan(world, terms(world.client))
    fund(world, accounts.alice, 100 * TOKEN, "alice")
    deadline = chain_time(world.client) + 3_600
    forged = pools.sign_permit(accounts.bob, 30 * TOKEN, deadline)
    _reverts(
        lambda: pools.donate_with_permit(
            accounts.alice, pool_id, 30 * TOKEN, permit_deadline=deadline, signature=forged
        ),
        "ERC20InsufficientAllowance",
        pools.address,
        0,
        30 * TOKEN,
    )
    assert pools.ledger_of(pool_id) == Ledger()
    assert token.balance_of(accounts.alice.address) == 100 * TOKEN


# ---------------------------------------------------------------- transfers to a local government


def test_a_transfer_to_a_local_government_is_proposed_confirmed_and_acknowledged(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = _funded_pool(world, accounts)
    proposed = pools.propose_government_transfer(
        accounts.charity, pool_id, CAST.local_government.address, MONEY, 25 * TOKEN, keccak(text="agreement")
    )
    assert pools.government_transfer_of(proposed.id).status == GovernmentTransferStatus.PROPOSED
    assert pools.ledger_of(pool_id).balance == 100 * TOKEN
    confirmed = pools.confirm_government_transfer(accounts.bank, proposed.id).event(
        "GovernmentTransferConfirmed"
    )
    assert (confirmed["bank"], confirmed["amount"]) == (accounts.bank.address, 25 * TOKEN)
    assert token.balance_of(CAST.local_government.address) == 25 * TOKEN
    assert pools.ledger_of(pool_id) == Ledger(
        donated=100 * TOKEN, balance=75 * TOKEN, to_government=25 * TOKEN
    )
    _reverts(
        lambda: pools.acknowledge_government_transfer(accounts.charity, proposed.id),
        "PoolNotTransferRecipient",
        proposed.id,
        accounts.charity.address,
    )
    pools.acknowledge_government_transfer(CAST.local_government, proposed.id)
    assert pools.government_transfer_of(proposed.id).status == GovernmentTransferStatus.ACKNOWLEDGED
    _reverts(
        lambda: pools.confirm_government_transfer(accounts.bank, proposed.id),
        "PoolGovernmentTransferStatusInvalid",
        proposed.id,
        GovernmentTransferStatus.ACKNOWLEDGED,
    )


def test_a_transfer_to_an_unregistered_government_reverts_and_changes_nothing(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    pool_id = _funded_pool(world, accounts)
    _reverts(
        lambda: pools.propose_government_transfer(
            accounts.charity, pool_id, CAST.unregistered_government.address, MONEY, TOKEN, ZERO32
        ),
        "InstitutionNotActive",
        CAST.unregistered_government.address,
    )
    _reverts(
        lambda: pools.propose_government_transfer(
            accounts.charity, pool_id, CAST.agency.address, MONEY, TOKEN, ZERO32
        ),
        "InstitutionKindMismatch",
        CAST.agency.address,
        InstitutionKind.LOCAL_GOVERNMENT,
        InstitutionKind.GOVERNMENT_AGENCY,
    )
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    assert pools.government_transfer_of(1).status == GovernmentTransferStatus.NONE


def test_transfers_need_the_terms_the_charity_the_balance_and_a_bank(
    world: World, accounts: Accounts
) -> None:
    pools = _pools(world)
    local = CAST.local_government.address
    forbidden = _funded_pool(world, accounts, government_transfer_allowed=False)
    _reverts(
        lambda: pools.propose_government_transfer(accounts.charity, forbidden, local, MONEY, TOKEN, ZERO32),
        "PoolGovernmentTransferNotAllowed",
        forbidden,
    )
    pool_id = _funded_pool(world, accounts)
    _reverts(
        lambda: pools.propose_government_transfer(accounts.bob, pool_id, local, MONEY, TOKEN, ZERO32),
        "PoolNotCharity",
        pool_id,
        accounts.bob.address,
    )
    _reverts(
        lambda: pools.propose_government_transfer(
            accounts.charity, pool_id, local, MONEY, 101 * TOKEN, ZERO32
        ),
        "PoolInsufficientBalance",
        pool_id,
        MONEY,
        100 * TOKEN,
        101 * TOKEN,
    )
    _reverts(
        lambda: pools.propose_government_transfer(accounts.charity, pool_id, local, MONEY, 0, ZERO32),
        "PoolZeroAmount",
    )
    transfer_id = pools.propose_government_transfer(accounts.charity, pool_id, local, MONEY, TOKEN, ZERO32).id
    _reverts(
        lambda: pools.confirm_government_transfer(accounts.charity, transfer_id),
        "PoolUnauthorized",
        accounts.charity.address,
        BANK_ROLE,
    )
    _reverts(
        lambda: pools.confirm_government_transfer(accounts.bank, 77), "PoolGovernmentTransferUnknown", 77
    )
    _reverts(
        lambda: pools.acknowledge_government_transfer(CAST.local_government, transfer_id),
        "PoolGovernmentTransferStatusInvalid",
        transfer_id,
        GovernmentTransferStatus.PROPOSED,
    )
    pools.reject_government_transfer(accounts.bank, transfer_id)
    assert pools.government_transfer_of(transfer_id).status == GovernmentTransferStatus.REJECTED
    assert pools.ledger_of(pool_id).to_government == 0


# ---------------------------------------------------------------- payment-order escrow hooks


def test_the_escrow_locks_pays_and_returns(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    token = world.foundation.deposit_token
    pool_id = _funded_pool(world, accounts)
    supplier = accounts.supplier.address
    before = token.balance_of(supplier)
    locked = _lock(pools, CAST.escrow, pool_id, MONEY, 70 * TOKEN).event("OrderFundsLocked")
    assert (locked["orderId"], locked["amount"]) == (ORDER, 70 * TOKEN)
    # Locking is bookkeeping: the pools keep custody, the escrow holds nothing.
    assert token.balance_of(pools.address) == 100 * TOKEN
    assert token.balance_of(CAST.escrow.address) == 0
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=30 * TOKEN, escrowed=70 * TOKEN)
    paid = _pay(pools, CAST.escrow, pool_id, MONEY, 50 * TOKEN, supplier).event("OrderFundsPaid")
    assert (paid["poolId"], paid["orderId"], paid["asset"], paid["amount"], paid["payee"]) == (
        pool_id,
        ORDER,
        MONEY,
        50 * TOKEN,
        supplier,
    )
    returned = pools.return_from_order(CAST.escrow, pool_id, ORDER, MONEY, 20 * TOKEN).event(
        "OrderFundsReturned"
    )
    assert (returned["orderId"], returned["amount"]) == (ORDER, 20 * TOKEN)
    assert token.balance_of(supplier) == before + 50 * TOKEN
    assert token.balance_of(CAST.escrow.address) == 0
    assert token.balance_of(pools.address) == 50 * TOKEN
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=50 * TOKEN, paid_out=50 * TOKEN)


def test_the_escrow_hooks_work_for_welfare_assets(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    assets = world.welfare.assets
    pool_id = open_plan(world, terms(world.client))
    assets.issue(accounts.supplier, world.points, accounts.alice.address, 100, ZERO32)
    pools.donate_asset(accounts.alice, pool_id, world.points, 100)
    supplier = accounts.supplier.address
    before = assets.balance_of(supplier, world.points)
    _lock(pools, CAST.escrow, pool_id, world.points, 60)
    assert assets.balance_of(CAST.escrow.address, world.points) == 0
    assert assets.balance_of(pools.address, world.points) == 100
    pools.return_from_order(CAST.escrow, pool_id, ORDER, world.points, 20)
    _pay(pools, CAST.escrow, pool_id, world.points, 40, supplier)
    assert assets.balance_of(supplier, world.points) == before + 40
    assert assets.balance_of(pools.address, world.points) == 60
    assert pools.ledger_of(pool_id, world.points) == Ledger(donated=100, balance=60, paid_out=40)


def test_escrow_hooks_refuse_others_and_excess(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = _funded_pool(world, accounts)
    _reverts(
        lambda: _lock(pools, accounts.charity, pool_id, MONEY, 1),
        "PoolNotEscrow",
        accounts.charity.address,
    )
    _reverts(
        lambda: _lock(pools, CAST.escrow, pool_id, MONEY, 101 * TOKEN),
        "PoolInsufficientBalance",
        pool_id,
        MONEY,
        100 * TOKEN,
        101 * TOKEN,
    )
    _reverts(lambda: _lock(pools, CAST.escrow, pool_id, MONEY, 0), "PoolZeroAmount")
    _reverts(lambda: _lock(pools, CAST.escrow, 55, MONEY, 1), "PoolUnknown", 55)
    _lock(pools, CAST.escrow, pool_id, MONEY, 10 * TOKEN)
    _reverts(
        lambda: _pay(pools, CAST.escrow, pool_id, MONEY, 11 * TOKEN, accounts.supplier.address),
        "PoolEscrowExceeded",
        pool_id,
        MONEY,
        10 * TOKEN,
        11 * TOKEN,
    )
    _reverts(
        lambda: pools.return_from_order(CAST.escrow, pool_id, ORDER, MONEY, 11 * TOKEN),
        "PoolEscrowExceeded",
        pool_id,
        MONEY,
        10 * TOKEN,
        11 * TOKEN,
    )
    _reverts(
        lambda: _pay(pools, accounts.bank, pool_id, MONEY, 1, accounts.supplier.address),
        "PoolNotEscrow",
        accounts.bank.address,
    )
    _reverts(
        lambda: pools.return_from_order(accounts.bank, pool_id, ORDER, MONEY, 1),
        "PoolNotEscrow",
        accounts.bank.address,
    )
    _reverts(
        lambda: _pay(pools, CAST.escrow, pool_id, MONEY, 0, accounts.supplier.address),
        "PoolZeroAmount",
    )
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=90 * TOKEN, escrowed=10 * TOKEN)


def test_only_the_consortium_admin_sets_the_escrow_and_only_once(
    world: World, accounts: Accounts, foundation: Foundation
) -> None:
    fresh = deploy_welfare_pools(
        world.client,
        accounts.admin,
        foundation.consortium,
        foundation.deposit_token.address,
        world.registry.address,
    ).pools
    assert fresh.escrow() is None  # unset
    _reverts(
        lambda: fresh.set_escrow(accounts.bank, accounts.bank.address),
        "PoolUnauthorized",
        accounts.bank.address,
        DEFAULT_ADMIN_ROLE,
    )
    _reverts(lambda: fresh.set_escrow(accounts.admin, ZERO_ADDRESS), "PoolZeroAddress")
    assert fresh.escrow() is None  # unset
    assert fresh.set_escrow(accounts.admin, accounts.bob.address).event("EscrowSet")["escrow"] == (
        accounts.bob.address
    )
    assert fresh.escrow() == accounts.bob.address
    _reverts(
        lambda: fresh.set_escrow(accounts.admin, accounts.carol.address),
        "PoolEscrowAlreadySet",
        accounts.bob.address,
    )
    assert fresh.escrow() == accounts.bob.address


def test_the_escrow_cannot_be_repointed_to_drain_a_pool(world: World, accounts: Accounts) -> None:
    pools = _pools(world)
    pool_id = _funded_pool(world, accounts)
    _lock(pools, CAST.escrow, pool_id, MONEY, 10 * TOKEN)
    _reverts(
        lambda: pools.set_escrow(accounts.admin, accounts.bob.address),
        "PoolEscrowAlreadySet",
        CAST.escrow.address,
    )
    assert pools.escrow() == CAST.escrow.address
    _reverts(
        lambda: _lock(pools, accounts.bob, pool_id, MONEY, 90 * TOKEN),
        "PoolNotEscrow",
        accounts.bob.address,
    )
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=90 * TOKEN, escrowed=10 * TOKEN)


def test_the_pools_know_their_neighbours(world: World, foundation: Foundation) -> None:
    pools = _pools(world)
    assert pools.deposit_token() == foundation.deposit_token.address
    assert pools.welfare_assets() == world.welfare.assets.address
    assert pools.registry() == world.registry.address
    assert pools.tracker() == world.welfare.tracker.address
    assert chain_time(world.client) > 0
