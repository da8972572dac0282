"""Demo data made through the product's own paths, on a bootstrapped ledger.

:func:`load_demo` onboards institutions (their certificates rendered from the government-registry stand-in,
read by OCR through the application intake, attested by the oracles, audited by a bank), gives donors deposit
tokens, and plays the flows: a plan in each state (launched, audited, open, closed, rejected, wound up with
refunds, wound up with its unspent value moved to another plan), donations of money, points and goods, a
payment order matched and paid (the goods bought with it followed to the beneficiary's sign-off), one that
expired, a transfer to a local government. Deadlines that must pass are passed by moving the chain's clock
(the node's development ``advance_time``), or, on a node that cannot, by waiting for them.

Idempotent: once loaded, the record ``<data_dir>/demo.json`` says so and nothing is redone. ``ocr=False``
takes each institution's key information from its registry record instead of reading its certificates (for
tests and benchmarks: the certificates are still rendered, stored and digested on-chain).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Final

import structlog
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from api.audit.application import ApplicationIntake
from api.audit.institution_audit import InstitutionAuditor
from api.bootstrap.consortium import Bootstrapped
from api.bootstrap.logins import Login, record_logins
from api.core.applications import ApplicationRecord, ApplicationRecords
from api.documents.store import DocumentStore
from api.indexer.directory import DirectoryCategory
from api.intake.key_info import KeyInformation
from api.orders import (
    Expectation,
    OrderIssuer,
    OrderMatcher,
    OrderParticipant,
    OrderRequest,
    open_delivery_store,
)
from chain_client.administration import ensure_allowed, ensure_gas
from chain_client.client import ChainClient
from chain_client.contracts import (
    MONEY,
    AssetKind,
    Checkpoint,
    InKindItem,
    InstitutionKind,
    OrderParty,
    PlanTerms,
    UnspentTerms,
)
from chain_client.errors import ChainClientError
from oracle.publisher import AttestationPublisher, OracleOperator, RecordBook
from oracle.registry.adapters import FileRegistryAdapter
from oracle.registry.certificates import CertificateKind, render_certificate
from oracle.registry.dataset import ensure_registry, read_registry
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord

__all__ = ["DEMO_FILE", "DemoError", "DemoRecord", "chain_time", "load_demo", "pass_deadline", "read_demo"]

log = structlog.get_logger(__name__)

DEMO_FILE: Final = "demo.json"
TOKEN: Final = 10**18
DAY: Final = 86_400
SHORT_DEADLINE: Final = 600
"""Seconds from launch to the deadline of the plans and the order the demo lets expire (the clock is moved)."""
WAITED_DEADLINE: Final = 30
"""The same on a node whose clock cannot be moved (Besu, or the node without development methods): waited for."""

RICE: Final = keccak(text="goods:rice-25kg")
BLANKETS: Final = keccak(text="goods:blanket")
GOODS_NAMES: Final = {RICE: "大米 25kg/袋", BLANKETS: "棉被"}


class DemoError(Exception):
    """The demo could not be loaded (e.g. an institution's audit failed); the message says which step."""


@dataclass(frozen=True)
class _Institution:
    login: str
    org_type: OrgType
    kind: InstitutionKind
    non_profit: bool


_INSTITUTIONS: Final = (
    _Institution("charity-1", OrgType.FOUNDATION, InstitutionKind.CHARITY, True),
    _Institution("charity-2", OrgType.SOCIAL_ORGANIZATION, InstitutionKind.CHARITY, True),
    _Institution("agency", OrgType.GOVERNMENT_AGENCY, InstitutionKind.GOVERNMENT_AGENCY, True),
    _Institution("merchant-1", OrgType.ENTERPRISE, InstitutionKind.SUPPLIER, False),
    _Institution("merchant-2", OrgType.ENTERPRISE, InstitutionKind.SUPPLIER, False),
    _Institution("hospital", OrgType.HOSPITAL, InstitutionKind.HOSPITAL, False),
    _Institution("local-government", OrgType.LOCAL_GOVERNMENT, InstitutionKind.LOCAL_GOVERNMENT, True),
)
_DONORS: Final = (("donor-1", "捐赠人一号"), ("donor-2", "捐赠人二号"), ("donor-3", "捐赠人三号"))
_BENEFICIARY: Final = ("beneficiary-1", "受助人一号")


@dataclass
class DemoRecord:
    """What the demo made: plan ids by state, transaction hashes worth verifying, order ids."""

    chain_id: int
    plans: dict[str, int] = field(default_factory=dict)
    transactions: dict[str, str] = field(default_factory=dict)
    orders: dict[str, str] = field(default_factory=dict)
    lots: dict[str, int] = field(default_factory=dict)


def read_demo(boot: Bootstrapped) -> DemoRecord | None:
    """The record of a demo already loaded on this chain, if any."""
    path = boot.settings.data_dir / DEMO_FILE
    if not path.exists():
        return None
    record = DemoRecord(**json.loads(path.read_text(encoding="utf-8")))
    return record if record.chain_id == boot.client.chain_id else None


def _hex(tx_hash: bytes) -> str:
    return "0x" + tx_hash.hex()


def chain_time(client: ChainClient) -> int:
    block = client.backend.get_block("latest")
    return block.timestamp if block is not None else 0


def clock_moves(client: ChainClient) -> bool:
    """Whether the node moves its clock on request (``advance_time``: development nodes); probes with one second."""
    try:
        client.backend.advance_time(1)
    except (ChainClientError, NotImplementedError):
        return False
    return True


def pass_deadline(client: ChainClient, deadline: int, poker: LocalAccount) -> None:
    """Move the chain's clock past ``deadline``: the node's ``advance_time`` where it has one (development
    nodes: the embedded node, anvil), else wait for it, sending an empty transaction so a block is made."""
    now = chain_time(client)
    if now > deadline:
        return
    try:
        client.backend.advance_time(deadline - now + 1)
    except (ChainClientError, NotImplementedError) as exc:
        log.info("the node cannot move its clock; waiting for the deadline", reason=str(exc))
        while chain_time(client) <= deadline:
            time.sleep(1.0)
            client.send_value(poker, poker.address, 0)


def _certificates(record: RegistryRecord) -> list[bytes]:
    images = []
    for kind in CertificateKind:
        buffer = io.BytesIO()
        render_certificate(record, kind).save(buffer, format="PNG", compress_level=1)
        images.append(buffer.getvalue())
    return images


def _pick_records(records: list[RegistryRecord]) -> dict[str, RegistryRecord]:
    chosen: dict[str, RegistryRecord] = {}
    used: set[str] = set()
    for institution in _INSTITUTIONS:
        record = next(
            (
                candidate
                for candidate in records
                if candidate.org_type is institution.org_type
                and candidate.status is RegistrationStatus.ACTIVE
                and (candidate.non_profit or not institution.non_profit)
                and candidate.credit_code not in used
            ),
            None,
        )
        if record is None:
            raise DemoError(
                f"the registry has no active {institution.org_type.value} left for {institution.login}"
            )
        chosen[institution.login] = record
        used.add(record.credit_code)
    return chosen


class _Demo:
    def __init__(self, boot: Bootstrapped, *, ocr: bool) -> None:
        self.boot = boot
        self.ocr = ocr
        self.client = boot.client
        self.ledger = boot.ledger
        self.wallets = boot.wallets
        self.admin = boot.admin
        self.bank = self.wallets.account("bank-a")
        self.directory = boot.directory
        self.record = DemoRecord(chain_id=boot.client.chain_id)
        self.logins: list[Login] = []
        self.accounts: dict[str, LocalAccount] = {}

    # ------------------------------------------------------------------ accounts

    def account(self, login: str, role: str, name: str) -> LocalAccount:
        """The demo account ``login``: keystore created, gas money, allow-listed by the bank."""
        address = self.wallets.ensure(login)
        ensure_gas(self.client, self.admin, address)
        ensure_allowed(self.ledger.foundation.consortium, self.bank, address)
        self.logins.append(Login(login=login, role=role, name=name, address=address))
        self.accounts[login] = self.wallets.account(login)
        return self.accounts[login]

    # ------------------------------------------------------------------ onboarding

    def onboard_all(self) -> None:
        settings = self.boot.settings
        registry_file = ensure_registry(settings.oracle.registry_file)
        records = _pick_records(read_registry(registry_file))
        source = FileRegistryAdapter(registry_file)
        oracles = [self.wallets.account(f"oracle-{index}") for index in (1, 2, 3)]
        publisher = AttestationPublisher(
            self.ledger.registry,
            [OracleOperator(oracle, source) for oracle in oracles],
            oracles[0],
            book=RecordBook(settings.oracle.record_book),
            ttl_seconds=settings.oracle.ttl_seconds,
        )
        store = DocumentStore(
            settings.documents.directory, bytes.fromhex(settings.documents.key_hex.get_secret_value())
        )
        intake = ApplicationIntake(self.ledger.registry, store)
        # Filed as POST /institutions/applications files them, so that a bank can open each demo
        # institution's certificates and key information side by side.
        self.applications = ApplicationRecords(store, settings.api.database_url)
        auditor = InstitutionAuditor(self.ledger.registry, self.bank)
        for institution in _INSTITUTIONS:
            record = records[institution.login]
            account = self.account(institution.login, institution.kind.name.lower(), record.name)
            self.directory.record(account.address, record.name, kind=institution.kind.name.lower())
            if self.ledger.registry.is_active(account.address):
                continue
            self._onboard(account, institution.kind, record, intake, publisher, auditor)

    def _onboard(
        self,
        account: LocalAccount,
        kind: InstitutionKind,
        record: RegistryRecord,
        intake: ApplicationIntake,
        publisher: AttestationPublisher,
        auditor: InstitutionAuditor,
    ) -> None:
        """The onboarding flow: apply with certificates (read by OCR), oracles attest, the bank audits."""
        documents = _certificates(record)
        key_info = None if self.ocr else KeyInformation(**{f: getattr(record, f) for f in _KEY_FIELDS})
        submitted = intake.submit(account, kind, documents, key_info=key_info)
        self.applications.put(
            ApplicationRecord(
                account=account.address,
                kind=kind,
                key_info=submitted.key_info,
                salt=submitted.salt,
                certificate_digests=submitted.certificate_digests,
                application_digest=submitted.application_digest,
            )
        )
        code = submitted.key_info.credit_code or record.credit_code
        published = publisher.publish(code)
        report = auditor.audit(
            account.address, submitted.key_info, code, published.record, published.attestation_id
        )
        if not report.outcome.passed:
            reasons = ", ".join(reason.value for reason in report.outcome.reasons)
            raise DemoError(f"the bank's audit of {record.name} failed: {reasons}")
        log.info("institution onboarded", name=record.name, kind=kind.name)

    # ------------------------------------------------------------------ plans

    def plan(
        self,
        charity: LocalAccount,
        label: str,
        *,
        ttl: int = 90 * DAY,
        government: bool = False,
        unspent: UnspentTerms = UnspentTerms.REFUND,
        successor: int = 0,
        in_kind: tuple[InKindItem, ...] = (),
        target: int = 10_000 * TOKEN,
    ) -> int:
        pools = self.ledger.welfare.pools
        terms = PlanTerms(
            purpose_digest=keccak(text=f"demo plan: {label}"),
            deadline=chain_time(self.client) + ttl,
            money_target=target,
            in_kind=in_kind,
            needs_government_approval=government,
            government_transfer_allowed=True,
            unspent=unspent,
            successor_pool_id=successor,
        )
        created = pools.launch_plan(charity, terms)
        self.record.plans[label] = created.id
        self.record.transactions[f"launch {label}"] = _hex(created.result.tx_hash)
        return created.id

    def audit(self, pool_id: int, passed: bool = True) -> None:
        self.ledger.welfare.pools.audit_plan(self.bank, pool_id, passed, keccak(text=f"demo audit {pool_id}"))

    def donate(self, donor: LocalAccount, pool_id: int, amount: int, label: str) -> None:
        receipt = self.ledger.welfare.pools.donate_with_permit(donor, pool_id, amount)
        self.record.transactions[label] = _hex(receipt.tx_hash)

    # ------------------------------------------------------------------ the story

    def play(self) -> None:
        a = self.accounts
        pools, tracker = self.ledger.welfare.pools, self.ledger.welfare.tracker
        token = self.ledger.foundation.deposit_token
        government = self.wallets.account("government")
        for goods_type, name in GOODS_NAMES.items():
            self.directory.record("0x" + goods_type.hex(), name, category=DirectoryCategory.GOODS)
        donors = [self.account(login, "donor", name) for login, name in _DONORS]
        beneficiary = self.account(_BENEFICIARY[0], "beneficiary", _BENEFICIARY[1])
        for index, donor in enumerate(donors):
            reference = keccak(text=f"demo deposit {donor.address}")
            if not token.is_mint_reference_used(self.bank.address, reference):
                token.mint(self.bank, donor.address, (5_000 - 1_000 * index) * TOKEN, reference)

        # The open plan, needing the government's approval: audited, approved, given to, spent.
        flood = self.plan(
            a["charity-1"],
            "open",
            government=True,
            in_kind=(InKindItem(RICE, 500), InKindItem(BLANKETS, 200)),
        )
        self.audit(flood)
        pools.decide_plan(government, flood, True, keccak(text="demo approval"))
        self.donate(donors[0], flood, 500 * TOKEN, "donation to the open plan")
        self.donate(donors[1], flood, 300 * TOKEN, "second donation to the open plan")
        self.donate(donors[2], flood, 200 * TOKEN, "third donation to the open plan")
        pledge = pools.pledge_goods(donors[1], flood, BLANKETS, 20, keccak(text="20 quilts, Zhengzhou"))
        self.record.transactions["goods pledge"] = _hex(pledge.result.tx_hash)

        # Points: a merchant issues loyalty points; a donor gives them to a government agency's plan.
        agency_plan = self.plan(a["agency"], "agency")
        self.audit(agency_plan)
        points, _ = self.ledger.welfare.assets.define_asset(
            a["merchant-1"], AssetKind.POINTS, keccak(text="points")
        )
        self.ledger.welfare.assets.issue(
            a["merchant-1"], points, donors[0].address, 1_000, keccak(text="demo points")
        )
        gift = pools.donate_asset(donors[0], agency_plan, points, 400)
        self.record.transactions["points donation"] = _hex(gift.tx_hash)

        # Plans in the other states.
        self.plan(a["charity-2"], "launched")
        awaiting = self.plan(a["charity-2"], "audited", government=True)
        self.audit(awaiting)
        rejected = self.plan(a["charity-2"], "rejected")
        self.audit(rejected, passed=False)
        closed = self.plan(a["charity-1"], "closed")
        self.audit(closed)
        self.donate(donors[2], closed, 50 * TOKEN, "donation to the closed plan")
        pools.close_plan(a["charity-1"], closed)
        # Payment orders: one matched and paid (its goods followed to the beneficiary), one left to expire.
        settings = self.boot.settings
        store = open_delivery_store(settings.orders.delivery_database_url)
        escrow, registry, consortium = (
            self.ledger.escrow,
            self.ledger.registry,
            self.ledger.foundation.consortium,
        )
        issuer = OrderIssuer(escrow, registry, pools, self.bank, store)
        now = chain_time(self.client)
        document = "采购单 DEMO-001: 大米 25kg × 200 袋, 送至新乡市第一避难所".encode()
        paid = issuer.issue(
            OrderRequest(flood, a["merchant-1"].address, 300 * TOKEN, document, deadline=now + 7 * DAY)
        )
        self.record.orders["paid"] = _hex(paid.order.order_id)
        self.record.transactions["order issued"] = _hex(paid.tx_hash)
        lot_id, _ = escrow.open_purchase_lot(a["merchant-1"], paid.order, RICE, 200)
        self.record.lots["purchase"] = lot_id
        waybill = keccak(text="waybill DEMO-001")
        tracker.record_checkpoint(
            a["merchant-1"], lot_id, Checkpoint.SHIPPED, a["charity-1"].address, waybill
        )
        tracker.record_checkpoint(
            a["charity-1"], lot_id, Checkpoint.RECEIVED, None, keccak(text="receipt note")
        )
        for party, login in ((OrderParty.PAYEE, "merchant-1"), (OrderParty.CHARITY, "charity-1")):
            participant = OrderParticipant(a[login], party, escrow, consortium, store)
            received = next(
                item for item in participant.inbox() if item.envelope.order.order_id == paid.order.order_id
            )
            participant.answer(received.envelope, Expectation(pool_id=flood, amount=300 * TOKEN))
        outcomes = OrderMatcher(escrow, store, self.bank).run_once()
        settled = next(o for o in outcomes if o.order_id == paid.order.order_id)
        if not settled.released or settled.tx_hash is None:
            raise DemoError(f"the demo order was not released: {settled.outcome}")
        self.record.transactions["order settled"] = _hex(settled.tx_hash)
        tracker.record_checkpoint(
            a["charity-1"],
            lot_id,
            Checkpoint.HANDED_TO_BENEFICIARY,
            beneficiary.address,
            keccak(text="handover"),
        )
        signed = tracker.record_checkpoint(
            beneficiary, lot_id, Checkpoint.SIGNED_OFF, None, keccak(text="signature")
        )
        self.record.transactions["beneficiary signed off"] = _hex(signed.tx_hash)
        # The pledged quilts arrive at the charity's warehouse and go out; a transfer to the local government.
        received_pledge = pools.receive_pledge(a["charity-1"], pledge.id, 20)
        self.record.transactions["goods received"] = _hex(received_pledge.tx_hash)
        pledge_lot = pools.pledge_of(pledge.id).lot_id
        self.record.lots["pledge"] = pledge_lot
        tracker.record_checkpoint(
            a["charity-1"],
            pledge_lot,
            Checkpoint.HANDED_TO_BENEFICIARY,
            beneficiary.address,
            keccak(text="quilts"),
        )
        transfer = pools.propose_government_transfer(
            a["charity-1"],
            flood,
            a["local-government"].address,
            MONEY,
            100 * TOKEN,
            keccak(text="shelter upkeep"),
        )
        confirmed = pools.confirm_government_transfer(self.bank, transfer.id)
        self.record.transactions["government transfer"] = _hex(confirmed.tx_hash)
        pools.acknowledge_government_transfer(a["local-government"], transfer.id)

        # Last, what must outlive a deadline: two plans and an order with short deadlines, made just before
        # the chain's clock is moved past them (or, on a node whose clock cannot be moved, the time waited).
        short = SHORT_DEADLINE if clock_moves(self.client) else WAITED_DEADLINE
        refunding = self.plan(a["charity-2"], "wound up (refund)", ttl=short)
        self.audit(refunding)
        self.donate(donors[0], refunding, 120 * TOKEN, "donation refunded")
        self.donate(donors[2], refunding, 80 * TOKEN, "second donation refunded")
        moving = self.plan(
            a["charity-1"], "wound up (moved)", ttl=short, unspent=UnspentTerms.MOVE_TO_PLAN, successor=flood
        )
        self.audit(moving)
        self.donate(donors[1], moving, 150 * TOKEN, "donation moved to the open plan")
        deadline = chain_time(self.client) + short
        expiring = issuer.issue(
            OrderRequest(
                flood, a["hospital"].address, 100 * TOKEN, "诊疗费 DEMO-002".encode(), deadline=deadline
            )
        )
        self.record.orders["expired"] = _hex(expiring.order.order_id)
        pass_deadline(self.client, deadline, self.admin)
        expired = escrow.expire(self.bank, expiring.order)
        self.record.transactions["order expired"] = _hex(expired.tx_hash)
        pools.wind_up(a["charity-2"], refunding)
        refund = pools.claim_refund(donors[0], refunding, MONEY, donors[0].address)
        self.record.transactions["refund"] = _hex(refund.tx_hash)
        pools.wind_up(a["charity-1"], moving)
        moved = pools.move_unspent(a["charity-1"], moving, MONEY, flood)
        self.record.transactions["move"] = _hex(moved.tx_hash)


_KEY_FIELDS: Final = ("name", "credit_code", "legal_representative", "account_bank", "account_location")


@contextmanager
def _saving(demo: _Demo) -> Iterator[None]:
    try:
        yield
    finally:
        record_logins(demo.boot.settings.data_dir, demo.wallets.password, demo.logins)


def load_demo(boot: Bootstrapped, *, ocr: bool = True) -> DemoRecord:
    """Load the demo data on bootstrapped ledger ``boot`` (see the module docstring); returns what it made.

    Idempotent: a demo already loaded on this chain is returned as recorded. Raises :class:`DemoError` when a
    step of the story fails (nothing is recorded as loaded then).
    """
    existing = read_demo(boot)
    if existing is not None:
        return existing
    demo = _Demo(boot, ocr=ocr)
    with _saving(demo):
        demo.onboard_all()
        demo.play()
    path = boot.settings.data_dir / DEMO_FILE
    path.write_text(json.dumps(asdict(demo.record), indent=2) + "\n", encoding="utf-8")
    log.info("demo loaded", plans=len(demo.record.plans), transactions=len(demo.record.transactions))
    return demo.record
