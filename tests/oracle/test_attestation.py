"""oracle/attestation.py and oracle/publisher.py: EIP-712 attestations, k-of-n collection, publishing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from eth_account import Account

from chain_client.contracts import InstitutionRegistry
from chain_client.contracts.institution_registry import credit_code_hash
from oracle.attestation import (
    absent_record_digest,
    attestation_digest,
    attestation_from_typed_data,
    observe,
    recover_signer,
    sign_attestation,
    typed_data,
)
from oracle.errors import AttestationInvalid
from oracle.publisher import AttestationPublisher, OracleOperator, QuorumNotReached, RecordBook
from oracle.registry.credit_code import compose
from oracle.registry.dataset import write_registry
from oracle.registry.records import RegistryRecord
from tests.conftest import ACCOUNTS
from tests.registry_support import DAY, FileSource, chain_time

pytestmark = pytest.mark.contract


def test_the_python_digest_is_the_contracts(
    registry: InstitutionRegistry, records: list[RegistryRecord]
) -> None:
    attestation = observe(records[5].credit_code, records[5], chain_time(registry.client), DAY)
    assert attestation.record_digest == records[5].digest()
    assert attestation.credit_code_hash == credit_code_hash(records[5].credit_code)
    assert attestation_digest(
        attestation, registry.client.chain_id, registry.address
    ) == registry.attestation_digest(attestation)


def test_a_wallet_style_signature_is_the_same_and_recovers(
    registry: InstitutionRegistry, records: list[RegistryRecord]
) -> None:
    attestation = observe(records[5].credit_code, records[5], chain_time(registry.client), DAY)
    chain_id, address = registry.client.chain_id, registry.address
    signature = sign_attestation(ACCOUNTS.oracle1, attestation, chain_id, address)
    message = typed_data(attestation, chain_id, address)
    types = {name: fields for name, fields in message["types"].items() if name != "EIP712Domain"}
    wallet = Account.sign_typed_data(ACCOUNTS.oracle1.key, message["domain"], types, message["message"])
    assert bytes(wallet.signature) == signature
    assert recover_signer(attestation, signature, chain_id, address) == ACCOUNTS.oracle1.address
    tampered = replace(attestation, expires_at=attestation.expires_at + 1)
    assert recover_signer(tampered, signature, chain_id, address) != ACCOUNTS.oracle1.address


def test_received_attestation_typed_data_round_trips_or_is_refused_by_type() -> None:
    registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    attestation = observe("91350100M000100Y43", None, 1_700_000_000, DAY)
    payload = json.loads(json.dumps(typed_data(attestation, 1337, registry)))
    assert payload["message"]["observedAt"] == "1700000000"  # uint64: a decimal string for wallets
    domain, received = attestation_from_typed_data(payload)
    assert (received, domain.chain_id, domain.verifying_contract) == (attestation, 1337, registry)
    for field, value in (
        ("observedAt", str(2**64)),
        ("expiresAt", -1),
        ("recordDigest", "0x12"),
        ("creditCodeHash", None),
    ):
        bad = json.loads(json.dumps(payload))
        bad["message"][field] = value
        with pytest.raises(AttestationInvalid) as raised:
            attestation_from_typed_data(bad)
        assert raised.value.field == f"message.{field}"
    with pytest.raises(AttestationInvalid):
        attestation_from_typed_data({**payload, "primaryType": "PaymentOrder"})
    with pytest.raises(AttestationInvalid) as raised:
        recover_signer(attestation, b"\x01" * 64, 1337, registry)
    assert raised.value.field == "signature"
    with pytest.raises(AttestationInvalid):
        typed_data(replace(attestation, expires_at=2**64), 1337, registry)


def test_an_absent_record_has_its_own_digest(records: list[RegistryRecord]) -> None:
    code = records[0].credit_code
    assert observe(code, None, 1, DAY).record_digest == absent_record_digest(code) != records[0].digest()
    with pytest.raises(ValueError, match="record is for"):
        observe(records[1].credit_code, records[0], 1, DAY)


def test_the_publisher_gathers_the_threshold_and_records_it(
    publisher: AttestationPublisher, registry: InstitutionRegistry, records: list[RegistryRecord]
) -> None:
    record = records[7]
    published = publisher.publish(record.credit_code)
    assert published.signers == (ACCOUNTS.oracle1.address, ACCOUNTS.oracle2.address)
    recorded = registry.attestation_of(published.attestation_id)
    assert recorded is not None
    assert recorded.attestation.record_digest == record.digest()
    assert registry.latest_attestation_of(credit_code_hash(record.credit_code)) == published.attestation_id
    entry = publisher.book.entry(published.attestation_id)
    assert entry is not None
    assert entry.record == record


def test_observations_of_a_code_are_strictly_ordered(
    publisher: AttestationPublisher, records: list[RegistryRecord]
) -> None:
    first = publisher.publish(records[7].credit_code)
    second = publisher.publish(records[7].credit_code)
    assert second.attestation.observed_at > first.attestation.observed_at
    assert second.attestation_id != first.attestation_id


def test_a_code_missing_from_the_registry_is_attested_absent(
    publisher: AttestationPublisher, registry: InstitutionRegistry, records: list[RegistryRecord]
) -> None:
    code = compose("5", "3", "110000", "99999999")
    assert code not in {record.credit_code for record in records}
    published = publisher.publish(code)
    assert published.record is None
    assert published.attestation.record_digest == absent_record_digest(code)


def test_operators_that_read_another_record_do_not_sign(
    registry: InstitutionRegistry, records: list[RegistryRecord], source: FileSource, tmp_path: Path
) -> None:
    altered = [replace_rep(record) if index == 7 else record for index, record in enumerate(records)]
    other = FileSource(write_registry(altered, tmp_path / "other.jsonl"))
    operators = [
        OracleOperator(ACCOUNTS.oracle1, source),
        OracleOperator(ACCOUNTS.oracle2, other),
        OracleOperator(ACCOUNTS.oracle3, other),
    ]
    publisher = AttestationPublisher(registry, operators, ACCOUNTS.oracle1, book=RecordBook())
    with pytest.raises(QuorumNotReached) as raised:
        publisher.publish(records[7].credit_code)
    assert (raised.value.signed, raised.value.needed) == (1, 2)
    assert registry.latest_attestation_of(credit_code_hash(records[7].credit_code)) is None


def test_the_record_book_survives_a_restart(
    publisher: AttestationPublisher, records: list[RegistryRecord], tmp_path: Path
) -> None:
    publisher.book = RecordBook(tmp_path / "book.json")
    published = publisher.publish(records[9].credit_code)
    reopened = RecordBook(tmp_path / "book.json")
    entry = reopened.latest(credit_code_hash(records[9].credit_code))
    assert entry is not None
    assert (entry.credit_code, entry.record, entry.attestation_id) == (
        records[9].credit_code,
        records[9],
        published.attestation_id,
    )


def replace_rep(record: RegistryRecord) -> RegistryRecord:
    return record.model_copy(update={"legal_representative": record.legal_representative + "新"})
