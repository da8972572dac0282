"""contracts/ConsortiumCouncil.sol: the consortium's admin actions, taken by a majority of its banks, on every backend.

Each test hands the consortium over from the deploying admin to the council first, as a production consortium does
(the session's other tests keep the deployer as admin: the documented bootstrap).
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client import ChainClient, ContractReverted
from chain_client.contracts import (
    BANK_ROLE,
    DEFAULT_ADMIN_ROLE,
    ConsortiumCouncil,
    Enode,
    InstitutionRegistry,
    ProposalStatus,
    deploy_consortium_council,
    deploy_institution_registry,
    hand_over_to_council,
)
from chain_client.deploy import Foundation
from tests.conftest import Accounts
from tests.registry_support import DAY, advance_past

pytestmark = pytest.mark.contract

WHY = keccak(text="minutes of the consortium meeting")


@pytest.fixture
def council(foundation: Foundation, accounts: Accounts) -> ConsortiumCouncil:
    """The council of the session's two banks, holding DEFAULT_ADMIN_ROLE; the deployer has renounced its own."""
    council = deploy_consortium_council(foundation.consortium.client, accounts.admin, foundation.consortium)
    hand_over_to_council(foundation.consortium, accounts.admin, council)
    return council


def _reverts(call: object, name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()  # type: ignore[operator]
    assert (raised.value.error_name, *raised.value.args) == (name, *args)


def test_after_the_hand_over_only_the_council_administers(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    consortium = foundation.consortium
    assert consortium.role_members(DEFAULT_ADMIN_ROLE) == [council.address]
    _reverts(
        lambda: consortium.grant_role(accounts.admin, BANK_ROLE, accounts.carol.address),
        "AccessControlUnauthorizedAccount",
        accounts.admin.address,
        DEFAULT_ADMIN_ROLE,
    )
    _reverts(
        lambda: foundation.deposit_token.pause(accounts.bank),
        "DepositTokenUnauthorized",
        accounts.bank.address,
        DEFAULT_ADMIN_ROLE,
    )
    assert not consortium.has_role(BANK_ROLE, accounts.carol.address)


def test_a_bank_joins_when_a_majority_of_the_banks_approve(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    consortium = foundation.consortium
    assert council.threshold() == 2  # two banks: both
    data = consortium.grant_role_data(BANK_ROLE, accounts.carol.address)
    proposed = council.propose(accounts.bank, consortium.address, data, WHY)
    created = proposed.result.event("ProposalCreated")
    assert (created["proposer"], created["target"], created["data"], created["descriptionDigest"]) == (
        accounts.bank.address,
        consortium.address,
        data,
        WHY,
    )
    proposal_id = proposed.proposal_id
    assert council.has_approved(proposal_id, accounts.bank.address)  # proposing is approving
    _reverts(
        lambda: council.execute(accounts.bank, proposal_id), "CouncilThresholdNotReached", proposal_id, 1, 2
    )
    assert not consortium.has_role(BANK_ROLE, accounts.carol.address)
    council.approve(accounts.bank2, proposal_id)
    executed = council.execute(accounts.bank2, proposal_id)
    assert executed.event("ProposalExecuted")["approvals"] == 2
    assert executed.event("RoleGranted")["account"] == accounts.carol.address
    assert consortium.has_role(BANK_ROLE, accounts.carol.address)
    assert council.proposal_of(proposal_id).status == ProposalStatus.EXECUTED
    assert council.threshold() == 2  # three banks: two
    _reverts(
        lambda: council.execute(accounts.bank, proposal_id),
        "CouncilProposalClosed",
        proposal_id,
        ProposalStatus.EXECUTED,
    )


def test_only_banks_sit_on_the_council_and_each_approves_once(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    consortium = foundation.consortium
    data = consortium.grant_role_data(BANK_ROLE, accounts.carol.address)
    _reverts(
        lambda: council.propose(accounts.regulator, consortium.address, data, WHY),
        "CouncilNotBank",
        accounts.regulator.address,
    )
    proposal_id = council.propose(accounts.bank, consortium.address, data, WHY).proposal_id
    _reverts(lambda: council.approve(accounts.alice, proposal_id), "CouncilNotBank", accounts.alice.address)
    _reverts(
        lambda: council.approve(accounts.bank, proposal_id),
        "CouncilAlreadyApproved",
        proposal_id,
        accounts.bank.address,
    )
    _reverts(lambda: council.execute(accounts.alice, proposal_id), "CouncilNotBank", accounts.alice.address)
    _reverts(lambda: council.approve(accounts.bank, 99), "CouncilProposalUnknown", 99)
    assert council.approvals_of(proposal_id) == 1
    assert not consortium.has_role(BANK_ROLE, accounts.carol.address)


def test_an_approval_can_be_withdrawn_and_a_proposal_cancelled_by_its_proposer(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    consortium = foundation.consortium
    data = consortium.grant_role_data(BANK_ROLE, accounts.carol.address)
    proposal_id = council.propose(accounts.bank, consortium.address, data, WHY).proposal_id
    council.approve(accounts.bank2, proposal_id)
    council.revoke_approval(accounts.bank2, proposal_id)
    _reverts(
        lambda: council.revoke_approval(accounts.bank2, proposal_id),
        "CouncilNotApproved",
        proposal_id,
        accounts.bank2.address,
    )
    _reverts(
        lambda: council.execute(accounts.bank, proposal_id), "CouncilThresholdNotReached", proposal_id, 1, 2
    )
    _reverts(
        lambda: council.cancel(accounts.bank2, proposal_id),
        "CouncilNotProposer",
        proposal_id,
        accounts.bank2.address,
    )
    assert (
        council.cancel(accounts.bank, proposal_id).event("ProposalCancelled")["by"] == accounts.bank.address
    )
    _reverts(
        lambda: council.approve(accounts.bank2, proposal_id),
        "CouncilProposalClosed",
        proposal_id,
        ProposalStatus.CANCELLED,
    )
    assert not consortium.has_role(BANK_ROLE, accounts.carol.address)


def test_a_proposal_expires_after_its_lifetime(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil, chain: ChainClient
) -> None:
    consortium = foundation.consortium
    proposed = council.propose(
        accounts.bank, consortium.address, consortium.grant_role_data(BANK_ROLE, accounts.carol.address), WHY
    )
    proposal = council.proposal_of(proposed.proposal_id)
    assert council.proposal_lifetime() == 30 * DAY
    advance_past(chain, proposal.proposed_at + council.proposal_lifetime())
    _reverts(
        lambda: council.approve(accounts.bank2, proposed.proposal_id),
        "CouncilProposalExpired",
        proposed.proposal_id,
        proposal.proposed_at,
    )
    assert not consortium.has_role(BANK_ROLE, accounts.carol.address)


def test_a_failing_call_reverts_the_execution_with_the_targets_error(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    consortium = foundation.consortium
    # Unpausing a token that is not paused: the token's own error comes back, and the proposal stays open.
    data = foundation.deposit_token.unpause_data()
    proposal_id = council.propose(accounts.bank, foundation.deposit_token.address, data, WHY).proposal_id
    council.approve(accounts.bank2, proposal_id)
    _reverts(lambda: council.execute(accounts.bank, proposal_id), "DepositTokenNotPaused")
    assert council.proposal_of(proposal_id).status == ProposalStatus.PROPOSED
    assert consortium.role_members(DEFAULT_ADMIN_ROLE) == [council.address]


def test_the_council_pauses_and_a_majority_unpauses(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    token = foundation.deposit_token
    council.decide([accounts.bank, accounts.bank2], token.address, token.pause_data(), WHY)
    assert token.paused()
    # One bank cannot keep the token paused nor unpause alone: it takes a majority either way.
    with pytest.raises(ValueError, match="needs 2 banks"):
        council.decide([accounts.bank], token.address, token.unpause_data(), WHY)
    council.decide([accounts.bank2, accounts.bank], token.address, token.unpause_data(), WHY)
    assert not token.paused()


def test_an_approval_of_a_bank_that_left_no_longer_counts(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    consortium = foundation.consortium
    council.decide(
        [accounts.bank, accounts.bank2],
        consortium.address,
        consortium.grant_role_data(BANK_ROLE, accounts.carol.address),
        WHY,
    )
    token = foundation.deposit_token
    proposal_id = council.propose(accounts.bank2, token.address, token.pause_data(), WHY).proposal_id
    council.approve(accounts.carol, proposal_id)
    # bank2 leaves before execution: its approval stops counting (1 of the 2 now needed).
    council.decide(
        [accounts.bank, accounts.carol],
        consortium.address,
        consortium.revoke_role_data(BANK_ROLE, accounts.bank2.address),
        WHY,
    )
    assert council.approvals_of(proposal_id) == 1
    _reverts(
        lambda: council.execute(accounts.bank, proposal_id), "CouncilThresholdNotReached", proposal_id, 1, 2
    )
    council.approve(accounts.bank, proposal_id)
    council.execute(accounts.carol, proposal_id)
    assert token.paused()


def test_the_council_cannot_lock_itself(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil
) -> None:
    consortium = foundation.consortium
    council.decide(
        [accounts.bank, accounts.bank2],
        consortium.address,
        consortium.revoke_role_data(BANK_ROLE, accounts.bank2.address),
        WHY,
    )
    assert council.threshold() == 1  # one bank left: the threshold follows the banks down
    # The last bank cannot be removed, nor can the council give up the admin role it is the last to hold.
    for data in (
        consortium.revoke_role_data(BANK_ROLE, accounts.bank.address),
        consortium.abi.encode_call("renounceRole", DEFAULT_ADMIN_ROLE, council.address),
    ):
        proposal_id = council.propose(accounts.bank, consortium.address, data, WHY).proposal_id
        with pytest.raises(ContractReverted) as raised:
            council.execute(accounts.bank, proposal_id)
        assert raised.value.error_name == "ConsortiumLastMember"
    assert consortium.role_members(BANK_ROLE) == [accounts.bank.address]
    assert consortium.role_members(DEFAULT_ADMIN_ROLE) == [council.address]
    # And it still acts.
    council.decide(
        [accounts.bank],
        consortium.address,
        consortium.grant_role_data(BANK_ROLE, accounts.bank2.address),
        WHY,
    )
    assert consortium.has_role(BANK_ROLE, accounts.bank2.address)


def test_the_council_changes_the_node_list_and_the_oracle_threshold(
    foundation: Foundation, accounts: Accounts, council: ConsortiumCouncil, chain: ChainClient
) -> None:
    consortium = foundation.consortium
    banks = [accounts.bank, accounts.bank2]
    node = Enode("c3" * 64, "10.0.0.3", 30303)
    executed = council.decide(
        banks, consortium.address, consortium.allow_node_data(node, accounts.bank2.address), WHY
    )
    assert executed.event("NodeAllowed")["by"] == council.address
    assert consortium.node_allowed(node)
    registry: InstitutionRegistry = deploy_institution_registry(chain, accounts.bank, consortium.address, 2)
    council.decide(banks, registry.address, registry.set_attestation_threshold_data(3), WHY)
    assert registry.attestation_threshold() == 3
    # More signatures than there are oracles would stop every attestation: refused.
    proposal_id = council.propose(
        accounts.bank, registry.address, registry.set_attestation_threshold_data(4), WHY
    ).proposal_id
    council.approve(accounts.bank2, proposal_id)
    _reverts(lambda: council.execute(accounts.bank, proposal_id), "RegistryAttestationThresholdInvalid", 4)
    assert registry.attestation_threshold() == 3


def test_the_hand_over_needs_banks(chain: ChainClient, accounts: Accounts) -> None:
    from chain_client.deploy import deploy_foundation

    fresh = deploy_foundation(chain, accounts.admin)
    council = deploy_consortium_council(chain, accounts.admin, fresh.consortium)
    with pytest.raises(ValueError, match="before handing over"):
        hand_over_to_council(fresh.consortium, accounts.admin, council)
    assert fresh.consortium.role_members(DEFAULT_ADMIN_ROLE) == [accounts.admin.address]
