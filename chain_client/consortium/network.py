"""The consortium network's description (``network.json`` in a kit): chain, QBFT parameters, banks.

Everything else in a kit (genesis, node configs, allowlists, compose files) is rendered from this one
record, so that adding or removing a bank re-renders every node's files consistently.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.consortium.enode import enode_url
from chain_client.consortium.errors import KitInvalid

FORMAT = 1
NETWORK_FILE = "network.json"
BESU_IMAGE = "hyperledger/besu:25.5.0"
"""The last Besu release with on-chain (contract) permissioning: 25.6.0 removed it (Besu CHANGELOG,
PR #8597). Deprecated since 24.12.0; see docs/operations.md."""

REHEARSAL_SUBNET = "172.16.240.0/24"
"""Docker network of the single-host rehearsal compose file; bank i gets 172.16.240.(10 + i)."""

P2P_PORT = 30303
RPC_PORT = 8545
METRICS_PORT = 9545
DEFAULT_BLOCK_GAS_LIMIT = 60_000_000
"""Same block gas limit as the embedded chain and anvil in tests (chain_client.config)."""

_BANK_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def check_bank_name(name: str) -> str:
    """A bank name is a key name, a directory and a compose service: 1-40 of a-z, 0-9, '-'."""
    if not _BANK_NAME.match(name):
        raise KitInvalid(
            f"invalid bank name {name!r}: use a lower-case letter, then up to 39 of a-z, 0-9, '-'"
        )
    return name


@dataclass(frozen=True)
class QbftParameters:
    """Besu's ``config.qbft`` (besu-docs qbft.md, "Genesis file" and "Block time")."""

    block_period_seconds: int = 2
    epoch_length: int = 30_000
    request_timeout_seconds: int = 4

    def __post_init__(self) -> None:
        if self.block_period_seconds < 1:
            raise KitInvalid("blockperiodseconds must be at least 1")
        if self.epoch_length < 1:
            raise KitInvalid("epochlength must be at least 1")
        if self.request_timeout_seconds <= self.block_period_seconds:
            raise KitInvalid(
                "requesttimeoutseconds must exceed blockperiodseconds (Besu suggests twice the block period)"
            )


@dataclass(frozen=True)
class BankNode:
    """One bank: its transacting account and its validator node."""

    name: str
    account: ChecksumAddress
    """The bank's own account: deploys (the first bank), holds BANK_ROLE, signs its transactions."""
    validator: ChecksumAddress
    """The address of the node key: the bank's QBFT validator address."""
    node_id: str
    p2p_host: str
    p2p_port: int = P2P_PORT

    @property
    def enode(self) -> str:
        return enode_url(self.node_id, self.p2p_host, self.p2p_port)


@dataclass(frozen=True)
class Network:
    """The whole consortium network."""

    chain_id: int
    qbft: QbftParameters
    banks: tuple[BankNode, ...]
    genesis_validators: tuple[ChecksumAddress, ...]
    """The validators written into the genesis ``extraData`` (ascending); later changes go by vote."""
    genesis_timestamp: int
    block_gas_limit: int = DEFAULT_BLOCK_GAS_LIMIT
    besu_image: str = BESU_IMAGE
    rehearsal: bool = True
    """True when the banks' p2p hosts are the rehearsal compose network's addresses (one Docker host)."""
    removed: tuple[str, ...] = field(default=())

    def bank(self, name: str) -> BankNode:
        for bank in self.banks:
            if bank.name == name:
                return bank
        raise KitInvalid(f"no bank named {name!r} in this kit (banks: {', '.join(self.names())})")

    def names(self) -> list[str]:
        return [bank.name for bank in self.banks]

    def index_of(self, name: str) -> int:
        return self.names().index(name)

    def with_banks(self, banks: tuple[BankNode, ...], *, removed: tuple[str, ...] | None = None) -> Network:
        return replace(self, banks=banks, removed=self.removed if removed is None else removed)

    @property
    def fault_tolerance(self) -> int:
        """How many validators may misbehave (Byzantine faults) with the network still safe and live:
        the largest f with n >= 3f + 1. (Besu needs the seals of ceil(2n/3) validators per block.)"""
        return (len(self.banks) - 1) // 3

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["format"] = FORMAT
        record["qbft"] = asdict(self.qbft)
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Network:
        if record.get("format") != FORMAT:
            raise KitInvalid(f"unknown network.json format {record.get('format')!r} (expected {FORMAT})")
        try:
            return cls(
                chain_id=int(record["chain_id"]),
                qbft=QbftParameters(**record["qbft"]),
                banks=tuple(
                    BankNode(
                        name=bank["name"],
                        account=to_checksum_address(bank["account"]),
                        validator=to_checksum_address(bank["validator"]),
                        node_id=bank["node_id"],
                        p2p_host=bank["p2p_host"],
                        p2p_port=int(bank["p2p_port"]),
                    )
                    for bank in record["banks"]
                ),
                genesis_validators=tuple(to_checksum_address(a) for a in record["genesis_validators"]),
                genesis_timestamp=int(record["genesis_timestamp"]),
                block_gas_limit=int(record["block_gas_limit"]),
                besu_image=record["besu_image"],
                rehearsal=bool(record["rehearsal"]),
                removed=tuple(record.get("removed", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KitInvalid(f"network.json is incomplete or malformed: {exc}") from None


def rehearsal_host(index: int) -> str:
    """The rehearsal Docker network address of the bank at ``index`` (0-based)."""
    if not 0 <= index < 200:
        raise KitInvalid("the rehearsal network holds at most 200 banks")
    return f"172.16.240.{11 + index}"


def load_network(kit: Path) -> Network:
    """The network described by ``kit/network.json``."""
    path = kit / NETWORK_FILE
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise KitInvalid(f"{kit} is not a consortium kit: no {NETWORK_FILE}") from None
    except json.JSONDecodeError as exc:
        raise KitInvalid(f"{path} is not JSON: {exc}") from None
    return Network.from_json(record)


def save_network(kit: Path, network: Network) -> None:
    (kit / NETWORK_FILE).write_text(json.dumps(network.to_json(), indent=2) + "\n")
