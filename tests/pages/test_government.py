"""The government's page (``api/pages/views/government.py``) in Chromium: a government department signs in,
lands on its page and approves a plan a bank audited that needs its decision; a non-government login is
refused and a stale form is refused by the contract, changing nothing; a local government acknowledges a
transfer a charity proposed to it and a bank confirmed. Each outcome is checked on the chain."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.bootstrap import read_logins
from chain_client.contracts import GovernmentTransferStatus, PlanStatus
from tests.pages.conftest import PagesWorld, screenshot, sign_in
from tests.registry_support import DAY, chain_time

pytestmark = pytest.mark.browser


def _address(world: PagesWorld, login: str) -> str:
    book = read_logins(world.settings.data_dir)
    assert book is not None
    return next(entry.address for entry in book.logins if entry.login == login)


def _auth(world: PagesWorld, login: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(login)}"}


def _plan_awaiting_the_government(world: PagesWorld, purpose: str) -> int:
    """A plan of charity-2 needing government intervention, launched and audited by a bank through the API."""
    launched = httpx.post(
        f"{world.url}/plans",
        headers=_auth(world, "charity-2"),
        json={
            "purpose": purpose,
            "deadline": chain_time(world.client) + 30 * DAY,
            "money_target": "600",
            "needs_government_approval": True,
        },
    )
    assert launched.status_code == 201, launched.text
    pool_id = int(launched.json()["pool_id"])
    audited = httpx.post(
        f"{world.url}/plans/{pool_id}/audit",
        headers=_auth(world, "bank-a"),
        json={"passed": True, "report": "材料齐全"},
    )
    assert audited.status_code == 200, audited.text
    assert world.platform.ledger.welfare.pools.plan_of(pool_id).status is PlanStatus.AUDITED
    world.caught_up()
    return pool_id


def test_the_government_approves_a_plan_awaiting_its_decision(
    pages_world: PagesWorld, page: Page, tmp_path: Path
) -> None:
    world = pages_world
    pool_id = _plan_awaiting_the_government(world, "洪灾后校舍修缮")
    sign_in(page, "government")
    assert page.url.endswith("/pages/government"), page.url  # the sign-in lands on the government's page
    assert page.locator("#transfers").count() == 0  # a department is no local government: no transfers
    row = page.locator(f"#decisions tr[data-plan='{pool_id}']")
    expect(row).to_contain_text(f"Plan #{pool_id}")
    row.locator("select[name=approved]").select_option("yes")
    row.locator("input[name=decision]").fill("民政局批复 2026-17 号")
    screenshot(page, tmp_path, "government-to-decide")
    row.locator("button").click()
    done = page.locator("#done")
    expect(done).to_contain_text("The plan is approved")
    tx_hash = done.locator("a").inner_text().strip()
    receipt = world.client.backend.get_receipt(bytes.fromhex(tx_hash[2:]))
    assert receipt is not None
    assert receipt.status == 1
    assert world.platform.ledger.welfare.pools.plan_of(pool_id).status is PlanStatus.OPEN
    screenshot(page, tmp_path, "government-approved")

    world.caught_up()
    page.goto("/pages/government?lang=en")
    assert page.locator(f"#decisions tr[data-plan='{pool_id}']").count() == 0  # decided: no longer waiting


def test_a_decision_by_anyone_but_the_government_or_on_a_stale_form_changes_nothing(
    pages_world: PagesWorld, page: Page
) -> None:
    world = pages_world
    pools = world.platform.ledger.welfare.pools
    pool_id = _plan_awaiting_the_government(world, "山区饮水工程")
    height = world.client.block_number()

    # A bank is no government: the page and its action answer the role error; the API answers RoleRequired.
    sign_in(page, "bank-a")
    answer = page.goto("/pages/government?lang=en")
    assert answer is not None
    assert answer.status == 403
    assert "needs one of these roles (as the chain says): government, local government" in page.inner_text(
        "main"
    )
    page.goto("/pages/bank?lang=en")
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    posted = page.request.post(
        f"/pages/government/plans/{pool_id}/decision?lang=en",
        form={"csrf": csrf, "approved": "yes", "decision": "银行代批"},
    )
    assert posted.status == 403
    assert "needs one of these roles (as the chain says): government" in posted.text()
    api = httpx.post(
        f"{world.url}/plans/{pool_id}/decision",
        headers=_auth(world, "bank-a"),
        json={"approved": True, "decision": "银行代批"},
    )
    assert (api.status_code, api.json()["error"]) == (403, "RoleRequired")
    assert pools.plan_of(pool_id).status is PlanStatus.AUDITED
    assert world.client.block_number() == height

    # The government opens its page; the plan is decided elsewhere meanwhile; the stale form is refused by
    # the contract, shown as the API names it, and the plan stays as it was decided.
    page.context.clear_cookies()
    sign_in(page, "government")
    page.goto("/pages/government?lang=en")
    row = page.locator(f"#decisions tr[data-plan='{pool_id}']")
    expect(row).to_have_count(1)
    decided = httpx.post(
        f"{world.url}/plans/{pool_id}/decision",
        headers=_auth(world, "government"),
        json={"approved": True, "decision": "县政府批复"},
    )
    assert decided.status_code == 200, decided.text
    height = world.client.block_number()
    row.locator("select[name=approved]").select_option("no")
    row.locator("input[name=decision]").fill("驳回")
    row.locator("button").click()
    problem = page.locator("#problem")
    expect(problem).to_contain_text("PoolNotAwaitingApproval")
    assert pools.plan_of(pool_id).status is PlanStatus.OPEN
    assert world.client.block_number() == height


def test_a_local_government_acknowledges_a_transfer_to_it(
    pages_world: PagesWorld, page: Page, tmp_path: Path
) -> None:
    world = pages_world
    pools = world.platform.ledger.welfare.pools
    proposed = httpx.post(
        f"{world.url}/plans/{world.demo.plans['open']}/government-transfers",
        headers=_auth(world, "charity-1"),
        json={
            "local_government": _address(world, "local-government"),
            "amount": "5",
            "purpose": "安置点供暖",
        },
    )
    assert proposed.status_code == 201, proposed.text
    transfer_id = int(proposed.json()["id"])
    confirmed = httpx.post(
        f"{world.url}/government-transfers/{transfer_id}/confirm", headers=_auth(world, "bank-a")
    )
    assert confirmed.status_code == 200, confirmed.text
    world.caught_up()

    sign_in(page, "local-government")
    assert page.url.endswith("/pages/government"), page.url
    assert page.locator("#decisions").count() == 0  # a local government decides no plans
    row = page.locator(f"#transfers tr[data-transfer='{transfer_id}']")
    expect(row.locator(".transfer-status")).to_have_attribute("data-status", "confirmed")
    expect(row).to_contain_text("5 dCNY")
    row.locator("button").click()
    expect(page.locator("#done")).to_contain_text("The receipt is acknowledged on-chain")
    assert pools.government_transfer_of(transfer_id).status is GovernmentTransferStatus.ACKNOWLEDGED
    row = page.locator(f"#transfers tr[data-transfer='{transfer_id}']")
    expect(row.locator(".transfer-status")).to_have_attribute("data-status", "acknowledged")
    assert row.locator("button").count() == 0
    screenshot(page, tmp_path, "local-government-acknowledged")
