"""Conservation of value in the welfare pools, under random sequences of every pool action.

A hypothesis state machine launches plans, donates money and points, closes, winds up, refunds, moves,
transfers to a local government, and (as the payment-order escrow) locks, pays and returns. It predicts
each outcome, named error included, and after every step checks that every pool's ledger matches the
model and that for every pool and asset donations in (plus value moved in) equal balance + escrowed +
paid out + refunded + to government (+ moved out), and that the contracts hold exactly the balances.

It runs on the embedded chain only (about 2,000 steps by default, more with ``-m slow``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from chain_client import ChainClient, ContractReverted, TransactionFailed
from chain_client.contracts import (
    BANK_ROLE,
    GOVERNMENT_ROLE,
    MONEY,
    ORACLE_ROLE,
    REGULATOR_ROLE,
    Ledger,
    PlanStatus,
    UnspentTerms,
)
from chain_client.deploy import deploy_foundation
from tests.conftest import ACCOUNTS, GAS_MONEY, open_embedded_client
from tests.pools_support import CAST, TOKEN, ZERO32, World, build_world, fund, terms
from tests.registry_support import chain_time

pytestmark = pytest.mark.contract

DEFAULT_STEPS = 2_000
MAX_POOLS = 6
DONORS = (ACCOUNTS.alice, ACCOUNTS.bob, CAST.dave)


@dataclass
class _Ledger:
    donated: int = 0
    balance: int = 0
    escrowed: int = 0
    paid_out: int = 0
    refunded: int = 0
    to_government: int = 0
    moved_in: int = 0
    moved_out: int = 0

    def frozen(self) -> Ledger:
        return Ledger(**{f.name: getattr(self, f.name) for f in fields(self)})


@dataclass
class _Pool:
    pool_id: int
    deadline: int
    status: PlanStatus
    unspent: UnspentTerms
    transfers_allowed: bool
    ledgers: dict[int, _Ledger] = field(default_factory=dict)
    contributions: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    def ledger(self, asset: int) -> _Ledger:
        return self.ledgers.setdefault(asset, _Ledger())

    def contribution(self, asset: int, donor: str) -> list[int]:
        return self.contributions.setdefault((asset, donor), [0, 0])


@dataclass
class _Order:
    pool_id: int
    order_id: bytes
    asset: int
    outstanding: int


@pytest.fixture(scope="module")
def invariant_world() -> Iterator[World]:
    """A private embedded chain: the state machine snapshots and reverts it once per example."""
    client = open_embedded_client()
    a = ACCOUNTS
    for account in vars(a).values():
        if account is not a.admin:
            client.send_value(a.admin, account.address, GAS_MONEY)
    foundation = deploy_foundation(client, a.admin)
    for role, holder in [
        (BANK_ROLE, a.bank),
        (REGULATOR_ROLE, a.regulator),
        (ORACLE_ROLE, a.oracle1),
        (ORACLE_ROLE, a.oracle2),
        (GOVERNMENT_ROLE, a.government),
    ]:
        foundation.consortium.grant_role(a.admin, role, holder.address)
    for member in (a.admin, a.bank, a.charity, a.supplier, a.alice, a.bob):
        foundation.consortium.allow_account(a.admin, member.address)
    world = build_world(client, foundation)
    pools = world.welfare.pools
    for index, donor in enumerate(DONORS):
        fund(world, donor, 10**9 * TOKEN, f"invariant donor {index}")
        foundation.deposit_token.approve(donor, pools.address, 2**256 - 1)
        world.welfare.assets.issue(ACCOUNTS.supplier, world.points, donor.address, 10**12, ZERO32)
    yield world
    client.close()


class PoolMachine(RuleBasedStateMachine):
    world: World
    steps = 0

    pool_ids = Bundle("pool_ids")

    def __init__(self) -> None:
        super().__init__()
        self.client: ChainClient = self.world.client
        self.pools = self.world.welfare.pools
        self.assets = (MONEY, self.world.points)
        self.snapshot = self.client.backend.snapshot()
        # After a revert the head is older than the wall clock: mine one block so the clock the model
        # reads (the latest block's time) is the one the next transactions will see, give or take a second.
        self.client.send_value(CAST.dave, CAST.dave.address, 0)
        self.model: dict[int, _Pool] = {}
        self.orders: list[_Order] = []
        self.next_pool = self.pools.pool_count() + 1
        self.order_serial = 0

    def teardown(self) -> None:
        self.client.backend.revert(self.snapshot)

    # ------------------------------------------------------------------ helpers

    def _step(self) -> None:
        type(self).steps += 1

    def _now(self) -> int:
        return chain_time(self.client)

    def _expect(
        self, call: Callable[[], Any], error: tuple[Any, ...] | None, *, ambiguous: bool = False
    ) -> bool:
        """Run ``call``; True if it succeeded. ``error`` is the predicted (name, *args) or None for success.

        ``ambiguous`` marks a deadline race (the simulation and the block may straddle the deadline).
        """
        reverted: ContractReverted | None = None
        try:
            call()
        except ContractReverted as exc:
            reverted = exc
        except TransactionFailed:
            assert ambiguous, "a transaction failed after its simulation passed"
            return False
        if reverted is None:
            assert error is None or ambiguous, f"expected {error}, the call succeeded"
            return True
        if not (ambiguous and reverted.error_name == "PoolExpired"):
            assert error is not None, f"unexpected {reverted}"
            assert (reverted.error_name, *reverted.args) == error
        return False

    def _open_error(self, pool: _Pool) -> tuple[tuple[Any, ...] | None, bool]:
        if pool.status != PlanStatus.OPEN:
            return ("PoolNotOpen", pool.pool_id, pool.status), False
        left = pool.deadline - self._now()
        if left < 0:
            return ("PoolExpired", pool.pool_id, pool.deadline), False
        return None, left < 3

    # ------------------------------------------------------------------ rules

    @initialize()
    def start(self) -> None:
        pass

    @rule(
        target=pool_ids,
        stage=st.integers(0, 4),
        needs_government=st.booleans(),
        ttl=st.integers(15, 150),
        unspent=st.sampled_from(UnspentTerms),
        transfers_allowed=st.booleans(),
    )
    def launch(
        self, stage: int, needs_government: bool, ttl: int, unspent: UnspentTerms, transfers_allowed: bool
    ) -> int:
        self._step()
        if len(self.model) >= MAX_POOLS:
            return next(iter(self.model))
        plan_terms = terms(
            self.client,
            ttl=ttl,
            needs_government_approval=needs_government,
            unspent=unspent,
            government_transfer_allowed=transfers_allowed,
        )
        pool_id = self.pools.launch_plan(ACCOUNTS.charity, plan_terms).id
        assert pool_id == self.next_pool
        self.next_pool += 1
        pool = _Pool(pool_id, plan_terms.deadline, PlanStatus.LAUNCHED, unspent, transfers_allowed)
        if stage >= 1:  # most plans get audited (and approved)
            self.pools.audit_plan(ACCOUNTS.bank, pool_id, True, ZERO32)
            pool.status = PlanStatus.AUDITED if needs_government else PlanStatus.OPEN
            if needs_government and stage >= 2:
                self.pools.decide_plan(ACCOUNTS.government, pool_id, True, ZERO32)
                pool.status = PlanStatus.OPEN
        self.model[pool_id] = pool
        return pool_id

    @rule(
        pool_id=pool_ids,
        donor=st.sampled_from(DONORS),
        amount=st.integers(1, 10**6),
        points=st.booleans(),
        permit=st.integers(0, 9),
    )
    def donate(self, pool_id: int, donor: Any, amount: int, points: bool, permit: int) -> None:
        self._step()
        pool = self.model[pool_id]
        asset = self.world.points if points else MONEY
        value = amount if points else amount * TOKEN // 1000
        error, ambiguous = self._open_error(pool)
        if points:
            call: Callable[[], Any] = lambda: self.pools.donate_asset(donor, pool_id, asset, value)  # noqa: E731
        elif permit == 0:
            call = lambda: self.pools.donate_with_permit(donor, pool_id, value)  # noqa: E731
        else:
            call = lambda: self.pools.donate(donor, pool_id, value)  # noqa: E731
        if self._expect(call, error, ambiguous=ambiguous):
            ledger = pool.ledger(asset)
            ledger.donated += value
            ledger.balance += value
            pool.contribution(asset, donor.address)[0] += value
        if not points and permit == 0:
            # The permit replaced the donor's standing approval (and the donation used it up).
            self.world.foundation.deposit_token.approve(donor, self.pools.address, 2**256 - 1)

    @rule(pool_id=pool_ids, by_bank=st.booleans())
    def close(self, pool_id: int, by_bank: bool) -> None:
        self._step()
        pool = self.model[pool_id]
        error = None if pool.status == PlanStatus.OPEN else ("PoolNotOpen", pool_id, pool.status)
        if self._expect(
            lambda: self.pools.close_plan(ACCOUNTS.bank if by_bank else ACCOUNTS.charity, pool_id), error
        ):
            pool.status = PlanStatus.CLOSED

    @rule(blocks=st.integers(1, 12))
    def advance_time(self, blocks: int) -> None:
        self._step()
        for _ in range(blocks):
            self.client.send_value(CAST.dave, CAST.dave.address, 0)

    @rule(pool_id=pool_ids)
    def wind_up(self, pool_id: int) -> None:
        self._step()
        pool = self.model[pool_id]
        spendable = pool.status in (PlanStatus.OPEN, PlanStatus.CLOSED)
        left = pool.deadline - self._now()
        error = None if spendable and left < 0 else ("PoolNotWindable", pool_id, pool.status, pool.deadline)
        ambiguous = spendable and 0 <= left < 3  # the next block may or may not be past the deadline
        if self._expect(lambda: self.pools.wind_up(ACCOUNTS.charity, pool_id), error, ambiguous=ambiguous):
            pool.status = PlanStatus.WOUND_UP

    @rule(pool_id=pool_ids, points=st.booleans(), percent=st.integers(0, 100), excess=st.booleans())
    def lock(self, pool_id: int, points: bool, percent: int, excess: bool) -> None:
        self._step()
        pool = self.model[pool_id]
        asset = self.world.points if points else MONEY
        ledger = pool.ledger(asset)
        amount = ledger.balance + 1 if excess else ledger.balance * percent // 100
        self.order_serial += 1
        order_id = keccak(text=f"order {self.order_serial}")
        error: tuple[Any, ...] | None = None
        if pool.status not in (PlanStatus.OPEN, PlanStatus.CLOSED):
            error = ("PoolNotSpendable", pool_id, pool.status)
        elif amount == 0:
            error = ("PoolZeroAmount",)
        elif amount > ledger.balance:
            error = ("PoolInsufficientBalance", pool_id, asset, ledger.balance, amount)
        if self._expect(
            lambda: self.pools.lock_for_order(CAST.escrow, pool_id, order_id, asset, amount), error
        ):
            ledger.balance -= amount
            ledger.escrowed += amount
            self.orders.append(_Order(pool_id, order_id, asset, amount))

    @rule(data=st.data(), pay=st.booleans(), percent=st.integers(1, 100))
    def settle_order(self, data: st.DataObject, pay: bool, percent: int) -> None:
        self._step()
        open_orders = [order for order in self.orders if order.outstanding]
        if not open_orders:
            return
        order = data.draw(st.sampled_from(open_orders))
        amount = max(1, order.outstanding * percent // 100)
        ledger = self.model[order.pool_id].ledger(order.asset)
        if pay:
            self.pools.pay_order(
                CAST.escrow, order.pool_id, order.order_id, order.asset, amount, ACCOUNTS.supplier.address
            )
            ledger.paid_out += amount
        else:
            self.pools.return_from_order(CAST.escrow, order.pool_id, order.order_id, order.asset, amount)
            ledger.balance += amount
        ledger.escrowed -= amount
        order.outstanding -= amount

    @rule(pool_id=pool_ids, points=st.booleans(), percent=st.integers(0, 100))
    def transfer_to_government(self, pool_id: int, points: bool, percent: int) -> None:
        self._step()
        pool = self.model[pool_id]
        asset = self.world.points if points else MONEY
        ledger = pool.ledger(asset)
        amount = ledger.balance * percent // 100
        error: tuple[Any, ...] | None = None
        if not pool.transfers_allowed:
            error = ("PoolGovernmentTransferNotAllowed", pool_id)
        elif pool.status not in (PlanStatus.OPEN, PlanStatus.CLOSED):
            error = ("PoolNotSpendable", pool_id, pool.status)
        elif amount == 0:
            error = ("PoolZeroAmount",)
        local = CAST.local_government.address

        def transfer() -> None:
            proposed = self.pools.propose_government_transfer(
                ACCOUNTS.charity, pool_id, local, asset, amount, ZERO32
            )
            self.pools.confirm_government_transfer(ACCOUNTS.bank, proposed.id)

        if self._expect(transfer, error):
            ledger.balance -= amount
            ledger.to_government += amount

    @rule(pool_id=pool_ids, donor=st.sampled_from(DONORS), points=st.booleans())
    def refund(self, pool_id: int, donor: Any, points: bool) -> None:
        self._step()
        pool = self.model[pool_id]
        asset = self.world.points if points else MONEY
        ledger = pool.ledger(asset)
        contribution = pool.contribution(asset, donor.address)
        due = 0
        if ledger.donated:
            due = max(
                0, contribution[0] * (ledger.refunded + ledger.balance) // ledger.donated - contribution[1]
            )
        error: tuple[Any, ...] | None = None
        if pool.status != PlanStatus.WOUND_UP:
            error = ("PoolNotWoundUp", pool_id, pool.status)
        elif pool.unspent != UnspentTerms.REFUND:
            error = ("PoolUnspentTermsMismatch", pool_id, pool.unspent)
        elif due == 0:
            error = ("PoolNothingToRefund", pool_id, asset, donor.address)
        if self._expect(
            lambda: self.pools.claim_refund(ACCOUNTS.outsider, pool_id, asset, donor.address), error
        ):
            contribution[1] += due
            ledger.refunded += due
            ledger.balance -= due

    @rule(pool_id=pool_ids, receiver=pool_ids, points=st.booleans())
    def move(self, pool_id: int, receiver: int, points: bool) -> None:
        self._step()
        pool, into = self.model[pool_id], self.model[receiver]
        asset = self.world.points if points else MONEY
        amount = pool.ledger(asset).balance
        error: tuple[Any, ...] | None = None
        ambiguous = False
        if pool.status != PlanStatus.WOUND_UP:
            error = ("PoolNotWoundUp", pool_id, pool.status)
        elif pool.unspent != UnspentTerms.MOVE_TO_PLAN:
            error = ("PoolUnspentTermsMismatch", pool_id, pool.unspent)
        elif receiver == pool_id:
            error = ("PoolMoveToSelf", pool_id)
        else:
            error, ambiguous = self._open_error(into)
            if error is None and amount == 0:
                error = ("PoolNothingToMove", pool_id, asset)
        if self._expect(
            lambda: self.pools.move_unspent(ACCOUNTS.charity, pool_id, asset, receiver),
            error,
            ambiguous=ambiguous,
        ):
            pool.ledger(asset).balance = 0
            pool.ledger(asset).moved_out += amount
            into.ledger(asset).balance += amount
            into.ledger(asset).moved_in += amount

    # ------------------------------------------------------------------ the invariant

    @invariant()
    def value_is_conserved(self) -> None:
        held = dict.fromkeys(self.assets, 0)
        for pool_id, pool in self.model.items():
            for asset in self.assets:
                on_chain = self.pools.ledger_of(pool_id, asset)
                assert on_chain.inflow == on_chain.outflow
                assert on_chain == pool.ledger(asset).frozen()
                # The pools keep custody of escrowed value until it is paid out.
                held[asset] += on_chain.balance + on_chain.escrowed
        token = self.world.foundation.deposit_token
        assert token.balance_of(self.pools.address) == held[MONEY]
        assert (
            self.world.welfare.assets.balance_of(self.pools.address, self.world.points)
            == held[self.world.points]
        )


def _run(world: World, examples: int, steps: int) -> int:
    PoolMachine.world = world
    PoolMachine.steps = 0
    run_state_machine_as_test(
        PoolMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            # The chain's clock is part of the state, so a replay is not exact: report, do not shrink.
            phases=(Phase.generate,),
            suppress_health_check=list(HealthCheck),
        ),
    )
    return PoolMachine.steps


def test_value_is_conserved_over_random_pool_actions(invariant_world: World) -> None:
    # Hypothesis ends some runs early, so run batches of examples until the steps add up.
    steps = 0
    while steps < DEFAULT_STEPS:
        steps += _run(invariant_world, examples=20, steps=50)


@pytest.mark.slow
def test_value_is_conserved_over_many_more_random_pool_actions(invariant_world: World) -> None:
    steps = 0
    while steps < 15_000:
        steps += _run(invariant_world, examples=100, steps=80)
