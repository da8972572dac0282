"""chain_client/embedded/miner.py: the miner process (and the fork server it comes from) dies with
its node, and a node whose miner dies starts another and loses nothing it acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from eth_utils import to_canonical_address

from chain_client.embedded.node import EmbeddedNode
from tests.chain_client.durability_sender import GENESIS
from tests.chain_client.test_embedded_node import _transfer
from tests.conftest import ACCOUNTS

REPO_ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _gone(pid: int, within: float = 30.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            return True
        if state == "Z":  # exited, waiting for its (new) parent to reap it
            return True
        time.sleep(0.05)
    return False


def test_the_miner_dies_with_a_node_killed_by_sigkill(tmp_path: Path) -> None:
    sender = subprocess.Popen(
        [sys.executable, "-m", "tests.chain_client.durability_sender", str(tmp_path / "chain.db")],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert sender.stdout is not None
        sender.stdout.readline()  # one acknowledged transaction: the miner is up and mining
        started = _descendants(sender.pid)  # the miner, and the fork server it was started from
        assert len(started) >= 2
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        survivors = [pid for pid in started if not _gone(pid)]
        assert survivors == [], "a process of the node outlived it (the miner could still write the chain)"
    finally:
        sender.kill()
        sender.wait()
    with EmbeddedNode(tmp_path / "chain.db", GENESIS) as node:  # the only writer now
        head = node.block_number()
        node.wait_for_receipt(node.send_raw_transaction(_transfer(node.get_nonce(_admin(), "pending"))), 60)
        assert node.block_number() == head + 1


def _admin() -> bytes:
    return to_canonical_address(ACCOUNTS.admin.address)


def test_a_node_whose_miner_is_killed_starts_another(tmp_path: Path) -> None:
    with EmbeddedNode(tmp_path / "chain.db", GENESIS) as node:
        first = node.send_raw_transaction(_transfer(0))
        acknowledged = node.wait_for_receipt(first, 60)
        miner_pid = node._miner_process.pid
        assert miner_pid in _descendants(os.getpid())
        os.kill(miner_pid, signal.SIGKILL)
        second = node.send_raw_transaction(_transfer(1))
        receipt = node.wait_for_receipt(second, 60)
        assert int(receipt["blockNumber"], 16) == int(acknowledged["blockNumber"], 16) + 1
        assert node.get_receipt(first) == acknowledged
        assert node.get_nonce(_admin()) == 2
