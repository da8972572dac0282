"""Institutions: applications with certificates, the OCR result, registry attestations, bank audits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Address, AsOf, Hash32, Transaction

KindName = Literal["charity", "government_agency", "supplier", "hospital", "logistics", "local_government"]


class KeyInformationOut(BaseModel):
    """The first key information read by OCR (``None``: not found on any certificate)."""

    name: str | None
    credit_code: str | None
    legal_representative: str | None
    account_bank: str | None
    account_location: str | None
    missing: list[str] = Field(description="fields no certificate gave: upload a better image")


class AttestationOut(BaseModel):
    """The oracles' attestation of the government-registry record for the institution's credit code."""

    status: Literal["none", "valid", "expired"]
    attestation_id: Hash32 | None = None
    record_digest: Hash32 | None = None
    observed_at: int | None = None
    expires_at: int | None = None
    signer_count: int | None = None
    reason: str | None = Field(None, description="why there is none yet, when known")


class ApplicationOut(BaseModel):
    account: Address
    kind: KindName
    application_digest: Hash32
    certificate_digests: list[Hash32]
    key_info_hash: Hash32 = Field(description="keccak256(salt ‖ key information): what went on-chain")
    key_info: KeyInformationOut
    transaction: Transaction
    attestation: AttestationOut


class ApplicationRecordOut(BaseModel):
    """What the platform read from an application's certificates (the applicant, banks, regulators)."""

    account: Address
    kind: KindName
    application_digest: Hash32
    certificate_digests: list[Hash32]
    key_info: KeyInformationOut


class InstitutionOut(BaseModel):
    account: Address
    kind: KindName | Literal["none"]
    status: Literal["none", "pending", "approved", "rejected"]
    active: bool
    suspended: bool
    flagged: bool
    rule_version: int
    applied_at: int
    expires_at: int
    application_digest: Hash32
    attestation_id: Hash32
    credit_code_hash: Hash32
    certificate_digests: list[Hash32]
    as_of: AsOf


class FieldCheckOut(BaseModel):
    field: str
    extracted: str | None
    registered: str
    match: Literal["equal", "mismatch", "doubtful", "unread"]


class ReviewItemOut(BaseModel):
    """A field a bank officer must settle: as printed (OCR) beside the registry's value."""

    field: str
    extracted: str | None
    registered: str | None
    doubtful_characters: list[int] = Field(description="positions in ``extracted`` OCR was unsure of")


class AuditOut(BaseModel):
    """The rule's decision: ``pass`` or ``reject`` (written on-chain), or ``manual_review`` (nothing
    written yet: a bank officer settles the ``review`` fields with ``POST /institutions/{account}/review``)."""

    account: Address
    decision: Literal["pass", "reject", "manual_review"]
    passed: bool
    rule_version: int
    reasons: list[str]
    checks: list[FieldCheckOut]
    review: list[ReviewItemOut]
    attestation_id: Hash32
    transaction: Transaction | None


class OfficerReview(BaseModel):
    """A bank officer's verdict on an application the rule sent to manual review."""

    approve: bool
    officer: str = Field(
        min_length=1,
        max_length=100,
        description="the officer's staff identifier; only a hash of it goes on-chain",
        examples=["XX-0042"],
    )
    findings: list[
        Literal[
            "NAME_MISMATCH",
            "CREDIT_CODE_MISMATCH",
            "LEGAL_REP_MISMATCH",
            "ACCOUNT_BANK_MISMATCH",
            "ACCOUNT_LOCATION_MISMATCH",
        ]
    ] = Field(default_factory=list, max_length=5, description="what the officer saw differ")
