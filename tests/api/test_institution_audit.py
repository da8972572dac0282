"""api/audit/institution_audit.py (the audit rule), api/audit/application.py and api/documents/store.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.audit.application import documents_to_resend, key_info_hash
from api.audit.institution_audit import Decision, Match, Reason, compare, evaluate
from api.documents.store import DocumentCorrupted, DocumentNotFound, DocumentStore, document_digest
from api.intake.key_info import DocumentKind, FieldEvidence, FieldName, KeyInformation, SourceBox
from chain_client.contracts import InstitutionKind
from oracle.registry.dataset import generate_registry
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord

RECORDS = generate_registry(60)


def _first(org_type: OrgType) -> RegistryRecord:
    return next(r for r in RECORDS if r.org_type is org_type and r.status is RegistrationStatus.ACTIVE)


CHARITY = _first(OrgType.FOUNDATION)
HOSPITAL = _first(OrgType.HOSPITAL)


def _read_as(
    record: RegistryRecord, doubtful: dict[str, tuple[int, ...]] | None = None, **changes: str | None
) -> KeyInformation:
    """Key information as OCR would give it: every field read confidently unless ``doubtful``."""
    fields = {
        "name": record.name,
        "credit_code": record.credit_code,
        "legal_representative": record.legal_representative,
        "account_bank": record.account_bank,
        "account_location": record.account_location,
    }
    values = {**fields, **changes}
    box = SourceBox(document="registration.png", quad=((0, 0), (100, 0), (100, 30), (0, 30)))
    evidence = {
        FieldName(name): FieldEvidence(
            confidence=0.99,
            sources=("registration.png",),
            agreement=1.0,
            doubtful_characters=(doubtful or {}).get(name, ()),
            boxes=(box,),
        )
        for name, value in values.items()
        if value is not None
    }
    return KeyInformation.model_validate({**values, "evidence": evidence})


def test_matching_key_information_of_an_active_non_profit_passes() -> None:
    outcome = evaluate(InstitutionKind.CHARITY, _read_as(CHARITY), CHARITY)
    assert outcome.passed
    assert outcome.decision is Decision.PASS
    assert outcome.reasons == ()
    assert all(check.matches for check in outcome.checks)
    assert outcome.rule_version == 2


def test_full_width_characters_and_spaces_are_not_differences() -> None:
    spaced = " ".join(CHARITY.legal_representative)
    full_width_code = "".join(chr(ord(c) + 0xFEE0) for c in CHARITY.credit_code.lower())
    outcome = evaluate(
        InstitutionKind.CHARITY,
        _read_as(CHARITY, legal_representative=spaced, credit_code=full_width_code),
        CHARITY,
    )
    assert outcome.passed, outcome.reasons


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("name", Reason.NAME_MISMATCH),
        ("credit_code", Reason.CREDIT_CODE_MISMATCH),
        ("legal_representative", Reason.LEGAL_REP_MISMATCH),
        ("account_bank", Reason.ACCOUNT_BANK_MISMATCH),
        ("account_location", Reason.ACCOUNT_LOCATION_MISMATCH),
    ],
)
def test_each_differing_field_is_its_own_reason(field: str, reason: Reason) -> None:
    outcome = evaluate(InstitutionKind.CHARITY, _read_as(CHARITY, None, **{field: "不同的值"}), CHARITY)
    assert not outcome.passed
    assert outcome.reasons == (reason,)


def _one_character_off(text: str, position: int) -> str:
    replacement = "王" if text[position] != "王" else "李"
    return text[:position] + replacement + text[position + 1 :]


def test_a_confident_one_character_name_difference_rejects() -> None:
    misprinted = _one_character_off(CHARITY.name, 2)
    outcome = evaluate(InstitutionKind.CHARITY, _read_as(CHARITY, name=misprinted), CHARITY)
    assert outcome.decision is Decision.REJECT
    assert outcome.reasons == (Reason.NAME_MISMATCH,)
    assert outcome.review == ()


def test_a_doubtful_one_character_name_difference_goes_to_manual_review() -> None:
    misread = _one_character_off(CHARITY.name, 2)
    info = _read_as(CHARITY, doubtful={"name": (2,)}, name=misread)
    outcome = evaluate(InstitutionKind.CHARITY, info, CHARITY)
    assert outcome.decision is Decision.MANUAL_REVIEW
    assert outcome.reasons == (Reason.NAME_DOUBTFUL,)
    (item,) = outcome.review
    assert (item.field, item.extracted, item.registered) == (FieldName.NAME, misread, CHARITY.name)
    assert item.doubtful_characters == (2,)
    assert item.boxes  # where the officer's crop is cut from


def test_a_doubt_elsewhere_does_not_excuse_a_confident_difference() -> None:
    misprinted = _one_character_off(CHARITY.legal_representative, 0)
    info = _read_as(CHARITY, doubtful={"legal_representative": (1,)}, legal_representative=misprinted)
    assert evaluate(InstitutionKind.CHARITY, info, CHARITY).decision is Decision.REJECT


def test_characters_ocr_lost_or_a_ragged_end_are_doubtful_but_read_differences_are_not() -> None:
    evidence = FieldEvidence(confidence=0.99, sources=("a",), agreement=1.0)
    location = "江苏省南京市玄武区"
    assert compare(FieldName.LEGAL_REPRESENTATIVE, "王丽", "王丽丽", evidence) is Match.DOUBTFUL
    assert compare(FieldName.ACCOUNT_LOCATION, "江苏南京市玄武区", location, evidence) is Match.DOUBTFUL
    assert compare(FieldName.ACCOUNT_LOCATION, "江苏省南京市", location, evidence) is Match.DOUBTFUL
    assert (
        compare(FieldName.ACCOUNT_BANK, "银行人光大银行广州支行", "光大银行广州支行", evidence)
        is Match.DOUBTFUL
    )
    assert compare(FieldName.LEGAL_REPRESENTATIVE, "王丽", "王华", evidence) is Match.MISMATCH
    assert compare(FieldName.LEGAL_REPRESENTATIVE, "杜雪", "王另人", evidence) is Match.MISMATCH
    assert compare(FieldName.ACCOUNT_LOCATION, "江苏省南京市鼓楼区", location, evidence) is Match.MISMATCH


def test_an_unread_field_goes_to_manual_review() -> None:
    outcome = evaluate(InstitutionKind.CHARITY, _read_as(CHARITY, legal_representative=None), CHARITY)
    assert outcome.decision is Decision.MANUAL_REVIEW
    assert outcome.reasons == (Reason.LEGAL_REP_UNREADABLE,)


def test_the_registry_saying_no_rejects_whatever_ocr_doubted() -> None:
    deregistered = RECORDS[0]
    info = _read_as(deregistered, doubtful={"name": (1,)}, name=_one_character_off(deregistered.name, 1))
    outcome = evaluate(InstitutionKind.CHARITY, info, deregistered)
    assert outcome.decision is Decision.REJECT
    assert outcome.reasons == (Reason.NOT_ACTIVE,)


def test_a_missing_record_for_a_doubtful_code_is_reviewed_not_rejected() -> None:
    doubtful = _read_as(CHARITY, doubtful={"credit_code": (5,)})
    outcome = evaluate(InstitutionKind.CHARITY, doubtful, None)
    assert outcome.decision is Decision.MANUAL_REVIEW
    assert outcome.reasons == (Reason.RECORD_MISSING, Reason.CREDIT_CODE_DOUBTFUL)
    assert evaluate(InstitutionKind.CHARITY, _read_as(CHARITY), None).decision is Decision.REJECT


def test_the_applicant_is_told_which_document_to_resend() -> None:
    with_registration = KeyInformation(
        documents={"licence.jpg": DocumentKind.REGISTRATION, "permit.jpg": DocumentKind.ACCOUNT_PERMIT}
    )
    assert documents_to_resend(with_registration) == ("licence.jpg",)
    only_permit = KeyInformation(documents={"permit.jpg": DocumentKind.ACCOUNT_PERMIT})
    assert "登记证书" in documents_to_resend(only_permit)[0]


def test_a_for_profit_or_inactive_or_missing_registration_fails() -> None:
    pretender = RECORDS[2]
    assert evaluate(InstitutionKind.CHARITY, _read_as(pretender), pretender).reasons == (
        Reason.KIND_MISMATCH,
        Reason.NOT_NON_PROFIT,
    )
    deregistered = RECORDS[0]
    assert (
        Reason.NOT_ACTIVE in evaluate(InstitutionKind.CHARITY, _read_as(deregistered), deregistered).reasons
    )
    assert evaluate(InstitutionKind.CHARITY, _read_as(CHARITY), None).reasons == (Reason.RECORD_MISSING,)


def test_a_third_party_is_audited_on_status_and_account_only() -> None:
    new_rep = _read_as(HOSPITAL, legal_representative="别人")
    assert evaluate(InstitutionKind.HOSPITAL, new_rep, HOSPITAL).passed
    other_account = _read_as(HOSPITAL, account_bank="别的银行")
    assert evaluate(InstitutionKind.HOSPITAL, other_account, HOSPITAL).reasons == (
        Reason.ACCOUNT_BANK_MISMATCH,
    )
    closed = HOSPITAL.model_copy(update={"status": RegistrationStatus.REVOKED})
    assert evaluate(InstitutionKind.HOSPITAL, _read_as(HOSPITAL), closed).reasons == (Reason.NOT_ACTIVE,)
    assert evaluate(InstitutionKind.SUPPLIER, _read_as(HOSPITAL), HOSPITAL).reasons == (Reason.KIND_MISMATCH,)


def test_the_key_information_hash_is_salted_and_normalised() -> None:
    info = _read_as(CHARITY)
    assert key_info_hash(info, b"a" * 32) != key_info_hash(info, b"b" * 32)
    spaced = _read_as(CHARITY, name=" ".join(CHARITY.name))
    assert key_info_hash(info, b"a" * 32) == key_info_hash(spaced, b"a" * 32)


def test_documents_are_sealed_at_rest_and_addressed_by_digest(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path, bytes(range(32)))
    document = "登记证书 安徽省博爱基金会".encode()
    digest = store.put(document)
    assert digest == document_digest(document)
    assert store.get(digest) == document
    stored = next(path for path in tmp_path.rglob("*") if path.is_file())
    assert document not in stored.read_bytes()
    assert DocumentStore(tmp_path, bytes(32)).put(document) == digest  # already there: not rewritten
    with pytest.raises(DocumentCorrupted):
        DocumentStore(tmp_path, bytes(32)).get(digest)  # another key
    with pytest.raises(DocumentNotFound):
        store.get(document_digest(b"never stored"))
    stored.write_bytes(stored.read_bytes()[:-1] + b"\x00")
    with pytest.raises(DocumentCorrupted):
        store.get(digest)
