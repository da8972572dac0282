"""Check an audit-trail export against any Ethereum JSON-RPC node, with the contracts' ABIs alone.

:func:`verify_export` uses only what it is given: the export (data file and manifest), the compiled ABIs of
the ledger's contracts (``chain_client/artifacts``, by the contract names the rows give) and a node reached by
the standard execution API (``eth_chainId``, ``eth_getTransactionReceipt``, ``eth_getBlockByNumber``,
``eth_getLogs``). It never reads this service's database. For every row it checks, and names the row when
any of these fails:

* the row is where it says (``row`` is its position) and in chain order after the row before;
* the transaction is on the node, succeeded, and is in the block (number and hash) the row gives, whose time
  is the row's ``block_timestamp``;
* that transaction's receipt has a log at ``log_index``, emitted by the row's ``address``, which is the
  manifest's address of the row's ``contract``;
* the log is the row's ``event`` (``topics[0]`` is keccak256 of the event's ABI signature) and its topics and
  data, decoded with the ABI, are exactly the row's ``args``.

For the export as a whole: the data file's SHA-256 and row count are the manifest's, the node is on the
manifest's chain and has the manifest's head block (number and hash), and, for an export of every event (no
filter), every ledger log the node holds up to the head is in the export (``eth_getLogs``), so a deleted
row is named too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from eth_abi.abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from api.audit.trail import TrailManifest, TrailRow, event_signature, parse_rows, sha256_hex
from chain_client.abi import AbiEntry, _abi_type, _is_dynamic
from chain_client.backends.base import Backend
from chain_client.compiler import load_artifact
from chain_client.types import Block, LogFilter, Receipt

__all__ = ["RowFinding", "TrailReport", "verify_export"]

LOGS_CHUNK_BLOCKS: Final = 2_000


@dataclass(frozen=True)
class RowFinding:
    """What does not match in one row: its position in the data file and what it claims to be."""

    position: int
    claim: str
    problems: tuple[str, ...]

    def describe(self) -> str:
        return f"row {self.position} ({self.claim}): " + "; ".join(self.problems)


@dataclass
class TrailReport:
    """The verdict on one export: ``ok`` when nothing in it disagrees with the node."""

    rpc: str
    chain_id: int | None = None
    rows_checked: int = 0
    export_problems: list[str] = field(default_factory=list)
    rows: list[RowFinding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.export_problems or self.rows or self.missing)

    def lines(self) -> list[str]:
        """What the verifier prints, one finding a line."""
        found = [f"export: {problem}" for problem in self.export_problems]
        found += [finding.describe() for finding in self.rows]
        found += [f"missing: {entry}" for entry in self.missing]
        return found


def _checksum(value: Any) -> str:
    return str(to_checksum_address(value))


def json_value(item: AbiEntry, value: Any) -> Any:
    """A decoded ABI value in the export's JSON form: integers as decimal strings, bytes as 0x-hex, addresses
    checksummed, structs as objects keyed by component name, arrays as arrays."""
    abi_type: str = item["type"]
    if abi_type.endswith("]"):
        inner = {**item, "type": abi_type[: abi_type.rindex("[")]}
        return [json_value(inner, element) for element in value]
    if abi_type == "tuple":
        return {
            component["name"]: json_value(component, element)
            for component, element in zip(item["components"], value, strict=True)
        }
    if abi_type == "address":
        return _checksum(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return value


def decode_event(entry: AbiEntry, topics: tuple[bytes, ...], data: bytes) -> dict[str, Any]:
    """The arguments of an ``entry`` log in JSON form; raises ``ValueError`` if the log does not fit it."""
    indexed = [item for item in entry["inputs"] if item.get("indexed")]
    plain = [item for item in entry["inputs"] if not item.get("indexed")]
    if len(topics) - 1 != len(indexed):
        raise ValueError(f"{len(topics) - 1} indexed topics, the ABI has {len(indexed)}")
    values: dict[str, Any] = {}
    for item, topic in zip(indexed, topics[1:], strict=True):
        abi_type = _abi_type(item)
        # A dynamic value is indexed by its keccak256 only: the topic is all there is.
        values[item["name"]] = topic if _is_dynamic(abi_type) else abi_decode([abi_type], topic)[0]
    try:
        decoded = abi_decode([_abi_type(item) for item in plain], data)
    except Exception as exc:  # eth-abi raises several types for data that does not fit
        raise ValueError(f"the log's data does not decode: {exc}") from None
    for item, value in zip(plain, decoded, strict=True):
        values[item["name"]] = value
    return {
        item["name"]: json_value(item, values[item["name"]])
        if not (item.get("indexed") and _is_dynamic(_abi_type(item)))
        else "0x" + bytes(values[item["name"]]).hex()
        for item in entry["inputs"]
    }


class _Abis:
    """Event ABIs by contract name, loaded from the compiled artifacts as rows ask for them."""

    def __init__(self, loader: Callable[[str], list[AbiEntry]]) -> None:
        self._loader = loader
        self._events: dict[str, dict[str, AbiEntry] | None] = {}

    def events_of(self, contract: str) -> dict[str, AbiEntry] | None:
        if contract not in self._events:
            try:
                abi = self._loader(contract)
            except Exception:  # no such artifact: the row names a contract the ledger does not have
                self._events[contract] = None
            else:
                self._events[contract] = {e["name"]: e for e in abi if e.get("type") == "event"}
        return self._events[contract]


def _artifact_abi(contract: str) -> list[AbiEntry]:
    abi: list[AbiEntry] = load_artifact(contract)["abi"]
    return abi


class _Node:
    """The node's answers, each asked once."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._receipts: dict[str, Receipt | None] = {}
        self._blocks: dict[int, Block | None] = {}

    def receipt(self, tx_hash: str) -> Receipt | None:
        if tx_hash not in self._receipts:
            try:
                raw = bytes.fromhex(tx_hash.removeprefix("0x"))
            except ValueError:
                raw = b""
            self._receipts[tx_hash] = self.backend.get_receipt(raw) if len(raw) == 32 else None
        return self._receipts[tx_hash]

    def block(self, number: int) -> Block | None:
        if number not in self._blocks:
            self._blocks[number] = self.backend.get_block(number)
        return self._blocks[number]


def _claim(row: TrailRow) -> str:
    return f"block {row.block_number}, log {row.log_index}, {row.contract}.{row.event}, tx {row.tx_hash}"


def _check_row(
    row: TrailRow,
    manifest: TrailManifest,
    node: _Node,
    abis: _Abis,
) -> list[str]:
    problems: list[str] = []
    contract_address = manifest.contracts.get(row.contract)
    if contract_address is None:
        problems.append(f"the manifest names no contract {row.contract}")
    elif contract_address.lower() != row.address.lower():
        problems.append(f"address {row.address} is not {row.contract}'s ({contract_address})")
    events = abis.events_of(row.contract)
    entry = events.get(row.event) if events is not None else None
    if events is None:
        problems.append(f"no compiled ABI of a contract {row.contract}")
    elif entry is None:
        problems.append(f"{row.contract}'s ABI has no event {row.event}")
    receipt = node.receipt(row.tx_hash)
    if receipt is None:
        return [*problems, f"the node has no transaction {row.tx_hash}"]
    if receipt.status != 1:
        problems.append("the transaction failed on the node")
    if receipt.block_number != row.block_number:
        problems.append(
            f"block_number is {row.block_number}, the node has the transaction in {receipt.block_number}"
        )
    if "0x" + receipt.block_hash.hex() != row.block_hash.lower():
        problems.append(f"block_hash is {row.block_hash}, the node's is 0x{receipt.block_hash.hex()}")
    block = node.block(receipt.block_number)
    if block is not None and block.timestamp != row.block_timestamp:
        problems.append(
            f"block_timestamp is {row.block_timestamp}, the node's block time is {block.timestamp}"
        )
    log = next((log for log in receipt.logs if log.log_index == row.log_index), None)
    if log is None:
        return [*problems, f"the transaction has no log with index {row.log_index}"]
    if log.address.lower() != row.address.lower():
        problems.append(f"log {row.log_index} was emitted by {log.address}, not {row.address}")
    if entry is None:
        return problems
    signature = event_signature(entry)
    if not log.topics or log.topics[0] != keccak(text=signature):
        problems.append(f"log {row.log_index} is not {signature}")
        return problems
    try:
        on_chain = decode_event(entry, log.topics, log.data)
    except ValueError as exc:
        return [*problems, f"log {row.log_index} does not decode as {signature}: {exc}"]
    for name in sorted(set(on_chain) | set(row.args)):
        if name not in row.args:
            problems.append(f"args.{name} is missing (the node's log has {on_chain[name]!r})")
        elif name not in on_chain:
            problems.append(f"args.{name} is not an argument of {row.event}")
        elif row.args[name] != on_chain[name]:
            problems.append(f"args.{name} is {row.args[name]!r}, the node's log has {on_chain[name]!r}")
    return problems


def _filter_problems(row: TrailRow, filters: Mapping[str, Any]) -> list[str]:
    """What a row of a filtered export breaks of the filters the manifest states (the checkable ones)."""
    problems = []
    if "event" in filters and row.event != filters["event"]:
        problems.append(f"event {row.event} is outside the export's filter event={filters['event']}")
    if "contract" in filters and row.contract != filters["contract"]:
        problems.append(f"contract {row.contract} is outside the filter contract={filters['contract']}")
    if "from_block" in filters and row.block_number < int(filters["from_block"]):
        problems.append(f"block {row.block_number} is before the filter from_block={filters['from_block']}")
    if "to_block" in filters and row.block_number > int(filters["to_block"]):
        problems.append(f"block {row.block_number} is after the filter to_block={filters['to_block']}")
    if "from_time" in filters and row.block_timestamp < int(filters["from_time"]):
        problems.append(f"time {row.block_timestamp} is before the filter from_time={filters['from_time']}")
    if "to_time" in filters and row.block_timestamp > int(filters["to_time"]):
        problems.append(f"time {row.block_timestamp} is after the filter to_time={filters['to_time']}")
    return problems


def _missing(manifest: TrailManifest, node: _Node, abis: _Abis, seen: set[tuple[int, int]]) -> list[str]:
    """Ledger logs the node holds up to the head that a complete export lacks."""
    by_address = {address.lower(): name for name, address in manifest.contracts.items()}
    topics: dict[str, dict[bytes, AbiEntry]] = {}
    for name in manifest.contracts:
        events = abis.events_of(name) or {}
        topics[name] = {keccak(text=event_signature(entry)): entry for entry in events.values()}
    missing = []
    addresses = tuple(to_checksum_address(address) for address in manifest.contracts.values())
    for start in range(0, manifest.head.number + 1, LOGS_CHUNK_BLOCKS):
        end = min(start + LOGS_CHUNK_BLOCKS - 1, manifest.head.number)
        for log in node.backend.get_logs(LogFilter(from_block=start, to_block=end, addresses=addresses)):
            contract = by_address.get(log.address.lower())
            entry = topics.get(contract or "", {}).get(log.topics[0]) if log.topics else None
            if entry is None or len([i for i in entry["inputs"] if i.get("indexed")]) != len(log.topics) - 1:
                continue  # not a ledger event (the read model keeps only those)
            if (log.block_number, log.log_index) not in seen:
                missing.append(
                    f"block {log.block_number}, log {log.log_index}, {contract}.{entry['name']}, "
                    f"tx 0x{log.transaction_hash.hex()} is on the node but not in the export"
                )
    return missing


def verify_export(
    manifest: TrailManifest,
    data: bytes,
    backend: Backend,
    *,
    rpc: str = "",
    abi_loader: Callable[[str], list[AbiEntry]] = _artifact_abi,
) -> TrailReport:
    """Check the export (``manifest`` and the data file's bytes) against the node behind ``backend`` (see the
    module docstring); every disagreement is in the report, each row named by its position."""
    report = TrailReport(rpc=rpc)
    node = _Node(backend)
    abis = _Abis(abi_loader)
    report.chain_id = backend.chain_id()
    if report.chain_id != manifest.chain_id:
        report.export_problems.append(
            f"the node is chain {report.chain_id}, the export chain {manifest.chain_id}"
        )
    digest = sha256_hex(data)
    if digest != manifest.sha256:
        report.export_problems.append(
            f"the data file's SHA-256 is {digest}, the manifest says {manifest.sha256}: the file was changed"
        )
    head = node.block(manifest.head.number)
    if head is None:
        report.export_problems.append(f"the node has no block {manifest.head.number} (the export's head)")
    elif "0x" + head.hash.hex() != manifest.head.hash.lower():
        report.export_problems.append(
            f"the node's block {manifest.head.number} is 0x{head.hash.hex()}, the export's head is "
            f"{manifest.head.hash}"
        )
    seen: dict[tuple[int, int], int] = {}
    previous: tuple[int, int] | None = None
    count = 0
    for parsed in parse_rows(data, manifest.format):
        if parsed.row is None:
            report.rows.append(RowFinding(parsed.position, "unreadable line", (str(parsed.error),)))
            continue
        count += 1
        row = parsed.row
        problems: list[str] = []
        if row.row != parsed.position:
            problems.append(f"it is numbered {row.row} but is row {parsed.position} of the file")
        key = (row.block_number, row.log_index)
        if key in seen:
            problems.append(f"it repeats row {seen[key]}")
        elif previous is not None and key < previous:
            problems.append("it is out of chain order")
        if row.block_number > manifest.head.number:
            problems.append(f"block {row.block_number} is after the export's head {manifest.head.number}")
        problems += _filter_problems(row, manifest.filters)
        problems += _check_row(row, manifest, node, abis)
        seen.setdefault(key, parsed.position)
        previous = max(previous, key) if previous is not None else key
        if problems:
            report.rows.append(RowFinding(parsed.position, _claim(row), tuple(problems)))
    report.rows_checked = count
    if count != manifest.rows:
        report.export_problems.append(f"the data file has {count} rows, the manifest says {manifest.rows}")
    if manifest.complete and head is not None:
        report.missing = _missing(manifest, node, abis, set(seen))
    return report
