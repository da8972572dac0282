"""``api/routes/orders.py``: a bank issues, each party reads and signs only its own copy, the matcher settles."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from api.orders import open_sealed
from api.schemas.orders import OrderMessage
from chain_client.contracts import OrderStatus
from tests.api.routes.conftest import CAST, TOKEN, Api, Unchanged, fund, open_plan
from tests.registry_support import advance_past

pytestmark = pytest.mark.api

DOCUMENT = "200 bags of rice, 25 kg each, to the Xinxiang shelter"


def funded_plan(api: Api, amount: int = 100 * TOKEN) -> int:
    pool_id = open_plan(api.world)
    fund(api.world, CAST.alice, amount)
    api.world.ledger.welfare.pools.donate_with_permit(CAST.alice, pool_id, amount)
    return pool_id


def issue(api: Api, pool_id: int, amount: str = "40", **changes: object) -> dict[str, Any]:
    body: dict[str, object] = {"pool_id": pool_id, "payee": CAST.supplier.address, "amount": amount}
    body.update({"document": DOCUMENT, **changes})
    answer = api.http.post("/orders", json=body, headers=api.auth("bank"))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def wallet_session(api: Api, who: object) -> dict[str, str]:
    """An EIP-4361 session of ``who`` (the platform holds no key for it)."""
    address = who.address  # type: ignore[attr-defined]
    message = api.http.post("/auth/challenge", json={"address": address}).json()["message"]
    signature = Account.sign_message(encode_defunct(text=message), who.key)  # type: ignore[attr-defined]
    answer = api.http.post(
        "/auth/eip4361", json={"message": message, "signature": "0x" + bytes(signature.signature).hex()}
    )
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_an_order_is_issued_signed_by_both_parties_and_released_by_the_matcher(api: Api) -> None:
    world = api.world
    pool_id = funded_plan(api)
    issued = issue(api, pool_id)
    order_id = str(issued["order"]["order_id"])
    assert (issued["amount"]["value"], issued["amount"]["decimals"], issued["amount"]["unit"]) == (
        "40",
        18,
        "dCNY",
    )
    assert world.ledger.welfare.pools.ledger_of(pool_id).escrowed == 40 * TOKEN

    # The charity, with a password session: the platform opens, checks and signs its copy.
    inbox = api.http.get("/orders/inbox", headers=api.auth("charity")).json()
    assert [d["order_id"] for d in inbox["deliveries"]] == [order_id]
    copy = api.http.get(f"/orders/{order_id}/copy", headers=api.auth("charity")).json()
    assert (copy["party"], copy["acceptable"], copy["document"]) == ("charity", True, DOCUMENT)
    assert copy["typed_data"]["primaryType"] == "PaymentOrder"
    signed = api.http.post(f"/orders/{order_id}/sign", headers=api.auth("charity"))
    assert signed.status_code == 200, signed.text
    assert (signed.json()["party"], signed.json()["queued"]) == ("charity", False)

    # The supplier, with its own wallet: it decrypts the sealed copy and signs it itself.
    supplier = wallet_session(api, CAST.supplier)
    sealed = api.http.get(f"/orders/{order_id}/sealed", headers=supplier).json()
    envelope = open_sealed(bytes(CAST.supplier.key), bytes.fromhex(sealed["ciphertext"][2:]))
    signature = world.ledger.escrow.sign(CAST.supplier, envelope.order)
    submitted = api.http.post(
        f"/orders/{order_id}/signature",
        json={"order": issued["order"], "signature": "0x" + signature.hex()},
        headers=supplier,
    )
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["party"], submitted.json()["queued"]) == ("payee", True)

    before = world.ledger.foundation.deposit_token.balance_of(CAST.supplier.address)
    outcomes = api.platform.matcher().run_once()
    assert [outcome.outcome for outcome in outcomes] == ["released"]
    status = api.http.get(f"/orders/{order_id}").json()
    assert (status["status"], status["matcher"]["outcome"]) == ("released", "released")
    assert world.ledger.foundation.deposit_token.balance_of(CAST.supplier.address) == before + 40 * TOKEN


def test_one_charity_cannot_read_or_sign_another_charitys_order(api: Api, unchanged: Unchanged) -> None:
    pool_id = funded_plan(api)
    issued = issue(api, pool_id)
    order_id = str(issued["order"]["order_id"])
    other = api.auth("charity2")
    assert api.http.get("/orders/inbox", headers=other).json()["deliveries"] == []
    sealed = api.http.get(f"/orders/{order_id}/sealed", headers=other)
    copy = api.http.get(f"/orders/{order_id}/copy", headers=other)
    sign = api.http.post(f"/orders/{order_id}/sign", headers=other)
    assert (sealed.status_code, copy.status_code, sign.status_code) == (404, 404, 404)
    forged = api.world.ledger.escrow.sign(
        CAST.charity2, OrderMessage.model_validate(issued["order"]).to_order()
    )
    with unchanged:
        submitted = api.http.post(
            f"/orders/{order_id}/signature",
            json={"order": issued["order"], "signature": "0x" + forged.hex()},
            headers=other,
        )
    assert (submitted.status_code, submitted.json()["error"]) == (403, "NotYourResource")
    # Nor may anyone submit a signature that is not theirs.
    with unchanged:
        alien = api.http.post(
            f"/orders/{order_id}/signature",
            json={"order": issued["order"], "signature": "0x" + forged.hex()},
            headers=api.auth("charity"),
        )
    assert alien.status_code == 403
    assert api.platform.deliveries.signed_copies(bytes.fromhex(order_id[2:])) == {}


def test_only_a_bank_issues_and_only_what_the_plan_holds(api: Api, unchanged: Unchanged) -> None:
    pool_id = funded_plan(api, 10 * TOKEN)
    body = {"pool_id": pool_id, "payee": CAST.supplier.address, "amount": "5", "document": DOCUMENT}
    with unchanged:
        by_charity = api.http.post("/orders", json=body, headers=api.auth("charity"))
        too_much = api.http.post("/orders", json={**body, "amount": "11"}, headers=api.auth("bank"))
        to_donor = api.http.post(
            "/orders", json={**body, "payee": CAST.bob.address}, headers=api.auth("bank")
        )
    assert (by_charity.status_code, by_charity.json()["error"]) == (403, "RoleRequired")
    assert too_much.status_code == 409
    assert too_much.json()["error"] == "PoolInsufficientBalance"
    assert (to_donor.status_code, to_donor.json()["error"]) == (409, "OrderPayeeKindNotAllowed")
    assert api.platform.deliveries.inbox(CAST.charity.address) == []


def test_the_charity_cancels_an_unsigned_order_and_anyone_expires_a_late_one(
    api: Api, unchanged: Unchanged
) -> None:
    world = api.world
    pool_id = funded_plan(api)
    first = issue(api, pool_id, "10")
    first_id = str(first["order"]["order_id"])
    with unchanged:
        by_supplier = api.http.post(f"/orders/{first_id}/cancel", json={}, headers=api.auth("supplier"))
        early = api.http.post(f"/orders/{first_id}/expire", json={}, headers=api.auth("charity"))
    assert (by_supplier.status_code, by_supplier.json()["error"]) == (403, "OrderNotIssuerOrCharity")
    assert (early.status_code, early.json()["error"]) == (409, "OrderNotExpired")
    assert (
        api.http.post(f"/orders/{first_id}/cancel", json={}, headers=api.auth("charity")).status_code == 200
    )
    assert api.http.get(f"/orders/{first_id}").json()["status"] == "cancelled"

    second = issue(api, pool_id, "7")
    second_id = str(second["order"]["order_id"])
    advance_past(world.client, int(second["order"]["deadline"]))
    expired = api.http.post(
        f"/orders/{second_id}/expire", json={"order": second["order"]}, headers=api.auth("bob")
    )
    assert expired.status_code == 200, expired.text
    assert world.ledger.escrow.order_of(bytes.fromhex(second_id[2:])).status is OrderStatus.EXPIRED
    assert world.ledger.welfare.pools.ledger_of(pool_id).escrowed == 0
    assert api.http.get("/orders/0x" + "11" * 32).status_code == 404


def test_the_payee_opens_a_purchase_lot_for_its_order(api: Api, unchanged: Unchanged) -> None:
    pool_id = funded_plan(api)
    issued = issue(api, pool_id)
    order_id = str(issued["order"]["order_id"])
    body = {"goods_type": "rice 25 kg", "quantity": 200}
    with unchanged:
        by_charity = api.http.post(f"/orders/{order_id}/purchase-lot", json=body, headers=api.auth("charity"))
    assert (by_charity.status_code, by_charity.json()["error"]) == (403, "OrderNotPayee")
    opened = api.http.post(f"/orders/{order_id}/purchase-lot", json=body, headers=api.auth("supplier"))
    assert opened.status_code == 201, opened.text
    lot = api.http.get(f"/lots/{opened.json()['lot_id']}").json()
    assert (lot["holder"], lot["source"], lot["quantity"]) == (CAST.supplier.address, "purchase", 200)


def test_orders_are_listed_by_party_with_their_history(api: Api) -> None:
    pool_id = funded_plan(api)
    issued = issue(api, pool_id, "12")
    order_id = str(issued["order"]["order_id"])
    api.world.indexed()
    listed = api.http.get("/orders", params={"party": CAST.supplier.address}).json()["items"]
    assert [order["order_id"] for order in listed] == [order_id]
    assert listed[0]["status"] == "issued"
    assert api.http.get("/orders", params={"party": CAST.charity2.address}).json()["items"] == []
    history = api.http.get(f"/orders/{order_id}/history").json()
    assert history["history"][0]["name"] == "OrderIssued"
    assert api.http.get("/orders/0x" + "11" * 32 + "/history").status_code == 404
