"""contracts/DepositToken.sol: minted by banks, redeemed by holders, moved only between allowed accounts."""

from __future__ import annotations

import pytest

from chain_client import ChainClient, ContractReverted
from chain_client.contracts import BANK_ROLE, DepositToken
from chain_client.deploy import Foundation
from tests.conftest import Accounts
from tests.registry_support import DAY, advance_past, chain_time

pytestmark = pytest.mark.contract

REF_1 = b"\x01" * 32
REF_2 = b"\x02" * 32
REF_3 = b"\x03" * 32


def test_a_bank_mints_against_a_reference(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    result = token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    minted = result.event("DepositMinted")
    assert (minted["bank"], minted["to"], minted["amount"], minted["bankRef"]) == (
        accounts.bank.address,
        accounts.alice.address,
        1_000,
        REF_1,
    )
    assert token.balance_of(accounts.alice.address) == 1_000
    assert token.total_supply() == 1_000
    assert token.is_mint_reference_used(accounts.bank.address, REF_1)
    assert not token.is_mint_reference_used(accounts.bank2.address, REF_1)
    assert not token.is_redemption_reference_used(accounts.bank.address, REF_1)


def test_a_mint_by_a_non_bank_reverts_and_changes_nothing(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    with pytest.raises(ContractReverted) as raised:
        token.mint(accounts.alice, accounts.alice.address, 1_000, REF_1)
    assert raised.value.error_name == "DepositTokenUnauthorized"
    assert raised.value.args == (accounts.alice.address, BANK_ROLE)
    assert token.balance_of(accounts.alice.address) == 0
    assert token.total_supply() == 0
    assert not token.is_mint_reference_used(accounts.alice.address, REF_1)


def test_a_bank_mints_under_a_reference_once(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    with pytest.raises(ContractReverted) as raised:
        token.mint(accounts.bank, accounts.bob.address, 5, REF_1)
    assert raised.value.error_name == "DepositTokenBankReferenceUsed"
    assert raised.value.args == (accounts.bank.address, REF_1)
    assert token.balance_of(accounts.bob.address) == 0
    assert token.total_supply() == 1_000


def test_different_banks_may_mint_under_the_same_reference(
    foundation: Foundation, accounts: Accounts
) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    token.mint(accounts.bank2, accounts.bob.address, 5, REF_1)
    assert token.balance_of(accounts.bob.address) == 5
    assert token.is_mint_reference_used(accounts.bank2.address, REF_1)


def test_a_redemption_cannot_use_up_a_reference_a_bank_is_about_to_mint_under(
    foundation: Foundation, accounts: Accounts
) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    # alice front-runs the bank's next mint reference with a 1-wei redemption: the mint still goes through.
    token.redeem(accounts.alice, 1, accounts.bank.address, REF_2)
    assert token.is_redemption_reference_used(accounts.bank.address, REF_2)
    assert not token.is_mint_reference_used(accounts.bank.address, REF_2)
    token.mint(accounts.bank, accounts.bob.address, 5, REF_2)
    assert token.balance_of(accounts.bob.address) == 5
    assert token.is_mint_reference_used(accounts.bank.address, REF_2)


def test_a_mint_needs_a_reference_and_an_amount(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    with pytest.raises(ContractReverted) as missing:
        token.mint(accounts.bank, accounts.alice.address, 1, b"\x00" * 32)
    assert missing.value.error_name == "DepositTokenBankReferenceMissing"
    with pytest.raises(ContractReverted) as zero:
        token.mint(accounts.bank, accounts.alice.address, 0, REF_1)
    assert zero.value.error_name == "DepositTokenZeroAmount"
    assert token.total_supply() == 0


def test_a_mint_to_an_account_off_the_list_reverts(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    with pytest.raises(ContractReverted) as raised:
        token.mint(accounts.bank, accounts.carol.address, 1, REF_1)
    assert raised.value.error_name == "DepositTokenAccountNotAllowed"
    assert raised.value.args == (accounts.carol.address,)
    assert token.total_supply() == 0


def test_transfers_between_allowed_accounts(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    result = token.transfer(accounts.alice, accounts.bob.address, 300)
    assert result.event("Transfer").args == {
        "from": accounts.alice.address,
        "to": accounts.bob.address,
        "value": 300,
    }
    assert token.balance_of(accounts.alice.address) == 700
    assert token.balance_of(accounts.bob.address) == 300


def test_a_transfer_to_an_account_off_the_list_reverts_and_balances_stay(
    foundation: Foundation, accounts: Accounts
) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    with pytest.raises(ContractReverted) as raised:
        token.transfer(accounts.alice, accounts.carol.address, 10)
    assert raised.value.error_name == "DepositTokenAccountNotAllowed"
    assert raised.value.args == (accounts.carol.address,)
    assert token.balance_of(accounts.alice.address) == 1_000
    assert token.balance_of(accounts.carol.address) == 0


def test_a_disallowed_holder_cannot_move_its_tokens(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    foundation.consortium.disallow_account(accounts.regulator, accounts.alice.address)
    with pytest.raises(ContractReverted) as raised:
        token.transfer(accounts.alice, accounts.bob.address, 10)
    assert raised.value.error_name == "DepositTokenAccountNotAllowed"
    assert raised.value.args == (accounts.alice.address,)
    assert token.balance_of(accounts.alice.address) == 1_000


def test_a_transfer_beyond_the_balance_reverts(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 100, REF_1)
    with pytest.raises(ContractReverted) as raised:
        token.transfer(accounts.alice, accounts.bob.address, 101)
    assert raised.value.error_name == "ERC20InsufficientBalance"
    assert raised.value.args == (accounts.alice.address, 100, 101)


def test_a_holder_redeems_through_a_bank(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    result = token.redeem(accounts.alice, 400, accounts.bank2.address, REF_2)
    redeemed = result.event("DepositRedeemed")
    assert (redeemed["holder"], redeemed["bank"], redeemed["amount"], redeemed["bankRef"]) == (
        accounts.alice.address,
        accounts.bank2.address,
        400,
        REF_2,
    )
    assert token.balance_of(accounts.alice.address) == 600
    assert token.total_supply() == 600


def test_redeeming_through_a_non_bank_reverts(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    with pytest.raises(ContractReverted) as raised:
        token.redeem(accounts.alice, 400, accounts.bob.address, REF_2)
    assert raised.value.error_name == "DepositTokenNotABank"
    assert raised.value.args == (accounts.bob.address,)
    assert token.total_supply() == 1_000


def test_redeeming_with_a_used_redemption_reference_reverts(
    foundation: Foundation, accounts: Accounts
) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    token.redeem(accounts.alice, 100, accounts.bank.address, REF_2)
    with pytest.raises(ContractReverted) as raised:
        token.redeem(accounts.alice, 400, accounts.bank.address, REF_2)
    assert raised.value.error_name == "DepositTokenBankReferenceUsed"
    assert raised.value.args == (accounts.bank.address, REF_2)
    assert token.balance_of(accounts.alice.address) == 900
    assert token.total_supply() == 900
    # The bank's mint reference REF_1 is another namespace, and another bank pays out under its own.
    token.redeem(accounts.alice, 1, accounts.bank.address, REF_1)
    token.redeem(accounts.alice, 1, accounts.bank2.address, REF_2)
    assert token.balance_of(accounts.alice.address) == 898


def test_the_consortium_pauses_and_unpauses(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    paused = token.pause(accounts.admin).event("TransfersPaused")
    assert token.paused()
    until = token.paused_until()
    assert (paused["by"], paused["until"]) == (accounts.admin.address, until)
    with pytest.raises(ContractReverted) as raised:
        token.transfer(accounts.alice, accounts.bob.address, 1)
    assert (raised.value.error_name, *raised.value.args) == ("DepositTokenPaused", until)
    with pytest.raises(ContractReverted):
        token.mint(accounts.bank, accounts.alice.address, 1, REF_3)
    assert token.balance_of(accounts.alice.address) == 1_000
    assert token.unpause(accounts.admin).event("TransfersResumed")["by"] == accounts.admin.address
    token.transfer(accounts.alice, accounts.bob.address, 1)
    assert token.balance_of(accounts.bob.address) == 1


def test_a_pause_runs_out_by_itself_unless_renewed(
    foundation: Foundation, accounts: Accounts, chain: ChainClient
) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    token.pause(accounts.admin)
    assert token.paused_until() - chain_time(chain) <= token.max_pause_duration() == 7 * DAY
    advance_past(chain, token.paused_until() - 2)
    token.pause(accounts.admin)  # a fresh decision renews it from now
    renewed = token.paused_until()
    advance_past(chain, renewed - 3)  # a call sees the head's time, the next block one second later
    assert token.paused()
    with pytest.raises(ContractReverted):
        token.transfer(accounts.alice, accounts.bob.address, 1)
    advance_past(chain, renewed - 1)
    # Nobody unpaused, yet the token moves again: no party can keep it frozen without deciding again.
    assert not token.paused()
    token.transfer(accounts.alice, accounts.bob.address, 1)
    assert token.balance_of(accounts.bob.address) == 1


def test_only_the_consortium_admin_pauses(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    with pytest.raises(ContractReverted) as raised:
        token.pause(accounts.bank)
    assert raised.value.error_name == "DepositTokenUnauthorized"
    assert raised.value.args == (accounts.bank.address, b"\x00" * 32)
    assert not token.paused()


def test_unpausing_when_not_paused_reverts(foundation: Foundation, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        foundation.deposit_token.unpause(accounts.admin)
    assert raised.value.error_name == "DepositTokenNotPaused"
    assert not foundation.deposit_token.paused()


def test_an_allowance_for_a_spender_off_the_allow_list_is_refused(
    foundation: Foundation, accounts: Accounts, chain: ChainClient
) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    with pytest.raises(ContractReverted) as raised:
        token.approve(accounts.alice, accounts.outsider.address, 50)
    assert (raised.value.error_name, *raised.value.args) == (
        "DepositTokenAccountNotAllowed",
        accounts.outsider.address,
    )
    deadline = chain_time(chain) + 3_600
    signature = token.sign_permit(accounts.alice, accounts.outsider.address, 50, deadline)
    with pytest.raises(ContractReverted) as raised:
        token.permit(accounts.bob, accounts.alice.address, accounts.outsider.address, 50, deadline, signature)
    assert raised.value.error_name == "DepositTokenAccountNotAllowed"
    assert token.allowance(accounts.alice.address, accounts.outsider.address) == 0
    assert token.nonces(accounts.alice.address) == 0


def test_a_spender_barred_since_its_approval_cannot_move_tokens(
    foundation: Foundation, accounts: Accounts
) -> None:
    token, consortium = foundation.deposit_token, foundation.consortium
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    consortium.allow_account(accounts.bank, accounts.carol.address)
    token.approve(accounts.alice, accounts.carol.address, 50)
    consortium.disallow_account(accounts.regulator, accounts.carol.address)
    # carol moves alice's tokens to bob, both allow-listed: refused, because carol, who moves them, is not.
    with pytest.raises(ContractReverted) as raised:
        token.transfer_from(accounts.carol, accounts.alice.address, accounts.bob.address, 50)
    assert (raised.value.error_name, *raised.value.args) == (
        "DepositTokenAccountNotAllowed",
        accounts.carol.address,
    )
    assert token.balance_of(accounts.alice.address) == 1_000
    assert token.balance_of(accounts.bob.address) == 0
    assert token.allowance(accounts.alice.address, accounts.carol.address) == 50
    # Withdrawing the allowance is always possible.
    token.approve(accounts.alice, accounts.carol.address, 0)
    assert token.allowance(accounts.alice.address, accounts.carol.address) == 0


def test_transfer_from_uses_the_allowance(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 1_000, REF_1)
    token.approve(accounts.alice, accounts.bob.address, 50)
    token.transfer_from(accounts.bob, accounts.alice.address, accounts.bob.address, 50)
    assert token.allowance(accounts.alice.address, accounts.bob.address) == 0
    with pytest.raises(ContractReverted) as raised:
        token.transfer_from(accounts.bob, accounts.alice.address, accounts.bob.address, 1)
    assert raised.value.error_name == "ERC20InsufficientAllowance"
    assert token.balance_of(accounts.bob.address) == 50


def test_a_permit_signature_sets_the_allowance_in_one_transaction(
    foundation: Foundation, accounts: Accounts, chain: ChainClient
) -> None:
    token = foundation.deposit_token
    deadline = chain.backend.get_block("latest").timestamp + 3600  # type: ignore[union-attr]
    signature = token.sign_permit(accounts.alice, accounts.bob.address, 250, deadline)
    result = token.permit(
        accounts.bob, accounts.alice.address, accounts.bob.address, 250, deadline, signature
    )
    assert result.event("Approval").args == {
        "owner": accounts.alice.address,
        "spender": accounts.bob.address,
        "value": 250,
    }
    assert token.allowance(accounts.alice.address, accounts.bob.address) == 250
    assert token.nonces(accounts.alice.address) == 1


def test_an_expired_permit_reverts(foundation: Foundation, accounts: Accounts, chain: ChainClient) -> None:
    token = foundation.deposit_token
    deadline = chain.backend.get_block("latest").timestamp - 1  # type: ignore[union-attr]
    signature = token.sign_permit(accounts.alice, accounts.bob.address, 250, deadline)
    with pytest.raises(ContractReverted) as raised:
        token.permit(accounts.bob, accounts.alice.address, accounts.bob.address, 250, deadline, signature)
    assert raised.value.error_name == "ERC2612ExpiredSignature"
    assert raised.value.args == (deadline,)
    assert token.allowance(accounts.alice.address, accounts.bob.address) == 0


def test_a_permit_signed_by_someone_else_reverts(
    foundation: Foundation, accounts: Accounts, chain: ChainClient
) -> None:
    token = foundation.deposit_token
    deadline = chain.backend.get_block("latest").timestamp + 3600  # type: ignore[union-attr]
    forged = token.sign_permit(accounts.carol, accounts.bob.address, 250, deadline, nonce=0)
    with pytest.raises(ContractReverted) as raised:
        token.permit(accounts.bob, accounts.alice.address, accounts.bob.address, 250, deadline, forged)
    assert raised.value.error_name == "ERC2612InvalidSigner"
    recovered, owner = raised.value.args  # carol signed a permit of her own: it recovers to a stranger
    assert owner == accounts.alice.address
    assert recovered != accounts.alice.address
    assert token.allowance(accounts.alice.address, accounts.bob.address) == 0


def test_a_token_without_a_consortium_cannot_be_deployed(chain: ChainClient, accounts: Accounts) -> None:
    with pytest.raises(ContractReverted) as raised:
        DepositToken.deploy(chain, accounts.admin, "0x" + "00" * 20, "x", "X")
    assert raised.value.error_name == "DepositTokenZeroAddress"


def test_a_zero_redemption_reverts(foundation: Foundation, accounts: Accounts) -> None:
    token = foundation.deposit_token
    token.mint(accounts.bank, accounts.alice.address, 10, REF_1)
    with pytest.raises(ContractReverted) as raised:
        token.redeem(accounts.alice, 0, accounts.bank.address, REF_2)
    assert raised.value.error_name == "DepositTokenZeroAmount"
    assert token.balance_of(accounts.alice.address) == 10
