"""The registry stand-in service and the adapters that read it: record, absent, malformed, unavailable."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from oracle.errors import (
    InvalidCreditCode,
    RegistryDatasetInvalid,
    RegistryResponseInvalid,
    RegistryUnavailable,
)
from oracle.registry.adapters import FileRegistryAdapter, HttpRegistryAdapter, RegistryAdapter
from oracle.registry.credit_code import compose
from oracle.registry.dataset import generate_registry, write_registry
from oracle.registry.records import RegistryRecord
from oracle.registry.service import MAX_PAGE, create_app

# A well-formed code that the generated registry does not contain.
ABSENT_CODE = compose("5", "3", "110000", "00000001")


@pytest.fixture(scope="module")
def records() -> list[RegistryRecord]:
    return generate_registry(60)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, records: list[RegistryRecord]) -> Path:
    return write_registry(records, tmp_path_factory.mktemp("registry") / "registry.jsonl")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def service_url(dataset: Path) -> Iterator[str]:
    """The service on a free loopback port, served by uvicorn in a thread for the module."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(dataset), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "registry service did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def client(service_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service_url) as http:
        yield http


class TestService:
    def test_a_record_is_served_under_its_code(
        self, client: httpx.Client, records: list[RegistryRecord]
    ) -> None:
        response = client.get(f"/records/{records[7].credit_code}")
        assert response.status_code == 200
        assert RegistryRecord.model_validate_json(response.content) == records[7]

    def test_an_unknown_code_is_404_with_a_reason(self, client: httpx.Client) -> None:
        response = client.get(f"/records/{ABSENT_CODE}")
        assert response.status_code == 404
        assert response.json()["detail"] == {
            "reason": "no institution is registered under this code",
            "credit_code": ABSENT_CODE,
        }

    @pytest.mark.parametrize(
        ("code", "reason"),
        [("123", "must be 18 characters"), (ABSENT_CODE[:-1] + "0", "check character")],
    )
    def test_a_malformed_code_is_422_with_the_reason(
        self, client: httpx.Client, code: str, reason: str
    ) -> None:
        response = client.get(f"/records/{code}")
        assert response.status_code == 422
        assert reason in response.json()["detail"]["reason"]

    def test_records_are_listed_by_page(self, client: httpx.Client, records: list[RegistryRecord]) -> None:
        page = client.get("/records", params={"offset": 50, "limit": 20}).json()
        assert (page["total"], page["offset"], page["limit"]) == (60, 50, 20)
        assert [RegistryRecord.model_validate(item) for item in page["records"]] == records[50:]
        assert len(client.get("/records").json()["records"]) == 50

    @pytest.mark.parametrize("params", [{"offset": -1}, {"limit": 0}, {"limit": MAX_PAGE + 1}])
    def test_bad_paging_is_422(self, client: httpx.Client, params: dict[str, int]) -> None:
        assert client.get("/records", params=params).status_code == 422

    def test_a_broken_dataset_fails_at_build_time(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.jsonl"
        broken.write_text("{not json}\n", encoding="utf-8")
        with pytest.raises(RegistryDatasetInvalid, match=r"broken\.jsonl:1"):
            create_app(broken)


@pytest.fixture(params=["file", "http"])
def adapter(request: pytest.FixtureRequest, dataset: Path, service_url: str) -> Iterator[RegistryAdapter]:
    """Both adapters, so that one suite proves they give the same answers."""
    if request.param == "file":
        yield FileRegistryAdapter(dataset)
    else:
        with HttpRegistryAdapter(service_url) as http:
            yield http


class TestAdapters:
    def test_fetch_returns_the_record(self, adapter: RegistryAdapter, records: list[RegistryRecord]) -> None:
        assert isinstance(adapter, RegistryAdapter)
        for record in (records[0], records[31], records[-1]):
            assert adapter.fetch(record.credit_code) == record

    def test_fetch_returns_none_for_an_unknown_code(self, adapter: RegistryAdapter) -> None:
        assert adapter.fetch(ABSENT_CODE) is None

    def test_a_malformed_code_is_refused_before_asking(self, adapter: RegistryAdapter) -> None:
        with pytest.raises(InvalidCreditCode, match="check character"):
            adapter.fetch(ABSENT_CODE[:-1] + "0")


def test_the_http_adapter_maps_a_refused_connection_to_unavailable() -> None:
    with (
        HttpRegistryAdapter(f"http://127.0.0.1:{_free_port()}", timeout=2) as adapter,
        pytest.raises(RegistryUnavailable, match="ConnectError") as raised,
    ):
        adapter.fetch(ABSENT_CODE)
    assert raised.value.source.startswith("http://127.0.0.1:")


def _adapter_over(handler: httpx.MockTransport) -> HttpRegistryAdapter:
    return HttpRegistryAdapter("http://registry.test", client=httpx.Client(transport=handler))


def test_a_server_error_is_unavailable_not_absent() -> None:
    adapter = _adapter_over(httpx.MockTransport(lambda request: httpx.Response(503)))
    with pytest.raises(RegistryUnavailable, match="HTTP 503"):
        adapter.fetch(ABSENT_CODE)


def test_a_timeout_is_unavailable() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(RegistryUnavailable, match="ReadTimeout"):
        _adapter_over(httpx.MockTransport(timeout)).fetch(ABSENT_CODE)


def test_a_record_for_another_code_is_an_invalid_response(records: list[RegistryRecord]) -> None:
    other = records[3].model_dump_json()
    adapter = _adapter_over(httpx.MockTransport(lambda request: httpx.Response(200, content=other)))
    with pytest.raises(RegistryResponseInvalid, match="asked for"):
        adapter.fetch(records[4].credit_code)


def test_a_body_that_is_not_a_record_is_an_invalid_response(records: list[RegistryRecord]) -> None:
    adapter = _adapter_over(httpx.MockTransport(lambda request: httpx.Response(200, json={"name": "x"})))
    with pytest.raises(RegistryResponseInvalid, match="not a registry record"):
        adapter.fetch(records[4].credit_code)


def test_the_file_adapter_sees_changes_to_the_file(tmp_path: Path, records: list[RegistryRecord]) -> None:
    path = write_registry(records[:5], tmp_path / "registry.jsonl")
    adapter = FileRegistryAdapter(path)
    assert adapter.fetch(records[6].credit_code) is None
    write_registry(records[:7], path)
    assert adapter.fetch(records[6].credit_code) == records[6]
    assert len(adapter) == 7


def test_the_file_adapter_reports_a_vanished_file_as_unavailable(
    tmp_path: Path, records: list[RegistryRecord]
) -> None:
    path = write_registry(records[:5], tmp_path / "registry.jsonl")
    adapter = FileRegistryAdapter(path)
    path.unlink()
    with pytest.raises(RegistryUnavailable, match="cannot read"):
        adapter.fetch(records[0].credit_code)
