"""``python -m api.bootstrap``: bootstrap the consortium, load the demo data, print the demo logins.

Each command reads the settings root (``LEDGER_DATA_DIR``, ``LEDGER_CHAIN__*``...) and writes through
chain_client like any other client: the embedded chain in this process, or the node at
``LEDGER_CHAIN__RPC_URL``. Both writing commands are idempotent.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.bootstrap.consortium import bootstrap_consortium
from api.bootstrap.demo import load_demo
from api.bootstrap.logins import read_logins
from chain_client.config import load_settings
from chain_client.connect import connect
from chain_client.logs import configure_logging

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Bootstrap a ledger and load demo data.")
console = Console(stderr=True)

PasswordOption = Annotated[
    str | None, typer.Option(help="the development password of a first bootstrap (default: a random one)")
]


@app.callback()
def _setup(log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "INFO") -> None:
    configure_logging(log_level)


def print_logins() -> None:
    """Print the demo logins and the development password (what ``scripts/run`` shows)."""
    book = read_logins(load_settings().data_dir)
    if book is None:
        console.print("no demo logins yet: run `python -m api.bootstrap consortium` first")
        return
    table = Table(title="demo logins (password sign-in unlocks the keystore of the same name)")
    for column in ("login", "role", "name", "address"):
        table.add_column(column)
    for login in book.logins:
        table.add_row(login.login, login.role, login.name, login.address)
    console.print(table)
    console.print(f"development password of every demo keystore: [bold]{book.password}[/bold]")


@app.command()
def consortium(password: PasswordOption = None) -> None:
    """Deploy (if needed) and bootstrap the consortium: members' keystores, roles, allow-list, gas."""
    settings = load_settings()
    client = connect(settings.chain)
    try:
        with console.status("bootstrapping the consortium"):
            boot = bootstrap_consortium(settings, client, password=password)
        for login, address in boot.addresses.items():
            console.print(f"{login}: {address}")
    finally:
        client.close()


@app.command()
def demo(
    password: PasswordOption = None,
    ocr: Annotated[bool, typer.Option(help="read the institutions' certificates by OCR")] = True,
) -> None:
    """Bootstrap the consortium, then load the demo data through the product's own paths."""
    settings = load_settings()
    client = connect(settings.chain)
    try:
        boot = bootstrap_consortium(settings, client, password=password)
        with console.status("loading the demo data (onboarding by OCR takes a few seconds per institution)"):
            record = load_demo(boot, ocr=ocr)
        table = Table(title="demo transactions to verify")
        table.add_column("what")
        table.add_column("transaction hash")
        for what, tx_hash in record.transactions.items():
            table.add_row(what, tx_hash)
        console.print(table)
    finally:
        client.close()
    print_logins()


@app.command()
def logins() -> None:
    """Print the demo logins recorded in the data directory."""
    print_logins()
