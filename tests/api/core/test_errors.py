"""The app-wide error mapping (api/core/errors.py): a body that is not JSON answers the documented 400, a
body that is JSON but invalid the documented 422, each with the error body's shape; a contract's custom error
reads as a sentence."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.core.errors import contract_error_reason, install_error_handlers
from api.core.natspec import error_notice


class _Gift(BaseModel):
    pool_id: int
    amount: str


def _app() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/gifts")
    def give(gift: _Gift) -> dict[str, int]:
        return {"pool_id": gift.pool_id}

    return TestClient(app)


def test_a_body_that_is_not_json_answers_400_naming_where_parsing_stopped() -> None:
    answer = _app().post(
        "/gifts", content=b'{"pool_id": 9, "amount": ', headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "HTTPError"
    assert (
        body["reason"] == "the body cannot be parsed: it is not valid JSON (parsing stopped at character 25)"
    )


def test_a_json_body_of_the_wrong_shape_still_answers_422() -> None:
    answer = _app().post("/gifts", json={"pool_id": "nine", "amount": "1"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "RequestInvalid"
    assert body["detail"][0]["loc"] == ["body", "pool_id"]


def test_a_valid_body_passes() -> None:
    assert _app().post("/gifts", json={"pool_id": 9, "amount": "1"}).json() == {"pool_id": 9}


def test_a_contract_error_names_its_enum_values_and_fills_its_notice_with_the_arguments() -> None:
    reason = contract_error_reason("PoolNotOpen", (9, 6), error_notice("PoolNotOpen"))
    assert reason == "PoolNotOpen(9, wound_up): Plan 9 is wound_up: it takes no donations."
    too_far = contract_error_reason("PoolDeadlineTooFar", (10, 20), error_notice("PoolDeadlineTooFar"))
    assert "{" not in too_far
    assert "MAX_PLAN_DURATION" in too_far
    order = contract_error_reason("OrderClosed", (b"\x11" * 32, 4), error_notice("OrderClosed"))
    assert order.startswith(
        "OrderClosed(0x" + "11" * 32 + ", refunded): Order 0x" + "11" * 32 + " is refunded"
    )


def test_an_error_no_contract_declares_is_shown_as_a_call() -> None:
    assert contract_error_reason("Unknown", (b"\x01\x02",), None) == "Unknown(0x0102)"
    assert contract_error_reason("PoolNotOpen", (9, 99), None) == "PoolNotOpen(9, 99)"  # no such status
