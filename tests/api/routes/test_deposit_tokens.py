"""``api/routes/deposit_tokens.py``: a bank mints against its reference, a holder redeems, anyone reads."""

from __future__ import annotations

import pytest

from tests.api.routes.conftest import CAST, TOKEN, Api, Unchanged, fund

pytestmark = pytest.mark.api


def test_the_token_and_a_balance_read_without_sign_in(api: Api) -> None:
    fund(api.world, CAST.alice, 12 * TOKEN + TOKEN // 4)
    token = api.http.get("/deposit-tokens").json()
    assert (token["symbol"], token["decimals"]) == ("dCNY", 18)
    assert token["total_supply"]["decimals"] == 18
    balance = api.http.get(f"/deposit-tokens/balances/{CAST.alice.address.lower()}").json()
    assert balance["account"] == CAST.alice.address
    assert (balance["balance"]["value"], balance["balance"]["decimals"], balance["balance"]["unit"]) == (
        "12.25",
        18,
        "dCNY",
    )
    assert balance["as_of"]["block_number"] == api.world.client.block_number()


def test_a_bank_mints_against_its_reference_once(api: Api, unchanged: Unchanged) -> None:
    token = api.world.ledger.foundation.deposit_token
    before = token.balance_of(CAST.bob.address)
    body = {"to": CAST.bob.address, "amount": "100.5", "bank_reference": "DEP-1"}
    answer = api.http.post("/deposit-tokens/mint", json=body, headers=api.auth("bank"))
    assert answer.status_code == 201, answer.text
    assert (
        answer.json()["amount"]["value"],
        answer.json()["amount"]["decimals"],
        answer.json()["amount"]["unit"],
    ) == ("100.5", 18, "dCNY")
    assert token.balance_of(CAST.bob.address) == before + 100 * TOKEN + TOKEN // 2

    with unchanged:
        again = api.http.post("/deposit-tokens/mint", json=body, headers=api.auth("bank"))
    assert again.status_code == 409
    assert again.json()["error"] == "DepositTokenBankReferenceUsed"
    assert again.json()["detail"]["notice"]


def test_only_a_bank_mints(api: Api, unchanged: Unchanged) -> None:
    body = {"to": CAST.charity.address, "amount": "1", "bank_reference": "DEP-2"}
    with unchanged:
        answer = api.http.post("/deposit-tokens/mint", json=body, headers=api.auth("charity"))
        assert api.http.post("/deposit-tokens/mint", json=body).status_code == 401
    assert answer.status_code == 403
    assert answer.json()["error"] == "RoleRequired"


@pytest.mark.parametrize("amount", ["0", "0.0000000000000000001", "1e5", "-1", "1" * 80])
def test_an_amount_that_does_not_fit_is_refused(api: Api, unchanged: Unchanged, amount: str) -> None:
    body = {"to": CAST.bob.address, "amount": amount, "bank_reference": "DEP-3"}
    with unchanged:
        answer = api.http.post("/deposit-tokens/mint", json=body, headers=api.auth("bank"))
    assert answer.status_code == 422
    assert answer.json()["reason"]


def test_a_holder_redeems_and_cannot_redeem_more_than_it_holds(api: Api, unchanged: Unchanged) -> None:
    fund(api.world, CAST.alice, 10 * TOKEN)
    token = api.world.ledger.foundation.deposit_token
    before = token.balance_of(CAST.alice.address)
    body = {"amount": "4", "bank": CAST.bank.address, "bank_reference": "WD-1"}
    answer = api.http.post("/deposit-tokens/redeem", json=body, headers=api.auth("alice"))
    assert answer.status_code == 201, answer.text
    assert token.balance_of(CAST.alice.address) == before - 4 * TOKEN
    with unchanged:
        too_much = api.http.post(
            "/deposit-tokens/redeem",
            json={**body, "amount": str(before), "bank_reference": "WD-2"},
            headers=api.auth("alice"),
        )
    assert too_much.status_code == 409
    assert too_much.json()["error"] == "ERC20InsufficientBalance"
