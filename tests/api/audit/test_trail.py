"""api/audit/trail.py: reading an export back names what is wrong with a file that is not one."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.audit.trail import ExportUnreadable, read_export


def test_a_zip_named_file_that_is_not_a_zip_archive_is_named_so(tmp_path: Path) -> None:
    damaged = tmp_path / "audit-trail-181.zip"
    damaged.write_bytes(b"<html>session expired</html>")
    with pytest.raises(ExportUnreadable, match=r"audit-trail-181\.zip is not a zip archive"):
        read_export(damaged)


def test_a_missing_export_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExportUnreadable, match="no export at"):
        read_export(tmp_path / "nothing.zip")


def test_a_manifest_file_that_is_not_json_is_still_reported_as_an_invalid_manifest(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("not json")
    with pytest.raises(ExportUnreadable, match="the manifest is not valid"):
        read_export(tmp_path / "manifest.json")
