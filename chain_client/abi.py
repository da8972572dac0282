"""ABI encoding and decoding for one contract: calls, results, events and custom errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils import (
    event_abi_to_log_topic,
    function_abi_to_4byte_selector,
    get_abi_input_types,
    get_abi_output_types,
)

from chain_client.types import Log, checksum_address

AbiEntry = dict[str, Any]

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")
PANIC_SELECTOR = bytes.fromhex("4e487b71")


@dataclass(frozen=True)
class DecodedEvent:
    """One log decoded against its event: ``name``, arguments by name, and the log it came from."""

    name: str
    args: dict[str, Any]
    log: Log

    def __getitem__(self, key: str) -> Any:
        return self.args[key]


def _selector_of_error(entry: AbiEntry) -> bytes:
    return function_abi_to_4byte_selector(cast(Any, {**entry, "type": "function"}))


def _normalise(abi_type: str, value: Any) -> Any:
    """Turn decoded values into what callers compare against: checksum addresses (also inside
    structs and arrays), sequences as tuples. ``abi_type`` is canonical, e.g. ``(address,uint256)[]``."""
    if abi_type.endswith("]"):
        inner = abi_type[: abi_type.rindex("[")]
        return tuple(_normalise(inner, item) for item in value)
    if abi_type.startswith("("):
        return tuple(_normalise(t, v) for t, v in zip(_split_tuple(abi_type[1:-1]), value, strict=True))
    if abi_type == "address":
        return checksum_address(value)
    return value


def _split_tuple(components: str) -> list[str]:
    """``address,(uint8,bytes32)[],bool`` -> its top-level component types."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(components):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(components[start:index])
            start = index + 1
    if components:
        parts.append(components[start:])
    return parts


class ContractAbi:
    """Index of one contract's ABI by function name, event topic and error selector."""

    def __init__(self, abi: Sequence[AbiEntry]) -> None:
        self.entries = list(abi)
        self.functions: dict[str, AbiEntry] = {}
        self.events_by_topic: dict[bytes, AbiEntry] = {}
        self.events_by_name: dict[str, AbiEntry] = {}
        self.errors_by_selector: dict[bytes, AbiEntry] = {}
        self.constructor: AbiEntry | None = None
        for entry in abi:
            kind = entry.get("type")
            if kind == "function":
                # Overloads are not used by our contracts; keep the first and say so if it happens.
                if entry["name"] in self.functions:
                    raise ValueError(f"overloaded function {entry['name']} is not supported")
                self.functions[entry["name"]] = entry
            elif kind == "event":
                self.events_by_topic[event_abi_to_log_topic(cast(Any, entry))] = entry
                self.events_by_name[entry["name"]] = entry
            elif kind == "error":
                self.errors_by_selector[_selector_of_error(entry)] = entry
            elif kind == "constructor":
                self.constructor = entry

    def function(self, name: str) -> AbiEntry:
        try:
            return self.functions[name]
        except KeyError:
            raise AttributeError(f"the contract has no function {name!r}") from None

    def encode_call(self, name: str, *args: Any) -> bytes:
        entry = self.function(name)
        types = get_abi_input_types(cast(Any, entry))
        if len(types) != len(args):
            raise TypeError(f"{name} takes {len(types)} arguments, got {len(args)}")
        return function_abi_to_4byte_selector(cast(Any, entry)) + abi_encode(types, list(args))

    def decode_result(self, name: str, data: bytes) -> Any:
        """A call's result: the value itself for one output, a tuple for several, None for none."""
        entry = self.function(name)
        types = get_abi_output_types(cast(Any, entry))
        values = tuple(_normalise(t, v) for t, v in zip(types, abi_decode(types, data), strict=True))
        if not values:
            return None
        return values[0] if len(values) == 1 else values

    def encode_constructor(self, bytecode: bytes, *args: Any) -> bytes:
        types = get_abi_input_types(cast(Any, self.constructor)) if self.constructor else []
        if len(types) != len(args):
            raise TypeError(f"the constructor takes {len(types)} arguments, got {len(args)}")
        return bytecode + (abi_encode(types, list(args)) if types else b"")

    def event_topic(self, name: str) -> bytes:
        try:
            return event_abi_to_log_topic(cast(Any, self.events_by_name[name]))
        except KeyError:
            raise AttributeError(f"the contract has no event {name!r}") from None

    def decode_log(self, log: Log) -> DecodedEvent | None:
        """Decode ``log`` if its first topic is one of this contract's events, else None."""
        if not log.topics or log.topics[0] not in self.events_by_topic:
            return None
        entry = self.events_by_topic[log.topics[0]]
        indexed = [item for item in entry["inputs"] if item.get("indexed")]
        plain = [item for item in entry["inputs"] if not item.get("indexed")]
        if len(indexed) != len(log.topics) - 1:
            return None  # same signature, different indexing: not ours
        args: dict[str, Any] = {}
        for item, topic in zip(indexed, log.topics[1:], strict=True):
            if _is_dynamic(item["type"]):
                args[item["name"]] = topic  # only the hash of a dynamic value is in the topic
            else:
                args[item["name"]] = _normalise(_abi_type(item), abi_decode([_abi_type(item)], topic)[0])
        plain_types = [_abi_type(item) for item in plain]
        for item, value in zip(plain, abi_decode(plain_types, log.data), strict=True):
            args[item["name"]] = _normalise(_abi_type(item), value)
        return DecodedEvent(name=entry["name"], args=args, log=log)

    def decode_error(self, data: bytes) -> tuple[str, tuple[Any, ...]] | None:
        entry = self.errors_by_selector.get(data[:4])
        if entry is None:
            return None
        types = get_abi_input_types(cast(Any, entry))
        values = abi_decode(types, data[4:])
        return entry["name"], tuple(_normalise(t, v) for t, v in zip(types, values, strict=True))


def _abi_type(item: AbiEntry) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_abi_type(component) for component in item["components"])
        return f"({inner}){item['type'][5:]}"
    type_name: str = item["type"]
    return type_name


def _is_dynamic(abi_type: str) -> bool:
    return abi_type in ("string", "bytes") or abi_type.endswith("]") or abi_type.startswith("tuple")


def decode_standard_revert(data: bytes) -> tuple[str, tuple[Any, ...]] | None:
    """``Error(string)`` and ``Panic(uint256)``, which every contract can raise."""
    if data[:4] == ERROR_STRING_SELECTOR:
        return "Error", tuple(abi_decode(["string"], data[4:]))
    if data[:4] == PANIC_SELECTOR:
        return "Panic", tuple(abi_decode(["uint256"], data[4:]))
    return None
