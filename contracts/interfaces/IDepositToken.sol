// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IConsortium} from "./IConsortium.sol";

/// @title A bank-issued deposit token
/// @notice Money on the ledger: each token is backed one to one by a deposit at a member bank.
/// Banks mint tokens against a deposit they received and burn them when they pay the money out.
/// @dev An ERC-20 with EIP-2612 permits that only allow-listed accounts of the consortium may hold, move, approve
/// or be approved to spend, and that the consortium can pause for at most {MAX_PAUSE_DURATION} at a time. Roles and
/// the allow-list come from {consortium}.
interface IDepositToken is IERC20Metadata, IERC20Permit {
    /// @notice `bank` issued `amount` tokens to `to` against the deposit recorded as `bankRef`.
    event DepositMinted(address indexed bank, address indexed to, uint256 amount, bytes32 indexed bankRef);

    /// @notice `holder` redeemed `amount` tokens; `bank` pays the money out under `bankRef`.
    event DepositRedeemed(address indexed holder, address indexed bank, uint256 amount, bytes32 indexed bankRef);

    /// @notice The consortium (`by`) paused every mint, redemption and transfer until `until` (unix seconds), or
    /// until it unpauses.
    event TransfersPaused(address indexed by, uint64 until);

    /// @notice The consortium (`by`) lifted the pause before it ran out.
    event TransfersResumed(address indexed by);

    /// @notice The token is paused until `until`: no mint, redemption or transfer until then.
    error DepositTokenPaused(uint64 until);

    /// @notice The token is not paused, so there is nothing to unpause.
    error DepositTokenNotPaused();

    /// @notice `account` lacks the consortium role `neededRole` that the action requires.
    error DepositTokenUnauthorized(address account, bytes32 neededRole);

    /// @notice `account` is not on the consortium's allow-list, so it may not send, receive, spend for others,
    /// approve or be approved to spend tokens.
    error DepositTokenAccountNotAllowed(address account);

    /// @notice `bank` already used the reference `bankRef`: for a mint it issued, or for a redemption it pays out.
    error DepositTokenBankReferenceUsed(address bank, bytes32 bankRef);

    /// @notice No bank reference was given (it was zero).
    error DepositTokenBankReferenceMissing();

    /// @notice `account`, named as the paying bank of a redemption, is not a member bank.
    error DepositTokenNotABank(address account);

    /// @notice The amount was zero.
    error DepositTokenZeroAmount();

    /// @notice The zero address was given for the consortium.
    error DepositTokenZeroAddress();

    /// @notice Issues `amount` new tokens to `to` against a deposit the calling bank received.
    /// @dev Only a holder of the consortium's BANK_ROLE. `to` must be allow-listed and the token not
    /// paused. Each bank can mint under each `bankRef` once (its redemption references are separate).
    /// Emits {IERC20-Transfer} from the zero address and {DepositMinted}.
    /// @param to The account credited.
    /// @param amount The amount, in the token's smallest unit (18 decimals).
    /// @param bankRef The bank's reference of the deposit (for example a hash of its transaction id).
    function mint(address to, uint256 amount, bytes32 bankRef) external;

    /// @notice Burns `amount` of your tokens so that `bank` pays the money out to you.
    /// @dev The caller must be allow-listed and hold `amount`; `bank` must hold the consortium's
    /// BANK_ROLE; the token must not be paused. Each `bankRef` can be used once per paying bank for a
    /// redemption (the bank's mint references are separate, so a redemption cannot use one up).
    /// Emits {IERC20-Transfer} to the zero address and {DepositRedeemed}.
    /// @param amount The amount to redeem.
    /// @param bank The member bank that pays out.
    /// @param bankRef The reference under which the bank pays out.
    function redeem(uint256 amount, address bank, bytes32 bankRef) external;

    /// @notice Stops every mint, redemption and transfer for {MAX_PAUSE_DURATION}, or until {unpause}.
    /// @dev Only the consortium's DEFAULT_ADMIN_ROLE (the banks' council). Pausing again while paused renews the
    /// pause from now. A pause always runs out: no party, not even a council that cannot agree, can keep the
    /// token frozen without deciding again. Emits {TransfersPaused}.
    function pause() external;

    /// @notice Lets mints, redemptions and transfers resume before the pause runs out.
    /// @dev Only the consortium's DEFAULT_ADMIN_ROLE; reverts {DepositTokenNotPaused} if not paused. Emits
    /// {TransfersResumed}.
    function unpause() external;

    /// @notice The longest one pause lasts: 7 days.
    /// @return The duration in seconds.
    function MAX_PAUSE_DURATION() external view returns (uint64);

    /// @notice Whether the token is paused now.
    /// @return True while a pause runs.
    function paused() external view returns (bool);

    /// @notice When the current pause runs out (unix seconds); zero or past when not paused.
    /// @return The end of the pause.
    function pausedUntil() external view returns (uint64);

    /// @notice The consortium whose roles and allow-list govern this token.
    /// @return The consortium contract.
    function consortium() external view returns (IConsortium);

    /// @notice Whether `bank` has already minted under the reference `bankRef`.
    /// @param bank The member bank.
    /// @param bankRef The bank reference to look up.
    /// @return True if a mint of `bank` already used `bankRef`.
    function isMintReferenceUsed(address bank, bytes32 bankRef) external view returns (bool);

    /// @notice Whether a redemption paid out by `bank` has already used the reference `bankRef`.
    /// @param bank The member bank.
    /// @param bankRef The bank reference to look up.
    /// @return True if a redemption through `bank` already used `bankRef`.
    function isRedemptionReferenceUsed(address bank, bytes32 bankRef) external view returns (bool);
}
