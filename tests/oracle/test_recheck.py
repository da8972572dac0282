"""oracle/recheck.py: a cycle re-reads approved institutions' records, re-attests and flags changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from chain_client import ContractReverted
from chain_client.contracts import AuditDecision, InstitutionKind, InstitutionRegistry
from oracle.publisher import AttestationPublisher
from oracle.recheck import RegistryRecheck, change_reasons
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord
from tests.conftest import ACCOUNTS
from tests.registry_support import DAY, FileSource, apply, chain_time, rewrite_registry

pytestmark = pytest.mark.contract


@pytest.fixture
def charity_record(records: list[RegistryRecord]) -> RegistryRecord:
    return next(
        record
        for record in records
        if record.org_type is OrgType.FOUNDATION and record.status is RegistrationStatus.ACTIVE
    )


@pytest.fixture
def recheck(
    registry: InstitutionRegistry,
    publisher: AttestationPublisher,
    source: FileSource,
    charity_record: RegistryRecord,
) -> RegistryRecheck:
    """The charity approved on ``charity_record``, and a recheck over the same registry file."""
    published = publisher.publish(charity_record.credit_code)
    apply(registry, ACCOUNTS.charity)
    decision = AuditDecision(
        registry.application_digest_of(ACCOUNTS.charity.address),
        published.attestation_id,
        passed=True,
        rule_version=1,
        expires_at=chain_time(registry.client) + 365 * DAY,
    )
    registry.audit(ACCOUNTS.bank, ACCOUNTS.charity.address, decision)
    return RegistryRecheck(registry, publisher, source, ACCOUNTS.oracle3)


def _change(path: Path, records: list[RegistryRecord], changed: RegistryRecord | None, code: str) -> None:
    kept = [record for record in records if record.credit_code != code]
    rewrite_registry(path, [*kept, changed] if changed is not None else kept)


def test_an_unchanged_record_is_left_alone(recheck: RegistryRecheck, registry: InstitutionRegistry) -> None:
    report = recheck.run_once()
    assert (report.checked, report.unchanged, report.flagged, report.reattested) == (1, 1, {}, [])
    assert registry.is_active(ACCOUNTS.charity.address)


def test_deregistration_suspends_the_institution(
    recheck: RegistryRecheck,
    registry: InstitutionRegistry,
    registry_file: Path,
    records: list[RegistryRecord],
    charity_record: RegistryRecord,
) -> None:
    deregistered = charity_record.model_copy(update={"status": RegistrationStatus.DEREGISTERED})
    _change(registry_file, records, deregistered, charity_record.credit_code)
    report = recheck.run_once()
    assert report.flagged == {ACCOUNTS.charity.address: ["DEREGISTERED"]}
    institution = registry.institution_of(ACCOUNTS.charity.address)
    assert institution.flagged
    assert not registry.is_active(ACCOUNTS.charity.address)
    with pytest.raises(ContractReverted) as raised:
        registry.require_active(ACCOUNTS.charity.address, InstitutionKind.CHARITY)
    assert raised.value.error_name == "InstitutionNotActive"
    assert raised.value.args == (ACCOUNTS.charity.address,)
    flagged = registry.events("InstitutionFlagged")[-1]
    assert flagged["by"] == ACCOUNTS.oracle3.address
    recorded = registry.attestation_of(flagged["attestationId"])
    assert recorded is not None
    assert recorded.attestation.record_digest == deregistered.digest()
    assert recheck.run_once().checked == 0  # flagged: waits for a bank's re-audit


def test_a_new_legal_representative_is_flagged(
    recheck: RegistryRecheck,
    registry_file: Path,
    records: list[RegistryRecord],
    charity_record: RegistryRecord,
) -> None:
    changed = charity_record.model_copy(update={"legal_representative": "新法人"})
    _change(registry_file, records, changed, charity_record.credit_code)
    assert recheck.run_once().flagged == {ACCOUNTS.charity.address: ["LEGAL_REP_CHANGED"]}


def test_a_vanished_record_is_flagged(
    recheck: RegistryRecheck,
    registry_file: Path,
    records: list[RegistryRecord],
    charity_record: RegistryRecord,
) -> None:
    _change(registry_file, records, None, charity_record.credit_code)
    assert recheck.run_once().flagged == {ACCOUNTS.charity.address: ["RECORD_MISSING"]}


def test_an_immaterial_change_is_reattested_once_and_not_flagged(
    recheck: RegistryRecheck,
    registry: InstitutionRegistry,
    registry_file: Path,
    records: list[RegistryRecord],
    charity_record: RegistryRecord,
) -> None:
    moved = charity_record.model_copy(
        update={"registered_address": charity_record.registered_address + "2楼"}
    )
    _change(registry_file, records, moved, charity_record.credit_code)
    report = recheck.run_once()
    assert (report.flagged, report.reattested) == ({}, [ACCOUNTS.charity.address])
    assert recheck.run_once().reattested == []
    assert registry.is_active(ACCOUNTS.charity.address)


def test_an_unreachable_registry_is_not_a_negative_answer(
    recheck: RegistryRecheck, registry: InstitutionRegistry, registry_file: Path
) -> None:
    registry_file.unlink()
    report = recheck.run_once()
    assert list(report.skipped) == [ACCOUNTS.charity.address]
    assert report.flagged == {}
    assert registry.is_active(ACCOUNTS.charity.address)


def test_change_reasons_list_every_material_change(charity_record: RegistryRecord) -> None:
    changed = charity_record.model_copy(
        update={
            "status": RegistrationStatus.REVOKED,
            "name": "别的名字",
            "account_location": "别处",
            "non_profit": False,
        }
    )
    assert change_reasons(charity_record, changed) == [
        "REVOKED",
        "NAME_CHANGED",
        "ACCOUNT_CHANGED",
        "NON_PROFIT_CHANGED",
    ]
    assert change_reasons(None, charity_record) == ["RECORD_CHANGED"]
