"""Errors of the individual-aid stand-ins, under the oracle package's one base :class:`OracleError`."""

from __future__ import annotations

from pathlib import Path

from oracle.errors import OracleError


class SourceUnavailable(OracleError):
    """An aid data source (the invoice registry, the bank's investigation feed) could not be asked.

    Distinct from "no such record" (the adapters return ``None``): an unknown answer must never be taken for a
    negative one, so the caller retries instead of rejecting an applicant because a server was down.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source} unavailable: {reason}")
        self.source = source
        self.reason = reason


class SourceResponseInvalid(OracleError):
    """A source answered with something that is not a valid record for what was asked."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source} sent an invalid response: {reason}")
        self.source = source
        self.reason = reason


class DatasetInvalid(OracleError):
    """A generated aid dataset file is missing or has a line that is not a valid record."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"aid dataset {where}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line
