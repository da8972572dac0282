"""Deploy the ledger's contracts and keep a record of where they are."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from chain_client.client import ChainClient
from chain_client.contracts import Consortium, DepositToken

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
    if any(not client.backend.get_code(address) for address in addresses.values()):
        return None
    return addresses


def foundation_at(client: ChainClient, addresses: dict[str, ChecksumAddress]) -> Foundation:
    return Foundation(
        consortium=Consortium(client, addresses["Consortium"]),
        deposit_token=DepositToken(client, addresses["DepositToken"]),
    )
