"""chain_client/config.py: one settings root, one data directory, sections overridable by environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from chain_client.config import Settings, load_settings


def test_every_path_derives_from_the_one_data_directory(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    paths = [
        settings.chain.chain_db_path,
        settings.chain.deployment_path,
        settings.chain.keystore_dir,
        settings.chain.nonce_lock_dir,
        settings.oracle.registry_file,
        settings.oracle.record_book,
        settings.oracle.bank_db,
        settings.documents.directory,
    ]
    assert all(path.is_relative_to(tmp_path) for path in paths)
    assert settings.orders.delivery_database_url == f"sqlite:///{tmp_path / 'orders.db'}"


def test_the_environment_moves_the_data_directory_and_sets_nested_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEDGER_CHAIN__BACKEND", "jsonrpc")
    monkeypatch.setenv("LEDGER_CHAIN__RPC_URL", "http://10.0.0.5:8545")
    monkeypatch.setenv("LEDGER_ORACLE__THRESHOLD", "3")
    settings = Settings()
    assert settings.chain.backend == "jsonrpc"
    assert settings.chain.rpc_url == "http://10.0.0.5:8545"
    assert settings.oracle.threshold == 3
    assert settings.chain.chain_db_path == tmp_path / "chain" / "chain.db"
    assert settings.documents.directory == tmp_path / "documents"


def test_an_unknown_field_in_a_section_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_CHAIN__BAKEND", "jsonrpc")
    with pytest.raises(ValueError, match="bakend"):
        Settings()
