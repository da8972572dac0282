"""``python -m chain_client``: compile the contracts, run the embedded chain, deploy, manage keys, and
the bank consortium's Besu network kit (``consortium``)."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chain_client.admin_cli import admin_app
from chain_client.client import ChainClient
from chain_client.compiler import compile_contracts
from chain_client.config import ChainSettings, load_settings
from chain_client.connect import connect, open_embedded_node, operator_account
from chain_client.consortium.cli import consortium_app
from chain_client.deploy import Ledger, deploy_ledger, ledger_at, recorded_deployment, save_deployment
from chain_client.embedded.rpc_server import RpcServer
from chain_client.errors import ChainClientError
from chain_client.keys import Keystore
from chain_client.logs import configure_logging

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="The ledger's chain: compile, run, deploy."
)
keys_app = typer.Typer(no_args_is_help=True, help="Encrypted organisation keystores.")
app.add_typer(keys_app, name="keys")
app.add_typer(admin_app, name="admin")
app.add_typer(consortium_app, name="consortium")
console = Console(stderr=True)


@app.callback()
def _setup(log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "INFO") -> None:
    configure_logging(log_level)


@app.command("compile")
def compile_command(
    force: Annotated[bool, typer.Option(help="compile even if nothing changed")] = False,
) -> None:
    """Compile contracts/ with the offline solcjs build into chain_client/artifacts."""
    with console.status("compiling contracts"):
        out = compile_contracts(force=force)
    console.print(f"artifacts in {out}")


def _ensure_ledger(client: ChainClient, settings: ChainSettings) -> Ledger:
    """The recorded ledger, or a new one deployed and recorded when there is no record.

    A record that does not match this chain raises ``DeploymentMismatch``: nothing is redeployed.
    """
    addresses = recorded_deployment(settings.deployment_path, client)
    if addresses is not None:
        return ledger_at(client, addresses)
    with console.status("deploying the ledger's contracts"):
        ledger = deploy_ledger(client, operator_account(settings))
    save_deployment(settings.deployment_path, client, ledger.addresses())
    return ledger


def _print_ledger(client: ChainClient, ledger: Ledger, rpc_url: str) -> None:
    table = Table(title=f"chain {client.chain_id}, block {client.block_number()}")
    table.add_column("contract")
    table.add_column("address")
    for name, address in ledger.addresses().items():
        table.add_row(name, address)
    console.print(table)
    console.print(
        f"JSON-RPC: {rpc_url} (every read method; eth_sendRawTransaction from accounts the Consortium "
        "allows; gas is free)"
    )
    console.print(
        "try: curl -s -X POST -H 'Content-Type: application/json' "
        f'--data \'{{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}}\' {rpc_url}',
        soft_wrap=True,
    )


@app.command()
def node(
    host: Annotated[str | None, typer.Option(help="JSON-RPC host (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="JSON-RPC port (default from settings)")] = None,
    exit_after_start: Annotated[
        bool, typer.Option(help="start, deploy, print, then stop (smoke test)")
    ] = False,
) -> None:
    """Run the durable embedded chain as a node: JSON-RPC for reads and for transactions signed by
    accounts the Consortium allows, free gas, the contracts deployed once.

    The node holds the chain's data directory exclusively; other processes (``python -m oracle``,
    the API, wallets) write through its JSON-RPC URL.
    """
    settings = load_settings().chain
    compile_contracts()
    embedded = open_embedded_node(settings)
    client = connect(settings, node=embedded)
    try:
        ledger = _ensure_ledger(client, settings)
        with RpcServer(
            embedded, host or settings.rpc_host, settings.rpc_port if port is None else port
        ) as server:
            _print_ledger(client, ledger, server.url)
            if not exit_after_start:
                stop = threading.Event()
                signal.signal(signal.SIGTERM, lambda *_: stop.set())
                console.print("running; Ctrl-C to stop")
                with contextlib.suppress(KeyboardInterrupt):
                    stop.wait()
    finally:
        embedded.close()


@app.command()
def deploy() -> None:
    """Deploy the contracts once and record them (LEDGER_CHAIN__BACKEND / LEDGER_CHAIN__RPC_URL; through the
    running node when there is one). Refuses when a deployment is already recorded: nothing is redone."""
    settings = load_settings().chain
    client = connect(settings)
    try:
        recorded = recorded_deployment(settings.deployment_path, client)
        if recorded is not None:
            for name, address in recorded.items():
                console.print(f"{name}: {address}")
            console.print(
                f"[red]refused:[/red] the ledger is already deployed and recorded in "
                f"{settings.deployment_path}; a deployment is recorded once and never redone"
            )
            raise typer.Exit(code=1)
        for name, address in _ensure_ledger(client, settings).addresses().items():
            console.print(f"{name}: {address}")
    finally:
        client.close()


@keys_app.command("create")
def keys_create(
    name: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create an encrypted keystore for organisation account NAME."""
    settings = load_settings().chain
    store = Keystore(settings.keystore_dir, scrypt_n=settings.keystore_scrypt_n)
    account = store.create(name, password)
    console.print(f"{name}: {account.address}")


@keys_app.command("list")
def keys_list() -> None:
    """List the keystores and their addresses (no password needed)."""
    settings = load_settings().chain
    store = Keystore(settings.keystore_dir, scrypt_n=settings.keystore_scrypt_n)
    for name in store.names():
        console.print(f"{name}: {store.address_of(name)}")


def main() -> None:
    try:
        app()
    except ChainClientError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
