"""OCR intake and bank-audit benchmark on the held-out split of rendered certificates.

Institutions are drawn from the generated registry; each uploads its three certificates, every one
in a layout x font combination of the *held-out* split (:func:`oracle.registry.certificates.combinations`;
none of those pairs was used while tuning the reader) with its wording drawn from a seed the tuning
runs never used. Each institution is read twice: clean scans, and the same certificates degraded
(one or two of blur, noise, JPEG, uneven light, low resolution, plus often a quarter or half turn, a
skew or a phone's perspective). A quarter of the institutions face a registry that differs from
their documents by one character in one field, a few apply with a code the registry does not know,
and the registry's own inactive and for-profit records take part as they come, so the audit has
passes and rejects to get right.

Figures (one JSON object on the last line):

- ``ocr_field_accuracy_{clean,degraded}``: share of key fields (5 per institution) exactly equal to
  the truth after merging the three certificates; ``ocr_field_accuracy_by_field`` per field.
- ``ocr_document_field_accuracy_{clean,degraded}``: the same per single certificate, for the fields
  it prints.
- ``audit_agreement_{clean,degraded}``: share of institutions whose decision *and* reasons equal what
  the rule decides on the true key information; ``audit_wrong_passes`` counts passes where the
  truth is a reject (must be 0); ``audit_manual_review_share``; ``audit_not_filed_share`` (no code
  read: the application is refused before filing).
- ``ocr_seconds_per_certificate_mean`` / ``_p95``: one image, decode to fields, sequentially (wall
  clock: on a shared machine it grows with the load, hence ``load_average_1min_at_end``);
  ``ocr_cpu_seconds_per_certificate_mean``: CPU time of all the process's threads per image, which
  the load does not inflate (onnxruntime runs two threads, so on an idle 2-core machine the wall
  time is somewhat over half of it).

:func:`evaluate` runs the same measurement on either split; tune on ``Split.TUNING`` only.
"""

from __future__ import annotations

import logging
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from rich.console import Console
from rich.progress import Progress

from api.audit.institution_audit import Decision
from api.audit.institution_audit import evaluate as audit
from api.intake.key_info import FieldName, KeyInformation, normalize_text
from api.intake.ocr import CertificateReading, merge_readings, read_certificate
from bench.aid import ocr_figures as aid_ocr_figures
from chain_client.contracts.institution_registry import InstitutionKind
from oracle.registry.certificates import (
    CertificateKind,
    CertificateStyle,
    Split,
    combinations,
    encode,
    random_degradations,
    render_certificate,
)
from oracle.registry.dataset import generate_registry
from oracle.registry.records import OrgType, RegistryRecord

FULL_INSTITUTIONS = 40
QUICK_INSTITUTIONS = 10
SEEDS = {Split.TUNING: 7_001, Split.HELD_OUT: 90_210}
"""Wording, degradation and scenario seeds per split: the held-out one is never used to tune."""

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

_KIND_OF: dict[OrgType, InstitutionKind] = {
    OrgType.FOUNDATION: InstitutionKind.CHARITY,
    OrgType.SOCIAL_ORGANIZATION: InstitutionKind.CHARITY,
    OrgType.GOVERNMENT_AGENCY: InstitutionKind.GOVERNMENT_AGENCY,
    OrgType.LOCAL_GOVERNMENT: InstitutionKind.LOCAL_GOVERNMENT,
    OrgType.HOSPITAL: InstitutionKind.HOSPITAL,
    OrgType.ENTERPRISE: InstitutionKind.SUPPLIER,
    OrgType.LOGISTICS: InstitutionKind.LOGISTICS,
}

_ALTERED_FIELDS = (FieldName.NAME, FieldName.LEGAL_REPRESENTATIVE, FieldName.ACCOUNT_BANK)
_REPLACEMENTS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"


@dataclass(frozen=True)
class Institution:
    """One applicant: its true record, what the registry holds for its code, and its kind."""

    record: RegistryRecord
    registry: RegistryRecord | None
    kind: InstitutionKind
    scenario: str


def _alter(record: RegistryRecord, field: FieldName, rng: random.Random) -> RegistryRecord:
    value: str = getattr(record, field.value)
    position = rng.randrange(1, len(value)) if field is FieldName.NAME else rng.randrange(len(value))
    replacement = rng.choice([char for char in _REPLACEMENTS if char != value[position]])
    return record.model_copy(update={field.value: value[:position] + replacement + value[position + 1 :]})


def institutions(split: Split, count: int) -> list[Institution]:
    """``count`` applicants for ``split``: registry records with scenarios drawn from its seed."""
    rng = random.Random(SEEDS[split])
    registry = generate_registry()
    chosen = [registry[2], *rng.sample(registry[3:], count - 1)]  # the for-profit pretender included
    result: list[Institution] = []
    for index, record in enumerate(chosen):
        kind = InstitutionKind.CHARITY if index == 0 else _KIND_OF[record.org_type]
        draw = rng.random()
        if draw < 0.25:
            field = rng.choice(_ALTERED_FIELDS)
            result.append(
                Institution(record, _alter(record, field, rng), kind, f"registry_differs:{field.value}")
            )
        elif draw < 0.32:
            result.append(Institution(record, None, kind, "record_missing"))
        else:
            result.append(Institution(record, record, kind, "as_registered"))
    return result


def _truth(record: RegistryRecord) -> KeyInformation:
    return KeyInformation.model_validate({field.value: getattr(record, field.value) for field in FieldName})


def _expected(institution: Institution) -> tuple[Decision, tuple[str, ...]]:
    outcome = audit(institution.kind, _truth(institution.record), institution.registry)
    return outcome.decision, tuple(reason.value for reason in outcome.reasons)


class _Tally:
    def __init__(self) -> None:
        self.correct: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)

    def add(self, keys: Sequence[str], ok: bool) -> None:
        for key in keys:
            self.total[key] += 1
            self.correct[key] += ok

    def share(self, key: str) -> float:
        return round(self.correct[key] / self.total[key], 4) if self.total[key] else 0.0


def evaluate(split: Split, count: int, *, console: Console | None = None) -> dict[str, object]:
    """Render, read and audit ``count`` institutions of ``split``; returns the figures."""
    seed = SEEDS[split]
    styles = combinations(split)
    rng = random.Random(seed + 1)
    applicants = institutions(split, count)
    fields, documents, agreement = _Tally(), _Tally(), _Tally()
    decisions: Counter[str] = Counter()
    wrong_passes = 0
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    misreads: list[str] = []
    console = console or Console(stderr=True)
    with Progress(console=console) as progress:
        task = progress.add_task(f"reading certificates ({split.value})", total=len(applicants) * 6)
        for number, institution in enumerate(applicants):
            record = institution.record
            looks = {kind: rng.choice(styles) for kind in CertificateKind}
            spoils = {kind: random_degradations(rng) for kind in CertificateKind}
            for group in ("clean", "degraded"):
                readings: list[CertificateReading] = []
                for kind in CertificateKind:
                    layout, font = looks[kind]
                    style = CertificateStyle(layout, font, wording_seed=seed + number)
                    degradations = spoils[kind] if group == "degraded" else ()
                    image = encode(render_certificate(record, kind, style, degradations, seed), degradations)
                    cpu_started = time.process_time()
                    reading = read_certificate(image, kind.value)
                    cpu_seconds.append(time.process_time() - cpu_started)
                    seconds.append(reading.seconds)
                    readings.append(reading)
                    for field in _PRINTED[kind]:
                        documents.add(
                            (group,), reading.value(field) == normalize_text(getattr(record, field.value))
                        )
                    progress.advance(task)
                info = merge_readings(readings)
                for field in FieldName:
                    truth = normalize_text(getattr(record, field.value))
                    ok = info.value(field) == truth
                    fields.add((group, f"{group}:{field.value}"), ok)
                    if not ok:
                        where = ", ".join(
                            f"{r.source}:{r.page.quarter_turns}:{looks[CertificateKind(r.source)][0].value}"
                            f"/{looks[CertificateKind(r.source)][1].value}"
                            for r in readings
                        )
                        misreads.append(
                            f"{group} {field.value}: read {info.value(field)!r}, true {truth!r} [{where}]"
                        )
                expected = _expected(institution)
                if info.credit_code is None:
                    got: tuple[Decision | str, tuple[str, ...]] = ("NOT_FILED", ())
                else:
                    registry_record = institution.registry if info.credit_code == record.credit_code else None
                    outcome = audit(institution.kind, info, registry_record)
                    got = (outcome.decision, tuple(reason.value for reason in outcome.reasons))
                decisions[f"{group}:{got[0]}"] += 1
                right = got == expected
                agreement.add((group, "all"), right)
                if got[0] == Decision.PASS and expected[0] is not Decision.PASS:
                    wrong_passes += 1
                if not right:
                    misreads.append(
                        f"#{number} {group} audit {institution.scenario}: got {got}, expected {expected}"
                    )
    for misread in misreads:
        console.print(f"miss {misread}", highlight=False)
    ordered = sorted(seconds)
    total = 2 * len(applicants)
    return {
        "ocr_split": split.value,
        "ocr_institutions": len(applicants),
        "ocr_certificates": len(seconds),
        "ocr_field_accuracy_clean": fields.share("clean"),
        "ocr_field_accuracy_degraded": fields.share("degraded"),
        "ocr_field_accuracy_by_field": {
            group: {field.value: fields.share(f"{group}:{field.value}") for field in FieldName}
            for group in ("clean", "degraded")
        },
        "ocr_document_field_accuracy_clean": documents.share("clean"),
        "ocr_document_field_accuracy_degraded": documents.share("degraded"),
        "audit_agreement_clean": agreement.share("clean"),
        "audit_agreement_degraded": agreement.share("degraded"),
        "audit_agreement": agreement.share("all"),
        "audit_wrong_passes": wrong_passes,
        "audit_manual_review_share": round(
            sum(n for key, n in decisions.items() if key.endswith(Decision.MANUAL_REVIEW)) / total, 4
        ),
        "audit_not_filed_share": round(
            sum(n for key, n in decisions.items() if key.endswith("NOT_FILED")) / total, 4
        ),
        "audit_decisions": dict(sorted(decisions.items())),
        "ocr_seconds_per_certificate_mean": round(statistics.fmean(seconds), 3),
        "ocr_seconds_per_certificate_p95": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
        "ocr_cpu_seconds_per_certificate_mean": round(statistics.fmean(cpu_seconds), 3),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }


def run(quick: bool) -> dict[str, object]:
    """The held-out figures (``python -m bench ocr [--quick]``), with the aid documents' key fields
    (:func:`bench.aid.ocr_figures`: ID cards, medical invoices, diagnosis certificates)."""
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )
    figures = evaluate(Split.HELD_OUT, QUICK_INSTITUTIONS if quick else FULL_INSTITUTIONS)
    return {**figures, **aid_ocr_figures(quick)}
