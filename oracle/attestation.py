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

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from chain_client.contracts.institution_registry import RegistryAttestation, credit_code_hash
from oracle.registry.records import RECORD_SCHEMA, RegistryRecord

DOMAIN_NAME: Final = "InstitutionRegistry"
DOMAIN_VERSION: Final = "1"

ATTESTATION_TYPES: Final[dict[str, list[dict[str, str]]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "RegistryAttestation": [
        {"name": "creditCodeHash", "type": "bytes32"},
        {"name": "recordDigest", "type": "bytes32"},
        {"name": "observedAt", "type": "uint64"},
        {"name": "expiresAt", "type": "uint64"},
    ],
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


def typed_data(attestation: RegistryAttestation, chain_id: int, registry: str) -> dict[str, Any]:
    """The full EIP-712 message (``eth_signTypedData_v4`` JSON shape) for ``attestation``."""
    return {
        "types": ATTESTATION_TYPES,
        "primaryType": "RegistryAttestation",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": to_checksum_address(registry),
        },
        "message": {
            "creditCodeHash": attestation.credit_code_hash,
            "recordDigest": attestation.record_digest,
            "observedAt": attestation.observed_at,
            "expiresAt": attestation.expires_at,
        },
    }


def _signable(attestation: RegistryAttestation, chain_id: int, registry: str) -> SignableMessage:
    return encode_typed_data(full_message=typed_data(attestation, chain_id, registry))


def attestation_digest(attestation: RegistryAttestation, chain_id: int, registry: str) -> bytes:
    """The EIP-712 digest (``keccak256("\\x19\\x01" ‖ domainSeparator ‖ structHash)``): the attestation id."""
    message = _signable(attestation, chain_id, registry)
    return keccak(b"\x19" + message.version + message.header + message.body)


def sign_attestation(
    oracle: LocalAccount, attestation: RegistryAttestation, chain_id: int, registry: str
) -> bytes:
    """``oracle``'s 65-byte (r, s, v) EIP-712 signature of ``attestation``."""
    signed = oracle.sign_typed_data(full_message=typed_data(attestation, chain_id, registry))
    return bytes(signed.signature)


def recover_signer(
    attestation: RegistryAttestation, signature: bytes, chain_id: int, registry: str
) -> ChecksumAddress:
    """The account that produced ``signature`` over ``attestation``."""
    signer: str = Account.recover_message(_signable(attestation, chain_id, registry), signature=signature)
    return to_checksum_address(signer)
