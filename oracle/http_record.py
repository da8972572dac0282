"""A stand-in service's one-record HTTP lookup, shared by the registry and invoice adapters.

``GET {base_url}{path}``: 200 with the record, 404 when there is none. Anything else is an error of the
adapter's own kinds: the source could not be asked (connection errors, timeouts, 5xx), so the answer is
unknown and must never be taken for a negative one; or it answered something that is not the record.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

import httpx
import structlog
from pydantic import BaseModel, ValidationError

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=BaseModel)

SourceError = Callable[[str, str], Exception]
"""Makes an adapter's error from ``(source, reason)``."""


class HttpRecordSource:
    """Base of an adapter over HTTP. Pass ``client`` to reuse a connection pool or to test against an
    in-process app; otherwise the adapter owns its client and should be closed (it is a context manager)."""

    def __init__(self, base_url: str, timeout: float = 5.0, client: httpx.Client | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)

    def _get_record(
        self,
        path: str,
        model: type[M],
        *,
        key: str,
        kind: str,
        unavailable: SourceError,
        invalid: SourceError,
    ) -> M | None:
        """The ``model`` at ``path``, None on 404; errors name the record's ``key`` and its ``kind`` (``"an
        invoice"``)."""
        url = f"{self._base_url}{path}"
        try:
            response = self._client.get(url)
        except httpx.HTTPError as error:
            log.warning("source_unreachable", url=url, error=type(error).__name__)
            raise unavailable(self._base_url, f"{type(error).__name__}: {error}") from error
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        if response.status_code >= 500:
            raise unavailable(self._base_url, f"HTTP {response.status_code} for {key}")
        if response.status_code != httpx.codes.OK:
            raise invalid(self._base_url, f"HTTP {response.status_code} for {key}")
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise invalid(self._base_url, f"not {kind}: {error.errors()[0]['msg']}") from error

    def close(self) -> None:
        """Close the HTTP client if this adapter created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
