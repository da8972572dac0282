"""OCR intake benchmark: field accuracy and seconds per certificate on rendered certificates.

Renders the three certificates of each benchmark institution, clean and degraded (noisy, rotated,
low-resolution), reads them one at a time with :func:`api.intake.ocr.read_certificate` (timed per
image) and merges each institution's three readings as onboarding does. Figures:

- ``ocr_field_accuracy_clean`` / ``ocr_field_accuracy_noisy``: share of key-information fields
  (5 per institution) equal to the registry's after merging; "noisy" pools all degraded variants,
  ``ocr_field_accuracy_by_distortion`` and ``ocr_field_accuracy_by_field`` break them down.
- ``ocr_document_field_accuracy_*``: the same per single certificate, for each field it prints
  (no help from the other two documents).
- ``ocr_field_accuracy_*_tolerant``: fields equal to the registry's, or differing only at characters
  the OCR flagged as doubtful (what an audit sending doubtful mismatches to a human would pass on).
- ``ocr_second_reading_share``: certificates that needed a second reading at another scale.
- ``ocr_seconds_per_certificate_mean`` / ``_p95``: one image, decode to fields, sequentially.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import structlog
from rich.console import Console
from rich.progress import Progress

from api.intake.key_info import FieldName, KeyInformation, normalize_text
from api.intake.ocr import CertificateReading, merge_readings, read_certificate
from oracle.registry.certificates import CertificateKind, Distortion, write_certificates
from oracle.registry.dataset import generate_registry
from oracle.registry.records import RegistryRecord

FULL_INSTITUTIONS = 40
QUICK_INSTITUTIONS = 8
SEED = 2024

_PRINTED: dict[CertificateKind, tuple[FieldName, ...]] = {
    CertificateKind.REGISTRATION: (FieldName.CREDIT_CODE, FieldName.NAME, FieldName.LEGAL_REPRESENTATIVE),
    CertificateKind.LEGAL_PERSON: (FieldName.CREDIT_CODE, FieldName.NAME, FieldName.LEGAL_REPRESENTATIVE),
    CertificateKind.ACCOUNT_PERMIT: (
        FieldName.NAME,
        FieldName.LEGAL_REPRESENTATIVE,
        FieldName.ACCOUNT_BANK,
        FieldName.ACCOUNT_LOCATION,
    ),
}


class _Tally:
    """Correct / total counts under string keys."""

    def __init__(self) -> None:
        self.correct: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)

    def add(self, keys: tuple[str, ...], ok: bool) -> None:
        for key in keys:
            self.total[key] += 1
            self.correct[key] += ok

    def share(self, key: str) -> float:
        return round(self.correct[key] / self.total[key], 4) if self.total[key] else 0.0


def _institutions(count: int) -> list[RegistryRecord]:
    """``count`` records spread over the default registry, so every kind of institution takes part."""
    registry = generate_registry()
    step = max(1, len(registry) // count)
    return registry[::step][:count]


def _group(distortion: Distortion) -> str:
    return "clean" if distortion is Distortion.CLEAN else "noisy"


def _expected(record: RegistryRecord, field: FieldName) -> str:
    return normalize_text(getattr(record, field.value))


def _only_doubtful_differ(info: KeyInformation, field: FieldName, expected: str) -> bool:
    """Whether the read value differs from the registry's only where OCR flagged its doubt."""
    read = info.value(field)
    evidence = info.evidence.get(field)
    if read is None or evidence is None or len(read) != len(expected):
        return False
    differing = {i for i, (a, b) in enumerate(zip(read, expected, strict=True)) if a != b}
    return differing <= set(evidence.doubtful_characters)


def run(quick: bool) -> dict[str, object]:
    """Render, read and score the benchmark certificates; returns the figures."""
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )
    records = _institutions(QUICK_INSTITUTIONS if quick else FULL_INSTITUTIONS)
    merged, documents, tolerant = _Tally(), _Tally(), _Tally()
    seconds: list[float] = []
    second_passes = 0
    misreads: list[str] = []
    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as workdir, Progress(console=console) as progress:
        task = progress.add_task(
            "reading certificates", total=len(records) * len(Distortion) * len(CertificateKind)
        )
        for record in records:
            for distortion in Distortion:
                paths = write_certificates(record, Path(workdir), distortion, seed=SEED)
                readings: list[CertificateReading] = []
                for kind, path in zip(CertificateKind, paths, strict=True):
                    reading = read_certificate(path)
                    seconds.append(reading.seconds)
                    second_passes += reading.passes > 1
                    readings.append(reading)
                    for field in _PRINTED[kind]:
                        documents.add((_group(distortion),), reading.value(field) == _expected(record, field))
                    progress.advance(task)
                info = merge_readings(readings)
                for field in FieldName:
                    ok = info.value(field) == _expected(record, field)
                    group = _group(distortion)
                    merged.add((group, distortion.value, f"{group}:{field.value}", "all"), ok)
                    tolerant.add((group,), ok or _only_doubtful_differ(info, field, _expected(record, field)))
                    if not ok:
                        misreads.append(
                            f"{distortion.value} {field.value}: read {info.value(field)!r}, "
                            f"registered {_expected(record, field)!r}"
                        )
    for misread in misreads:
        console.print(f"misread {misread}", highlight=False)
    ordered = sorted(seconds)
    return {
        "ocr_institutions": len(records),
        "ocr_certificates": len(seconds),
        "ocr_field_accuracy": merged.share("all"),
        "ocr_field_accuracy_clean": merged.share("clean"),
        "ocr_field_accuracy_noisy": merged.share("noisy"),
        "ocr_field_accuracy_by_distortion": {d.value: merged.share(d.value) for d in Distortion},
        "ocr_field_accuracy_by_field": {
            group: {field.value: merged.share(f"{group}:{field.value}") for field in FieldName}
            for group in ("clean", "noisy")
        },
        "ocr_field_accuracy_clean_tolerant": tolerant.share("clean"),
        "ocr_field_accuracy_noisy_tolerant": tolerant.share("noisy"),
        "ocr_document_field_accuracy_clean": documents.share("clean"),
        "ocr_document_field_accuracy_noisy": documents.share("noisy"),
        "ocr_second_reading_share": round(second_passes / len(seconds), 3),
        "ocr_seconds_per_certificate_mean": round(statistics.fmean(seconds), 3),
        "ocr_seconds_per_certificate_p95": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
    }
