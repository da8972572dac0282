"""The medical-invoice registry: a generated stand-in and the adapters that ask it.

A hospital's invoice for medical charges (医疗收费票据, a 财政票据 issued under the Ministry of Finance's
rules) is filed with the fiscal authority under its invoice code (票据代码) and number (票据号码); anyone
can ask whether an invoice with that code and number was issued, to whom, by whom, when and for how much.
Individual aid checks every bill an applicant presents that way. The real registry cannot be reached from
tests or demos, so this module keeps a generated one as JSON lines, with the same answers.

Lookups are exact: the code and the number are matched character for character, never "nearest"; an
invoice whose number differs from a registered one in a single digit is not registered. Every adapter keeps
the three answers apart: a record, ``None`` (no such invoice), or
:class:`~oracle.aid.errors.SourceUnavailable` (nobody knows).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol, Self, runtime_checkable

import structlog
from fastapi import FastAPI, HTTPException
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from oracle.aid.errors import DatasetInvalid, SourceResponseInvalid, SourceUnavailable
from oracle.http_record import HttpRecordSource
from oracle.jsonl import read_records, write_records

log = structlog.get_logger(__name__)

RECORD_SCHEMA = "welfare-aid-ledger/medical-invoice/v1"

CODE_LENGTH = 8
NUMBER_LENGTH = 10
_CODE = re.compile(rf"\d{{{CODE_LENGTH}}}")
_NUMBER = re.compile(rf"\d{{{NUMBER_LENGTH}}}")


def _invoice_code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError(f"an invoice code is {CODE_LENGTH} digits, got {value!r}")
    return value


def _invoice_number(value: str) -> str:
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"an invoice number is {NUMBER_LENGTH} digits, got {value!r}")
    return value


InvoiceCode = Annotated[str, AfterValidator(_invoice_code)]
InvoiceNumber = Annotated[str, AfterValidator(_invoice_number)]


class InvoiceKind(StrEnum):
    OUTPATIENT = "outpatient"
    """门诊收费票据."""
    INPATIENT = "inpatient"
    """住院收费票据."""


class InvoiceLine(BaseModel):
    """One charge on an invoice: an item (西药费, 检查费, ...) and its amount in 分."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: str = Field(min_length=1, max_length=20)
    amount_fen: int = Field(gt=0)


class InvoiceRecord(BaseModel):
    """An issued medical invoice as the registry files it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: InvoiceCode
    number: InvoiceNumber
    kind: InvoiceKind
    issuer_name: str = Field(min_length=1, max_length=100)
    """The hospital that issued it (收款单位), as registered."""
    issuer_credit_code: str = Field(min_length=18, max_length=18)
    payer_name: str = Field(min_length=1, max_length=40)
    """交款人."""
    payer_id_number: str = Field(min_length=1, max_length=40)
    """The payer's citizen ID number (交款人统一社会信用代码: a person's is their ID number)."""
    issued_on: datetime.date
    lines: tuple[InvoiceLine, ...] = Field(min_length=1, max_length=12)
    total_fen: int = Field(gt=0)

    @model_validator(mode="after")
    def _total_is_the_sum(self) -> Self:
        if self.total_fen != sum(line.amount_fen for line in self.lines):
            raise ValueError("total_fen is not the sum of the lines")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return self.code, self.number


def write_invoice_registry(records: Iterable[InvoiceRecord], path: Path) -> Path:
    """Write records as JSON lines (UTF-8), replacing ``path`` atomically."""
    count = write_records(records, path)
    log.info("invoice_registry_written", path=str(path), records=count)
    return path


def read_invoice_registry(path: Path) -> list[InvoiceRecord]:
    """Read a JSON-lines invoice registry; raises :class:`DatasetInvalid` naming the bad line."""
    return read_records(path, InvoiceRecord, DatasetInvalid)


def index_invoices(records: Sequence[InvoiceRecord]) -> dict[tuple[str, str], InvoiceRecord]:
    """Records keyed by (code, number); a duplicate key is a broken registry."""
    index: dict[tuple[str, str], InvoiceRecord] = {}
    for record in records:
        if record.key in index:
            raise ValueError(f"duplicate invoice {record.code}/{record.number}")
        index[record.key] = record
    return index


def canonical_json(record: InvoiceRecord) -> bytes:
    """The record as canonical JSON (sorted keys, no whitespace, UTF-8, schema tag): what a decision digests."""
    fields = record.model_dump(mode="json")
    fields["schema"] = RECORD_SCHEMA
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@runtime_checkable
class InvoiceRegistryAdapter(Protocol):
    """A source of issued medical invoices, keyed by invoice code and number."""

    def fetch(self, code: str, number: str) -> InvoiceRecord | None:
        """The invoice issued under exactly this code and number, or ``None`` if none was.

        Raises :class:`SourceUnavailable` when the registry cannot be asked and
        :class:`SourceResponseInvalid` when its answer is not a record of that invoice. A code or number that
        is not well-formed is answered ``None`` (no invoice is filed under it) without asking.
        """
        ...


def _well_formed(code: str, number: str) -> bool:
    return bool(_CODE.fullmatch(code) and _NUMBER.fullmatch(number))


class FileInvoiceRegistry:
    """Serves invoices from a JSON-lines file, re-read whenever its size or modification time changes."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp: tuple[int, int] | None = None
        self._records: dict[tuple[str, str], InvoiceRecord] = {}
        self._reload_if_changed()

    def _reload_if_changed(self) -> None:
        try:
            stat = self._path.stat()
        except OSError as error:
            raise SourceUnavailable(str(self._path), f"cannot read: {error.strerror or error}") from error
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._records = index_invoices(read_invoice_registry(self._path))
            self._stamp = stamp
            log.info("invoice_registry_loaded", path=str(self._path), records=len(self._records))

    def fetch(self, code: str, number: str) -> InvoiceRecord | None:
        """The invoice filed under exactly ``code`` and ``number``, or ``None``."""
        if not _well_formed(code, number):
            return None
        self._reload_if_changed()
        return self._records.get((code, number))

    def __len__(self) -> int:
        return len(self._records)


class HttpInvoiceRegistry(HttpRecordSource):
    """Asks an invoice registry service speaking the API of :func:`create_app`.

    ``GET {base_url}/invoices/{code}/{number}``: 200 with the record, 404 when there is none; anything else
    (connection errors, timeouts, 5xx) is :class:`SourceUnavailable`.
    """

    def fetch(self, code: str, number: str) -> InvoiceRecord | None:
        if not _well_formed(code, number):
            return None
        record = self._get_record(
            f"/invoices/{code}/{number}",
            InvoiceRecord,
            key=f"{code}/{number}",
            kind="an invoice",
            unavailable=SourceUnavailable,
            invalid=SourceResponseInvalid,
        )
        if record is not None and record.key != (code, number):
            raise SourceResponseInvalid(
                self._base_url, f"asked for {code}/{number}, got {record.code}/{record.number}"
            )
        return record


def create_app(dataset_path: Path) -> FastAPI:
    """The invoice-registry stand-in over the JSON-lines file at ``dataset_path`` (read once, at build time)."""
    by_key = index_invoices(read_invoice_registry(dataset_path))
    app = FastAPI(title="Medical-invoice registry (stand-in)", version="1")

    @app.get("/invoices/{code}/{number}", response_model=InvoiceRecord)
    def get_invoice(code: str, number: str) -> InvoiceRecord:
        """The invoice issued under exactly this code and number."""
        if not _well_formed(code, number):
            raise HTTPException(status_code=422, detail={"reason": "not an invoice code and number"})
        record = by_key.get((code, number))
        if record is None:
            raise HTTPException(
                status_code=404, detail={"reason": "no invoice was issued under this code and number"}
            )
        return record

    return app
