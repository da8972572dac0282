"""The indexer (``api/indexer/indexer.py``): catch-up in bounded batches, block hashes, reorganisations.

Every test runs on SQLite and on PostgreSQL (``database_url``). The demo ledger is the history; the
reorganisation tests use the session chain of the contract suites (embedded, and a real anvil under the
``anvil`` marker), with a snapshot reverted and different blocks mined in its place.
"""

from __future__ import annotations

import tempfile
import threading
from collections import Counter

import pytest
from eth_utils import keccak
from sqlalchemy import func, select

from api.indexer import EventCatalog, Indexer, ReadModel, ReadModelMismatch, open_engine
from api.indexer.schema import blocks, events, transactions
from chain_client import ChainClient
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS
from tests.ledger_support import DemoLedger
from tests.postgres_support import fresh_postgres_database


def _indexer(ledger: DemoLedger, url: str, **options: int) -> Indexer:
    return Indexer(
        ledger.client, open_engine(url), EventCatalog(ledger.client, ledger.addresses()), **options
    )


def test_one_cycle_indexes_every_event_of_every_ledger_contract(
    demo_ledger: DemoLedger, database_url: str
) -> None:
    client = demo_ledger.client
    indexer = _indexer(demo_ledger, database_url)
    head = client.block_number()

    report = indexer.run_once()

    assert (report.indexed_to, report.head, report.reorganisations) == (head, head, ())
    assert report.caught_up
    logs = client.get_logs(
        from_block=0, to_block=head, addresses=list(demo_ledger.boot.ledger.addresses().values())
    )
    assert report.events == len(logs)
    with indexer.engine.connect() as connection:
        stored = {
            (row.block_number, row.log_index, row.tx_hash) for row in connection.execute(select(events))
        }
        chain = {(row.number, row.hash, row.parent_hash) for row in connection.execute(select(blocks))}
        senders = {row.tx_hash: row.sender for row in connection.execute(select(transactions))}
    assert stored == {(log.block_number, log.log_index, "0x" + log.transaction_hash.hex()) for log in logs}
    # Every block, its hash and its parent's, as the node has them.
    assert len(chain) == head + 1
    for number, block_hash, parent_hash in chain:
        block = client.backend.get_block(number)
        assert block is not None
        assert (block_hash, parent_hash) == ("0x" + block.hash.hex(), "0x" + block.parent_hash.hex())
    # The sender of each transaction, from the node.
    for tx_hash, sender in list(senders.items())[:20]:
        receipt = client.backend.get_receipt(bytes.fromhex(tx_hash[2:]))
        assert receipt is not None
        assert receipt.sender == sender
    # Nothing was written to the chain.
    assert client.block_number() == head
    # Events of every contract are there, decoded by name from the compiled ABIs.
    names = Counter((e.contract, e.name) for e in ReadModel(indexer.engine).events(limit=500).items)
    for expected in [
        ("Consortium", "RoleGranted"),
        ("Consortium", "AccountAllowed"),
        ("DepositToken", "DepositMinted"),
        ("DepositToken", "Transfer"),
        ("InstitutionRegistry", "RegistryAttested"),
        ("InstitutionRegistry", "InstitutionAudited"),
        ("WelfarePools", "DonationReceived"),
        ("WelfareAssets", "TransferSingle"),
        ("ResourceTracker", "CheckpointRecorded"),
        ("PaymentOrderEscrow", "OrderReleased"),
    ]:
        assert names[expected] > 0, expected


def test_a_cycle_takes_bounded_batches_and_the_next_goes_on(
    demo_ledger: DemoLedger, database_url: str
) -> None:
    head = demo_ledger.client.block_number()
    indexer = _indexer(demo_ledger, database_url, batch_blocks=10, max_batches_per_cycle=3)

    first = indexer.run_once()
    assert (first.blocks, first.indexed_to, first.caught_up) == (30, 29, False)
    second = indexer.run_once()
    assert (second.blocks, second.indexed_to) == (30, 59)
    while not indexer.run_once().caught_up:
        pass
    whole = _indexer(demo_ledger, _scratch_sqlite_url())
    whole.run_once()
    assert ReadModel(indexer.engine).status().events == ReadModel(whole.engine).status().events
    assert ReadModel(indexer.engine).as_of_block() == head


def _scratch_sqlite_url() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='read-model-')}/read-model.db"


def test_a_read_model_of_other_contracts_is_refused(demo_ledger: DemoLedger, database_url: str) -> None:
    _indexer(demo_ledger, database_url).run_once()
    others = {**demo_ledger.addresses(), "WelfarePools": ACCOUNTS.outsider.address}
    with pytest.raises(ReadModelMismatch, match="contracts"):
        Indexer(demo_ledger.client, open_engine(database_url), EventCatalog(demo_ledger.client, others))
    # and it is left as it was
    assert ReadModel(open_engine(database_url)).as_of_block() == demo_ledger.client.block_number()


def test_run_forever_follows_until_stopped(demo_ledger: DemoLedger, database_url: str) -> None:
    indexer = _indexer(demo_ledger, database_url)
    stop = threading.Event()
    worker = threading.Thread(target=indexer.run_forever, args=(stop,))
    worker.start()
    read_model = ReadModel(indexer.engine)
    head = demo_ledger.client.block_number()
    for _ in range(2_000):
        if read_model.as_of_block() == head:
            break
        stop.wait(0.01)
    stop.set()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert read_model.as_of_block() == head


def _mint(foundation: Foundation, label: str) -> bytes:
    return foundation.deposit_token.mint(
        ACCOUNTS.bank, ACCOUNTS.alice.address, 10**18, keccak(text=f"reorg test {label}")
    ).tx_hash


def test_a_reorganisation_is_rolled_back_to_the_fork_point_and_reindexed(
    chain: ChainClient, foundation: Foundation, database_url: str
) -> None:
    """On the embedded chain and on anvil: a snapshot reverted and other blocks mined in place of the old."""
    start = chain.block_number() + 1
    catalog = EventCatalog(chain, foundation.addresses())
    indexer = Indexer(chain, open_engine(database_url), catalog, start_block=start)
    read_model = ReadModel(indexer.engine)
    foundation.consortium.grant_role(ACCOUNTS.admin, BANK_ROLE, ACCOUNTS.bank.address)  # a shared first block
    fork_point = chain.block_number()
    snapshot = chain.backend.snapshot()
    lost = [_mint(foundation, "lost 1"), _mint(foundation, "lost 2")]
    indexer.run_once()
    assert all(read_model.transaction("0x" + tx.hex()) is not None for tx in lost)

    chain.backend.revert(snapshot)
    kept = [_mint(foundation, "kept 1"), _mint(foundation, "kept 2"), _mint(foundation, "kept 3")]
    report = indexer.run_once()

    (reorganisation,) = report.reorganisations
    assert reorganisation.fork_point == fork_point
    assert reorganisation.previous_tip == fork_point + 2
    assert report.indexed_to == chain.block_number()
    assert all(read_model.transaction("0x" + tx.hex()) is None for tx in lost)
    assert all(read_model.transaction("0x" + tx.hex()) is not None for tx in kept)
    with indexer.engine.connect() as connection:
        stored = {row.number: row.hash for row in connection.execute(select(blocks))}
        count = connection.execute(select(func.count()).select_from(events)).scalar()
    for number, block_hash in stored.items():
        block = chain.backend.get_block(number)
        assert block is not None
        assert "0x" + block.hash.hex() == block_hash
    fresh = Indexer(chain, open_engine(_fresh_like(database_url)), catalog, start_block=start)
    fresh.run_once()
    assert count == ReadModel(fresh.engine).status().events  # the same as indexing the new chain afresh


def _fresh_like(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return _scratch_sqlite_url()
    return fresh_postgres_database(database_url.rsplit("/", 1)[0] + "/postgres")


def test_a_chain_that_changed_under_a_batch_is_not_written(
    demo_ledger: DemoLedger, database_url: str
) -> None:
    indexer = _indexer(demo_ledger, database_url, batch_blocks=20, max_batches_per_cycle=1)
    indexer.run_once()
    client = demo_ledger.client
    real_get_block = client.backend.get_block

    def shifted(block: object) -> object:
        found = real_get_block(block)  # type: ignore[arg-type]
        if found is not None and found.number == 25:
            return type(found)(**{**vars(found), "parent_hash": b"\x11" * 32})
        return found

    client.backend.get_block = shifted  # type: ignore[method-assign,assignment]
    try:
        report = indexer.run_once()
    finally:
        del client.backend.get_block
    assert (report.blocks, report.indexed_to) == (0, 19)  # nothing of the inconsistent batch was kept
    assert indexer.run_once().indexed_to == 39  # and the next cycle reads it again
