"""Deploy the ledger's contracts and keep a record of where they are.

Bootstrap: the deploying account holds the consortium's DEFAULT_ADMIN_ROLE while it wires the contracts, grants
the roles and allow-lists the first accounts (tests and development stay there). A production consortium then
hands over with :func:`chain_client.contracts.hand_over_to_council`: the banks' council, deployed here with the
rest, takes DEFAULT_ADMIN_ROLE and the deployer renounces it, after which every admin action needs a majority of
the banks (docs/contracts.md, "Governance").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from chain_client.client import ChainClient
from chain_client.contracts import (
    LEDGER_CONTRACT_ROLE,
    AidDecisions,
    Consortium,
    ConsortiumCouncil,
    DepositToken,
    InstitutionRegistry,
    PaymentOrderEscrow,
    ResourceTracker,
    WelfareAssets,
    WelfareContracts,
    WelfarePools,
    deploy_aid_decisions,
    deploy_consortium_council,
    deploy_institution_registry,
    deploy_payment_order_escrow,
    deploy_welfare_pools,
)
from chain_client.errors import DeploymentMismatch

DEPOSIT_TOKEN_NAME = "Welfare Deposit CNY"  # noqa: S105 - a token name, not a secret
DEPOSIT_TOKEN_SYMBOL = "dCNY"  # noqa: S105


@dataclass(frozen=True)
class Foundation:
    """The contracts everything else stands on."""

    consortium: Consortium
    deposit_token: DepositToken

    def addresses(self) -> dict[str, ChecksumAddress]:
        return {"Consortium": self.consortium.address, "DepositToken": self.deposit_token.address}


def deploy_foundation(client: ChainClient, admin: LocalAccount) -> Foundation:
    """Deploy Consortium (administered by ``admin``) and the DepositToken that takes roles from it."""
    consortium = Consortium.deploy(client, admin, admin.address)
    token = DepositToken.deploy(client, admin, consortium.address, DEPOSIT_TOKEN_NAME, DEPOSIT_TOKEN_SYMBOL)
    return Foundation(consortium=consortium, deposit_token=token)


@dataclass(frozen=True)
class Ledger:
    """Every contract of the ledger, wired together."""

    foundation: Foundation
    council: ConsortiumCouncil
    registry: InstitutionRegistry
    welfare: WelfareContracts
    escrow: PaymentOrderEscrow
    aid: AidDecisions

    def addresses(self) -> dict[str, ChecksumAddress]:
        return {
            **self.foundation.addresses(),
            "ConsortiumCouncil": self.council.address,
            "InstitutionRegistry": self.registry.address,
            **self.welfare.addresses(),
            "PaymentOrderEscrow": self.escrow.address,
            "AidDecisions": self.aid.address,
        }


LEDGER_CONTRACTS = (
    "Consortium",
    "DepositToken",
    "ConsortiumCouncil",
    "InstitutionRegistry",
    "WelfarePools",
    "WelfareAssets",
    "ResourceTracker",
    "PaymentOrderEscrow",
    "AidDecisions",
)

DEFAULT_ORACLE_THRESHOLD = 2
"""Registry attestations need this many oracle signatures unless the consortium sets another k."""


def deploy_ledger(
    client: ChainClient, admin: LocalAccount, *, oracle_threshold: int = DEFAULT_ORACLE_THRESHOLD
) -> Ledger:
    """Deploy and wire every contract: foundation, the banks' council, institution registry, pools with assets
    and tracker, the payment-order escrow and individual aid. ``admin`` administers the consortium until it hands over to the
    council; the ledger's own contracts get LEDGER_CONTRACT_ROLE (only the consortium may bar them)."""
    foundation = deploy_foundation(client, admin)
    consortium = foundation.consortium
    council = deploy_consortium_council(client, admin, consortium)
    registry = deploy_institution_registry(client, admin, consortium.address, oracle_threshold)
    consortium.grant_role(admin, LEDGER_CONTRACT_ROLE, registry.address)
    welfare = deploy_welfare_pools(
        client, admin, consortium, foundation.deposit_token.address, registry.address
    )
    escrow = deploy_payment_order_escrow(client, admin, welfare)
    consortium.grant_role(admin, LEDGER_CONTRACT_ROLE, escrow.address)
    aid = deploy_aid_decisions(client, admin, escrow)
    return Ledger(
        foundation=foundation, council=council, registry=registry, welfare=welfare, escrow=escrow, aid=aid
    )


def ledger_at(client: ChainClient, addresses: dict[str, ChecksumAddress]) -> Ledger:
    """The deployed ledger from its recorded addresses."""
    return Ledger(
        foundation=foundation_at(client, addresses),
        council=ConsortiumCouncil(client, addresses["ConsortiumCouncil"]),
        registry=InstitutionRegistry(client, addresses["InstitutionRegistry"]),
        welfare=WelfareContracts(
            pools=WelfarePools(client, addresses["WelfarePools"]),
            assets=WelfareAssets(client, addresses["WelfareAssets"]),
            tracker=ResourceTracker(client, addresses["ResourceTracker"]),
        ),
        escrow=PaymentOrderEscrow(client, addresses["PaymentOrderEscrow"]),
        aid=AidDecisions(client, addresses["AidDecisions"]),
    )


def save_deployment(path: Path, client: ChainClient, addresses: dict[str, ChecksumAddress]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"chainId": client.chain_id, "contracts": addresses}
    path.write_text(json.dumps(record, indent=2) + "\n")


def load_deployment(path: Path, client: ChainClient) -> dict[str, ChecksumAddress] | None:
    """The recorded addresses, if the record is for this chain and its contracts have code."""
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    if record.get("chainId") != client.chain_id:
        return None
    addresses: dict[str, ChecksumAddress] = record["contracts"]
    if set(addresses) != set(LEDGER_CONTRACTS):
        return None  # a record from an older layout: deploy afresh
    if any(not client.backend.get_code(address) for address in addresses.values()):
        return None
    return addresses


def recorded_deployment(path: Path, client: ChainClient) -> dict[str, ChecksumAddress] | None:
    """The recorded addresses, None when there is no record; ``DeploymentMismatch`` when the record
    exists but is not this chain's ledger (so that nothing deploys over it silently)."""
    if not path.exists():
        return None
    addresses = load_deployment(path, client)
    if addresses is None:
        raise DeploymentMismatch(
            f"{path} records a ledger that is not on this chain (chain id {client.chain_id}): another "
            "chain id, another contract layout, or contracts without code; a deployment is recorded "
            "once and never redone: move the record aside to deploy a new ledger"
        )
    return addresses


def foundation_at(client: ChainClient, addresses: dict[str, ChecksumAddress]) -> Foundation:
    return Foundation(
        consortium=Consortium(client, addresses["Consortium"]),
        deposit_token=DepositToken(client, addresses["DepositToken"]),
    )
