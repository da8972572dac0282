"""Flow 4, scene 1 (S301-S305): a charity buys relief goods through a matched payment order.

Donors fill the charity's pool; the charity picks a registered merchant; the bank issues the first order
(committed on-chain, amount locked in escrow) and delivers it sealed to both; the merchant checks it, stocks the
goods (a purchase lot in the resource tracker), ships them and answers with its signed copy (second order); the
goods reach the charity's warehouse; the charity checks the order and the lot and signs its copy (third order);
the matcher submits the pair and the escrow pays the merchant; the goods are handed to the beneficiary, who signs
for them: the aid is successful. Runs on the embedded chain and, marked ``anvil``, on anvil.
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from api.orders import (
    RELEASED,
    Expectation,
    OrderIssuer,
    OrderMatcher,
    OrderParticipant,
    OrderRequest,
    open_delivery_store,
)
from chain_client.contracts import (
    Checkpoint,
    InstitutionKind,
    Ledger,
    LotSource,
    LotStatus,
    OrderParty,
    OrderStatus,
)
from tests.conftest import ACCOUNTS
from tests.escrow_support import EscrowWorld, funded_pool
from tests.pools_support import CAST, RICE, TOKEN

pytestmark = pytest.mark.flow

BAGS = 200
PRICE = 30 * TOKEN  # the whole purchase
PURCHASE_ORDER = (
    "采购单 PO-2026-0731: 大米 25kg × 200 袋, 送至新乡市第一避难所仓库, 单价 0.15, 合计 30".encode()
)


def test_a_charity_buys_relief_goods_and_the_merchant_is_paid_on_matching_orders(ew: EscrowWorld) -> None:
    a = ACCOUNTS
    registry, pools, escrow, tracker = ew.world.registry, ew.pools, ew.escrow, ew.world.welfare.tracker
    consortium = ew.world.foundation.consortium
    store = open_delivery_store()

    # Donors have filled the charity's relief pool.
    pool_id = funded_pool(ew, 100 * TOKEN)

    # The charity picks a merchant: a registered, active supplier.
    merchant = a.supplier
    assert registry.kind_of(merchant.address) == InstitutionKind.SUPPLIER
    assert registry.is_active(merchant.address)

    # The bank issues the first order: committed on-chain, the price locked in escrow, delivered sealed to both.
    issuer = OrderIssuer(escrow, registry, pools, a.bank, store)
    issued = issuer.issue(OrderRequest(pool_id, merchant.address, PRICE, PURCHASE_ORDER))
    order = issued.order
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=70 * TOKEN, escrowed=PRICE)

    # The merchant opens its delivery and checks the order against its quote.
    seller = OrderParticipant(merchant, OrderParty.PAYEE, escrow, consortium, store)
    [received] = seller.inbox()
    assert received.envelope.document == PURCHASE_ORDER
    quote = Expectation(
        pool_id=pool_id, charity=a.charity.address, amount=PRICE, purpose_digest=keccak(PURCHASE_ORDER)
    )
    seller.check(received.envelope, quote)

    # It stocks the goods (a purchase lot of the pool, referenced by the order) and ships them.
    lot_id, _ = escrow.open_purchase_lot(merchant, order, RICE, BAGS)
    lot = tracker.lot_of(lot_id)
    assert (lot.pool_id, lot.source, lot.source_ref, lot.holder, lot.status) == (
        pool_id,
        LotSource.PURCHASE,
        order.order_id,
        merchant.address,
        LotStatus.STORED,
    )
    waybill = keccak(text="waybill SF-0731")
    tracker.record_checkpoint(merchant, lot_id, Checkpoint.SHIPPED, CAST.carrier.address, waybill)
    tracker.record_checkpoint(CAST.carrier, lot_id, Checkpoint.IN_TRANSIT, CAST.warehouse.address, waybill)
    tracker.record_checkpoint(CAST.warehouse, lot_id, Checkpoint.RECEIVED, None, keccak(text="receipt note"))

    # Having shipped, the merchant answers with its copy (the second order).
    seller.answer(received.envelope, quote)
    matcher = OrderMatcher(escrow, store, a.outsider)
    assert matcher.run_once() == []  # the charity has not answered yet: nothing is paid
    assert escrow.order_of(order.order_id).status == OrderStatus.ISSUED

    # The charity sees the goods received at its warehouse and signs its copy (the third order).
    buyer = OrderParticipant(a.charity, OrderParty.CHARITY, escrow, consortium, store)
    [mine] = buyer.inbox()
    assert tracker.lot_of(lot_id).status == LotStatus.RECEIVED
    buyer.answer(mine.envelope, Expectation(pool_id=pool_id, payee=merchant.address, amount=PRICE))

    # The copies match: the escrow pays the merchant. Issue + settle: two transactions.
    merchant_before = ew.token.balance_of(merchant.address)
    [outcome] = matcher.run_once()
    assert outcome.outcome == RELEASED
    assert ew.token.balance_of(merchant.address) == merchant_before + PRICE
    assert ew.token.balance_of(escrow.address) == 0
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=70 * TOKEN, paid_out=PRICE)
    assert escrow.order_of(order.order_id).status == OrderStatus.RELEASED
    order_txs = {
        e.log.transaction_hash
        for e in escrow.events("OrderIssued") + escrow.events("OrderReleased")
        if e["orderId"] == order.order_id
    }
    assert order_txs == {issued.tx_hash, outcome.tx_hash}

    # The warehouse hands the goods to the beneficiary, who signs for them: the aid is successful.
    tracker.record_checkpoint(
        CAST.warehouse, lot_id, Checkpoint.HANDED_TO_BENEFICIARY, CAST.beneficiary.address
    )
    tracker.record_checkpoint(CAST.beneficiary, lot_id, Checkpoint.SIGNED_OFF, None, keccak(text="signature"))
    assert tracker.lot_of(lot_id).status == LotStatus.DELIVERED

    # Anyone can follow the order from the ledger alone: issued, goods tracked, released.
    path = [
        event.args["checkpoint"] for event in tracker.events("CheckpointRecorded") if event["lotId"] == lot_id
    ]
    assert path == [
        Checkpoint.SHIPPED,
        Checkpoint.IN_TRANSIT,
        Checkpoint.RECEIVED,
        Checkpoint.HANDED_TO_BENEFICIARY,
        Checkpoint.SIGNED_OFF,
    ]
