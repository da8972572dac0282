"""Errors raised by the oracle package.

One base class, :class:`OracleError`, so that callers (the publisher loop, the API's onboarding route)
can catch everything the oracle raises in one place, and specific subclasses that carry the data a
caller needs to decide: retry (:class:`RegistryUnavailable`), reject the input
(:class:`InvalidCreditCode`) or alert an operator (:class:`RegistryResponseInvalid`,
:class:`RegistryDatasetInvalid`).
"""

from __future__ import annotations

from pathlib import Path


class OracleError(Exception):
    """Base of every error raised by the oracle package."""


class InvalidCreditCode(OracleError, ValueError):
    """A string is not a well-formed unified social credit code (GB 32100-2015).

    Also a :class:`ValueError` so that pydantic validators turn it into an ordinary validation error.
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"invalid unified social credit code {code!r}: {reason}")
        self.code = code
        self.reason = reason


class RegistryUnavailable(OracleError):
    """The registry could not be asked (connection refused, timeout, 5xx): the answer is unknown.

    Distinct from "no such record" (the adapter returns ``None``), because an unknown answer must
    never be mistaken for a negative one: the caller retries later instead of rejecting an institution.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"registry {source} unavailable: {reason}")
        self.source = source
        self.reason = reason


class RegistryResponseInvalid(OracleError):
    """The registry answered, but with something that is not a valid record for the code asked."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"registry {source} sent an invalid response: {reason}")
        self.source = source
        self.reason = reason


class RegistryDatasetInvalid(OracleError):
    """A registry dataset file is missing or has a line that is not a valid record."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"registry dataset {where}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line


class AttestationInvalid(OracleError, ValueError):
    """A registry attestation (or its typed data, or a signature over it) is malformed or out of range.

    ``field`` names what is wrong (``message.observedAt``, ``signature``, ``types``).
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"invalid registry attestation: {field}: {reason}")
        self.field = field
        self.reason = reason
