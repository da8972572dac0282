"""Verification runs over the demo ledger, indexed once into a SQLite read model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.indexer import EventCatalog, Indexer, ReadModel, open_engine
from tests.ledger_support import DemoLedger, copy_directory, demo_ledger

__all__ = ["demo_ledger", "read_model"]


@pytest.fixture(scope="module")
def read_model(demo_ledger: DemoLedger, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadModel]:
    engine = open_engine(f"sqlite:///{tmp_path_factory.mktemp('verify') / 'read-model.db'}")
    Indexer(demo_ledger.client, engine, EventCatalog(demo_ledger.client, demo_ledger.addresses())).run_once()
    copy_directory(demo_ledger, engine)
    yield ReadModel(engine)
    engine.dispose()
