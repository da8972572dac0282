"""Gather a decision's evidence: the registry's and the ledger's answers about the hospital, the invoice
registry's record, and the bank's investigation record, all put into the canonical inputs.

Every source sits behind an adapter interface (:class:`~oracle.aid.hospitals.HospitalLookup`,
:class:`~oracle.aid.invoices.InvoiceRegistryAdapter`, :class:`~oracle.aid.investigation.InvestigationSource`)
and the ledger is read through chain_client at one block, so that the answers agree with each other. A source
that cannot be asked raises (the decision waits); a source that has no record answers ``None``, which the
checks then name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from api.aid.inputs import DecisionInputs, HospitalEvidence, StatedApplication
from api.aid.key_info import InvoiceField, SecondKeyInformation
from chain_client.contracts.institution_registry import InstitutionKind, InstitutionRegistry, credit_code_hash
from oracle.aid.hospitals import HospitalLookup
from oracle.aid.investigation import InvestigationSource
from oracle.aid.invoices import InvoiceRegistryAdapter

CHINA_STANDARD_TIME = datetime.timezone(datetime.timedelta(hours=8), "CST")
"""Dates on Chinese documents are local dates: a decision's day is taken in UTC+8."""


def day_of(timestamp: int) -> datetime.date:
    """The date (China Standard Time) of a unix timestamp, e.g. a block's."""
    return datetime.datetime.fromtimestamp(timestamp, CHINA_STANDARD_TIME).date()


@dataclass(frozen=True)
class EvidenceSources:
    """Where a decision's evidence comes from."""

    hospitals: HospitalLookup
    invoices: InvoiceRegistryAdapter
    investigation: InvestigationSource
    registry: InstitutionRegistry
    """The ledger's institution registry (hospitals' accounts, kinds and standing)."""


@dataclass(frozen=True)
class ApplicationFacts:
    """The application as filed on-chain, with what the applicant stated on the form."""

    application_id: int
    identity_hash: bytes
    document_digests: tuple[bytes, ...]
    pool_id: int
    stated: StatedApplication


def hospital_evidence(name: str, sources: EvidenceSources, block: int) -> HospitalEvidence:
    """What the government registry (exact name) and the ledger (at ``block``) say about hospital ``name``."""
    record = sources.hospitals.find_by_name(name)
    if record is None:
        return HospitalEvidence(name=name, record=None, account=None, kind=None, active=False)
    account = sources.registry.holder_of(credit_code_hash(record.credit_code), block=block)
    if account is None:
        return HospitalEvidence(name=name, record=record, account=None, kind=None, active=False)
    kind = sources.registry.kind_of(account, block=block)
    return HospitalEvidence(
        name=name,
        record=record,
        account=account,
        kind=_kind_name(kind),
        active=sources.registry.is_active(account, block=block),
    )


def _kind_name(kind: InstitutionKind) -> str:
    """``Hospital``, ``Charity``, ...: the kind as ``IInstitutionRegistry.sol`` spells it."""
    return "".join(part.capitalize() for part in kind.name.split("_"))


def gather(
    facts: ApplicationFacts,
    documents: SecondKeyInformation,
    sources: EvidenceSources,
    *,
    today: datetime.date,
    block: int,
) -> DecisionInputs:
    """The canonical inputs of a decision on ``facts`` made on ``today``, with the ledger read at ``block``."""
    invoice = documents.invoice
    hospital_name = invoice.value(InvoiceField.HOSPITAL) or ""
    code, number = invoice.value(InvoiceField.CODE), invoice.value(InvoiceField.NUMBER)
    registered = sources.invoices.fetch(code, number) if code and number else None
    return DecisionInputs(
        application_id=facts.application_id,
        identity_hash="0x" + facts.identity_hash.hex(),
        document_digests=tuple("0x" + digest.hex() for digest in facts.document_digests),
        pool_id=facts.pool_id,
        stated=facts.stated,
        today=today,
        documents=documents,
        hospital=hospital_evidence(hospital_name, sources, block),
        invoice_registry=registered,
        investigation=sources.investigation.fetch(facts.identity_hash),
    )
