"""``python -m chain_client admin``: grant and revoke roles, allow-list accounts, fund gas, by hand.

Signed by the consortium admin: by default the configured operator key (``LEDGER_CHAIN__OPERATOR_KEY``, the
development key unless set), or an encrypted keystore (``--keystore consortium-admin``, password prompted).
``allow`` may also be signed by a bank's keystore (a bank allow-lists its own customers). Every command is
idempotent and says whether it changed anything; a refusal prints the contract's error and exits 1.
"""

from __future__ import annotations

from typing import Annotated

import typer
from eth_account.signers.local import LocalAccount
from eth_utils import is_address, to_checksum_address
from rich.console import Console

from chain_client.administration import ROLES, ensure_allowed, ensure_gas, ensure_role, revoke_role
from chain_client.client import ChainClient
from chain_client.config import load_settings
from chain_client.connect import connect, operator_account
from chain_client.contracts.consortium import Consortium
from chain_client.deploy import load_deployment
from chain_client.errors import ChainClientError, ContractReverted
from chain_client.keys import Keystore

admin_app = typer.Typer(no_args_is_help=True, help="Consortium administration: roles, allow-list, gas.")
console = Console(stderr=True)

KeystoreOption = Annotated[
    str | None, typer.Option("--keystore", help="sign with this keystore (default: the operator key)")
]


def _address(value: str) -> str:
    if not is_address(value):
        raise typer.BadParameter(f"{value!r} is not an account address")
    return str(to_checksum_address(value))


def _role(name: str) -> bytes:
    try:
        return ROLES[name.lower()]
    except KeyError:
        raise typer.BadParameter(f"unknown role {name!r}; one of {', '.join(ROLES)}") from None


def _signer(keystore: str | None) -> LocalAccount:
    settings = load_settings().chain
    if keystore is None:
        return operator_account(settings)
    password = typer.prompt(f"password of {keystore}", hide_input=True)
    return Keystore(settings.keystore_dir, scrypt_n=settings.keystore_scrypt_n).load(keystore, password)


def _consortium() -> tuple[ChainClient, Consortium]:
    settings = load_settings().chain
    client = connect(settings)
    addresses = load_deployment(settings.deployment_path, client)
    if addresses is None:
        client.close()
        console.print(f"[red]no ledger deployment of this chain is recorded in {settings.deployment_path}")
        raise typer.Exit(code=1)
    return client, Consortium(client, addresses["Consortium"])


def _report(changed: bool, done: str, already: str) -> None:
    console.print(done if changed else already)


@admin_app.command("grant-role")
def grant_role(role: str, account: str, keystore: KeystoreOption = None) -> None:
    """Grant ROLE (admin, bank, regulator, oracle, government) to ACCOUNT."""
    wanted, target = _role(role), _address(account)
    signer = _signer(keystore)
    client, consortium = _consortium()
    try:
        changed = ensure_role(consortium, signer, wanted, target)
    except ContractReverted as exc:
        console.print(f"[red]refused: {exc}")
        raise typer.Exit(code=1) from None
    finally:
        client.close()
    _report(changed, f"granted {role} to {target}", f"{target} already holds {role}")


@admin_app.command("revoke-role")
def revoke_role_command(role: str, account: str, keystore: KeystoreOption = None) -> None:
    """Revoke ROLE from ACCOUNT."""
    wanted, target = _role(role), _address(account)
    signer = _signer(keystore)
    client, consortium = _consortium()
    try:
        changed = revoke_role(consortium, signer, wanted, target)
    except ContractReverted as exc:
        console.print(f"[red]refused: {exc}")
        raise typer.Exit(code=1) from None
    finally:
        client.close()
    _report(changed, f"revoked {role} from {target}", f"{target} does not hold {role}")


@admin_app.command("allow")
def allow(account: str, keystore: KeystoreOption = None) -> None:
    """Put ACCOUNT on the consortium's allow-list (it may then transact and hold deposit tokens)."""
    target = _address(account)
    signer = _signer(keystore)
    client, consortium = _consortium()
    try:
        changed = ensure_allowed(consortium, signer, target)
    except ContractReverted as exc:
        console.print(f"[red]refused: {exc}")
        raise typer.Exit(code=1) from None
    finally:
        client.close()
    _report(changed, f"allowed {target}", f"{target} is already allowed")


@admin_app.command("disallow")
def disallow(account: str, keystore: KeystoreOption = None) -> None:
    """Take ACCOUNT off the allow-list."""
    target = _address(account)
    signer = _signer(keystore)
    client, consortium = _consortium()
    try:
        if consortium.is_allowed(target):
            consortium.disallow_account(signer, target)
            changed = True
        else:
            changed = False
    except ContractReverted as exc:
        console.print(f"[red]refused: {exc}")
        raise typer.Exit(code=1) from None
    finally:
        client.close()
    _report(changed, f"disallowed {target}", f"{target} is not on the allow-list")


@admin_app.command("fund")
def fund(
    account: str,
    ether: Annotated[float, typer.Option(min=0.0, help="gas money to send, in ether")] = 10.0,
    keystore: KeystoreOption = None,
) -> None:
    """Send ACCOUNT gas money (native currency) if it holds less than a tenth of ETHER."""
    target = _address(account)
    signer = _signer(keystore)
    settings = load_settings().chain
    client = connect(settings)
    try:
        changed = ensure_gas(client, signer, target, int(ether * 10**18))
    except ChainClientError as exc:
        console.print(f"[red]refused: {exc}")
        raise typer.Exit(code=1) from None
    finally:
        client.close()
    _report(changed, f"sent {ether} ether to {target}", f"{target} already holds enough gas money")
