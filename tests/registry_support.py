"""Helpers shared by the tests of the institution registry: chain time, attestations, applications."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from chain_client import ChainClient
from chain_client.contracts import InstitutionKind, InstitutionRegistry, RegistryAttestation
from chain_client.contracts.institution_registry import credit_code_hash, encryption_key
from oracle.attestation import sign_attestation
from oracle.registry.adapters import FileRegistryAdapter
from oracle.registry.dataset import write_registry
from oracle.registry.records import RegistryRecord

DAY = 86_400


def chain_time(chain: ChainClient) -> int:
    """The latest block's timestamp: the clock the contracts see."""
    block = chain.backend.get_block("latest")
    assert block is not None
    return block.timestamp


def advance_past(chain: ChainClient, timestamp: int, sender: LocalAccount | None = None) -> None:
    """Move the chain's clock past ``timestamp``: one block at the new time, on either backend."""
    del sender  # kept for the callers written before chain time could be moved directly
    now = chain_time(chain)
    if now <= timestamp:
        chain.backend.advance_time(timestamp - now + 1)
    assert chain_time(chain) > timestamp


def attestation_for(
    chain: ChainClient,
    code: str = "CODE-1",
    record: str = "record-v1",
    *,
    observed_at: int | None = None,
    ttl: int = 30 * DAY,
) -> RegistryAttestation:
    observed = chain_time(chain) if observed_at is None else observed_at
    return RegistryAttestation(credit_code_hash(code), keccak(text=record), observed, observed + ttl)


def signatures(
    registry: InstitutionRegistry, attestation: RegistryAttestation, signers: Sequence[LocalAccount]
) -> list[bytes]:
    return [
        sign_attestation(signer, attestation, registry.client.chain_id, registry.address)
        for signer in signers
    ]


def certificates(name: str, count: int = 3) -> list[bytes]:
    return [keccak(text=f"{name} certificate {index}") for index in range(count)]


def apply(
    registry: InstitutionRegistry, applicant: LocalAccount, kind: InstitutionKind = InstitutionKind.CHARITY
) -> bytes:
    """Apply with deterministic certificates and key-info hash; returns the application digest."""
    registry.apply_for_registration(
        applicant,
        kind,
        certificates(applicant.address),
        keccak(text=f"key info {applicant.address}"),
        encryption_key(applicant),
    )
    return registry.application_digest_of(applicant.address)


FileSource = FileRegistryAdapter


def rewrite_registry(path: Path, records: Sequence[RegistryRecord]) -> None:
    """Replace the registry file, moving its mtime forward so the adapter sees the change even within one tick."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    write_registry(records, path)
    stamp = max(path.stat().st_mtime_ns, before + 1_000_000)
    os.utime(path, ns=(stamp, stamp))
