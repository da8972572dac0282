"""``python -m api.indexer``: run the indexer, catch up once, show how far it is, reset the read model."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from api.indexer.database import create_schema, open_engine, write_transaction
from api.indexer.errors import IndexerError
from api.indexer.schema import metadata
from api.indexer.service import open_indexer, open_read_model
from chain_client.config import load_settings
from chain_client.connect import connect
from chain_client.errors import ChainClientError
from chain_client.logs import configure_logging

app = typer.Typer(add_completion=False, no_args_is_help=True, help="The read model of the ledger's events.")
console = Console(stderr=True)


@app.callback()
def _setup(log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "INFO") -> None:
    configure_logging(log_level)


@app.command()
def once() -> None:
    """Catch up once (bounded batches) and print how far the read model is."""
    settings = load_settings()
    client = connect(settings.chain)
    try:
        report = open_indexer(settings, client).run_once()
    except (IndexerError, ChainClientError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=1) from None
    finally:
        client.close()
    console.print(
        f"indexed {report.blocks} blocks, {report.events} events; as of block {report.indexed_to} "
        f"(node head {report.head}); reorganisations: {len(report.reorganisations)}"
    )


@app.command()
def run() -> None:
    """Follow the chain until interrupted (Ctrl-C or SIGTERM)."""
    settings = load_settings()
    client = connect(settings.chain)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        indexer = open_indexer(settings, client)
        console.print(f"indexing into {settings.indexer.url}; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            indexer.run_forever(stop)
    except (IndexerError, ChainClientError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=1) from None
    finally:
        client.close()


@app.command()
def status() -> None:
    """Print the read model's chain, contracts and newest indexed block."""
    state = open_read_model(load_settings()).status()
    console.print_json(state.model_dump_json())


@app.command()
def reset(yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False) -> None:
    """Empty the read model (it is rebuilt from the chain by the next run); the directory of names is kept."""
    settings = load_settings()
    if not yes:
        typer.confirm(f"empty the read model at {settings.indexer.url}?", abort=True)
    engine = open_engine(settings.indexer.url)
    with write_transaction(engine) as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name != "directory":
                table.drop(connection)
    create_schema(engine)
    console.print("read model emptied")


if __name__ == "__main__":
    app()
