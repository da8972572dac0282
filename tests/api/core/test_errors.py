"""The app-wide error mapping (api/core/errors.py): a body that is not JSON answers the documented 400, a
body that is JSON but invalid the documented 422, each with the error body's shape."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.core.errors import install_error_handlers


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
