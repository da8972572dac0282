"""The aid desk: an applicant files an application, a bank decides it, and the decision is recorded on-chain.

Filing (flow 5, seed module 700): the applicant fills in the form (name, ID number, phone, amount asked, the
plan) and uploads the ID card, the diagnosis certificate and the hospital's invoice. The desk reads every
document (:class:`~api.aid.reading.DocumentReader`), seals the images and the form in the document store
(encrypted at rest, addressed by keccak256), and the applicant's account files the application on-chain with
the salted identity hash and the documents' digests only. A document that cannot be read stops the filing
before anything is stored or sent.

Deciding (seed module 800): the bank gathers the evidence (registry, ledger, invoice registry, investigation
feed) into the canonical inputs, seals them in the store under their digest, applies a registered rule
(:func:`~api.aid.engine.assess`) and records the rule digest, input digest, scores, outcome and reasons
on-chain.
"""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import structlog
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.aid.engine import Assessment, assess
from api.aid.errors import ApplicationInvalid
from api.aid.evidence import ApplicationFacts, EvidenceSources, day_of, gather
from api.aid.inputs import DecisionInputs, StatedApplication, canonical
from api.aid.key_info import DocumentKind, SecondKeyInformation
from api.aid.reading import DocumentReader
from api.aid.rules import AidRule
from api.documents.store import DocumentStore
from chain_client.contracts.aid_decisions import AidDecisions
from oracle.aid.identity_hash import identity_hash

log = structlog.get_logger(__name__)

FORM_SCHEMA = "welfare-aid-ledger/aid-application-form/v1"
FILE_SCHEMA = "welfare-aid-ledger/aid-application-file/v1"

DOCUMENT_ORDER = (DocumentKind.ID_CARD, DocumentKind.INVOICE, DocumentKind.DIAGNOSIS)
"""The order of the documents' digests on-chain, after the form's."""


class ApplicationForm(BaseModel):
    """What the applicant states: who they are, how to reach them, how much they ask, from which plan.

    ``nonce`` is random, so the form's digest (on-chain among the documents') cannot be confirmed by anyone
    guessing the name, ID number and phone.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=15, max_length=18)
    phone: str = Field(pattern=r"^\+?[0-9 -]{6,20}$")
    amount_asked_fen: int = Field(gt=0, le=10**14 - 1)
    pool_id: int = Field(0, ge=0)
    nonce: str = Field(default_factory=lambda: secrets.token_hex(16), pattern=r"^[0-9a-f]{32}$")

    def canonical_json(self) -> bytes:
        return canonical({**self.model_dump(mode="json"), "schema": FORM_SCHEMA})

    def stated(self) -> StatedApplication:
        return StatedApplication(
            name=self.name, id_number=self.id_number.upper(), amount_asked_fen=self.amount_asked_fen
        )


class FiledApplication(BaseModel):
    """An application as filed: its on-chain id and transaction, and what the desk keeps off-chain about it."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_: str = Field(FILE_SCHEMA, alias="schema")
    application_id: int
    applicant: str
    tx_hash: str
    form: ApplicationForm
    form_digest: str
    document_digests: dict[DocumentKind, str]
    identity_hash: str
    readings: SecondKeyInformation

    def facts(self) -> ApplicationFacts:
        digests = [self.form_digest, *(self.document_digests[kind] for kind in DOCUMENT_ORDER)]
        return ApplicationFacts(
            application_id=self.application_id,
            identity_hash=bytes.fromhex(self.identity_hash[2:]),
            document_digests=tuple(bytes.fromhex(digest[2:]) for digest in digests),
            pool_id=self.form.pool_id,
            stated=self.form.stated(),
        )

    def canonical_json(self) -> bytes:
        return canonical(self.model_dump(mode="json", by_alias=True))


@dataclass(frozen=True)
class RecordedDecision:
    """A decision the bank made and recorded."""

    application_id: int
    inputs: DecisionInputs
    assessment: Assessment
    tx_hash: bytes
    inputs_digest: bytes
    """The inputs' digest: their address in the document store and the on-chain ``inputDigest``."""


class AidDesk:
    """Files applications and records decisions, through the aid contract and the document store."""

    def __init__(
        self,
        aid: AidDecisions,
        sources: EvidenceSources,
        store: DocumentStore,
        reader: DocumentReader,
        identity_salt: bytes,
    ) -> None:
        self.aid = aid
        self.sources = sources
        self.store = store
        self.reader = reader
        self._salt = identity_salt

    # ------------------------------------------------------------------ filing

    def file_application(
        self, applicant: LocalAccount, form: ApplicationForm, images: Mapping[DocumentKind, bytes]
    ) -> FiledApplication:
        """Read, seal and file an application; returns it as filed (and sealed in the store).

        Raises :class:`ApplicationInvalid` when a document is missing or empty and
        :class:`~api.aid.errors.DocumentUnreadable` when one cannot be read: then nothing was stored or sent.
        ``ContractReverted`` (e.g. ``AidApplicationOpen``) comes from the chain's simulation, before the
        transaction is sent; the documents are sealed in the store by then (harmless: encrypted, addressed by
        content, referenced by nothing).
        """
        problems = [
            f"the {kind.value} document is missing" for kind in DOCUMENT_ORDER if not images.get(kind)
        ]
        if problems:
            raise ApplicationInvalid(problems)
        readings = {kind: self.reader.read(kind, images[kind]) for kind in DOCUMENT_ORDER}
        key_info = SecondKeyInformation(
            id_card=readings[DocumentKind.ID_CARD],
            invoice=readings[DocumentKind.INVOICE],
            diagnosis=readings[DocumentKind.DIAGNOSIS],
        )
        identity = identity_hash(self._salt, form.id_number)
        form_bytes = form.canonical_json()
        digests = [self.store.put(form_bytes), *(self.store.put(images[kind]) for kind in DOCUMENT_ORDER)]
        application_id, result = self.aid.submit_application(applicant, form.pool_id, identity, digests)
        filed = FiledApplication(
            application_id=application_id,
            applicant=applicant.address,
            tx_hash="0x" + result.tx_hash.hex(),
            form=form,
            form_digest="0x" + digests[0].hex(),
            document_digests={
                kind: "0x" + digest.hex() for kind, digest in zip(DOCUMENT_ORDER, digests[1:], strict=True)
            },
            identity_hash="0x" + identity.hex(),
            readings=key_info,
        )
        self.store.put(filed.canonical_json())
        log.info("aid_application_filed", application_id=application_id, pool_id=form.pool_id)
        return filed

    def load_file(self, digest: bytes) -> FiledApplication:
        """A filed application from the store (by the digest :meth:`file_digest` gives)."""
        try:
            return FiledApplication.model_validate(json.loads(self.store.get(digest)))
        except (json.JSONDecodeError, ValidationError) as error:
            raise ApplicationInvalid(
                [f"document 0x{digest.hex()} is not a filed application: {error}"]
            ) from None

    @staticmethod
    def file_digest(filed: FiledApplication) -> bytes:
        """The digest a filed application is kept under in the document store."""
        return keccak(filed.canonical_json())

    # ------------------------------------------------------------------ rules and decisions

    def register_rule(self, bank: LocalAccount, rule: AidRule) -> bytes:
        """Register ``rule`` on-chain (its digest and terms) unless it already is; returns its digest."""
        digest = rule.digest()
        if self.aid.rule_of(digest) is None:
            self.aid.register_rule(bank, digest, rule.terms())
            log.info("aid_rule_registered", rule=rule.label, digest="0x" + digest.hex())
        return digest

    def today(self) -> tuple[datetime.date, int]:
        """The chain's day (China Standard Time of the latest block) and that block's number."""
        block = self.aid.client.backend.get_block("latest")
        if block is None:  # pragma: no cover - a chain always has a latest block
            raise RuntimeError("the chain has no latest block")
        return day_of(block.timestamp), block.number

    def gather(self, filed: FiledApplication, *, today: datetime.date | None = None) -> DecisionInputs:
        """The canonical inputs of a decision on ``filed`` now (or on ``today``), the ledger read at one block."""
        chain_day, block = self.today()
        return gather(filed.facts(), filed.readings, self.sources, today=today or chain_day, block=block)

    def assess(
        self, filed: FiledApplication, rule: AidRule, *, today: datetime.date | None = None
    ) -> tuple[DecisionInputs, Assessment]:
        """What ``rule`` decides on ``filed`` (nothing is recorded)."""
        inputs = self.gather(filed, today=today)
        return inputs, assess(inputs, rule)

    def decide(
        self,
        bank: LocalAccount,
        filed: FiledApplication,
        rule: AidRule,
        *,
        today: datetime.date | None = None,
    ) -> RecordedDecision:
        """Assess ``filed`` under ``rule`` (registered), seal the inputs, record the decision on-chain."""
        inputs, assessment = self.assess(filed, rule, today=today)
        inputs_digest = self.store.put(inputs.canonical_json())
        result = self.aid.decide(bank, filed.application_id, assessment.decision())
        log.info(
            "aid_decided",
            application_id=filed.application_id,
            rule=rule.label,
            approved=assessment.approved,
            reasons=list(assessment.reasons),
        )
        return RecordedDecision(filed.application_id, inputs, assessment, result.tx_hash, inputs_digest)
