"""Fixtures of the oracle tests: a registry contract per backend and a generated government registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from chain_client import ChainClient
from chain_client.contracts import InstitutionRegistry, deploy_institution_registry
from chain_client.deploy import Foundation
from oracle.publisher import AttestationPublisher, OracleOperator, RecordBook
from oracle.registry.dataset import generate_registry, write_registry
from oracle.registry.records import RegistryRecord
from tests.conftest import ACCOUNTS
from tests.registry_support import FileSource


@pytest.fixture(scope="module")
def module_registry(session_client: ChainClient, session_foundation: Foundation) -> InstitutionRegistry:
    return deploy_institution_registry(
        session_client, ACCOUNTS.admin, session_foundation.consortium.address, 2
    )


@pytest.fixture
def registry(module_registry: InstitutionRegistry, chain: ChainClient) -> InstitutionRegistry:
    return module_registry


@pytest.fixture(scope="session")
def records() -> list[RegistryRecord]:
    return generate_registry(40)


@pytest.fixture
def registry_file(tmp_path: Path, records: list[RegistryRecord]) -> Path:
    return write_registry(records, tmp_path / "registry.jsonl")


@pytest.fixture
def source(registry_file: Path) -> FileSource:
    return FileSource(registry_file)


@pytest.fixture
def publisher(registry: InstitutionRegistry, source: FileSource) -> AttestationPublisher:
    operators = [
        OracleOperator(oracle, source) for oracle in (ACCOUNTS.oracle1, ACCOUNTS.oracle2, ACCOUNTS.oracle3)
    ]
    return AttestationPublisher(registry, operators, ACCOUNTS.oracle1, book=RecordBook())
