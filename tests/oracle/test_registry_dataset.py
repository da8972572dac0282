"""The synthetic government registry: deterministic, realistic, round-trips through its file."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from oracle.errors import RegistryDatasetInvalid
from oracle.registry.credit_code import is_valid
from oracle.registry.dataset import (
    DEFAULT_SIZE,
    ensure_registry,
    generate_registry,
    index_by_code,
    read_registry,
    write_registry,
)
from oracle.registry.records import RECORD_SCHEMA, OrgType, RegistrationStatus, RegistryRecord


@pytest.fixture(scope="module")
def registry() -> list[RegistryRecord]:
    return generate_registry()


def test_the_default_registry_has_200_distinct_valid_records(registry: list[RegistryRecord]) -> None:
    assert len(registry) == DEFAULT_SIZE == 200
    assert len({record.credit_code for record in registry}) == 200
    assert len({record.name for record in registry}) == 200
    assert all(is_valid(record.credit_code) for record in registry)


def test_the_same_seed_gives_the_same_registry_and_another_seed_another() -> None:
    assert generate_registry(30, seed=1) == generate_registry(30, seed=1)
    assert generate_registry(30, seed=1) != generate_registry(30, seed=2)


def test_a_smaller_registry_is_a_prefix_of_a_larger_one() -> None:
    assert generate_registry(40) == generate_registry(200)[:40]


def test_every_kind_of_institution_appears(registry: list[RegistryRecord]) -> None:
    assert {record.org_type for record in registry} == set(OrgType)


def test_names_and_places_are_chinese_and_consistent(registry: list[RegistryRecord]) -> None:
    suffixes = {
        OrgType.FOUNDATION: ("基金会",),
        OrgType.HOSPITAL: ("医院", "保健院"),
        OrgType.LOGISTICS: ("物流有限公司",),
        OrgType.ENTERPRISE: ("有限公司",),
        OrgType.GOVERNMENT_AGENCY: ("局", "委员会"),
        OrgType.LOCAL_GOVERNMENT: ("人民政府", "街道办事处"),
        OrgType.SOCIAL_ORGANIZATION: ("会", "中心"),
    }
    for record in registry:
        assert record.name.endswith(suffixes[record.org_type]), record.name
        assert record.account_bank.endswith("支行")
        assert "银行" in record.account_bank
        assert record.registered_address.startswith(record.account_location)
        assert 2 <= len(record.legal_representative) <= 4
        assert record.account_location.endswith("区")


def test_codes_name_the_registration_authority_of_the_institution(registry: list[RegistryRecord]) -> None:
    for record in registry:
        if record.org_type is OrgType.FOUNDATION:
            assert record.credit_code[:2] == "53"
        if record.org_type in (OrgType.LOGISTICS, OrgType.ENTERPRISE):
            assert record.credit_code[:2] == "91"
            assert not record.non_profit
        if record.org_type in (OrgType.GOVERNMENT_AGENCY, OrgType.LOCAL_GOVERNMENT):
            assert record.credit_code[:2] == "11"


def test_the_edge_cases_come_first(registry: list[RegistryRecord]) -> None:
    deregistered, revoked, pretender = registry[:3]
    assert deregistered.status is RegistrationStatus.DEREGISTERED
    assert revoked.status is RegistrationStatus.REVOKED
    assert pretender.status is RegistrationStatus.ACTIVE
    assert not pretender.non_profit
    assert "公益" in pretender.name
    assert not any(record.eligible_for_onboarding for record in registry[:3])
    assert sum(record.eligible_for_onboarding for record in registry) > 100


def test_the_file_round_trips(tmp_path: Path, registry: list[RegistryRecord]) -> None:
    path = write_registry(registry, tmp_path / "nested" / "registry.jsonl")
    assert read_registry(path) == registry
    assert path.read_text(encoding="utf-8").count("\n") == len(registry)
    assert "基金会" in path.read_text(encoding="utf-8")  # UTF-8 text, not \\u escapes


def test_writing_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    first = write_registry(generate_registry(20), tmp_path / "a.jsonl").read_bytes()
    assert first == write_registry(generate_registry(20), tmp_path / "b.jsonl").read_bytes()


def test_ensure_registry_generates_once(tmp_path: Path) -> None:
    path = tmp_path / "registry.jsonl"
    ensure_registry(path, size=5)
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    ensure_registry(path, size=5)
    assert len(read_registry(path)) == 1


def test_a_bad_line_is_reported_with_its_number(tmp_path: Path, registry: list[RegistryRecord]) -> None:
    path = write_registry(registry[:3], tmp_path / "registry.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(registry[1].credit_code, registry[1].credit_code[:-1] + "0")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegistryDatasetInvalid, match=r"registry.jsonl:2: credit_code") as raised:
        read_registry(path)
    assert raised.value.line == 2


def test_a_missing_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryDatasetInvalid, match="cannot read"):
        read_registry(tmp_path / "absent.jsonl")


def test_duplicate_codes_are_refused(registry: list[RegistryRecord]) -> None:
    with pytest.raises(ValueError, match="duplicate credit code"):
        index_by_code([registry[0], registry[0]])


class TestRecordDigest:
    def test_the_digest_is_keccak_of_the_canonical_json(self, registry: list[RegistryRecord]) -> None:
        record = registry[5]
        canonical = record.canonical_json().decode("utf-8")
        assert canonical.startswith('{"account_bank":')
        assert f'"schema":"{RECORD_SCHEMA}"' in canonical
        assert " " not in canonical.replace(record.name, "")
        assert len(record.digest()) == 32

    def test_the_digest_is_pinned(self) -> None:
        record = RegistryRecord(
            credit_code="53440300123456788K",
            name="深圳市春晖助学基金会",
            org_type=OrgType.FOUNDATION,
            non_profit=True,
            status=RegistrationStatus.ACTIVE,
            legal_representative="李明",
            registered_address="广东省深圳市南山区科技路1号",
            account_bank="招商银行深圳南山支行",
            account_location="广东省深圳市南山区",
            registered_on=datetime.date(2010, 6, 1),
        )
        # Oracles sign this digest and the chain stores it: a change here breaks every attestation.
        assert record.digest().hex() == PINNED_DIGEST

    def test_every_field_changes_the_digest(self, registry: list[RegistryRecord]) -> None:
        record = registry[5]
        changes = {
            "name": record.name + "分会",
            "non_profit": not record.non_profit,
            "status": RegistrationStatus.REVOKED,
            "legal_representative": "王伟",
            "registered_address": record.registered_address + "1号",
            "account_bank": "中国银行北京海淀支行",
            "account_location": "北京市海淀区",
            "registered_on": datetime.date(2000, 1, 1),
            "org_type": OrgType.LOGISTICS if record.org_type is not OrgType.LOGISTICS else OrgType.HOSPITAL,
        }
        for field, value in changes.items():
            assert record.model_copy(update={field: value}).digest() != record.digest(), field

    def test_records_are_immutable_and_checked(self, registry: list[RegistryRecord]) -> None:
        with pytest.raises(ValidationError):
            registry[0].name = "x"  # type: ignore[misc]
        with pytest.raises(ValidationError, match="check character"):
            RegistryRecord.model_validate({**registry[0].model_dump(), "credit_code": "91440300708461136U"})
        with pytest.raises(ValidationError, match="Extra inputs"):
            RegistryRecord.model_validate({**registry[0].model_dump(), "extra": 1})


PINNED_DIGEST = "7ef2ea4e497a27c9964a0c6b3fd002b1f970af1ac828fcc3d6f5b0aeda134027"
