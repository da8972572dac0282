"""``api/routes/accounts.py`` and ``api/routes/ledger.py``: roles and the allow-list; the ledger served."""

from __future__ import annotations

import pytest

from tests.api.routes.conftest import CAST, Api, Unchanged

pytestmark = pytest.mark.api


def test_anyone_reads_an_accounts_roles_and_the_ledger(api: Api) -> None:
    bank = api.http.get(f"/accounts/{CAST.bank.address}").json()
    assert (bank["roles"], bank["allowed"]) == (["bank"], True)
    outsider = api.http.get(f"/accounts/{CAST.outsider.address}").json()
    assert (outsider["roles"], outsider["allowed"], outsider["sponsor"]) == ([], False, None)
    ledger = api.http.get("/ledger").json()
    assert ledger["chain_id"] == 1337
    assert ledger["contracts"]["WelfarePools"] == api.world.ledger.welfare.pools.address
    assert ledger["money"] == {"symbol": "dCNY", "decimals": 18}


def test_a_bank_allow_lists_an_account_and_takes_it_off(api: Api, unchanged: Unchanged) -> None:
    url = f"/accounts/{CAST.outsider.address}"
    with unchanged:
        by_donor = api.http.post(f"{url}/allow", headers=api.auth("alice"))
    assert (by_donor.status_code, by_donor.json()["error"]) == (403, "RoleRequired")
    assert api.http.post(f"{url}/allow", headers=api.auth("bank")).status_code == 200
    assert api.http.get(url).json()["sponsor"] == CAST.bank.address
    with unchanged:
        twice = api.http.post(f"{url}/allow", headers=api.auth("bank"))
        by_other_bank = api.http.post(f"{url}/disallow", headers=api.auth("bank2"))
    assert (twice.status_code, twice.json()["error"]) == (409, "ConsortiumAccountAlreadyAllowed")
    assert (by_other_bank.status_code, by_other_bank.json()["error"]) == (403, "ConsortiumNotSponsor")
    assert api.http.post(f"{url}/disallow", headers=api.auth("bank")).status_code == 200
    assert api.http.get(url).json()["allowed"] is False


def test_the_read_model_says_how_far_it_has_indexed_and_replays_events(api: Api) -> None:
    api.world.indexed()
    status = api.http.get("/ledger/read-model").json()
    assert status["as_of_block"] == api.world.client.block_number()
    assert status["events"] > 0
    granted = api.http.get("/ledger/events", params={"name": "RoleGranted", "limit": 500}).json()["items"]
    assert CAST.bank.address in str(granted)
