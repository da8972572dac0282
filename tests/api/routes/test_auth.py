"""``api/routes/auth.py``: password and EIP-4361 sign-in, sessions, roles read from the chain."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from chain_client.contracts import BANK_ROLE
from tests.api.routes.conftest import CAST, PASSWORD, Api

pytestmark = pytest.mark.api


def sign(account: object, message: str) -> str:
    signed = Account.sign_message(encode_defunct(text=message), account.key)  # type: ignore[attr-defined]
    return "0x" + bytes(signed.signature).hex()


def test_password_sign_in_names_the_account_and_its_roles_from_the_chain(api: Api) -> None:
    answer = api.http.post("/auth/password", json={"organisation": "bank", "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["account"] == CAST.bank.address
    assert body["method"] == "password"
    me = api.http.get("/auth/me", headers={"Authorization": f"Bearer {body['token']}"}).json()
    assert me["account"] == CAST.bank.address
    assert me["roles"] == ["bank"]
    assert me["holds_key"] is True
    assert me["allowed"] is True

    assert api.http.get("/auth/me", headers=api.auth("charity")).json()["roles"] == ["charity"]
    assert api.http.get("/auth/me", headers=api.auth("agency")).json()["roles"] == ["government_agency"]
    assert api.http.get("/auth/me", headers=api.auth("alice")).json()["roles"] == []


def test_a_role_revoked_on_chain_is_gone_from_the_next_block(api: Api) -> None:
    headers = api.auth("bank2")
    assert api.http.get("/auth/me", headers=headers).json()["roles"] == ["bank"]
    api.world.ledger.foundation.consortium.revoke_role(CAST.admin, BANK_ROLE, CAST.bank2.address)
    assert api.http.get("/auth/me", headers=headers).json()["roles"] == []


@pytest.mark.parametrize(
    ("organisation", "password"), [("bank", "wrong password"), ("no-such-organisation", PASSWORD)]
)
def test_a_wrong_password_or_name_signs_nobody_in(api: Api, organisation: str, password: str) -> None:
    answer = api.http.post("/auth/password", json={"organisation": organisation, "password": password})
    assert answer.status_code == 401
    assert answer.json()["error"] == "SignInFailed"
    assert answer.json()["reason"] == "unknown organisation or wrong password"


def test_eip4361_sign_in_with_the_account_key(api: Api) -> None:
    challenge = api.http.post("/auth/challenge", json={"address": CAST.alice.address.lower()}).json()
    message = challenge["message"]
    assert message.startswith("testserver wants you to sign in with your Ethereum account:\n")
    assert f"\n{CAST.alice.address}\n" in message
    assert "\nURI: http://testserver\nVersion: 1\nChain ID: 1337\n" in message
    assert f"\nNonce: {challenge['nonce']}\n" in message

    answer = api.http.post("/auth/eip4361", json={"message": message, "signature": sign(CAST.alice, message)})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["account"], body["method"]) == (CAST.alice.address, "eip4361")
    me = api.http.get("/auth/me", headers={"Authorization": f"Bearer {body['token']}"}).json()
    assert me["account"] == CAST.alice.address
    assert me["holds_key"] is False


def test_eip4361_refuses_another_signer_a_changed_text_and_a_reused_nonce(api: Api) -> None:
    def fresh() -> str:
        return str(api.http.post("/auth/challenge", json={"address": CAST.alice.address}).json()["message"])

    message = fresh()
    wrong = api.http.post("/auth/eip4361", json={"message": message, "signature": sign(CAST.bob, message)})
    assert wrong.status_code == 401
    assert CAST.bob.address in wrong.json()["reason"]

    message = fresh()
    changed = message.replace("Version: 1", "Version: 2")
    answer = api.http.post("/auth/eip4361", json={"message": changed, "signature": sign(CAST.alice, changed)})
    assert answer.status_code == 401
    assert "not the EIP-4361 text" in answer.json()["reason"]

    message = fresh()
    first = api.http.post("/auth/eip4361", json={"message": message, "signature": sign(CAST.alice, message)})
    assert first.status_code == 200
    again = api.http.post("/auth/eip4361", json={"message": message, "signature": sign(CAST.alice, message)})
    assert again.status_code == 401
    assert "already used" in again.json()["reason"]


def test_an_expired_challenge_or_session_is_refused(api: Api) -> None:
    sessions = api.platform.sessions
    now = [1_000_000.0]
    sessions.clock = lambda: now[0]
    message = api.http.post("/auth/challenge", json={"address": CAST.alice.address}).json()["message"]
    now[0] += sessions.challenge_ttl + 1
    late = api.http.post("/auth/eip4361", json={"message": message, "signature": sign(CAST.alice, message)})
    assert late.status_code == 401
    assert "expired" in late.json()["reason"]

    headers = api.auth("alice")
    assert api.http.get("/auth/me", headers=headers).status_code == 200
    now[0] += sessions.session_ttl
    answer = api.http.get("/auth/me", headers=headers)
    assert answer.status_code == 401
    assert "expired" in answer.json()["reason"]


def test_no_token_a_forged_token_and_a_signed_out_token_are_refused(api: Api) -> None:
    assert api.http.get("/auth/me").status_code == 401
    forged = api.auth("alice")["Authorization"][:-4] + "AAAA"
    assert api.http.get("/auth/me", headers={"Authorization": forged}).status_code == 401
    headers = api.auth("alice")
    assert api.http.post("/auth/logout", headers=headers).status_code == 204
    answer = api.http.get("/auth/me", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "NotSignedIn"


def test_a_wallet_session_cannot_have_the_platform_sign(api: Api) -> None:
    challenge = api.http.post("/auth/challenge", json={"address": CAST.alice.address}).json()["message"]
    token = api.http.post(
        "/auth/eip4361", json={"message": challenge, "signature": sign(CAST.alice, challenge)}
    ).json()["token"]
    block = api.world.client.block_number()
    answer = api.http.post(
        "/donations", json={"pool_id": 1, "amount": "1"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert (answer.status_code, answer.json()["error"]) == (403, "KeyNotHeld")
    assert "POST /transactions" in answer.json()["reason"]
    assert api.world.client.block_number() == block
