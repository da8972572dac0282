"""``python -m api.audit``: export the audit trail, and verify an export against any JSON-RPC node.

``verify EXPORT --rpc URL`` needs nothing of this service: the export (a ``.zip``, its folder or its
``manifest.json``), the compiled ABIs and the node. It prints each row that does not match and exits 1, or
says how many rows it checked and exits 0; an export it cannot read or a node it cannot reach exits 2.
``export`` writes the trail the configured read model holds (``LEDGER_INDEXER__DATABASE_URL``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.audit.trail import ExportUnreadable, TrailFormat, read_export
from api.audit.trail_export import TrailFilters, export_trail
from api.audit.trail_verifier import verify_export
from chain_client.backends.jsonrpc import JsonRpcBackend
from chain_client.errors import ChainClientError
from chain_client.logs import configure_logging

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="The ledger's audit trail: export, verify."
)
console = Console(stderr=True)


@app.callback()
def _setup(log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "WARNING") -> None:
    configure_logging(log_level)


@app.command()
def verify(
    export: Annotated[Path, typer.Argument(help="the export: its .zip, its folder, or its manifest.json")],
    rpc: Annotated[str, typer.Option(help="any Ethereum JSON-RPC node of the ledger's chain")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as one JSON object")] = False,
) -> None:
    """Check every row of EXPORT against the node at --rpc, using only the export, the ABIs and the node."""
    try:
        manifest, data = read_export(export)
    except ExportUnreadable as exc:
        console.print(f"[red]cannot read the export:[/red] {exc}")
        raise typer.Exit(2) from None
    backend = JsonRpcBackend(rpc)
    try:
        report = verify_export(manifest, data, backend, rpc=rpc)
    except ChainClientError as exc:
        console.print(f"[red]the node at {rpc} did not answer:[/red] {exc}")
        raise typer.Exit(2) from None
    finally:
        backend.close()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "rpc": rpc,
                    "chain_id": report.chain_id,
                    "rows_checked": report.rows_checked,
                    "head": manifest.head.model_dump(),
                    "findings": report.lines(),
                    "rows": [finding.position for finding in report.rows],
                },
                ensure_ascii=False,
            )
        )
    else:
        for line in report.lines():
            typer.echo(line)
        verdict = "verified" if report.ok else "DO NOT MATCH"
        typer.echo(
            f"{report.rows_checked} rows of {export} against {rpc} (chain {report.chain_id}, head block "
            f"{manifest.head.number} {manifest.head.hash}): {verdict}"
            + (
                ""
                if report.ok
                else f" (rows named: {len(report.rows)}, events missing: {len(report.missing)})"
            )
        )
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="the .zip to write (data file and manifest.json)")],
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
    pool_id: Annotated[int | None, typer.Option(help="only events of this plan")] = None,
    account: Annotated[str | None, typer.Option(help="only events naming this account")] = None,
    event: Annotated[str | None, typer.Option(help="only this event, e.g. DonationReceived")] = None,
    contract: Annotated[str | None, typer.Option(help="only this contract, e.g. WelfarePools")] = None,
    from_block: Annotated[int | None, typer.Option(help="first block")] = None,
    to_block: Annotated[int | None, typer.Option(help="last block")] = None,
    from_time: Annotated[int | None, typer.Option(help="earliest block time, unix seconds")] = None,
    to_time: Annotated[int | None, typer.Option(help="latest block time, unix seconds")] = None,
) -> None:
    """Write the audit trail of the configured read model (all of it, or what the filters select)."""
    from api.indexer import open_read_model
    from chain_client.config import load_settings

    if fmt not in ("csv", "jsonl"):
        console.print("--format is csv or jsonl")
        raise typer.Exit(2)
    filters = TrailFilters(
        pool_id=pool_id,
        account=account,
        event=event,
        contract=contract,
        from_block=from_block,
        to_block=to_block,
        from_time=from_time,
        to_time=to_time,
    )
    fmt_name: TrailFormat = "csv" if fmt == "csv" else "jsonl"
    made = export_trail(open_read_model(load_settings()), filters, fmt_name)
    out.write_bytes(made.archive())
    typer.echo(
        f"{made.manifest.rows} rows as of block {made.manifest.head.number} ({made.manifest.head.hash}) "
        f"written to {out}"
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
