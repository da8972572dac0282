"""Publish registry attestations: each oracle operator reads the record itself, k of them sign, one submits.

An operator signs only what it observed: given a proposed attestation it fetches the record through its
own adapter and signs only if its digest is the proposed one. The publisher proposes, collects
signatures until the registry's threshold is met, and submits; it also keeps the :class:`RecordBook`,
the off-chain memory of which credit code (and which record) each on-chain hash stands for, which the
periodic recheck needs because the chain holds only hashes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from chain_client.contracts.institution_registry import (
    InstitutionRegistry,
    RegistryAttestation,
    credit_code_hash,
)
from oracle.attestation import absent_record_digest, observe, sign_attestation
from oracle.errors import OracleError
from oracle.registry.adapters import RegistryAdapter
from oracle.registry.records import RegistryRecord

log = structlog.get_logger(__name__)

DEFAULT_TTL_SECONDS = 30 * 86_400
"""How long an observation may serve as audit evidence."""


RecordSource = RegistryAdapter
"""Where an oracle reads the government registry: any :class:`oracle.registry.adapters.RegistryAdapter`."""


class QuorumNotReached(OracleError):
    """Fewer oracle operators than the threshold confirmed the observation: nothing was submitted."""

    def __init__(self, credit_code: str, signed: int, needed: int) -> None:
        super().__init__(
            f"only {signed} of the {needed} oracle signatures needed confirm the record of {credit_code}"
        )
        self.credit_code = credit_code
        self.signed = signed
        self.needed = needed


def record_digest(credit_code: str, record: RegistryRecord | None) -> bytes:
    """The digest attested for ``credit_code``: the record's, or the "no such record" digest."""
    return record.digest() if record is not None else absent_record_digest(credit_code)


@dataclass(frozen=True)
class OracleOperator:
    """One oracle operator: its signing key and its own way of reading the registry."""

    account: LocalAccount
    source: RecordSource

    def endorse(
        self, credit_code: str, attestation: RegistryAttestation, chain_id: int, registry: str
    ) -> bytes | None:
        """Sign ``attestation`` if this operator reads the same record now; None if it does not."""
        if credit_code_hash(credit_code) != attestation.credit_code_hash:
            return None
        seen = record_digest(credit_code, self.source.fetch(credit_code))
        if seen != attestation.record_digest:
            log.warning("oracle_disagrees", oracle=self.account.address, credit_code=credit_code)
            return None
        return sign_attestation(self.account, attestation, chain_id, registry)


@dataclass(frozen=True)
class BookEntry:
    credit_code: str
    record: RegistryRecord | None
    attestation_id: bytes


class RecordBook:
    """What each attestation was about: credit code and record, by attestation id and by code hash.

    In memory, or kept in a JSON file so that a restarted oracle still knows what it attested.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._by_attestation: dict[bytes, BookEntry] = {}
        self._latest: dict[bytes, BookEntry] = {}
        if path is not None and path.exists():
            for item in json.loads(path.read_text(encoding="utf-8")):
                record = RegistryRecord.model_validate(item["record"]) if item["record"] is not None else None
                self._add(BookEntry(item["credit_code"], record, bytes.fromhex(item["attestation_id"])))

    def _add(self, entry: BookEntry) -> None:
        self._by_attestation[entry.attestation_id] = entry
        self._latest[credit_code_hash(entry.credit_code)] = entry

    def remember(self, entry: BookEntry) -> None:
        with self._lock:
            self._add(entry)
            self._save()

    def latest(self, code_hash: bytes) -> BookEntry | None:
        """The last attestation published for the code hashing to ``code_hash``."""
        with self._lock:
            return self._latest.get(code_hash)

    def entry(self, attestation_id: bytes) -> BookEntry | None:
        """What the attestation ``attestation_id`` was about, if this book published it."""
        with self._lock:
            return self._by_attestation.get(attestation_id)

    def _save(self) -> None:
        if self._path is None:
            return
        items = [
            {
                "credit_code": entry.credit_code,
                "record": entry.record.model_dump(mode="json") if entry.record is not None else None,
                "attestation_id": entry.attestation_id.hex(),
            }
            for entry in self._by_attestation.values()
        ]
        self._path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._path.with_name(self._path.name + ".partial")
        partial.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(self._path)


@dataclass(frozen=True)
class PublishedAttestation:
    """An attestation accepted on-chain."""

    attestation_id: bytes
    attestation: RegistryAttestation
    credit_code: str
    record: RegistryRecord | None
    signers: tuple[ChecksumAddress, ...]
    tx_hash: bytes
    block_number: int


class AttestationPublisher:
    """Proposes observations, gathers k operator signatures and records them in the InstitutionRegistry."""

    def __init__(
        self,
        registry: InstitutionRegistry,
        operators: Sequence[OracleOperator],
        submitter: LocalAccount,
        *,
        book: RecordBook | None = None,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not operators:
            raise ValueError("an attestation publisher needs at least one oracle operator")
        self.registry = registry
        self.operators = tuple(operators)
        self.submitter = submitter
        self.book = book if book is not None else RecordBook()
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def now(self) -> int:
        """The later of the clock and the chain's latest block time (a fast chain can run ahead of the clock)."""
        block = self.registry.client.backend.get_block("latest")
        return max(int(self._clock()), block.timestamp if block is not None else 0)

    def _observation_time(self, code_hash: bytes) -> int:
        """Now, but strictly after the last recorded observation of the same code."""
        observed_at = self.now()
        latest = self.registry.latest_attestation_of(code_hash)
        if latest is not None:
            recorded = self.registry.attestation_of(latest)
            if recorded is not None:
                observed_at = max(observed_at, recorded.attestation.observed_at + 1)
        return observed_at

    def propose(self, credit_code: str) -> tuple[RegistryAttestation, RegistryRecord | None]:
        """The first operator's observation of ``credit_code``, to be endorsed by the others."""
        record = self.operators[0].source.fetch(credit_code)
        attestation = observe(
            credit_code, record, self._observation_time(credit_code_hash(credit_code)), self.ttl_seconds
        )
        return attestation, record

    def collect(self, credit_code: str, attestation: RegistryAttestation) -> list[bytes]:
        """Signatures of the operators that confirm ``attestation``, stopping at the threshold."""
        threshold = self.registry.attestation_threshold()
        chain_id, address = self.registry.client.chain_id, self.registry.address
        signatures: list[bytes] = []
        for operator in self.operators:
            signature = operator.endorse(credit_code, attestation, chain_id, address)
            if signature is not None:
                signatures.append(signature)
            if len(signatures) >= threshold:
                return signatures
        raise QuorumNotReached(credit_code, len(signatures), threshold)

    def publish(self, credit_code: str) -> PublishedAttestation:
        """Observe, collect k signatures, submit; raises :class:`QuorumNotReached` or ``ContractReverted``."""
        attestation, record = self.propose(credit_code)
        signatures = self.collect(credit_code, attestation)
        result = self.registry.attest(self.submitter, attestation, signatures)
        event = result.event("RegistryAttested")
        published = PublishedAttestation(
            attestation_id=bytes(event["attestationId"]),
            attestation=attestation,
            credit_code=credit_code,
            record=record,
            signers=tuple(event["signers"]),
            tx_hash=result.tx_hash,
            block_number=result.receipt.block_number,
        )
        self.book.remember(BookEntry(credit_code, record, published.attestation_id))
        log.info(
            "registry_attested",
            credit_code=credit_code,
            attestation_id="0x" + published.attestation_id.hex(),
            found=record is not None,
            signers=len(published.signers),
            gas_used=result.receipt.gas_used,
        )
        return published
