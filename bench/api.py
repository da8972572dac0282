"""The HTTP API under load: donations per second and their latency with 50 concurrent clients, and
verify-by-hash latency, against the stack ``scripts/run`` starts (``python -m api run``).

The benchmark starts the whole service in a fresh data directory on free ports (node, registry stand-in,
bootstrap and demo data, API with the indexer and the matcher), signs in as a demo bank over HTTP,
creates the donors' keystores, has the bank allow-list and fund them through the API, and then lets 50
clients, each signed in with its own password session, donate to the demo's open plan as fast as the
service answers. Latency is measured per request at the client (``POST /donations`` returns once the
gift is in a block). Finally it asks ``GET /verify/{tx_hash}`` for donations it made.

Verify-by-hash at 10k and 100k transactions (``--quick``: 1k and 10k) cannot use that stack: its own
indexer follows the real chain, and mining 100k transactions takes longer than a benchmark should. So the
second part serves the same app (``create_app``, uvicorn, HTTP on a free port) over a demo ledger on the
embedded chain whose read model is grown with the indexer benchmark's synthetic donations
(:class:`bench.indexer.SyntheticChain`: real logs of a demo donation, 100 a block, read by the real indexer),
and times ``GET /verify/{tx_hash}`` over HTTP at each size.

Figures: ``api_donations_per_s``, ``api_donation_p50_ms``, ``api_donation_p99_ms``, ``api_donation_errors``,
``api_cpu_ms_per_donation`` (CPU time of each of the stack's processes over the donation phase, divided by the
donations: ``api``, ``node``, ``miner``, ``other``, and ``bench`` for this process's own clients; read from
``/proc``, so Linux only), ``api_verify_p50_ms`` (through the stack, at its size after the run);
``verify_http`` with ``at_<size>``: ``p50_ms``, ``p99_ms`` and ``p50_ratio`` (the larger size's p50 over the
smaller's).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from eth_account import Account
from eth_account.signers.local import LocalAccount

from api.bootstrap import bootstrap_consortium, load_demo
from api.core.platform import Platform
from api.indexer import EventCatalog, Indexer, ReadModel, open_engine
from api.main import create_app
from bench.indexer import PER_BLOCK, SyntheticChain
from chain_client.backends.jsonrpc import JsonRpcBackend
from chain_client.client import ChainClient
from chain_client.config import ChainSettings, load_settings
from chain_client.connect import connect, operator_account
from chain_client.keys import Keystore

CLIENTS = 50
DONATION = "0.01"
BENCH_PASSWORD = "bench donors' password"  # noqa: S105 - generated keystores of a throw-away ledger
START_TIMEOUT_S = 900.0
VERIFY_SAMPLES = 300
STACK = ["api", "--log-level", "WARNING", "run"]
"""What ``scripts/run`` runs (``python -m api ...``)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Stack:
    """``python -m api run`` in a fresh data directory on free ports."""

    data_dir: Path
    env: dict[str, str]
    api_url: str
    rpc_url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    @classmethod
    def fresh(cls, data_dir: Path) -> Stack:
        api_port, rpc_port, registry_port = _free_port(), _free_port(), _free_port()
        env = {
            **os.environ,
            "LEDGER_DATA_DIR": str(data_dir),
            "LEDGER_API__PORT": str(api_port),
            "LEDGER_CHAIN__RPC_PORT": str(rpc_port),
            "LEDGER_ORACLE__SERVICE_PORT": str(registry_port),
        }
        return cls(data_dir, env, f"http://127.0.0.1:{api_port}", rpc_url=f"http://127.0.0.1:{rpc_port}")

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "bench-stack.log"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", *STACK],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited with {self.process.returncode}: see {self.log_path}")
            try:
                if httpx.get(f"{self.api_url}/ledger", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError(f"the API did not come up within {START_TIMEOUT_S:.0f} s: see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _sign_in(http: httpx.Client, organisation: str, password: str) -> dict[str, str]:
    answer = http.post("/auth/password", json={"organisation": organisation, "password": password})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _open_plan(http: httpx.Client, data_dir: Path) -> int:
    demo = json.loads((data_dir / "demo.json").read_text(encoding="utf-8"))
    for pool_id in demo.get("plans", {}).values():
        if http.get(f"/plans/{pool_id}").json().get("status") == "open":
            return int(pool_id)
    raise RuntimeError("the demo data has no open plan to donate to")


def _gas_payer(stack: Stack) -> tuple[ChainClient, LocalAccount] | None:
    """Where the node charges for gas (not a free-gas node), a client and the operator's account to fund
    the donors with; None where gas is free."""
    client = ChainClient(JsonRpcBackend(stack.rpc_url))
    if client.backend.next_base_fee() == 0:
        client.close()
        return None
    return client, operator_account(ChainSettings())


def _prepare_donors(
    http: httpx.Client, stack: Stack, bank: dict[str, str], count: int, each: int
) -> list[str]:
    keystore = Keystore(stack.data_dir / "keys", scrypt_n=2**10)
    payer = _gas_payer(stack)
    names = []
    for index in range(count):
        name = f"bench-donor-{index}"
        account = keystore.import_key(name, bytes(Account.create().key), BENCH_PASSWORD)
        if payer is not None:
            payer[0].send_value(payer[1], account.address, 10**18)
        http.post(f"/accounts/{account.address}/allow", headers=bank).raise_for_status()
        http.post(
            "/deposit-tokens/mint",
            json={"to": account.address, "amount": str(each), "bank_reference": f"bench {name}"},
            headers=bank,
        ).raise_for_status()
        names.append(name)
    if payer is not None:
        payer[0].close()
    return names


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    tx_hashes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _donor(
    api_url: str,
    name: str,
    pool_id: int,
    count: int,
    barriers: tuple[threading.Barrier, threading.Barrier],
    results: Results,
) -> None:
    signed_in, start = barriers
    with httpx.Client(base_url=api_url, timeout=60) as http:
        headers = _sign_in(http, name, BENCH_PASSWORD)
        signed_in.wait()
        start.wait()
        for _ in range(count):
            began = time.perf_counter()
            answer = http.post("/donations", json={"pool_id": pool_id, "amount": DONATION}, headers=headers)
            took = time.perf_counter() - began
            with results.lock:
                if answer.status_code == 201:
                    results.latencies.append(took)
                    results.tx_hashes.append(answer.json()["tx_hash"])
                else:
                    results.errors.append(f"{answer.status_code} {answer.text[:200]}")


def _process_cpu(root: int) -> dict[str, float]:
    """CPU seconds (user + system) of ``root`` and every process under it, by role (``/proc``, Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, float, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, command)
    family = {root}
    for _ in range(4):  # the stack, its children, the node's fork server, its miners
        family |= {pid for pid, (parent, _, _) in table.items() if parent in family}
    totals: dict[str, float] = {}
    for pid in family & table.keys():
        _, seconds, command = table[pid]
        if pid == root:
            role = "api"
        elif "-m chain_client" in command:
            role = "node"
        elif "chain_client.embedded.miner" in command:
            role = "miner"
        else:
            role = "other"
        totals[role] = totals.get(role, 0.0) + seconds
    return totals


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _donations(stack: Stack, per_client: int) -> tuple[dict[str, Any], list[str]]:
    with httpx.Client(base_url=stack.api_url, timeout=60) as http:
        logins = json.loads((stack.data_dir / "demo-logins.json").read_text(encoding="utf-8"))
        bank_login = next(login["login"] for login in logins["logins"] if login["role"] == "bank")
        bank = _sign_in(http, bank_login, logins["password"])
        pool_id = _open_plan(http, stack.data_dir)
        print(f"preparing {CLIENTS} donors", file=sys.stderr)
        donors = _prepare_donors(http, stack, bank, CLIENTS, per_client)
    results = Results()
    signed_in, start = threading.Barrier(CLIENTS + 1), threading.Barrier(CLIENTS + 1)
    threads = [
        threading.Thread(
            target=_donor, args=(stack.api_url, name, pool_id, per_client, (signed_in, start), results)
        )
        for name in donors
    ]
    for thread in threads:
        thread.start()
    signed_in.wait()
    root = stack.process.pid if stack.process is not None else os.getpid()
    cpu_before = _process_cpu(root)
    own_before = _own_cpu()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu_after = _process_cpu(root)
    own = _own_cpu() - own_before
    done = len(results.latencies)
    per_donation = {
        role: round(1000 * (seconds - cpu_before.get(role, 0.0)) / done, 2) if done else None
        for role, seconds in sorted(cpu_after.items())
    }
    per_donation["bench"] = round(1000 * own / done, 2) if done else None
    figures = {
        "api_clients": CLIENTS,
        "api_donations": done,
        "api_donation_errors": len(results.errors),
        "api_donations_per_s": round(done / elapsed, 1) if elapsed else 0.0,
        "api_donation_p50_ms": round(1000 * _percentile(results.latencies, 0.50), 1) if done else None,
        "api_donation_p99_ms": round(1000 * _percentile(results.latencies, 0.99), 1) if done else None,
        "api_cpu_ms_per_donation": per_donation,
    }
    if results.errors:
        print(f"first errors: {results.errors[:3]}", file=sys.stderr)
    return figures, results.tx_hashes


def _verify(stack: Stack, tx_hashes: list[str], samples: int) -> dict[str, Any]:
    with httpx.Client(base_url=stack.api_url, timeout=60) as http:
        deadline = time.monotonic() + 120
        last = tx_hashes[-1]
        while http.get(f"/verify/{last}").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)  # the indexer catches up in the background
        latencies = []
        for tx_hash in tx_hashes[:: max(1, len(tx_hashes) // samples)][:samples]:
            began = time.perf_counter()
            answer = http.get(f"/verify/{tx_hash}")
            latencies.append(time.perf_counter() - began)
            answer.raise_for_status()
        block = http.get("/ledger").json()["as_of"]["block_number"]
    return {
        "api_verify_p50_ms": round(1000 * statistics.median(latencies), 2),
        "api_verify_blocks": block,
    }


def _http_latencies(http: httpx.Client, hashes: list[str]) -> dict[str, float]:
    for tx_hash in hashes[:20]:
        http.get(f"/verify/{tx_hash}").raise_for_status()  # warm the statement cache
    timings = []
    for tx_hash in hashes:
        began = time.perf_counter()
        http.get(f"/verify/{tx_hash}").raise_for_status()
        timings.append(1000 * (time.perf_counter() - began))
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p99_ms": round(_percentile(timings, 0.99), 2),
    }


def _verify_at_sizes(workdir: Path, sizes: tuple[int, int]) -> dict[str, object]:
    """``GET /verify`` over HTTP with the read model grown to each size (see the module docstring)."""
    settings = load_settings(data_dir=workdir / "ledger", chain={"keystore_scrypt_n": 2**10})
    client = connect(settings.chain)
    try:
        print("verify: bootstrap and demo data on the embedded chain", file=sys.stderr)
        boot = bootstrap_consortium(settings, client, password=BENCH_PASSWORD)
        record = load_demo(boot, ocr=False)
        addresses = dict(boot.ledger.addresses())
        donation = client.backend.get_receipt(
            bytes.fromhex(record.transactions["donation to the open plan"][2:])
        )
        assert donation is not None
        donor = boot.wallets.keystore.address_of("donor-1")
        engine = open_engine(f"sqlite:///{workdir / 'verify.db'}")
        read_model = ReadModel(engine)

        def grow(chain: SyntheticChain) -> None:
            chain.prepare()
            synthetic = ChainClient(chain)
            Indexer(
                synthetic, engine, EventCatalog(synthetic, addresses), max_batches_per_cycle=10**6
            ).run_once()

        grow(SyntheticChain(client.backend, donation.logs, donor, 0))
        real = read_model.status().transactions
        platform = Platform.build(settings, client, boot.ledger, in_memory=True)
        platform.read_model = read_model
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(platform=platform), port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        figures: dict[str, object] = {}
        p50s = []
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                while http.get("/ledger").status_code != 200:
                    time.sleep(0.1)
                for size in sizes:
                    chain = SyntheticChain(client.backend, donation.logs, donor, (size - real) // PER_BLOCK)
                    print(f"verify: read model grown to {size} transactions", file=sys.stderr)
                    grow(chain)
                    step = max(1, chain.blocks // 60)
                    hashes = [
                        "0x" + chain.tx_hash(number, index).hex()
                        for number in range(chain.real_head + 1, chain.block_number() + 1, step)
                        for index in range(0, PER_BLOCK, 20)
                    ][:VERIFY_SAMPLES] + list(record.transactions.values())
                    latency = _http_latencies(http, hashes)
                    p50s.append(latency["p50_ms"])
                    figures[f"at_{size}"] = {"transactions": read_model.status().transactions, **latency}
        finally:
            server.should_exit = True
            thread.join(timeout=30)
        figures["p50_ratio"] = round(p50s[-1] / p50s[0], 2)
        return figures
    finally:
        client.close()


def run(quick: bool) -> dict[str, object]:
    per_client = 4 if quick else 20
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        stack = Stack.fresh(Path(tmp) / "var")
        print("starting the stack (python -m api run)", file=sys.stderr)
        stack.start()
        try:
            figures, tx_hashes = _donations(stack, per_client)
            if tx_hashes:
                figures.update(_verify(stack, tx_hashes, 50 if quick else 200))
        finally:
            stack.stop()
        figures["verify_http"] = _verify_at_sizes(Path(tmp), (1_000, 10_000) if quick else (10_000, 100_000))
    return figures
