"""The bank's investigation feed for aid applicants: background, credit standing and income.

A member bank knows its personal customers: how they earn their living, how large their household is, what
the household earns, their credit score and overdue accounts, and whether they were ever found to have
obtained aid by fraud. Individual aid asks it about an applicant by the salted identity hash
(:mod:`oracle.aid.identity_hash`) only, so neither side hands the other an ID number. This module keeps a
generated stand-in of that system in SQLite (SQLAlchemy, like :mod:`oracle.bank_feed`) behind the
:class:`InvestigationSource` protocol a real bank connector implements.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

import structlog
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Boolean, Date, Integer, String, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from oracle.aid.errors import SourceUnavailable

log = structlog.get_logger(__name__)

RECORD_SCHEMA = "welfare-aid-ledger/investigation/v1"
CREDIT_SCORE_RANGE = (300, 850)


class Employment(StrEnum):
    """How the applicant earns a living, as the bank's records say."""

    UNEMPLOYED = "unemployed"
    INFORMAL = "informal"
    """Casual or seasonal work, no contract."""
    EMPLOYED = "employed"
    RETIRED = "retired"


class InvestigationRecord(BaseModel):
    """What the bank reports about one applicant (joined by the salted identity hash)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    identity_hash: str = Field(pattern=r"^0x[0-9a-f]{64}$")
    employment: Employment
    household_size: int = Field(ge=1, le=20)
    annual_household_income_yuan: int = Field(ge=0)
    credit_score: int = Field(ge=CREDIT_SCORE_RANGE[0], le=CREDIT_SCORE_RANGE[1])
    overdue_accounts: int = Field(ge=0)
    aid_fraud_record: bool
    """Whether the applicant was ever found to have obtained aid by fraud."""
    observed_on: datetime.date

    @property
    def income_per_capita_yuan(self) -> int:
        """Annual household income per household member, in whole yuan (rounded down)."""
        return self.annual_household_income_yuan // self.household_size

    def canonical_json(self) -> bytes:
        fields = self.model_dump(mode="json")
        fields["schema"] = RECORD_SCHEMA
        return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@runtime_checkable
class InvestigationSource(Protocol):
    """The bank system's answer about an applicant, by salted identity hash."""

    def fetch(self, identity_hash: bytes) -> InvestigationRecord | None:
        """The bank's record of the person with ``identity_hash``, or ``None`` if the bank does not know them.

        Raises :class:`SourceUnavailable` when the bank system cannot be asked.
        """
        ...


class _Base(DeclarativeBase):
    pass


class _Profile(_Base):
    __tablename__ = "applicant_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_hash: Mapped[str] = mapped_column(String(66), unique=True, index=True)
    employment: Mapped[str] = mapped_column(String(16))
    household_size: Mapped[int] = mapped_column(Integer)
    annual_household_income_yuan: Mapped[int] = mapped_column(Integer)
    credit_score: Mapped[int] = mapped_column(Integer)
    overdue_accounts: Mapped[int] = mapped_column(Integer)
    aid_fraud_record: Mapped[bool] = mapped_column(Boolean)
    observed_on: Mapped[datetime.date] = mapped_column(Date)

    def record(self) -> InvestigationRecord:
        return InvestigationRecord(
            identity_hash=self.identity_hash,
            employment=Employment(self.employment),
            household_size=self.household_size,
            annual_household_income_yuan=self.annual_household_income_yuan,
            credit_score=self.credit_score,
            overdue_accounts=self.overdue_accounts,
            aid_fraud_record=self.aid_fraud_record,
            observed_on=self.observed_on,
        )


def open_investigation_db(path: Path | None) -> Engine:
    """The investigation database at ``path`` (in memory when None), with its table created."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine("sqlite://" if path is None else f"sqlite:///{path}")
    _Base.metadata.create_all(engine)
    return engine


def load_profiles(engine: Engine, records: Sequence[InvestigationRecord]) -> int:
    """Replace the feed's contents with ``records``."""
    with Session(engine) as session, session.begin():
        session.query(_Profile).delete()
        session.add_all(_Profile(**record.model_dump()) for record in records)
    log.info("investigation_profiles_loaded", count=len(records))
    return len(records)


class SqliteInvestigationFeed:
    """The generated bank system in SQLite."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def fetch(self, identity_hash: bytes) -> InvestigationRecord | None:
        key = "0x" + identity_hash.hex()
        try:
            with Session(self._engine) as session:
                row = session.scalars(select(_Profile).where(_Profile.identity_hash == key)).one_or_none()
                return None if row is None else row.record()
        except SQLAlchemyError as error:
            raise SourceUnavailable("investigation feed", f"{type(error).__name__}: {error}") from error
