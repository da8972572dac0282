"""The periodic registry recheck: re-read every approved institution's record, re-attest, flag changes.

One cycle (:meth:`RegistryRecheck.run_once`) walks the approved institutions found in the registry's
``InstitutionAudited`` events. For each one it reads the government record again; if the digest is the
audited one it only refreshes the attestation when it nears expiry; if the record changed it publishes
a new attestation (k oracle signatures) and, when the change is material (deregistered or revoked,
record gone, a new legal representative, name, account or non-profit status), flags the institution,
which suspends it until a bank re-audits. A registry that cannot be reached is never read as "no
record": the institution is skipped and retried next cycle.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import structlog
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from chain_client.contracts.institution_registry import InstitutionRegistry, InstitutionStatus, short_code
from oracle.errors import OracleError
from oracle.publisher import AttestationPublisher, RecordSource, record_digest
from oracle.registry.records import RegistrationStatus, RegistryRecord

log = structlog.get_logger(__name__)

DEFAULT_INTERVAL_SECONDS = 3_600.0


def change_reasons(audited: RegistryRecord | None, current: RegistryRecord | None) -> list[str]:
    """The material changes from the audited record to the current one, most serious first.

    Empty when nothing the audit relied on changed (e.g. only the registered address moved). With no
    audited record to compare (the oracle's book lost it), any change is reported as RECORD_CHANGED.
    """
    if current is None:
        return ["RECORD_MISSING"]
    reasons: list[str] = []
    if current.status is not RegistrationStatus.ACTIVE:
        reasons.append("DEREGISTERED" if current.status is RegistrationStatus.DEREGISTERED else "REVOKED")
    if audited is None:
        return reasons or ["RECORD_CHANGED"]
    if current.legal_representative != audited.legal_representative:
        reasons.append("LEGAL_REP_CHANGED")
    if current.name != audited.name:
        reasons.append("NAME_CHANGED")
    if (current.account_bank, current.account_location) != (audited.account_bank, audited.account_location):
        reasons.append("ACCOUNT_CHANGED")
    if current.non_profit != audited.non_profit:
        reasons.append("NON_PROFIT_CHANGED")
    return reasons


@dataclass
class RecheckReport:
    """What one cycle did."""

    checked: int = 0
    unchanged: int = 0
    reattested: list[ChecksumAddress] = field(default_factory=list)
    flagged: dict[ChecksumAddress, list[str]] = field(default_factory=dict)
    skipped: dict[ChecksumAddress, str] = field(default_factory=dict)


class RegistryRecheck:
    """The recheck loop of one oracle deployment (it flags with ``flagger``, an ORACLE_ROLE account)."""

    def __init__(
        self,
        registry: InstitutionRegistry,
        publisher: AttestationPublisher,
        source: RecordSource,
        flagger: LocalAccount,
        *,
        refresh_margin_seconds: int | None = None,
    ) -> None:
        self.registry = registry
        self.publisher = publisher
        self.source = source
        self.flagger = flagger
        self.refresh_margin_seconds = (
            refresh_margin_seconds if refresh_margin_seconds is not None else publisher.ttl_seconds // 2
        )
        self._approved: set[ChecksumAddress] = set()
        self._next_block = 0

    def approved_institutions(self) -> list[ChecksumAddress]:
        """Every account a bank ever approved (read incrementally from ``InstitutionAudited`` events)."""
        last = self.registry.client.block_number()
        if last >= self._next_block:
            for event in self.registry.events(
                "InstitutionAudited", from_block=self._next_block, to_block=last
            ):
                if event["passed"]:
                    self._approved.add(event["account"])
            self._next_block = last + 1
        return sorted(self._approved)

    def run_once(self) -> RecheckReport:
        """One pass over the approved institutions."""
        report = RecheckReport()
        for account in self.approved_institutions():
            institution = self.registry.institution_of(account)
            if institution.status is not InstitutionStatus.APPROVED or institution.flagged:
                continue
            report.checked += 1
            try:
                self._recheck(account, institution.credit_code_hash, institution.attestation_id, report)
            except OracleError as error:
                report.skipped[account] = str(error)
                log.warning("recheck_skipped", account=account, reason=str(error))
        log.info(
            "recheck_done",
            checked=report.checked,
            unchanged=report.unchanged,
            reattested=len(report.reattested),
            flagged=len(report.flagged),
            skipped=len(report.skipped),
        )
        return report

    def _recheck(
        self, account: ChecksumAddress, code_hash: bytes, audited_id: bytes, report: RecheckReport
    ) -> None:
        known = self.publisher.book.latest(code_hash)
        if known is None:
            report.skipped[account] = "credit code unknown to this oracle's record book"
            return
        current = self.source.fetch(known.credit_code)
        digest = record_digest(known.credit_code, current)
        latest_id = self.registry.latest_attestation_of(code_hash)
        latest = self.registry.attestation_of(latest_id) if latest_id is not None else None
        if (
            latest is None
            or latest.attestation.record_digest != digest
            or self._expiring(latest.attestation.expires_at)
        ):
            latest_id = self.publisher.publish(known.credit_code).attestation_id
            report.reattested.append(account)
        audited = self.registry.attestation_of(audited_id)
        if audited is not None and audited.attestation.record_digest == digest:
            report.unchanged += 1
            return
        audited_entry = self.publisher.book.entry(audited_id)
        reasons = change_reasons(audited_entry.record if audited_entry else None, current)
        if reasons and latest_id is not None:
            self.registry.flag(self.flagger, account, latest_id, short_code(reasons[0]))
            report.flagged[account] = reasons
            log.warning(
                "institution_flagged", account=account, credit_code=known.credit_code, reasons=reasons
            )

    def _expiring(self, expires_at: int) -> bool:
        return expires_at - self.publisher.now() < self.refresh_margin_seconds

    def run_forever(
        self, interval_seconds: float = DEFAULT_INTERVAL_SECONDS, stop: threading.Event | None = None
    ) -> None:
        """Run a cycle every ``interval_seconds`` until ``stop`` is set; a failed cycle is logged."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("recheck_cycle_failed")
            stop.wait(interval_seconds)
