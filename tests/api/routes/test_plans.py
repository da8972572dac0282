"""``api/routes/plans.py`` and ``api/routes/government_transfers.py``: every action on a relief plan."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.contracts import PlanStatus, UnspentTerms
from tests.api.routes.conftest import CAST, RICE, TOKEN, Api, Unchanged, fund, open_plan, plan_terms
from tests.registry_support import DAY, advance_past, chain_time

pytestmark = pytest.mark.api


def launch_body(api: Api, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "purpose": "Flood relief, Xinxiang",
        "deadline": chain_time(api.world.client) + 30 * DAY,
        "money_target": "1000",
        "in_kind": [{"goods_type": RICE, "quantity": 500}],
        "warehouse": CAST.warehouse.address,
        "government_transfer_allowed": True,
    }
    body.update(changes)
    return body


def test_a_charity_launches_a_plan_that_a_bank_audits_open(api: Api) -> None:
    answer = api.http.post("/plans", json=launch_body(api), headers=api.auth("charity"))
    assert answer.status_code == 201, answer.text
    pool_id = answer.json()["pool_id"]
    assert answer.json()["purpose_digest"] == "0x" + keccak(text="Flood relief, Xinxiang").hex()
    plan = api.http.get(f"/plans/{pool_id}").json()
    assert (plan["charity"], plan["status"]) == (CAST.charity.address, "launched")
    assert (
        plan["money_target"]["value"],
        plan["money_target"]["decimals"],
        plan["money_target"]["unit"],
    ) == ("1000", 18, "dCNY")
    assert plan["in_kind"] == [{"goods_type": "0x" + keccak(text=RICE).hex(), "wanted": 500, "received": 0}]

    audit = api.http.post(
        f"/plans/{pool_id}/audit", json={"passed": True, "report": "books checked"}, headers=api.auth("bank")
    )
    assert audit.status_code == 200, audit.text
    assert api.http.get(f"/plans/{pool_id}").json()["status"] == "open"


def test_launching_needs_an_active_charity_and_sensible_terms(api: Api, unchanged: Unchanged) -> None:
    with unchanged:
        by_donor = api.http.post("/plans", json=launch_body(api), headers=api.auth("alice"))
        by_supplier = api.http.post("/plans", json=launch_body(api), headers=api.auth("supplier"))
        past = api.http.post("/plans", json=launch_body(api, deadline=1), headers=api.auth("charity"))
        no_target = api.http.post(
            "/plans", json=launch_body(api, money_target=None, in_kind=[]), headers=api.auth("charity")
        )
    assert (by_donor.status_code, by_donor.json()["error"]) == (403, "RoleRequired")
    assert (by_supplier.status_code, by_supplier.json()["error"]) == (403, "RoleRequired")
    assert (past.status_code, past.json()["error"]) == (409, "PoolDeadlineInPast")
    assert (no_target.status_code, no_target.json()["error"]) == (409, "PoolTargetMissing")


def test_a_plan_needing_government_approval_waits_for_the_government(api: Api, unchanged: Unchanged) -> None:
    pools = api.world.ledger.welfare.pools
    pool_id = pools.launch_plan(CAST.charity, plan_terms(api.world.client, needs_government_approval=True)).id
    pools.audit_plan(CAST.bank, pool_id, True, keccak(text="audit"))
    assert api.http.get(f"/plans/{pool_id}").json()["status"] == "audited"
    body = {"approved": True, "decision": "approved by the civil affairs bureau"}
    with unchanged:
        by_bank = api.http.post(f"/plans/{pool_id}/decision", json=body, headers=api.auth("bank"))
    assert (by_bank.status_code, by_bank.json()["error"]) == (403, "RoleRequired")
    decided = api.http.post(f"/plans/{pool_id}/decision", json=body, headers=api.auth("government"))
    assert decided.status_code == 200, decided.text
    assert pools.plan_of(pool_id).status is PlanStatus.OPEN
    with unchanged:
        twice = api.http.post(f"/plans/{pool_id}/decision", json=body, headers=api.auth("government"))
    assert (twice.status_code, twice.json()["error"]) == (409, "PoolNotAwaitingApproval")


def test_only_a_bank_audits_and_only_a_launched_plan(api: Api, unchanged: Unchanged) -> None:
    pool_id = open_plan(api.world)
    body = {"passed": True, "report": "again"}
    with unchanged:
        by_charity = api.http.post(f"/plans/{pool_id}/audit", json=body, headers=api.auth("charity"))
        again = api.http.post(f"/plans/{pool_id}/audit", json=body, headers=api.auth("bank"))
        unknown = api.http.post("/plans/999/audit", json=body, headers=api.auth("bank"))
    assert by_charity.status_code == 403
    assert (again.status_code, again.json()["error"]) == (409, "PoolNotAwaitingAudit")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "PoolUnknown")


def test_an_unknown_plan_is_404(api: Api) -> None:
    answer = api.http.get("/plans/4242")
    assert (answer.status_code, answer.json()["error"]) == (404, "NotFound")
    assert api.http.get("/plans/0").status_code == 422


def test_close_then_wind_up_after_the_deadline_then_refund(api: Api, unchanged: Unchanged) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 10 * TOKEN)
    world.ledger.welfare.pools.donate_with_permit(CAST.alice, pool_id, 10 * TOKEN)
    with unchanged:
        by_other = api.http.post(f"/plans/{pool_id}/close", headers=api.auth("charity2"))
    assert (by_other.status_code, by_other.json()["error"]) == (403, "PoolNotCharityOrBank")
    assert api.http.post(f"/plans/{pool_id}/close", headers=api.auth("charity")).status_code == 200
    with unchanged:
        early = api.http.post(f"/plans/{pool_id}/wind-up", headers=api.auth("charity"))
    assert (early.status_code, early.json()["error"]) == (409, "PoolNotWindable")
    advance_past(world.client, world.ledger.welfare.pools.plan_of(pool_id).deadline)
    assert api.http.post(f"/plans/{pool_id}/wind-up", headers=api.auth("bank")).status_code == 200
    assert api.http.get(f"/plans/{pool_id}").json()["status"] == "wound_up"

    token = world.ledger.foundation.deposit_token
    before = token.balance_of(CAST.alice.address)
    refund = api.http.post(f"/plans/{pool_id}/refunds", json={}, headers=api.auth("alice"))
    assert refund.status_code == 200, refund.text
    assert refund.json()["amount"]["value"] == "10"
    assert token.balance_of(CAST.alice.address) == before + 10 * TOKEN
    with unchanged:
        twice = api.http.post(f"/plans/{pool_id}/refunds", json={}, headers=api.auth("alice"))
    assert (twice.status_code, twice.json()["error"]) == (409, "PoolNothingToRefund")


def test_unspent_money_moves_only_to_the_successor_its_terms_name(api: Api, unchanged: Unchanged) -> None:
    world = api.world
    successor = open_plan(world)
    other = open_plan(world)
    pool_id = open_plan(
        world,
        unspent=UnspentTerms.MOVE_TO_PLAN,
        successor_pool_id=successor,
        deadline=chain_time(world.client) + DAY,
    )
    assert api.http.get(f"/plans/{pool_id}").json()["successor_pool_id"] == successor
    fund(world, CAST.bob, 3 * TOKEN)
    world.ledger.welfare.pools.donate_with_permit(CAST.bob, pool_id, 3 * TOKEN)
    advance_past(world.client, world.ledger.welfare.pools.plan_of(pool_id).deadline)
    world.ledger.welfare.pools.wind_up(CAST.charity, pool_id)
    with unchanged:
        elsewhere = api.http.post(
            f"/plans/{pool_id}/moves", json={"to_pool_id": other}, headers=api.auth("charity")
        )
    assert (elsewhere.status_code, elsewhere.json()["error"]) == (409, "PoolNotSuccessor")
    moved = api.http.post(
        f"/plans/{pool_id}/moves", json={"to_pool_id": successor}, headers=api.auth("alice")
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["amount"]["value"] == "3"
    assert world.ledger.welfare.pools.ledger_of(successor).moved_in == 3 * TOKEN


def test_move_terms_name_an_existing_successor_and_refund_terms_none(api: Api, unchanged: Unchanged) -> None:
    successor = open_plan(api.world)
    with unchanged:
        unnamed = api.http.post(
            "/plans", json=launch_body(api, unspent="move_to_plan"), headers=api.auth("charity")
        )
        on_refund = api.http.post(
            "/plans", json=launch_body(api, successor_pool_id=successor), headers=api.auth("charity")
        )
        missing = api.http.post(
            "/plans",
            json=launch_body(api, unspent="move_to_plan", successor_pool_id=successor + 100),
            headers=api.auth("charity"),
        )
    assert unnamed.status_code == 422
    assert "successor_pool_id" in unnamed.text
    assert on_refund.status_code == 422
    assert (missing.status_code, missing.json()["error"]) == (409, "PoolSuccessorInvalid")
    named = api.http.post(
        "/plans",
        json=launch_body(api, unspent="move_to_plan", successor_pool_id=successor),
        headers=api.auth("charity"),
    )
    assert named.status_code == 201, named.text
    plan = api.http.get(f"/plans/{named.json()['pool_id']}").json()
    assert (plan["unspent"], plan["successor_pool_id"]) == ("move_to_plan", successor)


def test_a_refund_pays_moved_value_back_to_the_plan_it_came_from(api: Api, unchanged: Unchanged) -> None:
    """Bob's gift moved from plan A into plan B; B is wound up and refunds: A gets its share back, for Bob."""
    world = api.world
    pools = world.ledger.welfare.pools
    later = open_plan(world, deadline=chain_time(world.client) + 10 * DAY)
    first = open_plan(
        world,
        unspent=UnspentTerms.MOVE_TO_PLAN,
        successor_pool_id=later,
        deadline=chain_time(world.client) + DAY,
    )
    fund(world, CAST.bob, 4 * TOKEN)
    pools.donate_with_permit(CAST.bob, first, 4 * TOKEN)
    advance_past(world.client, pools.plan_of(first).deadline)
    pools.wind_up(CAST.charity, first)
    pools.move_unspent(CAST.charity, first, 0, later)
    fund(world, CAST.alice, 4 * TOKEN)
    pools.donate_with_permit(CAST.alice, later, 4 * TOKEN)
    advance_past(world.client, pools.plan_of(later).deadline)
    pools.wind_up(CAST.charity, later)
    with unchanged:
        unrelated = api.http.post(
            f"/plans/{later}/moved-value-returns",
            json={"contributor_pool_id": later},
            headers=api.auth("alice"),
        )
    assert unrelated.status_code == 409, unrelated.text
    returned = api.http.post(
        f"/plans/{later}/moved-value-returns", json={"contributor_pool_id": first}, headers=api.auth("alice")
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["amount"]["value"] == "4"
    refund = api.http.post(f"/plans/{first}/refunds", json={}, headers=api.auth("bob"))
    assert refund.status_code == 200, refund.text
    assert refund.json()["amount"]["value"] == "4"


def test_a_transfer_to_a_local_government_is_proposed_confirmed_and_acknowledged(
    api: Api, unchanged: Unchanged
) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 20 * TOKEN)
    world.ledger.welfare.pools.donate_with_permit(CAST.alice, pool_id, 20 * TOKEN)
    body = {"local_government": CAST.local_government.address, "amount": "5", "purpose": "shelter"}
    with unchanged:
        to_charity = api.http.post(
            f"/plans/{pool_id}/government-transfers",
            json={**body, "local_government": CAST.charity2.address},
            headers=api.auth("charity"),
        )
        by_other = api.http.post(
            f"/plans/{pool_id}/government-transfers", json=body, headers=api.auth("charity2")
        )
    assert to_charity.status_code == 409
    assert to_charity.json()["error"] == "InstitutionKindMismatch"
    assert (by_other.status_code, by_other.json()["error"]) == (403, "PoolNotCharity")
    proposed = api.http.post(f"/plans/{pool_id}/government-transfers", json=body, headers=api.auth("charity"))
    assert proposed.status_code == 201, proposed.text
    transfer_id = proposed.json()["id"]
    assert api.http.get(f"/government-transfers/{transfer_id}").json()["status"] == "proposed"
    with unchanged:
        by_charity = api.http.post(
            f"/government-transfers/{transfer_id}/confirm", headers=api.auth("charity")
        )
        early_ack = api.http.post(
            f"/government-transfers/{transfer_id}/acknowledge", headers=api.auth("local_government")
        )
    assert by_charity.status_code == 403
    assert early_ack.status_code == 409
    assert (
        api.http.post(f"/government-transfers/{transfer_id}/confirm", headers=api.auth("bank")).status_code
        == 200
    )
    token = world.ledger.foundation.deposit_token
    assert token.balance_of(CAST.local_government.address) == 5 * TOKEN
    ack = api.http.post(
        f"/government-transfers/{transfer_id}/acknowledge", headers=api.auth("local_government")
    )
    assert ack.status_code == 200
    transfer = api.http.get(f"/government-transfers/{transfer_id}").json()
    assert (transfer["status"], transfer["amount"]["value"]) == ("acknowledged", "5")
    assert api.http.get("/government-transfers/77").status_code == 404


def test_a_bank_rejects_a_proposed_transfer(api: Api) -> None:
    world = api.world
    pool_id = open_plan(world)
    fund(world, CAST.alice, 2 * TOKEN)
    world.ledger.welfare.pools.donate_with_permit(CAST.alice, pool_id, 2 * TOKEN)
    transfer_id = world.ledger.welfare.pools.propose_government_transfer(
        CAST.charity, pool_id, CAST.local_government.address, 0, TOKEN, keccak(text="x")
    ).id
    assert (
        api.http.post(f"/government-transfers/{transfer_id}/reject", headers=api.auth("bank")).status_code
        == 200
    )
    assert api.http.get(f"/government-transfers/{transfer_id}").json()["status"] == "rejected"


def test_plans_are_listed_from_the_read_model_as_of_a_block(api: Api) -> None:
    world = api.world
    opened = open_plan(world)
    launched = world.ledger.welfare.pools.launch_plan(CAST.charity2, plan_terms(world.client)).id
    world.indexed()
    page = api.http.get("/plans", params={"status": "open"}).json()
    assert opened in [plan["pool_id"] for plan in page["items"]]
    assert launched not in [plan["pool_id"] for plan in page["items"]]
    assert page["as_of_block"] == world.client.block_number()
    mine = api.http.get("/plans", params={"charity": CAST.charity2.address}).json()["items"]
    assert [plan["pool_id"] for plan in mine] == [launched]
    history = api.http.get(f"/plans/{opened}/history").json()
    assert [event["name"] for event in history["history"]][:2] == ["PlanLaunched", "PlanAudited"]
    assert api.http.get("/plans/9999/history").status_code == 404
    assert api.http.get("/plans", params={"status": "nonsense"}).status_code == 422
