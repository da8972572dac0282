"""contracts/InstitutionRegistry.sol: applications, k-of-n attestations, audits, suspensions, flags."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_utils import keccak

from chain_client import ChainClient, ContractReverted
from chain_client.contracts import (
    AuditDecision,
    InstitutionKind,
    InstitutionRegistry,
    InstitutionStatus,
    RegistryAttestation,
    deploy_institution_registry,
)
from chain_client.contracts.consortium import BANK_ROLE, DEFAULT_ADMIN_ROLE, ORACLE_ROLE, REGULATOR_ROLE
from chain_client.contracts.institution_registry import credit_code_hash, encryption_key, short_code
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS, Accounts
from tests.registry_support import (
    DAY,
    advance_past,
    apply,
    attestation_for,
    certificates,
    chain_time,
    signatures,
)

pytestmark = pytest.mark.contract

ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20
NAME_MISMATCH = short_code("NAME_MISMATCH")


@pytest.fixture(scope="module")
def module_registry(session_client: ChainClient, session_foundation: Foundation) -> InstitutionRegistry:
    """Deployed once per backend, before the first test's snapshot, so every revert keeps it."""
    return deploy_institution_registry(
        session_client, ACCOUNTS.admin, session_foundation.consortium.address, 2
    )


@pytest.fixture
def registry(module_registry: InstitutionRegistry, chain: ChainClient) -> InstitutionRegistry:
    return module_registry


def _recorded(registry: InstitutionRegistry, accounts: Accounts, attestation: RegistryAttestation) -> bytes:
    result = registry.attest(
        accounts.outsider,
        attestation,
        signatures(registry, attestation, [accounts.oracle1, accounts.oracle2]),
    )
    attestation_id: bytes = result.event("RegistryAttested")["attestationId"]
    return attestation_id


def _decision(
    registry: InstitutionRegistry,
    account: str,
    attestation_id: bytes,
    *,
    passed: bool = True,
    reasons: tuple[bytes, ...] = (),
) -> AuditDecision:
    return AuditDecision(
        application_digest=registry.application_digest_of(account),
        attestation_id=attestation_id,
        passed=passed,
        rule_version=1,
        expires_at=chain_time(registry.client) + 365 * DAY,
        reason_codes=reasons,
    )


def _approved(registry: InstitutionRegistry, accounts: Accounts, code: str = "CODE-1") -> bytes:
    """The charity applied, attested under ``code`` and approved; returns the attestation id."""
    apply(registry, accounts.charity)
    attestation_id = _recorded(registry, accounts, attestation_for(registry.client, code))
    registry.audit(
        accounts.bank, accounts.charity.address, _decision(registry, accounts.charity.address, attestation_id)
    )
    return attestation_id


def _reverts(raised: pytest.ExceptionInfo[ContractReverted], name: str, *args: object) -> None:
    assert raised.value.error_name == name
    assert raised.value.args == args


# ---------------------------------------------------------------- deployment


def test_deployment_records_the_consortium_and_threshold(
    registry: InstitutionRegistry, foundation: Foundation
) -> None:
    assert registry.consortium() == foundation.consortium.address
    assert registry.attestation_threshold() == 2
    assert registry.events("AttestationThresholdChanged")[0]["threshold"] == 2


def test_deploying_without_a_consortium_or_threshold_reverts(
    chain: ChainClient, foundation: Foundation, accounts: Accounts
) -> None:
    with pytest.raises(ContractReverted) as raised:
        deploy_institution_registry(chain, accounts.admin, ZERO_ADDRESS, 2)
    _reverts(raised, "InstitutionRegistryZeroAddress")
    with pytest.raises(ContractReverted) as raised:
        deploy_institution_registry(chain, accounts.admin, foundation.consortium.address, 0)
    _reverts(raised, "RegistryAttestationThresholdInvalid", 0)


# ---------------------------------------------------------------- applications


def test_an_allowed_institution_applies_and_its_application_is_readable(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    digests = certificates("charity")
    key_info_hash = keccak(text="salted key info")
    result = registry.apply_for_registration(
        accounts.charity, InstitutionKind.CHARITY, digests, key_info_hash, encryption_key(accounts.charity)
    )
    event = result.event("InstitutionApplied")
    assert event["account"] == accounts.charity.address
    assert event["kind"] == InstitutionKind.CHARITY
    assert event["certificateDigests"] == tuple(digests)
    assert event["keyInfoHash"] == key_info_hash
    assert event["encryptionKey"] == encryption_key(accounts.charity)
    institution = registry.institution_of(accounts.charity.address)
    assert institution.status is InstitutionStatus.PENDING
    assert institution.certificate_digests == tuple(digests)
    assert institution.application_digest == event["applicationDigest"] != ZERO32
    assert registry.kind_of(accounts.charity.address) is InstitutionKind.CHARITY
    assert registry.encryption_key_of(accounts.charity.address) == encryption_key(accounts.charity)
    assert not registry.is_active(accounts.charity.address)


@pytest.mark.parametrize(
    ("case", "error", "args"),
    [
        ("kind none", "InstitutionKindInvalid", ()),
        ("no certificates", "InstitutionCertificatesInvalid", (0, 16)),
        ("17 certificates", "InstitutionCertificatesInvalid", (17, 16)),
        ("zero certificate", "InstitutionCertificatesInvalid", (2, 16)),
        ("zero key info", "InstitutionKeyInfoHashMissing", ()),
        ("short key", "InstitutionEncryptionKeyLength", (33,)),
    ],
)
def test_a_malformed_application_reverts_and_records_nothing(
    registry: InstitutionRegistry, accounts: Accounts, case: str, error: str, args: tuple[object, ...]
) -> None:
    kind = InstitutionKind.NONE if case == "kind none" else InstitutionKind.CHARITY
    digests = {
        "no certificates": [],
        "17 certificates": certificates("x", 17),
        "zero certificate": [keccak(text="a"), ZERO32],
    }.get(case, certificates("x"))
    key_info = ZERO32 if case == "zero key info" else keccak(text="k")
    key = encryption_key(accounts.charity)[:33] if case == "short key" else encryption_key(accounts.charity)
    with pytest.raises(ContractReverted) as raised:
        registry.apply_for_registration(accounts.charity, kind, digests, key_info, key)
    _reverts(raised, error, *args)
    assert registry.institution_of(accounts.charity.address).status is InstitutionStatus.NONE
    assert registry.encryption_key_of(accounts.charity.address) == b""


def test_an_account_off_the_allow_list_cannot_apply(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    with pytest.raises(ContractReverted) as raised:
        apply(registry, accounts.carol)
    _reverts(raised, "InstitutionAccountNotAllowed", accounts.carol.address)
    assert registry.kind_of(accounts.carol.address) is InstitutionKind.NONE


def test_applying_with_someone_elses_key_reverts_naming_the_keys_owner(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    with pytest.raises(ContractReverted) as raised:
        registry.apply_for_registration(
            accounts.charity,
            InstitutionKind.CHARITY,
            certificates("c"),
            keccak(text="k"),
            encryption_key(accounts.alice),
        )
    _reverts(raised, "InstitutionEncryptionKeyMismatch", accounts.charity.address, accounts.alice.address)
    assert registry.institution_of(accounts.charity.address).status is InstitutionStatus.NONE


def test_applying_twice_while_pending_reverts(registry: InstitutionRegistry, accounts: Accounts) -> None:
    digest = apply(registry, accounts.charity)
    with pytest.raises(ContractReverted) as raised:
        apply(registry, accounts.charity, InstitutionKind.HOSPITAL)
    _reverts(raised, "InstitutionApplicationPending", accounts.charity.address)
    assert registry.application_digest_of(accounts.charity.address) == digest
    assert registry.kind_of(accounts.charity.address) is InstitutionKind.CHARITY


def test_an_approved_institution_cannot_apply_again(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    _approved(registry, accounts)
    with pytest.raises(ContractReverted) as raised:
        apply(registry, accounts.charity, InstitutionKind.HOSPITAL)
    _reverts(raised, "InstitutionAlreadyApproved", accounts.charity.address)
    assert registry.is_active(accounts.charity.address)


def test_a_rejected_institution_may_apply_again(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.charity)
    decision = _decision(registry, accounts.charity.address, ZERO32, passed=False, reasons=(NAME_MISMATCH,))
    registry.audit(accounts.bank, accounts.charity.address, decision)
    apply(registry, accounts.charity, InstitutionKind.GOVERNMENT_AGENCY)
    assert registry.institution_of(accounts.charity.address).status is InstitutionStatus.PENDING
    assert registry.kind_of(accounts.charity.address) is InstitutionKind.GOVERNMENT_AGENCY


# ---------------------------------------------------------------- attestations


def test_two_of_three_oracles_attest_and_anyone_can_verify(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    attestation = attestation_for(registry.client)
    sigs = signatures(registry, attestation, [accounts.oracle3, accounts.oracle1])
    attestation_id, signers = registry.verify_attestation(attestation, sigs)
    assert signers == (accounts.oracle3.address, accounts.oracle1.address)
    result = registry.attest(accounts.outsider, attestation, sigs)
    event = result.event("RegistryAttested")
    assert event["attestationId"] == attestation_id == registry.attestation_digest(attestation)
    assert event["signers"] == signers
    recorded = registry.attestation_of(attestation_id)
    assert recorded is not None
    assert recorded.attestation == attestation
    assert recorded.signer_count == 2
    assert recorded.recorded_at == registry.client.backend.get_block(result.receipt.block_number).timestamp  # type: ignore[union-attr]
    assert registry.is_attestation_valid(attestation_id)
    assert registry.latest_attestation_of(attestation.credit_code_hash) == attestation_id


def test_the_latest_attestation_is_the_latest_observed(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    newer = attestation_for(registry.client, record="v2")
    older = replace(newer, record_digest=keccak(text="v1"), observed_at=newer.observed_at - 10)
    newer_id = _recorded(registry, accounts, newer)
    _recorded(registry, accounts, older)
    assert registry.latest_attestation_of(newer.credit_code_hash) == newer_id


def _nothing_recorded(registry: InstitutionRegistry, attestation: RegistryAttestation) -> None:
    assert registry.attestation_of(registry.attestation_digest(attestation)) is None
    assert registry.latest_attestation_of(attestation.credit_code_hash) is None


def test_one_signature_is_too_few(registry: InstitutionRegistry, accounts: Accounts) -> None:
    attestation = attestation_for(registry.client)
    with pytest.raises(ContractReverted) as raised:
        registry.attest(accounts.oracle1, attestation, signatures(registry, attestation, [accounts.oracle1]))
    _reverts(raised, "RegistryAttestationTooFewSignatures", 1, 2)
    _nothing_recorded(registry, attestation)


def test_a_signature_by_a_non_oracle_is_forged(registry: InstitutionRegistry, accounts: Accounts) -> None:
    attestation = attestation_for(registry.client)
    with pytest.raises(ContractReverted) as raised:
        registry.attest(
            accounts.oracle1,
            attestation,
            signatures(registry, attestation, [accounts.oracle1, accounts.alice]),
        )
    _reverts(raised, "RegistryAttestationSignerNotOracle", accounts.alice.address)
    _nothing_recorded(registry, attestation)


def test_a_signature_over_another_attestation_does_not_count(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    attestation = attestation_for(registry.client)
    tampered = replace(attestation, record_digest=keccak(text="tampered"))
    sigs = signatures(registry, attestation, [accounts.oracle1, accounts.oracle2])
    with pytest.raises(ContractReverted) as raised:
        registry.attest(accounts.oracle1, tampered, sigs)
    assert raised.value.error_name == "RegistryAttestationSignerNotOracle"
    _nothing_recorded(registry, tampered)


def test_a_malformed_signature_is_invalid(registry: InstitutionRegistry, accounts: Accounts) -> None:
    attestation = attestation_for(registry.client)
    good = signatures(registry, attestation, [accounts.oracle1])[0]
    with pytest.raises(ContractReverted) as raised:
        registry.attest(accounts.oracle1, attestation, [good, good[:64]])
    _reverts(raised, "RegistryAttestationSignatureInvalid", 1)
    _nothing_recorded(registry, attestation)


def test_the_same_oracle_twice_is_a_duplicate(registry: InstitutionRegistry, accounts: Accounts) -> None:
    attestation = attestation_for(registry.client)
    sig = signatures(registry, attestation, [accounts.oracle2])[0]
    with pytest.raises(ContractReverted) as raised:
        registry.attest(accounts.oracle1, attestation, [sig, sig])
    _reverts(raised, "RegistryAttestationDuplicateSigner", accounts.oracle2.address)
    _nothing_recorded(registry, attestation)


@pytest.mark.parametrize("case", ["expired", "expires before observed"])
def test_an_expired_attestation_is_refused(
    registry: InstitutionRegistry, accounts: Accounts, case: str
) -> None:
    now = chain_time(registry.client)
    attestation = attestation_for(registry.client, observed_at=now - 100, ttl=50)
    if case == "expires before observed":
        attestation = replace(attestation, observed_at=now + 100, expires_at=now + 100)
    with pytest.raises(ContractReverted) as raised:
        registry.attest(
            accounts.oracle1,
            attestation,
            signatures(registry, attestation, [accounts.oracle1, accounts.oracle2]),
        )
    _reverts(
        raised, "RegistryAttestationExpired", registry.attestation_digest(attestation), attestation.expires_at
    )
    _nothing_recorded(registry, attestation)


def test_an_attestation_is_recorded_once(registry: InstitutionRegistry, accounts: Accounts) -> None:
    attestation = attestation_for(registry.client)
    attestation_id = _recorded(registry, accounts, attestation)
    with pytest.raises(ContractReverted) as raised:
        _recorded(registry, accounts, attestation)
    _reverts(raised, "RegistryAttestationAlreadyRecorded", attestation_id)


def test_the_admin_raises_the_threshold_to_three(registry: InstitutionRegistry, accounts: Accounts) -> None:
    event = registry.set_attestation_threshold(accounts.admin, 3).event("AttestationThresholdChanged")
    assert (event["previous"], event["threshold"]) == (2, 3)
    attestation = attestation_for(registry.client)
    with pytest.raises(ContractReverted) as raised:
        _recorded(registry, accounts, attestation)
    _reverts(raised, "RegistryAttestationTooFewSignatures", 2, 3)
    registry.attest(
        accounts.outsider,
        attestation,
        signatures(registry, attestation, [accounts.oracle1, accounts.oracle2, accounts.oracle3]),
    )


def test_only_the_admin_sets_a_valid_threshold(registry: InstitutionRegistry, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        registry.set_attestation_threshold(accounts.bank, 1)
    _reverts(raised, "InstitutionRegistryUnauthorized", accounts.bank.address, DEFAULT_ADMIN_ROLE)
    with pytest.raises(ContractReverted) as raised:
        registry.set_attestation_threshold(accounts.admin, 0)
    _reverts(raised, "RegistryAttestationThresholdInvalid", 0)
    assert registry.attestation_threshold() == 2


# ---------------------------------------------------------------- audits


def test_a_bank_approves_and_the_institution_is_active(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    digest = apply(registry, accounts.charity)
    attestation = attestation_for(registry.client)
    attestation_id = _recorded(registry, accounts, attestation)
    decision = _decision(registry, accounts.charity.address, attestation_id)
    event = registry.audit(accounts.bank, accounts.charity.address, decision).event("InstitutionAudited")
    assert event["passed"] is True
    assert event["bank"] == accounts.bank.address
    assert event["applicationDigest"] == digest
    assert event["attestationId"] == attestation_id
    assert event["creditCodeHash"] == attestation.credit_code_hash
    assert event["expiresAt"] == decision.expires_at
    institution = registry.institution_of(accounts.charity.address)
    assert institution.status is InstitutionStatus.APPROVED
    assert institution.rule_version == 1
    assert registry.is_active(accounts.charity.address)
    assert registry.holder_of(attestation.credit_code_hash) == accounts.charity.address
    registry.require_active(accounts.charity.address, InstitutionKind.CHARITY)


def test_require_active_names_a_kind_mismatch(registry: InstitutionRegistry, accounts: Accounts) -> None:
    _approved(registry, accounts)
    with pytest.raises(ContractReverted) as raised:
        registry.require_active(accounts.charity.address, InstitutionKind.HOSPITAL)
    _reverts(
        raised,
        "InstitutionKindMismatch",
        accounts.charity.address,
        InstitutionKind.HOSPITAL,
        InstitutionKind.CHARITY,
    )


def test_a_pending_institution_is_not_active(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.charity)
    with pytest.raises(ContractReverted) as raised:
        registry.require_active(accounts.charity.address, InstitutionKind.CHARITY)
    _reverts(raised, "InstitutionNotActive", accounts.charity.address)


def test_a_bank_rejects_with_reasons(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.charity)
    attestation_id = _recorded(registry, accounts, attestation_for(registry.client))
    reasons = (NAME_MISMATCH, short_code("NOT_NON_PROFIT"))
    decision = _decision(registry, accounts.charity.address, attestation_id, passed=False, reasons=reasons)
    event = registry.audit(accounts.bank, accounts.charity.address, decision).event("InstitutionAudited")
    assert event["passed"] is False
    assert event["reasonCodes"] == reasons
    assert event["expiresAt"] == 0
    assert registry.institution_of(accounts.charity.address).status is InstitutionStatus.REJECTED
    assert not registry.is_active(accounts.charity.address)
    assert registry.holder_of(credit_code_hash("CODE-1")) is None


def test_only_a_bank_audits(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.charity)
    attestation_id = _recorded(registry, accounts, attestation_for(registry.client))
    with pytest.raises(ContractReverted) as raised:
        registry.audit(
            accounts.regulator,
            accounts.charity.address,
            _decision(registry, accounts.charity.address, attestation_id),
        )
    _reverts(raised, "InstitutionRegistryUnauthorized", accounts.regulator.address, BANK_ROLE)
    assert registry.institution_of(accounts.charity.address).status is InstitutionStatus.PENDING


def test_a_bank_cannot_audit_itself(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.bank)
    attestation_id = _recorded(registry, accounts, attestation_for(registry.client))
    with pytest.raises(ContractReverted) as raised:
        registry.audit(
            accounts.bank, accounts.bank.address, _decision(registry, accounts.bank.address, attestation_id)
        )
    _reverts(raised, "InstitutionSelfAudit", accounts.bank.address)
    assert not registry.is_active(accounts.bank.address)


def test_auditing_an_unknown_or_settled_institution_reverts(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    decision = _decision(registry, accounts.alice.address, ZERO32, passed=False, reasons=(NAME_MISMATCH,))
    with pytest.raises(ContractReverted) as raised:
        registry.audit(accounts.bank, accounts.alice.address, decision)
    _reverts(raised, "InstitutionUnknown", accounts.alice.address)
    _approved(registry, accounts)
    decision = _decision(registry, accounts.charity.address, ZERO32, passed=False, reasons=(NAME_MISMATCH,))
    with pytest.raises(ContractReverted) as raised:
        registry.audit(accounts.bank2, accounts.charity.address, decision)
    _reverts(raised, "InstitutionNotAwaitingAudit", accounts.charity.address)
    assert registry.is_active(accounts.charity.address)


def test_auditing_another_application_reverts(registry: InstitutionRegistry, accounts: Accounts) -> None:
    current = apply(registry, accounts.charity)
    attestation_id = _recorded(registry, accounts, attestation_for(registry.client))
    stale = replace(
        _decision(registry, accounts.charity.address, attestation_id), application_digest=keccak(text="old")
    )
    with pytest.raises(ContractReverted) as raised:
        registry.audit(accounts.bank, accounts.charity.address, stale)
    _reverts(raised, "InstitutionApplicationChanged", accounts.charity.address, current, keccak(text="old"))
    assert registry.institution_of(accounts.charity.address).status is InstitutionStatus.PENDING


def test_a_rejection_must_give_a_reason(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.charity)
    with pytest.raises(ContractReverted) as raised:
        registry.audit(
            accounts.bank,
            accounts.charity.address,
            _decision(registry, accounts.charity.address, ZERO32, passed=False),
        )
    _reverts(raised, "InstitutionRejectionWithoutReason", accounts.charity.address)
    assert registry.institution_of(accounts.charity.address).status is InstitutionStatus.PENDING


def test_an_approval_needs_a_recorded_attestation(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.charity)
    unknown = keccak(text="never attested")
    with pytest.raises(ContractReverted) as raised:
        registry.audit(
            accounts.bank, accounts.charity.address, _decision(registry, accounts.charity.address, unknown)
        )
    _reverts(raised, "RegistryAttestationUnknown", unknown)
    with pytest.raises(ContractReverted) as raised:
        registry.audit(
            accounts.bank, accounts.charity.address, _decision(registry, accounts.charity.address, ZERO32)
        )
    _reverts(raised, "RegistryAttestationUnknown", ZERO32)
    assert not registry.is_active(accounts.charity.address)


def test_an_approval_must_expire_in_the_future(registry: InstitutionRegistry, accounts: Accounts) -> None:
    apply(registry, accounts.charity)
    attestation_id = _recorded(registry, accounts, attestation_for(registry.client))
    past = replace(_decision(registry, accounts.charity.address, attestation_id), expires_at=1)
    with pytest.raises(ContractReverted) as raised:
        registry.audit(accounts.bank, accounts.charity.address, past)
    _reverts(raised, "InstitutionExpiryInPast", 1)
    assert not registry.is_active(accounts.charity.address)


def test_an_attestation_that_expired_since_it_was_recorded_cannot_approve(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    apply(registry, accounts.charity)
    attestation = attestation_for(registry.client, ttl=6)
    attestation_id = _recorded(registry, accounts, attestation)
    advance_past(registry.client, attestation.expires_at, accounts.outsider)
    assert not registry.is_attestation_valid(attestation_id)
    with pytest.raises(ContractReverted) as raised:
        registry.audit(
            accounts.bank,
            accounts.charity.address,
            _decision(registry, accounts.charity.address, attestation_id),
        )
    _reverts(raised, "RegistryAttestationExpired", attestation_id, attestation.expires_at)
    assert not registry.is_active(accounts.charity.address)


def test_a_credit_code_belongs_to_one_approved_institution(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    _approved(registry, accounts, code="SHARED")
    apply(registry, accounts.supplier, InstitutionKind.SUPPLIER)
    attestation_id = _recorded(registry, accounts, attestation_for(registry.client, "SHARED", "again"))
    with pytest.raises(ContractReverted) as raised:
        registry.audit(
            accounts.bank,
            accounts.supplier.address,
            _decision(registry, accounts.supplier.address, attestation_id),
        )
    _reverts(raised, "InstitutionCreditCodeTaken", credit_code_hash("SHARED"), accounts.charity.address)
    assert not registry.is_active(accounts.supplier.address)


# ---------------------------------------------------------------- regulator


def test_the_regulator_suspends_and_reinstates(registry: InstitutionRegistry, accounts: Accounts) -> None:
    _approved(registry, accounts)
    reason = short_code("FRAUD_INQUIRY")
    event = registry.suspend(accounts.regulator, accounts.charity.address, reason).event(
        "InstitutionSuspended"
    )
    assert (event["account"], event["by"], event["reasonCode"]) == (
        accounts.charity.address,
        accounts.regulator.address,
        reason,
    )
    assert not registry.is_active(accounts.charity.address)
    with pytest.raises(ContractReverted) as raised:
        registry.require_active(accounts.charity.address, InstitutionKind.CHARITY)
    _reverts(raised, "InstitutionNotActive", accounts.charity.address)
    with pytest.raises(ContractReverted) as raised:
        apply(registry, accounts.charity)
    _reverts(raised, "InstitutionAlreadyApproved", accounts.charity.address)
    registry.reinstate(accounts.regulator, accounts.charity.address).event("InstitutionReinstated")
    assert registry.is_active(accounts.charity.address)


def test_only_the_regulator_suspends(registry: InstitutionRegistry, accounts: Accounts) -> None:
    _approved(registry, accounts)
    with pytest.raises(ContractReverted) as raised:
        registry.suspend(accounts.bank, accounts.charity.address, ZERO32)
    _reverts(raised, "InstitutionRegistryUnauthorized", accounts.bank.address, REGULATOR_ROLE)
    with pytest.raises(ContractReverted) as raised:
        registry.reinstate(accounts.bank, accounts.charity.address)
    _reverts(raised, "InstitutionRegistryUnauthorized", accounts.bank.address, REGULATOR_ROLE)
    assert registry.is_active(accounts.charity.address)


def test_suspending_errors_name_the_institution(registry: InstitutionRegistry, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        registry.suspend(accounts.regulator, accounts.alice.address, ZERO32)
    _reverts(raised, "InstitutionUnknown", accounts.alice.address)
    _approved(registry, accounts)
    with pytest.raises(ContractReverted) as raised:
        registry.reinstate(accounts.regulator, accounts.charity.address)
    _reverts(raised, "InstitutionNotSuspended", accounts.charity.address)
    registry.suspend(accounts.regulator, accounts.charity.address, ZERO32)
    with pytest.raises(ContractReverted) as raised:
        registry.suspend(accounts.regulator, accounts.charity.address, ZERO32)
    _reverts(raised, "InstitutionAlreadySuspended", accounts.charity.address)
    assert registry.institution_of(accounts.charity.address).suspended


# ---------------------------------------------------------------- oracle flags


def _changed(
    registry: InstitutionRegistry, accounts: Accounts, code: str = "CODE-1", record: str = "deregistered"
) -> bytes:
    audited_at = registry.attestation_of(registry.institution_of(accounts.charity.address).attestation_id)
    assert audited_at is not None
    observed = audited_at.attestation.observed_at + 1
    return _recorded(registry, accounts, attestation_for(registry.client, code, record, observed_at=observed))


def test_an_oracle_flags_a_changed_record_until_a_bank_reaudits(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    _approved(registry, accounts)
    new_id = _changed(registry, accounts)
    reason = short_code("DEREGISTERED")
    event = registry.flag(accounts.oracle1, accounts.charity.address, new_id, reason).event(
        "InstitutionFlagged"
    )
    assert (event["by"], event["attestationId"], event["reasonCode"]) == (
        accounts.oracle1.address,
        new_id,
        reason,
    )
    assert not registry.is_active(accounts.charity.address)
    with pytest.raises(ContractReverted) as raised:
        registry.require_active(accounts.charity.address, InstitutionKind.CHARITY)
    _reverts(raised, "InstitutionNotActive", accounts.charity.address)
    registry.audit(
        accounts.bank, accounts.charity.address, _decision(registry, accounts.charity.address, new_id)
    )
    assert registry.is_active(accounts.charity.address)
    assert registry.institution_of(accounts.charity.address).attestation_id == new_id


def test_a_flagged_institution_may_reapply(registry: InstitutionRegistry, accounts: Accounts) -> None:
    _approved(registry, accounts)
    registry.flag(accounts.oracle2, accounts.charity.address, _changed(registry, accounts), ZERO32)
    apply(registry, accounts.charity)
    institution = registry.institution_of(accounts.charity.address)
    assert institution.status is InstitutionStatus.PENDING
    assert not institution.flagged
    assert registry.holder_of(credit_code_hash("CODE-1")) is None


def test_only_an_oracle_flags(registry: InstitutionRegistry, accounts: Accounts) -> None:
    _approved(registry, accounts)
    new_id = _changed(registry, accounts)
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.regulator, accounts.charity.address, new_id, ZERO32)
    _reverts(raised, "InstitutionRegistryUnauthorized", accounts.regulator.address, ORACLE_ROLE)
    assert registry.is_active(accounts.charity.address)


def test_flagging_needs_an_approved_unflagged_institution(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.oracle1, accounts.alice.address, ZERO32, ZERO32)
    _reverts(raised, "InstitutionUnknown", accounts.alice.address)
    apply(registry, accounts.supplier, InstitutionKind.SUPPLIER)
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.oracle1, accounts.supplier.address, ZERO32, ZERO32)
    _reverts(raised, "InstitutionNotApproved", accounts.supplier.address)
    _approved(registry, accounts)
    new_id = _changed(registry, accounts)
    registry.flag(accounts.oracle1, accounts.charity.address, new_id, ZERO32)
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.oracle2, accounts.charity.address, new_id, ZERO32)
    _reverts(raised, "InstitutionAlreadyFlagged", accounts.charity.address)


def test_a_flag_needs_a_newer_different_record_of_the_same_code(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    audited_id = _approved(registry, accounts)
    charity = accounts.charity.address
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.oracle1, charity, keccak(text="unknown"), ZERO32)
    _reverts(raised, "RegistryAttestationUnknown", keccak(text="unknown"))
    other = _changed(registry, accounts, code="OTHER-CODE")
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.oracle1, charity, other, ZERO32)
    _reverts(
        raised,
        "RegistryAttestationNotForInstitution",
        charity,
        credit_code_hash("CODE-1"),
        credit_code_hash("OTHER-CODE"),
    )
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.oracle1, charity, audited_id, ZERO32)
    _reverts(raised, "RegistryAttestationStale", charity, audited_id)
    same = _changed(registry, accounts, record="record-v1")
    with pytest.raises(ContractReverted) as raised:
        registry.flag(accounts.oracle1, charity, same, ZERO32)
    _reverts(raised, "InstitutionRecordUnchanged", charity, keccak(text="record-v1"))
    assert registry.is_active(charity)


# ---------------------------------------------------------------- credit grades


def test_a_bank_attests_a_credit_grade(registry: InstitutionRegistry, accounts: Accounts) -> None:
    code_hash = credit_code_hash("ENTERPRISE")
    result = registry.attest_credit_grade(accounts.bank, code_hash, "AA", keccak(text="rating file"))
    event = result.event("CreditGradeAttested")
    assert (event["creditCodeHash"], event["bank"], event["grade"]) == (
        code_hash,
        accounts.bank.address,
        short_code("AA"),
    )
    grade = registry.credit_grade_of(code_hash)
    assert grade is not None
    assert (grade.grade, grade.bank, grade.evidence_digest) == (
        "AA",
        accounts.bank.address,
        keccak(text="rating file"),
    )


def test_only_a_bank_grades_and_a_grade_is_not_empty(
    registry: InstitutionRegistry, accounts: Accounts
) -> None:
    code_hash = credit_code_hash("ENTERPRISE")
    with pytest.raises(ContractReverted) as raised:
        registry.attest_credit_grade(accounts.oracle1, code_hash, "AA", ZERO32)
    _reverts(raised, "InstitutionRegistryUnauthorized", accounts.oracle1.address, BANK_ROLE)
    with pytest.raises(ContractReverted) as raised:
        registry.attest_credit_grade(accounts.bank, code_hash, "", ZERO32)
    _reverts(raised, "CreditGradeInvalid")
    assert registry.credit_grade_of(code_hash) is None
