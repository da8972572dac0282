"""EIP-712 registry attestations: what an oracle operator signs, and how to check a signature.

An attestation says "the government registry's record for credit code C had digest D when we read it
at time T; use it until E". It is the ``RegistryAttestation`` struct of ``IInstitutionRegistry.sol``
signed as EIP-712 typed data under the domain ``("InstitutionRegistry", "1", chain id, registry
address)``, so any wallet that speaks ``eth_signTypedData_v4`` produces the same signature as
:func:`sign_attestation`. The contract accepts it with k distinct oracle signatures; its id is the
EIP-712 digest (:func:`attestation_digest`).
"""

from __future__ import annotations

from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from chain_client import eip712
from chain_client.contracts.institution_registry import RegistryAttestation, credit_code_hash
from oracle.errors import AttestationInvalid
from oracle.registry.records import RECORD_SCHEMA, RegistryRecord

DOMAIN_NAME: Final = "InstitutionRegistry"
DOMAIN_VERSION: Final = "1"

REGISTRY_ATTESTATION: Final = eip712.StructType.of(
    "RegistryAttestation",
    ("creditCodeHash", "bytes32"),
    ("recordDigest", "bytes32"),
    ("observedAt", "uint64"),
    ("expiresAt", "uint64"),
)
"""``IInstitutionRegistry.RegistryAttestation`` as an EIP-712 struct."""
ATTESTATION_TYPES: Final[dict[str, list[dict[str, str]]]] = {
    "EIP712Domain": eip712.EIP712_DOMAIN.as_json,
    "RegistryAttestation": REGISTRY_ATTESTATION.as_json,
}


def absent_record_digest(credit_code: str) -> bytes:
    """The digest oracles attest when the registry has no record under ``credit_code``.

    Tagged with the record schema and the code, so it can never equal a real record's digest.
    """
    return keccak(f"{RECORD_SCHEMA}:absent:{credit_code}".encode())


def observe(
    credit_code: str, record: RegistryRecord | None, observed_at: int, ttl_seconds: int
) -> RegistryAttestation:
    """The attestation of reading ``record`` (or its absence) for ``credit_code`` at ``observed_at``."""
    if record is not None and record.credit_code != credit_code:
        raise ValueError(f"record is for {record.credit_code}, not {credit_code}")
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
    digest = record.digest() if record is not None else absent_record_digest(credit_code)
    return RegistryAttestation(
        credit_code_hash=credit_code_hash(credit_code),
        record_digest=digest,
        observed_at=observed_at,
        expires_at=observed_at + ttl_seconds,
    )


def registry_domain(chain_id: int, registry: str) -> eip712.Domain:
    """The registry's EIP-712 domain: ``("InstitutionRegistry", "1", chain id, registry address)``."""
    return eip712.Domain(DOMAIN_NAME, DOMAIN_VERSION, chain_id, to_checksum_address(registry))


def _values(attestation: RegistryAttestation) -> dict[str, Any]:
    values = dict(
        zip((member.name for member in REGISTRY_ATTESTATION.fields), attestation.as_tuple(), strict=True)
    )
    try:
        eip712.check_values(REGISTRY_ATTESTATION, values)
    except eip712.TypedDataInvalid as exc:
        raise AttestationInvalid(exc.field, exc.reason) from None
    return values


def typed_data(attestation: RegistryAttestation, chain_id: int, registry: str) -> dict[str, Any]:
    """The full EIP-712 message (``eth_signTypedData_v4`` JSON shape) for ``attestation``: digests as
    0x-hex, ``observedAt``/``expiresAt`` (``uint64``) as decimal strings."""
    return eip712.typed_data(registry_domain(chain_id, registry), REGISTRY_ATTESTATION, _values(attestation))


def attestation_from_typed_data(payload: Any) -> tuple[eip712.Domain, RegistryAttestation]:
    """The domain and attestation of a received ``eth_signTypedData_v4`` payload.

    Raises :class:`~oracle.errors.AttestationInvalid` unless it is exactly a ``RegistryAttestation`` under an
    ``InstitutionRegistry`` version 1 domain with every field in range.
    """
    try:
        domain, values = eip712.parse_typed_data(payload, REGISTRY_ATTESTATION)
    except eip712.TypedDataInvalid as exc:
        raise AttestationInvalid(exc.field, exc.reason) from None
    if (domain.name, domain.version) != (DOMAIN_NAME, DOMAIN_VERSION):
        raise AttestationInvalid(
            "domain", f"is {domain.name!r} version {domain.version!r}, not {DOMAIN_NAME!r} 1"
        )
    attestation = RegistryAttestation(
        credit_code_hash=values["creditCodeHash"],
        record_digest=values["recordDigest"],
        observed_at=values["observedAt"],
        expires_at=values["expiresAt"],
    )
    return domain, attestation


def attestation_digest(attestation: RegistryAttestation, chain_id: int, registry: str) -> bytes:
    """The EIP-712 digest (``keccak256("\\x19\\x01" ‖ domainSeparator ‖ structHash)``): the attestation id."""
    return eip712.digest(registry_domain(chain_id, registry), REGISTRY_ATTESTATION, _values(attestation))


def sign_attestation(
    oracle: LocalAccount, attestation: RegistryAttestation, chain_id: int, registry: str
) -> bytes:
    """``oracle``'s 65-byte (r, s, v) EIP-712 signature of ``attestation``."""
    return eip712.sign(bytes(oracle.key), attestation_digest(attestation, chain_id, registry))


def recover_signer(
    attestation: RegistryAttestation, signature: bytes, chain_id: int, registry: str
) -> ChecksumAddress:
    """The account that produced ``signature`` over ``attestation``; a malformed signature or attestation
    raises :class:`~oracle.errors.AttestationInvalid`."""
    try:
        return eip712.recover_signer(attestation_digest(attestation, chain_id, registry), signature)
    except eip712.TypedDataInvalid as exc:
        raise AttestationInvalid(exc.field, exc.reason) from None
