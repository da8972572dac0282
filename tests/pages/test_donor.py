"""The donor's pages (``api/pages/views/donor.py``) and the PDF receipt (``api/pages/receipts.py``) in Chromium:
a donor signs in, gives, follows the receipt's verify link to the graph; the receipt's text and QR code."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from api.bootstrap import Login, read_logins
from api.verify import verify_transaction
from tests.pages.conftest import PagesWorld, screenshot, sign_in

pytestmark = pytest.mark.browser

MERCHANT = "merchant-1"


def login_of(world: PagesWorld, login: str) -> Login:
    """The demo login ``login`` (its address and public name), as the demo recorded it."""
    book = read_logins(world.settings.data_dir)
    assert book is not None
    return next(entry for entry in book.logins if entry.login == login)


def _give(page: Page, world: PagesWorld, amount: str) -> str:
    """Give ``amount`` dCNY to plan 1 (the demo's open plan) on the donor page; the transaction hash."""
    flood = world.demo.plans["open"]
    page.goto("/pages/donor?lang=en")
    form = page.locator("#give-money")
    form.locator("select[name=pool_id]").select_option(str(flood))
    form.locator("input[name=amount]").fill(amount)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/pages/donor/gifts/0x[0-9a-f]{64}"))
    tx_hash = page.inner_text("#gift-tx").strip()
    assert re.fullmatch(r"0x[0-9a-f]{64}", tx_hash)
    return tx_hash


def test_a_donor_gives_and_follows_the_gift_to_the_plan_and_the_merchant(
    pages_world: PagesWorld, page: Page, tmp_path: Path
) -> None:
    world = pages_world
    sign_in(page, "donor-2")
    donor = login_of(world, "donor-2").address
    token = world.platform.ledger.foundation.deposit_token
    before = token.balance_of(donor)
    tx_hash = _give(page, world, "12.5")
    # The gift is on the chain: the donor's balance fell by exactly the gift.
    assert before - token.balance_of(donor) == 12_500_000_000_000_000_000
    screenshot(page, tmp_path, "gift")

    # The receipt's verify link (the same URL as in its QR code) opens the verify page, which waits for the
    # indexer and then draws the graph.
    link = page.get_attribute("#verify-link", "href")
    assert link == f"{world.url}/pages/verify/{tx_hash}"
    page.click("#verify-link")
    page.wait_for_selector("figure.graph svg")
    assert page.inner_text("#tx-hash").strip() == tx_hash
    assert page.get_attribute("[data-kind]", "data-kind") == "donation"
    flood = world.demo.plans["open"]
    graph = page.locator("figure.graph svg")
    plan_node = graph.locator(f"g#flow-plan-{flood}")
    assert plan_node.count() == 1
    assert graph.locator(f"g#flow-account-{donor}.donor").count() == 1
    # The plan has a paid order: the gift's share reaches the merchant, named, through the order.
    merchant = login_of(world, MERCHANT)
    payee = graph.locator(f"g#flow-account-{merchant.address}.payee")
    assert payee.count() == 1
    assert merchant.name in (payee.text_content() or "")
    # Steps match the graph's edges and the verification's JSON, each with block, transaction and log index.
    found = verify_transaction(world.platform.read_model, tx_hash)  # type: ignore[arg-type]
    rows = page.locator("#steps tbody tr")
    assert rows.count() == len(found.flow.edges)
    paid = [index for index, edge in enumerate(found.flow.edges, start=1) if edge.kind.value == "paid"]
    assert paid, "the demo plan's paid order is in the flow"
    paid_row = page.locator(f"#step-{paid[0]}")
    edge = found.flow.edges[paid[0] - 1]
    assert str(edge.proof.block_number) in paid_row.inner_text()
    assert paid_row.locator("td").nth(7).inner_text().strip() == str(edge.proof.log_index)
    # "Check it yourself": the exact JSON-RPC call of the gift's own step, against this ledger's node.
    page.click("#check-details summary")
    (donated,) = [i for i, e in enumerate(found.flow.edges, start=1) if e.proof.tx_hash == tx_hash]
    call = page.locator(f"#proof-{donated} pre").first.inner_text()
    assert call.startswith("curl ")
    assert f'"method":"eth_getTransactionReceipt","params":["{tx_hash}"]' in call
    assert world.rpc_url in call
    # Run it: the node's receipt has the step's log, emitted by the address and with the topic the panel shows.
    answer = json.loads(subprocess.run(["sh", "-c", call], capture_output=True, text=True, check=True).stdout)
    proof = page.locator(f"#proof-{donated} dd")
    shown = [proof.nth(index).inner_text().strip() for index in range(proof.count())]
    log_index, address, topic0 = shown[2].split()[0], shown[3], shown[5]
    (log,) = [entry for entry in answer["result"]["logs"] if int(entry["logIndex"], 16) == int(log_index)]
    assert log["address"].lower() == address.lower()
    assert log["topics"][0] == topic0
    screenshot(page, tmp_path, "verify")
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.click("#check-details summary")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "verify-page.png"))


def test_the_receipt_pdf_holds_the_hash_and_a_qr_code_of_the_verify_link(
    pages_world: PagesWorld, context: BrowserContext, tmp_path: Path
) -> None:
    world = pages_world
    page = context.new_page()
    sign_in(page, "donor-3")
    tx_hash = _give(page, world, "7")
    world.caught_up()
    page.fill("#receipt-form input[name=name]", "王小明")
    with page.expect_download() as download_info:
        page.click("#receipt-form button[type=submit]")
    pdf = tmp_path / "receipt.pdf"
    download_info.value.save_as(pdf)
    screenshot(page, tmp_path, "gift")
    assert pdf.read_bytes().startswith(b"%PDF-")

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert tx_hash in text.stdout
    assert "王小明" in text.stdout  # the display name the donor gave, in the embedded Chinese font
    assert "捐赠收据" in text.stdout
    assert "Donation receipt" in text.stdout
    assert "7 dCNY" in text.stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts  # embedded (subset), not referenced
    assert re.search(r"WenQuanYi\S*\s+\S.*\byes\b", fonts)

    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "receipt")], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "receipt.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert decoded.stdout.strip() == f"{world.url}/pages/verify/{tx_hash}"


def test_a_receipt_is_only_its_donors(pages_world: PagesWorld, page: Page) -> None:
    """Another donor (or anyone) asking for a donor's receipt gets 404, and a signed-out visitor signs in first."""
    gift = pages_world.demo.transactions["donation to the open plan"]  # donor-1's
    answer = page.goto(f"/pages/donor/receipts/{gift}.pdf")
    assert answer is not None
    assert "/pages/sign-in" in page.url
    sign_in(page, "donor-2")
    answer = page.goto(f"/pages/donor/receipts/{gift}.pdf?lang=en")
    assert answer is not None
    assert answer.status == 404
    assert "No gift of yours" in page.inner_text("main")
