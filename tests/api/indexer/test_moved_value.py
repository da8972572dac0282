"""Value moved between plans and paid back (``MovedValueReturned``, ``api/indexer/flows.py``): the read model's
ledgers rebuilt from events still equal the contract's, and verify follows the donor's gift net of what came back.
"""

from __future__ import annotations

from pathlib import Path

from api.indexer import EventCatalog, Indexer, ReadModel, open_engine
from api.verify import verify_transaction
from chain_client.contracts import MONEY, UnspentTerms
from tests.conftest import Accounts
from tests.pools_support import TOKEN, World, fund, open_plan, terms
from tests.registry_support import advance_past


def test_moved_value_paid_back_keeps_the_rebuilt_ledgers_equal_to_the_contracts(
    world: World, accounts: Accounts, tmp_path: Path
) -> None:
    pools = world.welfare.pools
    start = world.client.block_number() + 1
    destination = open_plan(world, terms(world.client, ttl=600))
    source = open_plan(
        world, terms(world.client, ttl=10, unspent=UnspentTerms.MOVE_TO_PLAN, successor=destination)
    )
    fund(world, accounts.alice, 100 * TOKEN, f"alice's 100 for {source}")
    gift = pools.donate_with_permit(accounts.alice, source, 100 * TOKEN)
    fund(world, accounts.bob, 1 * TOKEN, f"bob's 1 for {destination}")
    pools.donate_with_permit(accounts.bob, destination, 1 * TOKEN)
    advance_past(world.client, pools.plan_of(source).deadline)
    pools.wind_up(accounts.bank, source)
    pools.move_unspent(accounts.bank, source, MONEY, destination)
    pools.wind_up_by_decision(accounts.regulator, destination, b"\x01" * 32)
    returned = pools.return_moved_value(accounts.outsider, destination, MONEY, source)
    assert int(returned.event("MovedValueReturned")["amount"]) == 100 * TOKEN

    addresses = {**world.foundation.addresses(), **world.welfare.addresses()}
    addresses["InstitutionRegistry"] = world.registry.address
    engine = open_engine(f"sqlite:///{tmp_path / 'read-model.db'}")
    Indexer(world.client, engine, EventCatalog(world.client, addresses), start_block=start).run_once()
    read_model = ReadModel(engine)
    for pool_id in (source, destination):
        detail = read_model.plan(pool_id)
        assert detail is not None
        (ledger,) = [ledger for ledger in detail.ledgers if ledger.asset == "0"]
        on_chain = pools.ledger_of(pool_id, MONEY)
        assert {name: int(getattr(ledger, name).base_units) for name in vars(on_chain)} == vars(on_chain)
    # The source moved 100 out and got 100 back: its ledger says nothing is out, all is held again.
    assert pools.ledger_of(source, MONEY).moved_out == 0
    assert pools.ledger_of(source, MONEY).balance == 100 * TOKEN

    verification = verify_transaction(read_model, "0x" + gift.tx_hash.hex())
    moved = [edge for edge in verification.flow.edges if edge.kind == "moved"]
    assert len(moved) == 1  # the move is drawn, with the 100 it moved...
    assert moved[0].amount is not None
    assert int(moved[0].amount.base_units) == 100 * TOKEN
    assert moved[0].share is not None
    assert int(moved[0].share.base_units) == 0
    engine.dispose()
