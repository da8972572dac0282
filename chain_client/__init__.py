"""chain_client: the only Python code in the product that talks to a chain.

``connect()`` builds a ``ChainClient`` for the configured backend (the durable embedded py-evm node
by default, or any JSON-RPC node); typed wrappers in ``chain_client.contracts`` give each contract
its methods; every revert surfaces as one ``ContractReverted(error_name, args)``.
"""

import os

# Keccak is hashed millions of times by py-evm; pysha3 (C) is ~7x faster than eth-hash's default
# pycryptodome backend. eth-hash reads this once, at its first import, so it is set before any.
os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")

from chain_client.client import ChainClient, PendingTransaction, TxResult
from chain_client.compiler import Artifact, compile_contracts, load_artifact
from chain_client.config import ChainSettings, Settings, load_settings
from chain_client.connect import connect, open_embedded_node, operator_account
from chain_client.errors import (
    BackendUnavailable,
    ChainClientError,
    ChainLocked,
    ContractReverted,
    DeploymentMismatch,
    KeystoreError,
    SenderNotPermitted,
    TransactionFailed,
    TransactionRejected,
    TransactionTimeout,
)
from chain_client.keys import Keystore
from chain_client.types import Block, Log, Receipt

__all__ = [
    "Artifact",
    "BackendUnavailable",
    "Block",
    "ChainClient",
    "ChainClientError",
    "ChainLocked",
    "ChainSettings",
    "ContractReverted",
    "DeploymentMismatch",
    "Keystore",
    "KeystoreError",
    "Log",
    "PendingTransaction",
    "Receipt",
    "SenderNotPermitted",
    "Settings",
    "TransactionFailed",
    "TransactionRejected",
    "TransactionTimeout",
    "TxResult",
    "compile_contracts",
    "connect",
    "load_artifact",
    "load_settings",
    "open_embedded_node",
    "operator_account",
]
