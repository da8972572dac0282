"""The audit-trail verifier (``api/audit/trail_verifier.py``, ``python -m api.audit verify``) on the embedded
node and on a real anvil: an export of a ledger's history passes against the node it came from, and every
kind of alteration is named, row by row, using only the export, the ABIs and the node."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_utils import keccak

from api.audit.trail import TrailManifest, parse_rows, sha256_hex, write_data
from api.audit.trail_export import TrailExport, TrailFilters, export_trail
from api.audit.trail_verifier import TrailReport, verify_export
from api.indexer import EventCatalog, Indexer, ReadModel, open_engine
from chain_client import ChainClient
from chain_client.backends import EmbeddedBackend, JsonRpcBackend
from chain_client.embedded.rpc_server import RpcServer
from tests.conftest import ACCOUNTS
from tests.pools_support import TOKEN, World, fund, open_plan, terms

pytestmark = pytest.mark.api


@dataclass(frozen=True)
class Trail:
    rpc_url: str
    read_model: ReadModel
    export: TrailExport

    def check(self, manifest: TrailManifest, data: bytes) -> TrailReport:
        backend = JsonRpcBackend(self.rpc_url)
        try:
            return verify_export(manifest, data, backend, rpc=self.rpc_url)
        finally:
            backend.close()


@pytest.fixture
def trail(world: World, chain: ChainClient, tmp_path: Path) -> Iterator[Trail]:
    """The pools world's history plus a plan and two gifts, indexed from block 0 and exported as CSV."""
    pool_id = open_plan(world, terms(chain))
    fund(world, ACCOUNTS.alice, 50 * TOKEN, f"trail {tmp_path.name}")
    world.welfare.pools.donate_with_permit(ACCOUNTS.alice, pool_id, 30 * TOKEN)
    world.welfare.pools.donate_with_permit(ACCOUNTS.alice, pool_id, 20 * TOKEN)
    addresses = {
        "Consortium": world.foundation.consortium.address,
        "DepositToken": world.foundation.deposit_token.address,
        "InstitutionRegistry": world.registry.address,
        **world.welfare.addresses(),
    }
    engine = open_engine(f"sqlite:///{tmp_path / 'read-model.db'}")
    indexer = Indexer(chain, engine, EventCatalog(chain, addresses))
    while (indexer.run_once().indexed_to or -1) < chain.block_number():
        pass
    read_model = ReadModel(engine)
    export = export_trail(read_model, TrailFilters(), "csv")
    if isinstance(chain.backend, EmbeddedBackend):
        with RpcServer(chain.backend.node, "127.0.0.1", 0) as server:
            yield Trail(server.url, read_model, export)
    else:
        assert isinstance(chain.backend, JsonRpcBackend)
        yield Trail(chain.backend.url, read_model, export)
    engine.dispose()


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def _csv(lines: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    return buffer.getvalue().encode()


def _resealed(manifest: TrailManifest, data: bytes, rows: int | None = None) -> TrailManifest:
    """The manifest a forger would write for ``data``: its digest (and row count) made to fit."""
    return manifest.model_copy(
        update={"sha256": sha256_hex(data), "rows": manifest.rows if rows is None else rows}
    )


def test_an_export_passes_the_verifier_cli_against_the_node_it_came_from(
    trail: Trail, tmp_path: Path
) -> None:
    manifest = trail.export.manifest
    assert manifest.rows > 40  # roles, allow-list, registry, attestations, audits, plan, mints, gifts
    events = {row.row.event for row in parse_rows(trail.export.data, "csv") if row.row is not None}
    assert {
        "RoleGranted",
        "RegistryAttested",
        "InstitutionAudited",
        "PlanLaunched",
        "DonationReceived",
    } <= events
    archive = tmp_path / trail.export.archive_name
    archive.write_bytes(trail.export.archive())
    run = subprocess.run(
        [sys.executable, "-m", "api.audit", "verify", str(archive), "--rpc", trail.rpc_url, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert report["rows_checked"] == manifest.rows
    assert report["head"]["hash"] == manifest.head.hash
    # The same rows as JSON Lines pass too.
    jsonl = export_trail(trail.read_model, TrailFilters(), "jsonl")
    assert jsonl.manifest.rows == manifest.rows
    assert trail.check(jsonl.manifest, jsonl.data).ok


def test_each_edited_row_is_named(trail: Trail) -> None:
    manifest, lines = trail.export.manifest, _rows(trail.export.data)
    gift = next(index for index, line in enumerate(lines) if line[8] == "DonationReceived")
    args = json.loads(lines[gift][9])
    args["amount"] = str(int(args["amount"]) + 1)
    lines[gift][9] = json.dumps(args, separators=(",", ":"))
    lines[3][2] = "0x" + "00" * 32  # another row's block hash
    lines[5][4] = "0x" + keccak(text="no such transaction").hex()  # another row's transaction
    data = _csv(lines)
    report = trail.check(manifest, data)
    assert [finding.position for finding in report.rows] == sorted({3, 5, gift})
    by_row = {finding.position: " ".join(finding.problems) for finding in report.rows}
    assert "args.amount" in by_row[gift]
    assert "block_hash" in by_row[3]
    assert "has no transaction" in by_row[5]
    assert any("the file was changed" in problem for problem in report.export_problems)
    # A forger who also fixes the manifest's digest is caught by the same rows, and only by them.
    resealed = trail.check(_resealed(manifest, data), data)
    assert resealed.export_problems == []
    assert [finding.position for finding in resealed.rows] == sorted({3, 5, gift})


def test_a_deleted_row_is_named_missing_and_a_moved_one_out_of_order(trail: Trail) -> None:
    manifest, lines = trail.export.manifest, _rows(trail.export.data)
    header, rows = lines[0], lines[1:]
    gone = rows.pop(10)
    data = _csv([header, *[[str(n), *row[1:]] for n, row in enumerate(rows, start=1)]])
    report = trail.check(_resealed(manifest, data, rows=len(rows)), data)
    assert report.rows == []
    assert len(report.missing) == 1
    assert f"block {gone[1]}, log {gone[5]}" in report.missing[0]
    assert gone[8] in report.missing[0]

    rows = lines[1:]
    rows[20], rows[21] = rows[21], rows[20]
    data = _csv([header, *rows])
    report = trail.check(_resealed(manifest, data), data)
    assert 21 in {finding.position for finding in report.rows}
    assert any("numbered" in problem for finding in report.rows for problem in finding.problems)


def test_another_chain_or_head_is_refused_as_a_whole(trail: Trail) -> None:
    manifest, data = trail.export.manifest, trail.export.data
    forged_head = manifest.model_copy(
        update={"head": manifest.head.model_copy(update={"hash": "0x" + "ab" * 32}), "chain_id": 1}
    )
    report = trail.check(forged_head, data)
    assert len(report.export_problems) == 2
    assert "chain" in report.export_problems[0]
    assert "head" in report.export_problems[1]
    # A manifest that names another address for a contract makes every row of that contract wrong.
    contracts = {**manifest.contracts, "DepositToken": "0x" + "11" * 20}
    rows = [row.row for row in parse_rows(data, "csv") if row.row is not None]
    token_rows = [row.row for row in rows if row.contract == "DepositToken"]
    report = trail.check(manifest.model_copy(update={"contracts": contracts}), data)
    assert [finding.position for finding in report.rows] == token_rows


def test_a_filtered_export_holds_only_what_its_filters_say(trail: Trail) -> None:
    gifts = export_trail(trail.read_model, TrailFilters(event="DonationReceived"), "jsonl")
    assert gifts.manifest.rows == 2
    assert gifts.manifest.filters == {"event": "DonationReceived"}
    assert trail.check(gifts.manifest, gifts.data).ok
    # A row of another kind smuggled into a filtered export is named, though it is on the chain.
    other = next(row.row for row in parse_rows(trail.export.data, "csv") if row.row is not None)
    rows = [row.row for row in parse_rows(gifts.data, "jsonl") if row.row is not None]
    data = write_data([*rows, dataclasses.replace(other, row=3)], "jsonl")
    report = trail.check(_resealed(gifts.manifest, data, rows=3), data)
    assert [finding.position for finding in report.rows] == [3]
    assert any("outside the export's filter" in problem for problem in report.rows[0].problems)
