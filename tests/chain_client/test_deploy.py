"""chain_client/deploy.py and ``python -m chain_client node``: the whole ledger deployed and wired,
recorded, found again after a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chain_client import ChainClient
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import LEDGER_CONTRACTS, deploy_ledger, ledger_at, load_deployment, save_deployment
from tests.conftest import ACCOUNTS, open_embedded_client

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_ledger_is_deployed_wired_and_found_from_its_record(tmp_path: Path) -> None:
    client: ChainClient = open_embedded_client()
    try:
        ledger = deploy_ledger(client, ACCOUNTS.admin)
        addresses = ledger.addresses()
        assert tuple(addresses) == LEDGER_CONTRACTS
        assert all(client.backend.get_code(address) for address in addresses.values())
        consortium = ledger.foundation.consortium
        assert consortium.is_allowed(ledger.welfare.pools.address)  # the pools hold deposit tokens
        assert not consortium.has_role(BANK_ROLE, ACCOUNTS.admin.address)

        record = tmp_path / "deployment.json"
        save_deployment(record, client, addresses)
        assert load_deployment(record, client) == addresses
        assert ledger_at(client, addresses).addresses() == addresses

        other_chain = json.loads(record.read_text()) | {"chainId": client.chain_id + 1}
        record.write_text(json.dumps(other_chain))
        assert load_deployment(record, client) is None
        old_layout = {"chainId": client.chain_id, "contracts": {"Consortium": addresses["Consortium"]}}
        record.write_text(json.dumps(old_layout))
        assert load_deployment(record, client) is None
        assert load_deployment(tmp_path / "missing.json", client) is None
    finally:
        client.close()


def test_the_node_command_deploys_once_and_resumes(tmp_path: Path) -> None:
    env = {**os.environ, "LEDGER_DATA_DIR": str(tmp_path)}
    command = [
        sys.executable,
        "-m",
        "chain_client",
        "--log-level",
        "WARNING",
        "node",
        "--port",
        "0",
        "--exit-after-start",
    ]
    first = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    record = json.loads((tmp_path / "deployment.json").read_text())
    second = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    assert json.loads((tmp_path / "deployment.json").read_text()) == record
    for name, address in record["contracts"].items():
        assert name in first.stderr
        assert address in second.stderr
    assert "JSON-RPC: http://127.0.0.1:" in second.stderr
