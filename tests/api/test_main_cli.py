"""``python -m api run``: the service starts, bootstraps the consortium, prints its URLs and logins, and stops."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.api, pytest.mark.slow]  # two starts with a bootstrap: about a minute


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_run_bootstraps_prints_urls_and_logins_and_stops(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LEDGER_DATA_DIR": str(tmp_path / "var"),
        "LEDGER_API__PORT": str(_free_port()),
        "LEDGER_CHAIN__RPC_PORT": str(_free_port()),
        "LEDGER_ORACLE__SERVICE_PORT": str(_free_port()),
        "LEDGER_CHAIN__KEYSTORE_SCRYPT_N": "1024",
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "api", "--log-level", "WARNING", "run", "--in-process", "--no-demo"]
    first = subprocess.run(
        [*command, "--exit-after-start"], env=env, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == 0, first.stderr[-3000:]
    for expected in (
        "registry: up",
        "bank-a",
        "regulator",
        "oracle-3",
        "password for all",
        env["LEDGER_API__PORT"],
    ):
        assert expected in first.stderr, expected
    assert (tmp_path / "var" / "deployment.json").exists()
    # The second start finds everything in place: the same chain and the same logins.
    second = subprocess.run(
        [*command, "--exit-after-start"], env=env, capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 0, second.stderr[-3000:]
    password = first.stderr.split("password for all: ")[1].split(")")[0]
    assert f"password for all: {password})" in second.stderr
