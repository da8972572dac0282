"""``python -m bench chain``: the embedded chain against anvil, and how lookups and restarts scale.

Figures:
- ``embedded_tx_per_s``, ``anvil_tx_per_s``, ``ratio``: N deposit-token transfers submitted through
  chain_client (sign, allocate nonce, send; all submitted, then every receipt awaited), on each
  backend in the same run. ``raw_*``: the same transfers pre-signed (signing not timed) and sent as
  raw transactions. ``sequential_*``: N/4 typed-wrapper calls one at a time (simulate, sign, send,
  wait), the latency-bound case. Each workload runs on both backends back to back, ``rounds``
  times with the order alternating, and the rates are the means; ``*_ratio_by_round`` gives each
  round's ratio (the machine may be shared, so one round's figures can differ from the next).
- ``receipt_ms_1k`` / ``receipt_ms_10k``: median receipt-by-hash lookup with 1k and 10k blocks of
  history; ``logs_ms_*``: getLogs for one event over a fixed 100-block range; ``restart_s_*``: time to
  reopen the chain and answer its first read.
- ``gas``: gas used by each Consortium and DepositToken operation.
- ``block_ms_100`` / ``block_ms_1000`` and ``block_ratio_1000_vs_100``: blocks of 100 and of 1,000
  transfers mined and committed by the embedded node's miner (``Miner``, run in this process;
  three of 100 and two of 1,000, alternating), median wall time; ``block_cpu_*`` the same in CPU
  time (steadier on a shared machine). The target is a ratio of at most 10 (cost linear in the block).
- ``profile_ms_per_tx`` and ``profile_shares``: where the embedded node's CPU time goes per transfer:
  the miner's stages for the 100-transfer blocks (``execution``, ``tries``, ``state_root``,
  ``writes``), ``recovery`` (decoding a raw transaction and recovering its sender, as admission
  does) and ``simulation`` (``estimate_gas`` of a transfer, as chain_client does before a send that
  names no gas). ``embedded_mining_shares``: the miner's stages during the pipelined run above.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth.vm.forks.prague.transactions import PragueTransactionBuilder
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_canonical_address

from chain_client import ChainClient, compile_contracts
from chain_client.anvil import start_anvil
from chain_client.backends import EmbeddedBackend, JsonRpcBackend
from chain_client.config import DEV_OPERATOR_KEY
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import Foundation, deploy_foundation
from chain_client.embedded.chain import STAGES
from chain_client.embedded.index import LogQuery
from chain_client.embedded.miner import Miner, freeze_heap
from chain_client.embedded.node import CallRequest, EmbeddedNode, Genesis

CHAIN_ID = 1337
ADMIN: LocalAccount = Account.from_key(DEV_OPERATOR_KEY)
PAYEE: LocalAccount = Account.from_key(keccak(text="bench payee"))
GENESIS = Genesis(chain_id=CHAIN_ID, alloc={to_canonical_address(ADMIN.address): 10**27})
TRANSFER_GAS = 120_000


def _progress(message: str) -> None:
    sys.stderr.write(f"  {message}\n")
    sys.stderr.flush()


def _setup(client: ChainClient) -> tuple[Foundation, dict[str, int]]:
    """Deploy, make the admin a bank, allow admin and payee, mint; return the gas of each step."""
    gas: dict[str, int] = {}
    foundation = deploy_foundation(client, ADMIN)
    consortium, token = foundation.consortium, foundation.deposit_token
    gas["grantRole"] = consortium.grant_role(ADMIN, BANK_ROLE, ADMIN.address).receipt.gas_used
    gas["allowAccount"] = consortium.allow_account(ADMIN, ADMIN.address).receipt.gas_used
    consortium.allow_account(ADMIN, PAYEE.address)
    gas["mint"] = token.mint(ADMIN, ADMIN.address, 10**30, keccak(text="bench deposit")).receipt.gas_used
    gas["transfer_first"] = token.transfer(ADMIN, PAYEE.address, 1).receipt.gas_used
    gas["transfer"] = token.transfer(ADMIN, PAYEE.address, 1).receipt.gas_used
    gas["approve"] = token.approve(ADMIN, PAYEE.address, 10).receipt.gas_used
    gas["redeem"] = token.redeem(ADMIN, 5, ADMIN.address, keccak(text="bench redemption")).receipt.gas_used
    gas["pause"] = token.pause(ADMIN).receipt.gas_used
    gas["unpause"] = token.unpause(ADMIN).receipt.gas_used
    return foundation, gas


def _rate(count: int, work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


WORKLOADS = ("tx_per_s", "raw_tx_per_s", "sequential_tx_per_s")


def _workload(client: ChainClient, foundation: Foundation, name: str, count: int) -> float:
    """Transactions per second of one workload (see the module docstring) on ``client``'s backend."""
    token = foundation.deposit_token
    data = token.transfer_data(PAYEE.address, 1)
    if name == "tx_per_s":

        def pipelined() -> None:
            pending = [client.submit(ADMIN, token.address, data, gas=TRANSFER_GAS) for _ in range(count)]
            for each in pending:
                each.wait()

        return _rate(count, pipelined)
    if name == "raw_tx_per_s":
        signed = _sign_transfers(client, token.address, data, client.backend.get_nonce(ADMIN.address), count)

        def raw() -> None:
            hashes = [client.backend.send_raw_transaction(tx) for tx in signed]
            for tx_hash in hashes:
                client.backend.wait_for_receipt(tx_hash, 120)

        return _rate(count, raw)

    def sequential() -> None:
        for _ in range(count // 4):
            token.transfer(ADMIN, PAYEE.address, 1)

    return _rate(count // 4, sequential)


def _throughput(
    backends: dict[str, tuple[ChainClient, Foundation]], count: int, rounds: int
) -> dict[str, dict[str, list[float]]]:
    """Each workload on each backend, ``rounds`` times, alternating the order of the backends from
    one round to the next so that both see the same load on a shared machine."""
    rates: dict[str, dict[str, list[float]]] = {
        name: {workload: [] for workload in WORKLOADS} for name in backends
    }
    order = list(backends)
    for workload in WORKLOADS:
        for round_index in range(rounds):
            for name in order if round_index % 2 == 0 else reversed(order):
                client, foundation = backends[name]
                _progress(f"{name}: {workload}, round {round_index + 1} of {rounds}")
                rates[name][workload].append(_workload(client, foundation, workload, count))
    return rates


def _sign_transfers(
    client: ChainClient, token: ChecksumAddress, data: bytes, first: int, count: int
) -> list[bytes]:
    max_fee = 4 * client.backend.next_base_fee() + 1
    return [
        client.sign_transaction(ADMIN, token, data, nonce=first + offset, gas=TRANSFER_GAS, max_fee=max_fee)
        for offset in range(count)
    ]


def _build_history(
    node: EmbeddedNode, foundation: Foundation, client: ChainClient, blocks: int
) -> list[bytes]:
    """Grow the chain to ``blocks`` blocks, one transaction each; token transfers (with logs) in the
    first 100 blocks measured for getLogs, cheap native transfers elsewhere. Returns sample hashes."""
    token = foundation.deposit_token
    sample: list[bytes] = []
    reported = time.monotonic()
    while (height := node.block_number()) < blocks:
        if height < 200:
            receipt = client.submit(
                ADMIN, token.address, token.transfer_data(PAYEE.address, 1), gas=TRANSFER_GAS
            ).wait()
        else:
            receipt = client.submit(ADMIN, PAYEE.address, value=1, gas=21_000).wait()
        if height % 97 == 0:
            sample.append(receipt.transaction_hash)
        if time.monotonic() - reported > 10:
            _progress(f"history: {height}/{blocks} blocks")
            reported = time.monotonic()
    return sample


def _median_ms(work: Callable[[], Any], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _measure_lookups(
    node: EmbeddedNode, client: ChainClient, samples: list[bytes], token: bytes
) -> dict[str, float]:
    topic = client.abi("DepositToken").event_topic("Transfer")
    query = LogQuery(from_block=100, to_block=199, addresses=[token], topics=[[topic]])

    def lookup_receipts() -> None:
        for tx_hash in samples:
            client.backend.get_receipt(tx_hash)

    return {
        "receipt_ms": _median_ms(lookup_receipts, 20) / len(samples),
        "logs_ms": _median_ms(lambda: node.get_logs(query), 20),
    }


def _scaling() -> dict[str, float]:
    """Lookups and restart with 1k and then 10k blocks of history (the same sizes, quick or not)."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-chain-") as scratch:
        path = Path(scratch) / "chain.db"
        node = EmbeddedNode(path, GENESIS)
        client = ChainClient(EmbeddedBackend(node))
        foundation, _ = _setup(client)
        token = to_canonical_address(foundation.deposit_token.address)
        samples: list[bytes] = []
        for label, blocks in (("1k", 1_000), ("10k", 10_000)):
            _progress(f"growing the chain to {blocks} blocks")
            samples += _build_history(node, foundation, client, blocks)
            for name, value in _measure_lookups(node, client, samples, token).items():
                figures[f"{name}_{label}"] = value
            node.close()
            started = time.perf_counter()
            node = EmbeddedNode(path, GENESIS)
            node.get_receipt(samples[0])
            figures[f"restart_s_{label}"] = time.perf_counter() - started
            client = ChainClient(EmbeddedBackend(node))
        node.close()
    return figures


def _shares(seconds: dict[str, float]) -> dict[str, float]:
    total = sum(seconds.values()) or 1.0
    return {stage: round(value / total, 3) for stage, value in seconds.items()}


def _profile() -> dict[str, object]:
    """Blocks of 100 and 1,000 transfers through the miner, and the per-transfer cost of each stage."""
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-chain-") as scratch:
        path = Path(scratch) / "chain.db"
        node = EmbeddedNode(path, GENESIS)
        client = ChainClient(EmbeddedBackend(node))
        foundation, _ = _setup(client)
        token = foundation.deposit_token
        data = token.transfer_data(PAYEE.address, 1)
        request = CallRequest(
            to=to_canonical_address(token.address), sender=to_canonical_address(ADMIN.address), data=data
        )
        started = time.process_time()  # CPU time, here and below: the machine may be shared
        for _ in range(100):
            node.estimate_gas(request)
        simulation = (time.process_time() - started) / 100
        first = client.backend.get_nonce(ADMIN.address)
        sizes = (100, 1_000, 100, 1_000, 100)  # alternating, so that load on a shared machine hits both
        signed = _sign_transfers(client, token.address, data, first, sum(sizes))
        client.close()

        started = time.process_time()
        senders = [PragueTransactionBuilder.decode(raw).sender for raw in signed]
        recovery = (time.process_time() - started) / len(signed)

        miner = Miner(path, GENESIS)
        freeze_heap()  # as the miner process does once it has started
        timestamp = int(time.time()) + 1_000
        block_ms: dict[int, list[float]] = {100: [], 1_000: []}
        block_cpu_ms: dict[int, list[float]] = {100: [], 1_000: []}
        stages_100: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        offset = 0
        for size in sizes:
            timestamp += 1
            started, started_cpu = time.perf_counter(), time.process_time()
            answer = miner.mine(signed[offset : offset + size], senders[offset : offset + size], timestamp)
            block_ms[size].append((time.perf_counter() - started) * 1000)
            block_cpu_ms[size].append((time.process_time() - started_cpu) * 1000)
            if answer[0] != "mined":
                raise RuntimeError(f"the benchmark's block failed: {answer}")
            if size == 100:
                for stage, seconds in answer[4].items():
                    stages_100[stage] += seconds / (100 * sizes.count(100))
            offset += size
        miner.close()

    per_tx = {**stages_100, "recovery": recovery, "simulation": simulation}
    median = statistics.median
    figures["block_ms_100"] = round(median(block_ms[100]), 1)
    figures["block_ms_1000"] = round(median(block_ms[1_000]), 1)
    figures["block_ratio_1000_vs_100"] = round(median(block_ms[1_000]) / median(block_ms[100]), 2)
    figures["block_cpu_ms_100"] = round(median(block_cpu_ms[100]), 1)
    figures["block_cpu_ms_1000"] = round(median(block_cpu_ms[1_000]), 1)
    figures["block_cpu_ratio_1000_vs_100"] = round(median(block_cpu_ms[1_000]) / median(block_cpu_ms[100]), 2)
    figures["profile_ms_per_tx"] = {stage: round(seconds * 1000, 3) for stage, seconds in per_tx.items()}
    figures["profile_shares"] = _shares(per_tx)
    return figures


def run(quick: bool) -> dict[str, object]:
    compile_contracts()
    count = 300 if quick else 1_000
    rounds = 1 if quick else 2
    figures: dict[str, object] = {"transfers": count, "rounds": rounds}

    embedded_node = EmbeddedNode(None, GENESIS)
    embedded = ChainClient(EmbeddedBackend(embedded_node))
    embedded_foundation, gas = _setup(embedded)
    with start_anvil(chain_id=CHAIN_ID) as anvil:
        remote = ChainClient(JsonRpcBackend(anvil.url))
        anvil_foundation, _ = _setup(remote)
        before = embedded_node.mining_stages()
        rates = _throughput(
            {"embedded": (embedded, embedded_foundation), "anvil": (remote, anvil_foundation)}, count, rounds
        )
        after = embedded_node.mining_stages()
    embedded.close()
    figures["embedded_mining_shares"] = _shares({stage: after[stage] - before[stage] for stage in STAGES})
    figures["embedded_blocks"] = int(after["blocks"] - before["blocks"])

    ratio_names = {
        "tx_per_s": "ratio",
        "raw_tx_per_s": "raw_ratio",
        "sequential_tx_per_s": "sequential_ratio",
    }
    for workload in WORKLOADS:
        embedded_rate = statistics.mean(rates["embedded"][workload])
        anvil_rate = statistics.mean(rates["anvil"][workload])
        figures[f"embedded_{workload}"] = round(embedded_rate, 1)
        figures[f"anvil_{workload}"] = round(anvil_rate, 1)
        figures[ratio_names[workload]] = round(embedded_rate / anvil_rate, 3)
        figures[f"{ratio_names[workload]}_by_round"] = [
            round(mine / theirs, 3)
            for mine, theirs in zip(rates["embedded"][workload], rates["anvil"][workload], strict=True)
        ]
    figures["gas"] = gas
    _progress("profile: blocks of 100 and 1,000 transfers, recovery, simulation")
    figures.update(_profile())
    figures.update({key: round(value, 4) for key, value in _scaling().items()})
    return figures
