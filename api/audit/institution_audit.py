"""The bank's onboarding audit: OCR'd key information against the attested government-registry record.

Rule version 1 (:data:`RULE_VERSION`), per kind:

* **non-profit rule** (charity, government agency, local government): every field of the first key
  information (name, credit code, legal representative, account bank, account location) equals the
  registry's after normalisation, the registration is active, the registry type fits the kind applied
  for, and the institution is a non-profit;
* **third-party rule** (supplier, hospital, logistics firm): credit code, name, account bank and account
  location equal the registry's, the registration is active and the type fits; profit status and legal
  representative do not matter for a paid third party.

Every failed check is one reason code, so a rejection says exactly what differed. The decision, the
rule version, the reasons and the evidence (the application's certificate digests, through its
application digest, and the registry attestation) are written on-chain by :class:`InstitutionAuditor`;
:func:`evaluate` is the pure rule, so that anyone holding the inputs can recompute a decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import structlog
from eth_account.signers.local import LocalAccount

from api.intake.key_info import FieldName, KeyInformation, normalize_text
from chain_client.client import TxResult
from chain_client.contracts.institution_registry import (
    AuditDecision,
    InstitutionKind,
    InstitutionRegistry,
    credit_code_hash,
    short_code,
)
from oracle.attestation import absent_record_digest
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord

log = structlog.get_logger(__name__)

RULE_VERSION = 1
DEFAULT_APPROVAL_SECONDS = 365 * 86_400
_ZERO32 = b"\x00" * 32


class Reason(StrEnum):
    """Why an audit failed; each fits the contract's bytes32 reason codes."""

    RECORD_MISSING = "RECORD_MISSING"
    NOT_ACTIVE = "NOT_ACTIVE"
    NOT_NON_PROFIT = "NOT_NON_PROFIT"
    KIND_MISMATCH = "KIND_MISMATCH"
    NAME_MISMATCH = "NAME_MISMATCH"
    CREDIT_CODE_MISMATCH = "CREDIT_CODE_MISMATCH"
    LEGAL_REP_MISMATCH = "LEGAL_REP_MISMATCH"
    ACCOUNT_BANK_MISMATCH = "ACCOUNT_BANK_MISMATCH"
    ACCOUNT_LOCATION_MISMATCH = "ACCOUNT_LOCATION_MISMATCH"
    NAME_UNREADABLE = "NAME_UNREADABLE"
    CREDIT_CODE_UNREADABLE = "CREDIT_CODE_UNREADABLE"
    LEGAL_REP_UNREADABLE = "LEGAL_REP_UNREADABLE"
    ACCOUNT_BANK_UNREADABLE = "ACCOUNT_BANK_UNREADABLE"
    ACCOUNT_LOCATION_UNREADABLE = "ACCOUNT_LOCATION_UNREADABLE"


_MISMATCH: Mapping[FieldName, Reason] = {
    FieldName.NAME: Reason.NAME_MISMATCH,
    FieldName.CREDIT_CODE: Reason.CREDIT_CODE_MISMATCH,
    FieldName.LEGAL_REPRESENTATIVE: Reason.LEGAL_REP_MISMATCH,
    FieldName.ACCOUNT_BANK: Reason.ACCOUNT_BANK_MISMATCH,
    FieldName.ACCOUNT_LOCATION: Reason.ACCOUNT_LOCATION_MISMATCH,
}
_UNREADABLE: Mapping[FieldName, Reason] = {
    FieldName.NAME: Reason.NAME_UNREADABLE,
    FieldName.CREDIT_CODE: Reason.CREDIT_CODE_UNREADABLE,
    FieldName.LEGAL_REPRESENTATIVE: Reason.LEGAL_REP_UNREADABLE,
    FieldName.ACCOUNT_BANK: Reason.ACCOUNT_BANK_UNREADABLE,
    FieldName.ACCOUNT_LOCATION: Reason.ACCOUNT_LOCATION_UNREADABLE,
}

NON_PROFIT_KINDS = frozenset(
    {InstitutionKind.CHARITY, InstitutionKind.GOVERNMENT_AGENCY, InstitutionKind.LOCAL_GOVERNMENT}
)
THIRD_PARTY_KINDS = frozenset({InstitutionKind.SUPPLIER, InstitutionKind.HOSPITAL, InstitutionKind.LOGISTICS})

_REGISTRY_TYPES: Mapping[InstitutionKind, frozenset[OrgType]] = {
    InstitutionKind.CHARITY: frozenset({OrgType.FOUNDATION, OrgType.SOCIAL_ORGANIZATION}),
    InstitutionKind.GOVERNMENT_AGENCY: frozenset({OrgType.GOVERNMENT_AGENCY}),
    InstitutionKind.LOCAL_GOVERNMENT: frozenset({OrgType.LOCAL_GOVERNMENT}),
    InstitutionKind.SUPPLIER: frozenset({OrgType.ENTERPRISE}),
    InstitutionKind.HOSPITAL: frozenset({OrgType.HOSPITAL}),
    InstitutionKind.LOGISTICS: frozenset({OrgType.LOGISTICS}),
}

_THIRD_PARTY_FIELDS = (
    FieldName.CREDIT_CODE,
    FieldName.NAME,
    FieldName.ACCOUNT_BANK,
    FieldName.ACCOUNT_LOCATION,
)


class AuditError(Exception):
    """The audit cannot be decided with this evidence (nothing is written on-chain)."""


class EvidenceMismatch(AuditError):
    """The record given is not the one the attestation is about."""


class AttestationNotUsable(AuditError):
    """The attestation is not recorded on-chain, or has expired: have the oracles attest again."""


def comparable(field: FieldName, value: str) -> str:
    """The form both sides are compared in: NFKC, no whitespace; codes also upper-case."""
    text = normalize_text(value)
    return text.upper() if field is FieldName.CREDIT_CODE else text


@dataclass(frozen=True)
class FieldCheck:
    field: FieldName
    extracted: str | None
    registered: str
    matches: bool


@dataclass(frozen=True)
class AuditOutcome:
    """The decision of :func:`evaluate`, with the per-field comparisons behind it."""

    kind: InstitutionKind
    passed: bool
    reasons: tuple[Reason, ...]
    checks: tuple[FieldCheck, ...]
    rule_version: int = RULE_VERSION


def _compare(
    key_info: KeyInformation, record: RegistryRecord, fields: tuple[FieldName, ...]
) -> list[FieldCheck]:
    checks = []
    for field in fields:
        extracted = key_info.value(field)
        registered: str = getattr(record, field.value)
        matches = extracted is not None and comparable(field, extracted) == comparable(field, registered)
        checks.append(FieldCheck(field, extracted, registered, matches))
    return checks


def evaluate(kind: InstitutionKind, key_info: KeyInformation, record: RegistryRecord | None) -> AuditOutcome:
    """Apply rule :data:`RULE_VERSION` to an application of ``kind`` (``record`` None: no record)."""
    if kind not in _REGISTRY_TYPES:
        raise ValueError(f"cannot audit an institution of kind {kind!r}")
    if record is None:
        return AuditOutcome(kind, False, (Reason.RECORD_MISSING,), ())
    fields = tuple(FieldName) if kind in NON_PROFIT_KINDS else _THIRD_PARTY_FIELDS
    checks = _compare(key_info, record, fields)
    reasons: list[Reason] = [
        _UNREADABLE[check.field] if check.extracted is None else _MISMATCH[check.field]
        for check in checks
        if not check.matches
    ]
    if record.status is not RegistrationStatus.ACTIVE:
        reasons.append(Reason.NOT_ACTIVE)
    if record.org_type not in _REGISTRY_TYPES[kind]:
        reasons.append(Reason.KIND_MISMATCH)
    if kind in NON_PROFIT_KINDS and not record.non_profit:
        reasons.append(Reason.NOT_NON_PROFIT)
    return AuditOutcome(kind, not reasons, tuple(reasons), tuple(checks))


@dataclass(frozen=True)
class AuditReport:
    """An audit written on-chain."""

    outcome: AuditOutcome
    decision: AuditDecision
    tx: TxResult


class InstitutionAuditor:
    """A bank's auditor: checks the evidence is what the chain attests, applies the rule, records it."""

    def __init__(
        self,
        registry: InstitutionRegistry,
        bank: LocalAccount,
        *,
        approval_seconds: int = DEFAULT_APPROVAL_SECONDS,
    ) -> None:
        self.registry = registry
        self.bank = bank
        self.approval_seconds = approval_seconds

    def _check_evidence(self, credit_code: str, record: RegistryRecord | None, attestation_id: bytes) -> None:
        recorded = self.registry.attestation_of(attestation_id)
        if recorded is None or not self.registry.is_attestation_valid(attestation_id):
            raise AttestationNotUsable(f"attestation 0x{attestation_id.hex()} is not recorded or has expired")
        attested = recorded.attestation
        digest = record.digest() if record is not None else absent_record_digest(credit_code)
        if attested.credit_code_hash != credit_code_hash(credit_code) or attested.record_digest != digest:
            raise EvidenceMismatch(
                f"attestation 0x{attestation_id.hex()} does not attest this registry record of {credit_code}"
            )

    def audit(
        self,
        account: str,
        key_info: KeyInformation,
        credit_code: str,
        record: RegistryRecord | None,
        attestation_id: bytes,
    ) -> AuditReport:
        """Audit ``account``'s pending application against ``record`` (attested by ``attestation_id``).

        ``credit_code`` is the code the registry was queried with (the one OCR read). Raises
        :class:`AuditError` when the evidence does not hold; writes the decision otherwise.
        """
        self._check_evidence(credit_code, record, attestation_id)
        institution = self.registry.institution_of(account)
        outcome = evaluate(institution.kind, key_info, record)
        latest_block = self.registry.client.backend.get_block("latest")
        now = latest_block.timestamp if latest_block is not None else 0
        decision = AuditDecision(
            application_digest=institution.application_digest,
            attestation_id=attestation_id,
            passed=outcome.passed,
            rule_version=outcome.rule_version,
            expires_at=now + self.approval_seconds if outcome.passed else 0,
            reason_codes=tuple(short_code(reason.value) for reason in outcome.reasons),
        )
        tx = self.registry.audit(self.bank, account, decision)
        log.info(
            "institution_audited",
            account=account,
            kind=institution.kind.name,
            passed=outcome.passed,
            reasons=[reason.value for reason in outcome.reasons],
            rule_version=outcome.rule_version,
        )
        return AuditReport(outcome, decision, tx)
