"""Hospitals of the government registry, found by their exact registered name.

An applicant's invoice and diagnosis certificate name the hospital in words, not by its credit code. The aid
authenticity check looks the name up here, character for character: a name one character away from a
registered hospital's is a different hospital (and usually a forged one), never "the nearest". The record it
finds is then checked like any registry record (kind, status) and its credit code leads to the hospital's
account on-chain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from oracle.errors import RegistryUnavailable
from oracle.registry.dataset import read_registry
from oracle.registry.records import RegistryRecord


@runtime_checkable
class HospitalLookup(Protocol):
    """Finds a registry record by an institution's exact name."""

    def find_by_name(self, name: str) -> RegistryRecord | None:
        """The registry record whose name is exactly ``name``, or ``None``.

        Raises :class:`oracle.errors.RegistryUnavailable` when the registry cannot be asked.
        """
        ...


class FileHospitalLookup:
    """Exact-name lookup over the registry's JSON-lines dataset (the same file the registry adapters serve),
    re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp: tuple[int, int] | None = None
        self._by_name: dict[str, RegistryRecord] = {}
        self._reload_if_changed()

    def _reload_if_changed(self) -> None:
        try:
            stat = self._path.stat()
        except OSError as error:
            raise RegistryUnavailable(str(self._path), f"cannot read: {error.strerror or error}") from error
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._by_name = {record.name: record for record in read_registry(self._path)}
            self._stamp = stamp

    def find_by_name(self, name: str) -> RegistryRecord | None:
        self._reload_if_changed()
        return self._by_name.get(name)


class RecordsHospitalLookup:
    """Exact-name lookup over records already in memory (a registry the caller generated or fetched)."""

    def __init__(self, records: list[RegistryRecord]) -> None:
        self._by_name = {record.name: record for record in records}

    def find_by_name(self, name: str) -> RegistryRecord | None:
        return self._by_name.get(name)
