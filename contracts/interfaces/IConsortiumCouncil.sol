// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IConsortium} from "./IConsortium.sol";

/// @notice Where a council proposal stands.
/// @dev None -> Proposed -> Executed | Cancelled | (past its lifetime) expired, which is not stored: a Proposed
/// proposal whose {IConsortiumCouncil-PROPOSAL_LIFETIME} has run out can no longer be approved or executed.
enum ProposalStatus {
    None,
    Proposed,
    Executed,
    Cancelled
}

/// @title The banks' council: the consortium's admin actions, taken by a majority of the member banks
/// @notice Holds the consortium's DEFAULT_ADMIN_ROLE once the deployer has handed over. A bank proposes one call
/// (grant or revoke a role, put a node on the list, pause the deposit token, set the oracle threshold...); other
/// banks approve it; once a majority of the banks of the moment have approved, any bank executes it.
/// @dev The members are exactly the consortium's BANK_ROLE holders, counted when a proposal is executed: an approval
/// by an account that is no longer a bank does not count, and a new bank can approve pending proposals. The
/// threshold is a strict majority of the current banks (`banks / 2 + 1`), so it never exceeds the number of banks
/// and the council cannot lock itself; the consortium refuses to remove the last bank.
interface IConsortiumCouncil {
    /// @notice A proposal as stored (its approvals are read with {approvalsOf}).
    /// @param proposer The bank that proposed it.
    /// @param status Where it stands.
    /// @param proposedAt When it was proposed (unix seconds).
    /// @param target The contract it calls.
    /// @param data The call (ABI-encoded selector and arguments).
    /// @param descriptionDigest Digest of the document that explains it (minutes, the bank's request...).
    struct Proposal {
        address proposer;
        ProposalStatus status;
        uint64 proposedAt;
        address target;
        bytes data;
        bytes32 descriptionDigest;
    }

    /// @notice Bank `proposer` proposed `proposalId`: call `target` with `data` (explained by `descriptionDigest`).
    /// Proposing counts as the proposer's approval.
    event ProposalCreated(
        uint256 indexed proposalId, address indexed proposer, address indexed target, bytes data, bytes32 descriptionDigest
    );

    /// @notice Bank `bank` approved `proposalId`.
    event ProposalApproved(uint256 indexed proposalId, address indexed bank);

    /// @notice Bank `bank` withdrew its approval of `proposalId`.
    event ProposalApprovalRevoked(uint256 indexed proposalId, address indexed bank);

    /// @notice `by` executed `proposalId` with `approvals` approvals of current banks out of the `threshold` needed.
    event ProposalExecuted(uint256 indexed proposalId, address indexed by, uint256 approvals, uint256 threshold);

    /// @notice Its proposer `by` cancelled `proposalId`.
    event ProposalCancelled(uint256 indexed proposalId, address indexed by);

    /// @notice `account` is not a member bank, so it has no seat on the council.
    error CouncilNotBank(address account);

    /// @notice The zero address was given where a contract is needed.
    error CouncilZeroAddress();

    /// @notice No proposal `proposalId` exists.
    error CouncilProposalUnknown(uint256 proposalId);

    /// @notice Proposal `proposalId` is `status`, not Proposed: it takes no approvals and cannot be executed.
    error CouncilProposalClosed(uint256 proposalId, ProposalStatus status);

    /// @notice Proposal `proposalId` was proposed at `proposedAt` and expired after its lifetime.
    error CouncilProposalExpired(uint256 proposalId, uint64 proposedAt);

    /// @notice Bank `bank` already approved proposal `proposalId`.
    error CouncilAlreadyApproved(uint256 proposalId, address bank);

    /// @notice Bank `bank` has not approved proposal `proposalId`.
    error CouncilNotApproved(uint256 proposalId, address bank);

    /// @notice Proposal `proposalId` has `approvals` approvals of current banks; it needs `threshold`.
    error CouncilThresholdNotReached(uint256 proposalId, uint256 approvals, uint256 threshold);

    /// @notice `account` did not propose `proposalId`, so it cannot cancel it.
    error CouncilNotProposer(uint256 proposalId, address account);

    /// @notice How long a proposal may gather approvals and be executed: 30 days.
    /// @return The lifetime in seconds.
    function PROPOSAL_LIFETIME() external view returns (uint64);

    /// @notice A bank proposes that the council call `target` with `data`; its own approval counts.
    /// @dev Only a BANK. `target` must not be the zero address. Emits {ProposalCreated} (which records the
    /// proposer's approval).
    /// @param target The contract to call (the Consortium, the DepositToken, the InstitutionRegistry...).
    /// @param data The ABI-encoded call.
    /// @param descriptionDigest Digest of the document that explains the proposal.
    /// @return proposalId The proposal's id (from 1).
    function propose(address target, bytes calldata data, bytes32 descriptionDigest)
        external
        returns (uint256 proposalId);

    /// @notice A bank approves proposal `proposalId`.
    /// @dev Only a BANK, once; the proposal must be Proposed and within its lifetime. Emits {ProposalApproved}.
    /// @param proposalId The proposal.
    function approve(uint256 proposalId) external;

    /// @notice A bank withdraws its approval of proposal `proposalId`.
    /// @dev Only a bank that approved it; the proposal must be Proposed. Emits {ProposalApprovalRevoked}.
    /// @param proposalId The proposal.
    function revokeApproval(uint256 proposalId) external;

    /// @notice A bank executes proposal `proposalId` once a majority of the current banks approved it.
    /// @dev Only a BANK; the proposal must be Proposed, within its lifetime and approved by at least {threshold}
    /// current banks. Marks it Executed, then makes the call; a failing call reverts the whole execution with the
    /// callee's error (the proposal stays Proposed). Emits {ProposalExecuted}.
    /// @param proposalId The proposal.
    /// @return result What the call returned.
    function execute(uint256 proposalId) external returns (bytes memory result);

    /// @notice Its proposer cancels proposal `proposalId`.
    /// @dev Only the proposer; the proposal must be Proposed. Emits {ProposalCancelled}.
    /// @param proposalId The proposal.
    function cancel(uint256 proposalId) external;

    /// @notice How many approvals a proposal needs now: a strict majority of the current banks.
    /// @return `banks / 2 + 1`.
    function threshold() external view returns (uint256);

    /// @notice How many of proposal `proposalId`'s approvers are banks now.
    /// @param proposalId The proposal.
    /// @return The count that {execute} would compare with {threshold}.
    function approvalsOf(uint256 proposalId) external view returns (uint256);

    /// @notice Whether `bank` has approved proposal `proposalId` (and not withdrawn).
    /// @param proposalId The proposal.
    /// @param bank The bank.
    /// @return True if it approved.
    function hasApproved(uint256 proposalId, address bank) external view returns (bool);

    /// @notice Proposal `proposalId`.
    /// @param proposalId The proposal.
    /// @return The proposal (status None if unknown).
    function proposalOf(uint256 proposalId) external view returns (Proposal memory);

    /// @notice How many proposals were made (the last proposal id).
    /// @return The count.
    function proposalCount() external view returns (uint256);

    /// @notice The consortium whose banks sit on this council.
    /// @return The consortium.
    function consortium() external view returns (IConsortium);
}
