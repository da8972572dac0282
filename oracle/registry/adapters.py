"""Adapters that fetch an institution's record from the government registry.

The oracle publisher and the onboarding audit depend on the :class:`RegistryAdapter` protocol only,
so the same code runs against the synthetic registry file in tests and demos
(:class:`FileRegistryAdapter`) and against a registry HTTP service (:class:`HttpRegistryAdapter`).
Every adapter keeps the three answers apart: a record, ``None`` (the registry says there is no such
code), or :class:`RegistryUnavailable` (nobody knows). Conflating the last two would reject an
institution because a server was down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import structlog

from oracle.errors import RegistryResponseInvalid, RegistryUnavailable
from oracle.http_record import HttpRecordSource
from oracle.registry.credit_code import validate
from oracle.registry.dataset import index_by_code, read_registry
from oracle.registry.records import RegistryRecord

log = structlog.get_logger(__name__)


@runtime_checkable
class RegistryAdapter(Protocol):
    """A source of government-registry records, keyed by unified social credit code."""

    def fetch(self, credit_code: str) -> RegistryRecord | None:
        """The record filed under ``credit_code``, or ``None`` if the registry has none.

        Raises :class:`oracle.errors.InvalidCreditCode` for a malformed code (before asking anyone),
        :class:`RegistryUnavailable` when the registry cannot be asked, and
        :class:`RegistryResponseInvalid` when its answer is not a record for that code.
        """
        ...


class FileRegistryAdapter:
    """Serves records from a JSON-lines registry file (see :mod:`oracle.registry.dataset`).

    The file is read at construction, so a broken file fails at start-up
    (:class:`oracle.errors.RegistryDatasetInvalid`), and read again whenever its size or modification
    time changes, so that an updated registry (a deregistration, a new legal representative) is seen
    by the next fetch, as it would be from the real registry.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp: tuple[int, int] | None = None
        self._records: dict[str, RegistryRecord] = {}
        self._reload_if_changed()

    def _reload_if_changed(self) -> None:
        try:
            stat = self._path.stat()
        except OSError as error:
            raise RegistryUnavailable(str(self._path), f"cannot read: {error.strerror or error}") from error
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._records = index_by_code(read_registry(self._path))
            self._stamp = stamp
            log.info("registry_file_loaded", path=str(self._path), records=len(self._records))

    def fetch(self, credit_code: str) -> RegistryRecord | None:
        """The record filed under ``credit_code``, or ``None``."""
        validate(credit_code)
        self._reload_if_changed()
        return self._records.get(credit_code)

    def __len__(self) -> int:
        return len(self._records)


class HttpRegistryAdapter(HttpRecordSource):
    """Fetches records from a registry service speaking the API of :mod:`oracle.registry.service`.

    ``GET {base_url}/records/{code}``: 200 with the record, 404 when there is none; anything else
    (connection errors, timeouts, 5xx) is :class:`RegistryUnavailable`. Pass ``client`` to reuse a
    connection pool or to test against an in-process app; otherwise the adapter owns its client and
    should be closed (it is a context manager).
    """

    def fetch(self, credit_code: str) -> RegistryRecord | None:
        """The record filed under ``credit_code``, or ``None`` when the service answers 404."""
        record = self._get_record(
            f"/records/{validate(credit_code)}",
            RegistryRecord,
            key=credit_code,
            kind="a registry record",
            unavailable=RegistryUnavailable,
            invalid=RegistryResponseInvalid,
        )
        if record is not None and record.credit_code != credit_code:
            raise RegistryResponseInvalid(
                self._base_url, f"asked for {credit_code}, got the record of {record.credit_code}"
            )
        return record
