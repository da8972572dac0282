"""schemathesis over the API's OpenAPI document: no 5xx, no response that breaks its schema.

Every operation is called with generated data, about half of the time as a signed-in bank (a password
session, so that role-gated routes run through to the chain) and otherwise anonymously. A short run is in
the default suite; ``-m slow`` runs a longer one. The chain is put back to its snapshot after the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from api.core.platform import Platform
from api.main import create_app
from oracle.registry.adapters import FileRegistryAdapter
from tests.api.routes.conftest import PASSWORD, SESSION_SECRET, RouteWorld

pytestmark = pytest.mark.api

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# The document does not depend on the platform, so the schema loads at import; the module fixture puts
# the platform (the session's chain) on the app before the first call.
APP = create_app(background=False)
APP.state.platform = "set by the module fixture"
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# The short run skips the coverage phase (boundary values of every field: hundreds of cases per operation).
short_schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
short_schema.config.phases.coverage.enabled = False
_TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _served(route_world: RouteWorld) -> Iterator[None]:
    snapshot = route_world.client.backend.snapshot()
    root = route_world.settings
    APP.state.platform = Platform.build(
        root,
        route_world.client,
        route_world.ledger,
        in_memory=True,
        registry_source=FileRegistryAdapter(root.oracle.registry_file),
        session_secret=SESSION_SECRET,
    )
    APP.state.platform.read_model = route_world.indexed()
    with TestClient(APP) as http:
        answer = http.post("/auth/password", json={"organisation": "bank", "password": PASSWORD})
        _TOKENS["bank"] = answer.json()["token"]
    yield
    route_world.client.backend.revert(snapshot)


def _call(case: schemathesis.Case[Any]) -> None:
    headers = None
    if (case.headers is None or "Authorization" not in case.headers) and len(repr(case.body)) % 2 == 0:
        headers = {"Authorization": f"Bearer {_TOKENS['bank']}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


@short_schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_5xx_or_breaks_its_schema(case: schemathesis.Case[Any]) -> None:
    _call(case)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_breaks_its_schema_long(case: schemathesis.Case[Any]) -> None:
    _call(case)
