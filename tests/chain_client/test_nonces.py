"""chain_client/nonces.py: concurrent senders from one account never collide, in threads on every
backend and in separate processes against a JSON-RPC node."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chain_client import ChainClient
from chain_client.anvil import AnvilProcess
from chain_client.backends import JsonRpcBackend
from tests.conftest import ACCOUNTS

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_threads_sending_from_one_account_get_distinct_nonces(chain: ChainClient) -> None:
    sender, to = ACCOUNTS.alice, ACCOUNTS.bob.address
    start = chain.backend.get_nonce(sender.address)
    before = chain.balance(to)

    def send_five(_: int) -> list[int]:
        receipts = [chain.submit(sender, to, value=1, gas=21_000).wait() for _ in range(5)]
        return [chain.backend.get_transaction(r.transaction_hash)["nonce"] for r in receipts]  # type: ignore[index]

    with ThreadPoolExecutor(max_workers=6) as pool:
        nonces = [int(nonce, 16) for batch in pool.map(send_five, range(6)) for nonce in batch]
    assert sorted(nonces) == list(range(start, start + 30))
    assert chain.balance(to) == before + 30


@pytest.mark.anvil
def test_processes_sending_from_one_account_get_distinct_nonces(anvil: AnvilProcess, tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from chain_client import ChainClient\n"
        "from chain_client.backends import JsonRpcBackend\n"
        "from tests.conftest import ACCOUNTS\n"
        "client = ChainClient(JsonRpcBackend(sys.argv[1]), nonce_lock_dir=Path(sys.argv[2]))\n"
        "for _ in range(10):\n"
        "    client.submit(ACCOUNTS.carol, ACCOUNTS.bob.address, value=1, gas=21_000).wait()\n"
    )
    client = ChainClient(JsonRpcBackend(anvil.url))
    client.send_value(ACCOUNTS.admin, ACCOUNTS.carol.address, 10**18)
    start = client.backend.get_nonce(ACCOUNTS.carol.address)
    children = [
        subprocess.Popen([sys.executable, "-c", script, anvil.url, str(tmp_path)], cwd=REPO_ROOT)
        for _ in range(3)
    ]
    assert [child.wait(timeout=120) for child in children] == [0, 0, 0]
    assert client.backend.get_nonce(ACCOUNTS.carol.address, "latest") == start + 30
