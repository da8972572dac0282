"""``python -m oracle``: run the registry stand-in, attest, recheck, mine.

The InstitutionRegistry is deployed once, with the rest of the ledger, by ``python -m chain_client deploy``
(or ``node``); this CLI uses the recorded one and never deploys another. With the node running, it writes
through the node's JSON-RPC URL.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.progress import track

from chain_client import ChainSettings, connect, load_settings
from chain_client.config import OracleSettings
from chain_client.contracts import InstitutionRegistry
from chain_client.deploy import load_deployment
from oracle.bank_feed import (
    generate_customers,
    load_customers,
    mine_candidates,
    open_bank_db,
    propose_candidates,
)
from oracle.publisher import AttestationPublisher, OracleOperator, RecordBook
from oracle.recheck import RegistryRecheck
from oracle.registry.adapters import FileRegistryAdapter
from oracle.registry.dataset import ensure_registry, read_registry

app = typer.Typer(add_completion=False, help="Oracles of the welfare-aid ledger.")
console = Console(stderr=True)
REGISTRY_CONTRACT = "InstitutionRegistry"


def _account(key: str) -> LocalAccount:
    account: LocalAccount = Account.from_key(key)
    return account


def _oracles(settings: OracleSettings) -> list[LocalAccount]:
    return [_account(key.get_secret_value()) for key in settings.oracle_keys]


def _registry(chain_settings: ChainSettings) -> InstitutionRegistry:
    client = connect(chain_settings)
    addresses = load_deployment(chain_settings.deployment_path, client) or {}
    if REGISTRY_CONTRACT not in addresses:
        console.print(
            "[red]no InstitutionRegistry recorded for this chain: deploy the ledger once with "
            "`python -m chain_client deploy` (or run `scripts/run`)"
        )
        raise typer.Exit(code=1)
    return InstitutionRegistry(client, addresses[REGISTRY_CONTRACT])


def _publisher(registry: InstitutionRegistry, settings: OracleSettings) -> AttestationPublisher:
    source = FileRegistryAdapter(ensure_registry(settings.registry_file))
    operators = [OracleOperator(oracle, source) for oracle in _oracles(settings)]
    return AttestationPublisher(
        registry,
        operators,
        operators[0].account,
        book=RecordBook(settings.record_book),
        ttl_seconds=settings.ttl_seconds,
    )


@app.command("registry-service")
def registry_service() -> None:
    """Serve the government-registry stand-in (``oracle.registry.service``) over HTTP with uvicorn."""
    import uvicorn

    settings = load_settings().oracle
    try:
        service = importlib.import_module("oracle.registry.service")
    except ModuleNotFoundError:
        console.print("[red]oracle.registry.service is not available in this build")
        raise typer.Exit(code=1) from None
    app_factory = service.create_app
    ensure_registry(settings.registry_file)
    uvicorn.run(app_factory(settings.registry_file), host=settings.service_host, port=settings.service_port)


@app.command()
def attest(codes: Annotated[list[str], typer.Argument(help="unified social credit codes")]) -> None:
    """Read each code's registry record, gather k oracle signatures and record the attestation."""
    root = load_settings()
    settings = root.oracle
    publisher = _publisher(_registry(root.chain), settings)
    for code in track(codes, description="attesting", console=console):
        published = publisher.publish(code)
        state = "found" if published.record is not None else "absent"
        console.print(f"{code}: {state}, attestation 0x{published.attestation_id.hex()}")


@app.command()
def recheck(
    once: Annotated[bool, typer.Option("--once", help="one cycle, then exit")] = False,
) -> None:
    """Re-read approved institutions' records, re-attest, flag material changes (loops unless --once)."""
    root = load_settings()
    settings = root.oracle
    registry = _registry(root.chain)
    publisher = _publisher(registry, settings)
    loop = RegistryRecheck(
        registry, publisher, publisher.operators[0].source, publisher.operators[-1].account
    )
    if not once:
        loop.run_forever(settings.recheck_interval_s)
        return
    with console.status("rechecking"):
        report = loop.run_once()
    console.print(
        f"checked {report.checked}, unchanged {report.unchanged}, re-attested {len(report.reattested)}, "
        f"flagged {len(report.flagged)}, skipped {len(report.skipped)}"
    )
    for account, reasons in report.flagged.items():
        console.print(f"[yellow]flagged {account}: {', '.join(reasons)}")


@app.command()
def mine(
    propose: Annotated[
        bool, typer.Option("--propose", help="attest the candidates' grades on-chain")
    ] = False,
) -> None:
    """Mine the bank's customer base for third-party candidates (hospitals, suppliers, logistics)."""
    settings = load_settings().oracle
    records = read_registry(ensure_registry(settings.registry_file))
    engine = open_bank_db(settings.bank_db)
    load_customers(engine, generate_customers(records))
    candidates = mine_candidates(engine, records)
    for candidate in candidates:
        console.print(
            f"{candidate.credit_code} {candidate.industry.value:<9} {candidate.credit_rating:<3} {candidate.name}"
        )
    console.print(f"{len(candidates)} candidates")
    if propose:
        registry = _registry(load_settings().chain)
        bank = _account(settings.bank_key.get_secret_value())
        for candidate in track(candidates, description="attesting grades", console=console):
            propose_candidates(registry, bank, [candidate])


if __name__ == "__main__":
    app()
