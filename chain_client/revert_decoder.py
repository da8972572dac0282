"""Name a revert: match its selector against every compiled contract's custom errors."""

from __future__ import annotations

from collections.abc import Iterable

from chain_client.abi import ContractAbi, decode_standard_revert
from chain_client.errors import ContractReverted


class RevertDecoder:
    """Turns raw revert data from any backend into one ``ContractReverted``."""

    def __init__(self, abis: Iterable[ContractAbi]) -> None:
        self._abis = list(abis)

    def decode(self, data: bytes, reason: str = "") -> ContractReverted:
        standard = decode_standard_revert(data)
        if standard is not None:
            return ContractReverted(standard[0], standard[1], data)
        for abi in self._abis:
            decoded = abi.decode_error(data)
            if decoded is not None:
                return ContractReverted(decoded[0], decoded[1], data)
        # No selector matched: keep the raw data and the node's own words.
        return ContractReverted("Unknown", (reason,) if reason and not data else (data,), data)
