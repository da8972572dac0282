"""api/aid/desk.py and treatment.py: what is refused before anything is stored or sent, and rules registered once.

The whole path with real OCR is the scene 2 flow (``tests/flows/test_individual_aid.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.aid import (
    AidDesk,
    ApplicationForm,
    ApplicationInvalid,
    DocumentUnreadable,
    EvidenceSources,
    RuleLibrary,
)
from api.aid.key_info import DocumentKind
from api.aid.reading import DocumentReader
from api.aid.treatment import TreatmentPayments
from api.documents.store import DocumentStore
from api.orders import OrderIssuer, open_delivery_store
from oracle.aid.hospitals import RecordsHospitalLookup
from oracle.aid.investigation import SqliteInvestigationFeed, open_investigation_db
from oracle.aid.invoices import FileInvoiceRegistry, write_invoice_registry
from tests.aid_cases import SALT, generated, registry_records
from tests.aid_support import APPLICANT, AidWorld
from tests.conftest import ACCOUNTS


@pytest.fixture
def desk(aw: AidWorld, aid_reader: DocumentReader, tmp_path: Path) -> AidDesk:
    sources = EvidenceSources(
        hospitals=RecordsHospitalLookup(list(registry_records())),
        invoices=FileInvoiceRegistry(
            write_invoice_registry(generated().invoices, tmp_path / "invoices.jsonl")
        ),
        investigation=SqliteInvestigationFeed(open_investigation_db(None)),
        registry=aw.escrow_world.world.registry,
    )
    return AidDesk(aw.aid, sources, DocumentStore(tmp_path / "documents", bytes(32)), aid_reader, SALT)


def _form() -> ApplicationForm:
    case = generated().cases[0]
    return ApplicationForm(
        name=case.id_card.name,
        id_number=case.id_card.id_number,
        phone=case.phone,
        amount_asked_fen=case.amount_asked_fen,
    )


def _stored(desk: AidDesk) -> list[Path]:
    return (
        [path for path in desk.store.directory.rglob("*") if path.is_file()]
        if desk.store.directory.exists()
        else []
    )


def test_a_missing_or_unreadable_document_stops_the_filing_before_anything_is_stored_or_sent(
    desk: AidDesk, aw: AidWorld
) -> None:
    count = aw.aid.application_count()
    with pytest.raises(ApplicationInvalid, match="invoice document is missing"):
        desk.file_application(APPLICANT, _form(), {DocumentKind.ID_CARD: b"x", DocumentKind.DIAGNOSIS: b"y"})
    with pytest.raises(DocumentUnreadable, match="id_card"):
        desk.file_application(APPLICANT, _form(), dict.fromkeys(DocumentKind, b"not an image"))
    assert aw.aid.application_count() == count
    assert _stored(desk) == []


def test_a_form_that_cannot_be_filled_in_is_refused() -> None:
    with pytest.raises(ValueError, match="phone"):
        ApplicationForm(name="张三", id_number="11010519491231002X", phone="call me", amount_asked_fen=100)
    with pytest.raises(ValueError, match="amount_asked_fen"):
        ApplicationForm(name="张三", id_number="11010519491231002X", phone="13800000000", amount_asked_fen=0)
    first, second = (
        ApplicationForm(name="张三", id_number="11010519491231002X", phone="13800000000", amount_asked_fen=1)
        for _ in range(2)
    )
    assert first.canonical_json() != second.canonical_json()  # a random nonce: the digest cannot be guessed


def test_rules_are_registered_once(desk: AidDesk, aw: AidWorld) -> None:
    rule = RuleLibrary().by_name("weighted-average")
    digest = desk.register_rule(ACCOUNTS.bank, rule)
    assert desk.register_rule(ACCOUNTS.bank, rule) == digest
    registered = aw.aid.rule_of(digest)
    assert registered is not None
    assert registered.terms == rule.terms()


def test_an_application_that_is_not_approved_cannot_be_paid(aw: AidWorld) -> None:
    ew = aw.escrow_world
    issuer = OrderIssuer(ew.escrow, ew.world.registry, ew.pools, ACCOUNTS.bank, open_delivery_store())
    payments = TreatmentPayments(aw.aid, issuer)
    application_id, _ = aw.aid.submit_application(APPLICANT, 0, b"\x01" * 32, [b"\x02" * 32])
    with pytest.raises(ApplicationInvalid) as raised:
        payments.pay_hospital(application_id, 1, b"order")
    assert raised.value.problems == (
        f"application {application_id} is SUBMITTED, not APPROVED",
        f"application {application_id} has no hospital assigned",
        "the application names no plan: give the pool that pays",
    )
