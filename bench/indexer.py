"""``python -m bench indexer``: events indexed per second, and verify-by-hash latency at 10k and 100k transactions.

The history. A demo ledger is bootstrapped and loaded on the embedded chain (``api.bootstrap``: every flow,
real transactions). Then:

* ``node``: real donations (2,000; ``--quick`` 500) are sent to the embedded node, and the indexer's
  ``run_once()`` reads them through chain_client (headers, ``eth_getLogs``, senders): the end-to-end rate on a
  real node, ``events_per_s``.
* ``synthetic``: to reach 10k and 100k transactions (``--quick``: 1k and 10k) without mining them, the indexer
  reads from a chain that serves the real history followed by synthetic blocks made from the real logs of one
  of the demo's donations (same contracts, same event layout; the donor topic, the amount, the block and the
  transaction hash vary), 100 donations a block, each with its block hash, parent hash and sender. These go
  through the indexer's own path (``run_once()``: headers, logs, decoding, the read model's tables), so
  ``events_per_s`` measures the indexer itself, without the node's cost. Verify latency is then sampled
  (``verify_p50_ms``, ``verify_p99_ms``) over 300 of the synthetic donations and the demo's own transactions,
  at each size, and ``p50_ratio`` is the p50 at the larger size over the p50 at the smaller.

Targets (issue 10): at least 5,000 events per second; verify p50 at most 10 ms at 100k transactions and at
most twice its value at 10k. The read model is SQLite in a temporary directory.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address

from api.bootstrap import bootstrap_consortium, load_demo
from api.indexer import EventCatalog, Indexer, ReadModel, open_engine
from api.verify import verify_transaction
from chain_client import ChainClient, connect, load_settings
from chain_client.backends.base import Backend
from chain_client.types import Block, BlockId, Log, LogFilter

PER_BLOCK = 100
DONATION_GAS = 200_000
SAMPLES = 300


def _progress(message: str) -> None:
    sys.stderr.write(f"  {message}\n")
    sys.stderr.flush()


DONATION_TOPIC = keccak(text="DonationReceived(uint256,address,uint256,uint8,uint256,uint256)")
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")


def _synthetic_donor(index: int) -> bytes:
    return keccak(text=f"synthetic donor {index}")[12:]


class SyntheticChain:
    """The real chain up to its head, then ``blocks`` synthetic blocks of donations made from real logs.

    Implements what the indexer reads of a ``Backend``; delegates everything else to the real one.
    """

    def __init__(self, real: Backend, template: tuple[Log, ...], sender: str, blocks: int) -> None:
        self.real = real
        self.name = "synthetic"
        self.real_head = real.block_number()
        self.template = template
        self.sender = to_checksum_address(sender)
        self.blocks = blocks
        head = real.get_block(self.real_head)
        assert head is not None
        self._hashes: dict[int, bytes] = {self.real_head: head.hash}
        self._timestamp = head.timestamp

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def block_number(self) -> int:
        return self.real_head + self.blocks

    def _hash(self, number: int) -> bytes:
        if number not in self._hashes:
            self._hashes[number] = keccak(text=f"synthetic block {number}")
        return self._hashes[number]

    @staticmethod
    def tx_hash(number: int, index: int) -> bytes:
        return keccak(number.to_bytes(8, "big") + index.to_bytes(4, "big"))

    def get_block(self, block: BlockId | bytes) -> Block | None:
        if isinstance(block, bytes) or not isinstance(block, int) or block <= self.real_head:
            return self.real.get_block(block)
        if block > self.block_number():
            return None
        return Block(
            number=block,
            hash=self._hash(block),
            parent_hash=self._hash(block - 1),
            state_root=b"\x00" * 32,
            timestamp=self._timestamp + block - self.real_head,
            gas_used=0,
            gas_limit=0,
            base_fee=0,
            transactions=tuple(self.tx_hash(block, index) for index in range(PER_BLOCK)),
        )

    def get_logs(self, log_filter: LogFilter) -> list[Log]:
        found: list[Log] = []
        if log_filter.from_block <= self.real_head:
            found += self.real.get_logs(
                LogFilter(
                    log_filter.from_block,
                    min(log_filter.to_block, self.real_head),
                    log_filter.addresses,
                    log_filter.topics,
                )
            )
        for number in range(max(log_filter.from_block, self.real_head + 1), log_filter.to_block + 1):
            found += self._logs[number]
        return found

    def _make_logs(self, number: int) -> list[Log]:
        made: list[Log] = []
        block_hash = self._hash(number)
        log_index = 0
        template_donor = self.template_donor
        for index in range(PER_BLOCK):
            donor = _synthetic_donor(index).rjust(32, b"\x00")
            amount = (((number * PER_BLOCK + index) % 97 + 1) * 10**18).to_bytes(32, "big")
            tx_hash = self.tx_hash(number, index)
            for entry in self.template:
                if entry.topics[0] == DONATION_TOPIC:
                    data = entry.data[:32] + amount + entry.data[64:]
                elif entry.topics[0] == TRANSFER_TOPIC:
                    data = amount
                else:
                    continue  # the permit's Approval: not part of a plain donation
                made.append(
                    Log(
                        address=entry.address,
                        topics=tuple(donor if topic == template_donor else topic for topic in entry.topics),
                        data=data,
                        block_number=number,
                        block_hash=block_hash,
                        transaction_hash=tx_hash,
                        transaction_index=index,
                        log_index=log_index,
                    )
                )
                log_index += 1
        return made

    @property
    def template_donor(self) -> bytes:
        return bytes.fromhex(self.sender[2:]).rjust(32, b"\x00")

    def get_transaction(self, tx_hash: bytes) -> dict[str, Any] | None:
        found = self.real.get_transaction(tx_hash)
        if found is not None:
            return found
        # A synthetic transaction: its block is found from the hash's position (the indexer asks per event).
        number, index = self._position[tx_hash]
        return {
            "hash": "0x" + tx_hash.hex(),
            "from": self._donors[index],
            "to": self.template[0].address,
            "blockHash": "0x" + self._hash(number).hex(),
            "blockNumber": hex(number),
        }

    def prepare(self) -> None:
        """Make every synthetic block's logs in advance, so that the indexer's timing excludes making them."""
        self._logs = {
            number: self._make_logs(number) for number in range(self.real_head + 1, self.block_number() + 1)
        }
        self._donors = ["0x" + _synthetic_donor(index).hex() for index in range(PER_BLOCK)]
        self._position = {
            self.tx_hash(number, index): (number, index)
            for number in range(self.real_head + 1, self.block_number() + 1)
            for index in range(PER_BLOCK)
        }


def _donation_template(client: ChainClient, tx_hash: str) -> tuple[Log, ...]:
    receipt = client.backend.get_receipt(bytes.fromhex(tx_hash[2:]))
    assert receipt is not None
    return tuple(receipt.logs)


def _latencies(read_model: ReadModel, hashes: list[str]) -> dict[str, float]:
    for tx_hash in hashes[:20]:
        verify_transaction(read_model, tx_hash)  # warm the statement cache
    timings = []
    for tx_hash in hashes:
        started = time.perf_counter()
        verify_transaction(read_model, tx_hash)
        timings.append((time.perf_counter() - started) * 1_000)
    timings.sort()
    return {
        "verify_p50_ms": round(statistics.median(timings), 3),
        "verify_p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 3),
    }


def _node_rate(
    client: ChainClient, boot: Any, addresses: Mapping[str, str], donations: int, workdir: Path
) -> dict[str, Any]:
    pools = boot.ledger.welfare.pools
    token = boot.ledger.foundation.deposit_token
    donor = boot.wallets.account("donor-1")
    token.approve(donor, pools.address, 2**256 - 1)
    pool_id = 1
    start = client.block_number() + 1
    pending = []
    for index in range(donations):
        data = pools.abi.encode_call("donate", pool_id, 10**15 + index)
        pending.append(client.submit(donor, pools.address, data, gas=DONATION_GAS))
        if len(pending) >= 500:
            for each in pending:
                each.wait()
            pending.clear()
    for each in pending:
        each.wait()
    engine = open_engine(f"sqlite:///{workdir / 'node.db'}")
    indexer = Indexer(
        client, engine, EventCatalog(client, addresses), start_block=start, max_batches_per_cycle=10**6
    )
    started = time.perf_counter()
    report = indexer.run_once()
    elapsed = time.perf_counter() - started
    return {
        "transactions": donations,
        "events": report.events,
        "blocks": report.blocks,
        "events_per_s": round(report.events / elapsed, 1),
    }


def _indexer(chain: SyntheticChain, engine: Any, addresses: Mapping[str, str]) -> Indexer:
    chain.prepare()
    client = ChainClient(chain)
    return Indexer(client, engine, EventCatalog(client, addresses), max_batches_per_cycle=10**6)


def run(quick: bool) -> dict[str, object]:
    sizes = (1_000, 10_000) if quick else (10_000, 100_000)
    workdir = Path(tempfile.mkdtemp(prefix="bench-indexer-"))
    settings = load_settings(data_dir=workdir / "ledger", chain={"keystore_scrypt_n": 1024})
    client = connect(settings.chain)
    try:
        _progress("indexer: bootstrap and demo data (embedded chain)")
        boot = bootstrap_consortium(settings, client, password="bench-password")  # noqa: S106 - a throwaway benchmark ledger
        record = load_demo(boot, ocr=False)
        addresses = dict(boot.ledger.addresses())
        template = _donation_template(client, record.transactions["donation to the open plan"])
        donor = boot.wallets.keystore.address_of("donor-1")
        demo_hashes = list(record.transactions.values())

        _progress("indexer: real donations through the embedded node")
        node = _node_rate(client, boot, addresses, 500 if quick else 2_000, workdir)

        engine = open_engine(f"sqlite:///{workdir / 'synthetic.db'}")
        read_model = ReadModel(engine)
        real = SyntheticChain(client.backend, template, donor, 0)
        _indexer(real, engine, addresses).run_once()  # the real history first
        real_transactions = read_model.status().transactions
        figures: dict[str, object] = {"node": node, "real_transactions": real_transactions}
        p50s = []
        for size in sizes:
            chain = SyntheticChain(client.backend, template, donor, (size - real_transactions) // PER_BLOCK)
            _progress(f"indexer: synthetic history up to {size} transactions")
            before = read_model.status().events
            started = time.perf_counter()
            _indexer(chain, engine, addresses).run_once()
            elapsed = time.perf_counter() - started
            status = read_model.status()
            indexed = status.events - before
            step = max(1, chain.blocks // 60)
            hashes = [
                "0x" + chain.tx_hash(number, index).hex()
                for number in range(chain.real_head + 1, chain.block_number() + 1, step)
                for index in range(0, PER_BLOCK, 20)
            ][:SAMPLES] + demo_hashes
            latency = _latencies(read_model, hashes)
            p50s.append(latency["verify_p50_ms"])
            figures[f"at_{size}"] = {
                "transactions": status.transactions,
                "events": status.events,
                "events_indexed": indexed,
                "events_per_s": round(indexed / elapsed, 1),
                **latency,
            }
        figures["p50_ratio"] = round(p50s[-1] / p50s[0], 2)
        return figures
    finally:
        client.close()
        shutil.rmtree(workdir, ignore_errors=True)
