"""The embedded node's miner, in a process of its own so that mining uses the second core.

py-evm is pure Python: in one process the EVM, the trie and state-root work, the signature checks
of admission, the JSON-RPC layer and the callers' own work all share one GIL. The node therefore
keeps admission, reads and receipts in its own process and hands each block's transactions to this
process, which executes them, builds and writes the block and its indexes in one SQLite transaction,
commits it (the fsync) and only then answers. The node acknowledges a transaction only after that
answer, so durability is unchanged: a receipt is handed out only for a block that is on disk.

The miner opens the same SQLite file with its own connection; the node's reader sees each block once
it is committed (WAL mode). Miners are forked from a small fork server (``_ForkServer``), never from
the node's own process. The miner never outlives the node: it stops when its pipe to the node
closes, and both it and the fork server carry a parent-death signal (Linux ``PR_SET_PDEATHSIG``), so
a node killed with ``kill -9`` takes its miner with it even mid-block, and a restarted node is the
only writer of the file.

Requests, one at a time over a pipe (``multiprocessing.connection``): ``("mine", raw_transactions,
senders, timestamp)`` answered by ``("mined", number, hash, next_base_fee, stages)`` or
``("failed", reason)`` (the block was rolled back; nothing of it was written); ``("reload",)``
after the node replaced the database under it (``revert``); ``("stop",)``.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from eth._utils.address import generate_contract_address
from eth.abc import BlockAPI, ComputationAPI, ReceiptAPI, SignedTransactionAPI
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth_typing import BlockNumber
from eth_utils import keccak

from chain_client.embedded import rpc_json
from chain_client.embedded.chain import build_block, chain_class
from chain_client.embedded.index import ChainIndex
from chain_client.embedded.store import SqliteKeyValueStore, open_database

if TYPE_CHECKING:
    from chain_client.embedded.node import Genesis

log = structlog.get_logger(__name__)

_PR_SET_PDEATHSIG = 1
_SERVER_COMMAND = "from chain_client.embedded.miner import _fork_server; _fork_server({fd})"


class MiningFailed(Exception):
    """The miner could not build the block; nothing of it was written."""


class MinerDied(MiningFailed):
    """The miner process is gone (killed, or crashed); its open block was never committed."""


@dataclass(frozen=True)
class MinedBlock:
    """A block the miner has committed (fsynced)."""

    number: int
    hash: bytes
    next_base_fee: int
    stages: dict[str, float]
    """CPU seconds spent in each of ``chain.STAGES`` (writes: the block, its index rows, the commit)."""


class _ForkServer:
    """Starts miner processes by forking a small server process of this module.

    Not a plain fork of the node's process: its other threads may be inside SQLite at that moment
    (holding its process-wide mutexes), and SQLite's in-process lock bookkeeping for the chain's
    file would be copied into the child. The server is a fresh interpreter (started once per
    process, with py-evm and this module imported) that never opens a database and has one thread,
    so each miner forked from it starts clean, in about 0.1 s. Unlike multiprocessing's fork server
    it does not re-import the program's main module in each child. The server dies with the node
    (parent-death signal, and the end of its control socket); each miner dies with the server.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None

    def start_miner(self, path: Path, genesis: Genesis) -> tuple[Connection, int]:
        """A new miner on ``path``: the node's end of its pipe, and its process id."""
        with self._lock:
            for attempt in range(2):
                node_end, miner_end = socket.socketpair()
                try:
                    control = self._ensure_running()
                    request = pickle.dumps((str(path), genesis))
                    socket.send_fds(
                        control, [len(request).to_bytes(4, "big") + request], [miner_end.fileno()]
                    )
                    pid = int.from_bytes(_receive_exactly(control, 4), "big")
                except OSError:
                    self._stop()  # a dead server: start another, once
                    node_end.close()
                    if attempt == 1:
                        raise
                    continue
                finally:
                    miner_end.close()
                return Connection(node_end.detach()), pid
        raise AssertionError("unreachable")  # pragma: no cover

    def _ensure_running(self) -> socket.socket:
        if self._process is not None and self._process.poll() is None and self._control is not None:
            return self._control
        self._stop()
        ours, theirs = socket.socketpair()
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SERVER_COMMAND.format(fd=theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._control = ours
        return ours

    def stop(self) -> None:
        """Stop the server (at interpreter exit); a miner still running dies with it."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


_FORK_SERVER = _ForkServer()
atexit.register(_FORK_SERVER.stop)


class MinerProcess:
    """The node's handle on its miner process: one request at a time, each answered when done."""

    def __init__(self, path: Path, genesis: Genesis) -> None:
        self._path = path
        self._genesis = genesis
        self._lock = threading.Lock()
        self._connection, self.pid = _FORK_SERVER.start_miner(path, genesis)

    def mine(self, transactions: Sequence[SignedTransactionAPI], timestamp: int) -> MinedBlock:
        """Mine, write and commit one block of ``transactions`` at ``timestamp``.

        Raises ``MiningFailed`` if a transaction cannot be included (the block is rolled back), and
        ``MinerDied`` if the process is gone (a new one is started for the next request).
        """
        raws = [tx.encode() for tx in transactions]
        senders = [tx.sender for tx in transactions]
        answer = self._request(("mine", raws, senders, timestamp))
        if answer[0] == "failed":
            raise MiningFailed(answer[1])
        _, number, block_hash, next_base_fee, stages = answer
        return MinedBlock(number, block_hash, next_base_fee, stages)

    def reload(self) -> None:
        """Reopen the chain after the database was replaced under the miner (a snapshot's revert)."""
        self._request(("reload",))

    def close(self) -> None:
        """Stop the process: it finishes the request in hand, closes its database and answers."""
        with self._lock:
            with contextlib.suppress(OSError, EOFError):
                self._connection.send(("stop",))
                self._connection.recv()
            self._connection.close()

    def _request(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        with self._lock:
            try:
                self._connection.send(request)
                answer: tuple[Any, ...] = self._connection.recv()
            except (OSError, EOFError) as exc:
                log.error("the miner process died; starting another", pid=self.pid)
                self._connection.close()
                self._connection, self.pid = _FORK_SERVER.start_miner(self._path, self._genesis)
                raise MinerDied(f"the miner process died ({exc!r})") from exc
            return answer


class Miner:
    """What the miner process runs: its own connection and chain object on the node's database.

    Also usable in-process on a chain no node has open (the benchmark times blocks with it).
    """

    def __init__(self, path: Path, genesis: Genesis) -> None:
        self._chain_class = chain_class(genesis)
        self._db = open_database(path)
        self._store = SqliteKeyValueStore(self._db)
        self._index = ChainIndex(self._db)
        self._builder = self._chain_class.get_vm_class_for_block_number(
            BlockNumber(0)
        ).get_transaction_builder()
        self._chain = self._open_chain()

    def _open_chain(self) -> MiningChain:
        return self._chain_class(AtomicDB(self._store))

    def reload(self) -> None:
        # A fresh store too: the cache may hold entries of blocks the revert removed.
        self._store = SqliteKeyValueStore(self._db)
        self._chain = self._open_chain()

    def mine(self, raws: Sequence[bytes], senders: Sequence[bytes], timestamp: int) -> tuple[Any, ...]:
        """Mine and commit one block; answers as the module docstring says (stages in seconds)."""
        stages: dict[str, float] = {}
        transactions = []
        for raw, sender in zip(raws, senders, strict=True):
            tx = self._builder.decode(raw)
            # The node recovered the sender at admission; py-evm caches it here (a cached_property).
            tx.__dict__["sender"] = sender
            transactions.append(tx)
        parent = self._chain.get_canonical_head()
        self._chain.header = self._chain.header.copy(
            timestamp=timestamp,
            mix_hash=keccak(parent.hash),  # prevrandao: deterministic, so the block is reproducible
        )
        self._store.begin()
        try:
            built = build_block(self._chain, transactions, stages)
            started = time.thread_time()
            self._index.add_block(render_block_transactions(built.block, built.receipts, built.computations))
        except Exception as exc:
            self._store.rollback()
            self._chain = self._open_chain()
            return ("failed", f"{type(exc).__name__}: {exc}")
        self._store.commit()  # the fsync: from here on the block is durable
        stages["writes"] += time.thread_time() - started
        base_fee = self._chain.header.base_fee_per_gas
        return ("mined", built.block.number, built.block.hash, 0 if base_fee is None else base_fee, stages)

    def close(self) -> None:
        self._db.close()


def _receive_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError("the other end closed the socket")
        data += chunk
    return data


def _die_with_parent() -> None:
    if sys.platform == "linux":  # even when the parent is killed with SIGKILL
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _fork_server(control_fd: int) -> None:
    """The fork server's loop (see ``_ForkServer``): one miner per request, until the node is gone."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the node's to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # miners that exit are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 65_536, 1)
        except OSError:
            return
        if not message or not fds:
            return  # the node is gone
        size = int.from_bytes(message[:4], "big")
        payload = message[4:]
        if len(payload) < size:
            payload += _receive_exactly(control, size - len(payload))
        path, genesis = pickle.loads(payload)  # noqa: S301 - from our own node, over a private socket
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                _die_with_parent()
                _serve(Connection(fds[0]), Path(path), genesis)
            finally:
                os._exit(0)
        os.close(fds[0])
        control.sendall(pid.to_bytes(4, "big"))


def freeze_heap() -> None:
    """Move everything alive now (modules, code, caches) out of the cyclic garbage collector's reach.

    A block allocates many objects, so full collections run during it; they would otherwise walk
    the whole long-lived heap each time, which made a block's cost per transaction grow with its
    size (about 10% more per transaction in a 1,000-transaction block than in a 100-transaction one).
    """
    gc.collect()
    gc.freeze()


def _serve(connection: Connection, path: Path, genesis: Genesis) -> None:
    """A miner's loop: answer the node's requests until it says stop or goes away."""
    miner = Miner(path, genesis)
    freeze_heap()
    try:
        while True:
            try:
                request = connection.recv()
            except EOFError:
                return  # the node is gone
            command = request[0]
            if command == "mine":
                connection.send(miner.mine(*request[1:]))
            elif command == "reload":
                miner.reload()
                connection.send(("reloaded",))
            else:
                miner.close()
                connection.send(("stopped",))
                return
    finally:
        miner.close()


def render_block_transactions(
    block: BlockAPI, receipts: Sequence[ReceiptAPI], computations: Sequence[ComputationAPI]
) -> list[tuple[bytes, rpc_json.RpcObject, rpc_json.RpcObject]]:
    """Each transaction of ``block`` with its JSON-RPC transaction and receipt, for the index."""
    rendered: list[tuple[bytes, rpc_json.RpcObject, rpc_json.RpcObject]] = []
    previous_cumulative = 0
    log_index = 0
    for index, (tx, receipt) in enumerate(zip(block.transactions, receipts, strict=True)):
        contract_address = None if tx.to else generate_contract_address(tx.sender, tx.nonce)
        own_gas = receipt.gas_used - previous_cumulative
        rendered.append(
            (
                tx.hash,
                rpc_json.render_transaction(tx, block.header, index),
                rpc_json.render_receipt(
                    receipt, tx, block.header, index, own_gas, log_index, contract_address
                ),
            )
        )
        previous_cumulative = receipt.gas_used
        log_index += len(receipt.logs)
    return rendered
