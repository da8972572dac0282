"""oracle/aid/invoices.py: the invoice registry stand-in, its file and HTTP adapters and its service."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from oracle.aid.errors import DatasetInvalid, SourceResponseInvalid, SourceUnavailable
from oracle.aid.invoices import (
    FileInvoiceRegistry,
    HttpInvoiceRegistry,
    InvoiceRecord,
    InvoiceRegistryAdapter,
    create_app,
    read_invoice_registry,
    write_invoice_registry,
)
from tests.aid_cases import generated


@pytest.fixture
def invoices(tmp_path: Path) -> tuple[Path, list[InvoiceRecord]]:
    records = generated().invoices
    return write_invoice_registry(records, tmp_path / "invoices.jsonl"), records


def _one_digit_off(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def test_the_file_registry_answers_exactly_and_never_the_nearest(
    invoices: tuple[Path, list[InvoiceRecord]],
) -> None:
    path, records = invoices
    registry = FileInvoiceRegistry(path)
    assert isinstance(registry, InvoiceRegistryAdapter)
    assert read_invoice_registry(path) == records
    first = records[0]
    assert registry.fetch(first.code, first.number) == first
    assert registry.fetch(first.code, _one_digit_off(first.number)) is None
    assert registry.fetch(_one_digit_off(first.code), first.number) is None
    assert registry.fetch(first.code, first.number + "0") is None
    assert registry.fetch("", "") is None


def test_the_file_registry_sees_a_change_and_names_a_broken_file(
    invoices: tuple[Path, list[InvoiceRecord]],
) -> None:
    path, records = invoices
    registry = FileInvoiceRegistry(path)
    write_invoice_registry(records[1:], path)
    assert registry.fetch(records[0].code, records[0].number) is None
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(DatasetInvalid) as raised:
        registry.fetch(records[1].code, records[1].number)
    assert raised.value.line == len(records)
    path.unlink()
    with pytest.raises(SourceUnavailable):
        registry.fetch(records[1].code, records[1].number)


def test_the_http_adapter_speaks_the_service(invoices: tuple[Path, list[InvoiceRecord]]) -> None:
    path, records = invoices
    client = TestClient(create_app(path), base_url="http://invoices")
    with HttpInvoiceRegistry("http://invoices", client=client) as registry:
        assert registry.fetch(records[0].code, records[0].number) == records[0]
        assert registry.fetch(records[0].code, _one_digit_off(records[0].number)) is None
    assert client.get("/invoices/x/y").status_code == 422


def test_an_unreachable_or_lying_service_is_not_taken_for_no_invoice(
    invoices: tuple[Path, list[InvoiceRecord]],
) -> None:
    _, records = invoices
    first = records[0]

    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    def lying(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=records[1].model_dump_json())

    def refusing(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    for handler, error in (
        (failing, SourceUnavailable),
        (lying, SourceResponseInvalid),
        (refusing, SourceUnavailable),
    ):
        registry = HttpInvoiceRegistry(
            "http://invoices", client=httpx.Client(transport=httpx.MockTransport(handler))
        )
        with pytest.raises(error):
            registry.fetch(first.code, first.number)


def test_an_invoice_whose_total_is_not_its_lines_is_not_a_record() -> None:
    record = generated().invoices[0]
    with pytest.raises(ValueError, match="sum of the lines"):
        InvoiceRecord.model_validate({**record.model_dump(), "total_fen": record.total_fen + 1})
