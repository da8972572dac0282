"""Polling filters (``eth_newFilter``, ``eth_newBlockFilter``, ``eth_getFilterChanges``, ...) as ethers
and viem poll them.

A filter remembers the first block it has not reported yet. ``eth_getFilterChanges`` on a log filter
answers the matching logs of the blocks committed since the last poll (within the filter's own
``fromBlock``/``toBlock``), on a block filter the hashes of those blocks; ``eth_getFilterLogs``
answers every matching log of the filter's range, as ``eth_getLogs`` would. This is geth's behaviour
and the execution-apis text ("since last poll"): a log filter whose ``fromBlock`` is in the past does
not replay history on its first poll (anvil does; ask ``eth_getFilterLogs`` or ``eth_getLogs`` for it).
A filter not polled for :data:`FILTER_TIMEOUT_S` seconds is dropped (geth's default, 5 minutes), and
at most :data:`MAX_FILTERS` exist at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

FILTER_TIMEOUT_S: Final = 300.0
MAX_FILTERS: Final = 1_000


class FilterNotFound(LookupError):
    """No filter has that id (never installed, uninstalled, or dropped after the timeout)."""


class TooManyFilters(RuntimeError):
    """:data:`MAX_FILTERS` filters are installed already."""


@dataclass
class InstalledFilter:
    """One filter: ``criteria`` is the ``eth_newFilter`` object, or None for a block filter."""

    criteria: dict[str, Any] | None
    next_block: int
    """The first block whose changes have not been reported."""
    last_used: float


class FilterRegistry:
    """The node's installed filters, by id (a random 128-bit quantity, as geth's ids are)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._filters: dict[str, InstalledFilter] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def install(self, criteria: dict[str, Any] | None, head: int) -> str:
        """Install a filter that reports changes from block ``head + 1`` on; returns its id."""
        with self._lock:
            self._expire()
            if len(self._filters) >= MAX_FILTERS:
                raise TooManyFilters(f"at most {MAX_FILTERS} filters may be installed at once")
            filter_id = hex(secrets.randbits(128) | 1 << 124)  # never a short id
            self._filters[filter_id] = InstalledFilter(criteria, head + 1, self._clock())
            return filter_id

    def uninstall(self, filter_id: str) -> bool:
        with self._lock:
            return self._filters.pop(_normalise(filter_id), None) is not None

    def get(self, filter_id: str) -> InstalledFilter:
        """The filter (its idle timer restarted); raises :class:`FilterNotFound`."""
        with self._lock:
            self._expire()
            found = self._filters.get(_normalise(filter_id))
            if found is None:
                raise FilterNotFound("filter not found")
            found.last_used = self._clock()
            return found

    def advance(self, filter_id: str, expected_next: int, head: int) -> bool:
        """Mark blocks up to ``head`` reported, unless another poll did so first (then False)."""
        with self._lock:
            found = self._filters.get(_normalise(filter_id))
            if found is None or found.next_block != expected_next:
                return False
            found.next_block = head + 1
            return True

    def _expire(self) -> None:
        now = self._clock()
        for stale in [
            key for key, value in self._filters.items() if now - value.last_used > FILTER_TIMEOUT_S
        ]:
            del self._filters[stale]


def _normalise(filter_id: str) -> str:
    try:
        return hex(int(filter_id, 16))
    except (TypeError, ValueError):
        return str(filter_id)
