"""api/orders: issuance, sealed delivery, the parties' checks and signatures, and the matcher, on the real escrow."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import ecies
import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.orders import (
    MISMATCH,
    RELEASED,
    DeliveryNotFound,
    EnvelopeUnreadable,
    Expectation,
    OrderEnvelope,
    OrderError,
    OrderIssuer,
    OrderMatcher,
    OrderParticipant,
    OrderRejected,
    OrderRequest,
    OrdersNotIssued,
    open_delivery_store,
    open_sealed,
)
from api.orders.delivery import DeliveryStore
from chain_client.contracts import MONEY, Ledger, OrderParty, OrderStatus, PaymentOrder
from tests.conftest import ACCOUNTS, Accounts
from tests.escrow_support import HOSPITAL, EscrowWorld, funded_pool
from tests.pools_support import TOKEN

pytestmark = pytest.mark.api

DOCUMENT = "采购单: 200 袋大米 (25kg), 送至新乡市避难所, 2026-07-30 前".encode()


@pytest.fixture
def store() -> DeliveryStore:
    return open_delivery_store()


def _issuer(ew: EscrowWorld, store: DeliveryStore) -> OrderIssuer:
    return OrderIssuer(ew.escrow, ew.world.registry, ew.pools, ACCOUNTS.bank, store)


def _participant(ew: EscrowWorld, store: DeliveryStore, party: OrderParty) -> OrderParticipant:
    account = ACCOUNTS.supplier if party is OrderParty.PAYEE else ACCOUNTS.charity
    return OrderParticipant(account, party, ew.escrow, ew.world.foundation.consortium, store)


def _matcher(ew: EscrowWorld, store: DeliveryStore) -> OrderMatcher:
    return OrderMatcher(ew.escrow, store, ACCOUNTS.outsider)


def test_an_issued_order_is_delivered_sealed_to_each_party_only(
    ew: EscrowWorld, store: DeliveryStore, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew)
    issued = _issuer(ew, store).issue(OrderRequest(pool_id, accounts.supplier.address, 30 * TOKEN, DOCUMENT))
    order = issued.order
    assert (order.pool_id, order.charity, order.payee, order.asset, order.amount) == (
        pool_id,
        accounts.charity.address,
        accounts.supplier.address,
        MONEY,
        30 * TOKEN,
    )
    assert order.purpose_digest == keccak(DOCUMENT)
    assert ew.escrow.order_of(order.order_id).commits_to(issued.digest)
    assert ew.pools.ledger_of(pool_id).escrowed == 30 * TOKEN
    for party in (accounts.supplier, accounts.charity):
        delivery = store.fetch(issued.digest, party.address)
        assert delivery.ciphertext.find(DOCUMENT) == -1  # sealed, not in the clear
        envelope = open_sealed(bytes(party.key), delivery.ciphertext)
        assert envelope == issued.envelope
        assert envelope.document == DOCUMENT
    with pytest.raises(EnvelopeUnreadable):
        open_sealed(
            bytes(accounts.outsider.key), store.fetch(issued.digest, accounts.supplier.address).ciphertext
        )
    with pytest.raises(DeliveryNotFound):
        store.fetch(issued.digest, accounts.outsider.address)
    assert [received.envelope for received in _participant(ew, store, OrderParty.PAYEE).inbox()] == [
        issued.envelope
    ]


def test_the_envelope_carries_the_wallet_payload_and_round_trips(
    ew: EscrowWorld, store: DeliveryStore, accounts: Accounts
) -> None:
    envelope = _issuer(ew, store).prepare(OrderRequest(1, accounts.supplier.address, TOKEN, DOCUMENT))
    assert OrderEnvelope.from_bytes(envelope.to_bytes()) == envelope
    assert envelope.typed_data() == ew.escrow.typed_data(envelope.order)
    with pytest.raises(EnvelopeUnreadable):
        OrderEnvelope.from_bytes(b'{"version": 1}')


def test_both_parties_sign_and_the_matcher_pays_the_payee(
    ew: EscrowWorld, store: DeliveryStore, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew)
    issued = _issuer(ew, store).issue(OrderRequest(pool_id, accounts.supplier.address, 30 * TOKEN, DOCUMENT))
    before = ew.token.balance_of(accounts.supplier.address)
    matcher = _matcher(ew, store)
    expect = Expectation(pool_id=pool_id, amount=30 * TOKEN, purpose_digest=keccak(DOCUMENT))
    payee = _participant(ew, store, OrderParty.PAYEE)
    payee.answer(payee.inbox()[0].envelope, expect)
    assert matcher.run_once() == []  # one copy is not a pair
    charity = _participant(ew, store, OrderParty.CHARITY)
    charity.answer(charity.inbox()[0].envelope, replace(expect, payee=accounts.supplier.address))
    [outcome] = matcher.run_once()
    assert (outcome.order_id, outcome.outcome, outcome.released) == (issued.order.order_id, RELEASED, True)
    assert store.outcome_of(issued.order.order_id) == RELEASED
    assert ew.token.balance_of(accounts.supplier.address) == before + 30 * TOKEN
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=70 * TOKEN, paid_out=30 * TOKEN)
    assert matcher.run_once() == []
    # Once released, a party no longer signs the order.
    with pytest.raises(OrderRejected, match="released on-chain"):
        payee.check(issued.envelope)


def test_a_party_refuses_an_order_that_is_not_what_it_expects(
    ew: EscrowWorld, store: DeliveryStore, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew)
    issuer = _issuer(ew, store)
    issued = issuer.issue(OrderRequest(pool_id, accounts.supplier.address, 30 * TOKEN, DOCUMENT))
    payee = _participant(ew, store, OrderParty.PAYEE)
    with pytest.raises(OrderRejected) as raised:
        payee.answer(issued.envelope, Expectation(amount=31 * TOKEN))
    assert raised.value.reasons == (f"amount is {30 * TOKEN}, expected {31 * TOKEN}",)
    swapped = replace(issued.envelope, document=b"another document")
    with pytest.raises(OrderRejected, match="does not match the order's purposeDigest"):
        payee.check(swapped)
    never_issued = issuer.prepare(OrderRequest(pool_id, accounts.supplier.address, TOKEN, DOCUMENT))
    with pytest.raises(OrderRejected, match="not the order committed on-chain"):
        payee.check(never_issued)
    forged = replace(
        issued.envelope,
        bank_signature=ew.escrow.sign(accounts.outsider, issued.order),
        bank=accounts.outsider.address,
    )
    with pytest.raises(OrderRejected, match="not a member bank"):
        payee.check(forged)
    with pytest.raises(OrderRejected, match="not this party"):
        _participant(ew, store, OrderParty.CHARITY).check(
            replace(issued.envelope, order=replace(issued.order, charity=accounts.bob.address))
        )
    assert store.signed_copies(issued.order.order_id) == {}


def test_the_matcher_records_a_mismatch_and_a_corrected_copy_is_matched(
    ew: EscrowWorld, store: DeliveryStore, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew)
    issued = _issuer(ew, store).issue(OrderRequest(pool_id, accounts.supplier.address, 30 * TOKEN, DOCUMENT))
    order = issued.order
    inflated = replace(order, amount=31 * TOKEN)
    store.put_signed_copy(
        order.order_id, OrderParty.PAYEE, inflated, ew.escrow.sign(accounts.supplier, inflated)
    )
    charity = _participant(ew, store, OrderParty.CHARITY)
    charity.answer(issued.envelope)
    matcher = _matcher(ew, store)
    [outcome] = matcher.run_once()
    assert outcome.outcome == MISMATCH
    assert ew.escrow.mismatch_of(order.order_id).payee_digest == ew.escrow.digest(inflated)
    assert ew.pools.ledger_of(pool_id).escrowed == 30 * TOKEN
    assert matcher.run_once() == []  # not retried until someone signs again
    _participant(ew, store, OrderParty.PAYEE).answer(issued.envelope)
    assert [outcome.outcome for outcome in matcher.run_once()] == [RELEASED]


def test_the_matcher_records_the_chains_refusal(
    ew: EscrowWorld, store: DeliveryStore, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew)
    issued = _issuer(ew, store).issue(OrderRequest(pool_id, accounts.supplier.address, 30 * TOKEN, DOCUMENT))
    order = issued.order
    store.put_signed_copy(order.order_id, OrderParty.PAYEE, order, ew.escrow.sign(accounts.outsider, order))
    _participant(ew, store, OrderParty.CHARITY).answer(issued.envelope)
    [outcome] = _matcher(ew, store).run_once()
    assert outcome.outcome == "rejected:OrderSignerNotParty"
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.ISSUED


def test_a_batch_is_issued_pipelined_and_a_refused_order_is_reported(
    ew: EscrowWorld, store: DeliveryStore, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew, 100 * TOKEN, points=10)
    requests = [
        OrderRequest(pool_id, accounts.supplier.address, 40 * TOKEN, DOCUMENT),
        OrderRequest(pool_id, HOSPITAL.address, 5, b"clinic vouchers", asset=ew.world.vouchers),
        OrderRequest(pool_id, accounts.supplier.address, 70 * TOKEN, DOCUMENT),  # more than is left
        OrderRequest(pool_id, accounts.supplier.address, 60 * TOKEN, DOCUMENT),
    ]
    with pytest.raises(OrdersNotIssued) as raised:
        _issuer(ew, store).issue_many(requests)
    assert list(raised.value.failures) == [2]
    assert raised.value.failures[2].error_name == "PoolInsufficientBalance"
    assert [issued.order.amount for issued in raised.value.issued] == [40 * TOKEN, 5, 60 * TOKEN]
    assert len(store.inbox(accounts.supplier.address)) == 2
    assert len(store.inbox(HOSPITAL.address)) == 1
    assert len(store.inbox(accounts.charity.address)) == 3
    assert ew.pools.ledger_of(pool_id).escrowed == 100 * TOKEN


def test_run_forever_settles_until_stopped(ew: EscrowWorld, store: DeliveryStore, accounts: Accounts) -> None:
    pool_id = funded_pool(ew)
    issued = _issuer(ew, store).issue(OrderRequest(pool_id, accounts.supplier.address, 10 * TOKEN, DOCUMENT))
    matcher = OrderMatcher(ew.escrow, store, ACCOUNTS.outsider, interval_seconds=0.05)
    stop = threading.Event()
    loop = threading.Thread(target=matcher.run_forever, args=(stop,))
    loop.start()
    try:
        for party in (OrderParty.PAYEE, OrderParty.CHARITY):
            _participant(ew, store, party).answer(issued.envelope)
        for _ in range(200):
            if store.outcome_of(issued.order.order_id) is not None:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        loop.join(timeout=30)
    assert not loop.is_alive()
    assert store.outcome_of(issued.order.order_id) == RELEASED
    assert ew.escrow.order_of(issued.order.order_id).status == OrderStatus.RELEASED


# ---------------------------------------------------------------------- what a party receives, out of range

_UINT_BITS = {"poolId": 256, "asset": 256, "amount": 256, "deadline": 64, "nonce": 256}


def _received(message_changes: dict[str, object], signature: str | None = None) -> bytes:
    """A sealed envelope as someone might send it: a real envelope's JSON with fields replaced."""
    order = PaymentOrder.new(
        bank=ACCOUNTS.bank.address,
        nonce=5,
        pool_id=1,
        charity=ACCOUNTS.charity.address,
        payee=ACCOUNTS.supplier.address,
        asset=MONEY,
        amount=10 * TOKEN,
        purpose_digest=keccak(DOCUMENT),
        deadline=2**40,
    )
    escrow = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    envelope = OrderEnvelope(1337, escrow, ACCOUNTS.bank.address, order, b"\x01" * 65, DOCUMENT)
    body = json.loads(envelope.to_bytes())
    body["typedData"]["message"].update(message_changes)
    if signature is not None:
        body["bankSignature"] = signature
    return seal_bytes(json.dumps(body).encode())


def seal_bytes(raw: bytes) -> bytes:
    public_key = ACCOUNTS.supplier._key_obj.public_key.to_bytes()
    sealed: bytes = ecies.encrypt(public_key, raw)
    return sealed


_out_of_range = st.sampled_from(sorted(_UINT_BITS)).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.one_of(
            st.integers(min_value=2 ** _UINT_BITS[name], max_value=2 ** (_UINT_BITS[name] + 64)),
            st.integers(max_value=-1),
            st.integers(min_value=2 ** _UINT_BITS[name]).map(str),
            st.text(max_size=12).filter(lambda text: not text.isdigit()),
            st.floats(allow_nan=True),
            st.none(),
            st.lists(st.integers(), max_size=2),
        ),
    )
)
_malformed_other = st.sampled_from(
    [
        ("orderId", "0x1234"),
        ("orderId", 7),
        ("charity", "0x" + "ab" * 19),
        ("payee", "0xAbCdef0123456789aBcDeF0123456789AbCdEf01"),  # bad EIP-55 checksum
        ("purposeDigest", "not hex"),
        ("extraField", 1),
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_out_of_range, _malformed_other))
def test_a_received_order_with_a_bad_field_is_rejected_by_type(case: tuple[str, object]) -> None:
    name, value = case
    with pytest.raises(EnvelopeUnreadable) as raised:
        open_sealed(bytes(ACCOUNTS.supplier.key), _received({name: value}))
    assert isinstance(raised.value, OrderError)
    assert "invalid typed data" in str(raised.value) or "malformed envelope" in str(raised.value)


@pytest.mark.parametrize(
    "signature",
    ["0x" + "01" * 64, "0x" + "00" * 64 + "1b", "0x" + "01" * 64 + "1d"],
)
def test_a_malformed_bank_signature_is_a_reason_to_reject(
    ew: EscrowWorld, store: DeliveryStore, signature: str
) -> None:
    envelope = open_sealed(bytes(ACCOUNTS.supplier.key), _received({}, signature))
    with pytest.raises(OrderRejected) as raised:
        _participant(ew, store, OrderParty.PAYEE).check(envelope)
    assert any("bank signature malformed" in reason for reason in raised.value.reasons)
