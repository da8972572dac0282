"""``api/routes/transactions.py``: a wallet user relays a transaction it signed itself; receipts by hash."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.routes.conftest import CAST, TOKEN, Api, Unchanged, fund, open_plan
from tests.api.routes.test_orders import wallet_session

pytestmark = pytest.mark.api


def signed(api: Api, who: Any, data: bytes, to: str, *, nonce: int | None = None) -> str:
    client = api.world.client
    tx = {
        "type": 2,
        "chainId": client.chain_id,
        "nonce": client.backend.get_nonce(who.address) if nonce is None else nonce,
        "gas": 300_000,
        "maxFeePerGas": 2 * client.backend.next_base_fee() + 1,
        "maxPriorityFeePerGas": 0,
        "to": to,
        "value": 0,
        "data": data,
    }
    return "0x" + bytes(who.sign_transaction(tx).raw_transaction).hex()


def test_a_wallet_user_relays_its_own_signed_donation(api: Api) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 5 * TOKEN)
    token, pools = world.ledger.foundation.deposit_token, world.ledger.welfare.pools
    headers = wallet_session(api, CAST.alice)
    approve = api.http.post(
        "/transactions",
        json={
            "raw": signed(
                api, CAST.alice, token.abi.encode_call("approve", pools.address, 3 * TOKEN), token.address
            )
        },
        headers=headers,
    )
    assert approve.status_code == 201, approve.text
    donate = api.http.post(
        "/transactions",
        json={
            "raw": signed(api, CAST.alice, pools.abi.encode_call("donate", pool_id, 3 * TOKEN), pools.address)
        },
        headers=headers,
    )
    assert donate.status_code == 201, donate.text
    names = [event["name"] for event in donate.json()["events"]]
    assert "DonationReceived" in names
    tx_hash = donate.json()["transaction"]["tx_hash"]
    receipt = api.http.get(f"/transactions/{tx_hash}").json()
    assert (receipt["status"], receipt["sender"]) == ("succeeded", CAST.alice.address)
    assert pools.ledger_of(pool_id).donated == 3 * TOKEN


def test_the_relay_refuses_anothers_transaction_a_revert_and_garbage(api: Api, unchanged: Unchanged) -> None:
    world = api.world
    pool_id = open_plan(world)
    pools = world.ledger.welfare.pools
    headers = wallet_session(api, CAST.alice)
    by_bob = signed(api, CAST.bob, pools.abi.encode_call("donate", pool_id, TOKEN), pools.address)
    unfunded = signed(api, CAST.alice, pools.abi.encode_call("donate", pool_id, 10**30), pools.address)
    with unchanged:
        other = api.http.post("/transactions", json={"raw": by_bob}, headers=headers)
        reverts = api.http.post("/transactions", json={"raw": unfunded}, headers=headers)
        garbage = api.http.post("/transactions", json={"raw": "0x02c0"}, headers=headers)
        anonymous = api.http.post("/transactions", json={"raw": by_bob})
    assert (other.status_code, other.json()["error"]) == (403, "NotYourResource")
    assert reverts.status_code == 409
    assert reverts.json()["error"] == "ERC20InsufficientAllowance"
    assert garbage.status_code == 422
    assert anonymous.status_code == 401
    assert api.http.get("/transactions/0x" + "00" * 32).status_code == 404
