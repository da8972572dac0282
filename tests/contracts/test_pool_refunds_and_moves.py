"""contracts/WelfarePools.sol: refunds that strand nothing, moved value that keeps its owners, bounded terms, and the
standing of the parties when points and goods move, on every backend (the property test on the embedded chain).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chain_client import ChainClient, ContractReverted
from chain_client.backends import EmbeddedBackend
from chain_client.contracts import MONEY, Ledger, PlanStatus, UnspentTerms
from tests.conftest import ACCOUNTS, GAS_MONEY, Accounts, named_account
from tests.pools_support import CAST, RICE, TOKEN, ZERO32, World, fund, open_plan, terms
from tests.registry_support import advance_past, chain_time

pytestmark = pytest.mark.contract

MAX_PLAN_DURATION = 730 * 86_400
SMALL_DONORS = tuple(named_account(f"small donor {index}") for index in range(8))


def _reverts(call: Callable[[], Any], name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()
    assert (raised.value.error_name, *raised.value.args) == (name, *args)


def _enlist(world: World, donors: Sequence[LocalAccount]) -> None:
    """Fund the donors with gas and put them on the allow-list (once per world)."""
    consortium = world.foundation.consortium
    for donor in donors:
        if world.client.balance(donor.address) < GAS_MONEY // 2:
            world.client.send_value(ACCOUNTS.admin, donor.address, GAS_MONEY)
        if not consortium.is_allowed(donor.address):
            consortium.allow_account(ACCOUNTS.admin, donor.address)


def _expire(world: World, pool_id: int) -> None:
    advance_past(world.client, world.welfare.pools.plan_of(pool_id).deadline)


def _give(world: World, pool_id: int, donors: Sequence[LocalAccount], amounts: Sequence[int]) -> None:
    for index, (donor, amount) in enumerate(zip(donors, amounts, strict=True)):
        fund(world, donor, amount, f"small gift {pool_id}-{index}-{amount}")
        world.welfare.pools.donate_with_permit(donor, pool_id, amount)


def _refund_everyone(
    world: World, pool_id: int, donors: Sequence[LocalAccount], order: Sequence[int]
) -> dict[str, int]:
    """Each donor (in ``order``) claims once; returns what each received.

    A first claim that finds nothing due pays 0 but takes the donor's place in the refund line; a second one reverts.
    """
    pools, token = world.welfare.pools, world.foundation.deposit_token
    received = {donor.address: 0 for donor in donors}
    for index in order:
        donor = donors[index]
        due = pools.refundable_of(pool_id, MONEY, donor.address)
        before = token.balance_of(donor.address)
        refused: ContractReverted | None = None
        try:
            paid = pools.claim_refund(ACCOUNTS.outsider, pool_id, MONEY, donor.address).event("RefundPaid")
        except ContractReverted as exc:
            refused = exc
        if refused is not None:
            assert (refused.error_name, due) == ("PoolNothingToRefund", 0)
            continue
        assert paid["amount"] == due
        assert token.balance_of(donor.address) == before + due
        received[donor.address] += due
    return received


def _check_exact(
    world: World,
    pool_id: int,
    donors: Sequence[LocalAccount],
    amounts: Sequence[int],
    received: dict[str, int],
    refundable: int,
) -> None:
    """Nothing stranded, and nobody above its exact share rounded up."""
    ledger = world.welfare.pools.ledger_of(pool_id)
    assert ledger.balance == 0
    assert ledger.refunded == refundable == sum(received.values())
    total = sum(amounts)
    for donor, amount in zip(donors, amounts, strict=True):
        exact_up = -(-amount * refundable // total)
        assert amount * refundable // total <= received[donor.address] <= exact_up


# ---------------------------------------------------------------- refunds strand nothing


def test_seven_small_donors_share_32_wei_exactly_and_the_1_wei_donor_is_not_forgotten(
    world: World, accounts: Accounts
) -> None:
    donors, amounts = SMALL_DONORS[:7], (1, 3, 5, 7, 9, 11, 13)
    _enlist(world, donors)
    pools = world.welfare.pools
    pool_id = open_plan(world, terms(world.client, ttl=30))
    _give(world, pool_id, donors, amounts)
    transfer = pools.propose_government_transfer(
        accounts.charity, pool_id, CAST.local_government.address, MONEY, 17, ZERO32
    ).id
    pools.confirm_government_transfer(accounts.bank, transfer)
    _expire(world, pool_id)
    pools.wind_up(accounts.charity, pool_id)
    # The biggest donors claim first, the 1-wei donor last: a floor-only split would leave it 0 and strand 4 wei.
    received = _refund_everyone(world, pool_id, donors, order=range(6, -1, -1))
    _check_exact(world, pool_id, donors, amounts, received, refundable=32)

    assert received[donors[0].address] == 1  # 32/49 of a wei, rounded up: the remainder reaches it
    # Claiming again finds nothing.
    for donor in donors:
        _reverts(
            lambda donor=donor: pools.claim_refund(ACCOUNTS.outsider, pool_id, MONEY, donor.address),
            "PoolNothingToRefund",
            pool_id,
            MONEY,
            donor.address,
        )
    assert pools.ledger_of(pool_id) == Ledger(donated=49, refunded=32, to_government=17)


def test_a_donor_whose_share_rounds_to_nothing_still_takes_its_place_in_line(
    world: World, accounts: Accounts
) -> None:
    """The 1-wei donor claims first and gets 0 wei: its place is taken, so the big donor cannot take the remainder
    of its share, and no wei stays behind."""
    donors, amounts = SMALL_DONORS[:2], (1, 979)
    _enlist(world, donors)
    pools = world.welfare.pools
    pool_id = open_plan(world, terms(world.client, ttl=30))
    _give(world, pool_id, donors, amounts)
    transfer = pools.propose_government_transfer(
        accounts.charity, pool_id, CAST.local_government.address, MONEY, 20, ZERO32
    ).id
    pools.confirm_government_transfer(accounts.bank, transfer)
    _expire(world, pool_id)
    pools.wind_up(accounts.charity, pool_id)
    first = pools.claim_refund(accounts.outsider, pool_id, MONEY, donors[0].address).event("RefundPaid")
    assert first["amount"] == 0  # 960/980 of a wei, rounded down at the head of the line
    received = _refund_everyone(world, pool_id, donors, order=(1,))
    assert received[donors[1].address] == 960  # 959.02 rounded up: the whole remainder
    _check_exact(world, pool_id, donors, amounts, {donors[0].address: 0, **received}, refundable=960)


@pytest.fixture
def embedded_world(world: World, chain: ChainClient) -> World:
    if not isinstance(chain.backend, EmbeddedBackend):
        pytest.skip("the property test runs on the embedded chain only")
    _enlist(world, SMALL_DONORS)
    return world


@given(
    gifts=st.lists(st.integers(1, 10**21), min_size=2, max_size=6),
    spent_per_mille=st.integers(0, 999),
    order_seed=st.randoms(use_true_random=False),
)
@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_donors_and_odd_amounts_are_refunded_exactly(
    embedded_world: World, gifts: list[int], spent_per_mille: int, order_seed: Any
) -> None:
    world = embedded_world
    client = world.client
    snapshot = client.backend.snapshot()
    try:
        pools = world.welfare.pools
        donors = SMALL_DONORS[: len(gifts)]
        pool_id = open_plan(world, terms(client, ttl=30))
        _give(world, pool_id, donors, gifts)
        spent = sum(gifts) * spent_per_mille // 1000
        if spent:
            transfer = pools.propose_government_transfer(
                ACCOUNTS.charity, pool_id, CAST.local_government.address, MONEY, spent, ZERO32
            ).id
            pools.confirm_government_transfer(ACCOUNTS.bank, transfer)
        _expire(world, pool_id)
        pools.wind_up(ACCOUNTS.bank, pool_id)
        order = list(range(len(donors)))
        order_seed.shuffle(order)
        received = _refund_everyone(world, pool_id, donors, order)
        _check_exact(world, pool_id, donors, gifts, received, refundable=sum(gifts) - spent)
    finally:
        client.backend.revert(snapshot)


# ---------------------------------------------------------------- moved value keeps its owners


def test_moved_value_is_refunded_to_its_original_donors_not_to_the_destinations(
    world: World, accounts: Accounts
) -> None:
    """The windfall of issue 17: 100 TOKEN moved into a plan an accomplice gave 1 wei to."""
    pools, token = world.welfare.pools, world.foundation.deposit_token
    accomplice, donor = accounts.bob, accounts.alice
    destination = open_plan(world, terms(world.client, ttl=600))
    elsewhere = open_plan(world, terms(world.client, ttl=600), charity=CAST.agency)
    source = open_plan(
        world, terms(world.client, ttl=10, unspent=UnspentTerms.MOVE_TO_PLAN, successor=destination)
    )
    fund(world, donor, 100 * TOKEN, "the donor's 100")
    pools.donate_with_permit(donor, source, 100 * TOKEN)
    fund(world, accomplice, 1, "the accomplice's wei")
    pools.donate_with_permit(accomplice, destination, 1)
    _expire(world, source)
    pools.wind_up(accounts.bank, source)
    # No bank (nor anyone) moves it into a plan the terms do not name.
    _reverts(
        lambda: pools.move_unspent(accounts.bank, source, MONEY, elsewhere),
        "PoolNotSuccessor",
        source,
        elsewhere,
        destination,
    )
    assert pools.ledger_of(elsewhere) == Ledger()
    pools.move_unspent(accounts.bank, source, MONEY, destination)
    pools.wind_up_by_decision(accounts.regulator, destination, keccak(text="plan abandoned"))

    # The accomplice gets its own wei, not the moved value.
    before = token.balance_of(accomplice.address)
    pools.claim_refund(accounts.outsider, destination, MONEY, accomplice.address)
    assert token.balance_of(accomplice.address) == before + 1
    # The moved value goes back to the plan it came from, and from there to its donor.
    assert pools.returnable_of(destination, MONEY, source) == 100 * TOKEN
    returned = pools.return_moved_value(accounts.outsider, destination, MONEY, source).event(
        "MovedValueReturned"
    )
    assert (returned["fromPoolId"], returned["toPoolId"], returned["amount"]) == (
        destination,
        source,
        100 * TOKEN,
    )
    assert pools.ledger_of(source) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    before = token.balance_of(donor.address)
    pools.claim_refund(accounts.outsider, source, MONEY, donor.address)
    assert token.balance_of(donor.address) == before + 100 * TOKEN
    assert pools.ledger_of(destination) == Ledger(
        balance=0, donated=1, refunded=100 * TOKEN + 1, moved_in=100 * TOKEN
    )
    assert pools.ledger_of(source) == Ledger(donated=100 * TOKEN, refunded=100 * TOKEN)
    _reverts(
        lambda: pools.return_moved_value(accounts.outsider, destination, MONEY, source),
        "PoolNothingToReturn",
        destination,
        MONEY,
        source,
    )


def test_the_regulator_moves_value_elsewhere_only_before_refunds_start(
    world: World, accounts: Accounts
) -> None:
    pools = world.welfare.pools
    first = open_plan(world, terms(world.client, ttl=10))
    second = open_plan(world, terms(world.client, ttl=10))
    target = open_plan(world, terms(world.client, ttl=600), charity=CAST.agency)
    for pool_id in (first, second):
        fund(world, accounts.alice, 10 * TOKEN, f"alice for {pool_id}")
        pools.donate_with_permit(accounts.alice, pool_id, 10 * TOKEN)
    _expire(world, second)
    pools.wind_up(accounts.bank, first)
    pools.wind_up(accounts.bank, second)
    decision = keccak(text="decision: fund the agency's plan")
    _reverts(
        lambda: pools.move_unspent_by_decision(accounts.bank, first, MONEY, target, decision),
        "PoolUnauthorized",
        accounts.bank.address,
        keccak(text="REGULATOR_ROLE"),
    )
    moved = pools.move_unspent_by_decision(accounts.regulator, first, MONEY, target, decision).event(
        "UnspentMoved"
    )
    assert (moved["toPoolId"], moved["amount"], moved["by"], moved["decisionDigest"]) == (
        target,
        10 * TOKEN,
        accounts.regulator.address,
        decision,
    )
    assert pools.moved_contribution_of(target, MONEY, first).donated == 10 * TOKEN
    pools.claim_refund(accounts.outsider, second, MONEY, accounts.alice.address)
    _reverts(
        lambda: pools.move_unspent_by_decision(accounts.regulator, second, MONEY, target, decision),
        "PoolRefundsStarted",
        second,
        MONEY,
    )
    assert pools.ledger_of(target).moved_in == 10 * TOKEN


def test_a_plan_whose_successor_closed_refunds_its_donors(world: World, accounts: Accounts) -> None:
    pools = world.welfare.pools
    successor = open_plan(world, terms(world.client, ttl=600))
    source = open_plan(
        world, terms(world.client, ttl=10, unspent=UnspentTerms.MOVE_TO_PLAN, successor=successor)
    )
    fund(world, accounts.alice, 10 * TOKEN, "alice")
    pools.donate_with_permit(accounts.alice, source, 10 * TOKEN)
    _expire(world, source)
    pools.wind_up(accounts.bank, source)
    assert pools.refundable_of(source, MONEY, accounts.alice.address) == 0  # the successor can still take it
    pools.close_plan(accounts.bank, successor)
    _reverts(
        lambda: pools.move_unspent(accounts.bob, source, MONEY, successor),
        "PoolNotOpen",
        successor,
        PlanStatus.CLOSED,
    )
    pools.claim_refund(accounts.outsider, source, MONEY, accounts.alice.address)
    assert pools.ledger_of(source) == Ledger(donated=10 * TOKEN, refunded=10 * TOKEN)


# ---------------------------------------------------------------- bounded terms


def test_a_plan_deadline_is_bounded_and_an_unreachable_plan_can_be_wound_up_by_the_regulator(
    world: World, accounts: Accounts
) -> None:
    pools = world.welfare.pools
    before = pools.pool_count()
    too_far = replace(terms(world.client), deadline=2**64 - 1)
    with pytest.raises(ContractReverted) as raised:
        pools.launch_plan(accounts.charity, too_far)
    name, deadline, latest = raised.value.error_name, *raised.value.args
    assert (name, deadline) == ("PoolDeadlineTooFar", 2**64 - 1)
    assert latest - chain_time(world.client) in (MAX_PLAN_DURATION, MAX_PLAN_DURATION + 1)
    assert pools.pool_count() == before
    assert pools.max_plan_duration() == MAX_PLAN_DURATION
    # The longest plan allowed opens; its donors need not wait two years if the regulator winds it up.
    longest = open_plan(world, terms(world.client, ttl=MAX_PLAN_DURATION))
    fund(world, accounts.alice, 10 * TOKEN, "alice long")
    pools.donate_with_permit(accounts.alice, longest, 10 * TOKEN)
    _reverts(
        lambda: pools.wind_up(accounts.bank, longest),
        "PoolNotWindable",
        longest,
        PlanStatus.OPEN,
        pools.plan_of(longest).deadline,
    )
    decision = keccak(text="decision: the plan cannot reach its purpose")
    wound = pools.wind_up_by_decision(accounts.regulator, longest, decision).event("PlanWoundUp")
    assert (wound["by"], wound["decisionDigest"]) == (accounts.regulator.address, decision)
    pools.claim_refund(accounts.outsider, longest, MONEY, accounts.alice.address)
    assert pools.ledger_of(longest) == Ledger(donated=10 * TOKEN, refunded=10 * TOKEN)
    _reverts(
        lambda: pools.wind_up_by_decision(accounts.regulator, longest, decision),
        "PoolNotWindable",
        longest,
        PlanStatus.WOUND_UP,
        pools.plan_of(longest).deadline,
    )


def test_the_terms_must_name_an_existing_successor_exactly_when_they_move_unspent_value(
    world: World, accounts: Accounts
) -> None:
    pools = world.welfare.pools
    existing = open_plan(world, terms(world.client))
    before = pools.pool_count()
    for unspent, successor in (
        (UnspentTerms.MOVE_TO_PLAN, 0),
        (UnspentTerms.MOVE_TO_PLAN, 10**6),
        (UnspentTerms.REFUND, existing),
    ):
        _reverts(
            lambda unspent=unspent, successor=successor: pools.launch_plan(
                accounts.charity, terms(world.client, unspent=unspent, successor=successor)
            ),
            "PoolSuccessorInvalid",
            successor,
        )
    assert pools.pool_count() == before


# ---------------------------------------------------------------- who may give points and goods


def test_accounts_off_the_allow_list_give_no_points_and_pledge_no_goods(
    world: World, accounts: Accounts
) -> None:
    pools, assets = world.welfare.pools, world.welfare.assets
    outsider = accounts.carol  # funded with gas, never allow-listed
    pool_id = open_plan(world, terms(world.client))
    assets.issue(accounts.supplier, world.points, outsider.address, 10, ZERO32)
    _reverts(
        lambda: pools.donate_asset(outsider, pool_id, world.points, 10),
        "PoolDonorNotAllowed",
        outsider.address,
    )
    _reverts(
        lambda: pools.pledge_goods(outsider, pool_id, RICE, 5, ZERO32),
        "PoolDonorNotAllowed",
        outsider.address,
    )
    assert assets.balance_of(outsider.address, world.points) == 10
    assert pools.ledger_of(pool_id, world.points) == Ledger()
    assert all(event["donor"] != outsider.address for event in pools.events("GoodsPledged"))


def test_a_suspended_charitys_warehouse_takes_no_pledged_goods(world: World, accounts: Accounts) -> None:
    pools = world.welfare.pools
    pool_id = open_plan(world, terms(world.client))
    pledge = pools.pledge_goods(accounts.alice, pool_id, RICE, 5, ZERO32).id
    world.registry.suspend(accounts.regulator, accounts.charity.address, keccak(text="FRAUD"))
    _reverts(
        lambda: pools.receive_pledge(CAST.warehouse, pledge, 5),
        "PoolCharityNotActive",
        pool_id,
        accounts.charity.address,
    )
    assert pools.goods_of(pool_id, RICE).received == 0
    world.registry.reinstate(accounts.regulator, accounts.charity.address)
    assert pools.receive_pledge(CAST.warehouse, pledge, 5).amount == 5


def test_a_transfer_to_a_local_government_needs_the_charity_active_when_it_is_confirmed(
    world: World, accounts: Accounts
) -> None:
    pools = world.welfare.pools
    pool_id = open_plan(world, terms(world.client))
    fund(world, accounts.alice, 10 * TOKEN, "alice")
    pools.donate_with_permit(accounts.alice, pool_id, 10 * TOKEN)
    transfer = pools.propose_government_transfer(
        accounts.charity, pool_id, CAST.local_government.address, MONEY, 4 * TOKEN, ZERO32
    ).id
    world.registry.suspend(accounts.regulator, accounts.charity.address, keccak(text="FRAUD"))
    _reverts(
        lambda: pools.confirm_government_transfer(accounts.bank, transfer),
        "PoolCharityNotActive",
        pool_id,
        accounts.charity.address,
    )
    assert pools.ledger_of(pool_id) == Ledger(donated=10 * TOKEN, balance=10 * TOKEN)
    assert world.foundation.deposit_token.balance_of(CAST.local_government.address) == 0
