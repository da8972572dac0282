"""Build a ``ChainClient`` from settings: the embedded node, the node that already runs it, or a URL.

A chain has one writer. ``connect()`` with the embedded backend opens the chain file itself when no
node holds it; when a node does (``python -m chain_client node``, ``scripts/run``), it writes through
that node's JSON-RPC URL, read from the record the node keeps beside the chain (``embedded/lock.py``),
exactly as it would through anvil or Besu. A node that holds the chain but serves no JSON-RPC gives
``ChainLocked``.
"""

from __future__ import annotations

import json
from pathlib import Path

import structlog
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_address, to_canonical_address

from chain_client.backends.base import Backend
from chain_client.backends.embedded import EmbeddedBackend
from chain_client.backends.jsonrpc import JsonRpcBackend
from chain_client.client import ChainClient
from chain_client.config import ChainSettings, load_settings
from chain_client.embedded.admission import AccountPermissioning
from chain_client.embedded.node import EmbeddedNode, Genesis
from chain_client.errors import ChainLocked

log = structlog.get_logger(__name__)

FREE_GAS_BASE_FEE = 0
"""The embedded ledger's base fee: zero, and it stays zero (Besu ``zeroBaseFee``): gas is free, so no
user ever needs ether; account permissioning decides who may transact."""


def operator_account(settings: ChainSettings) -> LocalAccount:
    """The genesis operator: deploys the contracts; the only sender before the Consortium exists."""
    account: LocalAccount = Account.from_key(settings.operator_key.get_secret_value())
    return account


def recorded_consortium(deployment_path: Path, chain_id: int) -> bytes | None:
    """The Consortium's canonical address from the deployment record, if it is there and for ``chain_id``."""
    try:
        record = json.loads(deployment_path.read_text())
    except (OSError, ValueError):
        return None
    address = record.get("contracts", {}).get("Consortium") if isinstance(record, dict) else None
    if record.get("chainId") != chain_id or not isinstance(address, str) or not is_address(address):
        return None
    return to_canonical_address(address)


class _RecordedConsortium:
    """Reads the deployment record until it names the Consortium, then keeps that address (a
    deployment is recorded once and never redone)."""

    def __init__(self, deployment_path: Path, chain_id: int) -> None:
        self._path = deployment_path
        self._chain_id = chain_id
        self._found: bytes | None = None

    def __call__(self) -> bytes | None:
        if self._found is None:
            self._found = recorded_consortium(self._path, self._chain_id)
        return self._found


def open_embedded_node(settings: ChainSettings) -> EmbeddedNode:
    """Open (or create) the durable embedded chain in ``settings.data_dir``, as a permissioned,
    free-gas node: the Consortium's ``transactionAllowed`` admits each transaction (before the
    Consortium is recorded, only the operator may send) and the base fee is zero for good.

    Raises ``ChainLocked`` when another process holds the chain (it names that node's PID and URL).
    """
    operator = to_canonical_address(operator_account(settings).address)
    genesis = Genesis(
        chain_id=settings.chain_id,
        gas_limit=settings.block_gas_limit,
        base_fee=FREE_GAS_BASE_FEE,
        alloc={operator: settings.operator_balance_wei},
    )
    permissioning = AccountPermissioning(
        operator=operator, consortium=_RecordedConsortium(settings.deployment_path, settings.chain_id)
    )
    return EmbeddedNode(settings.chain_db_path, genesis, permissioning=permissioning)


def connect(settings: ChainSettings | None = None, *, node: EmbeddedNode | None = None) -> ChainClient:
    """A client for the configured backend; pass ``node`` to share an already open embedded node.

    With the embedded backend and a node already running on ``settings.data_dir``, the client writes
    through that node's JSON-RPC URL. Raises ``ChainLocked`` if the holder announces no URL.
    """
    settings = settings or load_settings().chain
    backend: Backend
    if node is not None:
        backend = EmbeddedBackend(node, owns_node=False)
    elif settings.backend == "embedded":
        try:
            backend = EmbeddedBackend(open_embedded_node(settings))
        except ChainLocked as locked:
            if locked.url is None:
                raise
            log.info(
                "the chain is held by a running node; writing through it", pid=locked.pid, url=locked.url
            )
            backend = JsonRpcBackend(locked.url, timeout=settings.receipt_timeout_s)
    else:
        backend = JsonRpcBackend(settings.rpc_url, timeout=settings.receipt_timeout_s)
    return ChainClient(
        backend,
        receipt_timeout=settings.receipt_timeout_s,
        # Only this process can write to an embedded chain it opened, so thread locks suffice there;
        # a node behind a URL may have other processes sending from the same accounts.
        nonce_lock_dir=None if isinstance(backend, EmbeddedBackend) else settings.nonce_lock_dir,
    )
