"""Fixtures of the onboarding flow: a generated registry, rendered certificates read once per module."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from api.documents.store import DocumentStore
from api.intake.key_info import KeyInformation
from api.intake.ocr import extract_key_information
from oracle.registry.certificates import CertificateKind, render_certificate
from oracle.registry.dataset import generate_registry
from oracle.registry.records import RegistryRecord

REGISTRY_SIZE = 60


@pytest.fixture(scope="session")
def flow_records() -> list[RegistryRecord]:
    return generate_registry(REGISTRY_SIZE)


def _png(record: RegistryRecord, kind: CertificateKind) -> bytes:
    buffer = io.BytesIO()
    render_certificate(record, kind).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def certificates_of() -> Callable[[RegistryRecord], list[bytes]]:
    """The three rendered certificate images of a record (PNG bytes), rendered once per session."""
    cache: dict[str, list[bytes]] = {}

    def render(record: RegistryRecord) -> list[bytes]:
        if record.credit_code not in cache:
            cache[record.credit_code] = [_png(record, kind) for kind in CertificateKind]
        return cache[record.credit_code]

    return render


@pytest.fixture(scope="session")
def key_info_of(
    certificates_of: Callable[[RegistryRecord], list[bytes]],
) -> Callable[[RegistryRecord], KeyInformation]:
    """What OCR reads from a record's certificates, read once per session."""
    cache: dict[str, KeyInformation] = {}

    def read(record: RegistryRecord) -> KeyInformation:
        if record.credit_code not in cache:
            cache[record.credit_code] = extract_key_information(certificates_of(record))
        return cache[record.credit_code]

    return read


@pytest.fixture(scope="session")
def document_store(tmp_path_factory: pytest.TempPathFactory) -> DocumentStore:
    directory: Path = tmp_path_factory.mktemp("documents")
    return DocumentStore(directory, bytes(range(32)))
