"""``api/routes/verify.py``: verify a gift by its transaction hash, no sign-in, down to the named payee."""

from __future__ import annotations

import pytest

from tests.api.routes.conftest import CAST, TOKEN, Api, fund, open_plan
from tests.api.routes.test_orders import issue

pytestmark = pytest.mark.api


def donate(api: Api, pool_id: int, amount: str, who: str = "alice") -> str:
    answer = api.http.post("/donations", json={"pool_id": pool_id, "amount": amount}, headers=api.auth(who))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["tx_hash"])


def test_a_gift_is_verified_by_its_hash_to_its_plan(api: Api) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 10 * TOKEN)
    tx_hash = donate(api, pool_id, "10")
    assert api.http.get(f"/verify/{tx_hash}").status_code == 404  # not indexed yet
    world.indexed()
    answer = api.http.get(f"/verify/{tx_hash}")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["tx_hash"] == tx_hash
    assert found["kind"] == "donation"
    assert found["sender"] == CAST.alice.address
    plan_nodes = [node for node in found["flow"]["nodes"] if node["kind"] == "plan"]
    assert [node["id"] for node in plan_nodes] == [f"plan:{pool_id}"]
    assert all(edge["proof"]["tx_hash"] for edge in found["flow"]["edges"])


def test_a_gift_to_a_plan_that_paid_a_supplier_shows_the_named_payee(api: Api) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 100 * TOKEN)
    tx_hash = donate(api, pool_id, "100")
    issued = issue(api, pool_id, "40")
    order_id = str(issued["order"]["order_id"])
    for party in ("charity", "supplier"):
        signed = api.http.post(f"/orders/{order_id}/sign", headers=api.auth(party))
        assert signed.status_code == 200, signed.text
    assert [outcome.outcome for outcome in api.platform.matcher().run_once()] == ["released"]
    world.indexed()
    found = api.http.get(f"/verify/{tx_hash}").json()
    payees = [node for node in found["flow"]["nodes"] if node.get("address") == CAST.supplier.address]
    assert payees, found["flow"]["nodes"]
    paid = [edge for edge in found["flow"]["edges"] if edge["target"] == payees[0]["id"]]
    assert paid
    assert paid[0]["proof"]["block_number"] > 0


def test_a_malformed_or_unknown_hash(api: Api) -> None:
    assert api.http.get("/verify/0x1234").status_code == 422
    unknown = api.http.get("/verify/0x" + "ab" * 32)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "TransactionNotIndexed")
