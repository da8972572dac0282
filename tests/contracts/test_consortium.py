"""contracts/Consortium.sol: roles, the allow-list, the node list and a consortium that cannot lock itself, on every
backend."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from chain_client import ChainClient, ContractReverted
from chain_client.contracts import BANK_ROLE, DEFAULT_ADMIN_ROLE, LEDGER_CONTRACT_ROLE, REGULATOR_ROLE, Enode
from chain_client.deploy import Foundation
from tests.conftest import Accounts
from tests.pools_support import TOKEN, World, fund, open_plan, terms

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


# ---------------------------------------------------------------- a consortium that cannot lock itself


def test_the_last_admin_can_neither_renounce_nor_be_revoked(
    foundation: Foundation, accounts: Accounts
) -> None:
    consortium, token = foundation.consortium, foundation.deposit_token
    token.pause(accounts.admin)
    for leave in (
        lambda: consortium.renounce_role(accounts.admin, DEFAULT_ADMIN_ROLE),
        lambda: consortium.revoke_role(accounts.admin, DEFAULT_ADMIN_ROLE, accounts.admin.address),
    ):
        with pytest.raises(ContractReverted) as raised:
            leave()
        assert (raised.value.error_name, *raised.value.args) == (
            "ConsortiumLastMember",
            DEFAULT_ADMIN_ROLE,
            accounts.admin.address,
        )
    # The ledger still has an admin, who can unpause and grant roles.
    assert consortium.role_members(DEFAULT_ADMIN_ROLE) == [accounts.admin.address]
    token.unpause(accounts.admin)
    consortium.grant_role(accounts.admin, BANK_ROLE, accounts.carol.address)
    assert consortium.has_role(BANK_ROLE, accounts.carol.address)


def test_an_admin_may_leave_while_another_stays(foundation: Foundation, accounts: Accounts) -> None:
    consortium = foundation.consortium
    consortium.grant_role(accounts.admin, DEFAULT_ADMIN_ROLE, accounts.regulator.address)
    consortium.renounce_role(accounts.admin, DEFAULT_ADMIN_ROLE)
    assert consortium.role_members(DEFAULT_ADMIN_ROLE) == [accounts.regulator.address]
    with pytest.raises(ContractReverted) as raised:
        consortium.renounce_role(accounts.regulator, DEFAULT_ADMIN_ROLE)
    assert raised.value.error_name == "ConsortiumLastMember"


def test_the_last_bank_cannot_leave(foundation: Foundation, accounts: Accounts) -> None:
    consortium = foundation.consortium
    consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank2.address)
    with pytest.raises(ContractReverted) as raised:
        consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank.address)
    assert (raised.value.error_name, *raised.value.args) == (
        "ConsortiumLastMember",
        BANK_ROLE,
        accounts.bank.address,
    )
    with pytest.raises(ContractReverted):
        consortium.renounce_role(accounts.bank, BANK_ROLE)
    assert consortium.role_members(BANK_ROLE) == [accounts.bank.address]


def test_only_the_consortium_bars_its_own_contracts_whoever_re_allowed_them(
    world: World, accounts: Accounts
) -> None:
    consortium, pools = world.foundation.consortium, world.welfare.pools
    assert consortium.has_role(LEDGER_CONTRACT_ROLE, pools.address)
    assert consortium.sponsor_of(pools.address) == consortium.address
    for overseer in (accounts.regulator, accounts.bank, accounts.bank2):
        with pytest.raises(ContractReverted) as raised:
            consortium.disallow_account(overseer, pools.address)
        assert (raised.value.error_name, *raised.value.args) == ("ConsortiumLedgerContract", pools.address)
    assert consortium.is_allowed(pools.address)
    # The consortium bars it; a bank re-allows it and does not become its sponsor, so it cannot bar it again alone.
    consortium.disallow_account(accounts.admin, pools.address)
    assert consortium.allow_account(accounts.bank, pools.address).event("AccountAllowed")["by"] == (
        accounts.bank.address
    )
    assert consortium.sponsor_of(pools.address) == consortium.address
    with pytest.raises(ContractReverted) as raised:
        consortium.disallow_account(accounts.bank, pools.address)
    assert raised.value.error_name == "ConsortiumLedgerContract"
    # Donations still go through.
    pool_id = open_plan(world, terms(world.client))
    fund(world, accounts.alice, 5 * TOKEN, "after the bank's attempt")
    assert pools.donate_with_permit(accounts.alice, pool_id, 5 * TOKEN).amount == 5 * TOKEN
    assert pools.ledger_of(pool_id).balance == 5 * TOKEN


def test_a_contract_allowed_by_a_bank_gets_the_consortium_as_sponsor_once_it_is_a_ledger_contract(
    foundation: Foundation, accounts: Accounts
) -> None:
    consortium = foundation.consortium
    consortium.allow_account(accounts.bank, accounts.carol.address)
    consortium.grant_role(accounts.admin, LEDGER_CONTRACT_ROLE, accounts.carol.address)
    assert consortium.sponsor_of(accounts.carol.address) == consortium.address
    with pytest.raises(ContractReverted) as raised:
        consortium.disallow_account(accounts.bank, accounts.carol.address)
    assert raised.value.error_name == "ConsortiumLedgerContract"
    assert consortium.is_allowed(accounts.carol.address)


# ---------------------------------------------------------------- Besu's node permissioning

NODE_A = Enode("a1" * 64, "10.0.0.1", 30303)
NODE_B = Enode("b2" * 64, "10.0.0.2", 30303)


def _besu_asks(chain: ChainClient, consortium: str, enode_id: str, enode_host: str, port: int) -> bytes:
    """``connectionAllowed(string,string,uint16)`` called exactly as Besu's NodeSmartContractV2PermissioningController
    encodes it (id unprefixed, host as 0x-hex of the address text); the raw 32-byte answer."""
    selector = keccak(text="connectionAllowed(string,string,uint16)")[:4]
    data = selector + abi_encode(["string", "string", "uint16"], [enode_id, enode_host, port])
    return chain.call(to_checksum_address(consortium), data)


def test_connection_allowed_answers_besu_node_permissioning_v2(
    foundation: Foundation, accounts: Accounts, chain: ChainClient
) -> None:
    consortium = foundation.consortium
    assert NODE_A.besu_host == "0x31302e302e302e31"  # what Besu's encodeIp gives for 10.0.0.1
    allowed = consortium.allow_node(accounts.admin, NODE_A, accounts.bank.address).event("NodeAllowed")
    assert (allowed["enodeId"], allowed["enodeHost"], allowed["enodePort"], allowed["operator"]) == (
        NODE_A.enode_id,
        NODE_A.besu_host,
        30303,
        accounts.bank.address,
    )
    true_word, false_word = (1).to_bytes(32, "big"), (0).to_bytes(32, "big")
    assert _besu_asks(chain, consortium.address, NODE_A.enode_id, NODE_A.besu_host, 30303) == true_word
    assert _besu_asks(chain, consortium.address, NODE_B.enode_id, NODE_B.besu_host, 30303) == false_word
    assert _besu_asks(chain, consortium.address, NODE_A.enode_id, NODE_A.besu_host, 30304) == false_word
    assert consortium.node_allowed(NODE_A)
    assert not consortium.node_allowed(NODE_B)
    assert [node.enode_id for node in consortium.nodes()] == [NODE_A.enode_id]
    removed = consortium.disallow_node(accounts.admin, NODE_A).event("NodeDisallowed")
    assert removed["nodeKey"] == consortium.node_key_of(NODE_A)
    assert _besu_asks(chain, consortium.address, NODE_A.enode_id, NODE_A.besu_host, 30303) == false_word
    assert consortium.nodes() == []


def test_only_the_consortium_changes_the_node_list(foundation: Foundation, accounts: Accounts) -> None:
    consortium = foundation.consortium
    for stranger in (accounts.bank, accounts.regulator, accounts.alice):
        with pytest.raises(ContractReverted) as raised:
            consortium.allow_node(stranger, NODE_A, accounts.bank.address)
        assert (raised.value.error_name, *raised.value.args) == ("ConsortiumUnauthorized", stranger.address)
    consortium.allow_node(accounts.admin, NODE_A, accounts.bank.address)
    with pytest.raises(ContractReverted) as raised:
        consortium.disallow_node(accounts.bank, NODE_A)
    assert raised.value.error_name == "ConsortiumUnauthorized"
    assert consortium.node_allowed(NODE_A)


def test_the_node_list_refuses_malformed_nodes_duplicates_and_non_banks(
    foundation: Foundation, accounts: Accounts
) -> None:
    consortium = foundation.consortium
    with pytest.raises(ContractReverted) as raised:
        consortium.allow_node(accounts.admin, NODE_A, accounts.alice.address)  # not a bank
    assert raised.value.error_name == "ConsortiumNodeInvalid"
    # Raw arguments the Enode type would refuse: Besu passes lowercase hex ids, so an uppercase one never matches.
    for enode_id, host, port in (
        ("A1" * 64, NODE_A.besu_host, 30303),
        ("a1" * 63, NODE_A.besu_host, 30303),
        (
            NODE_A.enode_id,
            "",
            30303,
        ),
        (NODE_A.enode_id, NODE_A.besu_host, 0),
    ):
        data = consortium.abi.encode_call("allowNode", enode_id, host, port, accounts.bank.address)
        with pytest.raises(ContractReverted) as raised:
            consortium.client.transact(accounts.admin, consortium.address, data, abis=[consortium.abi])
        assert (raised.value.error_name, *raised.value.args) == (
            "ConsortiumNodeInvalid",
            enode_id,
            host,
            port,
            accounts.bank.address,
        )
    assert consortium.nodes() == []
    consortium.allow_node(accounts.admin, NODE_A, accounts.bank.address)
    with pytest.raises(ContractReverted) as raised:
        consortium.allow_node(accounts.admin, NODE_A, accounts.bank2.address)
    assert (raised.value.error_name, *raised.value.args) == (
        "ConsortiumNodeAlreadyAllowed",
        consortium.node_key_of(NODE_A),
    )
    with pytest.raises(ContractReverted) as raised:
        consortium.disallow_node(accounts.admin, NODE_B)
    assert raised.value.error_name == "ConsortiumNodeNotAllowed"
    assert [node.operator for node in consortium.nodes()] == [accounts.bank.address]


def test_an_enode_url_parses_to_besus_arguments() -> None:
    enode = Enode.from_url("enode://" + "ab" * 64 + "@127.0.0.1:30303?discport=0")
    assert enode.as_args() == ("ab" * 64, "0x3132372e302e302e31", 30303)
    assert enode.url == "enode://" + "ab" * 64 + "@127.0.0.1:30303"
    with pytest.raises(ValueError, match="128 lowercase hex"):
        Enode("AB" * 64, "127.0.0.1", 30303)
    with pytest.raises(ValueError, match="not an enode URL"):
        Enode.from_url("http://127.0.0.1:8545")
