"""contracts/Consortium.sol: roles and the allow-list, on every backend."""

from __future__ import annotations

import pytest

from chain_client import ChainClient, ContractReverted
from chain_client.contracts import BANK_ROLE, DEFAULT_ADMIN_ROLE, REGULATOR_ROLE
from chain_client.deploy import Foundation
from tests.conftest import Accounts

pytestmark = pytest.mark.contract


def test_roles_are_held_by_whom_they_were_granted(foundation: Foundation, accounts: Accounts) -> None:
    consortium = foundation.consortium
    assert consortium.has_role(DEFAULT_ADMIN_ROLE, accounts.admin.address)
    assert consortium.has_role(BANK_ROLE, accounts.bank.address)
    assert consortium.has_role(REGULATOR_ROLE, accounts.regulator.address)
    assert not consortium.has_role(BANK_ROLE, accounts.alice.address)


def test_a_bank_allows_its_customer_and_the_event_records_it(
    foundation: Foundation, accounts: Accounts
) -> None:
    result = foundation.consortium.allow_account(accounts.bank, accounts.carol.address)
    event = result.event("AccountAllowed")
    assert event["account"] == accounts.carol.address
    assert event["by"] == accounts.bank.address
    assert foundation.consortium.is_allowed(accounts.carol.address)


def test_the_regulator_disallows_an_account(foundation: Foundation, accounts: Accounts) -> None:
    result = foundation.consortium.disallow_account(accounts.regulator, accounts.alice.address)
    assert result.event("AccountDisallowed")["by"] == accounts.regulator.address
    assert not foundation.consortium.is_allowed(accounts.alice.address)


def test_allowing_by_someone_without_a_role_reverts(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.allow_account(accounts.alice, accounts.carol.address)
    assert raised.value.error_name == "ConsortiumUnauthorized"
    assert raised.value.args == (accounts.alice.address,)
    assert not foundation.consortium.is_allowed(accounts.carol.address)


def test_the_regulator_cannot_allow(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.allow_account(accounts.regulator, accounts.carol.address)
    assert raised.value.error_name == "ConsortiumUnauthorized"
    assert not foundation.consortium.is_allowed(accounts.carol.address)


def test_disallowing_by_a_customer_reverts(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.disallow_account(accounts.alice, accounts.bob.address)
    assert raised.value.error_name == "ConsortiumUnauthorized"
    assert foundation.consortium.is_allowed(accounts.bob.address)


def test_allowing_twice_reverts(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.allow_account(accounts.bank, accounts.alice.address)
    assert raised.value.error_name == "ConsortiumAccountAlreadyAllowed"
    assert raised.value.args == (accounts.alice.address,)


def test_disallowing_an_account_not_on_the_list_reverts(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.disallow_account(accounts.bank, accounts.carol.address)
    assert raised.value.error_name == "ConsortiumAccountNotAllowed"
    assert raised.value.args == (accounts.carol.address,)


def test_the_zero_address_cannot_be_allowed(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.allow_account(accounts.admin, "0x" + "00" * 20)
    assert raised.value.error_name == "ConsortiumZeroAddress"


def test_only_the_admin_grants_roles(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.grant_role(accounts.bank, BANK_ROLE, accounts.alice.address)
    assert raised.value.error_name == "AccessControlUnauthorizedAccount"
    assert raised.value.args == (accounts.bank.address, DEFAULT_ADMIN_ROLE)
    assert not foundation.consortium.has_role(BANK_ROLE, accounts.alice.address)


def test_a_revoked_bank_can_no_longer_allow(
    foundation: Foundation, accounts: Accounts, chain: ChainClient
) -> None:
    foundation.consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank2.address)
    with pytest.raises(ContractReverted) as raised:
        foundation.consortium.allow_account(accounts.bank2, accounts.carol.address)
    assert raised.value.error_name == "ConsortiumUnauthorized"


def test_first_not_allowed_names_the_first_outsider(foundation: Foundation, accounts: Accounts) -> None:
    consortium = foundation.consortium
    zero = "0x" + "00" * 20
    assert consortium.first_not_allowed(accounts.alice.address, accounts.bob.address) is None
    assert (
        consortium.first_not_allowed(accounts.carol.address, accounts.outsider.address)
        == accounts.carol.address
    )
    assert (
        consortium.first_not_allowed(accounts.alice.address, accounts.outsider.address)
        == accounts.outsider.address
    )
    assert consortium.first_not_allowed(zero, accounts.bob.address) is None  # a mint
    assert consortium.first_not_allowed(accounts.carol.address, zero) == accounts.carol.address  # a burn


def test_the_allow_list_remembers_who_allowed_each_account(
    foundation: Foundation, accounts: Accounts
) -> None:
    consortium = foundation.consortium
    result = consortium.allow_account(accounts.bank, accounts.carol.address)
    assert result.event("AccountAllowed")["by"] == accounts.bank.address
    assert consortium.sponsor_of(accounts.carol.address) == accounts.bank.address
    assert consortium.sponsor_of(accounts.alice.address) == accounts.admin.address
    assert consortium.sponsor_of(accounts.outsider.address) is None
    consortium.disallow_account(accounts.bank, accounts.carol.address)
    assert consortium.sponsor_of(accounts.carol.address) is None
    consortium.allow_account(accounts.bank2, accounts.carol.address)
    assert consortium.sponsor_of(accounts.carol.address) == accounts.bank2.address


def test_a_bank_disallows_only_the_accounts_it_allowed(foundation: Foundation, accounts: Accounts) -> None:
    consortium = foundation.consortium
    consortium.allow_account(accounts.bank, accounts.carol.address)
    for account, sponsor in (
        (accounts.carol.address, accounts.bank.address),
        (accounts.alice.address, accounts.admin.address),
        (accounts.bank.address, accounts.admin.address),
    ):
        with pytest.raises(ContractReverted) as raised:
            consortium.disallow_account(accounts.bank2, account)
        assert raised.value.error_name == "ConsortiumNotSponsor"
        assert raised.value.args == (account, sponsor)
        assert consortium.is_allowed(account)
        assert consortium.sponsor_of(account) == sponsor

    result = consortium.disallow_account(accounts.bank, accounts.carol.address)
    assert result.event("AccountDisallowed")["by"] == accounts.bank.address
    assert not consortium.is_allowed(accounts.carol.address)


@pytest.mark.parametrize("overseer", ["admin", "regulator"])
def test_the_admin_and_the_regulator_disallow_any_account(
    foundation: Foundation, accounts: Accounts, overseer: str
) -> None:
    consortium = foundation.consortium
    consortium.allow_account(accounts.bank, accounts.carol.address)
    by = getattr(accounts, overseer)
    for account in (accounts.carol.address, accounts.alice.address):
        assert consortium.disallow_account(by, account).event("AccountDisallowed")["by"] == by.address
        assert not consortium.is_allowed(account)


def test_transaction_allowed_answers_besu_account_permissioning(
    foundation: Foundation, accounts: Accounts
) -> None:
    consortium = foundation.consortium
    # Besu asks with every field of the transaction; only the sender decides today.
    assert consortium.transaction_allowed(accounts.alice.address, accounts.bob.address, 0, 0, 21_000, b"")
    assert not consortium.transaction_allowed(accounts.carol.address, accounts.bob.address, 0, 0, 21_000, b"")
    consortium.disallow_account(accounts.regulator, accounts.alice.address)
    assert not consortium.transaction_allowed(accounts.alice.address)
    # The admin may always transact, so the consortium cannot lock itself out.
    consortium.disallow_account(accounts.regulator, accounts.admin.address)
    assert consortium.transaction_allowed(accounts.admin.address)
