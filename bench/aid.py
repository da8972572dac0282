"""Individual-aid benchmark: key fields of the aid documents by OCR, the authenticity decision, its speed.

Generates applications (genuine and forged, :mod:`oracle.aid.population`), renders their ID card, medical
invoice and diagnosis certificate in the layout-and-font combinations of one split
(:func:`oracle.aid.documents.styles`; the reported figures are on the ``held_out`` split, which tuning never
used), clean and degraded (noisy, skewed, low resolution, uneven light, phone photo), and reads them with
:class:`api.aid.schemas.OcrDocumentReader`. Figures:

- ``aid_field_accuracy_clean`` / ``_degraded``: share of key fields read exactly (ID card: name, ID number,
  address, issuing authority, validity; invoice: hospital, code, number, total in figures and in capital
  numerals, date, payer; diagnosis: hospital, patient, date, diagnosis), ``_by_field`` and ``_by_scan``;
- ``aid_authenticity_agreement``: share of applications whose authenticity decision (every check passed, or
  not) is the expected one, read from their clean documents; ``aid_forged_approved``: forged applications
  approved under strategy A or B (must be 0); ``aid_genuine_rejected_reasons``: why genuine ones failed;
- ``aid_seconds_per_document``: OCR per image; ``aid_seconds_per_decision``: gathering the evidence (registry,
  ledger, invoice registry, bank feed), applying both rules and recording the decision on the embedded chain.

Used by ``python -m bench aid`` and, for the OCR figures, by ``python -m bench ocr``.
"""

from __future__ import annotations

import datetime
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import structlog
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_canonical_address
from rich.console import Console
from rich.progress import Progress

from api.aid.desk import DOCUMENT_ORDER, AidDesk, ApplicationForm
from api.aid.engine import assess
from api.aid.errors import DocumentUnreadable
from api.aid.evidence import EvidenceSources, gather
from api.aid.key_info import DocumentKind, DocumentReading, expected_readings
from api.aid.rules import RuleLibrary
from api.aid.schemas import OcrDocumentReader
from api.documents.store import DocumentStore
from chain_client.backends import EmbeddedBackend
from chain_client.client import ChainClient
from chain_client.contracts import BANK_ROLE, ORACLE_ROLE, AuditDecision, InstitutionKind, InstitutionRegistry
from chain_client.contracts.institution_registry import RegistryAttestation, credit_code_hash, encryption_key
from chain_client.deploy import Ledger, deploy_ledger
from chain_client.embedded.node import EmbeddedNode, Genesis
from oracle.aid.documents import Scan, Split, document_bytes, pick_style, render_document
from oracle.aid.hospitals import RecordsHospitalLookup
from oracle.aid.investigation import SqliteInvestigationFeed, load_profiles, open_investigation_db
from oracle.aid.invoices import FileInvoiceRegistry, write_invoice_registry
from oracle.aid.population import AidCase, generate_cases, hospitals_of, investigation_records
from oracle.attestation import sign_attestation
from oracle.registry.dataset import generate_registry
from oracle.registry.records import RegistryRecord

FULL_CASES = 60
QUICK_CASES = 12
SEED = 2026
TODAY = datetime.date(2026, 6, 1)
ONBOARDED_HOSPITALS = 8

KEY_FIELDS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.ID_CARD: ("name", "id_number", "address", "issuing_authority", "valid_from", "valid_until"),
    DocumentKind.INVOICE: (
        "hospital",
        "code",
        "number",
        "total_figures",
        "total_words",
        "issued_on",
        "payer_name",
        "payer_id_number",
    ),
    DocumentKind.DIAGNOSIS: ("hospital", "patient_name", "patient_id_number", "diagnosed_on", "diagnosis"),
}
"""The key fields the issue names, and the ID numbers on the invoice and the certificate (the checks use them)."""
DEGRADED = (Scan.NOISY, Scan.SKEWED, Scan.LOW_RES, Scan.UNEVEN_LIGHT, Scan.PHOTO)


class _Tally:
    def __init__(self) -> None:
        self.correct: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)

    def add(self, keys: tuple[str, ...], ok: bool) -> None:
        for key in keys:
            self.total[key] += 1
            self.correct[key] += ok

    def share(self, key: str) -> float:
        return round(self.correct[key] / self.total[key], 4) if self.total[key] else 0.0


def _account(label: str) -> LocalAccount:
    account: LocalAccount = Account.from_key(keccak(text=f"bench aid {label}"))
    return account


@dataclass
class _World:
    client: ChainClient
    ledger: Ledger
    bank: LocalAccount
    hospitals: list[RegistryRecord]
    others: list[RegistryRecord]


def _onboard(
    registry: InstitutionRegistry,
    record: RegistryRecord,
    oracles: list[LocalAccount],
    bank: LocalAccount,
    admin: LocalAccount,
) -> LocalAccount:
    """A hospital of the registry applies, two oracles attest its record, the bank approves it."""
    hospital = _account(record.credit_code)
    registry.apply_for_registration(
        hospital,
        InstitutionKind.HOSPITAL,
        [keccak(text=record.name)],
        keccak(text=f"key info {record.credit_code}"),
        encryption_key(hospital),
    )
    block = registry.client.backend.get_block("latest")
    assert block is not None
    attestation = RegistryAttestation(
        credit_code_hash(record.credit_code), record.digest(), block.timestamp, block.timestamp + 86_400 * 30
    )
    signatures = [
        sign_attestation(o, attestation, registry.client.chain_id, registry.address) for o in oracles
    ]
    attested = registry.attest(admin, attestation, signatures)
    registry.audit(
        bank,
        hospital.address,
        AuditDecision(
            application_digest=registry.application_digest_of(hospital.address),
            attestation_id=attested.event("RegistryAttested")["attestationId"],
            passed=True,
            rule_version=1,
            expires_at=block.timestamp + 86_400 * 365,
        ),
    )
    return hospital


def _world(records: list[RegistryRecord]) -> _World:
    admin = _account("admin")
    client = ChainClient(
        EmbeddedBackend(
            EmbeddedNode(None, Genesis(chain_id=1337, alloc={to_canonical_address(admin.address): 10**27}))
        )
    )
    ledger = deploy_ledger(client, admin)
    consortium = ledger.foundation.consortium
    bank, oracles = _account("bank"), [_account("oracle 1"), _account("oracle 2")]
    consortium.grant_role(admin, BANK_ROLE, bank.address)
    for oracle in oracles:
        consortium.grant_role(admin, ORACLE_ROLE, oracle.address)
    all_hospitals = hospitals_of(records)
    onboarded, others = all_hospitals[:ONBOARDED_HOSPITALS], all_hospitals[ONBOARDED_HOSPITALS:]
    for account in (bank, *oracles):
        client.send_value(admin, account.address, 10**20)
    for record in onboarded:
        hospital = _account(record.credit_code)
        client.send_value(admin, hospital.address, 10**19)
        consortium.allow_account(admin, hospital.address)
        _onboard(ledger.registry, record, oracles, bank, admin)
    return _World(client, ledger, bank, onboarded, others)


def _exact(read: DocumentReading, truth: DocumentReading, field: str) -> bool:
    return read.value(field) is not None and read.value(field) == truth.value(field)


def _quiet() -> Console:
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )
    return Console(stderr=True)


@dataclass
class _Reading:
    """Every case read in every scan: field tallies, timings, and the readings and images per case and scan."""

    fields: _Tally
    by_scan: _Tally
    seconds: list[float]
    misreads: list[str]
    readings: dict[tuple[str, Scan], dict[DocumentKind, DocumentReading]]
    images: dict[tuple[str, Scan], dict[DocumentKind, bytes]]

    def figures(self, scans: list[Scan], split: Split) -> dict[str, object]:
        ordered = sorted(self.seconds)
        return {
            "aid_split": split.value,
            "aid_field_accuracy_clean": self.fields.share("clean"),
            "aid_field_accuracy_degraded": self.fields.share("degraded"),
            "aid_field_accuracy_by_scan": {how.value: self.by_scan.share(how.value) for how in scans},
            "aid_field_accuracy_below_one_by_field": {
                key: self.fields.share(key)
                for key in sorted(self.fields.total)
                if ":" in key and self.fields.share(key) < 1.0
            },
            "aid_seconds_per_document_mean": round(statistics.fmean(self.seconds), 3),
            "aid_seconds_per_document_p95": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
        }


def _read_all(cases: list[AidCase], split: Split, scans: list[Scan], console: Console) -> _Reading:
    reader = OcrDocumentReader()
    result = _Reading(_Tally(), _Tally(), [], [], {}, {})
    with Progress(console=console) as progress:
        task = progress.add_task("reading aid documents", total=len(cases) * len(scans) * 3)
        for case in cases:
            for how in scans:
                readings, images = _read_case(case, how, split, reader, result.seconds)
                result.readings[(case.case_id, how)], result.images[(case.case_id, how)] = readings, images
                digests = {kind: keccak(images[kind]) for kind in DocumentKind}
                truth = expected_readings(case.id_card, case.invoice, case.diagnosis, digests)
                group = "clean" if how is Scan.CLEAN else "degraded"
                for kind in DocumentKind:
                    for name in KEY_FIELDS[kind]:
                        ok = _exact(readings[kind], truth.reading(kind), name)
                        result.fields.add((group, f"{group}:{kind.value}.{name}"), ok)
                        result.by_scan.add((how.value,), ok)
                        if not ok:
                            result.misreads.append(
                                f"{how.value} {kind.value}.{name}: read {readings[kind].value(name)!r}, "
                                f"truth {truth.reading(kind).value(name)!r}"
                            )
                    progress.advance(task)
    for misread in result.misreads[:80]:
        console.print(f"misread {misread}", highlight=False)
    return result


def ocr_figures(quick: bool) -> dict[str, object]:
    """The OCR part only (no chain): key fields of the aid documents on the held-out split, clean and
    degraded, and seconds per document. What ``python -m bench ocr`` reports for aid."""
    console = _quiet()
    records = generate_registry()
    cases = generate_cases(
        hospitals_of(records)[:ONBOARDED_HOSPITALS],
        QUICK_CASES if quick else FULL_CASES,
        today=TODAY,
        seed=SEED,
        all_registry_names={r.name for r in records},
    ).cases
    scans = _scans(quick)
    return {
        "aid_documents_read": len(cases) * len(scans) * 3,
        **_read_all(cases, Split.HELD_OUT, scans, console).figures(scans, Split.HELD_OUT),
    }


def _scans(quick: bool) -> list[Scan]:
    return [Scan.CLEAN, Scan.NOISY, Scan.PHOTO] if quick else [Scan.CLEAN, *DEGRADED]


def run(quick: bool) -> dict[str, object]:
    """Render, read, check and decide the benchmark applications on the held-out split; returns the figures."""
    return measure(QUICK_CASES if quick else FULL_CASES, Split.HELD_OUT, _scans(quick))


def measure(count: int, split: Split, scans: list[Scan], seed: int = SEED) -> dict[str, object]:
    """The figures of :func:`run` for ``count`` applications rendered in ``split``'s styles and ``scans``."""
    console = _quiet()
    records = generate_registry()
    with console.status("deploying the ledger and onboarding hospitals"):
        world = _world(records)
    made = generate_cases(
        world.hospitals,
        count,
        today=TODAY,
        seed=seed,
        unregistered_hospitals=world.others[:3],
        all_registry_names={record.name for record in records},
    )
    read = _read_all(made.cases, split, scans, console)
    salt = keccak(text="bench aid identity salt")
    rules = RuleLibrary()
    rule_a, rule_b = rules.by_name("every-item"), rules.by_name("weighted-average")
    seconds_decision: list[float] = []
    agreement: dict[str, int] = defaultdict(int)
    forged_approved = 0
    genuine_rejected: dict[str, int] = defaultdict(int)
    gas: dict[str, list[int]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-aid-") as workdir:
        feed_engine = open_investigation_db(None)
        load_profiles(feed_engine, investigation_records(made, salt))
        sources = EvidenceSources(
            hospitals=RecordsHospitalLookup(records),
            invoices=FileInvoiceRegistry(
                write_invoice_registry(made.invoices, Path(workdir) / "invoices.jsonl")
            ),
            investigation=SqliteInvestigationFeed(feed_engine),
            registry=world.ledger.registry,
        )
        desk = AidDesk(
            world.ledger.aid, sources, DocumentStore(Path(workdir) / "docs", bytes(32)), _Cached(read), salt
        )
        for rule in (rule_a, rule_b):
            desk.register_rule(world.bank, rule)
        for index, case in enumerate(made.cases):
            applicant = _account(f"applicant {index}")
            world.client.send_value(_account("admin"), applicant.address, 10**18)
            form = ApplicationForm(
                name=case.id_card.name,
                id_number=case.id_card.id_number,
                phone=case.phone,
                amount_asked_fen=case.amount_asked_fen,
            )
            filed = desk.file_application(applicant, form, read.images[(case.case_id, Scan.CLEAN)])
            receipt = world.client.backend.get_receipt(bytes.fromhex(filed.tx_hash[2:]))
            assert receipt is not None
            gas["submitApplication"].append(receipt.gas_used)
            started = time.perf_counter()
            inputs = desk.gather(filed, today=TODAY)
            outcome_a, outcome_b = assess(inputs, rule_a), assess(inputs, rule_b)
            decided = world.ledger.aid.decide(world.bank, filed.application_id, outcome_a.decision())
            seconds_decision.append(time.perf_counter() - started)
            gas["decide (approve)" if outcome_a.approved else "decide (reject)"].append(
                decided.receipt.gas_used
            )
            expected_authentic = not case.forgery.forged
            for how in scans:
                if how is Scan.CLEAN:
                    a, b = outcome_a, outcome_b
                else:
                    readings = read.readings[(case.case_id, how)]
                    degraded = filed.readings.model_copy(
                        update={
                            "id_card": readings[DocumentKind.ID_CARD],
                            "invoice": readings[DocumentKind.INVOICE],
                            "diagnosis": readings[DocumentKind.DIAGNOSIS],
                        }
                    )
                    other = gather(
                        filed.facts(), degraded, sources, today=TODAY, block=world.client.block_number()
                    )
                    a, b = assess(other, rule_a), assess(other, rule_b)
                group = "clean" if how is Scan.CLEAN else "degraded"
                agreement[group] += a.authentic == expected_authentic
                agreement[f"{group}:total"] += 1
                if case.forgery.forged and (a.approved or b.approved):
                    forged_approved += 1
                    console.print(
                        f"[red]forged application approved: {case.case_id} {case.forgery.value} {how.value}"
                    )
                if expected_authentic and not a.authentic:
                    for check in a.checks:
                        for reason in check.reasons:
                            genuine_rejected[f"{group}:{reason}"] += 1
    return {
        "aid_applications": len(made.cases),
        **read.figures(scans, split),
        "aid_authenticity_agreement_clean": round(agreement["clean"] / agreement["clean:total"], 4),
        "aid_authenticity_agreement_degraded": round(
            agreement["degraded"] / max(agreement["degraded:total"], 1), 4
        ),
        "aid_forged_applications": sum(case.forgery.forged for case in made.cases),
        "aid_forged_approved": forged_approved,
        "aid_genuine_not_authentic_reasons": dict(genuine_rejected),
        "aid_seconds_per_decision_mean": round(statistics.fmean(seconds_decision), 3),
        "aid_seconds_per_decision_max": round(max(seconds_decision), 3),
        "aid_gas": {name: max(values) for name, values in sorted(gas.items())},
    }


class _Cached:
    """The readings already taken, served by digest (the desk reads what the benchmark read)."""

    def __init__(self, read: _Reading) -> None:
        self._by_digest = {
            reading.digest: reading for readings in read.readings.values() for reading in readings.values()
        }

    def read(self, kind: DocumentKind, image: bytes) -> DocumentReading:
        return self._by_digest["0x" + keccak(image).hex()]


def _read_case(
    case: AidCase, how: Scan, split: Split, reader: OcrDocumentReader, seconds: list[float]
) -> tuple[dict[DocumentKind, DocumentReading], dict[DocumentKind, bytes]]:
    rng = random.Random(f"{SEED}:{case.case_id}:styles")
    readings: dict[DocumentKind, DocumentReading] = {}
    images: dict[DocumentKind, bytes] = {}
    for kind in DOCUMENT_ORDER:
        style = pick_style(kind, split, rng)
        images[kind] = document_bytes(render_document(case, kind, style, how, SEED), how)
        started = time.perf_counter()
        try:
            readings[kind] = reader.read(kind, images[kind])
        except DocumentUnreadable:  # counted as a reading with no field: every key field wrong, resend asked
            readings[kind] = DocumentReading(kind=kind, digest="0x" + keccak(images[kind]).hex())
        seconds.append(time.perf_counter() - started)
    return readings, images
