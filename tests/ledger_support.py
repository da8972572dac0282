"""A bootstrapped ledger with the demo data, built once per session on a fresh embedded chain.

The indexer, verify and bootstrap suites share it: :func:`bootstrap_consortium` then :func:`load_demo` (with
``ocr=False``: each institution's key information comes from its registry record; the onboarding flow test
covers OCR, and ``-m slow`` loads the demo with OCR). Its fixture ``demo_ledger`` is imported by the conftest
of each suite; the build is cached, so the session builds it once whichever suite asks first.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from api.bootstrap import Bootstrapped, DemoRecord, bootstrap_consortium, load_demo
from api.indexer.database import write_transaction
from api.indexer.schema import directory
from chain_client import ChainClient, Settings, connect, load_settings

TEST_PASSWORD = "demo-test-password"


@dataclass(frozen=True)
class DemoLedger:
    settings: Settings
    client: ChainClient
    boot: Bootstrapped
    record: DemoRecord

    def addresses(self) -> dict[str, str]:
        return dict(self.boot.ledger.addresses())


_built: list[DemoLedger] = []


def ledger_settings(data_dir: Path) -> Settings:
    """Settings of a ledger in ``data_dir`` with cheap keystores (scrypt N=1024) for tests."""
    return load_settings(data_dir=data_dir, chain={"keystore_scrypt_n": 1024})


@pytest.fixture(scope="session")
def demo_ledger() -> Iterator[DemoLedger]:
    if _built:
        yield _built[0]
        return
    settings = ledger_settings(Path(tempfile.mkdtemp(prefix="demo-ledger-")))
    client = connect(settings.chain)
    boot = bootstrap_consortium(settings, client, password=TEST_PASSWORD)
    record = load_demo(boot, ocr=False)
    _built.append(DemoLedger(settings, client, boot, record))
    yield _built[0]
    _built.clear()
    client.close()
    shutil.rmtree(settings.data_dir, ignore_errors=True)


def copy_directory(ledger: DemoLedger, engine: Engine) -> None:
    """Give a read model at ``engine`` the names the demo's platform recorded in its directory."""
    with ledger.boot.directory.engine.connect() as source:
        rows = [dict(row._mapping) for row in source.execute(select(directory))]
    with write_transaction(engine) as connection:
        connection.execute(insert(directory), rows)
