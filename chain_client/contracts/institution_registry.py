"""Typed wrapper of ``contracts/InstitutionRegistry.sol``: applications, attestations, audits, suspensions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import PrivateKey
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from chain_client.client import ChainClient, TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.types import BlockId

_ZERO32 = b"\x00" * 32


class InstitutionKind(IntEnum):
    """``InstitutionKind`` of ``IInstitutionRegistry.sol`` (same order)."""

    NONE = 0
    CHARITY = 1
    GOVERNMENT_AGENCY = 2
    SUPPLIER = 3
    HOSPITAL = 4
    LOGISTICS = 5
    LOCAL_GOVERNMENT = 6


class InstitutionStatus(IntEnum):
    """``InstitutionStatus`` of ``IInstitutionRegistry.sol`` (same order)."""

    NONE = 0
    PENDING = 1
    APPROVED = 2
    REJECTED = 3


def short_code(text: str) -> bytes:
    """A short ASCII code (a reason, a grade) as the bytes32 the contract stores, right-padded."""
    raw = text.encode("ascii")
    if len(raw) > 32:
        raise ValueError(f"code {text!r} is longer than 32 bytes")
    return raw.ljust(32, b"\x00")


def decode_short_code(value: bytes) -> str:
    """The text of a bytes32 short code."""
    return value.rstrip(b"\x00").decode("ascii")


def credit_code_hash(credit_code: str) -> bytes:
    """keccak256 of a unified social credit code's UTF-8 text: the key attestations are filed under."""
    return keccak(text=credit_code)


def encryption_key(account: LocalAccount) -> bytes:
    """``account``'s 64-byte uncompressed secp256k1 public key (no 0x04 prefix), as the registry takes it."""
    return bytes(PrivateKey(bytes(account.key)).public_key.to_bytes())


@dataclass(frozen=True)
class RegistryAttestation:
    """A government-registry record as the oracles observed it (the EIP-712 struct they sign)."""

    credit_code_hash: bytes
    record_digest: bytes
    observed_at: int
    expires_at: int

    def as_tuple(self) -> tuple[bytes, bytes, int, int]:
        return (self.credit_code_hash, self.record_digest, self.observed_at, self.expires_at)

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> RegistryAttestation:
        return cls(bytes(value[0]), bytes(value[1]), int(value[2]), int(value[3]))


@dataclass(frozen=True)
class RecordedAttestation:
    attestation: RegistryAttestation
    recorded_at: int
    signer_count: int


@dataclass(frozen=True)
class Institution:
    """An institution's registration as the registry holds it."""

    kind: InstitutionKind
    status: InstitutionStatus
    suspended: bool
    flagged: bool
    rule_version: int
    applied_at: int
    expires_at: int
    key_info_hash: bytes
    application_digest: bytes
    attestation_id: bytes
    credit_code_hash: bytes
    certificate_digests: tuple[bytes, ...]


@dataclass(frozen=True)
class AuditDecision:
    """A bank's audit decision, as ``audit`` takes it."""

    application_digest: bytes
    attestation_id: bytes
    passed: bool
    rule_version: int
    expires_at: int
    reason_codes: tuple[bytes, ...] = ()

    def as_tuple(self) -> tuple[bytes, bytes, bool, int, int, list[bytes]]:
        return (
            self.application_digest,
            self.attestation_id,
            self.passed,
            self.rule_version,
            self.expires_at,
            list(self.reason_codes),
        )


@dataclass(frozen=True)
class CreditGrade:
    grade: str
    bank: ChecksumAddress | None
    rated_at: int
    evidence_digest: bytes


class InstitutionRegistry(ContractWrapper):
    """The registry of audited institutions that every other contract asks before letting one act."""

    ARTIFACT = "InstitutionRegistry"

    # ------------------------------------------------------------------ writes

    def apply_for_registration(
        self,
        applicant: LocalAccount,
        kind: InstitutionKind,
        certificate_digests: Sequence[bytes],
        key_info_hash: bytes,
        encryption_key: bytes,
    ) -> TxResult:
        """The applicant registers itself as ``kind``; ``encryption_key`` must be its own public key."""
        return self._write(
            applicant,
            "applyForRegistration",
            int(kind),
            list(certificate_digests),
            key_info_hash,
            encryption_key,
        )

    def attest(
        self, submitter: LocalAccount, attestation: RegistryAttestation, signatures: Sequence[bytes]
    ) -> TxResult:
        """Record ``attestation`` with the oracles' EIP-712 ``signatures`` (anyone may submit)."""
        return self._write(submitter, "attest", attestation.as_tuple(), list(signatures))

    def audit(self, bank: LocalAccount, account: str, decision: AuditDecision) -> TxResult:
        return self._write(bank, "audit", account, decision.as_tuple())

    def suspend(self, regulator: LocalAccount, account: str, reason_code: bytes) -> TxResult:
        return self._write(regulator, "suspend", account, reason_code)

    def reinstate(self, regulator: LocalAccount, account: str) -> TxResult:
        return self._write(regulator, "reinstate", account)

    def flag(self, oracle: LocalAccount, account: str, attestation_id: bytes, reason_code: bytes) -> TxResult:
        return self._write(oracle, "flag", account, attestation_id, reason_code)

    def attest_credit_grade(
        self, bank: LocalAccount, code_hash: bytes, grade: str, evidence_digest: bytes
    ) -> TxResult:
        return self._write(bank, "attestCreditGrade", code_hash, short_code(grade), evidence_digest)

    def set_attestation_threshold(self, admin: LocalAccount, threshold: int) -> TxResult:
        return self._write(admin, "setAttestationThreshold", threshold)

    def set_attestation_threshold_data(self, threshold: int) -> bytes:
        """Calldata of ``setAttestationThreshold``, for a council proposal."""
        return self.abi.encode_call("setAttestationThreshold", threshold)

    # ------------------------------------------------------------------ reads

    def kind_of(self, account: str, *, block: BlockId = "latest") -> InstitutionKind:
        return InstitutionKind(self._read("kindOf", account, block=block))

    def is_active(self, account: str, *, block: BlockId = "latest") -> bool:
        return bool(self._read("isActive", account, block=block))

    def require_active(self, account: str, kind: InstitutionKind) -> None:
        """Raise ``ContractReverted`` (``InstitutionNotActive``/``KindMismatch``) unless active."""
        self._read("requireActive", account, int(kind))

    def encryption_key_of(self, account: str) -> bytes:
        return bytes(self._read("encryptionKeyOf", account))

    def institution_of(self, account: str, *, block: BlockId = "latest") -> Institution:
        value = self._read("institutionOf", account, block=block)
        return Institution(
            kind=InstitutionKind(value[0]),
            status=InstitutionStatus(value[1]),
            suspended=bool(value[2]),
            flagged=bool(value[3]),
            rule_version=int(value[4]),
            applied_at=int(value[5]),
            expires_at=int(value[6]),
            key_info_hash=bytes(value[7]),
            application_digest=bytes(value[8]),
            attestation_id=bytes(value[9]),
            credit_code_hash=bytes(value[10]),
            certificate_digests=tuple(bytes(digest) for digest in value[11]),
        )

    def application_digest_of(self, account: str) -> bytes:
        return bytes(self._read("applicationDigestOf", account))

    def attestation_of(
        self, attestation_id: bytes, *, block: BlockId = "latest"
    ) -> RecordedAttestation | None:
        """The recorded attestation, or None if there is none under ``attestation_id``."""
        value = self._read("attestationOf", attestation_id, block=block)
        if int(value[1]) == 0:
            return None
        return RecordedAttestation(RegistryAttestation.from_tuple(value[0]), int(value[1]), int(value[2]))

    def is_attestation_valid(self, attestation_id: bytes) -> bool:
        return bool(self._read("isAttestationValid", attestation_id))

    def latest_attestation_of(self, code_hash: bytes) -> bytes | None:
        value = bytes(self._read("latestAttestationOf", code_hash))
        return None if value == _ZERO32 else value

    def verify_attestation(
        self, attestation: RegistryAttestation, signatures: Sequence[bytes]
    ) -> tuple[bytes, tuple[ChecksumAddress, ...]]:
        """The attestation id and its signers, if the contract would accept it now (else ContractReverted)."""
        attestation_id, signers = self._read("verifyAttestation", attestation.as_tuple(), list(signatures))
        return bytes(attestation_id), tuple(to_checksum_address(signer) for signer in signers)

    def attestation_digest(self, attestation: RegistryAttestation) -> bytes:
        return bytes(self._read("attestationDigest", attestation.as_tuple()))

    def holder_of(self, code_hash: bytes, *, block: BlockId = "latest") -> ChecksumAddress | None:
        holder = to_checksum_address(self._read("holderOf", code_hash, block=block))
        return None if int(holder, 16) == 0 else holder

    def credit_grade_of(self, code_hash: bytes) -> CreditGrade | None:
        grade, bank, rated_at, evidence = self._read("creditGradeOf", code_hash)
        if bytes(grade) == _ZERO32:
            return None
        return CreditGrade(
            decode_short_code(bytes(grade)), to_checksum_address(bank), int(rated_at), bytes(evidence)
        )

    def attestation_threshold(self) -> int:
        return int(self._read("attestationThreshold"))

    def consortium(self) -> ChecksumAddress:
        return to_checksum_address(self._read("consortium"))

    def is_attestation_signer(self, attestation_id: bytes, oracle: str) -> bool:
        """Whether ``oracle`` signed the recorded attestation ``attestation_id``."""
        return bool(self._read("isAttestationSigner", attestation_id, oracle))


def deploy_institution_registry(
    client: ChainClient, admin: LocalAccount, consortium: str, threshold: int
) -> InstitutionRegistry:
    """Deploy an InstitutionRegistry governed by ``consortium`` that needs ``threshold`` oracle signatures."""
    return InstitutionRegistry.deploy(client, admin, consortium, threshold)
