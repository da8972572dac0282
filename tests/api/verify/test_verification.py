"""Verification by transaction hash (``api/verify/verification.py``, ``api/verify/flow.py``) on the demo ledger.

Each flow is checked against the chain: every edge's proof is a log the node returns for that transaction, at
that log index, from the contract and event the proof names; gifts' shares add up to the gift exactly.
"""

from __future__ import annotations

import pytest
from eth_utils import event_abi_to_log_topic

from api.indexer import ReadModel
from api.verify import (
    EdgeKind,
    InvalidTransactionHash,
    NodeKind,
    TransactionKind,
    TransactionNotIndexed,
    Verification,
    verify_transaction,
)
from tests.ledger_support import DemoLedger


def _verify(read_model: ReadModel, ledger: DemoLedger, what: str) -> Verification:
    return verify_transaction(read_model, ledger.record.transactions[what])


def _assert_proofs_hold(verification: Verification, ledger: DemoLedger) -> None:
    client = ledger.client
    addresses = ledger.addresses()
    for edge in verification.flow.edges:
        proof = edge.proof
        receipt = client.backend.get_receipt(bytes.fromhex(proof.tx_hash[2:]))
        assert receipt is not None
        assert receipt.block_number == proof.block_number
        (log,) = [entry for entry in receipt.logs if entry.log_index == proof.log_index]
        assert log.address == addresses[proof.contract]
        abi = client.abi(proof.contract)
        assert log.topics[0] == event_abi_to_log_topic(abi.events_by_name[proof.event])  # type: ignore[arg-type]
        block = client.backend.get_block(proof.block_number)
        assert block is not None
        assert edge.timestamp == block.timestamp


def _share(verification: Verification, kinds: set[EdgeKind], source: str) -> int:
    return sum(
        int(edge.share.base_units)
        for edge in verification.flow.edges
        if edge.kind in kinds and edge.source == source and edge.share is not None
    )


def test_a_gift_is_followed_to_the_named_merchant_and_its_shares_add_up(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    verification = _verify(read_model, demo_ledger, "donation to the open plan")
    assert verification.kind is TransactionKind.DONATION
    assert verification.sender == demo_ledger.boot.wallets.keystore.address_of("donor-1")
    assert verification.as_of_block == demo_ledger.client.block_number()
    assert {event.name for event in verification.events} >= {"DonationReceived", "Transfer"}
    _assert_proofs_hold(verification, demo_ledger)

    nodes = {node.id: node for node in verification.flow.nodes}
    plan = f"plan:{demo_ledger.record.plans['open']}"
    assert nodes[plan].name is None
    assert "安徽" in nodes[plan].label
    gift = 500 * 10**18
    (donated,) = [edge for edge in verification.flow.edges if edge.kind is EdgeKind.DONATED]
    assert donated.share is not None
    assert int(donated.share.base_units) == gift
    held = sum(int(item["share"]["base_units"]) for item in nodes[plan].details["held"])
    out = _share(
        verification, {EdgeKind.LOCKED, EdgeKind.TO_GOVERNMENT, EdgeKind.MOVED, EdgeKind.REFUNDED}, plan
    )
    assert out + held == gift  # exactly, in base units

    (paid,) = [edge for edge in verification.flow.edges if edge.kind is EdgeKind.PAID]
    merchant = nodes[paid.target]
    assert merchant.kind is NodeKind.PAYEE
    assert merchant.address == demo_ledger.boot.wallets.keystore.address_of("merchant-1")
    assert merchant.name is not None
    assert merchant.label == merchant.name
    # The pool paid 300 of its 1,150: the gift's share of the payment is 500 * 300 / 1150, largest remainder.
    assert paid.share is not None
    assert abs(int(paid.share.base_units) - gift * 300 // 1150) <= 1
    kinds = [edge.kind for edge in verification.flow.edges]
    assert kinds.index(EdgeKind.LOT_OPENED) < kinds.index(EdgeKind.SIGNED_OFF)
    (signed,) = [edge for edge in verification.flow.edges if edge.kind is EdgeKind.SIGNED_OFF]
    assert nodes[signed.target].address == demo_ledger.boot.wallets.keystore.address_of("beneficiary-1")
    (government,) = [edge for edge in verification.flow.edges if edge.kind is EdgeKind.TO_GOVERNMENT]
    assert nodes[government.target].kind is NodeKind.LOCAL_GOVERNMENT
    assert nodes[government.target].name is not None


def test_a_settled_order_shows_the_payment_the_goods_and_the_sign_off(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    verification = _verify(read_model, demo_ledger, "order settled")
    assert verification.kind is TransactionKind.ORDER_SETTLEMENT
    _assert_proofs_hold(verification, demo_ledger)
    kinds = [edge.kind for edge in verification.flow.edges]
    assert kinds == [
        EdgeKind.LOCKED,
        EdgeKind.LOT_OPENED,
        EdgeKind.SHIPPED,
        EdgeKind.RECEIVED_BY_HOLDER,
        EdgeKind.PAID,
        EdgeKind.HANDED_TO_BENEFICIARY,
        EdgeKind.SIGNED_OFF,
    ]
    order = next(node for node in verification.flow.nodes if node.kind is NodeKind.ORDER)
    assert order.details["status"] == "released"
    assert order.id == f"order:{demo_ledger.record.orders['paid']}"


def test_an_expired_order_returned_its_amount_to_the_plan(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    verification = _verify(read_model, demo_ledger, "order expired")
    assert verification.kind is TransactionKind.ORDER_EXPIRY
    _assert_proofs_hold(verification, demo_ledger)
    assert [edge.kind for edge in verification.flow.edges] == [EdgeKind.LOCKED, EdgeKind.RETURNED]
    locked, returned = verification.flow.edges
    assert (locked.source, locked.target) == (returned.target, returned.source)


def test_a_move_is_followed_on_through_the_receiving_plan(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    verification = _verify(read_model, demo_ledger, "move")
    assert verification.kind is TransactionKind.MOVE
    _assert_proofs_hold(verification, demo_ledger)
    target = f"plan:{demo_ledger.record.plans['open']}"
    (moved,) = [edge for edge in verification.flow.edges if edge.kind is EdgeKind.MOVED]
    assert moved.target == target
    assert moved.share is not None
    nodes = {node.id: node for node in verification.flow.nodes}
    held = sum(int(item["share"]["base_units"]) for item in nodes[target].details["held"])
    onward = _share(
        verification, {EdgeKind.LOCKED, EdgeKind.TO_GOVERNMENT, EdgeKind.MOVED, EdgeKind.REFUNDED}, target
    )
    assert onward + held == int(moved.share.base_units)
    assert any(edge.kind is EdgeKind.PAID for edge in verification.flow.edges)

    # A gift to the wound-up plan is followed the same way, through the move.
    gift = _verify(read_model, demo_ledger, "donation moved to the open plan")
    assert any(edge.kind is EdgeKind.MOVED for edge in gift.flow.edges)
    assert any(edge.kind is EdgeKind.PAID for edge in gift.flow.edges)


def test_a_refund_and_a_refunded_gift(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    refund = _verify(read_model, demo_ledger, "refund")
    assert refund.kind is TransactionKind.REFUND
    _assert_proofs_hold(refund, demo_ledger)
    (edge,) = refund.flow.edges
    assert edge.kind is EdgeKind.REFUNDED
    gift = _verify(read_model, demo_ledger, "donation refunded")
    refunded = [e for e in gift.flow.edges if e.kind is EdgeKind.REFUNDED]
    assert [e.proof.tx_hash for e in refunded] == [demo_ledger.record.transactions["refund"]]
    assert refunded[0].share is not None
    assert refunded[0].share.value == "120"  # the whole gift came back: nothing was spent from that plan


def test_goods_are_followed_exactly_lot_by_lot(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    for what, kind in (
        ("goods pledge", TransactionKind.GOODS_PLEDGE),
        ("goods received", TransactionKind.GOODS_RECEIVED),
    ):
        verification = _verify(read_model, demo_ledger, what)
        assert verification.kind is kind
        _assert_proofs_hold(verification, demo_ledger)
        kinds = {edge.kind for edge in verification.flow.edges}
        assert kinds == {
            EdgeKind.PLEDGED,
            EdgeKind.RECEIVED,
            EdgeKind.LOT_OPENED,
            EdgeKind.HANDED_TO_BENEFICIARY,
        }
        assert all(edge.share is None and edge.amount is not None for edge in verification.flow.edges)


def test_other_kinds_of_transaction(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    transfer = _verify(read_model, demo_ledger, "government transfer")
    assert transfer.kind is TransactionKind.GOVERNMENT_TRANSFER
    (edge,) = transfer.flow.edges
    assert edge.kind is EdgeKind.TO_GOVERNMENT
    launch = _verify(read_model, demo_ledger, "launch open")
    assert launch.kind is TransactionKind.PLAN_LAUNCH
    assert all(edge.share is None for edge in launch.flow.edges)
    points = _verify(read_model, demo_ledger, "points donation")
    assert points.kind is TransactionKind.DONATION
    (donated,) = points.flow.edges
    assert donated.amount is not None
    assert (donated.amount.unit, donated.amount.value, donated.amount.decimals) == ("points", "400", 0)


def test_verification_is_json_ready_without_large_numbers(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    text = _verify(read_model, demo_ledger, "donation to the open plan").model_dump_json()

    def numbers(value: object) -> list[int]:
        if isinstance(value, dict):
            return [n for item in value.values() for n in numbers(item)]
        if isinstance(value, list):
            return [n for item in value for n in numbers(item)]
        return [value] if isinstance(value, int) and not isinstance(value, bool) else []

    import json

    assert max(numbers(json.loads(text))) < 2**53


@pytest.mark.parametrize("bad", ["", "0x1234", "0x" + "gg" * 32, "1" * 66])
def test_a_malformed_hash_is_refused(read_model: ReadModel, bad: str) -> None:
    with pytest.raises(InvalidTransactionHash):
        verify_transaction(read_model, bad)


def test_an_unknown_or_non_ledger_transaction_is_not_found(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    with pytest.raises(TransactionNotIndexed) as raised:
        verify_transaction(read_model, "0x" + "ab" * 32)
    assert raised.value.as_of_block == demo_ledger.client.block_number()
    snapshot = demo_ledger.client.backend.snapshot()
    try:
        admin = demo_ledger.boot.admin
        plain = demo_ledger.client.send_value(admin, admin.address, 1)  # touches no ledger contract
        with pytest.raises(TransactionNotIndexed):
            verify_transaction(read_model, "0x" + plain.transaction_hash.hex())
    finally:
        demo_ledger.client.backend.revert(snapshot)
