"""chain_client/eip712.py: one EIP-712 implementation for every payload, equal to eth-account's, with wide
integers as decimal strings in the JSON, and every malformed or out-of-range field of a received payload
refused with the typed rejection."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from chain_client import eip712
from chain_client.contracts.deposit_token import PERMIT
from chain_client.contracts.payment_order_escrow import (
    PAYMENT_ORDER,
    PaymentOrder,
    order_digest,
    order_from_typed_data,
    recover_order_signer,
    sign_order,
    typed_data,
)
from chain_client.deploy import Foundation
from oracle.attestation import REGISTRY_ATTESTATION
from tests.conftest import ACCOUNTS

ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN_ID = 1337


def _order(**changes: Any) -> PaymentOrder:
    fields: dict[str, Any] = {
        "order_id": b"\x11" * 32,
        "pool_id": 7,
        "charity": ACCOUNTS.charity.address,
        "payee": ACCOUNTS.supplier.address,
        "asset": 0,
        "amount": 2**200 + 12345,  # far above 2^53
        "purpose_digest": b"\x22" * 32,
        "deadline": 2**64 - 1,
        "nonce": 2**127 + 3,
        "bank": ACCOUNTS.bank.address,
    }
    fields.update(changes)
    return PaymentOrder(**fields)


def test_wide_integers_are_decimal_strings_and_the_digest_is_eth_accounts() -> None:
    order = _order()
    payload = typed_data(order, CHAIN_ID, ESCROW)
    message = payload["message"]
    assert message["amount"] == str(2**200 + 12345)
    assert message["deadline"] == str(2**64 - 1)
    assert message["nonce"] == str(2**127 + 3)
    assert message["poolId"] == "7"
    assert payload["domain"]["chainId"] == CHAIN_ID  # a number: wallets compare it with their chain
    text = json.dumps(payload)
    numbers = [value for value in _leaves(json.loads(text)) if isinstance(value, int | float)]
    assert numbers == [CHAIN_ID]  # no other JSON number anywhere
    signable = encode_typed_data(full_message=json.loads(text))
    assert order_digest(order, CHAIN_ID, ESCROW) == bytes(
        __import__("eth_utils").keccak(b"\x19" + signable.version + signable.header + signable.body)
    )
    wallet = Account.sign_typed_data(ACCOUNTS.supplier.key, full_message=json.loads(text)).signature
    assert bytes(wallet) == sign_order(ACCOUNTS.supplier, order, CHAIN_ID, ESCROW)
    assert recover_order_signer(order, bytes(wallet), CHAIN_ID, ESCROW) == ACCOUNTS.supplier.address
    assert order_from_typed_data(json.loads(text)) == (
        eip712.Domain("PaymentOrderEscrow", "1", CHAIN_ID, ESCROW),
        order,
    )


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def test_every_struct_the_product_signs_is_defined_once() -> None:
    assert PAYMENT_ORDER.encoded == (
        "PaymentOrder(bytes32 orderId,uint256 poolId,address charity,address payee,uint256 asset,"
        "uint256 amount,bytes32 purposeDigest,uint64 deadline,uint256 nonce,address bank)"
    )
    assert REGISTRY_ATTESTATION.encoded == (
        "RegistryAttestation(bytes32 creditCodeHash,bytes32 recordDigest,uint64 observedAt,uint64 expiresAt)"
    )
    assert (
        PERMIT.encoded == "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pool_id", -1),
        ("amount", 2**256),
        ("deadline", 2**64),
        ("nonce", 2**256),
        ("order_id", b"\x11" * 31),
        ("purpose_digest", b""),
        ("charity", "0x" + "ab" * 20),  # not checksummed
        ("payee", "not an address"),
    ],
)
def test_an_order_that_does_not_fit_its_types_cannot_be_built(field: str, value: Any) -> None:
    with pytest.raises(eip712.TypedDataInvalid):
        _order(**{field: value})


_VALID_MESSAGE = _order().message()
_MALFORMED: dict[str, list[Any]] = {
    "orderId": ["0x11", "0x" + "11" * 33, "11" * 32, 5, None, "0x" + "zz" * 32],
    "poolId": [-1, str(2**256), "1e3", 1.5, True, "0x", "-5", " 5", None, [1]],
    "charity": ["0x" + "ab" * 19, "0xAbCdef0123456789aBcDeF0123456789AbCdEf01", 12, None],
    "payee": ["0x" + "cd" * 21, "", None],
    "asset": [2**256, "18446744073709551616" * 5, {}, None],
    "amount": [2**256, str(2**256), -1, "0x" + "f" * 65, None],
    "purposeDigest": ["0x", "0x" + "00" * 31, None, 0],
    "deadline": [2**64, str(2**64), "0x10000000000000000", -1, None, 1e20],
    "nonce": [2**256, "1" * 80, None, False],
}


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(_MALFORMED)).flatmap(
        lambda name: st.tuples(st.just(name), st.sampled_from(_MALFORMED[name]))
    )
)
def test_a_received_message_with_a_malformed_field_is_refused_by_type(case: tuple[str, Any]) -> None:
    name, value = case
    message = {**_VALID_MESSAGE, name: value}
    with pytest.raises(eip712.TypedDataInvalid) as raised:
        PaymentOrder.from_message(message)
    assert raised.value.field == f"message.{name}"


@settings(max_examples=200, deadline=None)
@given(
    pool_id=st.integers(0, 2**256 - 1),
    amount=st.integers(0, 2**256 - 1),
    deadline=st.integers(0, 2**64 - 1),
    nonce=st.integers(0, 2**256 - 1),
    as_hex=st.booleans(),
)
def test_any_in_range_order_survives_its_json_exactly(
    pool_id: int, amount: int, deadline: int, nonce: int, as_hex: bool
) -> None:
    order = _order(pool_id=pool_id, amount=amount, deadline=deadline, nonce=nonce)
    message = json.loads(json.dumps(order.message()))
    if as_hex:  # wallets and libraries may also write integers as 0x-hex
        message = {**message, "amount": hex(amount), "deadline": hex(deadline)}
    assert PaymentOrder.from_message(message) == order


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.update(primaryType="Permit"), "primaryType"),
        (lambda p: p["types"]["PaymentOrder"].pop(), "types"),
        (lambda p: p["types"]["PaymentOrder"][7].update(type="uint256"), "types"),
        (lambda p: p["domain"].update(chainId=0), "domain.chainId"),
        (lambda p: p["domain"].update(chainId="1337x"), "domain.chainId"),
        (lambda p: p["domain"].update(verifyingContract="0x1234"), "domain.verifyingContract"),
        (lambda p: p["domain"].update(name="SomethingElse"), "domain"),
        (lambda p: p["message"].update(extra=1), "message"),
        (lambda p: p.update(message=[]), "message"),
    ],
)
def test_typed_data_that_is_not_exactly_a_payment_order_is_refused(mutate: Any, field: str) -> None:
    payload = json.loads(json.dumps(typed_data(_order(), CHAIN_ID, ESCROW)))
    mutate(payload)
    with pytest.raises(eip712.TypedDataInvalid) as raised:
        order_from_typed_data(payload)
    assert raised.value.field == field


@pytest.mark.parametrize(
    "signature",
    [
        b"",
        b"\x01" * 64,
        b"\x01" * 66,
        b"\x01" * 64 + bytes([29]),  # v
        b"\x00" * 64 + bytes([27]),  # r = s = 0
        (1).to_bytes(32, "big") + (eip712.SECP256K1_N - 1).to_bytes(32, "big") + bytes([27]),  # high s
    ],
)
def test_a_malformed_signature_is_refused_by_type(signature: bytes) -> None:
    with pytest.raises(eip712.SignatureInvalid):
        recover_order_signer(_order(), signature, CHAIN_ID, ESCROW)


def test_a_permit_is_handed_out_as_wallet_safe_typed_data(foundation: Foundation) -> None:
    token = foundation.deposit_token
    payload = token.permit_typed_data(ACCOUNTS.alice.address, ACCOUNTS.bob.address, 2**200, 2**63)
    assert payload["message"]["value"] == str(2**200)
    assert payload["message"]["deadline"] == str(2**63)
    assert payload["domain"]["name"] == token.name()
    types = {name: fields for name, fields in payload["types"].items() if name != "EIP712Domain"}
    wallet = Account.sign_typed_data(ACCOUNTS.alice.key, payload["domain"], types, payload["message"])
    v, r, s = token.sign_permit(ACCOUNTS.alice, ACCOUNTS.bob.address, 2**200, 2**63)
    assert (wallet.v, wallet.r.to_bytes(32, "big"), wallet.s.to_bytes(32, "big")) == (v, r, s)
