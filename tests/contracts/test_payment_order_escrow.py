"""contracts/PaymentOrderEscrow.sol: issue, match, mismatch, expiry, disputes, replays, on the real pools.

Every attack or mistake asserts that nothing moved (token balances of pools, escrow and payees, the pool's
ledger, the order's status) and that the mismatch was recorded or the error named with its values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from chain_client import ContractReverted
from chain_client.contracts import (
    BANK_ROLE,
    MONEY,
    REGULATOR_ROLE,
    InstitutionKind,
    Ledger,
    OrderParty,
    OrderStatus,
    PaymentOrder,
)
from chain_client.contracts.institution_registry import short_code
from chain_client.contracts.payment_order_escrow import (
    COMMITMENT_BYTES,
    order_digest,
    recover_order_signer,
    sign_order,
    typed_data,
)
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS, CHAIN_ID, Accounts
from tests.escrow_support import (
    HOSPITAL,
    PURPOSE,
    RIVAL,
    EscrowWorld,
    funded_pool,
    make_order,
)
from tests.pools_support import TOKEN
from tests.registry_support import advance_past, chain_time

pytestmark = pytest.mark.contract

ZERO32 = b"\x00" * 32
REASON = keccak(text="dispute file: goods not delivered")
DECISION = keccak(text="regulator decision")


def _reverts(call: Callable[[], Any], name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()
    assert (raised.value.error_name, raised.value.args) == (name, args)


@dataclass(frozen=True)
class Books:
    """Everything an order can move: token balances, voucher balances and the pool's ledgers."""

    tokens: tuple[int, ...]
    vouchers: tuple[int, ...]
    money_ledger: Ledger
    voucher_ledger: Ledger


def _books(ew: EscrowWorld, pool_id: int) -> Books:
    everyone = (
        ew.pools.address,
        ew.escrow.address,
        ACCOUNTS.supplier.address,
        ACCOUNTS.charity.address,
        RIVAL.address,
        HOSPITAL.address,
    )
    return Books(
        tokens=tuple(ew.token.balance_of(account) for account in everyone),
        vouchers=tuple(
            ew.world.welfare.assets.balance_of(account, ew.world.vouchers) for account in everyone
        ),
        money_ledger=ew.pools.ledger_of(pool_id, MONEY),
        voucher_ledger=ew.pools.ledger_of(pool_id, ew.world.vouchers),
    )


def _issued(
    ew: EscrowWorld, accounts: Accounts, amount: int = 40 * TOKEN, **kwargs: Any
) -> tuple[int, PaymentOrder]:
    pool_id = funded_pool(ew, 100 * TOKEN, points=kwargs.pop("points", 0))
    order = make_order(ew, pool_id, amount, **kwargs)
    ew.escrow.issue(accounts.bank, order)
    return pool_id, order


def _sigs(ew: EscrowWorld, accounts: Accounts, order: PaymentOrder) -> tuple[bytes, bytes]:
    return ew.escrow.sign(accounts.supplier, order), ew.escrow.sign(accounts.charity, order)


# ---------------------------------------------------------------- EIP-712


def test_the_typed_data_is_standard_eip712_and_matches_the_contract(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    escrow = ew.escrow
    order = make_order(ew, 1, 5 * TOKEN)
    full = typed_data(order, ew.client.chain_id, escrow.address)
    assert set(full) == {"types", "primaryType", "domain", "message"}
    assert "EIP712Domain" in full["types"]
    signable = encode_typed_data(full_message=full)
    wallet_digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert wallet_digest == escrow.digest(order) == escrow.hash_order(order)
    assert order_digest(order, ew.client.chain_id, escrow.address) == wallet_digest
    # A wallet's eth_signTypedData_v4 of the same JSON is byte-for-byte the signature the services make.
    wallet_signature = Account.sign_typed_data(accounts.supplier.key, full_message=full).signature
    assert bytes(wallet_signature) == escrow.sign(accounts.supplier, order)
    assert (
        recover_order_signer(order, bytes(wallet_signature), ew.client.chain_id, escrow.address)
        == accounts.supplier.address
    )
    assert PaymentOrder.from_message(full["message"]) == order
    assert escrow.order_id_for(accounts.bank.address, order.nonce) == order.order_id


# ---------------------------------------------------------------- issue and match


def test_issue_commits_the_digest_and_locks_the_amount(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id = funded_pool(ew, 100 * TOKEN)
    order = make_order(ew, pool_id, 40 * TOKEN)
    pools_before = ew.token.balance_of(ew.pools.address)
    result = ew.escrow.issue(accounts.bank, order)
    event = result.event("OrderIssued")
    digest = ew.escrow.digest(order)
    assert (event["orderId"], event["poolId"], event["payee"], event["charity"], event["bank"]) == (
        order.order_id,
        pool_id,
        accounts.supplier.address,
        accounts.charity.address,
        accounts.bank.address,
    )
    assert (event["asset"], event["amount"], event["purposeDigest"], event["deadline"], event["nonce"]) == (
        MONEY,
        40 * TOKEN,
        PURPOSE,
        order.deadline,
        order.nonce,
    )
    assert event["digest"] == digest
    locked = result.event("OrderFundsLocked")
    assert (locked["poolId"], locked["orderId"], locked["asset"], locked["amount"]) == (
        pool_id,
        order.order_id,
        MONEY,
        40 * TOKEN,
    )
    record = ew.escrow.order_of(order.order_id)
    assert (record.commitment, record.status) == (digest[:COMMITMENT_BYTES], OrderStatus.ISSUED)
    assert record.commits_to(digest)
    # The lock is bookkeeping: the pools keep custody and the escrow holds nothing.
    assert ew.token.balance_of(ew.pools.address) == pools_before
    assert ew.token.balance_of(ew.escrow.address) == 0
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=60 * TOKEN, escrowed=40 * TOKEN)


def test_matching_copies_pay_the_payee_in_one_settlement(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    supplier_before = ew.token.balance_of(accounts.supplier.address)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    settled = ew.escrow.settle(accounts.outsider, order.order_id, order, payee_sig, order, charity_sig)
    assert settled.released
    released = settled.result.event("OrderReleased")
    assert (
        released["orderId"],
        released["poolId"],
        released["payee"],
        released["amount"],
        released["by"],
    ) == (
        order.order_id,
        pool_id,
        accounts.supplier.address,
        40 * TOKEN,
        accounts.outsider.address,
    )
    assert released["decisionDigest"] == ZERO32
    paid = settled.result.event("OrderFundsPaid")
    assert (paid["poolId"], paid["orderId"], paid["asset"], paid["amount"], paid["payee"]) == (
        pool_id,
        order.order_id,
        MONEY,
        40 * TOKEN,
        accounts.supplier.address,
    )
    assert ew.token.balance_of(accounts.supplier.address) == supplier_before + 40 * TOKEN
    assert ew.token.balance_of(ew.escrow.address) == 0
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=60 * TOKEN, paid_out=40 * TOKEN)
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.RELEASED


def test_signatures_submitted_one_by_one_pay_on_the_second(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    escrow = ew.escrow
    first = escrow.submit_signature(accounts.supplier, order.order_id, OrderParty.PAYEE, order, payee_sig)
    assert not first.released
    signed = first.result.event("OrderSigned")
    assert (signed["party"], signed["signer"], signed["by"]) == (
        OrderParty.PAYEE,
        accounts.supplier.address,
        accounts.supplier.address,
    )
    assert escrow.order_of(order.order_id).payee_signed
    _reverts(
        lambda: escrow.submit_signature(
            accounts.outsider, order.order_id, OrderParty.PAYEE, order, payee_sig
        ),
        "OrderAlreadySigned",
        order.order_id,
        OrderParty.PAYEE,
    )
    second = escrow.submit_signature(accounts.charity, order.order_id, OrderParty.CHARITY, order, charity_sig)
    assert second.released
    assert ew.pools.ledger_of(pool_id).paid_out == 40 * TOKEN
    assert escrow.order_of(order.order_id).status == OrderStatus.RELEASED


def test_welfare_assets_are_escrowed_and_paid_too(ew: EscrowWorld, accounts: Accounts) -> None:
    vouchers = ew.world.vouchers
    assets = ew.world.welfare.assets
    pool_id = funded_pool(ew, 0, points=30)
    order = make_order(ew, pool_id, 12, asset=vouchers, payee=HOSPITAL)
    ew.escrow.issue(accounts.bank, order)
    assert assets.balance_of(ew.escrow.address, vouchers) == 0
    assert assets.balance_of(ew.pools.address, vouchers) >= 30
    settled = ew.escrow.settle(
        accounts.outsider,
        order.order_id,
        order,
        ew.escrow.sign(HOSPITAL, order),
        order,
        ew.escrow.sign(accounts.charity, order),
    )
    assert settled.released
    assert assets.balance_of(HOSPITAL.address, vouchers) == 12
    assert assets.balance_of(ew.escrow.address, vouchers) == 0
    assert ew.pools.ledger_of(pool_id, vouchers) == Ledger(donated=30, balance=18, paid_out=12)


# ---------------------------------------------------------------- mismatches: nothing moves, evidence recorded


def _assert_mismatch_recorded(
    ew: EscrowWorld,
    order: PaymentOrder,
    settled_events: Any,
    payee_digest: bytes,
    charity_digest: bytes,
    count: int = 1,
) -> None:
    event = settled_events.event("OrderMismatchRecorded")
    commitment = ew.escrow.digest(order)[:COMMITMENT_BYTES]
    assert (
        event["orderId"],
        event["commitment"],
        event["payeeDigest"],
        event["charityDigest"],
        event["count"],
    ) == (
        order.order_id,
        commitment,
        payee_digest,
        charity_digest,
        count,
    )
    mismatch = ew.escrow.mismatch_of(order.order_id)
    assert (mismatch.payee_digest, mismatch.charity_digest, mismatch.count) == (
        payee_digest,
        charity_digest,
        count,
    )
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.ISSUED


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda order: replace(order, amount=order.amount + 1), id="tampered-amount"),
        pytest.param(
            lambda order: replace(order, purpose_digest=keccak(text="other goods")), id="tampered-purpose"
        ),
    ],
)
def test_a_tampered_payee_copy_is_recorded_and_nothing_moves(
    ew: EscrowWorld, accounts: Accounts, tamper: Callable[[PaymentOrder], PaymentOrder]
) -> None:
    pool_id, order = _issued(ew, accounts)
    tampered = tamper(order)
    before = _books(ew, pool_id)
    settled = ew.escrow.settle(
        accounts.outsider,
        order.order_id,
        tampered,
        ew.escrow.sign(accounts.supplier, tampered),
        order,
        ew.escrow.sign(accounts.charity, order),
    )
    assert not settled.released
    assert not settled.result.events_named("OrderReleased")
    _assert_mismatch_recorded(ew, order, settled.result, ew.escrow.digest(tampered), ew.escrow.digest(order))
    assert _books(ew, pool_id) == before


def test_a_copy_naming_another_payee_is_recorded_and_nothing_moves(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    redirected = replace(order, payee=RIVAL.address)
    before = _books(ew, pool_id)
    settled = ew.escrow.settle(
        accounts.outsider,
        order.order_id,
        redirected,
        ew.escrow.sign(RIVAL, redirected),
        order,
        ew.escrow.sign(accounts.charity, order),
    )
    assert not settled.released
    _assert_mismatch_recorded(
        ew, order, settled.result, ew.escrow.digest(redirected), ew.escrow.digest(order)
    )
    assert _books(ew, pool_id) == before


def test_a_payee_signing_a_different_order_is_recorded_and_nothing_moves(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    other = make_order(ew, pool_id, 10 * TOKEN)
    ew.escrow.issue(accounts.bank, other)
    before = _books(ew, pool_id)
    settled = ew.escrow.settle(
        accounts.outsider,
        order.order_id,
        other,
        ew.escrow.sign(accounts.supplier, other),
        order,
        ew.escrow.sign(accounts.charity, order),
    )
    assert not settled.released
    _assert_mismatch_recorded(ew, order, settled.result, ew.escrow.digest(other), ew.escrow.digest(order))
    assert ew.escrow.order_of(other.order_id).status == OrderStatus.ISSUED
    assert _books(ew, pool_id) == before
    # The one-by-one path records a differing copy the same way, and the count goes on.
    tampered = replace(order, amount=1)
    single = ew.escrow.submit_signature(
        accounts.charity,
        order.order_id,
        OrderParty.CHARITY,
        tampered,
        ew.escrow.sign(accounts.charity, tampered),
    )
    assert not single.released
    _assert_mismatch_recorded(ew, order, single.result, ZERO32, ew.escrow.digest(tampered), count=2)
    # The right copies still match afterwards.
    assert ew.escrow.settle(
        accounts.outsider, order.order_id, order, *_sigs_pair(ew, accounts, order)
    ).released


def _sigs_pair(ew: EscrowWorld, accounts: Accounts, order: PaymentOrder) -> tuple[bytes, PaymentOrder, bytes]:
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    return payee_sig, order, charity_sig


# ---------------------------------------------------------------- bad signatures: named errors, nothing moves


def test_a_missing_or_malformed_charity_signature_is_refused(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    before = _books(ew, pool_id)
    escrow = ew.escrow
    _reverts(
        lambda: escrow.settle(accounts.outsider, order.order_id, order, payee_sig, order, b""),
        "OrderSignatureMissing",
        order.order_id,
        OrderParty.CHARITY,
    )
    _reverts(
        lambda: escrow.settle(accounts.outsider, order.order_id, order, payee_sig, order, charity_sig[:64]),
        "OrderSignatureInvalid",
        order.order_id,
        OrderParty.CHARITY,
    )
    _reverts(
        lambda: escrow.submit_signature(accounts.outsider, order.order_id, OrderParty.CHARITY, order, b""),
        "OrderSignatureMissing",
        order.order_id,
        OrderParty.CHARITY,
    )
    assert _books(ew, pool_id) == before
    assert escrow.order_of(order.order_id).status == OrderStatus.ISSUED
    assert escrow.mismatch_of(order.order_id).count == 0


def test_a_signature_by_a_key_that_is_not_the_registered_party_is_refused(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    escrow = ew.escrow
    before = _books(ew, pool_id)
    # An outsider signs the genuine copy: it is not the payee the copy names.
    _reverts(
        lambda: escrow.settle(
            accounts.outsider,
            order.order_id,
            order,
            escrow.sign(accounts.outsider, order),
            order,
            charity_sig,
        ),
        "OrderSignerNotParty",
        order.order_id,
        accounts.outsider.address,
        accounts.supplier.address,
    )
    # The payee signs in the charity's place.
    _reverts(
        lambda: escrow.settle(accounts.outsider, order.order_id, order, payee_sig, order, payee_sig),
        "OrderSignerNotParty",
        order.order_id,
        accounts.supplier.address,
        accounts.charity.address,
    )
    # An outsider names itself as payee and signs: consistent, but not a registered institution.
    own = replace(order, payee=accounts.outsider.address)
    _reverts(
        lambda: escrow.settle(
            accounts.outsider, order.order_id, own, escrow.sign(accounts.outsider, own), order, charity_sig
        ),
        "OrderPartyNotActive",
        accounts.outsider.address,
    )
    assert _books(ew, pool_id) == before
    assert escrow.mismatch_of(order.order_id).count == 0


def test_a_suspended_payee_is_not_paid(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    ew.world.registry.suspend(accounts.regulator, accounts.supplier.address, short_code("FRAUD_INQUIRY"))
    before = _books(ew, pool_id)
    _reverts(
        lambda: ew.escrow.settle(accounts.outsider, order.order_id, order, *_sigs_pair(ew, accounts, order)),
        "OrderPartyNotActive",
        accounts.supplier.address,
    )
    assert _books(ew, pool_id) == before


def test_a_payee_suspended_after_signing_is_not_paid_when_the_charity_signs(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    escrow = ew.escrow
    escrow.submit_signature(accounts.supplier, order.order_id, OrderParty.PAYEE, order, payee_sig)
    ew.world.registry.suspend(accounts.regulator, accounts.supplier.address, short_code("FRAUD_INQUIRY"))
    before = _books(ew, pool_id)
    _reverts(
        lambda: escrow.submit_signature(
            accounts.charity, order.order_id, OrderParty.CHARITY, order, charity_sig
        ),
        "PoolPayeeNotActive",
        pool_id,
        accounts.supplier.address,
    )
    assert _books(ew, pool_id) == before
    record = escrow.order_of(order.order_id)
    assert (record.status, record.payee_signed, record.charity_signed) == (OrderStatus.ISSUED, True, False)


def test_the_regulator_cannot_release_a_disputed_order_to_a_suspended_payee(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    ew.escrow.freeze(accounts.regulator, order.order_id, REASON)
    ew.world.registry.suspend(accounts.regulator, accounts.supplier.address, short_code("FRAUD_INQUIRY"))
    before = _books(ew, pool_id)
    _reverts(
        lambda: ew.escrow.resolve_dispute(accounts.regulator, order, True, DECISION),
        "PoolPayeeNotActive",
        pool_id,
        accounts.supplier.address,
    )
    assert _books(ew, pool_id) == before
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.DISPUTED
    # Refunding the pool is still possible.
    ew.escrow.resolve_dispute(accounts.regulator, order, False, DECISION)
    assert ew.pools.ledger_of(pool_id).balance == 100 * TOKEN


# ---------------------------------------------------------------- replays


def test_a_released_order_cannot_be_replayed(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    sigs = _sigs_pair(ew, accounts, order)
    assert ew.escrow.settle(accounts.outsider, order.order_id, order, *sigs).released
    before = _books(ew, pool_id)
    _reverts(
        lambda: ew.escrow.settle(accounts.outsider, order.order_id, order, *sigs),
        "OrderClosed",
        order.order_id,
        OrderStatus.RELEASED,
    )
    _reverts(lambda: ew.escrow.issue(accounts.bank, order), "OrderAlreadyIssued", order.order_id)
    _reverts(
        lambda: ew.escrow.submit_signature(
            accounts.outsider, order.order_id, OrderParty.PAYEE, order, sigs[0]
        ),
        "OrderClosed",
        order.order_id,
        OrderStatus.RELEASED,
    )
    assert _books(ew, pool_id) == before


def test_signatures_for_another_order_chain_or_contract_do_not_count(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    escrow = ew.escrow
    charity_sig = escrow.sign(accounts.charity, order)
    before = _books(ew, pool_id)
    elsewhere = [
        sign_order(accounts.supplier, order, CHAIN_ID + 1, escrow.address),  # another chain
        sign_order(accounts.supplier, order, ew.client.chain_id, ew.pools.address),  # another contract
        escrow.sign(
            accounts.supplier, replace(order, order_id=keccak(text="another order"))
        ),  # another order
    ]
    for signature in elsewhere:
        with pytest.raises(ContractReverted) as raised:
            escrow.settle(accounts.outsider, order.order_id, order, signature, order, charity_sig)
        assert raised.value.error_name == "OrderSignerNotParty"
        assert raised.value.args[0] == order.order_id
        assert raised.value.args[2] == accounts.supplier.address
    # A copy that is really another order's, signed by the payee, is a mismatch (recorded, nothing moves).
    other = replace(order, order_id=escrow.order_id_for(accounts.bank.address, order.nonce + 10**9))
    settled = escrow.settle(
        accounts.outsider, order.order_id, other, escrow.sign(accounts.supplier, other), order, charity_sig
    )
    assert not settled.released
    assert _books(ew, pool_id) == before


def test_an_order_id_must_be_derived_from_the_issuing_bank_and_nonce(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew)
    order = make_order(ew, pool_id, TOKEN)  # carries the id of the bank's nonce, sent by another bank
    _reverts(
        lambda: ew.escrow.issue(accounts.bank2, order),
        "OrderIssuerMismatch",
        accounts.bank.address,
        accounts.bank2.address,
    )
    # Naming bank2 as the issuer does not help: the id is still the bank's.
    _reverts(
        lambda: ew.escrow.issue(accounts.bank2, replace(order, bank=accounts.bank2.address)),
        "OrderIdInvalid",
        order.order_id,
        ew.escrow.order_id_for(accounts.bank2.address, order.nonce),
    )
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.NONE
    assert ew.pools.ledger_of(pool_id).escrowed == 0


# ---------------------------------------------------------------- deadlines and expiry


def test_after_the_deadline_nothing_matches_and_anyone_expires_the_order(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts, ttl=3)
    sigs = _sigs_pair(ew, accounts, order)
    _reverts(
        lambda: ew.escrow.expire(accounts.outsider, order), "OrderNotExpired", order.order_id, order.deadline
    )
    advance_past(ew.client, order.deadline, accounts.outsider)
    before = _books(ew, pool_id)
    _reverts(
        lambda: ew.escrow.settle(accounts.outsider, order.order_id, order, *sigs),
        "OrderDeadlinePassed",
        order.order_id,
        order.deadline,
    )
    assert _books(ew, pool_id) == before
    forged = replace(order, amount=order.amount + 1)
    _reverts(
        lambda: ew.escrow.expire(accounts.outsider, forged),
        "OrderDigestMismatch",
        order.order_id,
        ew.escrow.digest(order)[:COMMITMENT_BYTES],
        ew.escrow.digest(forged),
    )
    expired = ew.escrow.expire(accounts.outsider, order)
    event = expired.event("OrderExpired")
    assert (event["orderId"], event["poolId"], event["amount"], event["by"]) == (
        order.order_id,
        pool_id,
        40 * TOKEN,
        accounts.outsider.address,
    )
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    assert ew.token.balance_of(ew.escrow.address) == 0
    _reverts(
        lambda: ew.escrow.expire(accounts.outsider, order), "OrderClosed", order.order_id, OrderStatus.EXPIRED
    )


# ---------------------------------------------------------------- cancellation


@pytest.mark.parametrize("canceller", ["bank", "charity"])
def test_the_issuing_bank_or_the_charity_cancels_an_unsigned_order(
    ew: EscrowWorld, accounts: Accounts, canceller: str
) -> None:
    pool_id, order = _issued(ew, accounts)
    by = getattr(accounts, canceller)
    result = ew.escrow.cancel(by, order)
    event = result.event("OrderCancelled")
    assert (event["orderId"], event["poolId"], event["asset"], event["amount"], event["by"]) == (
        order.order_id,
        pool_id,
        MONEY,
        40 * TOKEN,
        by.address,
    )
    returned = result.event("OrderFundsReturned")
    assert (returned["poolId"], returned["orderId"], returned["amount"]) == (
        pool_id,
        order.order_id,
        40 * TOKEN,
    )
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    assert ew.token.balance_of(ew.escrow.address) == 0
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.CANCELLED
    assert OrderStatus.CANCELLED.is_final
    before = _books(ew, pool_id)
    closed = ("OrderClosed", order.order_id, OrderStatus.CANCELLED)
    _reverts(lambda: ew.escrow.cancel(by, order), *closed)
    _reverts(
        lambda: ew.escrow.settle(accounts.outsider, order.order_id, order, *_sigs_pair(ew, accounts, order)),
        *closed,
    )
    _reverts(lambda: ew.escrow.freeze(accounts.regulator, order.order_id, REASON), *closed)
    assert _books(ew, pool_id) == before


def test_only_the_issuing_bank_or_the_charity_cancels(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    before = _books(ew, pool_id)
    for stranger in (accounts.bank2, accounts.supplier, accounts.regulator, accounts.outsider):
        _reverts(
            partial(ew.escrow.cancel, stranger, order),
            "OrderNotIssuerOrCharity",
            order.order_id,
            stranger.address,
        )
    ew.world.foundation.consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank.address)
    try:
        _reverts(
            lambda: ew.escrow.cancel(accounts.bank, order),
            "OrderNotIssuerOrCharity",
            order.order_id,
            accounts.bank.address,
        )
    finally:
        ew.world.foundation.consortium.grant_role(accounts.admin, BANK_ROLE, accounts.bank.address)
    forged = replace(order, charity=accounts.outsider.address)
    _reverts(
        lambda: ew.escrow.cancel(accounts.outsider, forged),
        "OrderDigestMismatch",
        order.order_id,
        ew.escrow.digest(order)[:COMMITMENT_BYTES],
        ew.escrow.digest(forged),
    )
    unknown = make_order(ew, pool_id, 1)
    _reverts(lambda: ew.escrow.cancel(accounts.bank, unknown), "OrderUnknown", unknown.order_id)
    assert _books(ew, pool_id) == before
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.ISSUED


@pytest.mark.parametrize("party", [OrderParty.PAYEE, OrderParty.CHARITY])
def test_a_signed_order_cannot_be_cancelled(ew: EscrowWorld, accounts: Accounts, party: OrderParty) -> None:
    pool_id, order = _issued(ew, accounts)
    signer = accounts.supplier if party == OrderParty.PAYEE else accounts.charity
    ew.escrow.submit_signature(signer, order.order_id, party, order, ew.escrow.sign(signer, order))
    before = _books(ew, pool_id)
    for by in (accounts.bank, accounts.charity):
        _reverts(partial(ew.escrow.cancel, by, order), "OrderAlreadySigned", order.order_id, party)
    assert _books(ew, pool_id) == before
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.ISSUED


def test_a_frozen_order_cannot_be_cancelled(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    ew.escrow.freeze(accounts.regulator, order.order_id, REASON)
    before = _books(ew, pool_id)
    for by in (accounts.bank, accounts.charity):
        _reverts(partial(ew.escrow.cancel, by, order), "OrderFrozenUnderDispute", order.order_id)
    assert _books(ew, pool_id) == before
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.DISPUTED


# ---------------------------------------------------------------- disputes


def test_a_frozen_order_cannot_be_released_or_expired(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts, ttl=3)
    frozen = ew.escrow.freeze(accounts.regulator, order.order_id, REASON).event("OrderFrozen")
    assert (frozen["orderId"], frozen["regulator"], frozen["reasonDigest"]) == (
        order.order_id,
        accounts.regulator.address,
        REASON,
    )
    before = _books(ew, pool_id)
    _reverts(
        lambda: ew.escrow.settle(accounts.outsider, order.order_id, order, *_sigs_pair(ew, accounts, order)),
        "OrderFrozenUnderDispute",
        order.order_id,
    )
    advance_past(ew.client, order.deadline, accounts.outsider)
    _reverts(lambda: ew.escrow.expire(accounts.outsider, order), "OrderFrozenUnderDispute", order.order_id)
    assert _books(ew, pool_id) == before
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.DISPUTED


def test_only_the_regulator_freezes_and_decides(ew: EscrowWorld, accounts: Accounts) -> None:
    _, order = _issued(ew, accounts)
    _reverts(
        lambda: ew.escrow.freeze(accounts.charity, order.order_id, REASON),
        "OrderUnauthorized",
        accounts.charity.address,
        REGULATOR_ROLE,
    )
    _reverts(
        lambda: ew.escrow.resolve_dispute(accounts.regulator, order, True, DECISION),
        "OrderNotDisputed",
        order.order_id,
        OrderStatus.ISSUED,
    )
    ew.escrow.freeze(accounts.regulator, order.order_id, REASON)
    _reverts(
        lambda: ew.escrow.resolve_dispute(accounts.bank, order, True, DECISION),
        "OrderUnauthorized",
        accounts.bank.address,
        REGULATOR_ROLE,
    )
    _reverts(
        lambda: ew.escrow.freeze(accounts.regulator, order.order_id, REASON),
        "OrderFrozenUnderDispute",
        order.order_id,
    )
    unknown = keccak(text="no such order")
    _reverts(lambda: ew.escrow.freeze(accounts.regulator, unknown, REASON), "OrderUnknown", unknown)


def test_the_regulator_can_release_a_disputed_order(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    ew.escrow.freeze(accounts.regulator, order.order_id, REASON)
    supplier_before = ew.token.balance_of(accounts.supplier.address)
    released = ew.escrow.resolve_dispute(accounts.regulator, order, True, DECISION).event("OrderReleased")
    assert (released["by"], released["decisionDigest"], released["amount"]) == (
        accounts.regulator.address,
        DECISION,
        40 * TOKEN,
    )
    assert ew.token.balance_of(accounts.supplier.address) == supplier_before + 40 * TOKEN
    assert ew.pools.ledger_of(pool_id).paid_out == 40 * TOKEN


def test_a_refund_decision_is_final(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    ew.escrow.freeze(accounts.regulator, order.order_id, REASON)
    refunded = ew.escrow.resolve_dispute(accounts.regulator, order, False, DECISION).event("OrderRefunded")
    assert (
        refunded["orderId"],
        refunded["poolId"],
        refunded["amount"],
        refunded["regulator"],
        refunded["decisionDigest"],
    ) == (
        order.order_id,
        pool_id,
        40 * TOKEN,
        accounts.regulator.address,
        DECISION,
    )
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    before = _books(ew, pool_id)
    closed = ("OrderClosed", order.order_id, OrderStatus.REFUNDED)
    _reverts(lambda: ew.escrow.resolve_dispute(accounts.regulator, order, True, DECISION), *closed)
    _reverts(lambda: ew.escrow.freeze(accounts.regulator, order.order_id, REASON), *closed)
    _reverts(
        lambda: ew.escrow.settle(accounts.outsider, order.order_id, order, *_sigs_pair(ew, accounts, order)),
        *closed,
    )
    _reverts(lambda: ew.escrow.expire(accounts.outsider, order), *closed)
    assert _books(ew, pool_id) == before


# ---------------------------------------------------------------- issuance checks


def test_an_order_exceeding_the_pool_balance_is_refused(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id = funded_pool(ew, 100 * TOKEN)
    order = make_order(ew, pool_id, 101 * TOKEN)
    before = _books(ew, pool_id)
    _reverts(
        lambda: ew.escrow.issue(accounts.bank, order),
        "PoolInsufficientBalance",
        pool_id,
        MONEY,
        100 * TOKEN,
        101 * TOKEN,
    )
    assert _books(ew, pool_id) == before
    assert ew.escrow.order_of(order.order_id).status == OrderStatus.NONE


def test_issue_checks_the_bank_the_parties_and_the_terms(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id = funded_pool(ew)
    escrow = ew.escrow
    _reverts(
        lambda: escrow.issue(accounts.charity, make_order(ew, pool_id, TOKEN, bank=accounts.charity)),
        "OrderUnauthorized",
        accounts.charity.address,
        BANK_ROLE,
    )
    _reverts(lambda: escrow.issue(accounts.bank, make_order(ew, pool_id, 0)), "OrderAmountZero")
    stale = replace(make_order(ew, pool_id, TOKEN), deadline=1)
    _reverts(lambda: escrow.issue(accounts.bank, stale), "OrderDeadlineInPast", 1)
    _reverts(
        lambda: escrow.issue(accounts.bank, make_order(ew, pool_id, TOKEN, payee=accounts.charity)),
        "OrderPayeeKindNotAllowed",
        accounts.charity.address,
        InstitutionKind.CHARITY,
    )
    _reverts(
        lambda: escrow.issue(accounts.bank, make_order(ew, pool_id, TOKEN, payee=accounts.outsider)),
        "OrderPayeeKindNotAllowed",
        accounts.outsider.address,
        InstitutionKind.NONE,
    )
    wrong_charity = replace(make_order(ew, pool_id, TOKEN), charity=RIVAL.address)
    _reverts(
        lambda: escrow.issue(accounts.bank, wrong_charity),
        "OrderCharityNotPoolCharity",
        pool_id,
        RIVAL.address,
        accounts.charity.address,
    )
    ew.world.registry.suspend(accounts.regulator, RIVAL.address, short_code("INQUIRY"))
    _reverts(
        lambda: escrow.issue(accounts.bank, make_order(ew, pool_id, TOKEN, payee=RIVAL)),
        "OrderPartyNotActive",
        RIVAL.address,
    )
    unknown = keccak(text="never issued")
    _reverts(
        lambda: escrow.settle(accounts.outsider, unknown, *_unknown_sigs(ew, accounts, pool_id, unknown)),
        "OrderUnknown",
        unknown,
    )
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)


def _unknown_sigs(
    ew: EscrowWorld, accounts: Accounts, pool_id: int, order_id: bytes
) -> tuple[PaymentOrder, bytes, PaymentOrder, bytes]:
    order = replace(make_order(ew, pool_id, TOKEN), order_id=order_id)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    return order, payee_sig, order, charity_sig


def test_the_escrow_holds_no_value_and_accepts_no_welfare_assets(ew: EscrowWorld, accounts: Accounts) -> None:
    assets = ew.world.welfare.assets
    assets.issue(accounts.bank, ew.world.vouchers, accounts.bob.address, 5, keccak(text="stray"))
    _reverts(
        lambda: assets.safe_transfer_from(
            accounts.bob, accounts.bob.address, ew.escrow.address, ew.world.vouchers, 5
        ),
        "ERC1155InvalidReceiver",
        ew.escrow.address,
    )
    assert not ew.world.foundation.consortium.is_allowed(ew.escrow.address)


def test_the_escrow_knows_its_contracts(ew: EscrowWorld, session_foundation: Foundation) -> None:
    assert ew.escrow.pools() == ew.pools.address
    assert ew.escrow.registry() == ew.world.registry.address
    assert ew.escrow.tracker() == ew.world.welfare.tracker.address
    assert ew.escrow.consortium() == session_foundation.consortium.address
    assert ew.pools.escrow() == ew.escrow.address


def test_only_the_payee_of_an_open_order_opens_its_purchase_lot(ew: EscrowWorld, accounts: Accounts) -> None:
    pool_id, order = _issued(ew, accounts)
    rice = keccak(text="goods:rice-25kg")
    _reverts(
        lambda: ew.escrow.open_purchase_lot(accounts.charity, order, rice, 200),
        "OrderNotPayee",
        order.order_id,
        accounts.charity.address,
    )
    forged = replace(order, amount=1)
    _reverts(
        lambda: ew.escrow.open_purchase_lot(accounts.supplier, forged, rice, 200),
        "OrderDigestMismatch",
        order.order_id,
        ew.escrow.digest(order)[:COMMITMENT_BYTES],
        ew.escrow.digest(forged),
    )
    lot_id, _ = ew.escrow.open_purchase_lot(accounts.supplier, order, rice, 200)
    lot = ew.world.welfare.tracker.lot_of(lot_id)
    assert (lot.pool_id, lot.source_ref, lot.holder, lot.quantity) == (
        pool_id,
        order.order_id,
        accounts.supplier.address,
        200,
    )
    ew.escrow.freeze(accounts.regulator, order.order_id, REASON)
    _reverts(
        lambda: ew.escrow.open_purchase_lot(accounts.supplier, order, rice, 200),
        "OrderFrozenUnderDispute",
        order.order_id,
    )


# ---------------------------------------------------------------- standing at the moment value moves


def test_a_suspended_charitys_signed_order_does_not_pay_until_it_is_reinstated(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    escrow = ew.escrow
    escrow.submit_signature(accounts.charity, order.order_id, OrderParty.CHARITY, order, charity_sig)
    ew.world.registry.suspend(accounts.regulator, accounts.charity.address, short_code("FRAUD_INQUIRY"))
    before = _books(ew, pool_id)
    _reverts(
        lambda: escrow.submit_signature(
            accounts.supplier, order.order_id, OrderParty.PAYEE, order, payee_sig
        ),
        "PoolCharityNotActive",
        pool_id,
        accounts.charity.address,
    )
    assert _books(ew, pool_id) == before
    record = escrow.order_of(order.order_id)
    assert (record.status, record.payee_signed, record.charity_signed) == (OrderStatus.ISSUED, False, True)
    # Nor does the regulator's release pay it; its refund to the pool is always possible.
    escrow.freeze(accounts.regulator, order.order_id, REASON)
    _reverts(
        lambda: escrow.resolve_dispute(accounts.regulator, order, True, DECISION),
        "PoolCharityNotActive",
        pool_id,
        accounts.charity.address,
    )
    assert _books(ew, pool_id) == before
    escrow.resolve_dispute(accounts.regulator, order, False, DECISION)
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)


def test_a_reinstated_charitys_order_pays_on_the_payees_signature(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id, order = _issued(ew, accounts)
    payee_sig, charity_sig = _sigs(ew, accounts, order)
    escrow = ew.escrow
    escrow.submit_signature(accounts.charity, order.order_id, OrderParty.CHARITY, order, charity_sig)
    ew.world.registry.suspend(accounts.regulator, accounts.charity.address, short_code("FRAUD_INQUIRY"))
    ew.world.registry.reinstate(accounts.regulator, accounts.charity.address)
    assert escrow.submit_signature(
        accounts.supplier, order.order_id, OrderParty.PAYEE, order, payee_sig
    ).released
    assert ew.pools.ledger_of(pool_id).paid_out == order.amount


def test_an_order_of_a_bank_that_lost_its_role_pays_nobody_and_another_bank_may_cancel_it(
    ew: EscrowWorld, accounts: Accounts, foundation: Foundation
) -> None:
    """The policy: the order stays valid and its value stays set aside, but nothing pays out while its issuing bank is
    not a bank; another bank or the consortium may cancel it before anyone signed, the regulator may refund it, and it
    expires by its (capped) deadline."""
    pool_id = funded_pool(ew, 100 * TOKEN)
    order = make_order(ew, pool_id, 40 * TOKEN, bank=accounts.bank2)
    ew.escrow.issue(accounts.bank2, order)
    foundation.consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank2.address)
    before = _books(ew, pool_id)
    escrow = ew.escrow
    _reverts(
        lambda: escrow.settle(accounts.outsider, order.order_id, order, *_sigs_pair(ew, accounts, order)),
        "PoolBankNotActive",
        pool_id,
        accounts.bank2.address,
    )
    _reverts(
        lambda: escrow.cancel(accounts.bank2, order),
        "OrderNotIssuerOrCharity",
        order.order_id,
        accounts.bank2.address,
    )
    _reverts(
        lambda: escrow.cancel(accounts.outsider, order),
        "OrderNotIssuerOrCharity",
        order.order_id,
        accounts.outsider.address,
    )
    assert _books(ew, pool_id) == before
    assert escrow.order_of(order.order_id).status == OrderStatus.ISSUED
    cancelled = escrow.cancel(accounts.bank, order).event("OrderCancelled")
    assert cancelled["by"] == accounts.bank.address
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)


def test_the_consortium_may_cancel_an_orphaned_order_and_the_regulator_refund_one(
    ew: EscrowWorld, accounts: Accounts, foundation: Foundation
) -> None:
    pool_id = funded_pool(ew, 100 * TOKEN)
    first = make_order(ew, pool_id, 30 * TOKEN, bank=accounts.bank2)
    second = make_order(ew, pool_id, 30 * TOKEN, bank=accounts.bank2)
    for order in (first, second):
        ew.escrow.issue(accounts.bank2, order)
    foundation.consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank2.address)
    assert ew.escrow.cancel(accounts.admin, first).event("OrderCancelled")["by"] == accounts.admin.address
    ew.escrow.freeze(accounts.regulator, second.order_id, REASON)
    _reverts(
        lambda: ew.escrow.resolve_dispute(accounts.regulator, second, True, DECISION),
        "PoolBankNotActive",
        pool_id,
        accounts.bank2.address,
    )
    ew.escrow.resolve_dispute(accounts.regulator, second, False, DECISION)
    assert ew.pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)


def test_an_order_of_a_readmitted_bank_pays_again(
    ew: EscrowWorld, accounts: Accounts, foundation: Foundation
) -> None:
    pool_id = funded_pool(ew, 100 * TOKEN)
    order = make_order(ew, pool_id, 40 * TOKEN, bank=accounts.bank2)
    ew.escrow.issue(accounts.bank2, order)
    foundation.consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank2.address)
    foundation.consortium.grant_role(accounts.admin, BANK_ROLE, accounts.bank2.address)
    assert ew.escrow.settle(
        accounts.outsider, order.order_id, order, *_sigs_pair(ew, accounts, order)
    ).released


# ---------------------------------------------------------------- bounded orders


def test_an_order_runs_at_most_the_order_window_past_its_plans_deadline(
    ew: EscrowWorld, accounts: Accounts
) -> None:
    pool_id = funded_pool(ew, 100 * TOKEN)
    window = ew.pools.order_window()
    assert window == 90 * 86_400
    latest = ew.pools.plan_of(pool_id).deadline + window
    now = chain_time(ew.client)
    too_late = make_order(ew, pool_id, 10 * TOKEN, ttl=latest + 1 - now)
    _reverts(
        lambda: ew.escrow.issue(accounts.bank, too_late),
        "PoolOrderDeadlineTooLate",
        pool_id,
        latest + 1,
        latest,
    )
    assert ew.escrow.order_of(too_late.order_id).status == OrderStatus.NONE
    assert ew.pools.ledger_of(pool_id).escrowed == 0
    at_the_limit = make_order(ew, pool_id, 10 * TOKEN, ttl=latest - now)
    ew.escrow.issue(accounts.bank, at_the_limit)
    assert ew.pools.ledger_of(pool_id).escrowed == 10 * TOKEN
