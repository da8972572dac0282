"""Every event of every ledger contract, from the compiled ABIs: how a log is decoded and what keys it carries.

The indexer knows no event by name in advance. For each deployed contract (the deployment record names
them) it takes every ``event`` entry of the contract's compiled ABI, so an event added to a contract is
indexed as soon as the contract is recompiled and redeployed, with no schema change. A decoded event is
kept whole as JSON (``args``) and, for the keys the product's queries look events up by, in typed columns:

* ``pool_id``: an argument ``poolId`` (or ``fromPoolId``);
* ``order_id``: an argument ``orderId``, or the ``sourceRef`` of a purchase lot (``LotOpened`` with source
  ``Purchase``: the lot was bought under that payment order);
* ``lot_id``, ``transfer_id``: arguments ``lotId``, ``transferId``;
* ``pledge_id``: a non-zero ``pledgeId``, or the ``sourceRef`` of a pledge lot;
* ``accounts``: every non-zero ``address`` argument (and every address of an ``address[]``), with its name.

JSON form of the arguments (the formats of every JSON boundary of the service): integers as decimal strings
(never JSON numbers, which lose precision above 2**53), ``bytesN``/``bytes`` as 0x-hex, addresses checksummed,
booleans as booleans, structs as objects keyed by component name, arrays as arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.abi import AbiEntry, ContractAbi
from chain_client.client import ChainClient
from chain_client.types import Log

__all__ = ["EventCatalog", "IndexedEvent", "hex32", "json_args"]

_POOL_KEYS: Final = ("poolId", "fromPoolId")
_LOT_SOURCE_PLEDGE: Final = 1
_LOT_SOURCE_PURCHASE: Final = 2
_INT64_MAX: Final = 2**63 - 1
_ZERO_ADDRESS: Final = "0x" + "00" * 20


def hex32(value: bytes) -> str:
    """0x-hex of a hash or ``bytes32`` value, lower case."""
    return "0x" + value.hex()


def _small(value: Any) -> int | None:
    """An id that fits a BIGINT column, or None (the value stays in ``args``)."""
    if isinstance(value, int) and 0 <= value <= _INT64_MAX:
        return value
    return None


@dataclass(frozen=True)
class IndexedEvent:
    """One decoded log, in the form the read model stores it."""

    block_number: int
    log_index: int
    tx_hash: str
    tx_index: int
    contract: str
    address: ChecksumAddress
    name: str
    args: dict[str, Any]
    """JSON-ready arguments (see the module docstring)."""
    values: dict[str, Any]
    """The decoded Python values (ints, bytes, checksummed addresses), for the typed tables."""
    pool_id: int | None
    order_id: str | None
    lot_id: int | None
    pledge_id: int | None
    transfer_id: int | None
    accounts: tuple[tuple[str, ChecksumAddress], ...]
    """``(argument name, address)`` of every address the event names."""


def _json_value(item: AbiEntry, value: Any) -> Any:
    abi_type: str = item["type"]
    if abi_type.endswith("]"):
        inner = {**item, "type": abi_type[: abi_type.rindex("[")]}
        return [_json_value(inner, element) for element in value]
    if abi_type == "tuple":
        return {
            component["name"]: _json_value(component, element)
            for component, element in zip(item["components"], value, strict=True)
        }
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return value


def json_args(entry: AbiEntry, values: Mapping[str, Any]) -> dict[str, Any]:
    """The event's arguments in their JSON form, in ABI order."""
    return {item["name"]: _json_value(item, values[item["name"]]) for item in entry["inputs"]}


def _accounts(entry: AbiEntry, values: Mapping[str, Any]) -> tuple[tuple[str, ChecksumAddress], ...]:
    found: list[tuple[str, ChecksumAddress]] = []
    for item in entry["inputs"]:
        name, abi_type = item["name"], item["type"]
        if abi_type == "address":
            candidates = [values[name]]
        elif abi_type.startswith("address[") and not item.get("indexed"):
            candidates = list(values[name])
        else:
            continue
        for address in candidates:
            if address != _ZERO_ADDRESS and (name, address) not in found:
                found.append((name, to_checksum_address(address)))
    return tuple(found)


class EventCatalog:
    """The ledger's contracts by address, each with its ABI: decodes any log they emit."""

    def __init__(self, client: ChainClient, addresses: Mapping[str, str]) -> None:
        """``addresses``: contract name (its compiled artifact) -> deployed address, as the deployment record
        keeps them. Raises ``ArtifactNotFoundError`` for a name that is not a compiled contract."""
        self.contracts: dict[ChecksumAddress, str] = {}
        self._abis: dict[ChecksumAddress, ContractAbi] = {}
        for name, address in addresses.items():
            checksummed = to_checksum_address(address)
            self.contracts[checksummed] = name
            self._abis[checksummed] = client.abi(name)

    @property
    def addresses(self) -> tuple[ChecksumAddress, ...]:
        """Every indexed contract address, for ``eth_getLogs``' address filter."""
        return tuple(self.contracts)

    def address_of(self, contract: str) -> ChecksumAddress | None:
        """The address of the contract called ``contract``, if it is indexed."""
        for address, name in self.contracts.items():
            if name == contract:
                return address
        return None

    def event_names(self) -> dict[str, list[str]]:
        """Every event the catalog decodes, by contract name."""
        return {name: sorted(self._abis[address].events_by_name) for address, name in self.contracts.items()}

    def decode(self, log: Log) -> IndexedEvent | None:
        """The log as an indexed event, or None if it is not an event of the contract that emitted it."""
        abi = self._abis.get(log.address)
        if abi is None:
            return None
        decoded = abi.decode_log(log)
        if decoded is None:
            return None
        entry = abi.events_by_name[decoded.name]
        values = decoded.args
        pool_id = next((_small(values[key]) for key in _POOL_KEYS if key in values), None)
        order_id = hex32(values["orderId"]) if isinstance(values.get("orderId"), bytes) else None
        pledge_id = _small(values.get("pledgeId")) or None
        if decoded.name == "LotOpened" and isinstance(values.get("sourceRef"), bytes):
            if values.get("source") == _LOT_SOURCE_PURCHASE:
                order_id = hex32(values["sourceRef"])
            elif values.get("source") == _LOT_SOURCE_PLEDGE:
                pledge_id = _small(int.from_bytes(values["sourceRef"], "big"))
        return IndexedEvent(
            block_number=log.block_number,
            log_index=log.log_index,
            tx_hash=hex32(log.transaction_hash),
            tx_index=log.transaction_index,
            contract=self.contracts[log.address],
            address=log.address,
            name=decoded.name,
            args=json_args(entry, values),
            values=values,
            pool_id=pool_id,
            order_id=order_id,
            lot_id=_small(values.get("lotId")),
            pledge_id=pledge_id,
            transfer_id=_small(values.get("transferId")),
            accounts=_accounts(entry, values),
        )

    def decode_all(self, logs: Iterable[Log]) -> list[IndexedEvent]:
        """Decode every log of the ledger's contracts, in chain order; other logs are skipped."""
        events = [event for event in (self.decode(entry) for entry in logs) if event is not None]
        events.sort(key=lambda event: (event.block_number, event.log_index))
        return events
