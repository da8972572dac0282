"""Payment orders on the pages (``api/pages/views/orders.py``, the charity's and the third party's pages, the
bank's order form) in Chromium: a bank issues an order, the charity opens its decrypted copy and signs it, the
payee signs its own, and the matcher settles it; nobody opens another party's order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from api.bootstrap import read_logins
from chain_client.contracts import OrderStatus
from tests.pages.conftest import WAIT_MS, PagesWorld, screenshot, sign_in

pytestmark = pytest.mark.browser

DOCUMENT = "采购单 PAGES-001: 棉被 × 40 床, 送至新乡市第二避难所"


def _address(world: PagesWorld, login: str) -> str:
    book = read_logins(world.settings.data_dir)
    assert book is not None
    return next(entry.address for entry in book.logins if entry.login == login)


def _issue(page: Page, world: PagesWorld, amount: str) -> str:
    """bank-a issues an order from the demo's open plan to merchant-1 on the bank page; its order id."""
    sign_in(page, "bank-a")
    page.goto("/pages/bank?lang=en")
    form = page.locator("#issue-order")
    form.locator("select[name=pool_id]").select_option(str(world.demo.plans["open"]))
    form.locator("select[name=payee]").select_option(_address(world, "merchant-1"))
    form.locator("input[name=amount]").fill(amount)
    form.locator("textarea[name=document]").fill(DOCUMENT)
    form.locator("button[type=submit]").click()
    expect(page.locator("#done")).to_contain_text("The order is issued")
    order_id = page.inner_text("#done-ref").strip()
    assert re.fullmatch(r"0x[0-9a-f]{64}", order_id)
    return order_id


def test_a_charity_opens_and_signs_an_order_then_the_payee_and_the_matcher_settle_it(
    pages_world: PagesWorld, browser: Browser, tmp_path: Path
) -> None:
    world = pages_world
    bank = browser.new_context(base_url=world.url)
    bank.set_default_timeout(WAIT_MS)
    order_id = _issue(bank.new_page(), world, "40")
    screenshot(bank.pages[0], tmp_path, "bank-issued")
    bank.close()
    escrow = world.platform.ledger.escrow
    assert escrow.order_of(bytes.fromhex(order_id[2:])).status is OrderStatus.ISSUED

    charity = browser.new_context(base_url=world.url)
    charity.set_default_timeout(WAIT_MS)
    page = charity.new_page()
    sign_in(page, "charity-1")
    page.goto("/pages/charity?lang=en")
    world.caught_up()
    page.reload()
    waiting = page.locator(f"tr[data-order='{order_id}']").first
    expect(waiting).to_be_visible()
    waiting.locator("a").click()
    # The decrypted copy is shown before it is signed: the document, the amount, every check held.
    expect(page.locator("#order-document")).to_have_text(DOCUMENT)
    expect(page.locator("#order-amount")).to_have_text("40 dCNY")
    expect(page.locator("#copy .badge.ok")).to_be_visible()
    screenshot(page, tmp_path, "charity-order")
    page.click("#sign-form button")
    expect(page.locator("#signed")).to_contain_text("Signed as the charity")
    screenshot(page, tmp_path, "charity-signed")
    copies = world.platform.deliveries.signed_copies(bytes.fromhex(order_id[2:]))
    assert [party.name for party in copies] == ["CHARITY"]
    charity.close()

    payee = browser.new_context(base_url=world.url)
    payee.set_default_timeout(WAIT_MS)
    page = payee.new_page()
    sign_in(page, "merchant-1")
    page.goto("/pages/third-party?lang=en")
    page.locator(f"tr[data-order='{order_id}'] a").first.click()
    expect(page.locator("#order-document")).to_have_text(DOCUMENT)
    page.click("#sign-form button")
    expect(page.locator("#signed")).to_contain_text("Both copies are in")
    # The matcher (a background loop of the app) submits both copies; the escrow releases the order.
    for _ in range(120):
        page.goto(f"/pages/orders/{order_id}?lang=en")
        if page.inner_text("#order-status") == "released":
            break
        page.wait_for_timeout(500)
    expect(page.locator("#order-status")).to_have_text("released")
    assert escrow.order_of(bytes.fromhex(order_id[2:])).status is OrderStatus.RELEASED
    screenshot(page, tmp_path, "payee-released")
    payee.close()


def test_a_charity_cannot_open_another_charitys_order(pages_world: PagesWorld, page: Page) -> None:
    paid = pages_world.demo.orders["paid"]  # charity-1's order
    sign_in(page, "charity-2")
    answer = page.goto(f"/pages/orders/{paid}?lang=en")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("#problem")).to_contain_text("NotFound")
    assert page.locator("#copy").count() == 0
    assert page.locator("#sign-form").count() == 0
