"""Run one benchmark, or all of them, and print the figures as JSON on the last line."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from typing import Annotated, cast

import typer

from bench import BENCHMARKS
from chain_client.logs import configure_logging

Figures = dict[str, object]

app = typer.Typer(add_completion=False, help="Run the ledger's benchmarks.")


def _load(name: str) -> Callable[[bool], Figures]:
    module = importlib.import_module(BENCHMARKS[name])
    return cast(Callable[[bool], Figures], module.run)


@app.command()
def main(
    name: Annotated[str, typer.Argument(help=f"one of: {', '.join(BENCHMARKS)}, or 'all'")],
    quick: Annotated[
        bool, typer.Option("--quick", help="smaller workloads, for CI and a first look")
    ] = False,
) -> None:
    """Run benchmark NAME (or 'all') and print its figures as one JSON object on the last line."""
    if name != "all" and name not in BENCHMARKS:
        typer.echo(f"unknown benchmark {name!r}; choose one of: {', '.join(BENCHMARKS)}, all", err=True)
        raise typer.Exit(code=2)
    configure_logging("WARNING")
    names = list(BENCHMARKS) if name == "all" else [name]
    figures: dict[str, object] = {}
    for each in names:
        typer.echo(f"== bench {each}{' (quick)' if quick else ''}", err=True)
        result = _load(each)(quick)
        figures.update(result if name != "all" else {each: result})
    sys.stdout.write(json.dumps(figures, sort_keys=True) + "\n")


if __name__ == "__main__":
    app()
