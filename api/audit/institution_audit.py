"""The bank's onboarding audit: OCR'd key information against the attested government-registry record.

Rule version 2 (:data:`RULE_VERSION`), per kind:

* **non-profit rule** (charity, government agency, local government): every field of the first key
  information (name, credit code, legal representative, account bank, account location) equals the
  registry's after normalisation, the registration is active, the registry type fits the kind applied
  for, and the institution is a non-profit;
* **third-party rule** (supplier, hospital, logistics firm): credit code, name, account bank and account
  location equal the registry's, the registration is active and the type fits; profit status and legal
  representative do not matter for a paid third party.

The rule knows when it does not know. A difference from the registry is a *confident mismatch* only
when every differing character was read with confidence (see
:attr:`api.intake.key_info.FieldEvidence.doubtful_characters`); a difference confined to characters OCR
doubted, a field no document gave, or a field two documents read differently, is a question for a bank
officer. So the decision (:class:`Decision`) is:

* ``REJECT`` when the registry says no (``RECORD_MISSING`` for a code read with confidence,
  ``NOT_ACTIVE``, ``KIND_MISMATCH``, ``NOT_NON_PROFIT``) or a field mismatches with confidence;
* else ``MANUAL_REVIEW`` when a field is doubtful (``<FIELD>_DOUBTFUL``) or unread
  (``<FIELD>_UNREADABLE``): nothing is written on-chain; the officer sees each such field's crop
  beside the registry's value (:class:`ReviewItem`) and decides, and
  :meth:`InstitutionAuditor.record_manual_decision` writes that decision with the reason code
  ``MANUAL_REVIEW`` and the officer's verdict (``MANUAL_APPROVED`` / ``MANUAL_REJECTED``) beside the
  fields that were reviewed, so the chain shows that a human decided;
* else ``PASS``.

Every failed check is one reason code. The decision, the rule version, the reasons and the evidence
(the application's certificate digests, through its application digest, and the registry
attestation) are written on-chain by :class:`InstitutionAuditor`; :func:`evaluate` is the pure rule,
so that anyone holding the inputs can recompute a decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

import structlog
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from PIL import Image

from api.intake.key_info import FieldEvidence, FieldName, KeyInformation, SourceBox, normalize_text
from api.intake.ocr import ImageSource, crop_source
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

RULE_VERSION = 2
DEFAULT_APPROVAL_SECONDS = 365 * 86_400

CLOSE_READING = 0.6
"""Share of characters a reading must have in common with the registry's value for a lost
character or a ragged end to count as OCR's doubt rather than a difference."""


class Decision(StrEnum):
    """What the rule decided."""

    PASS = "PASS"  # noqa: S105 - a decision, not a password
    REJECT = "REJECT"
    MANUAL_REVIEW = "MANUAL_REVIEW"


class Reason(StrEnum):
    """Why an audit failed or needs a human; each fits the contract's bytes32 reason codes."""

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
    NAME_DOUBTFUL = "NAME_DOUBTFUL"
    CREDIT_CODE_DOUBTFUL = "CREDIT_CODE_DOUBTFUL"
    LEGAL_REP_DOUBTFUL = "LEGAL_REP_DOUBTFUL"
    ACCOUNT_BANK_DOUBTFUL = "ACCOUNT_BANK_DOUBTFUL"
    ACCOUNT_LOCATION_DOUBTFUL = "ACCOUNT_LOCATION_DOUBTFUL"
    MANUAL_REVIEW = "MANUAL_REVIEW"
    """Marks a decision taken by a bank officer after a manual review."""
    MANUAL_APPROVED = "MANUAL_APPROVED"
    MANUAL_REJECTED = "MANUAL_REJECTED"


_SHORT = {
    FieldName.NAME: "NAME",
    FieldName.CREDIT_CODE: "CREDIT_CODE",
    FieldName.LEGAL_REPRESENTATIVE: "LEGAL_REP",
    FieldName.ACCOUNT_BANK: "ACCOUNT_BANK",
    FieldName.ACCOUNT_LOCATION: "ACCOUNT_LOCATION",
}
_MISMATCH: Mapping[FieldName, Reason] = {
    field: Reason(f"{short}_MISMATCH") for field, short in _SHORT.items()
}
_UNREADABLE: Mapping[FieldName, Reason] = {
    field: Reason(f"{short}_UNREADABLE") for field, short in _SHORT.items()
}
_DOUBTFUL: Mapping[FieldName, Reason] = {
    field: Reason(f"{short}_DOUBTFUL") for field, short in _SHORT.items()
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


class NotUnderReview(AuditError):
    """A manual decision was offered for an audit whose rule did not ask for one."""


def comparable(field: FieldName, value: str) -> str:
    """The form both sides are compared in: NFKC, no whitespace; codes also upper-case."""
    text = normalize_text(value)
    return text.upper() if field is FieldName.CREDIT_CODE else text


class Match(StrEnum):
    """How an extracted field compares with the registry's."""

    EQUAL = "equal"
    MISMATCH = "mismatch"
    """Differs, and every differing character was read with confidence."""
    DOUBTFUL = "doubtful"
    """Differs only where OCR was unsure, or documents disagreed: for a human to look at."""
    UNREAD = "unread"


def compare(
    field: FieldName, extracted: str | None, registered: str, evidence: FieldEvidence | None
) -> Match:
    """Compare one field, telling a confident difference from one OCR may have caused."""
    if extracted is None:
        return Match.UNREAD
    read, truth = comparable(field, extracted), comparable(field, registered)
    if read == truth:
        return Match.EQUAL
    if evidence is None:
        return Match.MISMATCH  # given, not read: nothing to doubt
    if evidence.conflict or len(read) != len(extracted):
        return Match.DOUBTFUL
    doubtful = set(evidence.doubtful_characters)
    operations = SequenceMatcher(None, read, truth, autojunk=False).get_opcodes()
    agreeing = sum(i2 - i1 for tag, i1, i2, _, _ in operations if tag == "equal")
    # Where a reading mostly agrees with the registry, characters it lacks and a length that
    # differs at either end are OCR's to answer for: a character that was not read has no score
    # to be sure of (a detector that cut a box short, CTC decoding that merged a doubled
    # character), and where a box begins and ends is the detector's guess (a seal's remnant or the
    # next field can be drawn into it). A reading that shares little with the registry is judged
    # on the characters it did read.
    close = agreeing >= CLOSE_READING * max(len(read), len(truth))
    for tag, i1, i2, j1, j2 in operations:
        if tag == "equal":
            continue
        at_edge = i1 == 0 or i2 == len(read)
        if tag == "insert":
            repeated = all(char in (truth[j1 - 1 : j1] + truth[j2 : j2 + 1]) for char in truth[j1:j2])
            if close or {i1 - 1, i1} & doubtful or repeated:
                continue
            return Match.MISMATCH
        if close and at_edge and (i2 - i1) != (j2 - j1):
            continue
        if not set(range(i1, i2)) <= doubtful:
            return Match.MISMATCH
    return Match.DOUBTFUL


@dataclass(frozen=True)
class FieldCheck:
    field: FieldName
    extracted: str | None
    registered: str
    match: Match

    @property
    def matches(self) -> bool:
        return self.match is Match.EQUAL


@dataclass(frozen=True)
class ReviewItem:
    """What a bank officer needs to settle one field: the printed field beside the registry's value."""

    field: FieldName
    extracted: str | None
    registered: str | None
    doubtful_characters: tuple[int, ...]
    boxes: tuple[SourceBox, ...]
    """Where the field was printed; :meth:`crops` cuts them out of the uploaded images."""

    def crops(self, images: Mapping[str, ImageSource]) -> list[Image.Image]:
        """The field as printed, one image per source box, from ``images`` (keyed by document name)."""
        return [crop_source(images[box.document], box) for box in self.boxes if box.document in images]


@dataclass(frozen=True)
class AuditOutcome:
    """The decision of :func:`evaluate`, with the per-field comparisons behind it."""

    kind: InstitutionKind
    decision: Decision
    reasons: tuple[Reason, ...]
    checks: tuple[FieldCheck, ...]
    review: tuple[ReviewItem, ...] = ()
    """For ``MANUAL_REVIEW``: the fields the officer must look at."""
    rule_version: int = RULE_VERSION

    @property
    def passed(self) -> bool:
        return self.decision is Decision.PASS


def _review_item(check: FieldCheck, key_info: KeyInformation) -> ReviewItem:
    evidence = key_info.evidence.get(check.field)
    return ReviewItem(
        field=check.field,
        extracted=check.extracted,
        registered=check.registered,
        doubtful_characters=evidence.doubtful_characters if evidence else (),
        boxes=evidence.boxes if evidence else (),
    )


def _code_in_doubt(key_info: KeyInformation) -> bool:
    evidence = key_info.evidence.get(FieldName.CREDIT_CODE)
    return evidence is not None and (bool(evidence.doubtful_characters) or evidence.conflict)


def evaluate(kind: InstitutionKind, key_info: KeyInformation, record: RegistryRecord | None) -> AuditOutcome:
    """Apply rule :data:`RULE_VERSION` to an application of ``kind`` (``record`` None: no record)."""
    if kind not in _REGISTRY_TYPES:
        raise ValueError(f"cannot audit an institution of kind {kind!r}")
    if record is None:
        if _code_in_doubt(key_info):
            code = key_info.credit_code
            item = ReviewItem(
                FieldName.CREDIT_CODE,
                code,
                None,
                key_info.evidence[FieldName.CREDIT_CODE].doubtful_characters,
                key_info.evidence[FieldName.CREDIT_CODE].boxes,
            )
            return AuditOutcome(
                kind,
                Decision.MANUAL_REVIEW,
                (Reason.RECORD_MISSING, Reason.CREDIT_CODE_DOUBTFUL),
                (),
                (item,),
            )
        return AuditOutcome(kind, Decision.REJECT, (Reason.RECORD_MISSING,), ())
    fields = tuple(FieldName) if kind in NON_PROFIT_KINDS else _THIRD_PARTY_FIELDS
    checks = tuple(
        FieldCheck(
            field,
            key_info.value(field),
            getattr(record, field.value),
            compare(field, key_info.value(field), getattr(record, field.value), key_info.evidence.get(field)),
        )
        for field in fields
    )
    rejections = [_MISMATCH[check.field] for check in checks if check.match is Match.MISMATCH]
    if record.status is not RegistrationStatus.ACTIVE:
        rejections.append(Reason.NOT_ACTIVE)
    if record.org_type not in _REGISTRY_TYPES[kind]:
        rejections.append(Reason.KIND_MISMATCH)
    if kind in NON_PROFIT_KINDS and not record.non_profit:
        rejections.append(Reason.NOT_NON_PROFIT)
    if rejections:
        return AuditOutcome(kind, Decision.REJECT, tuple(rejections), checks)
    questions = [check for check in checks if check.match in (Match.DOUBTFUL, Match.UNREAD)]
    if questions:
        reasons = tuple(
            _UNREADABLE[check.field] if check.match is Match.UNREAD else _DOUBTFUL[check.field]
            for check in questions
        )
        review = tuple(_review_item(check, key_info) for check in questions)
        return AuditOutcome(kind, Decision.MANUAL_REVIEW, reasons, checks, review)
    return AuditOutcome(kind, Decision.PASS, (), checks)


@dataclass(frozen=True)
class AuditReport:
    """An audit: written on-chain unless the rule asked for a manual review (then ``tx`` is None)."""

    outcome: AuditOutcome
    decision: AuditDecision | None
    tx: TxResult | None
    attestation_id: bytes = b""
    manual: bool = False
    officer_reasons: tuple[Reason, ...] = field(default_factory=tuple)


def officer_code(officer: str) -> str:
    """``OFFICER_`` and 16 hex digits of keccak256 of the officer's staff identifier (no name on-chain)."""
    return "OFFICER_" + keccak(text=officer).hex()[:16]


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

    def _write(
        self, account: str, attestation_id: bytes, passed: bool, reasons: tuple[str, ...]
    ) -> tuple[AuditDecision, TxResult]:
        institution = self.registry.institution_of(account)
        latest_block = self.registry.client.backend.get_block("latest")
        now = latest_block.timestamp if latest_block is not None else 0
        decision = AuditDecision(
            application_digest=institution.application_digest,
            attestation_id=attestation_id,
            passed=passed,
            rule_version=RULE_VERSION,
            expires_at=now + self.approval_seconds if passed else 0,
            reason_codes=tuple(short_code(reason) for reason in reasons),
        )
        return decision, self.registry.audit(self.bank, account, decision)

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
        :class:`AuditError` when the evidence does not hold. A pass or a reject is written on-chain;
        a ``MANUAL_REVIEW`` outcome is not (the application stays pending): hand
        :attr:`AuditOutcome.review` to an officer and record their verdict with
        :meth:`record_manual_decision`.
        """
        self._check_evidence(credit_code, record, attestation_id)
        institution = self.registry.institution_of(account)
        outcome = evaluate(institution.kind, key_info, record)
        log.info(
            "institution_audited",
            account=account,
            kind=institution.kind.name,
            decision=outcome.decision.value,
            reasons=[reason.value for reason in outcome.reasons],
            rule_version=outcome.rule_version,
        )
        if outcome.decision is Decision.MANUAL_REVIEW:
            return AuditReport(outcome, None, None, attestation_id)
        decision, tx = self._write(
            account, attestation_id, outcome.passed, tuple(reason.value for reason in outcome.reasons)
        )
        return AuditReport(outcome, decision, tx, attestation_id)

    def record_manual_decision(
        self,
        account: str,
        report: AuditReport,
        *,
        approve: bool,
        officer: str,
        findings: tuple[Reason, ...] = (),
    ) -> AuditReport:
        """Write a bank officer's verdict on an audit the rule sent to manual review.

        The on-chain reason codes are ``MANUAL_REVIEW``, ``MANUAL_APPROVED`` or ``MANUAL_REJECTED``,
        ``OFFICER_<hash of the officer's staff id>``, the reasons the rule gave for the review, and
        ``findings`` (e.g. ``NAME_MISMATCH`` when the officer saw that the printed name differs). The
        attestation must still be valid. Raises :class:`NotUnderReview` for an outcome that was not a
        manual review.
        """
        if report.outcome.decision is not Decision.MANUAL_REVIEW:
            raise NotUnderReview(
                f"the audit of {account} was decided by the rule ({report.outcome.decision})"
            )
        if approve and Reason.RECORD_MISSING in report.outcome.reasons:
            raise NotUnderReview(f"the registry has no record for {account}'s code: it cannot be approved")
        if not self.registry.is_attestation_valid(report.attestation_id):
            raise AttestationNotUsable(
                f"attestation 0x{report.attestation_id.hex()} has expired; attest again"
            )
        verdict = Reason.MANUAL_APPROVED if approve else Reason.MANUAL_REJECTED
        reasons = (
            Reason.MANUAL_REVIEW.value,
            verdict.value,
            officer_code(officer),
            *(reason.value for reason in report.outcome.reasons),
            *(finding.value for finding in findings),
        )
        decision, tx = self._write(account, report.attestation_id, approve, tuple(dict.fromkeys(reasons)))
        log.info("institution_reviewed", account=account, approved=approve, reasons=list(reasons))
        return AuditReport(report.outcome, decision, tx, report.attestation_id, True, (verdict, *findings))
