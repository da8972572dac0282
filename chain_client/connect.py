"""Build a ``ChainClient`` from settings: the embedded node or a JSON-RPC URL."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_canonical_address

from chain_client.backends.base import Backend
from chain_client.backends.embedded import EmbeddedBackend
from chain_client.backends.jsonrpc import JsonRpcBackend
from chain_client.client import ChainClient
from chain_client.config import ChainSettings, load_settings
from chain_client.embedded.node import EmbeddedNode, Genesis


def operator_account(settings: ChainSettings) -> LocalAccount:
    """The funded account that deploys the contracts and pays gas for onboarding."""
    account: LocalAccount = Account.from_key(settings.operator_key.get_secret_value())
    return account


def open_embedded_node(settings: ChainSettings) -> EmbeddedNode:
    """Open (or create) the durable embedded chain in ``settings.data_dir``."""
    genesis = Genesis(
        chain_id=settings.chain_id,
        gas_limit=settings.block_gas_limit,
        alloc={to_canonical_address(operator_account(settings).address): settings.operator_balance_wei},
    )
    return EmbeddedNode(settings.chain_db_path, genesis)


def connect(settings: ChainSettings | None = None, *, node: EmbeddedNode | None = None) -> ChainClient:
    """A client for the configured backend; pass ``node`` to share an already open embedded node."""
    settings = settings or load_settings().chain
    backend: Backend
    if node is not None:
        backend = EmbeddedBackend(node, owns_node=False)
    elif settings.backend == "embedded":
        backend = EmbeddedBackend(open_embedded_node(settings))
    else:
        backend = JsonRpcBackend(settings.rpc_url, timeout=settings.receipt_timeout_s)
    return ChainClient(
        backend,
        receipt_timeout=settings.receipt_timeout_s,
        # Only this process can write to an embedded chain, so thread locks suffice there; a node
        # behind a URL may have other processes sending from the same accounts.
        nonce_lock_dir=None if isinstance(backend, EmbeddedBackend) else settings.nonce_lock_dir,
    )
