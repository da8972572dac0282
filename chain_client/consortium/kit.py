"""Generate and maintain a consortium kit: the directory every bank's node is started from.

Layout of a kit::

    network.json            the network (chain id, QBFT parameters, banks) everything is rendered from
    genesis.json            Besu QBFT genesis (validators in extraData)
    static-nodes.json       every bank's enode
    permissions_config.toml local allowlists (bootstrap permissioning)
    docker-compose.yml      the whole network on one Docker host (rehearsal; only with rehearsal addresses)
    keys/<bank>-node.json   the bank's node key, encrypted V3 keystore (scrypt)
    keys/<bank>-account.json the bank's account key, encrypted V3 keystore
    nodes/<bank>/           what the bank's server runs: config.toml, genesis.json, static-nodes.json,
                            permissions_config.toml, docker-compose.yml, data/ (and key, once exported)

Keys are generated with eth-account (``Account.create``: secp256k1 from the OS's random source) and
stored encrypted (``chain_client.keys.Keystore``); a node key is written in the clear only by
``export_node_key``, on the bank's own server, because Besu reads its node key from a file.
"""

from __future__ import annotations

import ipaddress
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from chain_client.consortium.compose import node_compose, rehearsal_compose, render_compose
from chain_client.consortium.enode import node_identity
from chain_client.consortium.errors import KitInvalid
from chain_client.consortium.genesis import build_genesis, sorted_validators
from chain_client.consortium.network import (
    BESU_IMAGE,
    DEFAULT_BLOCK_GAS_LIMIT,
    NETWORK_FILE,
    BankNode,
    Network,
    QbftParameters,
    check_bank_name,
    load_network,
    rehearsal_host,
    save_network,
)
from chain_client.consortium.node_config import (
    CONFIG_FILE,
    NODE_KEY_FILE,
    ONCHAIN_CONFIG_FILE,
    PERMISSIONS_FILE,
    STATIC_NODES_FILE,
    OnchainPermissioning,
    render_config,
    render_permissions,
    render_static_nodes,
    static_nodes,
)
from chain_client.errors import KeystoreError
from chain_client.keys import Keystore

KEYS_DIR = "keys"
NODES_DIR = "nodes"
GENESIS_FILE = "genesis.json"
COMPOSE_FILE = "docker-compose.yml"
DEFAULT_CHAIN_ID = 1337
DEV_KIT_PASSWORD = "welfare-aid development kit"  # noqa: S105 - a published development default
"""Printed by ``init --dev-password``: for a rehearsal on one machine, never for a bank's real keys."""


@dataclass(frozen=True)
class KitOptions:
    """Parameters of ``init_kit``; every default is what docs/operations.md describes."""

    chain_id: int = DEFAULT_CHAIN_ID
    qbft: QbftParameters = field(default_factory=QbftParameters)
    block_gas_limit: int = DEFAULT_BLOCK_GAS_LIMIT
    p2p_hosts: tuple[str, ...] = ()
    """One IP address per bank, in bank order; empty for the rehearsal network's addresses."""
    besu_image: str = BESU_IMAGE
    scrypt_n: int = 2**18
    genesis_timestamp: int | None = None


def account_key_name(bank: str) -> str:
    return f"{bank}-account"


def node_key_name(bank: str) -> str:
    return f"{bank}-node"


def default_bank_names(count: int) -> list[str]:
    if count < 1:
        raise KitInvalid("a consortium needs at least one bank")
    return [f"bank-{index}" for index in range(1, count + 1)]


def _check_ip(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise KitInvalid(f"p2p host must be an IP address, got {host!r}") from None


def _new_bank(store: Keystore, name: str, password: str, p2p_host: str) -> BankNode:
    try:
        account = store.create(account_key_name(name), password)
        node_key = store.create(node_key_name(name), password)
    except KeystoreError as exc:
        raise KitInvalid(str(exc)) from None
    identity = node_identity(bytes(node_key.key))
    return BankNode(
        name=name,
        account=account.address,
        validator=identity.validator,
        node_id=identity.node_id,
        p2p_host=p2p_host,
    )


def init_kit(out: Path, banks: Sequence[str], password: str, options: KitOptions | None = None) -> Network:
    """Generate a new kit in ``out`` (absent or empty) for ``banks``; every key is encrypted with
    ``password``. Returns the network; raises ``KitInvalid`` for bad parameters, changing nothing."""
    options = options or KitOptions()
    names = [check_bank_name(name) for name in banks]
    if not names:
        raise KitInvalid("a consortium needs at least one bank")
    if len(set(names)) != len(names):
        raise KitInvalid("bank names must be distinct")
    if options.chain_id <= 0:
        raise KitInvalid("the chain id must be positive")
    if options.block_gas_limit < 1_000_000:
        raise KitInvalid("the block gas limit must be at least 1,000,000")
    if options.p2p_hosts and len(options.p2p_hosts) != len(names):
        raise KitInvalid(f"give one p2p host per bank: {len(names)} banks, {len(options.p2p_hosts)} hosts")
    hosts = [_check_ip(host) for host in options.p2p_hosts] or [rehearsal_host(i) for i in range(len(names))]
    if not password:
        raise KitInvalid("a keystore password must not be empty")
    if out.exists() and any(out.iterdir()):
        raise KitInvalid(f"{out} is not empty: give a new directory for the kit")

    out.mkdir(parents=True, exist_ok=True)
    store = Keystore(out / KEYS_DIR, scrypt_n=options.scrypt_n)
    bank_nodes = tuple(
        _new_bank(store, name, password, host) for name, host in zip(names, hosts, strict=True)
    )
    network = Network(
        chain_id=options.chain_id,
        qbft=options.qbft,
        banks=bank_nodes,
        genesis_validators=tuple(sorted_validators([bank.validator for bank in bank_nodes])),
        genesis_timestamp=int(time.time())
        if options.genesis_timestamp is None
        else options.genesis_timestamp,
        block_gas_limit=options.block_gas_limit,
        besu_image=options.besu_image,
        rehearsal=not options.p2p_hosts,
    )
    save_network(out, network)
    write_kit_files(out, network)
    return network


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def node_dir(kit: Path, bank: str) -> Path:
    return kit / NODES_DIR / bank


DEPLOYMENT_FILE = "deployment.json"


def recorded_permissioning(kit: Path) -> OnchainPermissioning | None:
    """Besu on-chain permissioning as ``consortium deploy`` recorded it in ``deployment.json``, if any."""
    try:
        record = json.loads((kit / DEPLOYMENT_FILE).read_text()).get("besuPermissioning")
    except FileNotFoundError:
        return None
    if not record:
        return None
    return OnchainPermissioning(
        accounts_contract=record["accountsContract"],
        nodes_contract=record["nodesContract"],
        nodes_contract_version=record["nodesContractVersion"] or 2,
    )


def write_kit_files(kit: Path, network: Network, onchain: OnchainPermissioning | None = None) -> None:
    """(Re)render every file derived from ``network``; with ``onchain`` (by default what the deployment
    record says), also each node's ``config.onchain.toml``. The genesis is the same bytes every time (it
    depends only on the genesis validators and parameters, which never change after ``init``)."""
    onchain = onchain or recorded_permissioning(kit)
    genesis = json.dumps(build_genesis(network), indent=2) + "\n"
    permissions = render_permissions(network)
    _write(kit / GENESIS_FILE, genesis)
    _write(kit / STATIC_NODES_FILE, render_static_nodes(static_nodes(network)))
    _write(kit / PERMISSIONS_FILE, permissions)
    if network.rehearsal:
        _write(
            kit / COMPOSE_FILE,
            render_compose(rehearsal_compose(network), "The whole consortium on one Docker host (rehearsal)"),
        )
    for bank in network.banks:
        directory = node_dir(kit, bank.name)
        (directory / "data").mkdir(parents=True, exist_ok=True)
        _write(directory / GENESIS_FILE, genesis)
        _write(directory / CONFIG_FILE, render_config(bank))
        _write(directory / STATIC_NODES_FILE, render_static_nodes(static_nodes(network, bank)))
        _write(directory / PERMISSIONS_FILE, permissions)
        _write(
            directory / COMPOSE_FILE,
            render_compose(node_compose(network, bank), f"Besu node of {bank.name} on its own server"),
        )
        if onchain is not None:
            _write(directory / ONCHAIN_CONFIG_FILE, render_config(bank, onchain))


def open_keystore(kit: Path) -> Keystore:
    return Keystore(kit / KEYS_DIR)


def bank_account(kit: Path, bank: str, password: str) -> LocalAccount:
    """Decrypt ``bank``'s account key; raises ``KeystoreError`` on a wrong password."""
    return open_keystore(kit).load(account_key_name(bank), password)


def export_node_key(kit: Path, bank: str, password: str) -> Path:
    """Decrypt ``bank``'s node key into ``nodes/<bank>/key`` (mode 0600, Besu's format: 0x-hex).

    Run it on the bank's own server, just before the first start; the file is the node's identity.
    Refuses if the keystore's key is not the one in ``network.json`` or another key is already there.
    """
    network = load_network(kit)
    record = network.bank(bank)
    account = open_keystore(kit).load(node_key_name(bank), password)
    if node_identity(bytes(account.key)).node_id != record.node_id:
        raise KitInvalid(f"the node keystore of {bank} does not hold the key of its enode in {NETWORK_FILE}")
    path = node_dir(kit, bank) / NODE_KEY_FILE
    text = "0x" + bytes(account.key).hex() + "\n"
    if path.exists():
        if path.read_text().strip() != text.strip():
            raise KitInvalid(f"{path} holds another key: move it away first (it is a node identity)")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    return path


@dataclass(frozen=True)
class RotatedKey:
    """A validator key rotation: the bank's new node identity and the validator it replaces."""

    network: Network
    bank: BankNode
    old_validator: ChecksumAddress
    retired_keystore: Path


def rotate_node_key(kit: Path, bank: str, password: str, *, scrypt_n: int = 2**18) -> RotatedKey:
    """Give ``bank`` a new node key (a new enode and validator address) and put the new enode on every
    node's static nodes and allowlists. The old keystore is kept as ``keys/<bank>-node-retired-<n>.json``.
    The validator set changes by vote (docs/operations.md): the others remove the old address, the node
    restarts with the new key, the others add the new address."""
    network = load_network(kit)
    record = network.bank(bank)
    store = Keystore(kit / KEYS_DIR, scrypt_n=scrypt_n)
    current = store.load(node_key_name(bank), password)  # proves the password before anything changes
    if node_identity(bytes(current.key)).node_id != record.node_id:
        raise KitInvalid(f"the node keystore of {bank} does not hold the key of its enode in {NETWORK_FILE}")
    if len(network.banks) < 2:
        raise KitInvalid("a lone validator cannot rotate its key by vote")
    try:
        fresh = store.create(f"{node_key_name(bank)}-next", password)
    except KeystoreError as exc:
        raise KitInvalid(f"{exc}: an interrupted rotation? check keys/ by hand") from None
    keys = kit / KEYS_DIR
    serial = 1 + sum(1 for _ in keys.glob(f"{node_key_name(bank)}-retired-*.json"))
    retired = keys / f"{node_key_name(bank)}-retired-{serial}.json"
    (keys / f"{node_key_name(bank)}.json").rename(retired)
    (keys / f"{node_key_name(bank)}-next.json").rename(keys / f"{node_key_name(bank)}.json")
    identity = node_identity(bytes(fresh.key))
    rotated = replace(record, node_id=identity.node_id, validator=identity.validator)
    network = network.with_banks(tuple(rotated if b.name == bank else b for b in network.banks))
    save_network(kit, network)
    write_kit_files(kit, network)
    return RotatedKey(network, rotated, record.validator, retired)


def _free_rehearsal_host(network: Network) -> str:
    used = {bank.p2p_host for bank in network.banks}
    for index in range(200):
        if rehearsal_host(index) not in used:
            return rehearsal_host(index)
    raise KitInvalid("the rehearsal network is full")


def add_bank(
    kit: Path, name: str, password: str, *, p2p_host: str | None = None, scrypt_n: int = 2**18
) -> tuple[Network, BankNode]:
    """Generate a joining bank's keys and node directory, and put its enode and account on every
    node's static nodes and allowlists. Its validator joins by vote (``votes.validator_votes``)."""
    network = load_network(kit)
    check_bank_name(name)
    if name in network.names() or name in network.removed:
        raise KitInvalid(f"a bank named {name!r} is or was in this consortium: choose another name")
    if p2p_host is None:
        if not network.rehearsal:
            raise KitInvalid("give the joining bank's p2p host (its server's IP address)")
        p2p_host = _free_rehearsal_host(network)
    store = Keystore(kit / KEYS_DIR, scrypt_n=scrypt_n)
    bank = _new_bank(store, name, password, _check_ip(p2p_host))
    network = network.with_banks((*network.banks, bank))
    save_network(kit, network)
    write_kit_files(kit, network)
    return network, bank


def remove_bank(kit: Path, name: str) -> tuple[Network, BankNode]:
    """Take a leaving bank off every remaining node's static nodes and allowlists. Its keystores and
    node directory stay (they are the bank's); its validator leaves by vote."""
    network = load_network(kit)
    bank = network.bank(name)
    if len(network.banks) == 1:
        raise KitInvalid("the last bank cannot leave the consortium")
    remaining = tuple(other for other in network.banks if other.name != name)
    network = network.with_banks(remaining, removed=(*network.removed, name))
    save_network(kit, network)
    write_kit_files(kit, network)
    return network, bank
