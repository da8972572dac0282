"""``api/routes/regulator.py``: suspend, reinstate, wind a plan up and move its value by decision, freeze,
decide a dispute; regulator role only."""

from __future__ import annotations

import pytest

from chain_client.contracts import OrderStatus, PlanStatus
from tests.api.routes.conftest import CAST, TOKEN, Api, Unchanged, fund, open_plan
from tests.api.routes.test_orders import funded_plan, issue
from tests.api.routes.test_plans import launch_body

pytestmark = pytest.mark.api


def test_the_regulator_suspends_and_reinstates_an_institution(api: Api, unchanged: Unchanged) -> None:
    url = f"/regulator/institutions/{CAST.charity.address}"
    with unchanged:
        by_bank = api.http.post(f"{url}/suspend", json={"reason_code": "MISUSE"}, headers=api.auth("bank"))
        bad_code = api.http.post(
            f"{url}/suspend", json={"reason_code": "no spaces"}, headers=api.auth("regulator")
        )
    assert (by_bank.status_code, by_bank.json()["error"]) == (403, "RoleRequired")
    assert bad_code.status_code == 422
    assert (
        api.http.post(
            f"{url}/suspend", json={"reason_code": "MISUSE"}, headers=api.auth("regulator")
        ).status_code
        == 200
    )
    assert api.http.get(f"/institutions/{CAST.charity.address}").json()["suspended"] is True
    assert "charity" not in api.http.get("/auth/me", headers=api.auth("charity")).json()["roles"]
    with unchanged:
        twice = api.http.post(f"{url}/suspend", json={"reason_code": "MISUSE"}, headers=api.auth("regulator"))
    assert (twice.status_code, twice.json()["error"]) == (409, "InstitutionAlreadySuspended")
    assert api.http.post(f"{url}/reinstate", headers=api.auth("regulator")).status_code == 200
    assert api.http.get(f"/institutions/{CAST.charity.address}").json()["active"] is True


def test_a_suspended_institution_is_told_it_is_suspended(api: Api, unchanged: Unchanged) -> None:
    """A route needing the role of a suspended institution's kind answers 403 ``RoleRequired`` saying the
    institution is suspended (not only that it holds no role), and nothing is sent."""
    suspended = api.http.post(
        f"/regulator/institutions/{CAST.charity.address}/suspend",
        json={"reason_code": "MISUSE"},
        headers=api.auth("regulator"),
    )
    assert suspended.status_code == 200, suspended.text
    body = launch_body(api)
    with unchanged:
        by_charity = api.http.post("/plans", json=body, headers=api.auth("charity"))
        by_donor = api.http.post("/plans", json=body, headers=api.auth("alice"))
    assert (by_charity.status_code, by_charity.json()["error"]) == (403, "RoleRequired")
    reason = by_charity.json()["reason"]
    assert f"{CAST.charity.address} holds no role" in reason
    assert "the institution is suspended, so its charity role is withheld" in reason
    assert by_charity.json()["detail"]["suspended"] == "charity"
    # An account that never was an institution is not told it is suspended.
    assert (by_donor.status_code, by_donor.json()["error"]) == (403, "RoleRequired")
    assert "suspended" not in by_donor.json()["reason"]
    assert by_donor.json()["detail"]["suspended"] is None
    assert (
        api.http.post(
            f"/regulator/institutions/{CAST.charity.address}/reinstate", headers=api.auth("regulator")
        ).status_code
        == 200
    )
    assert api.http.post("/plans", json=body, headers=api.auth("charity")).status_code == 201


def test_the_regulator_freezes_an_order_and_decides_the_dispute(api: Api, unchanged: Unchanged) -> None:
    world = api.world
    pool_id = funded_plan(api)
    issued = issue(api, pool_id, "30")
    order_id = str(issued["order"]["order_id"])
    with unchanged:
        by_charity = api.http.post(
            f"/regulator/orders/{order_id}/freeze", json={"reason": "complaint"}, headers=api.auth("charity")
        )
    assert by_charity.status_code == 403
    frozen = api.http.post(
        f"/regulator/orders/{order_id}/freeze", json={"reason": "complaint"}, headers=api.auth("regulator")
    )
    assert frozen.status_code == 200, frozen.text
    assert api.http.get(f"/orders/{order_id}").json()["status"] == "disputed"
    decision = {"order": issued["order"], "release": False, "decision": "goods never delivered"}
    with unchanged:
        wrong_path = api.http.post(
            "/regulator/orders/0x" + "22" * 32 + "/decision", json=decision, headers=api.auth("regulator")
        )
    assert wrong_path.status_code == 422
    decided = api.http.post(
        f"/regulator/orders/{order_id}/decision", json=decision, headers=api.auth("regulator")
    )
    assert decided.status_code == 200, decided.text
    assert world.ledger.escrow.order_of(bytes.fromhex(order_id[2:])).status is OrderStatus.REFUNDED
    assert world.ledger.welfare.pools.ledger_of(pool_id).balance == 100 * TOKEN
    with unchanged:
        again = api.http.post(
            f"/regulator/orders/{order_id}/decision", json=decision, headers=api.auth("regulator")
        )
    assert (again.status_code, again.json()["error"]) == (409, "OrderClosed")


def test_the_regulator_winds_a_plan_up_early_and_moves_its_value_by_decision(
    api: Api, unchanged: Unchanged
) -> None:
    world = api.world
    pools = world.ledger.welfare.pools
    stranded = open_plan(world)
    elsewhere = open_plan(world)
    fund(world, CAST.bob, 5 * TOKEN)
    pools.donate_with_permit(CAST.bob, stranded, 5 * TOKEN)
    body = {"decision": "the village was resettled"}
    with unchanged:
        by_bank = api.http.post(f"/regulator/plans/{stranded}/wind-up", json=body, headers=api.auth("bank"))
        early_move = api.http.post(
            f"/regulator/plans/{stranded}/moves",
            json={"to_pool_id": elsewhere, "decision": "to the resettlement plan"},
            headers=api.auth("regulator"),
        )
    assert (by_bank.status_code, by_bank.json()["error"]) == (403, "RoleRequired")
    assert early_move.status_code == 409, early_move.text
    wound = api.http.post(f"/regulator/plans/{stranded}/wind-up", json=body, headers=api.auth("regulator"))
    assert wound.status_code == 200, wound.text
    assert pools.plan_of(stranded).status is PlanStatus.WOUND_UP
    moved = api.http.post(
        f"/regulator/plans/{stranded}/moves",
        json={"to_pool_id": elsewhere, "decision": "to the resettlement plan"},
        headers=api.auth("regulator"),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["amount"]["value"] == "5"
    assert pools.ledger_of(elsewhere).moved_in == 5 * TOKEN
