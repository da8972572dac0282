"""The other actions of the role pages in Chromium, each checked on the chain: points and goods gifts
(donor), launching a plan (charity) and auditing it (bank), a goods checkpoint (third party), suspending and
reinstating an institution (regulator); and a refusal shown as the API names it, changing nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.bootstrap import read_logins
from chain_client.contracts import LotStatus, OrderStatus, PlanStatus
from tests.pages.conftest import WAIT_MS, PagesWorld, screenshot, sign_in

pytestmark = pytest.mark.browser


def _address(world: PagesWorld, login: str) -> str:
    book = read_logins(world.settings.data_dir)
    assert book is not None
    return next(entry.address for entry in book.logins if entry.login == login)


def _as(browser: Browser, world: PagesWorld, login: str) -> Page:
    context = browser.new_context(base_url=world.url)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, login)
    return page


def test_a_donor_gives_points_and_pledges_goods(pages_world: PagesWorld, page: Page, tmp_path: Path) -> None:
    world = pages_world
    sign_in(page, "donor-1")
    donor = _address(world, "donor-1")
    page.goto("/pages/donor?lang=en")
    points = page.locator("#give-points")
    asset = int(points.locator("select[name=asset_id] option").first.get_attribute("value") or "0")
    assets = world.platform.ledger.welfare.assets
    before = assets.balance_of(donor, asset)
    points.locator("select[name=pool_id]").select_option(str(world.demo.plans["agency"]))
    points.locator("input[name=amount]").fill("10")
    points.locator("button").click()
    page.wait_for_url("**/pages/donor/gifts/0x*")
    assert assets.balance_of(donor, asset) == before - 10

    page.goto("/pages/donor?lang=en")
    goods = page.locator("#give-goods")
    goods.locator("select[name=pool_id]").select_option(str(world.demo.plans["open"]))
    goods.locator("input[name=quantity]").fill("5")
    goods.locator("input[name=details]").fill("5 床棉被")
    goods.locator("button").click()
    page.wait_for_url("**/pages/donor/gifts/0x*?form=goods")
    tx_hash = page.inner_text("#gift-tx").strip()
    receipt = world.client.backend.get_receipt(bytes.fromhex(tx_hash[2:]))
    assert receipt is not None
    assert receipt.status == 1
    assert page.locator("#receipt-form").count() == 0  # a pledge is no gift yet: no receipt
    screenshot(page, tmp_path, "pledged")

    # Too many decimals for the deposit token: refused as the API refuses it, nothing sent.
    height = world.client.block_number()
    page.goto("/pages/donor?lang=en")
    money = page.locator("#give-money")
    money.locator("input[name=amount]").fill("0.0000000000000000001")
    money.locator("button").click()
    expect(page.locator("#problem")).to_contain_text("InvalidInput")
    assert world.client.block_number() == height


def test_a_charity_launches_a_plan_and_a_bank_audits_it(
    pages_world: PagesWorld, browser: Browser, tmp_path: Path
) -> None:
    world = pages_world
    charity = _as(browser, world, "charity-2")
    charity.goto("/pages/charity?lang=en")
    form = charity.locator("#launch")
    form.locator("textarea[name=purpose]").fill("冬季送温暖 2026")
    form.locator("input[name=money_target]").fill("800")
    form.locator("input[name=goods_type]").fill("棉被")
    form.locator("input[name=goods_quantity]").fill("40")
    form.locator("button").click()
    done = charity.locator(".done")
    expect(done).to_contain_text("is launched")
    pool_id = int(done.inner_text().split("#")[1].split()[0])
    pools = world.platform.ledger.welfare.pools
    assert pools.plan_of(pool_id).status is PlanStatus.LAUNCHED
    assert pools.plan_of(pool_id).charity == _address(world, "charity-2")
    screenshot(charity, tmp_path, "launched")
    charity.context.close()

    world.caught_up()
    bank = _as(browser, world, "bank-a")
    bank.goto("/pages/bank?lang=en")
    row = bank.locator("#plan-audits tr", has=bank.locator(f"text=Plan #{pool_id}"))
    row.locator("input[name=report]").fill("材料齐全")
    row.locator("button").click()
    expect(bank.locator("#done")).to_contain_text("plan audit is on-chain")
    assert pools.plan_of(pool_id).status is PlanStatus.OPEN
    bank.context.close()


def test_a_payee_records_a_goods_checkpoint(pages_world: PagesWorld, browser: Browser) -> None:
    """A bank issues an order to the merchant and the merchant records the goods it bought for it (API);
    then it ships them to the charity on its page, and the lot changes hands on-chain."""
    world = pages_world
    issued = httpx.post(
        f"{world.url}/orders",
        headers={"Authorization": f"Bearer {world.token('bank-a')}"},
        json={
            "pool_id": world.demo.plans["open"],
            "payee": _address(world, "merchant-1"),
            "amount": "3",
            "document": "大米 25 公斤 × 30 袋",
        },
    )
    assert issued.status_code == 201, issued.text
    order = issued.json()["order"]
    opened = httpx.post(
        f"{world.url}/orders/{order['order_id']}/purchase-lot",
        headers={"Authorization": f"Bearer {world.token('merchant-1')}"},
        json={"order": order, "goods_type": "rice 25 kg", "quantity": 30},
    )
    assert opened.status_code == 201, opened.text
    lot_id = opened.json()["lot_id"]
    world.caught_up()
    page = _as(browser, world, "merchant-1")
    page.goto("/pages/third-party?lang=en")
    row = page.locator("#lots tr", has=page.locator(f"text=Lot #{lot_id}"))
    row.locator("select[name=checkpoint]").select_option("shipped")
    row.locator("input[name=next_holder]").fill(_address(world, "charity-1"))
    row.locator("input[name=evidence]").fill("运单 SF-0042")
    row.locator("button").click()
    expect(page.locator(".done")).to_contain_text(f"Lot #{lot_id}: shipped recorded")
    lot = world.platform.ledger.welfare.tracker.lot_of(lot_id)
    assert lot.status is LotStatus.SHIPPED
    assert lot.holder == _address(world, "charity-1")
    page.context.close()


def test_a_regulator_suspends_and_reinstates_an_institution_and_freezes_an_order(
    pages_world: PagesWorld, page: Page, tmp_path: Path
) -> None:
    world = pages_world
    issued = httpx.post(
        f"{world.url}/orders",
        headers={"Authorization": f"Bearer {world.token('bank-a')}"},
        json={
            "pool_id": world.demo.plans["open"],
            "payee": _address(world, "hospital"),
            "amount": "2",
            "document": "诊疗费 PAGES-003",
        },
    )
    assert issued.status_code == 201, issued.text
    order_id = issued.json()["order"]["order_id"]
    world.caught_up()
    merchant = _address(world, "merchant-2")
    registry = world.platform.ledger.registry
    assert registry.is_active(merchant)
    sign_in(page, "regulator")
    page.goto("/pages/regulator?lang=en")
    row = page.locator("#institutions tr", has=page.locator(f"form[action$='{merchant}/suspend']"))
    row.locator("input[name=reason_code]").fill("FUNDS_MISUSED")
    row.locator("button").click()
    expect(page.locator("#done")).to_contain_text("suspended")
    assert not registry.is_active(merchant)
    world.caught_up()
    page.goto("/pages/regulator?lang=en")
    page.locator(f"form[action$='{merchant}/reinstate'] button").click()
    expect(page.locator("#done")).to_contain_text("reinstated")
    assert registry.is_active(merchant)

    world.caught_up()
    page.goto("/pages/regulator?lang=en")
    freeze = page.locator(f"form[action$='{order_id}/freeze']")
    freeze.locator("input[name=reason]").fill("投诉：货物未送达")
    freeze.locator("button").click()
    expect(page.locator("#done")).to_contain_text("frozen")
    escrow = world.platform.ledger.escrow
    assert escrow.order_of(bytes.fromhex(order_id[2:])).status is OrderStatus.DISPUTED
    world.caught_up()
    page.goto("/pages/regulator?lang=en")
    assert page.locator(f"tr[data-order='{order_id}']").count() == 1  # now under "disputes"
    screenshot(page, tmp_path, "regulator-actions")
