"""The regulator's audit trail from the read model: every ledger event, or a filtered part, listed page by page
or exported as CSV or JSON Lines with a manifest (the format: :mod:`api.audit.trail`).

Every answer is read in one snapshot of the read model (:meth:`api.indexer.ReadModel.read`), so the rows,
the head block and the manifest agree. Filters: a plan (``pool_id``), an institution or any account the
event names (``account``), the kind of entry (``event``, the ledger event's name, and/or ``contract``), a
time range (block time, unix seconds) and a block range. Nothing here reads the chain.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass
from typing import Any, Final

from sqlalchemy import Connection, Select, and_, select

from api.audit.trail import (
    DATA_FILES,
    MANIFEST_FILE,
    HeadBlock,
    TrailFormat,
    TrailManifest,
    TrailRow,
    sha256_hex,
    write_data,
)
from api.indexer import MAX_PAGE, IndexerError, InvalidQuery, ReadModel
from api.indexer.read_model import checksum
from api.indexer.schema import blocks, event_accounts, events, indexer_state

__all__ = ["NothingIndexed", "TrailExport", "TrailFilters", "TrailPage", "export_trail", "trail_page"]

EXPORT_BATCH: Final = 5_000


@dataclass(frozen=True)
class TrailFilters:
    """Which events: every field given must hold (None: any)."""

    pool_id: int | None = None
    account: str | None = None
    event: str | None = None
    contract: str | None = None
    from_block: int | None = None
    to_block: int | None = None
    from_time: int | None = None
    to_time: int | None = None

    def __post_init__(self) -> None:
        if self.account is not None:
            object.__setattr__(self, "account", checksum(self.account, "account"))
        for name in ("pool_id", "from_block", "to_block", "from_time", "to_time"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidQuery(f"{name} must not be negative")

    def as_dict(self) -> dict[str, Any]:
        """The filters given (the manifest's ``filters``)."""
        return {key: value for key, value in asdict(self).items() if value is not None}


def _query(filters: TrailFilters) -> Select[Any]:
    query = select(
        events, blocks.c.hash.label("block_hash"), blocks.c.timestamp.label("block_timestamp")
    ).join(blocks, blocks.c.number == events.c.block_number)
    if filters.account is not None:
        named = (
            select(event_accounts.c.block_number, event_accounts.c.log_index)
            .where(event_accounts.c.account == filters.account)
            .distinct()
            .subquery()
        )
        query = query.join(
            named,
            and_(named.c.block_number == events.c.block_number, named.c.log_index == events.c.log_index),
        )
    if filters.pool_id is not None:
        query = query.where(events.c.pool_id == filters.pool_id)
    if filters.event is not None:
        query = query.where(events.c.name == filters.event)
    if filters.contract is not None:
        query = query.where(events.c.contract == filters.contract)
    if filters.from_block is not None:
        query = query.where(events.c.block_number >= filters.from_block)
    if filters.to_block is not None:
        query = query.where(events.c.block_number <= filters.to_block)
    if filters.from_time is not None:
        query = query.where(blocks.c.timestamp >= filters.from_time)
    if filters.to_time is not None:
        query = query.where(blocks.c.timestamp <= filters.to_time)
    return query.order_by(events.c.block_number, events.c.log_index)


def _row(position: int, row: Any) -> TrailRow:
    return TrailRow(
        row=position,
        block_number=row.block_number,
        block_hash=row.block_hash,
        block_timestamp=row.block_timestamp,
        tx_hash=row.tx_hash,
        log_index=row.log_index,
        contract=row.contract,
        address=row.address,
        event=row.name,
        args=row.args,
    )


def _head(connection: Connection, as_of: int | None) -> HeadBlock | None:
    if as_of is None:
        return None
    found = connection.execute(select(blocks).where(blocks.c.number == as_of)).first()
    return (
        None if found is None else HeadBlock(number=found.number, hash=found.hash, timestamp=found.timestamp)
    )


@dataclass(frozen=True)
class TrailPage:
    """One page of the trail (``items``), where the next starts, and the head block it is as of."""

    items: list[TrailRow]
    next_offset: int | None
    head: HeadBlock | None


def trail_page(
    read_model: ReadModel, filters: TrailFilters, *, offset: int = 0, limit: int = 100
) -> TrailPage:
    """Rows ``offset+1 ... offset+limit`` of the trail ``filters`` select, oldest first."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidQuery(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    query = _query(filters).offset(offset).limit(limit + 1)

    def run(connection: Connection, as_of: int | None) -> TrailPage:
        found = list(connection.execute(query))
        return TrailPage(
            items=[_row(offset + index + 1, row) for index, row in enumerate(found[:limit])],
            next_offset=offset + limit if len(found) > limit else None,
            head=_head(connection, as_of),
        )

    return read_model.read(run)


@dataclass(frozen=True)
class TrailExport:
    """A finished export: the data file's bytes and its manifest."""

    data: bytes
    manifest: TrailManifest

    @property
    def archive_name(self) -> str:
        return f"audit-trail-{self.manifest.head.number}.zip"

    def archive(self) -> bytes:
        """The data file and ``manifest.json`` in one zip (what the regulator downloads)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(self.manifest.file, self.data)
            archive.writestr(MANIFEST_FILE, self.manifest.model_dump_json(indent=2) + "\n")
        return buffer.getvalue()


class NothingIndexed(IndexerError):
    """The read model holds no block yet: there is nothing to export."""


def export_trail(read_model: ReadModel, filters: TrailFilters, fmt: TrailFormat) -> TrailExport:
    """Every row ``filters`` select, up to the read model's head, as a data file of format ``fmt`` with
    its manifest. Raises :class:`NothingIndexed` while the read model is empty."""
    query = _query(filters)

    def run(connection: Connection, as_of: int | None) -> TrailExport:
        head = _head(connection, as_of)
        if head is None:
            raise NothingIndexed("the read model has indexed no block yet: nothing to export")
        state = {row.key: row.value for row in connection.execute(select(indexer_state))}
        rows: list[TrailRow] = []
        result = connection.execution_options(yield_per=EXPORT_BATCH).execute(query)
        for row in result:
            rows.append(_row(len(rows) + 1, row))
        data = write_data(rows, fmt)
        manifest = TrailManifest(
            format=fmt,
            file=DATA_FILES[fmt],
            rows=len(rows),
            sha256=sha256_hex(data),
            chain_id=int(state.get("chain_id", "0")),
            head=head,
            contracts=json.loads(state.get("contracts", "{}")),
            filters=filters.as_dict(),
        )
        return TrailExport(data, manifest)

    return read_model.read(run)
