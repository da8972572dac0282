"""The embedded chain survives kill -9: every acknowledged transaction is there after a restart, in
a block with the same hash, and the state matches the block header."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from eth_utils import to_canonical_address

from chain_client.embedded.node import EmbeddedNode
from tests.chain_client.durability_sender import GENESIS
from tests.conftest import ACCOUNTS

REPO_ROOT = Path(__file__).resolve().parents[2]
ACKS_BEFORE_KILL = 150


def _run_and_kill(path: Path) -> list[dict[str, object]]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.chain_client.durability_sender", str(path)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    acknowledged = []
    try:
        for line in child.stdout:
            acknowledged.append(json.loads(line))
            if len(acknowledged) >= ACKS_BEFORE_KILL:
                os.kill(child.pid, signal.SIGKILL)  # mid-stream: more transactions are queued and mining
                break
    finally:
        child.kill()
        child.wait()
    assert len(acknowledged) >= ACKS_BEFORE_KILL, "the sender died before it was killed"
    return acknowledged


def test_every_acknowledged_transaction_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "chain.db"
    acknowledged = _run_and_kill(path)

    with EmbeddedNode(path, GENESIS) as node:
        for ack in acknowledged:
            receipt = node.get_receipt(bytes.fromhex(str(ack["tx"])))
            assert receipt is not None, f"acknowledged transaction {ack['tx']} is lost"
            assert int(receipt["blockNumber"], 16) == ack["block"]
            block = node.get_block(int(str(ack["block"])))
            assert block is not None
            assert block["hash"] == "0x" + str(ack["hash"])
        # The state is the one the head block commits to, and it goes on from there.
        head = node.block_number()
        assert head >= max(int(str(ack["block"])) for ack in acknowledged)
        bob_balance = node.get_balance(to_canonical_address(ACCOUNTS.bob.address))
        assert bob_balance >= len(acknowledged)
        assert bob_balance == node.get_nonce(to_canonical_address(ACCOUNTS.admin.address))


def test_a_second_kill_after_a_restart_loses_nothing_either(tmp_path: Path) -> None:
    path = tmp_path / "chain.db"
    first = _run_and_kill(path)
    second = _run_and_kill(path)
    with EmbeddedNode(path, GENESIS) as node:
        for ack in first + second:
            block = node.get_block(int(str(ack["block"])))
            assert block is not None
            assert block["hash"] == "0x" + str(ack["hash"])
