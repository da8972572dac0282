"""Hypothesis stateful test of PaymentOrderEscrow on the real pools (embedded chain only).

Random interleavings of issue, sign (one by one or both at once, faithful or tampered), expire, freeze, decide,
replays and the passing of time. After every step: each pool ledger is conserved, the escrow holds exactly what
nothing (the pools keep custody of what the ledgers say is escrowed), what was paid out equals the released orders' amounts and reached the payees, no
order is paid twice, and a final order never changes again. The chain decides each step; the model only
checks that the decision is an allowed one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
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
from chain_client.contracts import MONEY, OrderParty, OrderStatus, PaymentOrder
from tests.conftest import ACCOUNTS
from tests.escrow_support import HOSPITAL, EscrowWorld, funded_pool, make_order
from tests.pools_support import TOKEN

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
}
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


class EscrowMachine(RuleBasedStateMachine):
    world: EscrowWorld
    pool_id: int

    def __init__(self) -> None:
        super().__init__()
        self.client = self.world.client
        self.snapshot = self.client.backend.snapshot()
        self.orders: list[Tracked] = []
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
        self.client.backend.revert(self.snapshot)

    # ------------------------------------------------------------------ helpers

    def _status_moves(self, tracked: Tracked, to: OrderStatus) -> None:
        assert tracked.status not in FINAL, f"a final order moved from {tracked.status!r} to {to!r}"
        tracked.status = to
        if to == OrderStatus.RELEASED:
            self.released_amounts[tracked.order.asset] += tracked.order.amount

    def _attempt(self, tracked: Tracked, call: Callable[[], T]) -> T | None:
        """The call's result, or None if the escrow refused it for one of the reasons an order may be refused."""
        try:
            return call()
        except ContractReverted as exc:
            refusal = exc
        assert refusal.error_name in REFUSALS, refusal
        if refusal.error_name == "OrderClosed":
            assert tracked.status in FINAL
        return None

    # ------------------------------------------------------------------ rules

    @rule(
        amount=st.integers(min_value=1, max_value=600),
        vouchers=st.booleans(),
        short=st.booleans(),
    )
    def issue(self, amount: int, vouchers: bool, short: bool) -> None:
        asset = self.world.world.vouchers if vouchers else MONEY
        value = amount if vouchers else amount * TOKEN
        payee = HOSPITAL if vouchers else ACCOUNTS.supplier
        order = make_order(
            self.world, self.pool_id, value, asset=asset, payee=payee, ttl=3 if short else 3_600
        )
        balance = self.world.pools.ledger_of(self.pool_id, asset).balance
        if value > balance:
            with pytest.raises(ContractReverted, match="PoolInsufficientBalance"):
                self.world.escrow.issue(ACCOUNTS.bank, order)
            return
        self.world.escrow.issue(ACCOUNTS.bank, order)
        self.orders.append(Tracked(order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), tamper_payee=st.booleans(), tamper_charity=st.booleans())
    def settle(self, data: st.DataObject, tamper_payee: bool, tamper_charity: bool) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
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
            self._status_moves(tracked, OrderStatus.RELEASED)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), charity=st.booleans(), tamper=st.booleans())
    def submit_signature(self, data: st.DataObject, charity: bool, tamper: bool) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
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
            self._status_moves(tracked, OrderStatus.RELEASED)
        elif charity:
            tracked.charity_signed = True
        else:
            tracked.payee_signed = True

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        if (
            self._attempt(tracked, lambda: self.world.escrow.expire(ACCOUNTS.outsider, tracked.order))
            is not None
        ):
            self._status_moves(tracked, OrderStatus.EXPIRED)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), by=st.sampled_from(("bank", "charity", "outsider")))
    def cancel(self, data: st.DataObject, by: str) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        canceller = getattr(ACCOUNTS, by)
        if self._attempt(tracked, lambda: self.world.escrow.cancel(canceller, tracked.order)) is not None:
            assert by != "outsider"
            assert tracked.status == OrderStatus.ISSUED
            assert not tracked.payee_signed
            assert not tracked.charity_signed
            self._status_moves(tracked, OrderStatus.CANCELLED)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def freeze(self, data: st.DataObject) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        escrow, reason = self.world.escrow, b"\x02" * 32
        if self._attempt(tracked, lambda: escrow.freeze(ACCOUNTS.regulator, tracked.order.order_id, reason)):
            assert tracked.status == OrderStatus.ISSUED
            tracked.status = OrderStatus.DISPUTED

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), release=st.booleans())
    def decide(self, data: st.DataObject, release: bool) -> None:
        tracked = data.draw(st.sampled_from(self.orders))
        escrow, decision = self.world.escrow, b"\x03" * 32
        if self._attempt(
            tracked, lambda: escrow.resolve_dispute(ACCOUNTS.regulator, tracked.order, release, decision)
        ):
            assert tracked.status == OrderStatus.DISPUTED
            self._status_moves(tracked, OrderStatus.RELEASED if release else OrderStatus.REFUNDED)

    @rule(blocks=st.integers(min_value=1, max_value=3))
    def time_passes(self, blocks: int) -> None:
        for _ in range(blocks):
            self.client.send_value(ACCOUNTS.outsider, ACCOUNTS.outsider.address, 0)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def ledgers_are_conserved_and_match_the_escrow(self) -> None:
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
    def statuses_agree_and_no_order_is_paid_twice(self) -> None:
        for tracked in self.orders:
            assert self.world.escrow.order_of(tracked.order.order_id).status == tracked.status
        released = [event["orderId"] for event in self.world.escrow.events("OrderReleased")]
        assert len(released) == len(set(released))


def test_random_interleavings_conserve_funds_and_never_pay_twice(
    escrow_world: EscrowWorld, chain: ChainClient
) -> None:
    if not isinstance(chain.backend, EmbeddedBackend):
        pytest.skip("the stateful test runs on the embedded chain only")
    EscrowMachine.world = escrow_world
    EscrowMachine.pool_id = funded_pool(escrow_world, MONEY_IN, points=VOUCHERS_IN)
    run_state_machine_as_test(
        EscrowMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
