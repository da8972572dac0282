"""Institution onboarding (``contracts/InstitutionRegistry.sol``, ``api/audit``, ``api/intake``): an
institution applies with its certificates (multipart upload), the platform reads the first key information
by OCR and files the application on-chain (digests and a salted hash only), the oracles attest the
government-registry record, and a bank audits the application against it."""

from __future__ import annotations

from typing import Annotated, Literal

from eth_account.signers.local import LocalAccount
from fastapi import APIRouter, File, Form, Query, UploadFile

from api.audit.application import ApplicationIntake
from api.audit.institution_audit import AuditReport, InstitutionAuditor, Reason
from api.core.applications import ApplicationRecord
from api.core.errors import (
    ERROR_RESPONSES,
    Conflict,
    InvalidInput,
    NotFound,
    NotYourResource,
    PayloadTooLarge,
)
from api.core.natspec import describe
from api.core.platform import Platform
from api.core.roles import Role
from api.deps import BankRoles, CurrentUser, PlatformDep, ReadModelDep, Signer
from api.indexer import MAX_PAGE, InstitutionSummary, Page
from api.intake.key_info import FieldName, KeyInformation
from api.schemas.common import JSON_SAFE_MAX, Address, AsOf, Transaction, hex0x
from api.schemas.institutions import (
    ApplicationOut,
    ApplicationRecordOut,
    AttestationOut,
    AuditOut,
    FieldCheckOut,
    InstitutionOut,
    KindName,
    OfficerReview,
    ReviewItemOut,
)
from chain_client.contracts import InstitutionKind, InstitutionStatus
from chain_client.contracts.institution_registry import credit_code_hash, decode_short_code
from chain_client.errors import ContractReverted
from oracle.errors import OracleError

router = APIRouter(prefix="/institutions", tags=["institutions"], responses=ERROR_RESPONSES)

MAX_CERTIFICATES = 6


def _key_info_out(info: KeyInformation) -> dict[str, object]:
    return {
        **{field.value: info.value(field) for field in FieldName},
        "missing": [field.value for field in FieldName if info.value(field) is None],
    }


def _attestation(platform: Platform, credit_code: str | None, reason: str | None = None) -> AttestationOut:
    if not credit_code:
        return AttestationOut(status="none", reason=reason or "OCR found no credit code on the certificates")
    registry = platform.ledger.registry
    attestation_id = registry.latest_attestation_of(credit_code_hash(credit_code))
    recorded = registry.attestation_of(attestation_id) if attestation_id is not None else None
    if attestation_id is None or recorded is None:
        return AttestationOut(status="none", reason=reason or "the oracles have not attested this code yet")
    return AttestationOut(
        status="valid" if registry.is_attestation_valid(attestation_id) else "expired",
        attestation_id=hex0x(attestation_id),
        record_digest=hex0x(recorded.attestation.record_digest),
        observed_at=recorded.attestation.observed_at,
        expires_at=recorded.attestation.expires_at,
        signer_count=recorded.signer_count,
        reason=reason,
    )


def _publish(platform: Platform, credit_code: str) -> str | None:
    """Have the platform-run oracle operators attest ``credit_code``'s record; the reason if they could not."""
    try:
        platform.publisher().publish(credit_code)
    except (OracleError, ContractReverted) as exc:
        return f"the oracles could not attest it: {exc}"
    return None


def _record(platform: Platform, account: str) -> ApplicationRecord:
    record = platform.applications.get(account)
    if record is None:
        raise NotFound(f"the platform holds no application of {account}")
    return record


@router.get("", response_model=Page[InstitutionSummary])
def list_institutions(
    read_model: ReadModelDep,
    kind: Annotated[KindName | None, Query()] = None,
    status: Annotated[
        Literal["pending", "approved", "rejected", "suspended", "flagged"] | None, Query()
    ] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=100, description="part of the name")] = None,
    offset: Annotated[int, Query(ge=0, le=JSON_SAFE_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[InstitutionSummary]:
    """Institutions from the read model (no sign-in), by kind, status or a part of the public name the
    platform knows; ``as_of_block`` says which block the answer is as of."""
    return read_model.institutions(kind=kind, status=status, name_contains=name, offset=offset, limit=limit)


@router.post(
    "/applications",
    response_model=ApplicationOut,
    status_code=201,
    description=describe(
        "The signed-in account applies to be registered as an institution of ``kind``, uploading its "
        "certificates (registration certificate, legal-person page, account-opening permit; PNG or JPEG). "
        "The platform stores them encrypted, reads the first key information by OCR, files the application "
        "(certificate digests, a salted hash of the key information, the account's public key) and asks the "
        "oracles to attest the government-registry record of the credit code it read.",
        ("InstitutionRegistry", "applyForRegistration"),
    ),
)
def apply(
    kind: Annotated[KindName, Form(description="what the institution registers as")],
    certificates: Annotated[list[UploadFile], File(description="certificate images (1 to 6)")],
    applicant: Signer,
    platform: PlatformDep,
) -> ApplicationOut:
    if not 1 <= len(certificates) <= MAX_CERTIFICATES:
        raise InvalidInput(f"upload 1 to {MAX_CERTIFICATES} certificate images")
    limit = platform.settings.api.max_upload_bytes
    documents = []
    for upload in certificates:
        content = upload.file.read(limit + 1)
        if len(content) > limit:
            raise PayloadTooLarge(f"{upload.filename} is larger than {limit} bytes")
        if not content:
            raise InvalidInput(f"{upload.filename} is empty")
        documents.append(content)
    institution_kind = InstitutionKind[kind.upper()]
    registry = platform.ledger.registry
    current = registry.institution_of(applicant.address)
    if current.status in (InstitutionStatus.PENDING, InstitutionStatus.APPROVED):
        raise Conflict(f"{applicant.address} already has a {current.status.name.lower()} registration")
    submitted = ApplicationIntake(registry, platform.documents).submit(applicant, institution_kind, documents)
    platform.applications.put(
        ApplicationRecord(
            account=applicant.address,
            kind=institution_kind,
            key_info=submitted.key_info,
            salt=submitted.salt,
            certificate_digests=submitted.certificate_digests,
            application_digest=submitted.application_digest,
        )
    )
    code = submitted.key_info.credit_code
    reason = _publish(platform, code) if code else None
    return ApplicationOut(
        account=applicant.address,
        kind=kind,
        application_digest=hex0x(submitted.application_digest),
        certificate_digests=[hex0x(digest) for digest in submitted.certificate_digests],
        key_info_hash=hex0x(submitted.key_info_hash),
        key_info=_key_info_out(submitted.key_info),
        transaction=Transaction.of(submitted.tx.receipt),
        attestation=_attestation(platform, code, reason),
    )


@router.get("/{account}", response_model=InstitutionOut)
def institution(account: Address, platform: PlatformDep) -> InstitutionOut:
    """An institution's registration as the registry holds it (no sign-in)."""
    registry = platform.ledger.registry
    block = platform.client.block_number()
    found = registry.institution_of(account, block=block)
    return InstitutionOut(
        account=account,
        kind=found.kind.name.lower(),
        status=found.status.name.lower(),
        active=registry.is_active(account, block=block),
        suspended=found.suspended,
        flagged=found.flagged,
        rule_version=found.rule_version,
        applied_at=found.applied_at,
        expires_at=found.expires_at,
        application_digest=hex0x(found.application_digest),
        attestation_id=hex0x(found.attestation_id),
        credit_code_hash=hex0x(found.credit_code_hash),
        certificate_digests=[hex0x(digest) for digest in found.certificate_digests],
        as_of=AsOf(block_number=block),
    )


@router.get("/{account}/application", response_model=ApplicationRecordOut)
def application(account: Address, user: CurrentUser, platform: PlatformDep) -> ApplicationRecordOut:
    """The OCR result of an institution's application: for the applicant itself, banks and regulators."""
    if user.account != account and not platform.roles.roles_of(user.account).has_any(
        {Role.BANK, Role.REGULATOR}
    ):
        raise NotYourResource(
            "only the applicant, a bank or a regulator may read an application's OCR result"
        )
    record = _record(platform, account)
    return ApplicationRecordOut(
        account=record.account,
        kind=record.kind.name.lower(),
        application_digest=hex0x(record.application_digest),
        certificate_digests=[hex0x(digest) for digest in record.certificate_digests],
        key_info=_key_info_out(record.key_info),
    )


@router.get("/{account}/attestation", response_model=AttestationOut)
def attestation(account: Address, platform: PlatformDep) -> AttestationOut:
    """The oracles' attestation of the registry record behind an application (no sign-in): the one its
    audit used, or the latest for the credit code the platform read from its certificates."""
    registry = platform.ledger.registry
    found = registry.institution_of(account)
    if any(found.attestation_id):
        recorded = registry.attestation_of(found.attestation_id)
        if recorded is not None:
            return AttestationOut(
                status="valid" if registry.is_attestation_valid(found.attestation_id) else "expired",
                attestation_id=hex0x(found.attestation_id),
                record_digest=hex0x(recorded.attestation.record_digest),
                observed_at=recorded.attestation.observed_at,
                expires_at=recorded.attestation.expires_at,
                signer_count=recorded.signer_count,
            )
    return _attestation(platform, _record(platform, account).key_info.credit_code)


@router.post(
    "/{account}/attestation",
    response_model=AttestationOut,
    description=describe(
        "Ask the oracles to (re)attest the government-registry record of the application's credit code "
        "(the applicant or a bank): each oracle operator reads the registry itself and k of them sign.",
        ("InstitutionRegistry", "attest"),
    ),
)
def request_attestation(account: Address, user: CurrentUser, platform: PlatformDep) -> AttestationOut:
    if user.account != account and not platform.roles.roles_of(user.account).has_any({Role.BANK}):
        raise NotYourResource("only the applicant or a bank may ask for an attestation")
    code = _record(platform, account).key_info.credit_code
    if not code:
        raise Conflict("OCR found no credit code on the certificates: apply again with better images")
    reason = _publish(platform, code)
    if reason is not None:
        raise Conflict(reason)
    return _attestation(platform, code)


def _audit(platform: Platform, account: str, bank: LocalAccount) -> AuditReport:
    record = _record(platform, account)
    code = record.key_info.credit_code
    if not code:
        raise Conflict("OCR found no credit code on the certificates: the application cannot be audited")
    attestation_id = platform.ledger.registry.latest_attestation_of(credit_code_hash(code))
    if attestation_id is None:
        raise Conflict(
            f"no attestation of the registry record of {code}: POST /institutions/{account}/attestation"
        )
    registry_record = platform.registry_source.fetch(code)
    return InstitutionAuditor(platform.ledger.registry, bank).audit(
        account, record.key_info, code, registry_record, attestation_id
    )


def _audit_out(account: str, report: AuditReport) -> AuditOut:
    outcome = report.outcome
    return AuditOut(
        account=account,
        decision=outcome.decision.value.lower(),
        passed=report.decision.passed if report.decision is not None else False,
        rule_version=outcome.rule_version,
        # What went on-chain when a decision was written (the officer's marks included), else the rule's.
        reasons=[decode_short_code(code) for code in report.decision.reason_codes]
        if report.decision is not None
        else [reason.value for reason in outcome.reasons],
        checks=[
            FieldCheckOut(
                field=c.field.value, extracted=c.extracted, registered=c.registered, match=c.match.value
            )
            for c in outcome.checks
        ],
        review=[
            ReviewItemOut(
                field=item.field.value,
                extracted=item.extracted,
                registered=item.registered,
                doubtful_characters=list(item.doubtful_characters),
            )
            for item in outcome.review
        ],
        attestation_id=hex0x(report.attestation_id),
        transaction=Transaction.of(report.tx.receipt) if report.tx is not None else None,
    )


@router.post(
    "/{account}/audit",
    response_model=AuditOut,
    description=describe(
        "A bank audits a pending application: the key information read by OCR against the attested "
        "government-registry record, field by field. The rule passes or rejects it (the decision, its reasons "
        "and the evidence go on-chain), or, where OCR was unsure, sends it to manual review (nothing written; "
        "a bank officer decides with POST /institutions/{account}/review) (bank role).",
        ("InstitutionRegistry", "audit"),
    ),
)
def audit(account: Address, _: BankRoles, bank: Signer, platform: PlatformDep) -> AuditOut:
    return _audit_out(account, _audit(platform, account, bank))


@router.post(
    "/{account}/review",
    response_model=AuditOut,
    description=describe(
        "A bank officer's verdict on an application the rule sent to manual review, after looking at the "
        "doubtful fields as printed: approve or reject, with what they saw differ. On-chain the reasons say "
        "that a human decided (MANUAL_REVIEW, MANUAL_APPROVED or MANUAL_REJECTED, a hash of the officer's "
        "identifier) (bank role).",
        ("InstitutionRegistry", "audit"),
    ),
)
def review(
    account: Address, body: OfficerReview, _: BankRoles, bank: Signer, platform: PlatformDep
) -> AuditOut:
    auditor = InstitutionAuditor(platform.ledger.registry, bank)
    report = _audit(platform, account, bank)  # the rule's outcome again: a manual review writes nothing
    decided = auditor.record_manual_decision(
        account,
        report,
        approve=body.approve,
        officer=body.officer,
        findings=tuple(Reason(finding) for finding in body.findings),
    )
    return _audit_out(account, decided)
