"""The bank-system feed of cooperating enterprises [1000]: a customer dataset, mined for third parties.

A bank knows its corporate customers: industry, credit rating, how their accounts stand. This module
generates a deterministic stand-in for that system in SQLite (from the same synthetic government
registry, so the enterprises are real registry institutions), mines it for hospitals, suppliers and
logistics firms in good standing (:func:`mine_candidates`, rule :data:`MINING_RULE_VERSION`), and has the
bank attest each candidate's credit grade on-chain (:func:`propose_candidates`). A candidate becomes a
third party only after it applies and passes the same audit as any institution.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import structlog
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from sqlalchemy import Date, Integer, String, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from chain_client.contracts.institution_registry import InstitutionRegistry, credit_code_hash
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord

log = structlog.get_logger(__name__)

DEFAULT_SEED = 1000
MINING_RULE_VERSION = 1
GOOD_RATINGS = ("AAA", "AA", "A")
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "C")


class Industry(StrEnum):
    HOSPITAL = "hospital"
    SUPPLIER = "supplier"
    LOGISTICS = "logistics"
    PUBLIC = "public"
    """Charities, agencies and governments that bank here: customers, never third-party candidates."""


class Standing(StrEnum):
    GOOD = "good"
    OVERDUE = "overdue"
    FROZEN = "frozen"
    CLOSED = "closed"


THIRD_PARTY_INDUSTRIES = (Industry.HOSPITAL, Industry.SUPPLIER, Industry.LOGISTICS)

_INDUSTRY_OF: dict[OrgType, Industry] = {
    OrgType.HOSPITAL: Industry.HOSPITAL,
    OrgType.ENTERPRISE: Industry.SUPPLIER,
    OrgType.LOGISTICS: Industry.LOGISTICS,
}


class Base(DeclarativeBase):
    pass


class Customer(Base):
    """A corporate customer of the bank."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(20), index=True)
    credit_rating: Mapped[str] = mapped_column(String(4))
    account_standing: Mapped[str] = mapped_column(String(10))
    overdue_days: Mapped[int] = mapped_column(Integer, default=0)
    customer_since: Mapped[datetime.date] = mapped_column(Date)

    def rating_record(self) -> dict[str, object]:
        """What the bank's grade rests on, as plain JSON (its digest is the on-chain evidence)."""
        return {
            "credit_code": self.credit_code,
            "credit_rating": self.credit_rating,
            "account_standing": self.account_standing,
            "overdue_days": self.overdue_days,
            "customer_since": self.customer_since.isoformat(),
            "rule": MINING_RULE_VERSION,
        }


def _standing(rng: random.Random) -> tuple[Standing, int]:
    draw = rng.random()
    if draw < 0.70:
        return Standing.GOOD, 0
    if draw < 0.85:
        return Standing.OVERDUE, rng.randint(15, 180)
    if draw < 0.95:
        return Standing.FROZEN, 0
    return Standing.CLOSED, 0


def generate_customers(records: Sequence[RegistryRecord], seed: int = DEFAULT_SEED) -> list[Customer]:
    """The bank's customers: about 80% of the registry's institutions, deterministic in ``seed``."""
    rng = random.Random(seed)
    customers: list[Customer] = []
    for record in records:
        if rng.random() >= 0.8:
            continue
        standing, overdue = _standing(rng)
        industry = _INDUSTRY_OF.get(record.org_type, Industry.PUBLIC)
        customers.append(
            Customer(
                credit_code=record.credit_code,
                name=record.name,
                industry=industry.value,
                credit_rating=rng.choices(RATINGS, weights=(15, 25, 25, 15, 10, 6, 4))[0],
                account_standing=standing.value,
                overdue_days=overdue,
                customer_since=datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(24 * 365)),
            )
        )
    return customers


def open_bank_db(path: Path | None) -> Engine:
    """The bank database at ``path`` (in memory when None), with its tables created."""
    url = "sqlite://" if path is None else f"sqlite:///{path}"
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return engine


def load_customers(engine: Engine, customers: Sequence[Customer]) -> int:
    """Replace the customer table's contents with ``customers``."""
    with Session(engine) as session, session.begin():
        session.query(Customer).delete()
        session.add_all(customers)
    return len(customers)


@dataclass(frozen=True)
class Candidate:
    """A third-party candidate mined from the bank's customers."""

    credit_code: str
    name: str
    industry: Industry
    credit_rating: str
    evidence_digest: bytes


def mine_candidates(
    engine: Engine, registry_records: Sequence[RegistryRecord] | None = None
) -> list[Candidate]:
    """Customers in a third-party industry, rated A or better, in good standing with nothing overdue.

    With ``registry_records``, those whose registration is not active are left out too.
    """
    active = (
        None
        if registry_records is None
        else {record.credit_code for record in registry_records if record.status is RegistrationStatus.ACTIVE}
    )
    query = (
        select(Customer)
        .where(Customer.industry.in_([industry.value for industry in THIRD_PARTY_INDUSTRIES]))
        .where(Customer.credit_rating.in_(GOOD_RATINGS))
        .where(Customer.account_standing == Standing.GOOD.value)
        .where(Customer.overdue_days == 0)
        .order_by(Customer.credit_code)
    )
    with Session(engine) as session:
        rows = session.scalars(query).all()
        return [
            Candidate(
                credit_code=row.credit_code,
                name=row.name,
                industry=Industry(row.industry),
                credit_rating=row.credit_rating,
                evidence_digest=keccak(json.dumps(row.rating_record(), sort_keys=True).encode()),
            )
            for row in rows
            if active is None or row.credit_code in active
        ]


def propose_candidates(
    registry: InstitutionRegistry, bank: LocalAccount, candidates: Sequence[Candidate]
) -> list[bytes]:
    """The bank attests each candidate's credit grade on-chain; returns the transaction hashes."""
    hashes = []
    for candidate in candidates:
        result = registry.attest_credit_grade(
            bank, credit_code_hash(candidate.credit_code), candidate.credit_rating, candidate.evidence_digest
        )
        hashes.append(result.tx_hash)
    log.info("candidates_proposed", bank=bank.address, count=len(hashes))
    return hashes
