"""Deploy the ledger's contracts to the consortium network through chain_client, with the banks' accounts.

The first bank of the kit deploys every contract (``chain_client.deploy.deploy_ledger``) and is the
consortium's administrator until it hands over to the banks' council (``council.hand_over``); it
grants BANK_ROLE to every bank, puts every bank's account on the allow-list and every bank's node on
the node list. The record goes to ``<kit>/deployment.json`` in the format
``chain_client.deploy.load_deployment`` reads, so the service
runs against the network with ``LEDGER_CHAIN__BACKEND=jsonrpc``, ``LEDGER_CHAIN__RPC_URL`` and
``LEDGER_DATA_DIR=<kit>``, the same settings as for anvil.

Running it again is safe: a recorded deployment whose contracts have code is reused, and roles,
allow-list or node-list entries already in place are not sent again.

If the deployed Consortium implements Besu's on-chain permissioning functions, every node directory
gets ``config.onchain.toml`` pointing Besu at it (``node_config.OnchainPermissioning``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from chain_client.compiler import load_artifact
from chain_client.config import ChainSettings, load_settings
from chain_client.connect import connect
from chain_client.consortium.errors import DeploymentMismatch, KitInvalid
from chain_client.consortium.kit import bank_account, write_kit_files
from chain_client.consortium.network import Network, load_network
from chain_client.consortium.node_config import OnchainPermissioning
from chain_client.contracts import BANK_ROLE
from chain_client.contracts.consortium import Enode
from chain_client.deploy import Ledger, deploy_ledger, ledger_at, load_deployment

TRANSACTION_ALLOWED = ["address", "address", "uint256", "uint256", "uint256", "bytes"]
"""Besu ``TransactionSmartContractPermissioningController``: transactionAllowed(...) returns (bool)."""
CONNECTION_ALLOWED = {
    1: ["bytes32", "bytes32", "bytes16", "uint16", "bytes32", "bytes32", "bytes16", "uint16"],
    2: ["string", "string", "uint16"],
}
"""Besu ``NodeSmartContractPermissioningController`` (version 1) and ``...V2...`` (version 2)."""


@dataclass(frozen=True)
class ConsortiumDeployment:
    """What ``deploy_consortium`` did and where everything is."""

    chain_id: int
    contracts: dict[str, ChecksumAddress]
    admin: str
    banks: dict[str, ChecksumAddress]
    permissioning: OnchainPermissioning | None
    record: Path


def _functions(abi: list[dict[str, Any]], name: str) -> list[list[str]]:
    return [
        [item["type"] for item in entry.get("inputs", [])]
        for entry in abi
        if entry.get("type") == "function" and entry.get("name") == name
    ]


def besu_permissioning(
    consortium_abi: list[dict[str, Any]], address: ChecksumAddress
) -> OnchainPermissioning | None:
    """Which of Besu's on-chain permissioning interfaces the Consortium ABI implements, if any."""
    accounts = address if TRANSACTION_ALLOWED in _functions(consortium_abi, "transactionAllowed") else None
    connection = _functions(consortium_abi, "connectionAllowed")
    version = next((v for v, inputs in CONNECTION_ALLOWED.items() if inputs in connection), None)
    if accounts is None and version is None:
        return None
    return OnchainPermissioning(
        accounts_contract=accounts,
        nodes_contract=address if version is not None else None,
        nodes_contract_version=version or 2,
    )


def _admin_account(kit: Path, network: Network, password: str) -> LocalAccount:
    """The first bank's account: the only key the deployment needs (the others' addresses are public)."""
    first = network.banks[0]
    account = bank_account(kit, first.name, password)
    if account.address != first.account:
        raise KitInvalid(f"the account keystore of {first.name} does not match network.json")
    return account


def deploy_consortium(
    kit: Path,
    rpc_url: str,
    password: str,
    *,
    report: Callable[[str], None] = lambda _: None,
    receipt_timeout: float = 60.0,
) -> ConsortiumDeployment:
    """Deploy (or reuse) the ledger on the node at ``rpc_url``: the first bank signs with its account
    key (``password`` decrypts its keystore); every bank's account, from ``network.json``, gets its role.

    Raises ``DeploymentMismatch`` if the node's chain id is not the kit's, ``KeystoreError`` on a wrong
    password, ``ContractReverted`` if the chain refuses a step (nothing after it is sent).
    """
    network = load_network(kit)
    admin = _admin_account(kit, network, password)
    settings = load_settings(
        data_dir=kit,
        chain=ChainSettings(backend="jsonrpc", rpc_url=rpc_url, receipt_timeout_s=receipt_timeout),
    ).chain
    client = connect(settings)
    try:
        if client.chain_id != network.chain_id:
            raise DeploymentMismatch(
                f"the node at {rpc_url} is chain {client.chain_id}, the kit is chain {network.chain_id}"
            )
        admin_bank = network.banks[0]
        addresses = load_deployment(settings.deployment_path, client)
        ledger: Ledger
        if addresses is None:
            report(f"{admin_bank.name} ({admin.address}) deploys the ledger's contracts")
            ledger = deploy_ledger(client, admin)
        else:
            report(f"the ledger recorded in {settings.deployment_path} is deployed: reusing it")
            ledger = ledger_at(client, addresses)
        for name, address in ledger.addresses().items():
            report(f"  {name}: {address}")
        consortium = ledger.foundation.consortium
        for bank in network.banks:
            if not consortium.has_role(BANK_ROLE, bank.account):
                consortium.grant_role(admin, BANK_ROLE, bank.account)
                report(f"granted BANK_ROLE to {bank.name} ({bank.account})")
            if not consortium.is_allowed(bank.account):
                consortium.allow_account(admin, bank.account)
                report(f"allow-listed {bank.name} ({bank.account})")
            enode = Enode.from_url(bank.enode)
            if not consortium.node_allowed(enode):
                consortium.allow_node(admin, enode, bank.account)
                report(f"put {bank.name}'s node on the node list ({bank.enode})")
        permissioning = besu_permissioning(load_artifact("Consortium")["abi"], consortium.address)
        banks = {bank.name: bank.account for bank in network.banks}
        record = _save_record(
            settings.deployment_path,
            client.chain_id,
            ledger.addresses(),
            admin_bank.name,
            banks,
            permissioning,
        )
        report(f"recorded the deployment in {record}")
        if permissioning is None:
            report(
                "the Consortium does not implement Besu's permissioning functions: the nodes keep the "
                "local allowlists (permissions_config.toml)"
            )
        else:
            write_kit_files(kit, network, permissioning)
            report("wrote nodes/<bank>/config.onchain.toml: Besu's on-chain permissioning on the Consortium")
        return ConsortiumDeployment(
            chain_id=client.chain_id,
            contracts=ledger.addresses(),
            admin=admin_bank.name,
            banks=banks,
            permissioning=permissioning,
            record=record,
        )
    finally:
        client.close()


def _save_record(
    path: Path,
    chain_id: int,
    contracts: Mapping[str, ChecksumAddress],
    admin: str,
    banks: Mapping[str, ChecksumAddress],
    permissioning: OnchainPermissioning | None,
) -> Path:
    # chainId and contracts are what chain_client.deploy.load_deployment reads; the rest is for people.
    record: dict[str, Any] = {
        "chainId": chain_id,
        "contracts": dict(contracts),
        "deployedBy": admin,
        "banks": dict(banks),
        "besuPermissioning": None
        if permissioning is None
        else {
            "accountsContract": permissioning.accounts_contract,
            "nodesContract": permissioning.nodes_contract,
            "nodesContractVersion": permissioning.nodes_contract_version
            if permissioning.nodes_contract
            else None,
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path
