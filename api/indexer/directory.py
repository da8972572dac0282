"""The platform's off-chain directory: public names of institutions and goods types, never of persons.

The chain holds only addresses and digests. The platform knows the names of the institutions it onboards
(they are on the certificates an institution files, and institution names are public) and of the consortium's
members; it records them here so that read-model answers and verification name the payee ("paid to 某某医院")
and not only its address. Persons (donors, aid applicants, beneficiaries) are never recorded.
"""

from __future__ import annotations

from enum import StrEnum

from eth_utils import is_address, to_checksum_address
from sqlalchemy import Engine, delete, insert, select

from api.indexer.database import read_transaction, write_transaction
from api.indexer.errors import IndexerError
from api.indexer.schema import directory

__all__ = ["Directory", "DirectoryCategory", "InvalidDirectoryEntry"]

_MAX_NAME = 200


class DirectoryCategory(StrEnum):
    INSTITUTION = "institution"
    """An account of an institution or consortium member, named as registered."""
    GOODS = "goods"
    """A goods type (bytes32, 0x-hex) of a plan's in-kind list, e.g. 大米 25kg."""


class InvalidDirectoryEntry(IndexerError, ValueError):
    """A directory entry with a malformed subject or name; nothing was recorded."""


def _subject(subject: str, category: DirectoryCategory) -> str:
    if category is DirectoryCategory.INSTITUTION:
        if not is_address(subject):
            raise InvalidDirectoryEntry(f"{subject!r} is not an account address")
        return to_checksum_address(subject)
    text = subject.lower()
    if len(text) != 66 or not text.startswith("0x") or any(c not in "0123456789abcdef" for c in text[2:]):
        raise InvalidDirectoryEntry(f"{subject!r} is not a bytes32 goods type (0x and 64 hex digits)")
    return text


class Directory:
    """Names the platform knows off-chain, kept beside the read model (never rolled back by a reorganisation)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        subject: str,
        name: str,
        *,
        category: DirectoryCategory = DirectoryCategory.INSTITUTION,
        kind: str | None = None,
    ) -> None:
        """Name ``subject`` (an account address, or a goods type); replaces an earlier name.

        ``kind`` says what the account is (charity, supplier, hospital, bank, regulator, government...).
        Raises :class:`InvalidDirectoryEntry` for a malformed address or goods type or an empty name.
        """
        key = _subject(subject, category)
        name = name.strip()
        if not name or len(name) > _MAX_NAME:
            raise InvalidDirectoryEntry(f"a name must have 1 to {_MAX_NAME} characters")
        with write_transaction(self.engine) as connection:
            connection.execute(delete(directory).where(directory.c.subject == key))
            connection.execute(
                insert(directory).values(subject=key, category=category.value, name=name, kind=kind)
            )

    def name_of(self, subject: str) -> tuple[str, str | None] | None:
        """(name, kind) of ``subject``, or None if the platform has not named it."""
        key = to_checksum_address(subject) if is_address(subject) else subject.lower()
        with read_transaction(self.engine) as connection:
            row = connection.execute(
                select(directory.c.name, directory.c.kind).where(directory.c.subject == key)
            ).first()
        return None if row is None else (str(row.name), row.kind)
