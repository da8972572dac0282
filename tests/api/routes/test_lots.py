"""``api/routes/lots.py``: a lot followed checkpoint by checkpoint, each signed by its current holder."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.contracts import Checkpoint
from tests.api.routes.conftest import CAST, RICE, Api, Unchanged, open_plan

pytestmark = pytest.mark.api


def received_lot(api: Api) -> int:
    pools = api.world.ledger.welfare.pools
    pool_id = open_plan(api.world)
    pledge_id = pools.pledge_goods(CAST.bob, pool_id, keccak(text=RICE), 20, keccak(text="20 bags")).id
    pools.receive_pledge(CAST.warehouse, pledge_id, 20)
    return pools.pledge_of(pledge_id).lot_id


def test_a_lot_goes_from_the_warehouse_to_the_beneficiarys_sign_off(api: Api) -> None:
    lot_id = received_lot(api)
    lot = api.http.get(f"/lots/{lot_id}").json()
    assert (lot["holder"], lot["status"], lot["source"]) == (CAST.warehouse.address, "stored", "pledge")

    def record(who: str, checkpoint: str, next_holder: str | None = None) -> dict[str, object]:
        body = {"checkpoint": checkpoint, "next_holder": next_holder, "evidence": f"{checkpoint} record"}
        answer = api.http.post(f"/lots/{lot_id}/checkpoints", json=body, headers=api.auth(who))
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    assert record("warehouse", "shipped", CAST.carrier.address)["holder"] == CAST.carrier.address
    record("carrier", "in_transit")
    record("carrier", "received")
    assert record("carrier", "handed_to_beneficiary", CAST.bob.address)["holder"] == CAST.bob.address
    record("bob", "signed_off")
    assert api.http.get(f"/lots/{lot_id}").json()["status"] == "delivered"


def test_only_the_holder_records_and_only_in_order(api: Api, unchanged: Unchanged) -> None:
    lot_id = received_lot(api)
    shipped = {"checkpoint": "shipped", "next_holder": CAST.carrier.address}
    with unchanged:
        by_carrier = api.http.post(f"/lots/{lot_id}/checkpoints", json=shipped, headers=api.auth("carrier"))
        no_carrier = api.http.post(
            f"/lots/{lot_id}/checkpoints", json={"checkpoint": "shipped"}, headers=api.auth("warehouse")
        )
        signed_off = api.http.post(
            f"/lots/{lot_id}/checkpoints", json={"checkpoint": "signed_off"}, headers=api.auth("warehouse")
        )
        unknown = api.http.post("/lots/999/checkpoints", json=shipped, headers=api.auth("warehouse"))
    assert (by_carrier.status_code, by_carrier.json()["error"]) == (403, "LotNotHeld")
    assert (no_carrier.status_code, no_carrier.json()["error"]) == (409, "LotNextHolderMissing")
    assert (signed_off.status_code, signed_off.json()["error"]) == (409, "LotCheckpointOutOfOrder")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "LotUnknown")
    assert api.http.get("/lots/999").status_code == 404


def test_lots_are_listed_with_their_checkpoints(api: Api) -> None:
    lot_id = received_lot(api)
    api.world.ledger.welfare.tracker.record_checkpoint(
        CAST.warehouse, lot_id, Checkpoint.SHIPPED, CAST.carrier.address
    )
    api.world.indexed()
    involving = api.http.get("/lots", params={"involving": CAST.carrier.address}).json()["items"]
    assert [lot["lot_id"] for lot in involving] == [lot_id]
    history = api.http.get(f"/lots/{lot_id}/history").json()
    assert [checkpoint["checkpoint"] for checkpoint in history["checkpoints"]] == ["shipped"]
    assert api.http.get("/lots/999/history").status_code == 404
