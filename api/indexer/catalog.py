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

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, cast

from eth_abi.abi import decode as abi_decode
from eth_typing import ChecksumAddress
from eth_utils import event_abi_to_log_topic, to_checksum_address

from chain_client.abi import AbiEntry, ContractAbi, _abi_type, _is_dynamic, _normalise
from chain_client.client import ChainClient
from chain_client.types import Log

__all__ = ["EventCatalog", "IndexedEvent", "hex32", "json_args"]

_POOL_KEYS: Final = ("poolId", "fromPoolId")
_LOT_SOURCE_PLEDGE: Final = 1
_LOT_SOURCE_PURCHASE: Final = 2
_INT64_MAX: Final = 2**63 - 1
_ZERO_ADDRESS: Final = "0x" + "00" * 20


@lru_cache(maxsize=1 << 16)
def checksummed(raw: bytes) -> ChecksumAddress:
    """The EIP-55 form of a 20-byte address (cached: the same accounts recur in every block)."""
    return to_checksum_address(raw)


_UINT = re.compile(r"uint(\d*)$")
_INT = re.compile(r"int(\d*)$")
_BYTES_N = re.compile(r"bytes(\d+)$")


def _word_decoder(abi_type: str) -> Callable[[bytes], Any] | None:
    """A decoder of one 32-byte ABI word of a static scalar type, or None for other types."""
    if _UINT.match(abi_type):
        return lambda word: int.from_bytes(word, "big")
    if _INT.match(abi_type):
        return lambda word: int.from_bytes(word, "big", signed=True)
    if abi_type == "address":
        return lambda word: checksummed(word[12:])
    if abi_type == "bool":
        return lambda word: word[31] == 1
    found = _BYTES_N.match(abi_type)
    if found:
        size = int(found.group(1))
        return lambda word: word[:size]
    return None


class _EventDecoder:
    """Decodes one event's logs: static scalar words directly (the common case, and every topic), anything
    else (structs, arrays, strings) with eth-abi; the same values as ``ContractAbi.decode_log`` gives."""

    def __init__(self, entry: AbiEntry) -> None:
        self.name: str = entry["name"]
        self.entry = entry
        self.indexed = [item for item in entry["inputs"] if item.get("indexed")]
        self.plain = [item for item in entry["inputs"] if not item.get("indexed")]
        self._topic_decoders = [
            (
                item["name"],
                None if _is_dynamic(item["type"]) else _word_decoder(_abi_type(item)),
                _abi_type(item),
            )
            for item in self.indexed
        ]
        plain_decoders = [_word_decoder(_abi_type(item)) for item in self.plain]
        self._fast_plain = (
            [(item["name"], decoder) for item, decoder in zip(self.plain, plain_decoders, strict=True)]
            if all(decoder is not None for decoder in plain_decoders)
            else None
        )
        self._plain_types = [_abi_type(item) for item in self.plain]

    def decode(self, log: Log) -> dict[str, Any] | None:
        if len(log.topics) - 1 != len(self.indexed):
            return None  # same signature, different indexing: not this event
        args: dict[str, Any] = {}
        for (name, decoder, abi_type), topic in zip(self._topic_decoders, log.topics[1:], strict=True):
            if decoder is not None:
                args[name] = decoder(topic)
            elif _is_dynamic(abi_type):
                args[name] = topic  # only the hash of a dynamic value is in a topic
            else:
                args[name] = _normalise(abi_type, abi_decode([abi_type], topic)[0])
        if self._fast_plain is not None:
            if len(log.data) != 32 * len(self._fast_plain):
                return None
            for index, (name, word_decoder) in enumerate(self._fast_plain):
                args[name] = cast(Callable[[bytes], Any], word_decoder)(
                    log.data[32 * index : 32 * index + 32]
                )
        else:
            values = abi_decode(self._plain_types, log.data)
            for item, abi_type, value in zip(self.plain, self._plain_types, values, strict=True):
                args[item["name"]] = _normalise(abi_type, value)
        return args


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
                found.append((name, address))
    return tuple(found)


class EventCatalog:
    """The ledger's contracts by address, each with its ABI: decodes any log they emit."""

    def __init__(self, client: ChainClient, addresses: Mapping[str, str]) -> None:
        """``addresses``: contract name (its compiled artifact) -> deployed address, as the deployment record
        keeps them. Raises ``ArtifactNotFoundError`` for a name that is not a compiled contract."""
        self.contracts: dict[ChecksumAddress, str] = {}
        self._abis: dict[ChecksumAddress, ContractAbi] = {}
        self._decoders: dict[ChecksumAddress, dict[bytes, _EventDecoder]] = {}
        for name, address in addresses.items():
            contract = to_checksum_address(address)
            abi = client.abi(name)
            self.contracts[contract] = name
            self._abis[contract] = abi
            self._decoders[contract] = {
                event_abi_to_log_topic(cast(Any, entry)): _EventDecoder(entry)
                for entry in abi.events_by_name.values()
            }

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
        decoders = self._decoders.get(log.address)
        if decoders is None or not log.topics or log.topics[0] not in decoders:
            return None
        decoder = decoders[log.topics[0]]
        decoded = decoder.decode(log)
        if decoded is None:
            return None
        entry = decoder.entry
        values = decoded
        pool_id = next((_small(values[key]) for key in _POOL_KEYS if key in values), None)
        order_id = hex32(values["orderId"]) if isinstance(values.get("orderId"), bytes) else None
        pledge_id = _small(values.get("pledgeId")) or None
        if decoder.name == "LotOpened" and isinstance(values.get("sourceRef"), bytes):
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
            name=decoder.name,
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
