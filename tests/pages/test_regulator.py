"""The regulator's pages (``api/pages/views/regulator.py``) in Chromium: entries filtered by kind, the export of
the whole history, the verifier (``python -m api.audit verify``) passing on it against the ledger's node, and
naming the row after one row of the export is edited."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.audit.trail import TrailManifest, read_export, sha256_hex
from api.audit.trail_verifier import TrailReport, verify_export
from chain_client.backends.jsonrpc import JsonRpcBackend
from tests.pages.conftest import PagesWorld, screenshot, sign_in

pytestmark = pytest.mark.browser


def verify_cli(export: Path, rpc_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.audit", "verify", str(export), "--rpc", rpc_url],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _check(manifest: TrailManifest, data: bytes, rpc_url: str) -> TrailReport:
    """The verifier in this process (the CLI's own function), for the cases beyond the CLI's two runs."""
    backend = JsonRpcBackend(rpc_url)
    try:
        return verify_export(manifest, data, backend, rpc=rpc_url)
    finally:
        backend.close()


def _download(page: Page, selector: str, path: Path) -> Path:
    with page.expect_download() as download_info:
        page.click(selector)
    download_info.value.save_as(path)
    return path


def _edited(export: Path, out: Path, *, reseal: bool) -> tuple[int, str]:
    """A copy of the CSV export with one number in the arguments of a row in its middle changed (and, with
    ``reseal``, the manifest's digest made to fit the edited file, as a forger would): that row and the
    argument's name."""
    with zipfile.ZipFile(export) as archive:
        manifest = TrailManifest.model_validate_json(archive.read("manifest.json"))
        data = archive.read(manifest.file).decode()
    lines = list(csv.reader(io.StringIO(data)))
    for row in range(len(lines) // 2, len(lines)):
        args = json.loads(lines[row][9])
        numbers = [key for key, value in args.items() if isinstance(value, str) and value.isdigit()]
        if numbers:
            break
    name: str = numbers[0]
    args[name] = str(int(args[name]) + 1)
    lines[row][9] = json.dumps(args, separators=(",", ":"))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    edited = buffer.getvalue().encode()
    if reseal:
        manifest = manifest.model_copy(update={"sha256": sha256_hex(edited)})
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(manifest.file, edited)
        archive.writestr("manifest.json", manifest.model_dump_json())
    return row, name


def test_a_regulator_exports_and_the_verifier_checks_every_row_and_names_an_edited_one(
    pages_world: PagesWorld, page: Page, tmp_path: Path
) -> None:
    world = pages_world
    world.caught_up()
    sign_in(page, "regulator")
    page.goto("/pages/regulator?lang=en")
    # Filter by kind (htmx swaps the table in): only gifts are listed.
    page.select_option("#filters select[name=event]", "DonationReceived")
    page.click("#filters button[type=submit]")
    expect(page.locator("#entries-table tbody tr").first).to_contain_text("DonationReceived")
    entries = page.locator("#entries-table tbody tr")
    assert entries.count() >= 7  # the demo's seven money and points gifts, at least
    for index in range(entries.count()):
        assert "DonationReceived" in entries.nth(index).inner_text()
    screenshot(page, tmp_path, "filtered")
    filtered = _download(page, "#export-jsonl", tmp_path / "gifts.zip")
    manifest, data = read_export(filtered)
    assert manifest.filters == {"event": "DonationReceived"}
    assert manifest.rows == entries.count() == len(data.splitlines())
    assert _check(manifest, data, world.rpc_url).ok

    # The whole history, as CSV.
    page.goto("/pages/regulator?lang=en")
    everything = _download(page, "#export-csv", tmp_path / "audit-trail.zip")
    manifest, data = read_export(everything)
    assert manifest.filters == {}
    assert manifest.rows > 100
    assert manifest.head.hash == "0x" + world.client.backend.get_block(manifest.head.number).hash.hex()  # type: ignore[union-attr]

    passed = verify_cli(everything, world.rpc_url)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert f"{manifest.rows} rows" in passed.stdout
    assert "verified" in passed.stdout

    row, changed = _edited(everything, tmp_path / "edited.zip", reseal=False)
    failed = verify_cli(tmp_path / "edited.zip", world.rpc_url)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    named = [line for line in failed.stdout.splitlines() if line.startswith("row ")]
    assert len(named) == 1, failed.stdout
    assert named[0].startswith(f"row {row} (")
    assert f"args.{changed}" in named[0]
    assert "the file was changed" in failed.stdout

    # A forger who also fixes the manifest's digest is caught by the same row check.
    _edited(everything, tmp_path / "resealed.zip", reseal=True)
    manifest, data = read_export(tmp_path / "resealed.zip")
    report = _check(manifest, data, world.rpc_url)
    assert not report.export_problems
    assert [finding.position for finding in report.rows] == [row]
    screenshot(page, tmp_path, "regulator")


def test_only_the_regulator_exports(pages_world: PagesWorld, page: Page) -> None:
    sign_in(page, "bank-a")
    answer = page.goto("/pages/regulator/export?format=csv&lang=en")
    assert answer is not None
    assert answer.status == 403
    token = pages_world.token("bank-a")
    api = httpx.get(f"{pages_world.url}/audit-trail", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403
    assert api.json()["error"] == "RoleRequired"
    api = httpx.get(f"{pages_world.url}/audit-trail")
    assert api.status_code == 401
