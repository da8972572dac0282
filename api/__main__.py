"""``python -m api``: run the whole ledger service (``run``), or only the HTTP API (``serve``).

``run`` is what ``scripts/run`` starts, in this order: the embedded node (``python -m chain_client node``, the
only writer of the chain file, serving JSON-RPC), the government-registry stand-in (``python -m oracle
registry-service``), the bootstrap of the consortium and the demo data on first start (idempotent on the
next), then the API in this process with the indexer and the order matcher in background threads. It prints
every URL and the demo logins, and stops the children on Ctrl-C or SIGTERM. Child logs go to
``<data_dir>/logs/``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, BinaryIO

import httpx
import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from api.core.platform import Platform
from api.main import create_app
from chain_client.client import ChainClient
from chain_client.config import Settings, load_settings
from chain_client.connect import connect, open_embedded_node
from chain_client.embedded.rpc_server import RpcServer
from chain_client.logs import configure_logging

app = typer.Typer(add_completion=False, no_args_is_help=True, help="The welfare-aid ledger's HTTP service.")
console = Console(stderr=True, width=max(120, shutil.get_terminal_size().columns))

READY_TIMEOUT_S = 120.0


@app.callback()
def _setup(log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "INFO") -> None:
    configure_logging(log_level)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="listen address (default: LEDGER_API__HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default: LEDGER_API__PORT)")] = None,
) -> None:
    """Serve the HTTP API over the configured chain and its recorded ledger (the node must be reachable)."""
    settings = load_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.api.host,
        port=settings.api.port if port is None else port,
        log_level="warning",
    )


class ChildProcess:
    """A service started by ``run``: its command, its log file, and how to tell it is up."""

    def __init__(self, name: str, args: list[str], log_dir: Path, ready_url: str, rpc: bool) -> None:
        self.name = name
        self.args = args
        self.log_path = log_dir / f"{name}.log"
        self.ready_url = ready_url
        self.rpc = rpc
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", *self.args], stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy()
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode}: see {self.log_path}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if self.rpc:
                    answer = httpx.post(
                        self.ready_url,
                        json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                    )
                    if answer.status_code == 200 and "result" in answer.json():
                        return
                else:
                    httpx.get(self.ready_url)
                    return
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer at {self.ready_url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()


@contextlib.contextmanager
def _children(children: list[ChildProcess]) -> Iterator[None]:
    started: list[ChildProcess] = []
    try:
        for child in children:
            with console.status(f"starting {child.name}"):
                child.start()
                started.append(child)
                child.wait_ready()
            console.print(f"{child.name}: up (log {child.log_path})")
        yield
    finally:
        for child in reversed(started):
            child.stop()


def _print_urls(settings: Settings, rpc_url: str, registry_url: str) -> None:
    api_url = settings.api.url
    table = Table(title="the welfare-aid ledger is running", show_header=False)
    table.add_row("pages (sign in, verify a gift)", f"{api_url}/pages")
    table.add_row("API", api_url)
    table.add_row("API docs (OpenAPI)", f"{api_url}/docs")
    table.add_row("JSON-RPC node", rpc_url)
    table.add_row("registry stand-in", registry_url)
    table.add_row("data directory", str(settings.data_dir.resolve()))
    console.print(table)


def _bootstrap(settings: Settings, client: ChainClient, demo: bool) -> None:
    """Bootstrap the consortium and load the demo data (both idempotent), then print the demo logins."""
    from api.bootstrap import bootstrap_consortium, load_demo, read_logins

    with console.status("bootstrapping the consortium (first start only)"):
        boot = bootstrap_consortium(settings, client)
    if demo:
        with console.status("loading the demo data through the product's own paths (first start only)"):
            load_demo(boot)
    book = read_logins(settings.data_dir)
    if book is None:
        return
    table = Table(title=f"demo logins (password for all: {book.password})")
    for column in ("login", "role", "name", "address"):
        table.add_column(column)
    for login in book.logins:
        table.add_row(login.login, login.role, login.name, login.address)
    console.print(table)
    console.print(
        "sign in: curl -s -X POST -H 'Content-Type: application/json' "
        f'--data \'{{"organisation":"<login>","password":"{book.password}"}}\' {settings.api.url}/auth/password',
        soft_wrap=True,
    )


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


@app.command()
def run(
    demo: Annotated[bool, typer.Option(help="load the demo data on first start")] = True,
    in_process: Annotated[
        bool,
        typer.Option(
            "--in-process",
            help="hold the embedded chain in this process and serve its JSON-RPC from here, instead of "
            "running the node as a process of its own",
        ),
    ] = False,
    exit_after_start: Annotated[
        bool, typer.Option(help="start everything, print, then stop (smoke test)")
    ] = False,
) -> None:
    """Start the node, the registry stand-in, the bootstrap and demo data (first start), and the API with the
    indexer and the matcher; print the URLs and the demo logins."""
    signal.signal(signal.SIGTERM, _interrupt)  # stop the children on SIGTERM too, not only on Ctrl-C
    settings = load_settings()
    chain = settings.chain
    oracle = settings.oracle
    rpc_url = f"http://{chain.rpc_host}:{chain.rpc_port}"
    registry_url = f"http://{oracle.service_host}:{oracle.service_port}"
    log_dir = settings.data_dir / "logs"
    children = [
        ChildProcess("registry", ["oracle", "registry-service"], log_dir, f"{registry_url}/", rpc=False)
    ]
    if not in_process:
        children.insert(
            0,
            ChildProcess(
                "node", ["chain_client", "--log-level", "WARNING", "node"], log_dir, rpc_url, rpc=True
            ),
        )
    with _children(children), _chain(settings, in_process) as (client, served_url):
        _bootstrap(settings, client, demo)
        _print_urls(settings, served_url or rpc_url, registry_url)
        if exit_after_start:
            return
        platform = Platform.open(settings, client=client)
        console.print("running; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run(
                create_app(settings, platform=platform, background=True),
                host=settings.api.host,
                port=settings.api.port,
                log_level="warning",
            )


@contextlib.contextmanager
def _chain(settings: Settings, in_process: bool) -> Iterator[tuple[ChainClient, str | None]]:
    """A client of the chain: through the node process, or over the embedded chain held here (whose
    JSON-RPC this process then serves)."""
    if not in_process:
        # Through the node's URL, never by opening the chain file the node holds.
        rpc_url = f"http://{settings.chain.rpc_host}:{settings.chain.rpc_port}"
        client = connect(settings.chain.model_copy(update={"backend": "jsonrpc", "rpc_url": rpc_url}))
        try:
            yield client, None
        finally:
            client.close()
        return
    node = open_embedded_node(settings.chain)
    try:
        client = connect(settings.chain, node=node)
        with RpcServer(node, settings.chain.rpc_host, settings.chain.rpc_port) as server:
            yield client, server.url
    finally:
        node.close()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
