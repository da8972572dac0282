"""The audit trail's export format: one row per ledger event, a manifest, and how both are read back.

An export is two files, usually zipped together (``audit-trail-<head>.zip``):

* the data file, ``audit-trail.csv`` (RFC 4180, UTF-8, a header line) or ``audit-trail.jsonl`` (JSON Lines,
  one object per line), one row per event in chain order with the columns of :data:`COLUMNS`: ``row`` (1, 2,
  ...), ``block_number``, ``block_hash``, ``block_timestamp`` (unix seconds), ``tx_hash``, ``log_index``,
  ``contract`` (the ledger contract's name), ``address`` (its address), ``event`` (the event's name) and
  ``args``, the decoded arguments as the contract's ABI names them (integers as decimal strings, bytes as
  0x-hex, addresses EIP-55 checksummed, structs as objects; in CSV a JSON object in one cell);
* ``manifest.json`` (:class:`TrailManifest`): the row count, the SHA-256 digest of the data file, the head
  block (number and hash) the export is as of, the chain id, every contract's address and the filters used.

Anyone can check an export against any Ethereum JSON-RPC node with the contracts' ABIs alone:
``python -m api.audit verify EXPORT --rpc URL`` (:mod:`api.audit.trail_verifier`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from chain_client.abi import AbiEntry, _abi_type

__all__ = [
    "COLUMNS",
    "DATA_FILES",
    "MANIFEST_FILE",
    "ExportUnreadable",
    "HeadBlock",
    "ParsedRow",
    "TrailFormat",
    "TrailManifest",
    "TrailRow",
    "event_signature",
    "parse_rows",
    "read_export",
    "sha256_hex",
]

TrailFormat = Literal["csv", "jsonl"]
COLUMNS: Final = (
    "row",
    "block_number",
    "block_hash",
    "block_timestamp",
    "tx_hash",
    "log_index",
    "contract",
    "address",
    "event",
    "args",
)
DATA_FILES: Final[dict[TrailFormat, str]] = {"csv": "audit-trail.csv", "jsonl": "audit-trail.jsonl"}
MANIFEST_FILE: Final = "manifest.json"
FORMAT_VERSION: Final = 1


class ExportUnreadable(ValueError):
    """The export cannot be read: no manifest, no data file, or a manifest that is not one."""


@dataclass(frozen=True)
class TrailRow:
    """One ledger event as an export row."""

    row: int
    block_number: int
    block_hash: str
    block_timestamp: int
    tx_hash: str
    log_index: int
    contract: str
    address: str
    event: str
    args: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in COLUMNS}

    def csv_fields(self) -> list[str]:
        return [
            str(self.row),
            str(self.block_number),
            self.block_hash,
            str(self.block_timestamp),
            self.tx_hash,
            str(self.log_index),
            self.contract,
            self.address,
            self.event,
            canonical_json(self.args),
        ]


def canonical_json(value: Any) -> str:
    """Compact JSON, UTF-8 characters kept, keys in the order given (the ABI's)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class HeadBlock(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    hash: str
    timestamp: int


class TrailManifest(BaseModel):
    """What an export is: enough to check it is complete and unaltered, against any node."""

    model_config = ConfigDict(frozen=True)

    format_version: int = FORMAT_VERSION
    format: TrailFormat
    file: str = Field(description="the data file's name beside this manifest")
    rows: int = Field(description="how many rows the data file holds")
    sha256: str = Field(description="SHA-256 of the data file's bytes, hex")
    chain_id: int
    head: HeadBlock = Field(description="the newest block the read model had indexed: the export is as of it")
    contracts: dict[str, str] = Field(description="ledger contract name -> address")
    filters: dict[str, Any] = Field(description="the filters that selected the rows (empty: every event)")

    @property
    def complete(self) -> bool:
        """Whether the export claims every ledger event up to the head (no filter)."""
        return not self.filters


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def event_signature(entry: AbiEntry) -> str:
    """The canonical signature of an ABI event entry, ``DonationReceived(uint256,address,...)``: its
    keccak256 is the log's ``topics[0]`` (Solidity ABI specification, "Events")."""
    return f"{entry['name']}({','.join(_abi_type(item) for item in entry['inputs'])})"


def write_data(rows: list[TrailRow], fmt: TrailFormat) -> bytes:
    """The data file's bytes for ``rows`` in format ``fmt``."""
    if fmt == "jsonl":
        return "".join(canonical_json(row.to_json()) + "\n" for row in rows).encode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.csv_fields())
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------- reading


def read_export(path: Path) -> tuple[TrailManifest, bytes]:
    """The manifest and the data file's bytes of the export at ``path``: a ``.zip`` holding both, a directory
    holding both, or the manifest file itself (its data file beside it). Raises :class:`ExportUnreadable`."""
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST_FILE not in names:
                raise ExportUnreadable(f"{path} holds no {MANIFEST_FILE}")
            manifest = _manifest(archive.read(MANIFEST_FILE), path)
            if manifest.file not in names:
                raise ExportUnreadable(f"{path} holds no {manifest.file}, which its manifest names")
            return manifest, archive.read(manifest.file)
    if path.is_file() and path.suffix.lower() == ".zip":
        raise ExportUnreadable(f"{path} is not a zip archive (a damaged or incomplete download?)")
    manifest_path = path / MANIFEST_FILE if path.is_dir() else path
    if not manifest_path.is_file():
        raise ExportUnreadable(f"no export at {path}: give the .zip, its folder, or its {MANIFEST_FILE}")
    manifest = _manifest(manifest_path.read_bytes(), manifest_path)
    data_path = manifest_path.parent / manifest.file
    if not data_path.is_file():
        raise ExportUnreadable(f"{data_path} is missing (the manifest names it)")
    return manifest, data_path.read_bytes()


def _manifest(raw: bytes, where: Path) -> TrailManifest:
    try:
        return TrailManifest.model_validate_json(raw)
    except ValueError as exc:
        raise ExportUnreadable(f"{where}: the manifest is not valid: {exc}") from None


@dataclass(frozen=True)
class ParsedRow:
    """A data line read back: its position (1-based, header excluded), and its row or why it is unreadable."""

    position: int
    row: TrailRow | None
    error: str | None = None


def _row_from(values: dict[str, Any]) -> TrailRow:
    missing = [column for column in COLUMNS if column not in values]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    args = values["args"]
    if isinstance(args, str):
        args = json.loads(args)
    if not isinstance(args, dict):
        raise ValueError("args is not a JSON object")
    return TrailRow(
        row=int(values["row"]),
        block_number=int(values["block_number"]),
        block_hash=str(values["block_hash"]),
        block_timestamp=int(values["block_timestamp"]),
        tx_hash=str(values["tx_hash"]),
        log_index=int(values["log_index"]),
        contract=str(values["contract"]),
        address=str(values["address"]),
        event=str(values["event"]),
        args=args,
    )


def parse_rows(data: bytes, fmt: TrailFormat) -> Iterator[ParsedRow]:
    """Every data line of an export, in file order; a line that cannot be read is yielded with its error."""
    text = data.decode("utf-8", errors="replace")
    if fmt == "jsonl":
        for position, line in enumerate((line for line in text.split("\n") if line.strip()), start=1):
            try:
                values = json.loads(line)
                if not isinstance(values, dict):
                    raise ValueError("not a JSON object")
                yield ParsedRow(position, _row_from(values))
            except ValueError as exc:
                yield ParsedRow(position, None, f"unreadable: {exc}")
        return
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        yield ParsedRow(0, None, f"the header is {header!r}, not {list(COLUMNS)!r}")
        return
    for position, fields in enumerate(reader, start=1):
        try:
            if len(fields) != len(COLUMNS):
                raise ValueError(f"{len(fields)} fields, not {len(COLUMNS)}")
            yield ParsedRow(position, _row_from(dict(zip(COLUMNS, fields, strict=True))))
        except ValueError as exc:
            yield ParsedRow(position, None, f"unreadable: {exc}")
