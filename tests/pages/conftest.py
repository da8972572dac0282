"""The world of the browser tests: one demo ledger and one running app per session, driven by Debian's Chromium.

Built once: a bootstrapped ledger with the demo data (``load_demo(ocr=False)``, as the indexer and verify suites
build theirs) on an embedded node held in this process, its JSON-RPC served on a free port (what the pages'
"check it yourself" panel and the audit-trail verifier talk to), and the real app (``create_app``, the API
and the pages) served by uvicorn on another free port with the indexer and the order matcher running in
background threads, exactly as ``python -m api run`` runs them. Playwright drives ``/usr/bin/chromium``
headless (no browser download); each test gets a fresh browser context (its own cookies) and saves a
screenshot in its ``tmp_path``.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from api.bootstrap import Bootstrapped, DemoRecord, bootstrap_consortium, load_demo
from api.core.platform import Platform
from api.indexer import open_indexer, open_read_model
from api.main import create_app
from chain_client import ChainClient, Settings, connect, load_settings
from chain_client.connect import open_embedded_node
from chain_client.embedded.node import EmbeddedNode
from chain_client.embedded.rpc_server import RpcServer
from oracle.registry.adapters import FileRegistryAdapter

PASSWORD = "pages-test-password"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 60_000
"""How long a page may take to show what a test waits for (the indexer follows the chain in the background)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class PagesWorld:
    url: str
    rpc_url: str
    settings: Settings
    client: ChainClient
    node: EmbeddedNode
    boot: Bootstrapped
    demo: DemoRecord
    platform: Platform

    def caught_up(self) -> int:
        """Wait until the app's read model has indexed the chain's latest block; returns that block."""
        target = self.client.block_number()
        read_model = self.platform.read_model
        assert read_model is not None
        deadline = time.monotonic() + WAIT_MS / 1000
        while (read_model.as_of_block() or -1) < target:
            assert time.monotonic() < deadline, "the indexer did not catch up"
            time.sleep(0.05)
        return target

    def token(self, login: str) -> str:
        answer = httpx.post(f"{self.url}/auth/password", json={"organisation": login, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["token"]
        return token


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test process keeps its own handlers
        pass


@pytest.fixture(scope="session")
def pages_world() -> Iterator[PagesWorld]:
    data_dir = Path(tempfile.mkdtemp(prefix="pages-world-"))
    api_port, rpc_port = free_port(), free_port()
    url = f"http://127.0.0.1:{api_port}"
    settings = load_settings(
        data_dir=data_dir,
        chain={"keystore_scrypt_n": 1024, "rpc_port": rpc_port},
        api={"port": api_port, "public_url": url},
        indexer={"poll_interval_seconds": 0.1},
        orders={"matcher_interval_seconds": 0.2},
    )
    node = open_embedded_node(settings.chain)
    client = connect(settings.chain, node=node)
    rpc = RpcServer(node, "127.0.0.1", rpc_port).start()
    server: _Server | None = None
    thread: threading.Thread | None = None
    try:
        boot = bootstrap_consortium(settings, client, password=PASSWORD)
        demo = load_demo(boot, ocr=False)
        platform = Platform.build(
            settings, client, boot.ledger, registry_source=FileRegistryAdapter(settings.oracle.registry_file)
        )
        platform.read_model = open_read_model(settings)
        platform.background.extend([open_indexer(settings, client), platform.matcher()])
        app = create_app(settings, platform=platform, background=True)
        server = _Server(uvicorn.Config(app, host="127.0.0.1", port=api_port, log_level="warning"))
        thread = threading.Thread(target=server.run, name="pages-app", daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive(), "the app stopped"
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.05)
        world = PagesWorld(url, rpc.url, settings, client, node, boot, demo, platform)
        world.caught_up()
        yield world
    finally:
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout=30)
        rpc.stop()
        client.close()
        node.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser: Browser, pages_world: PagesWorld) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) that downloads files, on a phone-sized or desktop viewport."""
    made = browser.new_context(
        base_url=pages_world.url, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    made.set_default_timeout(WAIT_MS)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, login: str, *, lang: str = "en") -> None:
    """Sign in on the pages as ``login`` with the demo password (the API's password sign-in)."""
    page.goto(f"/pages/sign-in?lang={lang}")
    page.fill("input[name=organisation]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert "/pages/sign-in" not in page.url, page.inner_text("main")


def screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    """Save a full-page screenshot in the test's output folder."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path
