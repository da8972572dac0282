"""Start and stop a local anvil node (Foundry, from npm): the independent JSON-RPC chain for tests
and benchmarks. anvil is a development tool; the consortium runs Besu (see docs/)."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from chain_client.errors import BackendUnavailable

REPO_ROOT = Path(__file__).resolve().parent.parent
ANVIL_BINARY = REPO_ROOT / "node_modules" / ".bin" / "anvil"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class AnvilProcess:
    """A running anvil; ``url`` is its JSON-RPC endpoint on loopback."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> AnvilProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_anvil(
    *,
    chain_id: int = 1337,
    port: int | None = None,
    gas_limit: int = 60_000_000,
    base_fee: int | None = None,
    timeout: float = 30.0,
    timestamp: int | None = None,
) -> AnvilProcess:
    """Start anvil on loopback with the same chain id, hardfork and gas limit as the embedded chain.

    ``base_fee=0`` makes it a free-gas chain like the ledger's node (anvil keeps a zero base fee constant);
    by default it starts at 1 gwei and follows EIP-1559.

    With ``timestamp`` the chain's clock is frozen like the embedded node's ``frozen_clock``: the genesis
    block is at ``timestamp``, each block one second after its parent (``anvil_setBlockTimestampInterval``),
    and only ``evm_setNextBlockTimestamp`` (the backend's ``advance_time``) moves it further.
    """
    if not ANVIL_BINARY.exists():
        raise BackendUnavailable(f"anvil is not installed at {ANVIL_BINARY}; run scripts/test (npm install)")
    port = port or free_port()
    process = subprocess.Popen(
        [
            str(ANVIL_BINARY),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--chain-id",
            str(chain_id),
            "--hardfork",
            "prague",
            "--gas-limit",
            str(gas_limit),
            "--silent",
            *(() if base_fee is None else ("--base-fee", str(base_fee))),
            *(() if timestamp is None else ("--timestamp", str(timestamp))),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise BackendUnavailable(f"anvil exited with {process.returncode}: {stderr.strip()}")
        try:
            httpx.post(
                url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1
            )
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        if timestamp is not None:
            answer = httpx.post(
                url,
                json={"jsonrpc": "2.0", "id": 2, "method": "anvil_setBlockTimestampInterval", "params": [1]},
                timeout=5,
            ).json()
            if "error" in answer:
                process.kill()
                raise BackendUnavailable(f"anvil refused a fixed block interval: {answer['error']}")
        return AnvilProcess(process, url)
    process.kill()
    raise BackendUnavailable(f"anvil did not answer on {url} within {timeout} s")
