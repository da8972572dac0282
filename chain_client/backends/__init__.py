"""The chain backends behind chain_client: the embedded py-evm node and any JSON-RPC node."""

from chain_client.backends.base import Backend
from chain_client.backends.embedded import EmbeddedBackend
from chain_client.backends.jsonrpc import JsonRpcBackend

__all__ = ["Backend", "EmbeddedBackend", "JsonRpcBackend"]
