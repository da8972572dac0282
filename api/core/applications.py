"""What the platform keeps of each institution application off-chain: its OCR result and salt, sealed.

The chain holds only the certificate digests and the salted hash of the first key information; the bank
auditing the application needs the information itself and the salt (to prove it is what was hashed). The
record goes into the encrypted :class:`~api.documents.store.DocumentStore` as a JSON document, and one
small table (SQLAlchemy, SQLite by default) says which sealed document belongs to which applicant.
"""

from __future__ import annotations

import datetime
import json
import threading
from dataclasses import dataclass

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from sqlalchemy import DateTime, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from api.documents.store import DocumentStore
from api.intake.key_info import KeyInformation
from chain_client.contracts import InstitutionKind


class _Base(DeclarativeBase):
    pass


class _ApplicationRow(_Base):
    __tablename__ = "institution_applications"

    account: Mapped[str] = mapped_column(String(42), primary_key=True)
    application_digest: Mapped[str] = mapped_column(String(66))
    record_digest: Mapped[str] = mapped_column(String(66))
    applied_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ApplicationRecord:
    """An application as the platform filed it."""

    account: ChecksumAddress
    kind: InstitutionKind
    key_info: KeyInformation
    salt: bytes
    certificate_digests: tuple[bytes, ...]
    application_digest: bytes

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "account": self.account,
                "kind": self.kind.name,
                "key_info": self.key_info.model_dump(mode="json", exclude={"found", "missing"}),
                "salt": self.salt.hex(),
                "certificate_digests": [digest.hex() for digest in self.certificate_digests],
                "application_digest": self.application_digest.hex(),
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> ApplicationRecord:
        data = json.loads(raw)
        return cls(
            account=to_checksum_address(data["account"]),
            kind=InstitutionKind[data["kind"]],
            key_info=KeyInformation.model_validate(data["key_info"]),
            salt=bytes.fromhex(data["salt"]),
            certificate_digests=tuple(bytes.fromhex(d) for d in data["certificate_digests"]),
            application_digest=bytes.fromhex(data["application_digest"]),
        )


class ApplicationRecords:
    """Sealed application records by applicant (the latest application of each account)."""

    def __init__(self, documents: DocumentStore, database_url: str | None = None) -> None:
        self.documents = documents
        if database_url is None:
            engine = create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            engine = create_engine(database_url)
        _Base.metadata.create_all(engine)
        self._engine = engine
        self._lock = threading.Lock()

    def put(self, record: ApplicationRecord) -> None:
        digest = self.documents.put(record.to_json())
        with self._lock, Session(self._engine) as session, session.begin():
            row = session.get(_ApplicationRow, record.account)
            if row is None:
                row = _ApplicationRow(account=record.account)
                session.add(row)
            row.application_digest = "0x" + record.application_digest.hex()
            row.record_digest = "0x" + digest.hex()
            row.applied_at = datetime.datetime.now(datetime.UTC)

    def get(self, account: str) -> ApplicationRecord | None:
        with self._lock, Session(self._engine) as session:
            row = session.scalars(
                select(_ApplicationRow).where(_ApplicationRow.account == to_checksum_address(account))
            ).one_or_none()
            if row is None:
                return None
            digest = bytes.fromhex(row.record_digest[2:])
        return ApplicationRecord.from_json(self.documents.get(digest))
