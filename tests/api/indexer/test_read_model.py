"""The read model's queries (``api/indexer/read_model.py``) over the demo ledger, on SQLite and PostgreSQL.

Answers are held to the chain itself: every pool's ledger rebuilt from events equals the contract's
``ledgerOf``, every plan's, order's and lot's status equals what the contracts say.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.indexer import Directory, EventCatalog, Indexer, InvalidQuery, ReadModel, open_engine
from api.indexer.directory import DirectoryCategory, InvalidDirectoryEntry
from chain_client.contracts import MONEY, InstitutionStatus, OrderStatus, PlanStatus
from tests.ledger_support import DemoLedger, copy_directory
from tests.postgres_support import fresh_postgres_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def read_model(
    request: pytest.FixtureRequest, demo_ledger: DemoLedger, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReadModel]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('read-model') / 'read-model.db'}"
    else:
        url = fresh_postgres_database(request.getfixturevalue("postgres_url"))
    engine = open_engine(url)
    Indexer(demo_ledger.client, engine, EventCatalog(demo_ledger.client, demo_ledger.addresses())).run_once()
    copy_directory(demo_ledger, engine)
    yield ReadModel(engine)
    engine.dispose()


def test_every_answer_says_its_block(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    head = demo_ledger.client.block_number()
    assert read_model.as_of_block() == head
    assert read_model.plans().as_of_block == head
    assert read_model.orders().as_of_block == head
    status = read_model.status()
    assert (status.as_of_block, status.chain_id) == (head, demo_ledger.client.chain_id)
    assert status.contracts == demo_ledger.addresses()


def test_pool_ledgers_rebuilt_from_events_equal_the_contracts(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    pools = demo_ledger.boot.ledger.welfare.pools
    for pool_id in range(1, pools.pool_count() + 1):
        detail = read_model.plan(pool_id)
        assert detail is not None
        for ledger in detail.ledgers:
            on_chain = pools.ledger_of(pool_id, int(ledger.asset))
            rebuilt = {name: int(getattr(ledger, name).base_units) for name in vars(on_chain)}
            assert rebuilt == vars(on_chain), (pool_id, ledger.asset)
        if pools.ledger_of(pool_id, MONEY).inflow:
            assert any(ledger.asset == "0" for ledger in detail.ledgers)


def test_plans_in_each_state_match_the_contract(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    pools = demo_ledger.boot.ledger.welfare.pools
    plans = read_model.plans().items
    assert len(plans) == pools.pool_count()
    for plan in plans:
        assert plan.status == pools.plan_of(plan.pool_id).status.name.lower()
        assert plan.charity.name is not None  # named from the directory
    assert {plan.status for plan in plans} == {status.name.lower() for status in PlanStatus} - {"none"}
    open_ids = [plan.pool_id for plan in read_model.plans(status="open").items]
    assert open_ids == [plan.pool_id for plan in plans if plan.status == "open"]
    charity = demo_ledger.boot.wallets.keystore.address_of("charity-2")
    assert {plan.charity.address for plan in read_model.plans(charity=charity).items} == {charity}
    detail = read_model.plan(demo_ledger.record.plans["open"])
    assert detail is not None
    assert [item["name"] for item in detail.in_kind] == ["大米 25kg/袋", "棉被"]
    assert [event.name for event in detail.history][:3] == ["PlanLaunched", "PlanAudited", "PlanDecided"]
    assert read_model.plan(10_000) is None


def test_orders_name_their_parties_and_match_the_escrow(
    read_model: ReadModel, demo_ledger: DemoLedger
) -> None:
    escrow = demo_ledger.boot.ledger.escrow
    orders = read_model.orders().items
    assert {order.status for order in orders} == {"released", "expired"}
    for order in orders:
        assert order.status == escrow.order_of(bytes.fromhex(order.order_id[2:])).status.name.lower()
        assert order.payee.name is not None
        assert order.bank.name == "中国工商银行新乡分行"
        assert order.closed is not None
    merchant = demo_ledger.boot.wallets.keystore.address_of("merchant-1")
    (paid,) = read_model.orders(party=merchant).items
    assert paid.order_id == demo_ledger.record.orders["paid"]
    assert read_model.orders(status="expired").items[0].order_id == demo_ledger.record.orders["expired"]
    detail = read_model.order(paid.order_id)
    assert detail is not None
    assert [lot.lot_id for lot in detail.lots] == [demo_ledger.record.lots["purchase"]]
    assert {"OrderIssued", "OrderFundsLocked", "OrderReleased", "OrderFundsPaid"} <= {
        e.name for e in detail.history
    }
    assert read_model.order("0x" + "ab" * 32) is None
    assert OrderStatus.RELEASED.name.lower() == paid.status


def test_lots_follow_custody_to_the_beneficiary(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    tracker = demo_ledger.boot.ledger.welfare.tracker
    lots = read_model.lots().items
    assert len(lots) == tracker.lot_count()
    for lot in lots:
        assert lot.status == tracker.lot_of(lot.lot_id).status.name.lower()
        assert lot.holder.address == tracker.lot_of(lot.lot_id).holder
    purchase = read_model.lot(demo_ledger.record.lots["purchase"])
    assert purchase is not None
    assert [step.checkpoint for step in purchase.checkpoints] == [
        "shipped",
        "received",
        "handed_to_beneficiary",
        "signed_off",
    ]
    assert purchase.order_id == demo_ledger.record.orders["paid"]
    beneficiary = demo_ledger.boot.wallets.keystore.address_of("beneficiary-1")
    assert {lot.lot_id for lot in read_model.lots(involving=beneficiary).items} == {
        lot.lot_id for lot in lots
    }


def test_donations_and_events_by_account(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    donor = demo_ledger.boot.wallets.keystore.address_of("donor-1")
    gifts = read_model.donations(donor=donor).items
    assert {gift.form for gift in gifts} == {"money", "points"}
    assert all(gift.donor == donor for gift in gifts)
    assert gifts[0].amount.value == "500"
    assert gifts[0].amount.unit == "dCNY"
    assert gifts[0].amount.decimals == 18
    page = read_model.events(account=donor, limit=3)
    assert len(page.items) == 3
    assert page.next_offset == 3
    rest = read_model.events(account=donor, offset=3, limit=500)
    assert rest.next_offset is None
    blocks = [(e.block_number, e.log_index) for e in page.items + rest.items]
    assert blocks == sorted(blocks)
    assert len(set(blocks)) == len(blocks)


def test_institutions_with_their_names_and_standing(read_model: ReadModel, demo_ledger: DemoLedger) -> None:
    registry = demo_ledger.boot.ledger.registry
    found = read_model.institutions().items
    assert len(found) == 7
    for institution in found:
        assert institution.status == "approved"
        assert registry.institution_of(institution.address).status is InstitutionStatus.APPROVED
        assert institution.name is not None
        assert institution.audited is not None
    hospitals = read_model.institutions(kind="hospital").items
    assert len(hospitals) == 1
    name = hospitals[0].name
    assert name is not None
    assert read_model.institutions(name_contains=name[:4]).items[0].address == hospitals[0].address


@pytest.mark.parametrize(
    "query",
    [
        lambda rm: rm.events(account="0x123"),
        lambda rm: rm.orders(party="not an address"),
        lambda rm: rm.order("0x1234"),
        lambda rm: rm.transaction("0x" + "zz" * 32),
        lambda rm: rm.plans(status="sleeping"),
        lambda rm: rm.orders(status="paid"),
        lambda rm: rm.institutions(kind="bakery"),
        lambda rm: rm.events(limit=0),
        lambda rm: rm.events(limit=10_000),
        lambda rm: rm.donations(offset=-1),
    ],
)
def test_malformed_queries_are_refused(read_model: ReadModel, query: object) -> None:
    before = read_model.status()
    with pytest.raises(InvalidQuery):
        query(read_model)  # type: ignore[operator]
    assert read_model.status() == before


def test_the_directory_refuses_malformed_entries(tmp_path: Path) -> None:
    directory = Directory(open_engine(f"sqlite:///{tmp_path / 'directory.db'}"))
    for subject, name, category in [
        ("0x1234", "某某医院", DirectoryCategory.INSTITUTION),
        ("0x" + "11" * 20, "", DirectoryCategory.INSTITUTION),
        ("0x" + "11" * 20, "x" * 201, DirectoryCategory.INSTITUTION),
        ("0x" + "11" * 20, "大米", DirectoryCategory.GOODS),
    ]:
        with pytest.raises(InvalidDirectoryEntry):
            directory.record(subject, name, category=category)
        assert directory.name_of(subject) is None
    directory.record("0x" + "11" * 20, " 某某医院 ", kind="hospital")
    assert directory.name_of("0x" + "11" * 20) == ("某某医院", "hospital")
