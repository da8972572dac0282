"""Hypothesis stateful test of PaymentOrderEscrow on the real pools (embedded chain only).

Random interleavings of issue (by either bank, some past the deadline cap), sign (one by one or both at once,
faithful or tampered), expire, cancel (by the issuer, the charity, another bank once the issuer lost its role, or a
stranger), freeze, decide, suspensions and reinstatements of the charity and the payees, the second bank losing and
regaining its role, replays and the passing of time. After every step: each pool ledger is conserved, the escrow
holds nothing (the pools keep custody of what the ledgers say is escrowed), what was paid out equals the released
orders' amounts and reached the payees, no order is paid twice, a final order never changes again, and a payment
refused for standing names a party that is not active while every refusal is one an order may meet. The chain
decides each step; the model checks that the decision is an allowed one. 300 steps by default, 10,000 with
``-m slow``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chain_client import ChainClient, ContractReverted
from chain_client.backends import EmbeddedBackend
from chain_client.contracts import BANK_ROLE, MONEY, OrderParty, OrderStatus, PaymentOrder
from tests.conftest import ACCOUNTS
from tests.escrow_support import HOSPITAL, EscrowWorld, funded_pool, make_order
from tests.pools_support import TOKEN
from tests.registry_support import chain_time

ORDER_WINDOW = 90 * 86_400

pytestmark = pytest.mark.contract

T = TypeVar("T")

REFUSALS = {
    "OrderClosed",
    "OrderFrozenUnderDispute",
    "OrderDeadlinePassed",
    "OrderNotExpired",
    "OrderAlreadySigned",
    "OrderNotDisputed",
    "OrderNotIssuerOrCharity",
    "OrderPartyNotActive",
}
STANDING = {"PoolCharityNotActive", "PoolPayeeNotActive", "PoolBankNotActive"}
"""Refusals of a payment whose charity, payee or issuing bank is not active: checked against the model."""
DEFAULT_STEPS = 300
SLOW_STEPS = 10_000
FINAL = (OrderStatus.RELEASED, OrderStatus.REFUNDED, OrderStatus.EXPIRED, OrderStatus.CANCELLED)
MONEY_IN = 1_000 * TOKEN
VOUCHERS_IN = 100


@dataclass
class Tracked:
    order: PaymentOrder
    status: OrderStatus = OrderStatus.ISSUED
    payee_signed: bool = False
    charity_signed: bool = False

    @property
    def payee(self) -> LocalAccount:
        return ACCOUNTS.supplier if self.order.payee == ACCOUNTS.supplier.address else HOSPITAL

    @property
    def bank(self) -> LocalAccount:
        return ACCOUNTS.bank if self.order.bank == ACCOUNTS.bank.address else ACCOUNTS.bank2


class EscrowMachine(RuleBasedStateMachine):
    world: EscrowWorld
    pool_id: int
    steps = 0

    def __init__(self) -> None:
        super().__init__()
        self.client = self.world.client
        self.snapshot = self.client.backend.snapshot()
        self.orders: list[Tracked] = []
        self.suspended: set[str] = set()
        self.bank2_active = True
        self.touched: list[Tracked] = []
        self.acted = True
        self.released_amounts = {MONEY: 0, self.world.world.vouchers: 0}
        self.start_supplier = self.world.token.balance_of(ACCOUNTS.supplier.address)
        self.start_hospital = self.world.world.welfare.assets.balance_of(
            HOSPITAL.address, self.world.world.vouchers
        )
        self.start_pools_money = self.world.token.balance_of(self.world.pools.address)
        self.start_pools_vouchers = self.world.world.welfare.assets.balance_of(
            self.world.pools.address, self.world.world.vouchers
        )

    def teardown(self) -> None:
        try:
            # Every order's status, and no order paid twice, over the whole program (before the chain is reset).
            for tracked in self.orders:
                assert self.world.escrow.order_of(tracked.order.order_id).status == tracked.status
            released = [event["orderId"] for event in self.world.escrow.events("OrderReleased")]
            assert len(released) == len(set(released))
        finally:
            self.client.backend.revert(self.snapshot)

    # ------------------------------------------------------------------ helpers

    def _status_moves(self, tracked: Tracked, to: OrderStatus) -> None:
        assert tracked.status not in FINAL, f"a final order moved from {tracked.status!r} to {to!r}"
        tracked.status = to
        if to == OrderStatus.RELEASED:
            self.released_amounts[tracked.order.asset] += tracked.order.amount

    def _inactive(self, tracked: Tracked) -> set[str]:
        """The parties of ``tracked`` whose standing stops a payment now."""
        order = tracked.order
        inactive = {party for party in (order.charity, order.payee) if party in self.suspended}
        if order.bank == ACCOUNTS.bank2.address and not self.bank2_active:
            inactive.add(order.bank)
        return inactive

    def _attempt(self, tracked: Tracked, call: Callable[[], T]) -> T | None:
        """The call's result, or None if the escrow refused it for one of the reasons an order may be refused."""
        type(self).steps += 1
        self.acted = True
        try:
            return call()
        except ContractReverted as exc:
            refusal = exc
        if refusal.error_name in STANDING:
            pool_id, party = refusal.args
            assert pool_id == tracked.order.pool_id
            assert party in self._inactive(tracked), f"{refusal} though {party} is active"
            return None
        assert refusal.error_name in REFUSALS, refusal
        if refusal.error_name == "OrderClosed":
            assert tracked.status in FINAL
        if refusal.error_name == "OrderPartyNotActive":
            assert refusal.args[0] in self.suspended
        return None

    def _released(self, tracked: Tracked) -> None:
        assert not self._inactive(tracked), "paid while a party was not active"
        self._status_moves(tracked, OrderStatus.RELEASED)

    # ------------------------------------------------------------------ rules

    @rule(
        amount=st.integers(min_value=1, max_value=600),
        vouchers=st.booleans(),
        ttl=st.sampled_from((3, 3_600, 0)),
        bank2=st.booleans(),
    )
    def issue(self, amount: int, vouchers: bool, ttl: int, bank2: bool) -> None:
        type(self).steps += 1
        self.acted = True
        asset = self.world.world.vouchers if vouchers else MONEY
        value = amount if vouchers else amount * TOKEN
        payee = HOSPITAL if vouchers else ACCOUNTS.supplier
        bank = ACCOUNTS.bank2 if bank2 else ACCOUNTS.bank
        latest = self.world.pools.plan_of(self.pool_id).deadline + ORDER_WINDOW
        # ttl 0: an order due one second after the latest deadline the pools accept.
        ttl = ttl or latest + 1 - chain_time(self.client)
        order = make_order(self.world, self.pool_id, value, asset=asset, payee=payee, ttl=ttl, bank=bank)
        balance = self.world.pools.ledger_of(self.pool_id, asset).balance
        expected = None
        if bank2 and not self.bank2_active:
            expected = "OrderUnauthorized"
        elif payee.address in self.suspended:
            expected = "OrderPartyNotActive"
        elif order.deadline > latest:
            expected = "PoolOrderDeadlineTooLate"
        elif ACCOUNTS.charity.address in self.suspended:
            expected = "PoolCharityNotActive"
        elif value > balance:
            expected = "PoolInsufficientBalance"
        if expected is not None:
            with pytest.raises(ContractReverted) as raised:
                self.world.escrow.issue(bank, order)
            assert raised.value.error_name == expected
            return
        self.world.escrow.issue(bank, order)
        self.orders.append(Tracked(order))
        self.touched.append(self.orders[-1])

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), tamper_payee=st.booleans(), tamper_charity=st.booleans())
    def settle(self, data: st.DataObject, tamper_payee: bool, tamper_charity: bool) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        self.touched.append(tracked)
        order, escrow = tracked.order, self.world.escrow
        payee_copy = replace(order, amount=order.amount + 1) if tamper_payee else order
        charity_copy = replace(order, purpose_digest=b"\x01" * 32) if tamper_charity else order
        settled = self._attempt(
            tracked,
            lambda: escrow.settle(
                ACCOUNTS.outsider,
                order.order_id,
                payee_copy,
                escrow.sign(tracked.payee, payee_copy),
                charity_copy,
                escrow.sign(ACCOUNTS.charity, charity_copy),
            ),
        )
        if settled is None:
            return
        released = settled.released
        assert released == (not tamper_payee and not tamper_charity)
        if released:
            self._released(tracked)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), charity=st.booleans(), tamper=st.booleans())
    def submit_signature(self, data: st.DataObject, charity: bool, tamper: bool) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        self.touched.append(tracked)
        order, escrow = tracked.order, self.world.escrow
        copy = replace(order, amount=order.amount + 7) if tamper else order
        party = OrderParty.CHARITY if charity else OrderParty.PAYEE
        signer = ACCOUNTS.charity if charity else tracked.payee
        result = self._attempt(
            tracked,
            lambda: escrow.submit_signature(
                ACCOUNTS.outsider, order.order_id, party, copy, escrow.sign(signer, copy)
            ),
        )
        if result is None or tamper:
            assert result is None or not result.released
            return
        if result.released:
            assert tracked.payee_signed if charity else tracked.charity_signed
            self._released(tracked)
        elif charity:
            tracked.charity_signed = True
        else:
            tracked.payee_signed = True

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        self.touched.append(tracked)
        if (
            self._attempt(tracked, lambda: self.world.escrow.expire(ACCOUNTS.outsider, tracked.order))
            is not None
        ):
            self._status_moves(tracked, OrderStatus.EXPIRED)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), by=st.sampled_from(("bank", "bank2", "charity", "outsider")))
    def cancel(self, data: st.DataObject, by: str) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        self.touched.append(tracked)
        canceller = getattr(ACCOUNTS, by)
        if self._attempt(tracked, lambda: self.world.escrow.cancel(canceller, tracked.order)) is not None:
            assert by != "outsider"
            if by.startswith("bank") and canceller is not tracked.bank:
                # Another bank cancels only an order whose issuer has lost its role.
                assert tracked.bank is ACCOUNTS.bank2
                assert not self.bank2_active
            assert tracked.status == OrderStatus.ISSUED
            assert not tracked.payee_signed
            assert not tracked.charity_signed
            self._status_moves(tracked, OrderStatus.CANCELLED)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def freeze(self, data: st.DataObject) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        self.touched.append(tracked)
        escrow, reason = self.world.escrow, b"\x02" * 32
        if self._attempt(tracked, lambda: escrow.freeze(ACCOUNTS.regulator, tracked.order.order_id, reason)):
            assert tracked.status == OrderStatus.ISSUED
            tracked.status = OrderStatus.DISPUTED

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), release=st.booleans())
    def decide(self, data: st.DataObject, release: bool) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        self.touched.append(tracked)
        escrow, decision = self.world.escrow, b"\x03" * 32
        if self._attempt(
            tracked, lambda: escrow.resolve_dispute(ACCOUNTS.regulator, tracked.order, release, decision)
        ):
            assert tracked.status == OrderStatus.DISPUTED
            if release:
                self._released(tracked)
            else:
                self._status_moves(tracked, OrderStatus.REFUNDED)

    @rule(seconds=st.integers(min_value=1, max_value=3))
    def time_passes(self, seconds: int) -> None:
        self.client.backend.advance_time(seconds)

    @rule(who=st.sampled_from(("charity", "supplier", "hospital")), dice=st.integers(0, 2))
    def suspend_or_reinstate(self, who: str, dice: int) -> None:
        """The regulator suspends a party (rarely) or reinstates it (soon)."""
        account = HOSPITAL if who == "hospital" else getattr(ACCOUNTS, who)
        registry = self.world.world.registry
        if account.address in self.suspended:
            registry.reinstate(ACCOUNTS.regulator, account.address)
            self.suspended.remove(account.address)
        elif dice == 2:
            registry.suspend(ACCOUNTS.regulator, account.address, b"\x04" * 32)
            self.suspended.add(account.address)

    @rule(dice=st.integers(0, 2))
    def remove_or_readmit_bank2(self, dice: int) -> None:
        """The consortium takes the BANK role from the second bank (rarely) or gives it back (soon)."""
        consortium = self.world.world.foundation.consortium
        if not self.bank2_active:
            consortium.grant_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.bank2.address)
            self.bank2_active = True
        elif dice == 2:
            consortium.revoke_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.bank2.address)
            self.bank2_active = False

    # ------------------------------------------------------------------ invariants

    @invariant()
    def ledgers_are_conserved_and_match_the_escrow(self) -> None:
        if not self.acted:  # suspensions, role changes and time move no value
            return
        self.acted = False
        world = self.world
        vouchers = world.world.vouchers
        money = world.pools.ledger_of(self.pool_id, MONEY)
        points = world.pools.ledger_of(self.pool_id, vouchers)
        for ledger in (money, points):
            assert ledger.inflow == ledger.outflow
        assert (money.donated, points.donated) == (MONEY_IN, VOUCHERS_IN)
        assert world.token.balance_of(world.escrow.address) == 0
        assert world.world.welfare.assets.balance_of(world.escrow.address, vouchers) == 0
        # The pools still hold the escrowed value: only payments to the payee leave them.
        assert world.token.balance_of(world.pools.address) == self.start_pools_money - money.paid_out
        assert (
            world.world.welfare.assets.balance_of(world.pools.address, vouchers)
            == self.start_pools_vouchers - points.paid_out
        )
        assert money.paid_out == self.released_amounts[MONEY]
        assert points.paid_out == self.released_amounts[vouchers]
        assert world.token.balance_of(ACCOUNTS.supplier.address) - self.start_supplier == money.paid_out
        assert (
            world.world.welfare.assets.balance_of(HOSPITAL.address, vouchers) - self.start_hospital
            == points.paid_out
        )
        open_amounts = {MONEY: 0, vouchers: 0}
        for tracked in self.orders:
            if tracked.status in (OrderStatus.ISSUED, OrderStatus.DISPUTED):
                open_amounts[tracked.order.asset] += tracked.order.amount
        assert (money.escrowed, points.escrowed) == (open_amounts[MONEY], open_amounts[vouchers])

    @invariant()
    def statuses_agree(self) -> None:
        """The orders a step acted on stand where the model says (the others, at the end of the program)."""
        for tracked in self.touched:
            assert self.world.escrow.order_of(tracked.order.order_id).status == tracked.status
        self.touched.clear()


def _run(escrow_world: EscrowWorld, chain: ChainClient, target: int) -> int:
    """Run random programs until ``target`` order actions were attempted; returns how many were."""
    if not isinstance(chain.backend, EmbeddedBackend):
        pytest.skip("the stateful test runs on the embedded chain only")
    EscrowMachine.world = escrow_world
    EscrowMachine.pool_id = funded_pool(escrow_world, MONEY_IN, points=VOUCHERS_IN)
    EscrowMachine.steps = 0
    budget = 40
    for _ in range(20):  # normally one batch; a short one is followed by others with fresh programs
        if EscrowMachine.steps >= target:
            break
        run_state_machine_as_test(
            EscrowMachine,
            settings=settings(
                # A program of 40 rules attempts about 20 order actions.
                max_examples=max(2, (target - EscrowMachine.steps) // 12),
                stateful_step_count=budget,
                phases=(Phase.explicit, Phase.generate),
                suppress_health_check=list(HealthCheck),
            ),
        )
        budget += 7
    return EscrowMachine.steps


def test_random_interleavings_conserve_funds_and_never_pay_twice(
    escrow_world: EscrowWorld, chain: ChainClient
) -> None:
    assert _run(escrow_world, chain, DEFAULT_STEPS) >= DEFAULT_STEPS


@pytest.mark.slow
@pytest.mark.timeout(4 * 3_600)  # 10,000 steps take an hour or more on a busy machine
def test_many_more_random_interleavings_conserve_funds_and_never_pay_twice(
    escrow_world: EscrowWorld, chain: ChainClient
) -> None:
    assert _run(escrow_world, chain, SLOW_STEPS) >= SLOW_STEPS
