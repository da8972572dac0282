"""``python -m bench orders``: payment-order gas, and matched settlements per second end to end.

Figures:
- ``gas``: PaymentOrderEscrow operations (also reported by ``python -m bench gas``, scenario
  ``PaymentOrderEscrow``): issue (commit + lock; the pool's first order and a later one), settle (both copies in one
  transaction, release; to a payee already holding tokens, and its first payment), submitSignature (the payee's, then the charity's that releases), a recorded mismatch,
  freeze, the regulator's refund and release, expire, cancel, openPurchaseLot.
- ``embedded`` / ``anvil``: N settlements (1,000; ``--quick`` 200) end to end, in batches of 100: the bank
  prepares and signs each order, issues them (pipelined), seals each to the charity's and the payee's registered
  keys into the delivery store; each party opens its deliveries, checks every order (bank signature and role,
  document digest, on-chain commitment) and signs its copy; the matcher submits the pairs (pipelined). Reported:
  ``settlements_per_s``, ``tx_per_settlement`` (transactions sent per released order) and ``released``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import replace

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from api.orders import (
    RELEASED,
    OrderIssuer,
    OrderMatcher,
    OrderParticipant,
    OrderRequest,
    open_delivery_store,
)
from bench.gas import GasWorld, open_world
from bench.pools import TOKEN, PoolsWorld, _plan, open_pools_world
from chain_client import ChainClient, compile_contracts
from chain_client.anvil import start_anvil
from chain_client.backends import JsonRpcBackend
from chain_client.contracts import (
    MONEY,
    OrderParty,
    PaymentOrder,
    PaymentOrderEscrow,
    deploy_payment_order_escrow,
)

CHAIN_ID = 1337
BATCH = 100
DOCUMENT = "采购单: 大米 25kg × 10 袋".encode()


def _progress(message: str) -> None:
    sys.stderr.write(f"  {message}\n")
    sys.stderr.flush()


def _account(name: str) -> LocalAccount:
    account: LocalAccount = Account.from_key(keccak(text=f"bench orders {name}"))
    return account


def _escrow_world(base: GasWorld) -> tuple[PoolsWorld, PaymentOrderEscrow]:
    world = open_pools_world(base, escrow_account=False)
    escrow = deploy_payment_order_escrow(world.client, base.admin, world.welfare)
    return world, escrow


def _funded_pool(world: PoolsWorld, amount: int) -> int:
    pool_id, _ = _plan(world, ttl=86_400)
    donor = world.donors[0]
    world.welfare.pools.donate_with_permit(donor, pool_id, amount)
    return pool_id


def escrow_gas(base: GasWorld) -> dict[str, int]:
    """Gas of each PaymentOrderEscrow operation, on the real pools (deposit token orders)."""
    world, escrow = _escrow_world(base)
    bank, regulator, charity, merchant = base.bank, base.regulator, world.charity, world.merchant
    pool_id = _funded_pool(world, 1_000 * TOKEN)
    nonces = iter(range(1, 1_000))

    def order(ttl: int = 3_600) -> PaymentOrder:
        return PaymentOrder.new(
            bank=bank.address,
            nonce=next(nonces),
            pool_id=pool_id,
            charity=charity.address,
            payee=merchant.address,
            asset=MONEY,
            amount=TOKEN,
            purpose_digest=keccak(DOCUMENT),
            deadline=max(world.now(), int(time.time())) + ttl,
        )

    def issued(ttl: int = 3_600) -> tuple[PaymentOrder, int]:
        made = order(ttl)
        return made, escrow.issue(bank, made).receipt.gas_used

    gas: dict[str, int] = {}
    expiring, gas["issue_pools_first_order"] = issued(ttl=2)
    first, gas["issue"] = issued()
    second, _ = issued()
    third, _ = issued()
    fourth, _ = issued()
    fifth, _ = issued()
    sixth, _ = issued()
    unsigned, _ = issued()
    gas["cancel"] = escrow.cancel(charity, unsigned).receipt.gas_used
    gas["openPurchaseLot"] = escrow.open_purchase_lot(merchant, first, keccak(text="rice"), 10)[
        1
    ].receipt.gas_used
    gas["settle_release_payees_first_payment"] = escrow.settle(
        base.holder, first.order_id, first, escrow.sign(merchant, first), first, escrow.sign(charity, first)
    ).result.receipt.gas_used
    gas["settle_release"] = escrow.settle(
        base.holder, sixth.order_id, sixth, escrow.sign(merchant, sixth), sixth, escrow.sign(charity, sixth)
    ).result.receipt.gas_used
    gas["submitSignature_payee"] = escrow.submit_signature(
        merchant, second.order_id, OrderParty.PAYEE, second, escrow.sign(merchant, second)
    ).result.receipt.gas_used
    gas["submitSignature_charity_release"] = escrow.submit_signature(
        charity, second.order_id, OrderParty.CHARITY, second, escrow.sign(charity, second)
    ).result.receipt.gas_used
    tampered = replace(third, amount=third.amount + 1)
    gas["settle_mismatch_recorded"] = escrow.settle(
        base.holder,
        third.order_id,
        tampered,
        escrow.sign(merchant, tampered),
        third,
        escrow.sign(charity, third),
    ).result.receipt.gas_used
    gas["freeze"] = escrow.freeze(regulator, fourth.order_id, keccak(text="complaint")).receipt.gas_used
    gas["resolveDispute_refund"] = escrow.resolve_dispute(
        regulator, fourth, False, keccak(text="decision")
    ).receipt.gas_used
    escrow.freeze(regulator, fifth.order_id, keccak(text="complaint"))
    gas["resolveDispute_release"] = escrow.resolve_dispute(
        regulator, fifth, True, keccak(text="decision")
    ).receipt.gas_used
    while world.now() <= expiring.deadline:
        world.client.send_value(base.holder, base.holder.address, 0)
        time.sleep(0.05)
    gas["expire"] = escrow.expire(base.holder, expiring).receipt.gas_used
    return gas


def settlements(base: GasWorld, count: int, label: str) -> dict[str, float | int]:
    """``count`` orders issued, delivered, opened, checked, signed by both parties and matched."""
    world, escrow = _escrow_world(base)
    pool_id = _funded_pool(world, count * TOKEN)
    store = open_delivery_store()
    consortium = base.foundation.consortium
    issuer = OrderIssuer(escrow, world.registry, world.welfare.pools, base.bank, store)
    payee = OrderParticipant(world.merchant, OrderParty.PAYEE, escrow, consortium, store)
    charity = OrderParticipant(world.charity, OrderParty.CHARITY, escrow, consortium, store)
    matcher = OrderMatcher(escrow, store, base.holder, batch=BATCH)
    client = world.client
    seen = {OrderParty.PAYEE: 0, OrderParty.CHARITY: 0}
    released = 0
    started_block = client.block_number()
    started = time.perf_counter()
    for done in range(0, count, BATCH):
        size = min(BATCH, count - done)
        issuer.issue_many([OrderRequest(pool_id, world.merchant.address, TOKEN, DOCUMENT)] * size)
        for party in (payee, charity):
            for received in party.inbox(after_id=seen[party.party]):
                party.answer(received.envelope)
                seen[party.party] = received.delivery.id
        released += sum(outcome.outcome == RELEASED for outcome in matcher.run_once())
        _progress(f"{label}: {done + size} settlements")
    elapsed = time.perf_counter() - started
    transactions = sum(
        len(block.transactions)
        for number in range(started_block + 1, client.block_number() + 1)
        if (block := client.backend.get_block(number)) is not None
    )
    ledger = world.welfare.pools.ledger_of(pool_id)
    if ledger.paid_out != released * TOKEN or ledger.inflow != ledger.outflow:
        raise RuntimeError(f"the pool's books do not add up after the run: {ledger}")
    return {
        "settlements": count,
        "released": released,
        "settlements_per_s": round(released / elapsed, 1),
        "tx_per_settlement": round(transactions / max(released, 1), 2),
        "seconds": round(elapsed, 2),
    }


def _measure(open_base: Callable[[], GasWorld], count: int, label: str) -> dict[str, float | int]:
    base = open_base()
    try:
        return settlements(base, count, label)
    finally:
        base.client.close()


def run(quick: bool) -> dict[str, object]:
    compile_contracts()
    count = 200 if quick else 1_000
    base = open_world()
    try:
        _progress("orders: gas")
        gas = escrow_gas(base)
    finally:
        base.client.close()
    figures: dict[str, object] = {"gas": gas}
    _progress("orders: embedded")
    figures["embedded"] = _measure(open_world, count, "embedded")
    with start_anvil(chain_id=CHAIN_ID) as anvil:
        _progress("orders: anvil")
        figures["anvil"] = _measure(
            lambda: open_world(ChainClient(JsonRpcBackend(anvil.url))), count, "anvil"
        )
    return figures
