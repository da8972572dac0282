"""Flow 5, scene 2 [700, 800]: a person in need applies for aid, a bank decides, the hospital is paid through
matched payment orders, and the aid counts as successful only when the applicant signs that the treatment was
received. On the embedded chain, with real OCR of rendered documents.

The applicant files an ID card, a diagnosis certificate and the hospital's invoice; the desk reads them by OCR
(the second key information), checks their authenticity against the government registry, the ledger and the
invoice registry, joins the bank's investigation record by the salted identity hash, and the bank decides under
a registered rule. Every rejection is named and pays nothing; strategy A and strategy B part ways on the same
inputs; a decision read from the chain reproduces from its inputs, and no longer does when one byte changes;
and nothing the scene wrote to the chain holds the applicant's name, ID number, diagnosis or phone number.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from sqlalchemy.engine import Engine

from api.aid import (
    AidDesk,
    ApplicationForm,
    ApplicationInvalid,
    EvidenceSources,
    FiledApplication,
    RuleLibrary,
    TreatmentPayments,
    assess,
    recompute,
    treatment_order_document,
)
from api.aid.key_info import DocumentKind, InvoiceField
from api.aid.reading import DocumentReader
from api.documents.store import DocumentStore
from api.orders import (
    RELEASED,
    DeliveryStore,
    Expectation,
    OrderIssuer,
    OrderMatcher,
    OrderParticipant,
    open_delivery_store,
)
from chain_client import ChainClient, ContractReverted
from chain_client.backends import EmbeddedBackend
from chain_client.contracts import AidStatus, InstitutionKind, OrderParty
from chain_client.deploy import Foundation
from oracle.aid import resident_id
from oracle.aid.capital_numerals import to_capital
from oracle.aid.documents import Font, Layout, Style, document_bytes, render_document
from oracle.aid.hospitals import RecordsHospitalLookup
from oracle.aid.identity_hash import identity_hash
from oracle.aid.investigation import (
    InvestigationRecord,
    SqliteInvestigationFeed,
    load_profiles,
    open_investigation_db,
)
from oracle.aid.invoices import FileInvoiceRegistry, InvoiceRecord, write_invoice_registry
from oracle.aid.population import AidCase, Forgery, Profile, profile_record
from oracle.registry.records import RegistryRecord
from tests.aid_cases import SALT, TODAY, case_of, hospitals, registry_records, unregistered_hospitals
from tests.aid_support import APPLICANT, AidWorld, build_aid_world
from tests.conftest import ACCOUNTS, GAS_MONEY, named_account
from tests.escrow_support import funded_pool
from tests.pools_support import TOKEN, register
from tests.privacy_support import Written, find_personal_data, written_by_blocks

pytestmark = pytest.mark.flow

FEN = TOKEN // 100
"""One 分 in deposit-token units (the token has 18 decimals; one token is one yuan)."""

STYLES = {
    DocumentKind.ID_CARD: Style(Layout.CARD_STACKED, Font.NOTO_SANS),
    DocumentKind.INVOICE: Style(Layout.INVOICE_GRID, Font.ZEN_HEI),
    DocumentKind.DIAGNOSIS: Style(Layout.DIAGNOSIS_LETTERHEAD, Font.MICRO_HEI),
}
RULES = RuleLibrary()
RULE_A, RULE_B = RULES.by_name("every-item"), RULES.by_name("weighted-average")


def _account_of(record: RegistryRecord) -> LocalAccount:
    return named_account(f"aid hospital {record.credit_code}")


@dataclass
class Scene:
    world: AidWorld
    desk: AidDesk
    invoices_path: Path
    invoices: list[InvoiceRecord]
    feed: SqliteInvestigationFeed
    feed_engine: Engine
    case: AidCase
    """The genuine application of scene 2 (an eligible person)."""
    registered: InvoiceRecord
    pool_id: int
    hospital: LocalAccount
    deliveries: DeliveryStore


def _images(case: AidCase) -> dict[DocumentKind, bytes]:
    return {kind: document_bytes(render_document(case, kind, STYLES[kind])) for kind in DocumentKind}


def _form(case: AidCase, **changes: object) -> ApplicationForm:
    values: dict[str, object] = {
        "name": case.id_card.name,
        "id_number": case.id_card.id_number,
        "phone": case.phone,
        "amount_asked_fen": case.amount_asked_fen,
        "pool_id": 0,
    }
    values.update(changes)
    return ApplicationForm.model_validate(values)


@pytest.fixture(scope="module")
def scene_world(
    session_client: ChainClient,
    session_foundation: Foundation,
    tmp_path_factory: pytest.TempPathFactory,
    aid_reader: DocumentReader,
) -> Scene:
    if not isinstance(session_client.backend, EmbeddedBackend):
        pytest.skip("scene 2 is checked on the embedded chain (the contract suite covers anvil)")
    world = build_aid_world(session_client, session_foundation)
    registry = world.escrow_world.world.registry
    consortium = session_foundation.consortium
    for record in hospitals():  # the registry's first hospitals are institutions of the ledger
        account = _account_of(record)
        if session_client.balance(account.address) < GAS_MONEY // 2:
            session_client.send_value(ACCOUNTS.admin, account.address, GAS_MONEY)
        if not consortium.is_allowed(account.address):
            consortium.allow_account(ACCOUNTS.admin, account.address)
        register(registry, account, InstitutionKind.HOSPITAL, record.credit_code)
    case, registered = case_of(Forgery.NONE, Profile.ELIGIBLE, seed=23)
    assert registered is not None
    directory = tmp_path_factory.mktemp("aid")
    invoices = [registered]
    invoices_path = write_invoice_registry(invoices, directory / "invoices.jsonl")
    feed_engine = open_investigation_db(None)
    feed = SqliteInvestigationFeed(feed_engine)
    sources = EvidenceSources(
        hospitals=RecordsHospitalLookup(list(registry_records())),
        invoices=FileInvoiceRegistry(invoices_path),
        investigation=feed,
        registry=registry,
    )
    desk = AidDesk(
        world.aid, sources, DocumentStore(directory / "documents", bytes(range(32))), aid_reader, SALT
    )
    for rule in (RULE_A, RULE_B):
        desk.register_rule(ACCOUNTS.bank, rule)
    pool_id = funded_pool(world.escrow_world, 200_000 * TOKEN)
    hospital = _account_of(next(h for h in hospitals() if h.name == case.invoice.issuer_name))
    return Scene(
        world,
        desk,
        invoices_path,
        invoices,
        feed,
        feed_engine,
        case,
        registered,
        pool_id,
        hospital,
        open_delivery_store(),
    )


@pytest.fixture
def scene(scene_world: Scene, chain: ChainClient) -> Iterator[Scene]:
    before = list(scene_world.invoices)
    scene_world.deliveries = open_delivery_store()  # order deliveries of other tests were on reverted chains
    yield scene_world
    scene_world.invoices[:] = before
    write_invoice_registry(before, scene_world.invoices_path)


def _profile(scene: Scene, case: AidCase, profile: Profile) -> InvestigationRecord | None:
    """The bank's record of ``case``'s applicant is that of a person of ``profile`` (the feed is replaced)."""
    record = profile_record(
        random.Random(case.case_id + profile.value),
        profile,
        identity_hash(SALT, case.id_card.id_number),
        TODAY,
    )
    load_profiles(scene.feed_engine, [] if record is None else [record])
    return record


def _register_invoice(scene: Scene, record: InvoiceRecord) -> None:
    scene.invoices.append(record)
    write_invoice_registry(scene.invoices, scene.invoices_path)


def _file(
    scene: Scene, case: AidCase, form: ApplicationForm | None = None, applicant: LocalAccount = APPLICANT
) -> FiledApplication:
    return scene.desk.file_application(applicant, form or _form(case, pool_id=scene.pool_id), _images(case))


def _nothing_paid(scene: Scene, application_id: int) -> None:
    """The application cannot be paid: no hospital can be assigned, no order issued, no token moved."""
    escrow_world = scene.world.escrow_world
    token, pools = escrow_world.token, escrow_world.pools
    balance, ledger = token.balance_of(scene.hospital.address), pools.ledger_of(scene.pool_id)
    with pytest.raises(ContractReverted) as raised:
        scene.world.aid.assign_hospital(APPLICANT, application_id, scene.hospital.address)
    assert raised.value.error_name == "AidApplicationNotInStatus"
    payments = TreatmentPayments(scene.world.aid, _issuer(scene))
    with pytest.raises(ApplicationInvalid):
        payments.pay_hospital(application_id, 10 * TOKEN, b"order")
    assert token.balance_of(scene.hospital.address) == balance
    assert pools.ledger_of(scene.pool_id) == ledger
    assert scene.world.aid.application_of(application_id).order_id is None


def _issuer(scene: Scene) -> OrderIssuer:
    escrow_world = scene.world.escrow_world
    return OrderIssuer(
        escrow_world.escrow, escrow_world.world.registry, escrow_world.pools, ACCOUNTS.bank, scene.deliveries
    )


# ------------------------------------------------------------------ scene 2, end to end


def test_scene_2_an_approved_applicant_is_treated_and_the_hospital_paid_through_matched_orders(
    scene: Scene,
) -> None:
    client = scene.world.client
    first_block = client.block_number() + 1
    case, aid = scene.case, scene.world.aid
    _profile(scene, case, Profile.ELIGIBLE)

    # The applicant files the form and three documents: read by OCR, sealed, filed under hashes only.
    filed = _file(scene, case)
    application = aid.application_of(filed.application_id)
    assert (application.status, application.applicant, application.pool_id) == (
        AidStatus.SUBMITTED,
        APPLICANT.address,
        scene.pool_id,
    )
    assert application.identity_hash == identity_hash(SALT, case.id_card.id_number)
    assert len(application.document_digests) == 4
    read = filed.readings
    assert read.id_card.value("id_number") == case.id_card.id_number
    assert read.id_card.value("name") == case.id_card.name
    assert read.invoice.value(InvoiceField.NUMBER) == case.invoice.number
    assert read.invoice.value(InvoiceField.TOTAL_WORDS) == to_capital(case.invoice.total_fen)
    assert read.diagnosis.value("diagnosis") == case.diagnosis.diagnosis

    # The bank decides under strategy A: every item passes; the decision is recorded with digests and scores.
    decided = scene.desk.decide(ACCOUNTS.bank, filed, RULE_A, today=TODAY)
    assert decided.assessment.approved, decided.assessment.reasons
    recorded = aid.decision_of(filed.application_id)
    assert recorded is not None
    assert recorded.decision == decided.assessment.decision()
    assert recorded.decision.rule_digest == RULE_A.digest()
    assert recorded.decision.input_digest == keccak(scene.desk.store.get(decided.inputs_digest))
    assert aid.application_of(filed.application_id).status == AidStatus.APPROVED

    # Anyone with the inputs recomputes it from the chain; one byte changed and it no longer reproduces.
    inputs = scene.desk.store.get(decided.inputs_digest)
    again = recompute(aid, decided.tx_hash, inputs, RULES)
    assert again.reproduces, again.differences
    tampered = inputs.replace(
        case.invoice.number.encode(),
        case.invoice.number[:-1].encode() + b"0" if case.invoice.number[-1] != "0" else b"1",
        1,
    )
    changed = recompute(aid, decided.tx_hash, tampered, RULES)
    assert not changed.reproduces
    assert changed.differences[0].startswith("input digest")
    assert changed.input_digest != recorded.decision.input_digest
    for position in range(0, len(inputs), max(1, len(inputs) // 40)):  # any byte, anywhere
        flipped = inputs[:position] + bytes([inputs[position] ^ 0x01]) + inputs[position + 1 :]
        report = recompute(aid, decided.tx_hash, flipped, RULES)
        assert not report.reproduces
        assert report.differences[0].startswith("input digest"), (position, report.differences)

    # The applicant is assigned the registered hospital that treats them; the charity's plan pays it by order.
    payments = TreatmentPayments(aid, _issuer(scene))
    payments.assign_hospital(APPLICANT, filed.application_id, scene.hospital.address)
    amount = case.invoice.total_fen * FEN
    document = treatment_order_document(
        filed.application_id, case.invoice.code, case.invoice.number, case.invoice.total_fen
    )
    issued = payments.pay_hospital(filed.application_id, amount, document)
    assert aid.application_of(filed.application_id).order_id == issued.order.order_id
    escrow_world = scene.world.escrow_world
    pools, token = escrow_world.pools, escrow_world.token
    assert pools.ledger_of(scene.pool_id).escrowed == amount

    # The hospital treats the patient and answers with its copy; the charity signs its own; they match.
    store = scene.deliveries
    consortium = escrow_world.world.foundation.consortium
    hospital = OrderParticipant(scene.hospital, OrderParty.PAYEE, escrow_world.escrow, consortium, store)
    [received] = hospital.inbox()
    assert received.envelope.document == document
    hospital.answer(
        received.envelope, Expectation(pool_id=scene.pool_id, amount=amount, purpose_digest=keccak(document))
    )
    matcher = OrderMatcher(escrow_world.escrow, store, ACCOUNTS.outsider)
    assert matcher.run_once() == []
    with pytest.raises(ContractReverted) as early:
        payments.confirm_treatment(APPLICANT, filed.application_id, b"not yet")
    assert early.value.error_name == "AidOrderNotReleased"
    charity = OrderParticipant(ACCOUNTS.charity, OrderParty.CHARITY, escrow_world.escrow, consortium, store)
    [mine] = charity.inbox()
    charity.answer(
        mine.envelope, Expectation(pool_id=scene.pool_id, payee=scene.hospital.address, amount=amount)
    )
    before = token.balance_of(scene.hospital.address)
    [outcome] = matcher.run_once()
    assert outcome.outcome == RELEASED
    assert token.balance_of(scene.hospital.address) == before + amount
    assert pools.ledger_of(scene.pool_id).paid_out == amount
    assert aid.application_of(filed.application_id).status == AidStatus.APPROVED  # not successful yet

    # The applicant signs that the treatment was received: only now is the aid successful.
    signed = payments.confirm_treatment(APPLICANT, filed.application_id, "治疗已完成，签收。".encode())
    completed = signed.event("AidCompleted")
    assert (completed["applicationId"], completed["orderId"]) == (filed.application_id, issued.order.order_id)
    assert aid.application_of(filed.application_id).status == AidStatus.COMPLETED

    # Nothing the scene wrote to the chain names the applicant, their ID number, diagnosis or phone.
    written = list(written_by_blocks(client, first_block, client.block_number()))
    assert any(
        w.data.endswith(application.identity_hash) or application.identity_hash in w.data
        for w in written
        if "storage" in w.where
    )
    assert any("input" in w.where for w in written)
    assert any("log" in w.where for w in written)
    secrets = {
        "name": case.id_card.name,
        "ID number": case.id_card.id_number,
        "diagnosis": case.diagnosis.diagnosis,
        "phone": case.phone,
    }
    assert find_personal_data(written, secrets) == []


def test_the_privacy_scan_finds_personal_data_where_it_is() -> None:
    case = scene_case()
    secrets = {"name": case.id_card.name, "ID number": case.id_card.id_number, "phone": case.phone}
    planted = [
        Written("utf-8", b"\x00" + case.id_card.name.encode() + b"\x00"),
        Written("hex", case.id_card.id_number.encode().hex().encode()),
        Written("integer", int(case.phone).to_bytes(32, "big")),
    ]
    hits = find_personal_data(planted, secrets)
    assert any(hit.startswith("name (utf-8)") for hit in hits)
    assert any(hit.startswith("ID number (hex)") for hit in hits)
    assert any(hit.startswith("phone (integer)") for hit in hits)


def scene_case() -> AidCase:
    return case_of(Forgery.NONE, Profile.ELIGIBLE, seed=23)[0]


# ------------------------------------------------------------------ strategies


def test_strategy_a_rejects_where_b_approves_and_the_reverse_on_the_same_inputs(scene: Scene) -> None:
    case = scene.case
    outcomes = {}
    for profile in (Profile.COMPENSATED, Profile.BORDERLINE):
        _profile(scene, case, profile)
        filed = _file(scene, case)
        inputs, under_a = scene.desk.assess(filed, RULE_A, today=TODAY)
        under_b = assess(inputs, RULE_B)
        outcomes[profile] = (under_a.approved, under_b.approved)
        # Record the decision under the strategy that approves, then reject the other way round on-chain too.
        approving = RULE_B if under_b.approved else RULE_A
        decided = scene.desk.decide(ACCOUNTS.bank, filed, approving, today=TODAY)
        assert decided.assessment.approved
        assert decided.assessment.input_digest == inputs.digest()
        assert recompute(scene.world.aid, decided.tx_hash, inputs.canonical_json(), RULES).reproduces
        scene.world.aid.assign_hospital(
            APPLICANT, filed.application_id, scene.hospital.address
        )  # approved: payable
        # a second applicant with the same documents would be refused while this one is open
        with pytest.raises(ContractReverted) as raised:
            _file(scene, case, applicant=named_account("aid second applicant"))
        assert raised.value.error_name == "AidApplicationOpen"
        _pay_and_sign_off(scene, filed.application_id)
    assert outcomes == {Profile.COMPENSATED: (False, True), Profile.BORDERLINE: (True, False)}


def _pay_and_sign_off(scene: Scene, application_id: int) -> None:
    """Pay the hospital a token through a matched order and sign off (frees the identity to apply again)."""
    payments = TreatmentPayments(scene.world.aid, _issuer(scene))
    issued = payments.pay_hospital(application_id, TOKEN, b"small order")
    escrow = scene.world.escrow_world.escrow
    order = issued.order
    escrow.settle(
        ACCOUNTS.outsider,
        order.order_id,
        order,
        escrow.sign(scene.hospital, order),
        order,
        escrow.sign(ACCOUNTS.charity, order),
    )
    payments.confirm_treatment(APPLICANT, application_id, b"done")


# ------------------------------------------------------------------ rejections, each with its reason and nothing paid


def _variant(case: AidCase, **documents: object) -> AidCase:
    return case.model_copy(update=documents)


def _one_off(text: str, digits: bool = False) -> str:
    position = len(text) - 1
    replacement = (
        str((int(text[position]) + 3) % 10) if digits else ("明" if text[position] != "明" else "亮")
    )
    return text[:position] + replacement + text[position + 1 :]


Variant = Callable[[Scene], tuple[AidCase, ApplicationForm | None]]


def _id_check_digit(scene: Scene) -> tuple[AidCase, ApplicationForm | None]:
    case = scene.case
    forged = resident_id.with_wrong_check(case.id_card.id_number)
    variant = _variant(case, id_card=case.id_card.model_copy(update={"id_number": forged}))
    return variant, _form(variant, pool_id=scene.pool_id)


def _invoice_name_one_off(scene: Scene) -> tuple[AidCase, ApplicationForm | None]:
    case = scene.case
    other = _one_off(case.invoice.payer_name)
    _register_invoice(
        scene,
        scene.registered.model_copy(
            update={"number": _one_off(case.invoice.number, True), "payer_name": other}
        ),
    )
    variant = _variant(
        case,
        invoice=case.invoice.model_copy(
            update={"payer_name": other, "number": _one_off(case.invoice.number, True)}
        ),
    )
    return variant, None


def _invoice_number_one_digit_off(scene: Scene) -> tuple[AidCase, ApplicationForm | None]:
    case = scene.case
    return _variant(
        case, invoice=case.invoice.model_copy(update={"number": _one_off(case.invoice.number, True)})
    ), None


def _invoice_never_issued(scene: Scene) -> tuple[AidCase, ApplicationForm | None]:
    case = scene.case
    return _variant(
        case, invoice=case.invoice.model_copy(update={"code": "99990101", "number": "0000000001"})
    ), None


def _hospital_one_character_away(scene: Scene) -> tuple[AidCase, ApplicationForm | None]:
    case = scene.case
    name = case.invoice.issuer_name
    position = name.index("市") if "市" in name else 1
    forged = name[:position] + "布" + name[position + 1 :]
    return _variant(
        case,
        invoice=case.invoice.model_copy(update={"issuer_name": forged}),
        diagnosis=case.diagnosis.model_copy(update={"hospital": forged}),
    ), None


def _hospital_not_on_the_ledger(scene: Scene) -> tuple[AidCase, ApplicationForm | None]:
    """A real hospital of the government registry, whose own registered invoice it is, but not on the ledger."""
    case = scene.case
    other = unregistered_hospitals()[0]
    number = _one_off(case.invoice.number, True)
    changes = {"issuer_name": other.name, "number": number}
    _register_invoice(
        scene, scene.registered.model_copy(update={**changes, "issuer_credit_code": other.credit_code})
    )
    return _variant(
        case,
        invoice=case.invoice.model_copy(update=changes),
        diagnosis=case.diagnosis.model_copy(update={"hospital": other.name}),
    ), None


def _total_differs_from_amount_asked(scene: Scene) -> tuple[AidCase, ApplicationForm | None]:
    case = scene.case
    return case, _form(case, pool_id=scene.pool_id, amount_asked_fen=case.amount_asked_fen + 100_00)


REJECTIONS: list[tuple[str, Variant, Profile, str, str]] = [
    ("id check digit wrong", _id_check_digit, Profile.ELIGIBLE, "ID_NUMBER", "ID_CHECK_DIGIT"),
    (
        "invoice name one character off",
        _invoice_name_one_off,
        Profile.ELIGIBLE,
        "SAME_PERSON",
        "NAME_MISMATCH",
    ),
    (
        "invoice one digit off a registered one",
        _invoice_number_one_digit_off,
        Profile.ELIGIBLE,
        "INVOICE",
        "INVOICE_NOT_REGISTERED",
    ),
    ("invoice never issued", _invoice_never_issued, Profile.ELIGIBLE, "INVOICE", "INVOICE_NOT_REGISTERED"),
    (
        "hospital one character away",
        _hospital_one_character_away,
        Profile.ELIGIBLE,
        "HOSPITAL",
        "HOSPITAL_NOT_REGISTERED",
    ),
    (
        "hospital not on the ledger",
        _hospital_not_on_the_ledger,
        Profile.ELIGIBLE,
        "HOSPITAL",
        "HOSPITAL_NOT_ONBOARDED",
    ),
    (
        "total differs from the amount asked",
        _total_differs_from_amount_asked,
        Profile.ELIGIBLE,
        "AMOUNT",
        "AMOUNT_ASKED_DIFFERS",
    ),
    (
        "income above the limit",
        lambda scene: (scene.case, None),
        Profile.INCOME_ABOVE_LIMIT,
        "INCOME",
        "INCOME_ABOVE_LIMIT",
    ),
    (
        "credit below the threshold",
        lambda scene: (scene.case, None),
        Profile.CREDIT_BELOW_THRESHOLD,
        "CREDIT",
        "CREDIT_BELOW_THRESHOLD",
    ),
]


@pytest.mark.parametrize(
    ("variant", "profile", "item", "reason"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_a_rejection_names_its_item_and_reason_and_pays_nothing(
    scene: Scene, variant: Variant, profile: Profile, item: str, reason: str
) -> None:
    case, form = variant(scene)
    _profile(scene, case, profile)
    filed = _file(scene, case, form)
    decided = scene.desk.decide(ACCOUNTS.bank, filed, RULE_A, today=TODAY)
    assessment = decided.assessment
    assert not assessment.approved
    assert item in assessment.failed_items
    assert reason in assessment.reasons, assessment.reasons
    recorded = scene.world.aid.decision_of(filed.application_id)
    assert recorded is not None
    assert reason in recorded.decision.reason_codes
    assert scene.world.aid.application_of(filed.application_id).status == AidStatus.REJECTED
    if item not in ("INCOME", "CREDIT"):  # a forgery is refused under strategy B too
        _, under_b = scene.desk.assess(filed, RULE_B, today=TODAY)
        assert not under_b.approved
    _nothing_paid(scene, filed.application_id)


# ------------------------------------------------------------------ appeal


def test_a_rejected_applicant_appeals_once_and_the_regulators_decision_is_final(scene: Scene) -> None:
    case, aid = scene.case, scene.world.aid
    _profile(scene, case, Profile.INCOME_ABOVE_LIMIT)
    filed = _file(scene, case)
    decided = scene.desk.decide(ACCOUNTS.bank, filed, RULE_A, today=TODAY)
    assert decided.assessment.reasons == ("INCOME_ABOVE_LIMIT",)
    grounds = "收入证明：家庭主要劳动力已失业".encode()
    aid.appeal(APPLICANT, filed.application_id, keccak(grounds))
    assert aid.application_of(filed.application_id).status == AidStatus.UNDER_APPEAL
    aid.decide_appeal(ACCOUNTS.regulator, filed.application_id, True, keccak(text="appeal granted"))
    assert aid.application_of(filed.application_id).status == AidStatus.APPROVED
    # Granted on appeal, the aid is paid like any other: hospital, matched order, sign-off.
    payments = TreatmentPayments(aid, _issuer(scene))
    payments.assign_hospital(ACCOUNTS.bank, filed.application_id, scene.hospital.address)
    _pay_and_sign_off(scene, filed.application_id)
    assert aid.application_of(filed.application_id).status == AidStatus.COMPLETED
    with pytest.raises(ContractReverted) as raised:
        aid.appeal(APPLICANT, filed.application_id, keccak(grounds))
    assert raised.value.error_name == "AidApplicationNotInStatus"
