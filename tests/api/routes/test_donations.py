"""``api/routes/donations.py``: money with a permit, welfare assets, goods pledges signed for."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.contracts import PledgeStatus
from tests.api.routes.conftest import CAST, RICE, TOKEN, Api, Unchanged, fund, open_plan, plan_terms

pytestmark = pytest.mark.api


def test_a_donor_gives_money_in_one_call_and_keeps_the_hash(api: Api) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 50 * TOKEN)
    answer = api.http.post(
        "/donations", json={"pool_id": pool_id, "amount": "12.5"}, headers=api.auth("alice")
    )
    assert answer.status_code == 201, answer.text
    gift = answer.json()
    assert (gift["pool_id"], gift["donor"], gift["form"], gift["asset"]) == (
        pool_id,
        CAST.alice.address,
        "money",
        "money",
    )
    assert (gift["amount"]["value"], gift["amount"]["decimals"], gift["amount"]["unit"]) == (
        "12.5",
        18,
        "dCNY",
    )
    receipt = world.client.backend.get_receipt(bytes.fromhex(gift["tx_hash"][2:]))
    assert receipt is not None
    assert receipt.succeeded
    assert receipt.block_number == gift["block_number"]
    assert world.ledger.welfare.pools.ledger_of(pool_id).donated == 12 * TOKEN + TOKEN // 2
    given = api.http.get(f"/donations/contributions/{pool_id}/{CAST.alice.address}").json()
    assert given["donated"]["value"] == "12.5"


def test_a_donation_that_the_plan_or_the_purse_refuses_changes_nothing(
    api: Api, unchanged: Unchanged
) -> None:
    world = api.world
    pool_id = open_plan(world)
    launched = world.ledger.welfare.pools.launch_plan(CAST.charity, plan_terms(world.client)).id
    fund(world, CAST.bob, TOKEN)
    with unchanged:
        too_much = api.http.post(
            "/donations", json={"pool_id": pool_id, "amount": "2"}, headers=api.auth("bob")
        )
        not_open = api.http.post(
            "/donations", json={"pool_id": launched, "amount": "1"}, headers=api.auth("bob")
        )
        anonymous = api.http.post("/donations", json={"pool_id": pool_id, "amount": "1"})
    assert (too_much.status_code, too_much.json()["error"]) == (409, "ERC20InsufficientBalance")
    assert (not_open.status_code, not_open.json()["error"]) == (409, "PoolNotOpen")
    assert anonymous.status_code == 401


def test_a_donor_gives_points(api: Api, unchanged: Unchanged) -> None:
    world = api.world
    pool_id = open_plan(world)
    world.ledger.welfare.assets.issue(CAST.supplier, world.points, CAST.bob.address, 300, keccak(text="pts"))
    body = {"pool_id": pool_id, "asset_id": str(world.points), "amount": "120"}
    answer = api.http.post("/donations/assets", json=body, headers=api.auth("bob"))
    assert answer.status_code == 201, answer.text
    gift = answer.json()
    assert (gift["form"], gift["asset"]) == ("points", str(world.points))
    assert (gift["amount"]["value"], gift["amount"]["decimals"], gift["amount"]["unit"]) == (
        "120",
        0,
        "points",
    )
    with unchanged:
        fraction = api.http.post("/donations/assets", json={**body, "amount": "1.5"}, headers=api.auth("bob"))
        too_many = api.http.post("/donations/assets", json={**body, "amount": "181"}, headers=api.auth("bob"))
    assert fraction.status_code == 422
    assert too_many.status_code == 409


def test_goods_are_pledged_then_signed_for_by_the_warehouse(api: Api, unchanged: Unchanged) -> None:
    world = api.world
    pool_id = open_plan(world)
    body = {"pool_id": pool_id, "goods_type": RICE, "quantity": 40, "details": "40 bags by truck"}
    with unchanged:
        unwanted = api.http.post(
            "/donations/pledges", json={**body, "goods_type": "blankets"}, headers=api.auth("bob")
        )
    assert (unwanted.status_code, unwanted.json()["error"]) == (409, "PoolGoodsNotWanted")
    pledged = api.http.post("/donations/pledges", json=body, headers=api.auth("bob"))
    assert pledged.status_code == 201, pledged.text
    pledge_id = pledged.json()["pledge_id"]
    assert api.http.get(f"/donations/pledges/{pledge_id}").json()["status"] == "pledged"

    with unchanged:
        by_donor = api.http.post(
            f"/donations/pledges/{pledge_id}/receipt", json={"quantity": 40}, headers=api.auth("bob")
        )
        too_many = api.http.post(
            f"/donations/pledges/{pledge_id}/receipt", json={"quantity": 41}, headers=api.auth("warehouse")
        )
    assert (by_donor.status_code, by_donor.json()["error"]) == (403, "PoolNotWarehouse")
    assert (too_many.status_code, too_many.json()["error"]) == (409, "PoolPledgeQuantityInvalid")
    received = api.http.post(
        f"/donations/pledges/{pledge_id}/receipt", json={"quantity": 38}, headers=api.auth("warehouse")
    )
    assert received.status_code == 201, received.text
    gift = received.json()
    assert (gift["form"], gift["donor"], gift["amount"]["value"]) == ("goods", CAST.bob.address, "38")
    assert gift["lot_id"] is not None
    pledge = world.ledger.welfare.pools.pledge_of(pledge_id)
    assert (pledge.status, pledge.received, pledge.lot_id) == (PledgeStatus.RECEIVED, 38, gift["lot_id"])
    assert api.http.get("/donations/pledges/999").status_code == 404


def test_donations_are_listed_by_donor_and_plan(api: Api) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 5 * TOKEN)
    gift = api.http.post(
        "/donations", json={"pool_id": pool_id, "amount": "5"}, headers=api.auth("alice")
    ).json()
    world.indexed()
    page = api.http.get("/donations", params={"donor": CAST.alice.address, "pool_id": pool_id}).json()
    assert [item["proof"]["tx_hash"] for item in page["items"]] == [gift["tx_hash"]]
    assert page["items"][0]["amount"]["value"] == "5"
    assert (
        api.http.get("/donations", params={"donor": CAST.bob.address, "pool_id": pool_id}).json()["items"]
        == []
    )
