// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {IConsortiumCouncil, ProposalStatus} from "./interfaces/IConsortiumCouncil.sol";

/// @title ConsortiumCouncil
/// @notice The banks' council: every admin action of the consortium (role grants and revocations, the node list,
/// pausing the deposit token, the oracle threshold...) is proposed by one bank and taken once a majority of the
/// banks of the moment approve it.
/// @dev A small multisig whose signers are the consortium's BANK_ROLE holders, so membership has one source of
/// truth (the consortium's roles) and needs no token, no voting period and no second list kept in step. Approvals
/// are counted at execution among the current banks, and the threshold (`banks / 2 + 1`) follows the number of banks.
contract ConsortiumCouncil is IConsortiumCouncil {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @inheritdoc IConsortiumCouncil
    uint64 public constant PROPOSAL_LIFETIME = 30 days;

    IConsortium private immutable _consortium;

    uint256 private _proposalCount;
    mapping(uint256 proposalId => Proposal) private _proposals;
    mapping(uint256 proposalId => EnumerableSet.AddressSet) private _approvals;

    /// @notice Creates the council of `consortium_`'s banks.
    /// @dev It acts only once the consortium grants it DEFAULT_ADMIN_ROLE.
    /// @param consortium_ The consortium.
    constructor(IConsortium consortium_) {
        if (address(consortium_) == address(0)) revert CouncilZeroAddress();
        _consortium = consortium_;
    }

    /// @inheritdoc IConsortiumCouncil
    function propose(address target, bytes calldata data, bytes32 descriptionDigest)
        external
        returns (uint256 proposalId)
    {
        _requireBank();
        if (target == address(0)) revert CouncilZeroAddress();

        proposalId = ++_proposalCount;
        _proposals[proposalId] = Proposal({
            proposer: msg.sender,
            status: ProposalStatus.Proposed,
            proposedAt: uint64(block.timestamp),
            target: target,
            data: data,
            descriptionDigest: descriptionDigest
        });
        _approvals[proposalId].add(msg.sender);
        emit ProposalCreated(proposalId, msg.sender, target, data, descriptionDigest);
    }

    /// @inheritdoc IConsortiumCouncil
    function approve(uint256 proposalId) external {
        _requireBank();
        _requireLive(proposalId);
        if (!_approvals[proposalId].add(msg.sender)) revert CouncilAlreadyApproved(proposalId, msg.sender);

        emit ProposalApproved(proposalId, msg.sender);
    }

    /// @inheritdoc IConsortiumCouncil
    function revokeApproval(uint256 proposalId) external {
        _requirePending(proposalId);
        if (!_approvals[proposalId].remove(msg.sender)) revert CouncilNotApproved(proposalId, msg.sender);

        emit ProposalApprovalRevoked(proposalId, msg.sender);
    }

    /// @inheritdoc IConsortiumCouncil
    function execute(uint256 proposalId) external returns (bytes memory result) {
        _requireBank();
        Proposal storage proposal = _requireLive(proposalId);
        uint256 approvals = _currentApprovals(proposalId);
        uint256 needed = _threshold();
        if (approvals < needed) revert CouncilThresholdNotReached(proposalId, approvals, needed);

        proposal.status = ProposalStatus.Executed;
        emit ProposalExecuted(proposalId, msg.sender, approvals, needed);
        result = Address.functionCall(proposal.target, proposal.data);
    }

    /// @inheritdoc IConsortiumCouncil
    function cancel(uint256 proposalId) external {
        Proposal storage proposal = _requirePending(proposalId);
        if (msg.sender != proposal.proposer) revert CouncilNotProposer(proposalId, msg.sender);

        proposal.status = ProposalStatus.Cancelled;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    /// @inheritdoc IConsortiumCouncil
    function threshold() external view returns (uint256) {
        return _threshold();
    }

    /// @inheritdoc IConsortiumCouncil
    function approvalsOf(uint256 proposalId) external view returns (uint256) {
        return _currentApprovals(proposalId);
    }

    /// @inheritdoc IConsortiumCouncil
    function hasApproved(uint256 proposalId, address bank) external view returns (bool) {
        return _approvals[proposalId].contains(bank);
    }

    /// @inheritdoc IConsortiumCouncil
    function proposalOf(uint256 proposalId) external view returns (Proposal memory) {
        return _proposals[proposalId];
    }

    /// @inheritdoc IConsortiumCouncil
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc IConsortiumCouncil
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @dev A strict majority of the banks of the moment; the consortium keeps at least one bank.
    function _threshold() private view returns (uint256) {
        return _consortium.getRoleMemberCount(ConsortiumRoles.BANK_ROLE) / 2 + 1;
    }

    /// @dev Approvers that are still banks: at most the number of banks, so the loop is bounded by the council.
    function _currentApprovals(uint256 proposalId) private view returns (uint256 count) {
        EnumerableSet.AddressSet storage approvers = _approvals[proposalId];
        uint256 length = approvers.length();
        for (uint256 i = 0; i < length; ++i) {
            if (_consortium.hasRole(ConsortiumRoles.BANK_ROLE, approvers.at(i))) ++count;
        }
    }

    function _requireBank() private view {
        if (!_consortium.hasRole(ConsortiumRoles.BANK_ROLE, msg.sender)) revert CouncilNotBank(msg.sender);
    }

    function _requirePending(uint256 proposalId) private view returns (Proposal storage proposal) {
        proposal = _proposals[proposalId];
        ProposalStatus status = proposal.status;
        if (status == ProposalStatus.None) revert CouncilProposalUnknown(proposalId);
        if (status != ProposalStatus.Proposed) revert CouncilProposalClosed(proposalId, status);
    }

    function _requireLive(uint256 proposalId) private view returns (Proposal storage proposal) {
        proposal = _requirePending(proposalId);
        if (block.timestamp > proposal.proposedAt + PROPOSAL_LIFETIME) {
            revert CouncilProposalExpired(proposalId, proposal.proposedAt);
        }
    }
}
