"""``python -m chain_client node`` as the one writer of its chain (chain_client/embedded/lock.py,
chain_client/connect.py, chain_client/__main__.py): the exclusive lock and its clear error, every other
process writing through the node's URL (permissioned, free gas), deployment recorded once, and two
processes writing at once with no fork and no lost receipt."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from chain_client import ChainLocked, ChainSettings, SenderNotPermitted, connect, load_settings
from chain_client.__main__ import app as chain_cli
from chain_client.backends import JsonRpcBackend
from chain_client.config import DEV_OPERATOR_KEY, DEV_ORACLE_KEYS
from chain_client.contracts import ORACLE_ROLE, Consortium, InstitutionRegistry
from chain_client.deploy import load_deployment
from chain_client.embedded.node import EmbeddedNode, Genesis
from oracle.__main__ import app as oracle_cli
from oracle.registry.dataset import ensure_registry, read_registry
from tests.conftest import ACCOUNTS

REPO_ROOT = Path(__file__).resolve().parents[2]
WRITER_SENDS = 12


@dataclass
class RunningNode:
    process: subprocess.Popen[str]
    data_dir: Path
    url: str
    env: dict[str, str]

    @property
    def settings(self) -> ChainSettings:
        return load_settings(data_dir=self.data_dir).chain


def _wait_for_url(data_dir: Path, process: subprocess.Popen[str]) -> str:
    record = data_dir / "chain" / "node.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the node exited: {process.stderr.read() if process.stderr else ''}")
        if record.exists():
            url = json.loads(record.read_text()).get("rpcUrl")
            if url:
                return str(url)
        time.sleep(0.1)
    raise AssertionError("the node announced no URL")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    data_dir = tmp_path_factory.mktemp("ledger")
    env = {
        **os.environ,
        "LEDGER_DATA_DIR": str(data_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "chain_client", "--log-level", "WARNING", "node", "--port", "0"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield RunningNode(process, data_dir, _wait_for_url(data_dir, process), env)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


@contextmanager
def _cli_logging_restored() -> Iterator[None]:
    """A CLI configures structlog to print to its (runner's, soon closed) stdout: put it back afterwards."""
    saved = structlog.get_config()
    try:
        yield
    finally:
        structlog.configure(**saved)


def _fingerprint(data_dir: Path) -> dict[str, str]:
    chain = data_dir / "chain"
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(chain.iterdir())
        if path.name.startswith("chain.db")
    }


def test_a_second_opener_gets_a_clear_error_and_changes_nothing(running: RunningNode) -> None:
    before = _fingerprint(running.data_dir)
    settings = running.settings
    genesis = Genesis(chain_id=settings.chain_id)
    with pytest.raises(ChainLocked) as raised:
        EmbeddedNode(settings.chain_db_path, genesis)
    assert raised.value.pid == running.process.pid
    assert raised.value.url == running.url
    assert str(running.process.pid) in str(raised.value)
    assert running.url in str(raised.value)
    assert _fingerprint(running.data_dir) == before


def test_connect_writes_through_the_running_node_with_free_gas_and_permissioning(
    running: RunningNode,
) -> None:
    client = connect(running.settings)
    assert isinstance(client.backend, JsonRpcBackend)
    assert client.backend.url == running.url
    addresses = load_deployment(running.settings.deployment_path, client)
    assert addresses is not None
    consortium = Consortium(client, addresses["Consortium"])
    admin = ACCOUNTS.admin  # the development operator
    assert admin.key.hex().removeprefix("0x") == DEV_OPERATOR_KEY.removeprefix("0x")
    if not consortium.is_allowed(ACCOUNTS.alice.address):
        consortium.allow_account(admin, ACCOUNTS.alice.address)
    # alice holds no ether: gas is free
    assert client.balance(ACCOUNTS.alice.address) == 0
    receipt = client.send_value(ACCOUNTS.alice, ACCOUNTS.bob.address, 0)
    assert receipt.succeeded
    # bob is not allow-listed: refused at submission, nothing queued, no nonce taken
    head = client.block_number()
    with pytest.raises(SenderNotPermitted, match="Sender account not authorized to send transactions"):
        client.send_value(ACCOUNTS.bob, ACCOUNTS.alice.address, 0)
    assert client.block_number() == head
    assert client.backend.get_nonce(ACCOUNTS.bob.address, "pending") == 0


def test_deploy_on_a_recorded_ledger_refuses_and_redoes_nothing(running: RunningNode) -> None:
    record = (running.data_dir / "deployment.json").read_text()
    head = connect(running.settings).block_number()
    with _cli_logging_restored():
        deploy = CliRunner().invoke(chain_cli, ["--log-level", "WARNING", "deploy"], env=running.env)
    assert deploy.exit_code == 1
    assert "never redone" in " ".join(deploy.output.split())
    assert (running.data_dir / "deployment.json").read_text() == record
    assert connect(running.settings).block_number() == head


def test_the_oracle_cli_writes_through_the_running_node(running: RunningNode) -> None:
    from eth_account import Account

    client = connect(running.settings)
    addresses = load_deployment(running.settings.deployment_path, client)
    assert addresses is not None
    consortium = Consortium(client, addresses["Consortium"])
    for key in DEV_ORACLE_KEYS:
        oracle = Account.from_key(key.get_secret_value())
        consortium.grant_role(ACCOUNTS.admin, ORACLE_ROLE, oracle.address)
        consortium.allow_account(ACCOUNTS.admin, oracle.address)
    code = read_registry(ensure_registry(running.data_dir / "registry.jsonl"))[0].credit_code
    with _cli_logging_restored():
        attest = CliRunner().invoke(oracle_cli, ["attest", code], env=running.env)
    assert attest.exit_code == 0, attest.output
    found = re.search(r"found, attestation\s+(0x[0-9a-f]{64})", attest.output)
    assert found is not None, attest.output
    registry = InstitutionRegistry(client, addresses["InstitutionRegistry"])
    assert registry.attestation_of(bytes.fromhex(found.group(1)[2:])) is not None


def test_two_writing_processes_make_one_chain_and_lose_no_receipt(running: RunningNode) -> None:
    client = connect(running.settings)
    addresses = load_deployment(running.settings.deployment_path, client)
    assert addresses is not None
    consortium = Consortium(client, addresses["Consortium"])
    for writer in (ACCOUNTS.carol, ACCOUNTS.outsider):
        if not consortium.is_allowed(writer.address):
            consortium.allow_account(ACCOUNTS.admin, writer.address)
    script = (
        "import json, sys\n"
        "from chain_client import connect, load_settings\n"
        "from tests.conftest import ACCOUNTS\n"
        "client = connect(load_settings().chain)\n"
        f"for _ in range({WRITER_SENDS}):\n"
        "    r = client.send_value(ACCOUNTS.outsider, ACCOUNTS.bob.address, 0)\n"
        "    print(json.dumps([r.transaction_hash.hex(), r.block_number, r.block_hash.hex()]), flush=True)\n"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=running.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def send(_: int) -> tuple[str, int, str]:
        receipt = client.send_value(ACCOUNTS.carol, ACCOUNTS.bob.address, 0)
        return receipt.transaction_hash.hex(), receipt.block_number, receipt.block_hash.hex()

    with ThreadPoolExecutor(4) as pool:
        mine = list(pool.map(send, range(WRITER_SENDS)))
    out, err = other.communicate(timeout=180)
    assert other.returncode == 0, err
    theirs = [tuple(json.loads(line)) for line in out.splitlines()]
    assert len(theirs) == WRITER_SENDS

    # One linear chain holding every acknowledged receipt in the block it was acknowledged in.
    backend = client.backend
    for tx_hash, number, block_hash in [*mine, *theirs]:
        receipt = backend.get_receipt(bytes.fromhex(str(tx_hash)))
        assert receipt is not None, f"acknowledged transaction {tx_hash} is lost"
        assert receipt.block_number == number
        assert receipt.block_hash.hex() == block_hash
        block = backend.get_block(int(number))
        assert block is not None
        assert block.hash.hex() == block_hash
    parent = backend.get_block(0)
    for number in range(1, client.block_number() + 1):
        block = backend.get_block(number)
        assert block is not None
        assert parent is not None
        assert block.parent_hash == parent.hash
        parent = block
