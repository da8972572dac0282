"""The delivery store: sealed first orders by digest and recipient, and the parties' signed copies.

Two small tables (SQLAlchemy 2, SQLite by default):

- ``order_deliveries``: one row per (order digest, recipient) holding the ECIES ciphertext only the recipient
  can open;
- ``signed_copies``: one row per (order, party) holding the party's copy and its EIP-712 signature, plus what
  the matcher last got from the chain for it (its work queue: nothing here is a balance or an order status,
  the escrow contract decides those).

A party that signs again (after a mismatch, say) replaces its copy, which puts the pair back in the queue.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from sqlalchemy import (
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, aliased, mapped_column
from sqlalchemy.pool import StaticPool

from api.orders.errors import DeliveryNotFound
from chain_client.contracts.payment_order_escrow import OrderParty, PaymentOrder


class _Base(DeclarativeBase):
    pass


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class _DeliveryRow(_Base):
    __tablename__ = "order_deliveries"
    __table_args__ = (UniqueConstraint("digest", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(String(66), index=True)
    digest: Mapped[str] = mapped_column(String(66))
    recipient: Mapped[str] = mapped_column(String(42), index=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    delivered_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class _SignedCopyRow(_Base):
    __tablename__ = "signed_copies"
    __table_args__ = (UniqueConstraint("order_id", "party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(String(66), index=True)
    party: Mapped[int] = mapped_column(Integer)
    copy_json: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    outcome: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    tx_hash: Mapped[str | None] = mapped_column(String(66), default=None)


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


@dataclass(frozen=True)
class Delivery:
    """A sealed first order addressed to ``recipient``."""

    id: int
    order_id: bytes
    digest: bytes
    recipient: ChecksumAddress
    ciphertext: bytes


@dataclass(frozen=True)
class SignedCopy:
    party: OrderParty
    copy: PaymentOrder
    signature: bytes


@dataclass(frozen=True)
class ReadyPair:
    """Both parties' signed copies of one order, not yet settled."""

    order_id: bytes
    payee: SignedCopy
    charity: SignedCopy


def open_delivery_store(url_or_path: str | Path | None = None) -> DeliveryStore:
    """The store at a SQLAlchemy URL or a SQLite file path (in memory when None), tables created."""
    if url_or_path is None:
        # One shared connection, so that every thread (the matcher's loop too) sees the same database.
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if isinstance(url_or_path, Path):
            url_or_path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{url_or_path}" if isinstance(url_or_path, Path) else url_or_path
        engine = create_engine(url)
    _Base.metadata.create_all(engine)
    return DeliveryStore(engine)


class DeliveryStore:
    """Ciphertexts by digest and recipient; signed copies by order and party. Safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # One lock per store: an in-memory database is a single shared connection, which SQLite does not let
        # two threads use at once; for a file it only serialises this process's writers, which SQLite would
        # do anyway.
        self._lock = threading.RLock()

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        with self._lock, Session(self.engine) as session:
            if write:
                with session.begin():
                    yield session
            else:
                yield session

    # ------------------------------------------------------------------ sealed first orders

    def deliver(self, order_id: bytes, digest: bytes, recipient: str, ciphertext: bytes) -> int:
        return self.deliver_many([(order_id, digest, recipient, ciphertext)])[0]

    def deliver_many(self, deliveries: Sequence[tuple[bytes, bytes, str, bytes]]) -> list[int]:
        """Store several deliveries in one transaction; returns their ids."""
        rows = [
            _DeliveryRow(
                order_id=_hex(order_id),
                digest=_hex(digest),
                recipient=to_checksum_address(recipient),
                ciphertext=ciphertext,
            )
            for order_id, digest, recipient, ciphertext in deliveries
        ]
        with self._session(write=True) as session:
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def inbox(self, recipient: str, *, after_id: int = 0, limit: int = 1_000) -> list[Delivery]:
        """Deliveries to ``recipient`` with an id above ``after_id``, oldest first."""
        query = (
            select(_DeliveryRow)
            .where(_DeliveryRow.recipient == to_checksum_address(recipient), _DeliveryRow.id > after_id)
            .order_by(_DeliveryRow.id)
            .limit(limit)
        )
        with self._session() as session:
            return [_delivery(row) for row in session.scalars(query)]

    def fetch(self, digest: bytes, recipient: str) -> Delivery:
        query = select(_DeliveryRow).where(
            _DeliveryRow.digest == _hex(digest), _DeliveryRow.recipient == to_checksum_address(recipient)
        )
        with self._session() as session:
            row = session.scalars(query).one_or_none()
            if row is None:
                raise DeliveryNotFound(digest, recipient)
            return _delivery(row)

    def fetch_order(self, order_id: bytes, recipient: str) -> Delivery | None:
        """The delivery of order ``order_id`` to ``recipient``, if there is one (the latest)."""
        query = (
            select(_DeliveryRow)
            .where(
                _DeliveryRow.order_id == _hex(order_id),
                _DeliveryRow.recipient == to_checksum_address(recipient),
            )
            .order_by(_DeliveryRow.id.desc())
            .limit(1)
        )
        with self._session() as session:
            row = session.scalars(query).one_or_none()
            return None if row is None else _delivery(row)

    # ------------------------------------------------------------------ signed copies

    def put_signed_copy(
        self, order_id: bytes, party: OrderParty, copy: PaymentOrder, signature: bytes
    ) -> None:
        """Store (or replace) ``party``'s signed copy of ``order_id``; the pair is queued for matching again."""
        key = _hex(order_id)
        with self._session(write=True) as session:
            row = session.scalars(
                select(_SignedCopyRow).where(
                    _SignedCopyRow.order_id == key, _SignedCopyRow.party == int(party)
                )
            ).one_or_none()
            if row is None:
                row = _SignedCopyRow(order_id=key, party=int(party))
                session.add(row)
            row.copy_json = json.dumps(copy.message(), sort_keys=True)
            row.signature = signature
            row.signed_at = _now()
            row.outcome = None
            row.tx_hash = None
            session.execute(
                update(_SignedCopyRow)
                .where(_SignedCopyRow.order_id == key)
                .values(outcome=None, tx_hash=None)
            )

    def signed_copies(self, order_id: bytes) -> dict[OrderParty, SignedCopy]:
        query = select(_SignedCopyRow).where(_SignedCopyRow.order_id == _hex(order_id))
        with self._session() as session:
            return {OrderParty(row.party): _signed(row) for row in session.scalars(query)}

    def ready_pairs(self, limit: int = 200) -> list[ReadyPair]:
        """Orders with both signed copies in and no settlement outcome yet, oldest signature first."""
        payee, charity = aliased(_SignedCopyRow), aliased(_SignedCopyRow)
        query = (
            select(payee, charity)
            .join(charity, charity.order_id == payee.order_id)
            .where(
                payee.party == int(OrderParty.PAYEE),
                charity.party == int(OrderParty.CHARITY),
                payee.outcome.is_(None),
                charity.outcome.is_(None),
            )
            .order_by(payee.id)
            .limit(limit)
        )
        with self._session() as session:
            return [
                ReadyPair(bytes.fromhex(p.order_id[2:]), _signed(p), _signed(c))
                for p, c in session.execute(query)
            ]

    def record_outcome(self, order_id: bytes, outcome: str, tx_hash: bytes | None) -> None:
        """What the chain said when the pair of ``order_id`` was submitted (takes it out of the queue)."""
        with self._session(write=True) as session:
            session.execute(
                update(_SignedCopyRow)
                .where(_SignedCopyRow.order_id == _hex(order_id))
                .values(outcome=outcome, tx_hash=None if tx_hash is None else _hex(tx_hash))
            )

    def outcome_of(self, order_id: bytes) -> str | None:
        query = select(_SignedCopyRow.outcome).where(_SignedCopyRow.order_id == _hex(order_id)).limit(1)
        with self._session() as session:
            return session.scalars(query).first()


def _delivery(row: _DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        order_id=bytes.fromhex(row.order_id[2:]),
        digest=bytes.fromhex(row.digest[2:]),
        recipient=to_checksum_address(row.recipient),
        ciphertext=row.ciphertext,
    )


def _signed(row: _SignedCopyRow) -> SignedCopy:
    return SignedCopy(
        OrderParty(row.party), PaymentOrder.from_message(json.loads(row.copy_json)), row.signature
    )
