"""Conservation of value and exact refunds in the welfare pools, under random sequences of every pool action.

A hypothesis state machine launches plans (refund terms, or terms that name a successor plan), donates money and
points, closes, winds up (after the deadline, or early by the regulator's decision), suspends and reinstates the
charity, takes the BANK role from and gives it back to the second bank, locks, pays and returns value as the
payment-order escrow, transfers to a local government, moves unspent value to the named successor (or elsewhere by
the regulator's decision), pays moved value back to the plan it came from, and refunds donors. It predicts every
outcome from its own model, the named error included, and after every step checks that every pool's ledger equals
the model's, that ``donated + movedIn == balance + escrowed + paidOut + refunded + toGovernment + movedOut``, that
the pools hold exactly the balances and escrowed value, that each contributor's refunds sum to the pool's refunds
and never exceed its exact share rounded up, and, when it drains a pool's refunds, that nothing is left behind.

The chain's clock is frozen (tests/conftest.py): every block is one second after its parent and only the
``advance_time`` rule moves it further, so the model knows the time each call runs at (one second after the
head, in simulation and in its block alike), and a run replays exactly. It runs on the embedded chain only (about 2,000 steps by
default, 10,000 with ``-m slow``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chain_client import ChainClient, ContractReverted
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

DEFAULT_STEPS = 1_000
SLOW_STEPS = 10_000
MAX_POOLS = 7
DONORS = (ACCOUNTS.alice, ACCOUNTS.bob, CAST.dave)
BANKS = (ACCOUNTS.bank, ACCOUNTS.bank2)
ORDER_WINDOW = 90 * 86_400
SPENDABLE = (PlanStatus.OPEN, PlanStatus.CLOSED)

Error = tuple[Any, ...] | None
COVERED: Counter[str] = Counter()
"""What the runs achieved (not only attempted): the tests require each kind of success."""
Contributor = tuple[str, Any]  # ("donor", address) or ("pool", pool id)


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
class _Share:
    """One contributor's part of one asset of one pool, and its stretch of the refund line once it claimed."""

    contributed: int = 0
    refunded: int = 0
    start: int | None = None


@dataclass
class _Pool:
    pool_id: int
    charity: LocalAccount
    deadline: int
    status: PlanStatus
    unspent: UnspentTerms
    successor: int
    transfers_allowed: bool
    ledgers: dict[int, _Ledger] = field(default_factory=dict)
    shares: dict[tuple[int, Contributor], _Share] = field(default_factory=dict)
    placed: dict[int, int] = field(default_factory=dict)

    def ledger(self, asset: int) -> _Ledger:
        return self.ledgers.setdefault(asset, _Ledger())

    def share(self, asset: int, who: Contributor) -> _Share:
        return self.shares.setdefault((asset, who), _Share())

    def contributors_of_kind(self, kind: str) -> list[Contributor]:
        return [who for (_, who), share in self.shares.items() if who[0] == kind and share.contributed]

    def contributors(self, asset: int) -> list[Contributor]:
        return [who for (each, who), share in self.shares.items() if each == asset and share.contributed]


@dataclass
class _Order:
    pool_id: int
    order_id: bytes
    asset: int
    bank: LocalAccount
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
        (BANK_ROLE, a.bank2),
        (REGULATOR_ROLE, a.regulator),
        (ORACLE_ROLE, a.oracle1),
        (ORACLE_ROLE, a.oracle2),
        (GOVERNMENT_ROLE, a.government),
    ]:
        foundation.consortium.grant_role(a.admin, role, holder.address)
    for member in (a.admin, a.bank, a.bank2, a.charity, a.supplier, a.alice, a.bob):
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

    def __init__(self) -> None:
        super().__init__()
        self.client: ChainClient = self.world.client
        self.pools = self.world.welfare.pools
        self.assets = (MONEY, self.world.points)
        self.snapshot = self.client.backend.snapshot()
        self.model: dict[int, _Pool] = {}
        self.orders: list[_Order] = []
        self.next_pool = self.pools.pool_count() + 1
        self.order_serial = 0
        self.suspended: set[str] = set()
        self.dirty: set[int] = set()
        self.checks = 0
        self.acted = True
        self.bank2_active = True
        self.held_at_start = {
            MONEY: self.world.foundation.deposit_token.balance_of(self.pools.address),
            self.world.points: self.world.welfare.assets.balance_of(self.pools.address, self.world.points),
        }

    def teardown(self) -> None:
        self.client.backend.revert(self.snapshot)

    # ------------------------------------------------------------------ helpers

    def _step(self) -> None:
        type(self).steps += 1
        self.acted = True

    def _now(self) -> int:
        return chain_time(self.client)

    def _expect(self, call: Callable[[], Any], predict: Callable[[int], Error]) -> bool:
        """Run ``call``; True if it succeeded. ``predict(t)`` is the error at block time ``t`` (None: success).

        Both the simulation (a call runs in a pending block on top of the head) and the transaction's own block
        are one second after the head, with the clock frozen.
        """
        self._step()
        error = predict(self._now() + 1)
        reverted: ContractReverted | None = None
        try:
            call()
        except ContractReverted as exc:
            reverted = exc
        if reverted is None:
            assert error is None, f"expected {error}, the call succeeded"
            return True
        assert error is not None, f"unexpected {reverted}"
        assert (reverted.error_name, *reverted.args) == error
        COVERED["refused: " + reverted.error_name] += 1
        return False

    def _pick(self, data: st.DataObject, wanted: Callable[[_Pool], bool]) -> int | None:
        """A pool id: mostly one where the action can succeed, sometimes any (to meet the refusals too); None
        (nothing to do) mostly when no pool fits."""
        fitting = [pool_id for pool_id, pool in self.model.items() if wanted(pool)]
        if fitting and data.draw(st.integers(0, 4)):
            pool_id: int = data.draw(st.sampled_from(fitting))
        elif data.draw(st.integers(0, 3)) == 0:
            pool_id = data.draw(st.sampled_from(sorted(self.model)))
        else:
            return None
        self.dirty.add(pool_id)
        return pool_id

    def _any(self, wanted: Callable[[_Pool], bool]) -> bool:
        return any(wanted(pool) for pool in self.model.values())

    def _charity_active(self, pool: _Pool) -> bool:
        return pool.charity.address not in self.suspended

    def _bank_active(self, bank: LocalAccount) -> bool:
        return bank is ACCOUNTS.bank or self.bank2_active

    def _open_error(self, pool_id: int, at: int) -> Error:
        """What ``_requireOpen`` says of ``pool_id`` at time ``at``."""
        pool = self.model[pool_id]
        if pool.status != PlanStatus.OPEN:
            return ("PoolNotOpen", pool_id, pool.status)
        if at > pool.deadline:
            return ("PoolExpired", pool_id, pool.deadline)
        if not self._charity_active(pool):
            return ("PoolCharityNotActive", pool_id, pool.charity.address)
        return None

    def _refunds_open(self, pool: _Pool, at: int) -> bool:
        if pool.status != PlanStatus.WOUND_UP:
            return False
        if pool.unspent == UnspentTerms.REFUND:
            return True
        successor = self.model.get(pool.successor)
        if successor is None:  # a plan launched before this example: never opens here
            return True
        if successor.status in (PlanStatus.LAUNCHED, PlanStatus.AUDITED):
            return False
        return successor.status != PlanStatus.OPEN or at > successor.deadline

    def _due(self, pool: _Pool, asset: int, who: Contributor) -> int:
        """What the contract's ``_due`` computes: the stretch of the refund line, rounded by position."""
        share = pool.share(asset, who)
        if share.contributed == 0:
            return 0
        ledger = pool.ledger(asset)
        start = pool.placed.get(asset, 0) if share.start is None else share.start
        total = ledger.donated + ledger.moved_in
        refundable = ledger.refunded + ledger.balance
        entitled = (start + share.contributed) * refundable // total - start * refundable // total
        if entitled <= share.refunded:
            return 0
        return min(entitled - share.refunded, ledger.balance)

    def _claim_error(self, pool_id: int, asset: int, who: Contributor, at: int, nothing: Error) -> Error:
        pool = self.model[pool_id]
        if pool.status != PlanStatus.WOUND_UP:
            return ("PoolNotWoundUp", pool_id, pool.status)
        if not self._refunds_open(pool, at):
            return ("PoolUnspentTermsMismatch", pool_id, pool.unspent)
        share = pool.share(asset, who)
        # A first claim takes its place in line even when nothing is due yet.
        placed = share.contributed == 0 or share.start is not None
        return nothing if self._due(pool, asset, who) == 0 and placed else None

    def _book_claim(self, pool: _Pool, asset: int, who: Contributor) -> int:
        due = self._due(pool, asset, who)
        share = pool.share(asset, who)
        if share.start is None:
            share.start = pool.placed.get(asset, 0)
            pool.placed[asset] = share.start + share.contributed
        share.refunded += due
        ledger = pool.ledger(asset)
        ledger.balance -= due
        ledger.refunded += due
        return due

    def _move_error(self, pool_id: int, asset: int, to_pool: int, at: int) -> Error:
        """What ``_move`` says, after the caller's own checks."""
        if to_pool == pool_id:
            return ("PoolMoveToSelf", pool_id)
        if self.model[pool_id].ledger(asset).balance == 0:
            return ("PoolNothingToMove", pool_id, asset)
        return self._open_error(to_pool, at)

    def _book_move(self, pool_id: int, asset: int, to_pool: int) -> None:
        source, target = self.model[pool_id], self.model[to_pool]
        amount = source.ledger(asset).balance
        source.ledger(asset).balance = 0
        source.ledger(asset).moved_out += amount
        target.ledger(asset).balance += amount
        target.ledger(asset).moved_in += amount
        target.share(asset, ("pool", pool_id)).contributed += amount

    # ------------------------------------------------------------------ rules: plans

    @initialize()
    def start(self) -> None:
        pass

    @precondition(lambda self: len(self.model) < MAX_POOLS)
    @rule(
        stage=st.integers(0, 6),
        needs_government=st.booleans(),
        ttl=st.integers(5, 40),
        long_run=st.integers(0, 2),
        move=st.booleans(),
        successor=st.integers(0, MAX_POOLS),
        transfers_allowed=st.booleans(),
        agency=st.integers(0, 3),
        gifts=st.lists(st.tuples(st.sampled_from(DONORS), st.integers(1, 10**6), st.booleans()), max_size=3),
    )
    def launch(
        self,
        stage: int,
        needs_government: bool,
        ttl: int,
        move: bool,
        successor: int,
        transfers_allowed: bool,
        agency: int,
        gifts: list[tuple[LocalAccount, int, bool]],
        long_run: int,
    ) -> None:
        """Launch a plan (mostly audited and approved) and take its first gifts."""
        if len(self.model) >= MAX_POOLS:
            return
        self._step()
        charity = CAST.agency if agency == 0 else ACCOUNTS.charity
        # A successor that outlives the new plan (when there is one) can still take its unspent value.
        known = sorted(
            self.model,
            key=lambda pool_id: (self.model[pool_id].status == PlanStatus.OPEN, self.model[pool_id].deadline),
        )
        named = known[-1 - successor % min(2, len(known))] if move and known else 0
        unspent = UnspentTerms.MOVE_TO_PLAN if named else UnspentTerms.REFUND
        plan_terms = terms(
            self.client,
            ttl=ttl + (300 if long_run == 2 else 0),  # some plans outlive others, so value can move to them
            needs_government_approval=needs_government,
            unspent=unspent,
            government_transfer_allowed=transfers_allowed,
            successor=named,
        )
        if charity.address in self.suspended:
            with pytest.raises(ContractReverted) as raised:
                self.pools.launch_plan(charity, plan_terms)
            assert (raised.value.error_name, *raised.value.args) == ("PoolLauncherNotActive", charity.address)
            return
        pool_id = self.pools.launch_plan(charity, plan_terms).id
        assert pool_id == self.next_pool
        self.next_pool += 1
        pool = _Pool(
            pool_id, charity, plan_terms.deadline, PlanStatus.LAUNCHED, unspent, named, transfers_allowed
        )
        needs_government = needs_government and charity is not CAST.agency
        # Most plans get audited (and approved); hypothesis's simplest choices (zeros) take the happy path.
        if stage != 6:
            self.pools.audit_plan(ACCOUNTS.bank, pool_id, True, ZERO32)
            pool.status = PlanStatus.AUDITED if needs_government else PlanStatus.OPEN
            if needs_government and stage != 5:
                self.pools.decide_plan(ACCOUNTS.government, pool_id, True, ZERO32)
                pool.status = PlanStatus.OPEN
        self.model[pool_id] = pool
        self.dirty.add(pool_id)
        COVERED["launch"] += 1
        for donor, amount, points in gifts:
            self._donate(pool_id, donor, amount, points, permit=False)

    @precondition(
        lambda self: (
            len(self.model) < MAX_POOLS
            and self._any(lambda pool: pool.status == PlanStatus.OPEN and pool.deadline > self._now() + 12)
        )
    )
    @rule(
        data=st.data(),
        gifts=st.lists(
            st.tuples(st.sampled_from(DONORS), st.integers(1, 10**6), st.booleans()), min_size=1, max_size=3
        ),
        points=st.booleans(),
    )
    def relay(self, data: st.DataObject, gifts: list[tuple[LocalAccount, int, bool]], points: bool) -> None:
        """A short plan that names a longer one as its successor takes gifts, runs out, is wound up and moves its
        unspent value on: the way moved value enters the machine most often."""
        now = self._now()
        later = [
            pool_id
            for pool_id, pool in self.model.items()
            if pool.status == PlanStatus.OPEN and pool.deadline > now + 12
        ]
        successor = data.draw(st.sampled_from(later))
        self.dirty.add(successor)
        self._step()
        plan_terms = terms(self.client, ttl=4, unspent=UnspentTerms.MOVE_TO_PLAN, successor=successor)
        if ACCOUNTS.charity.address in self.suspended:
            return
        pool_id = self.pools.launch_plan(ACCOUNTS.charity, plan_terms).id
        assert pool_id == self.next_pool
        self.next_pool += 1
        self.pools.audit_plan(ACCOUNTS.bank, pool_id, True, ZERO32)
        self.model[pool_id] = _Pool(
            pool_id,
            ACCOUNTS.charity,
            plan_terms.deadline,
            PlanStatus.OPEN,
            UnspentTerms.MOVE_TO_PLAN,
            successor,
            plan_terms.government_transfer_allowed,
        )
        self.dirty.add(pool_id)
        for donor, amount, in_points in gifts:
            self._donate(pool_id, donor, amount, in_points, permit=False)
        self.client.backend.advance_time(max(0, plan_terms.deadline + 1 - self._now()))
        if self._expect(lambda: self.pools.wind_up(ACCOUNTS.bank, pool_id), lambda at: None):
            self.model[pool_id].status = PlanStatus.WOUND_UP
        asset = self.world.points if points else MONEY
        if self._expect(
            lambda: self.pools.move_unspent(ACCOUNTS.bob, pool_id, asset, successor),
            lambda at: self._move_error(pool_id, asset, successor, at),
        ):
            self._book_move(pool_id, asset, successor)
            COVERED["move"] += 1

    @precondition(lambda self: self._any(lambda pool: pool.status == PlanStatus.OPEN))
    @rule(data=st.data(), by_bank=st.booleans())
    def close(self, data: st.DataObject, by_bank: bool) -> None:
        pool_id = self._pick(data, lambda pool: pool.status == PlanStatus.OPEN)
        if pool_id is None:
            return
        pool = self.model[pool_id]

        def predict(at: int) -> Error:
            if not by_bank and not self._charity_active(pool):
                return ("PoolCharityNotActive", pool_id, pool.charity.address)
            return None if pool.status == PlanStatus.OPEN else ("PoolNotOpen", pool_id, pool.status)

        sender = ACCOUNTS.bank if by_bank else pool.charity
        if self._expect(lambda: self.pools.close_plan(sender, pool_id), predict):
            pool.status = PlanStatus.CLOSED

    @rule(data=st.data(), seconds=st.integers(1, 60), offset=st.integers(-2, 1))
    def advance_time(self, data: st.DataObject, seconds: int, offset: int) -> None:
        """Let some time pass, or (mostly) move to just around a plan's deadline."""
        now = self._now()
        ahead = sorted(pool.deadline for pool in self.model.values() if pool.deadline + offset > now)
        if ahead and data.draw(st.integers(0, 3)):
            seconds = data.draw(st.sampled_from(ahead)) + offset - now
        self.client.backend.advance_time(seconds)

    @precondition(lambda self: self._any(lambda pool: pool.status in SPENDABLE))
    @rule(data=st.data(), by_bank=st.booleans())
    def wind_up(self, data: st.DataObject, by_bank: bool) -> None:
        pool_id = self._pick(data, lambda pool: pool.status in SPENDABLE and pool.deadline <= self._now())
        if pool_id is None:
            return
        pool = self.model[pool_id]

        def predict(at: int) -> Error:
            if not by_bank and not self._charity_active(pool):
                return ("PoolCharityNotActive", pool_id, pool.charity.address)
            if pool.status not in SPENDABLE or at <= pool.deadline:
                return ("PoolNotWindable", pool_id, pool.status, pool.deadline)
            return None

        sender = ACCOUNTS.bank if by_bank else pool.charity
        if self._expect(lambda: self.pools.wind_up(sender, pool_id), predict):
            pool.status = PlanStatus.WOUND_UP

    @rule(data=st.data(), kind=st.integers(0, 5), agency=st.booleans(), points=st.booleans())
    def decide(self, data: st.DataObject, kind: int, agency: bool, points: bool) -> None:
        """The rarer acts of the regulator and the consortium: wind a plan up or move its value by decision,
        suspend or reinstate an institution, take the BANK role from the second bank or give it back."""
        if kind == 0:
            self._wind_up_by_decision(data)
        elif kind == 1:
            self._move_by_decision(data, points)
        elif self.suspended and kind in (2, 3, 4):  # suspensions end sooner than they begin
            self._suspend_or_reinstate(data.draw(st.sampled_from(sorted(self.suspended))))
        elif kind == 2:
            self._suspend_or_reinstate(CAST.agency.address if agency else ACCOUNTS.charity.address)
        elif kind == 4 or not self.bank2_active:
            self._remove_or_readmit_bank2()

    def _wind_up_by_decision(self, data: st.DataObject) -> None:
        if not self.model:
            return
        # Mostly a plan that value moved into, so that the refunds of moved value get their turn.
        moved_into = self._any(
            lambda pool: pool.status in SPENDABLE and bool(pool.contributors_of_kind("pool"))
        )
        pool_id = self._pick(
            data,
            lambda pool: (
                pool.status in SPENDABLE and (not moved_into or bool(pool.contributors_of_kind("pool")))
            ),
        )
        if pool_id is None:
            return
        pool = self.model[pool_id]

        def predict(at: int) -> Error:
            if pool.status not in SPENDABLE:
                return ("PoolNotWindable", pool_id, pool.status, pool.deadline)
            return None

        if self._expect(lambda: self.pools.wind_up_by_decision(ACCOUNTS.regulator, pool_id, ZERO32), predict):
            pool.status = PlanStatus.WOUND_UP

    def _suspend_or_reinstate(self, institution: str) -> None:
        registry = self.world.registry
        self._step()
        if institution in self.suspended:
            registry.reinstate(ACCOUNTS.regulator, institution)
            self.suspended.remove(institution)
        else:
            registry.suspend(ACCOUNTS.regulator, institution, ZERO32)
            self.suspended.add(institution)
        self.dirty.update(self.model)

    def _remove_or_readmit_bank2(self) -> None:
        consortium = self.world.foundation.consortium
        self._step()
        if self.bank2_active:
            consortium.revoke_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.bank2.address)
        else:
            consortium.grant_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.bank2.address)
        self.bank2_active = not self.bank2_active

    def _move_by_decision(self, data: st.DataObject, points: bool) -> None:
        if not self.model:
            return
        asset = self.world.points if points else MONEY
        pool_id = self._pick(
            data, lambda pool: pool.status == PlanStatus.WOUND_UP and pool.ledger(asset).balance > 0
        )
        to_pool = self._pick(data, lambda pool: self._open_error(pool.pool_id, self._now() + 1) is None)
        if pool_id is None or to_pool is None:
            return
        pool = self.model[pool_id]

        def predict(at: int) -> Error:
            if pool.status != PlanStatus.WOUND_UP:
                return ("PoolNotWoundUp", pool_id, pool.status)
            if pool.ledger(asset).refunded:
                return ("PoolRefundsStarted", pool_id, asset)
            return self._move_error(pool_id, asset, to_pool, at)

        call = lambda: self.pools.move_unspent_by_decision(  # noqa: E731
            ACCOUNTS.regulator, pool_id, asset, to_pool, ZERO32
        )
        if self._expect(call, predict):
            self._book_move(pool_id, asset, to_pool)
            COVERED["move"] += 1
            COVERED["move by decision"] += 1

    # ------------------------------------------------------------------ rules: value in

    @precondition(lambda self: self._any(lambda pool: pool.status == PlanStatus.OPEN))
    @rule(
        data=st.data(),
        donor=st.sampled_from(DONORS),
        amount=st.integers(1, 10**6),
        points=st.booleans(),
        permit=st.integers(0, 9),
    )
    def donate(self, data: st.DataObject, donor: Any, amount: int, points: bool, permit: int) -> None:
        pool_id = self._pick(data, lambda pool: self._open_error(pool.pool_id, self._now() + 1) is None)
        if pool_id is None:
            return
        self._donate(pool_id, donor, amount, points, permit=permit == 0)

    def _donate(self, pool_id: int, donor: LocalAccount, amount: int, points: bool, *, permit: bool) -> None:
        pool = self.model[pool_id]
        asset = self.world.points if points else MONEY
        # Odd amounts: a few wei, or a fraction of a token, so that pro-rata shares rarely divide evenly.
        value = amount if points or amount % 3 == 0 else amount * TOKEN // 997
        if points:
            call: Callable[[], Any] = lambda: self.pools.donate_asset(donor, pool_id, asset, value)  # noqa: E731
        elif permit:
            call = lambda: self.pools.donate_with_permit(donor, pool_id, value)  # noqa: E731
        else:
            call = lambda: self.pools.donate(donor, pool_id, value)  # noqa: E731
        if self._expect(call, lambda at: self._open_error(pool_id, at)):
            ledger = pool.ledger(asset)
            ledger.donated += value
            ledger.balance += value
            pool.share(asset, ("donor", donor.address)).contributed += value
            COVERED["donate"] += 1
        if not points and permit:
            # The permit replaced the donor's standing approval (and the donation used it up).
            self.world.foundation.deposit_token.approve(donor, self.pools.address, 2**256 - 1)

    # ------------------------------------------------------------------ rules: orders through the escrow

    @precondition(lambda self: self._any(lambda pool: pool.status in SPENDABLE))
    @rule(
        data=st.data(),
        points=st.booleans(),
        percent=st.integers(1, 100),
        excess=st.integers(0, 9),
        bank2=st.booleans(),
        late=st.integers(0, 9),
    )
    def lock(
        self, data: st.DataObject, points: bool, percent: int, excess: int, bank2: bool, late: int
    ) -> None:
        asset = self.world.points if points else MONEY
        pool_id = self._pick(data, lambda pool: pool.status in SPENDABLE and pool.ledger(asset).balance > 0)
        if pool_id is None:
            return
        pool = self.model[pool_id]
        ledger = pool.ledger(asset)
        amount = {9: ledger.balance + 1, 8: 0}.get(excess, ledger.balance * percent // 100)
        bank = ACCOUNTS.bank2 if bank2 else ACCOUNTS.bank
        latest = pool.deadline + ORDER_WINDOW
        deadline = latest + 1 if late == 9 else latest - late
        self.order_serial += 1
        order_id = keccak(text=f"order {self.order_serial}")

        def predict(at: int) -> Error:
            if pool.status not in SPENDABLE:
                return ("PoolNotSpendable", pool_id, pool.status)
            if deadline > latest:
                return ("PoolOrderDeadlineTooLate", pool_id, deadline, latest)
            if amount == 0:
                return ("PoolZeroAmount",)
            if not self._charity_active(pool):
                return ("PoolCharityNotActive", pool_id, pool.charity.address)
            if not self._bank_active(bank):
                return ("PoolBankNotActive", pool_id, bank.address)
            if amount > ledger.balance:
                return ("PoolInsufficientBalance", pool_id, asset, ledger.balance, amount)
            return None

        call = lambda: self.pools.lock_for_order(  # noqa: E731
            CAST.escrow, pool_id, order_id, asset, amount, bank.address, deadline
        )
        if self._expect(call, predict):
            ledger.balance -= amount
            ledger.escrowed += amount
            self.orders.append(_Order(pool_id, order_id, asset, bank, amount))
            COVERED["lock"] += 1

    @precondition(lambda self: any(order.outstanding for order in self.orders))
    @rule(data=st.data(), pay=st.booleans(), percent=st.integers(1, 100))
    def settle_order(self, data: st.DataObject, pay: bool, percent: int) -> None:
        order = data.draw(st.sampled_from([order for order in self.orders if order.outstanding]))
        pool = self.model[order.pool_id]
        self.dirty.add(order.pool_id)
        amount = max(1, order.outstanding * percent // 100)
        ledger = pool.ledger(order.asset)
        supplier = ACCOUNTS.supplier.address

        def predict(at: int) -> Error:
            if not pay:
                return None  # value going back waits on nobody's standing
            if not self._charity_active(pool):
                return ("PoolCharityNotActive", order.pool_id, pool.charity.address)
            if not self._bank_active(order.bank):
                return ("PoolBankNotActive", order.pool_id, order.bank.address)
            return None

        if pay:
            call: Callable[[], Any] = lambda: self.pools.pay_order(  # noqa: E731
                CAST.escrow, order.pool_id, order.order_id, order.asset, amount, supplier, order.bank.address
            )
        else:
            call = lambda: self.pools.return_from_order(  # noqa: E731
                CAST.escrow, order.pool_id, order.order_id, order.asset, amount
            )
        if self._expect(call, predict):
            if pay:
                ledger.paid_out += amount
            else:
                ledger.balance += amount
            ledger.escrowed -= amount
            order.outstanding -= amount
            COVERED["pay" if pay else "return"] += 1

    @precondition(lambda self: self._any(lambda pool: pool.status in SPENDABLE and pool.transfers_allowed))
    @rule(data=st.data(), points=st.booleans(), percent=st.integers(0, 100))
    def transfer_to_government(self, data: st.DataObject, points: bool, percent: int) -> None:
        asset = self.world.points if points else MONEY
        pool_id = self._pick(data, lambda pool: pool.status in SPENDABLE and pool.transfers_allowed)
        if pool_id is None:
            return
        pool = self.model[pool_id]
        ledger = pool.ledger(asset)
        amount = ledger.balance * percent // 100
        local = CAST.local_government.address

        def predict(at: int) -> Error:
            if not self._charity_active(pool):
                return ("PoolCharityNotActive", pool_id, pool.charity.address)
            if not pool.transfers_allowed:
                return ("PoolGovernmentTransferNotAllowed", pool_id)
            if pool.status not in SPENDABLE:
                return ("PoolNotSpendable", pool_id, pool.status)
            if amount == 0:
                return ("PoolZeroAmount",)
            return None

        def transfer() -> None:
            proposed = self.pools.propose_government_transfer(
                pool.charity, pool_id, local, asset, amount, ZERO32
            )
            self.pools.confirm_government_transfer(ACCOUNTS.bank, proposed.id)

        if self._expect(transfer, predict):
            ledger.balance -= amount
            ledger.to_government += amount
            COVERED["transfer"] += 1

    # ------------------------------------------------------------------ rules: refunds and moves

    @precondition(lambda self: self._any(lambda pool: pool.status == PlanStatus.WOUND_UP))
    @rule(data=st.data(), donor=st.sampled_from(DONORS), points=st.booleans())
    def refund(self, data: st.DataObject, donor: Any, points: bool) -> None:
        asset = self.world.points if points else MONEY
        who: Contributor = ("donor", donor.address)
        pool_id = self._pick(data, lambda pool: pool.status == PlanStatus.WOUND_UP)
        if pool_id is None:
            return
        pool = self.model[pool_id]
        nothing = ("PoolNothingToRefund", pool_id, asset, donor.address)
        if self._expect(
            lambda: self.pools.claim_refund(ACCOUNTS.outsider, pool_id, asset, donor.address),
            lambda at: self._claim_error(pool_id, asset, who, at, nothing),
        ):
            self._book_claim(pool, asset, who)
            COVERED["refund"] += 1

    @precondition(
        lambda self: self._any(lambda pool: any(ledger.moved_in for ledger in pool.ledgers.values()))
    )
    @rule(data=st.data(), points=st.booleans())
    def return_moved_value(self, data: st.DataObject, points: bool) -> None:
        asset = self.world.points if points else MONEY
        pool_id = self._pick(data, lambda pool: pool.ledger(asset).moved_in > 0)
        if pool_id is None:
            return
        pool = self.model[pool_id]
        from_pool = data.draw(st.sampled_from(sorted(self.model)))
        for (each, (kind, source)), share in pool.shares.items():
            if each == asset and kind == "pool" and share.contributed and data.draw(st.booleans()):
                from_pool = source
                break
        self.dirty.add(from_pool)
        who: Contributor = ("pool", from_pool)
        nothing = ("PoolNothingToReturn", pool_id, asset, from_pool)
        if self._expect(
            lambda: self.pools.return_moved_value(ACCOUNTS.outsider, pool_id, asset, from_pool),
            lambda at: self._claim_error(pool_id, asset, who, at, nothing),
        ):
            amount = self._book_claim(pool, asset, who)
            back = self.model[from_pool].ledger(asset)
            back.moved_out -= amount
            back.balance += amount
            COVERED["return moved"] += 1

    @precondition(lambda self: self._any(lambda pool: pool.status == PlanStatus.WOUND_UP))
    @rule(data=st.data(), points=st.booleans())
    def drain_refunds(self, data: st.DataObject, points: bool) -> None:
        """Every contributor claims until nothing is due: then nothing refundable may be left in the pool."""
        asset = self.world.points if points else MONEY
        at = self._now() + 1
        moved_into = self._any(
            lambda pool: self._refunds_open(pool, at) and bool(pool.contributors_of_kind("pool"))
        )
        pool_id = self._pick(
            data,
            lambda pool: (
                self._refunds_open(pool, at) and (not moved_into or bool(pool.contributors_of_kind("pool")))
            ),
        )
        if pool_id is None:
            return
        pool = self.model[pool_id]
        if not self._refunds_open(pool, at):
            return
        for _ in range(2):  # one pass suffices; the second checks that nothing more is due
            for who in pool.contributors(asset):
                if self._due(pool, asset, who) == 0 and pool.share(asset, who).start is not None:
                    continue
                self._step()
                if who[0] == "donor":
                    self.pools.claim_refund(ACCOUNTS.outsider, pool_id, asset, who[1])
                    self._book_claim(pool, asset, who)
                else:
                    self.pools.return_moved_value(ACCOUNTS.outsider, pool_id, asset, who[1])
                    amount = self._book_claim(pool, asset, who)
                    back = self.model[who[1]].ledger(asset)
                    back.moved_out -= amount
                    back.balance += amount
                    self.dirty.add(who[1])
                    COVERED["return moved"] += 1
        ledger = pool.ledger(asset)
        assert ledger.balance == 0, f"pool {pool_id} strands {ledger.balance} after every claim"
        assert sum(pool.share(asset, who).refunded for who in pool.contributors(asset)) == ledger.refunded
        if ledger.refunded:
            COVERED["drained"] += 1
            total = ledger.donated + ledger.moved_in
            if any(
                pool.share(asset, who).contributed * ledger.refunded % total
                for who in pool.contributors(asset)
            ):
                COVERED["drained with remainders"] += 1  # some exact share was not a whole number
            if ledger.moved_in:
                COVERED["drained after a move"] += 1

    @precondition(
        lambda self: self._any(
            lambda pool: pool.status == PlanStatus.WOUND_UP and pool.unspent == UnspentTerms.MOVE_TO_PLAN
        )
    )
    @rule(data=st.data(), points=st.booleans(), wrong=st.integers(0, 5))
    def move(self, data: st.DataObject, points: bool, wrong: int) -> None:
        asset = self.world.points if points else MONEY
        pool_id = self._pick(
            data,
            lambda pool: (
                pool.status == PlanStatus.WOUND_UP
                and pool.unspent == UnspentTerms.MOVE_TO_PLAN
                and pool.ledger(asset).balance > 0
            ),
        )
        if pool_id is None:
            return
        pool = self.model[pool_id]
        to_pool = pool.successor
        if wrong == 5 or not to_pool:
            to_pool = data.draw(st.sampled_from(sorted(self.model)))
        self.dirty.add(to_pool)

        def predict(at: int) -> Error:
            if pool.status != PlanStatus.WOUND_UP:
                return ("PoolNotWoundUp", pool_id, pool.status)
            if pool.unspent != UnspentTerms.MOVE_TO_PLAN:
                return ("PoolUnspentTermsMismatch", pool_id, pool.unspent)
            if to_pool != pool.successor:
                return ("PoolNotSuccessor", pool_id, to_pool, pool.successor)
            return self._move_error(pool_id, asset, to_pool, at)

        if self._expect(lambda: self.pools.move_unspent(ACCOUNTS.bob, pool_id, asset, to_pool), predict):
            self._book_move(pool_id, asset, to_pool)
            COVERED["move"] += 1

    # ------------------------------------------------------------------ the invariants

    @invariant()
    def value_is_conserved_and_refunds_are_exact(self) -> None:
        # Only a step that acted on the chain, and only the pools it touched, can have changed anything; every
        # tenth check looks at all of them.
        if not self.acted:
            return
        self.acted = False
        self.checks += 1
        checked = set(self.model) if self.checks % 10 == 0 else self.dirty & set(self.model)
        self.dirty.clear()
        for pool_id in checked:
            pool = self.model[pool_id]
            for asset in self.assets:
                on_chain = self.pools.ledger_of(pool_id, asset)
                assert on_chain.inflow == on_chain.outflow
                assert on_chain == pool.ledger(asset).frozen()
                contributors = pool.contributors(asset)
                assert sum(pool.share(asset, who).refunded for who in contributors) == on_chain.refunded
                total, refundable = on_chain.inflow, on_chain.refunded + on_chain.balance
                for who in contributors:
                    share = pool.share(asset, who)
                    # Never more than the exact share of what is refundable, rounded up.
                    assert share.refunded <= -(-share.contributed * refundable // total)
        # The pools keep custody of the balances and of escrowed value until it is paid out.
        held = {
            asset: sum(
                pool.ledger(asset).balance + pool.ledger(asset).escrowed for pool in self.model.values()
            )
            for asset in self.assets
        }
        token = self.world.foundation.deposit_token
        assert token.balance_of(self.pools.address) == self.held_at_start[MONEY] + held[MONEY]
        assert (
            self.world.welfare.assets.balance_of(self.pools.address, self.world.points)
            == self.held_at_start[self.world.points] + held[self.world.points]
        )


def _run(world: World, target: int, steps: int = 100) -> int:
    """Run random programs of up to ``steps`` rules each until ``target`` chain actions were attempted; returns how
    many were.

    The default profile is derandomized (tests/conftest.py), so a batch is the same on every run and machine: a
    further batch, if one fell short, gets another step budget so that it draws other programs.
    """
    PoolMachine.world = world
    PoolMachine.steps = 0
    budget = steps
    for _ in range(20):  # normally one batch; a short one is followed by others with fresh programs
        if PoolMachine.steps >= target:
            break
        run_state_machine_as_test(
            PoolMachine,
            settings=settings(
                # A program of 100 rules attempts about 35 chain actions (the other rules find nothing to do).
                max_examples=max(2, (target - PoolMachine.steps) // 20),
                stateful_step_count=budget,
                # A failure prints its program and its @reproduce_failure blob; shrink it locally with
                # --hypothesis-profile=explore (each shrink step replays the chain).
                phases=(Phase.explicit, Phase.generate),
                suppress_health_check=list(HealthCheck),
            ),
        )
        budget += 7
    return PoolMachine.steps


def _require_coverage() -> None:
    for kind in (
        "donate",
        "lock",
        "pay",
        "return",
        "transfer",
        "refund",
        "move",
        "return moved",
        "drained with remainders",
        "drained after a move",
    ):
        assert COVERED[kind] > 0, f"the run never achieved {kind!r}: {sorted(COVERED.items())}"


def test_value_is_conserved_over_random_pool_actions(invariant_world: World) -> None:
    COVERED.clear()
    assert _run(invariant_world, DEFAULT_STEPS) >= DEFAULT_STEPS
    _require_coverage()


@pytest.mark.slow
@pytest.mark.timeout(4 * 3_600)  # 10,000 steps take an hour or more on a busy machine
def test_value_is_conserved_over_many_more_random_pool_actions(invariant_world: World) -> None:
    COVERED.clear()
    assert _run(invariant_world, SLOW_STEPS) >= SLOW_STEPS
    _require_coverage()
