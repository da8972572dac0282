"""The demo data (``api/bootstrap/demo.py``): every flow made through the product's paths, loaded once."""

from __future__ import annotations

import pytest

from api.bootstrap import bootstrap_consortium, load_demo, read_demo
from api.core.applications import ApplicationRecords
from api.documents.store import DocumentStore
from chain_client import connect
from chain_client.contracts import MONEY, LotStatus, OrderStatus, PlanStatus
from tests.ledger_support import TEST_PASSWORD, DemoLedger, ledger_settings


def test_a_plan_in_each_state_orders_paid_and_expired_goods_to_sign_off(demo_ledger: DemoLedger) -> None:
    ledger, record = demo_ledger.boot.ledger, demo_ledger.record
    pools, escrow, tracker = ledger.welfare.pools, ledger.escrow, ledger.welfare.tracker
    statuses = {label: pools.plan_of(pool_id).status for label, pool_id in record.plans.items()}
    assert set(statuses.values()) == set(PlanStatus) - {PlanStatus.NONE}
    assert statuses["open"] is PlanStatus.OPEN
    assert escrow.order_of(bytes.fromhex(record.orders["paid"][2:])).status is OrderStatus.RELEASED
    assert escrow.order_of(bytes.fromhex(record.orders["expired"][2:])).status is OrderStatus.EXPIRED
    assert tracker.lot_of(record.lots["purchase"]).status is LotStatus.DELIVERED
    assert tracker.lot_of(record.lots["pledge"]).status is LotStatus.HANDED_OVER
    flood = pools.ledger_of(record.plans["open"], MONEY)
    assert (flood.paid_out, flood.to_government, flood.moved_in) == (300 * 10**18, 100 * 10**18, 150 * 10**18)
    assert pools.ledger_of(record.plans["wound up (refund)"], MONEY).refunded == 120 * 10**18
    token = ledger.foundation.deposit_token
    for donor in ("donor-1", "donor-2", "donor-3"):
        assert token.balance_of(demo_ledger.boot.wallets.keystore.address_of(donor)) > 0
    registry = ledger.registry
    for login in (
        "charity-1",
        "charity-2",
        "agency",
        "merchant-1",
        "merchant-2",
        "hospital",
        "local-government",
    ):
        assert registry.is_active(demo_ledger.boot.wallets.keystore.address_of(login)), login


def test_a_bank_can_open_each_demo_institutions_application(demo_ledger: DemoLedger) -> None:
    """The demo files applications as ``POST /institutions/applications`` does: key information and salt,
    sealed in the document store, with the digests the registry holds."""
    settings = demo_ledger.settings
    store = DocumentStore(
        settings.documents.directory, bytes.fromhex(settings.documents.key_hex.get_secret_value())
    )
    applications = ApplicationRecords(store, settings.api.database_url)
    registry = demo_ledger.boot.ledger.registry
    for login in ("charity-1", "merchant-1", "hospital"):
        address = demo_ledger.boot.wallets.keystore.address_of(login)
        filed = applications.get(address)
        assert filed is not None, login
        assert filed.key_info.credit_code
        assert registry.institution_of(address).application_digest == filed.application_digest


def test_loading_the_demo_again_changes_nothing(demo_ledger: DemoLedger) -> None:
    head = demo_ledger.client.block_number()
    assert load_demo(demo_ledger.boot, ocr=False) == demo_ledger.record
    assert read_demo(demo_ledger.boot) == demo_ledger.record
    assert demo_ledger.client.block_number() == head


@pytest.mark.slow
def test_the_demo_onboards_its_institutions_by_ocr(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = ledger_settings(tmp_path_factory.mktemp("demo-ocr"))
    client = connect(settings.chain)
    try:
        boot = bootstrap_consortium(settings, client, password=TEST_PASSWORD)
        record = load_demo(boot, ocr=True)
        assert set(record.plans) >= {"open", "launched", "audited", "closed", "rejected"}
        assert boot.ledger.registry.is_active(boot.wallets.keystore.address_of("hospital"))
    finally:
        client.close()
