"""Flow 1 (institution onboarding) and flow 7 (cooperating enterprises), end to end.

Rendered certificates are read by the PP-OCRv4 engine; three oracle operators read the government
registry (a generated dataset in a file) and two of them sign; a bank audits against the attested
record and writes its decision on-chain, or, when OCR was unsure of a differing character, leaves it
to a bank officer whose decision is recorded as manual. Every rejection leaves nothing approved; an
application whose credit code cannot be read is not filed at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from api.audit.application import ApplicationIntake, CreditCodeUnreadable
from api.audit.institution_audit import (
    AttestationNotUsable,
    AuditOutcome,
    AuditReport,
    Decision,
    InstitutionAuditor,
    NotUnderReview,
    Reason,
    officer_code,
)
from api.documents.store import DocumentStore, document_digest
from api.intake.key_info import FieldName, KeyInformation
from chain_client import ChainClient, ContractReverted
from chain_client.contracts import (
    InstitutionKind,
    InstitutionRegistry,
    InstitutionStatus,
    deploy_institution_registry,
)
from chain_client.contracts.institution_registry import credit_code_hash, decode_short_code
from chain_client.deploy import Foundation
from oracle.bank_feed import (
    GOOD_RATINGS,
    Standing,
    generate_customers,
    load_customers,
    mine_candidates,
    open_bank_db,
    propose_candidates,
)
from oracle.publisher import AttestationPublisher, OracleOperator, PublishedAttestation, RecordBook
from oracle.recheck import RegistryRecheck
from oracle.registry.dataset import write_registry
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord
from tests.conftest import ACCOUNTS
from tests.registry_support import FileSource, advance_past, rewrite_registry, signatures

pytestmark = pytest.mark.flow

Certificates = Callable[[RegistryRecord], list[bytes]]
Reader = Callable[[RegistryRecord], KeyInformation]


@pytest.fixture(scope="module")
def module_registry(session_client: ChainClient, session_foundation: Foundation) -> InstitutionRegistry:
    return deploy_institution_registry(
        session_client, ACCOUNTS.admin, session_foundation.consortium.address, 2
    )


@dataclass
class World:
    registry: InstitutionRegistry
    registry_file: Path
    records: list[RegistryRecord]
    publisher: AttestationPublisher
    auditor: InstitutionAuditor
    intake: ApplicationIntake

    def set_registry(self, records: list[RegistryRecord]) -> None:
        rewrite_registry(self.registry_file, records)

    def replace_record(self, code: str, changed: RegistryRecord | None) -> None:
        kept = [record for record in self.records if record.credit_code != code]
        self.set_registry([*kept, changed] if changed is not None else kept)


@pytest.fixture
def world(
    module_registry: InstitutionRegistry,
    chain: ChainClient,
    flow_records: list[RegistryRecord],
    document_store: DocumentStore,
    tmp_path: Path,
) -> World:
    registry_file = write_registry(flow_records, tmp_path / "registry.jsonl")
    source = FileSource(registry_file)
    operators = [
        OracleOperator(oracle, source) for oracle in (ACCOUNTS.oracle1, ACCOUNTS.oracle2, ACCOUNTS.oracle3)
    ]
    publisher = AttestationPublisher(module_registry, operators, ACCOUNTS.oracle1, book=RecordBook())
    return World(
        registry=module_registry,
        registry_file=registry_file,
        records=flow_records,
        publisher=publisher,
        auditor=InstitutionAuditor(module_registry, ACCOUNTS.bank),
        intake=ApplicationIntake(module_registry, document_store),
    )


def _first(records: list[RegistryRecord], org_type: OrgType, *, non_profit: bool = True) -> RegistryRecord:
    return next(
        record
        for record in records
        if record.org_type is org_type
        and record.status is RegistrationStatus.ACTIVE
        and record.non_profit is non_profit
    )


@pytest.fixture
def charity_record(flow_records: list[RegistryRecord]) -> RegistryRecord:
    return _first(flow_records, OrgType.FOUNDATION)


def _apply_and_attest(
    world: World,
    record: RegistryRecord,
    key_info: KeyInformation,
    documents: list[bytes],
    kind: InstitutionKind,
) -> PublishedAttestation:
    account = (
        ACCOUNTS.charity
        if kind in (InstitutionKind.CHARITY, InstitutionKind.GOVERNMENT_AGENCY)
        else ACCOUNTS.supplier
    )
    world.intake.submit(account, kind, documents, key_info=key_info)
    assert key_info.credit_code is not None
    return world.publisher.publish(key_info.credit_code)


def _audit(
    world: World, account: str, key_info: KeyInformation, published: PublishedAttestation
) -> list[str]:
    report = world.auditor.audit(
        account, key_info, published.credit_code, published.record, published.attestation_id
    )
    assert report.tx is not None, report.outcome
    event = report.tx.event("InstitutionAudited")
    return [decode_short_code(code) for code in event["reasonCodes"]]


def test_a_charity_is_onboarded_from_its_rendered_certificates(
    world: World, charity_record: RegistryRecord, certificates_of: Certificates, document_store: DocumentStore
) -> None:
    documents = certificates_of(charity_record)
    submitted = world.intake.submit(ACCOUNTS.charity, InstitutionKind.CHARITY, documents)  # runs OCR
    key_info = submitted.key_info
    assert key_info.credit_code == charity_record.credit_code
    assert key_info.name == charity_record.name

    published = world.publisher.publish(charity_record.credit_code)
    assert len(published.signers) == 2
    assert _audit(world, ACCOUNTS.charity.address, key_info, published) == []

    registry = world.registry
    assert registry.is_active(ACCOUNTS.charity.address)
    registry.require_active(ACCOUNTS.charity.address, InstitutionKind.CHARITY)
    institution = registry.institution_of(ACCOUNTS.charity.address)
    assert institution.status is InstitutionStatus.APPROVED
    assert institution.certificate_digests == tuple(document_digest(document) for document in documents)
    assert all(
        document_store.get(digest) == document
        for digest, document in zip(institution.certificate_digests, documents, strict=True)
    )
    assert institution.key_info_hash == submitted.key_info_hash
    assert institution.credit_code_hash == credit_code_hash(charity_record.credit_code)
    recorded = registry.attestation_of(institution.attestation_id)
    assert recorded is not None
    assert recorded.attestation.record_digest == charity_record.digest()
    assert recorded.signer_count == 2
    assert (
        registry.verify_attestation(
            recorded.attestation,
            signatures(registry, recorded.attestation, [ACCOUNTS.oracle2, ACCOUNTS.oracle3]),
        )[0]
        == institution.attestation_id
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"name": "安徽省另一个基金会"}, Reason.NAME_MISMATCH),
        ({"legal_representative": "王另人"}, Reason.LEGAL_REP_MISMATCH),
        ({"account_location": "江苏省南京市鼓楼区"}, Reason.ACCOUNT_LOCATION_MISMATCH),
    ],
)
def test_a_registry_that_differs_from_the_documents_rejects_with_the_field(
    world: World,
    charity_record: RegistryRecord,
    certificates_of: Certificates,
    key_info_of: Reader,
    change: dict[str, str],
    reason: Reason,
) -> None:
    world.replace_record(charity_record.credit_code, charity_record.model_copy(update=change))
    published = _apply_and_attest(
        world,
        charity_record,
        key_info_of(charity_record),
        certificates_of(charity_record),
        InstitutionKind.CHARITY,
    )
    assert _audit(world, ACCOUNTS.charity.address, key_info_of(charity_record), published) == [reason.value]
    _nothing_approved(world)


def test_a_for_profit_company_is_rejected_as_a_charity(
    world: World, flow_records: list[RegistryRecord], certificates_of: Certificates, key_info_of: Reader
) -> None:
    pretender = flow_records[2]  # the generator's for-profit company with a charitable name
    assert not pretender.non_profit
    published = _apply_and_attest(
        world, pretender, key_info_of(pretender), certificates_of(pretender), InstitutionKind.CHARITY
    )
    reasons = _audit(world, ACCOUNTS.charity.address, key_info_of(pretender), published)
    assert Reason.NOT_NON_PROFIT.value in reasons
    _nothing_approved(world)


def test_a_code_missing_from_the_registry_is_rejected(
    world: World, charity_record: RegistryRecord, certificates_of: Certificates, key_info_of: Reader
) -> None:
    world.replace_record(charity_record.credit_code, None)
    published = _apply_and_attest(
        world,
        charity_record,
        key_info_of(charity_record),
        certificates_of(charity_record),
        InstitutionKind.CHARITY,
    )
    assert published.record is None
    assert _audit(world, ACCOUNTS.charity.address, key_info_of(charity_record), published) == [
        "RECORD_MISSING"
    ]
    _nothing_approved(world)


@pytest.mark.parametrize(
    ("signers", "error"),
    [("one", "RegistryAttestationTooFewSignatures"), ("forged", "RegistryAttestationSignerNotOracle")],
)
def test_too_few_or_forged_signatures_attest_nothing_and_nothing_is_approved(
    world: World,
    charity_record: RegistryRecord,
    certificates_of: Certificates,
    key_info_of: Reader,
    signers: str,
    error: str,
) -> None:
    key_info = key_info_of(charity_record)
    world.intake.submit(
        ACCOUNTS.charity, InstitutionKind.CHARITY, certificates_of(charity_record), key_info=key_info
    )
    attestation, record = world.publisher.propose(charity_record.credit_code)
    keys = [ACCOUNTS.oracle1] if signers == "one" else [ACCOUNTS.oracle1, ACCOUNTS.alice]
    with pytest.raises(ContractReverted) as raised:
        world.registry.attest(ACCOUNTS.outsider, attestation, signatures(world.registry, attestation, keys))
    assert raised.value.error_name == error
    attestation_id = world.registry.attestation_digest(attestation)
    with pytest.raises(AttestationNotUsable):
        world.auditor.audit(
            ACCOUNTS.charity.address, key_info, charity_record.credit_code, record, attestation_id
        )
    _nothing_approved(world)


def test_an_expired_attestation_cannot_approve(
    world: World, charity_record: RegistryRecord, certificates_of: Certificates, key_info_of: Reader
) -> None:
    world.publisher.ttl_seconds = 6
    published = _apply_and_attest(
        world,
        charity_record,
        key_info_of(charity_record),
        certificates_of(charity_record),
        InstitutionKind.CHARITY,
    )
    advance_past(world.registry.client, published.attestation.expires_at, ACCOUNTS.outsider)
    with pytest.raises(AttestationNotUsable):
        _audit(world, ACCOUNTS.charity.address, key_info_of(charity_record), published)
    _nothing_approved(world)


def test_a_recheck_that_finds_deregistration_suspends_the_charity(
    world: World, charity_record: RegistryRecord, certificates_of: Certificates, key_info_of: Reader
) -> None:
    key_info = key_info_of(charity_record)
    published = _apply_and_attest(
        world, charity_record, key_info, certificates_of(charity_record), InstitutionKind.CHARITY
    )
    assert _audit(world, ACCOUNTS.charity.address, key_info, published) == []
    world.replace_record(
        charity_record.credit_code,
        charity_record.model_copy(update={"status": RegistrationStatus.DEREGISTERED}),
    )
    recheck = RegistryRecheck(
        world.registry, world.publisher, FileSource(world.registry_file), ACCOUNTS.oracle2
    )
    assert recheck.run_once().flagged == {ACCOUNTS.charity.address: ["DEREGISTERED"]}
    with pytest.raises(ContractReverted) as raised:
        world.registry.require_active(ACCOUNTS.charity.address, InstitutionKind.CHARITY)
    assert (raised.value.error_name, raised.value.args) == (
        "InstitutionNotActive",
        (ACCOUNTS.charity.address,),
    )


def test_mining_proposes_good_standing_third_parties_who_then_pass_the_audit(
    world: World, flow_records: list[RegistryRecord], certificates_of: Certificates, key_info_of: Reader
) -> None:
    engine = open_bank_db(None)
    load_customers(engine, generate_customers(flow_records))
    candidates = mine_candidates(engine, flow_records)
    with engine.connect() as connection:
        expected = {
            row[0]
            for row in connection.execute(
                text(
                    "SELECT credit_code FROM customers WHERE industry IN ('hospital', 'supplier', 'logistics') "
                    "AND credit_rating IN ('AAA', 'AA', 'A') AND account_standing = 'good' AND overdue_days = 0"
                )
            )
        }
        standing = dict(connection.execute(text("SELECT credit_code, account_standing FROM customers")).all())
    active = {record.credit_code for record in flow_records if record.status is RegistrationStatus.ACTIVE}
    assert {candidate.credit_code for candidate in candidates} == expected & active
    assert candidates, "the generated bank dataset yields candidates"
    assert all(standing[candidate.credit_code] == Standing.GOOD.value for candidate in candidates)
    assert all(candidate.credit_rating in GOOD_RATINGS for candidate in candidates)
    assert len(standing) > len(candidates)  # some customers were left out

    propose_candidates(world.registry, ACCOUNTS.bank, candidates)
    by_code = {record.credit_code: record for record in flow_records}
    hospital = next(
        candidate for candidate in candidates if by_code[candidate.credit_code].org_type is OrgType.HOSPITAL
    )
    grade = world.registry.credit_grade_of(credit_code_hash(hospital.credit_code))
    assert grade is not None
    assert (grade.grade, grade.bank) == (hospital.credit_rating, ACCOUNTS.bank.address)

    record = by_code[hospital.credit_code]
    published = _apply_and_attest(
        world, record, key_info_of(record), certificates_of(record), InstitutionKind.HOSPITAL
    )
    assert _audit(world, ACCOUNTS.supplier.address, key_info_of(record), published) == []
    world.registry.require_active(ACCOUNTS.supplier.address, InstitutionKind.HOSPITAL)


def _nothing_approved(world: World) -> None:
    assert not world.registry.is_active(ACCOUNTS.charity.address)
    assert world.registry.institution_of(ACCOUNTS.charity.address).status is not InstitutionStatus.APPROVED
    assert world.registry.events("InstitutionAudited") == [] or all(
        not event["passed"] for event in world.registry.events("InstitutionAudited")
    )


def test_an_application_whose_code_cannot_be_read_is_not_filed(
    world: World, charity_record: RegistryRecord, certificates_of: Certificates, document_store: DocumentStore
) -> None:
    permit = certificates_of(charity_record)[2]  # prints no credit code
    stored_before = sorted(path.name for path in document_store.directory.rglob("*") if path.is_file())
    with pytest.raises(CreditCodeUnreadable) as raised:
        world.intake.submit(ACCOUNTS.charity, InstitutionKind.CHARITY, [permit])
    assert "登记证书" in raised.value.resend[0]
    assert world.registry.events("InstitutionApplied") == []
    assert world.registry.institution_of(ACCOUNTS.charity.address).status is InstitutionStatus.NONE
    assert (
        sorted(path.name for path in document_store.directory.rglob("*") if path.is_file()) == stored_before
    )


def _doubt(key_info: KeyInformation, field: FieldName, position: int) -> KeyInformation:
    """``key_info`` with one character of ``field`` marked as one OCR was unsure of."""
    evidence = key_info.evidence[field].model_copy(update={"doubtful_characters": (position,)})
    return key_info.model_copy(update={"evidence": {**key_info.evidence, field: evidence}})


def test_a_doubtful_difference_waits_for_an_officer_whose_decision_is_marked_manual(
    world: World, charity_record: RegistryRecord, certificates_of: Certificates, key_info_of: Reader
) -> None:
    documents = certificates_of(charity_record)
    name = charity_record.name
    registered = name[:3] + ("王" if name[3] != "王" else "李") + name[4:]
    world.replace_record(charity_record.credit_code, charity_record.model_copy(update={"name": registered}))
    key_info = _doubt(key_info_of(charity_record), FieldName.NAME, 3)
    published = _apply_and_attest(world, charity_record, key_info, documents, InstitutionKind.CHARITY)

    report = world.auditor.audit(
        ACCOUNTS.charity.address, key_info, published.credit_code, published.record, published.attestation_id
    )
    assert report.outcome.decision is Decision.MANUAL_REVIEW
    assert report.tx is None
    assert world.registry.events("InstitutionAudited") == []
    assert world.registry.institution_of(ACCOUNTS.charity.address).status is InstitutionStatus.PENDING
    (item,) = report.outcome.review
    assert (item.field, item.extracted, item.registered) == (FieldName.NAME, name, registered)
    crops = item.crops({f"image-{i + 1}": document for i, document in enumerate(documents)})
    assert crops
    assert all(crop.width > crop.height for crop in crops)

    reviewed = world.auditor.record_manual_decision(
        ACCOUNTS.charity.address,
        report,
        approve=False,
        officer="staff-0042",
        findings=(Reason.NAME_MISMATCH,),
    )
    assert reviewed.manual
    assert reviewed.tx is not None
    event = reviewed.tx.event("InstitutionAudited")
    assert not event["passed"]
    assert event["ruleVersion"] == 2
    assert [decode_short_code(code) for code in event["reasonCodes"]] == [
        "MANUAL_REVIEW",
        "MANUAL_REJECTED",
        officer_code("staff-0042"),
        "NAME_DOUBTFUL",
        "NAME_MISMATCH",
    ]
    _nothing_approved(world)
    decided_by_rule = AuditReport(
        AuditOutcome(InstitutionKind.CHARITY, Decision.PASS, (), ()), None, None, published.attestation_id
    )
    with pytest.raises(NotUnderReview):
        world.auditor.record_manual_decision(
            ACCOUNTS.charity.address, decided_by_rule, approve=True, officer="staff-0042"
        )


def test_an_officer_may_approve_what_ocr_doubted(
    world: World, charity_record: RegistryRecord, certificates_of: Certificates, key_info_of: Reader
) -> None:
    key_info = _doubt(key_info_of(charity_record), FieldName.LEGAL_REPRESENTATIVE, 0)
    representative = charity_record.legal_representative
    registered = ("王" if representative[0] != "王" else "李") + representative[1:]
    world.replace_record(
        charity_record.credit_code, charity_record.model_copy(update={"legal_representative": registered})
    )
    published = _apply_and_attest(
        world, charity_record, key_info, certificates_of(charity_record), InstitutionKind.CHARITY
    )
    report = world.auditor.audit(
        ACCOUNTS.charity.address, key_info, published.credit_code, published.record, published.attestation_id
    )
    assert report.outcome.reasons == (Reason.LEGAL_REP_DOUBTFUL,)
    reviewed = world.auditor.record_manual_decision(
        ACCOUNTS.charity.address, report, approve=True, officer="staff-0007"
    )
    assert reviewed.tx is not None
    event = reviewed.tx.event("InstitutionAudited")
    assert event["passed"]
    assert decode_short_code(event["reasonCodes"][0]) == "MANUAL_REVIEW"
    assert world.registry.is_active(ACCOUNTS.charity.address)
