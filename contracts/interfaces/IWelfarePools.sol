// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IConsortium} from "./IConsortium.sol";
import {IDepositToken} from "./IDepositToken.sol";
import {IInstitutionRegistry, InstitutionKind} from "./IInstitutionRegistry.sol";
import {IResourceTracker} from "./IResourceTracker.sol";
import {IWelfareAssets} from "./IWelfareAssets.sol";

/// @notice Where a relief plan stands.
/// @dev Launched -> (bank audit) Audited or Open or Rejected -> (government decision, if needed) Open or
/// Rejected -> Closed (no more donations) -> WoundUp (after the deadline, or earlier by a regulator's decision:
/// unspent value is refunded or moved). An Open plan whose deadline passed takes no donations and can be wound up.
enum PlanStatus {
    None,
    Launched,
    Audited,
    Open,
    Closed,
    Rejected,
    WoundUp
}

/// @notice What happens to unspent value when a plan is wound up: refunded to the donors pro rata, or moved to the
/// plan the terms name (and refunded if that plan can no longer take it).
enum UnspentTerms {
    Refund,
    MoveToPlan
}

/// @notice The form of a gift.
enum DonationForm {
    Money,
    Points,
    Rights,
    VirtualResource,
    Goods
}

/// @notice Where a goods pledge stands.
enum PledgeStatus {
    None,
    Pledged,
    Received
}

/// @notice Where a transfer to a local government stands.
enum GovernmentTransferStatus {
    None,
    Proposed,
    Confirmed,
    Rejected,
    Acknowledged
}

/// @title Welfare pools: relief plans, donations in every form, and the ways value may leave a pool
/// @notice An approved charity launches a relief plan; a bank audits it; a government approves it if it
/// needs government intervention (a government agency's plan needs no approval). Donors then give money
/// (the deposit token), points, rights and virtual resources (welfare assets) or goods. Value leaves a pool
/// only through a payment order (locked for the escrow, then paid to the payee or returned), a pro-rata refund to the
/// donors, a move to the plan the terms name (or another by a regulator's decision), or a bank-confirmed transfer
/// to a local government.
/// @dev Assets are numbered uniformly: `0` ({MONEY}) is the deposit token, any other number is a
/// {IWelfareAssets} id. For every pool and asset the {Ledger} keeps
/// `donated + movedIn == balance + escrowed + paidOut + refunded + toGovernment + movedOut`; every change of a
/// ledger goes through one internal function that enforces this and the standing of the parties (the charity,
/// the payee or local government, and the issuing or confirming bank must be active when value moves out).
/// Value moved in from another plan stays its donors': the moving plan counts as one contributor of the
/// receiving plan, and a refund of the receiving plan pays that share back to the moving plan, whose donors are
/// refunded from it. Every state change emits one event; the events alone rebuild every ledger.
interface IWelfarePools is IERC1155Receiver {
    /// @notice One line of a plan's in-kind list.
    struct InKindItem {
        bytes32 goodsType;
        uint256 quantity;
    }

    /// @notice What a charity commits to when it launches a plan.
    /// @param purposeDigest Digest of the plan document (purpose, beneficiaries, budget).
    /// @param moneyTarget How much money (deposit token) the plan seeks; zero if it seeks only goods.
    /// @param inKind The goods it seeks (types unique, quantities non-zero); empty if it seeks only money.
    /// @param deadline The last moment (unix seconds) donations are accepted.
    /// @param needsGovernmentApproval Whether it needs government intervention (ignored for an agency).
    /// @param governmentTransferAllowed Whether part of the pool may be transferred to a local government.
    /// @param unspent Refund or move unspent value when the plan is wound up.
    /// @param warehouse The account that signs for pledged goods (zero: the charity itself).
    /// @param successorPoolId With MoveToPlan terms, the existing plan unspent value moves to (zero with Refund
    /// terms).
    struct PlanTerms {
        bytes32 purposeDigest;
        uint256 moneyTarget;
        InKindItem[] inKind;
        uint64 deadline;
        bool needsGovernmentApproval;
        bool governmentTransferAllowed;
        UnspentTerms unspent;
        address warehouse;
        uint64 successorPoolId;
    }

    /// @notice A plan as stored (the in-kind list is read with {inKindOf}).
    struct Plan {
        address charity;
        uint64 deadline;
        PlanStatus status;
        bool needsGovernmentApproval;
        bool governmentTransferAllowed;
        UnspentTerms unspent;
        address warehouse;
        uint64 successorPoolId;
        bytes32 purposeDigest;
        uint256 moneyTarget;
    }

    /// @notice Where one asset of one pool is: the conservation ledger.
    struct Ledger {
        uint128 donated;
        uint128 balance;
        uint128 escrowed;
        uint128 paidOut;
        uint128 refunded;
        uint128 toGovernment;
        uint128 movedIn;
        uint128 movedOut;
    }

    /// @notice One contributor's share of one asset of one pool: a donor's gifts, or the value a plan moved in.
    struct Contribution {
        uint128 donated;
        uint128 refunded;
    }

    /// @notice Goods of one type sought and received by one pool.
    struct GoodsLedger {
        uint128 wanted;
        uint128 received;
    }

    /// @notice A goods pledge.
    struct Pledge {
        uint256 poolId;
        address donor;
        PledgeStatus status;
        bytes32 goodsType;
        uint128 quantity;
        uint128 received;
        uint256 lotId;
    }

    /// @notice A transfer of part of a pool to a local government.
    struct GovernmentTransfer {
        uint256 poolId;
        address localGovernment;
        GovernmentTransferStatus status;
        uint256 asset;
        uint256 amount;
        bytes32 purposeDigest;
    }

    /// @notice `charity` launched plan `poolId` on `terms`.
    event PlanLaunched(uint256 indexed poolId, address indexed charity, PlanTerms terms);

    /// @notice `bank` audited plan `poolId` (`passed`, report `reportDigest`); the plan is now `status`.
    event PlanAudited(
        uint256 indexed poolId, address indexed bank, bool passed, bytes32 reportDigest, PlanStatus status
    );

    /// @notice `government` decided on plan `poolId` (`approved`, decision `decisionDigest`); it is now `status`.
    event PlanDecided(
        uint256 indexed poolId,
        address indexed government,
        bool approved,
        bytes32 decisionDigest,
        PlanStatus status
    );

    /// @notice `by` closed plan `poolId` to donations.
    event PlanClosed(uint256 indexed poolId, address indexed by);

    /// @notice `by` wound plan `poolId` up; its unspent value is now refunded or moved as `unspent` says.
    /// `decisionDigest` is the regulator's decision when it wound the plan up early (zero otherwise).
    event PlanWoundUp(uint256 indexed poolId, address indexed by, UnspentTerms unspent, bytes32 decisionDigest);

    /// @notice The gift: `donor` gave `amount` of `asset` in `form` to pool `poolId`. For goods, `asset`
    /// is the goods type and `pledgeId` the pledge (zero otherwise). With the transaction hash, a receipt.
    event DonationReceived(
        uint256 indexed poolId,
        address indexed donor,
        uint256 indexed asset,
        DonationForm form,
        uint256 amount,
        uint256 pledgeId
    );

    /// @notice `donor` pledged `quantity` of `goodsType` to pool `poolId` (described by `detailsDigest`).
    event GoodsPledged(
        uint256 indexed pledgeId,
        uint256 indexed poolId,
        address indexed donor,
        bytes32 goodsType,
        uint256 quantity,
        bytes32 detailsDigest
    );

    /// @notice `amount` of `asset` of pool `poolId` was set aside for payment order `orderId` (it stays in
    /// this contract until paid or returned).
    event OrderFundsLocked(uint256 indexed poolId, bytes32 indexed orderId, uint256 indexed asset, uint256 amount);

    /// @notice `amount` of `asset` of pool `poolId` was paid to `payee` under payment order `orderId`.
    event OrderFundsPaid(
        uint256 indexed poolId, bytes32 indexed orderId, uint256 indexed asset, uint256 amount, address payee
    );

    /// @notice `amount` of `asset` set aside for payment order `orderId` went back to pool `poolId`'s balance.
    event OrderFundsReturned(
        uint256 indexed poolId, bytes32 indexed orderId, uint256 indexed asset, uint256 amount
    );

    /// @notice `donor` was refunded `amount` of `asset` from wound-up pool `poolId`. Zero when its first claim finds its
    /// share rounded down to nothing: the claim took its place in the refund line all the same.
    event RefundPaid(uint256 indexed poolId, address indexed donor, uint256 indexed asset, uint256 amount);

    /// @notice `by` moved the unspent `amount` of `asset` from wound-up pool `fromPoolId` to pool `toPoolId`, where
    /// it counts as `fromPoolId`'s contribution. `decisionDigest` is the regulator's decision when the move was not
    /// to the plan the terms name (zero otherwise).
    event UnspentMoved(
        uint256 indexed fromPoolId,
        uint256 indexed toPoolId,
        uint256 indexed asset,
        uint256 amount,
        address by,
        bytes32 decisionDigest
    );

    /// @notice Wound-up pool `fromPoolId` paid `amount` of `asset` back to pool `toPoolId`: `toPoolId`'s pro-rata
    /// share of what `fromPoolId` refunds, for the value `toPoolId` had moved in. It joins `toPoolId`'s balance for
    /// its own donors. Zero, as for {RefundPaid}, when a first claim found nothing due.
    event MovedValueReturned(
        uint256 indexed fromPoolId, uint256 indexed toPoolId, uint256 indexed asset, uint256 amount
    );

    /// @notice The charity of pool `poolId` proposed transfer `transferId` of `amount` of `asset` to
    /// `localGovernment` for `purposeDigest`.
    event GovernmentTransferProposed(
        uint256 indexed transferId,
        uint256 indexed poolId,
        address indexed localGovernment,
        uint256 asset,
        uint256 amount,
        bytes32 purposeDigest
    );

    /// @notice `bank` confirmed transfer `transferId`: `amount` of `asset` of pool `poolId` went to the
    /// local government.
    event GovernmentTransferConfirmed(
        uint256 indexed transferId, uint256 indexed poolId, address indexed bank, uint256 asset, uint256 amount
    );

    /// @notice `bank` rejected transfer `transferId` of pool `poolId`.
    event GovernmentTransferRejected(uint256 indexed transferId, uint256 indexed poolId, address indexed bank);

    /// @notice `localGovernment` acknowledged receipt of transfer `transferId` of pool `poolId`.
    event GovernmentTransferAcknowledged(
        uint256 indexed transferId, uint256 indexed poolId, address indexed localGovernment
    );

    /// @notice The consortium admin set the payment-order escrow to `escrow` (once: it cannot be changed).
    event EscrowSet(address indexed escrow);

    /// @notice `account` lacks the consortium role `neededRole`.
    error PoolUnauthorized(address account, bytes32 neededRole);

    /// @notice `account` is not an approved, active institution, so it cannot launch a plan.
    error PoolLauncherNotActive(address account);

    /// @notice `account` is a `kind`; only a charity or a government agency launches plans.
    error PoolLauncherKindNotAllowed(address account, InstitutionKind kind);

    /// @notice A plan needs a money target or an in-kind list.
    error PoolTargetMissing();

    /// @notice In-kind line `index` has a zero goods type, a zero quantity or repeats a goods type.
    error PoolInKindInvalid(uint256 index);

    /// @notice The deadline `deadline` is not after the current block time.
    error PoolDeadlineInPast(uint64 deadline);

    /// @notice The deadline `deadline` is after `latest`, the end of the longest plan ({MAX_PLAN_DURATION}).
    error PoolDeadlineTooFar(uint64 deadline, uint64 latest);

    /// @notice The terms name successor plan `successorPoolId`: with MoveToPlan terms it must be an existing plan,
    /// with Refund terms zero.
    error PoolSuccessorInvalid(uint256 successorPoolId);

    /// @notice Plan `poolId`'s terms move unspent value to plan `successorPoolId`, not `toPoolId`; only a regulator's
    /// decision moves it elsewhere.
    error PoolNotSuccessor(uint256 poolId, uint256 toPoolId, uint256 successorPoolId);

    /// @notice Refunds of `asset` from pool `poolId` have begun: its refundable value can no longer be moved.
    error PoolRefundsStarted(uint256 poolId, uint256 asset);

    /// @notice Pool `poolId` has nothing (more) of `asset` to pay back to pool `toPoolId` for the value it moved in.
    error PoolNothingToReturn(uint256 poolId, uint256 asset, uint256 toPoolId);

    /// @notice The payee `payee` of a payment from pool `poolId` is not an active institution of the registry:
    /// nothing moves; the order waits for the regulator's decision, a cancellation or its expiry.
    error PoolPayeeNotActive(uint256 poolId, address payee);

    /// @notice `bank`, which issued the order or confirms the transfer from pool `poolId`, no longer holds the
    /// consortium's BANK_ROLE: nothing moves; the order waits for the regulator's decision, a cancellation or its
    /// expiry.
    error PoolBankNotActive(uint256 poolId, address bank);

    /// @notice An order's deadline `deadline` is after `latest`: pool `poolId`'s deadline plus {ORDER_WINDOW}.
    error PoolOrderDeadlineTooLate(uint256 poolId, uint64 deadline, uint64 latest);

    /// @notice `account` is the charity, warehouse or recipient in the matter of pool `poolId`, so it cannot decide
    /// it (separation of duties).
    error PoolDecidedByParty(uint256 poolId, address account);

    /// @notice `donor` is not on the consortium's allow-list, so it cannot give points, rights or goods.
    error PoolDonorNotAllowed(address donor);

    /// @notice No plan `poolId` exists.
    error PoolUnknown(uint256 poolId);

    /// @notice `account` is not the charity of plan `poolId`.
    error PoolNotCharity(uint256 poolId, address account);

    /// @notice `account` is neither the charity of plan `poolId` nor a member bank.
    error PoolNotCharityOrBank(uint256 poolId, address account);

    /// @notice Plan `poolId` is `status`, not `Launched`: there is nothing to audit.
    error PoolNotAwaitingAudit(uint256 poolId, PlanStatus status);

    /// @notice Plan `poolId` is `status`, not `Audited`: there is nothing for the government to decide.
    error PoolNotAwaitingApproval(uint256 poolId, PlanStatus status);

    /// @notice Plan `poolId` is `status`: it takes no donations.
    error PoolNotOpen(uint256 poolId, PlanStatus status);

    /// @notice Plan `poolId`'s deadline `deadline` has passed.
    error PoolExpired(uint256 poolId, uint64 deadline);

    /// @notice Plan `poolId` is `status` with deadline `deadline`: only an Open or Closed plan is wound up, and
    /// only once its deadline has passed unless a regulator decides it.
    error PoolNotWindable(uint256 poolId, PlanStatus status, uint64 deadline);

    /// @notice Plan `poolId` is `status`: its value can no longer be spent (only refunded or moved).
    error PoolNotSpendable(uint256 poolId, PlanStatus status);

    /// @notice Plan `poolId` is `status`, not wound up.
    error PoolNotWoundUp(uint256 poolId, PlanStatus status);

    /// @notice Plan `poolId`'s terms say `terms` for unspent value, not what was asked (a plan whose terms move unspent
    /// value refunds only once its successor can no longer take it).
    error PoolUnspentTermsMismatch(uint256 poolId, UnspentTerms terms);

    /// @notice Unspent value cannot be moved from plan `poolId` to itself.
    error PoolMoveToSelf(uint256 poolId);

    /// @notice The amount was zero.
    error PoolZeroAmount();

    /// @notice Wound-up pool `poolId` has no unspent `asset` to move.
    error PoolNothingToMove(uint256 poolId, uint256 asset);

    /// @notice Pool `poolId` holds `balance` of `asset`, less than the `needed`.
    error PoolInsufficientBalance(uint256 poolId, uint256 asset, uint256 balance, uint256 needed);

    /// @notice Pool `poolId` has `escrowed` of `asset` in escrow, less than the `amount` given.
    error PoolEscrowExceeded(uint256 poolId, uint256 asset, uint256 escrowed, uint256 amount);

    /// @notice `account` is not the payment-order escrow.
    error PoolNotEscrow(address account);

    /// @notice The payment-order escrow is already set, to `escrow`; it can be set only once.
    error PoolEscrowAlreadySet(address escrow);

    /// @notice The charity (or agency) `charity` of plan `poolId` is not an active institution of the registry
    /// (suspended, flagged or expired), so it cannot act on the plan and the plan cannot be audited or take gifts.
    error PoolCharityNotActive(uint256 poolId, address charity);

    /// @notice ERC-1155 tokens of `token` cannot be donated: only welfare assets can.
    error PoolAssetContractUnknown(address token);

    /// @notice A welfare-asset donation must carry the pool id (32 bytes, ABI-encoded) as its data.
    error PoolDonationPoolMissing();

    /// @notice Plan `poolId` does not seek `goodsType`.
    error PoolGoodsNotWanted(uint256 poolId, bytes32 goodsType);

    /// @notice No pledge `pledgeId` exists.
    error PoolPledgeUnknown(uint256 pledgeId);

    /// @notice Pledge `pledgeId` was already received.
    error PoolPledgeAlreadyReceived(uint256 pledgeId);

    /// @notice `account` is not the receiving warehouse of plan `poolId`.
    error PoolNotWarehouse(uint256 poolId, address account);

    /// @notice Pledge `pledgeId` was for `pledged`; `received` cannot be signed for.
    error PoolPledgeQuantityInvalid(uint256 pledgeId, uint256 pledged, uint256 received);

    /// @notice `donor` has nothing (more) to be refunded of `asset` from pool `poolId`.
    error PoolNothingToRefund(uint256 poolId, uint256 asset, address donor);

    /// @notice Plan `poolId`'s terms do not allow transfers to a local government.
    error PoolGovernmentTransferNotAllowed(uint256 poolId);

    /// @notice No transfer `transferId` exists.
    error PoolGovernmentTransferUnknown(uint256 transferId);

    /// @notice Transfer `transferId` is `status`, where the action needs another status.
    error PoolGovernmentTransferStatusInvalid(uint256 transferId, GovernmentTransferStatus status);

    /// @notice `account` is not the local government of transfer `transferId`.
    error PoolNotTransferRecipient(uint256 transferId, address account);

    /// @notice The zero address was given where a contract or account is needed.
    error PoolZeroAddress();

    /// @notice Launches a relief plan on `terms`; it waits for a bank's audit.
    /// @dev Only an active Charity or GovernmentAgency of the registry. The deadline must be in the future and at
    /// most {MAX_PLAN_DURATION} away ({PoolDeadlineTooFar}); MoveToPlan terms must name an existing successor plan,
    /// Refund terms none ({PoolSuccessorInvalid}). Emits {PlanLaunched}.
    /// @param terms The plan's terms.
    /// @return poolId The new pool's id (from 1).
    function launchPlan(PlanTerms calldata terms) external returns (uint256 poolId);

    /// @notice A bank records its audit of plan `poolId` (S301).
    /// @dev Only a BANK that is neither the plan's charity nor its warehouse ({PoolDecidedByParty}); the plan must be
    /// Launched and its charity active. A pass opens the plan, unless it needs government
    /// intervention and its charity is not a government agency: then it waits as Audited. A fail rejects
    /// it. Emits {PlanAudited}.
    /// @param poolId The plan.
    /// @param passed Whether the audit passed.
    /// @param reportDigest Digest of the audit report.
    function auditPlan(uint256 poolId, bool passed, bytes32 reportDigest) external;

    /// @notice A government department approves or rejects audited plan `poolId`.
    /// @dev Only a GOVERNMENT that is not the plan's charity ({PoolDecidedByParty}); the plan must be Audited.
    /// Emits {PlanDecided}.
    /// @param poolId The plan.
    /// @param approved Whether it is approved (then it opens).
    /// @param decisionDigest Digest of the decision document.
    function decidePlan(uint256 poolId, bool approved, bytes32 decisionDigest) external;

    /// @notice Closes open plan `poolId` to donations; spending continues.
    /// @dev Only its charity (while active) or a BANK. Emits {PlanClosed}.
    /// @param poolId The plan.
    function closePlan(uint256 poolId) external;

    /// @notice Winds plan `poolId` up after its deadline: from now on its unspent value can only be
    /// refunded to donors or moved to another plan, as its terms say.
    /// @dev Only its charity (while active) or a BANK (whatever the charity's standing, so that donors can be
    /// refunded); the plan must be Open or Closed and past its deadline. Value still
    /// in escrow that comes back later joins what is refunded or moved. Emits {PlanWoundUp}.
    /// @param poolId The plan.
    function windUp(uint256 poolId) external;

    /// @notice The regulator winds plan `poolId` up before its deadline (for example a plan that can no longer reach
    /// its purpose): refunds or the move its terms say can start.
    /// @dev Only a REGULATOR that is not the plan's charity ({PoolDecidedByParty}); the plan must be Open or Closed.
    /// Emits {PlanWoundUp} with `decisionDigest`.
    /// @param poolId The plan.
    /// @param decisionDigest Digest of the decision document.
    function windUpByDecision(uint256 poolId, bytes32 decisionDigest) external;

    /// @notice Gives `amount` of the deposit token to pool `poolId`, already approved to this contract.
    /// @dev The pool must be Open, not past its deadline and its charity active. Emits {DonationReceived}.
    /// @param poolId The pool.
    /// @param amount The amount.
    function donate(uint256 poolId, uint256 amount) external;

    /// @notice Gives `amount` of the deposit token to pool `poolId` in one transaction, with an EIP-2612
    /// permit you signed for this contract instead of a separate approval.
    /// @dev As {donate}; the permit must be for exactly `amount` and unexpired at `permitDeadline`. A permit that
    /// fails (for example because someone submitted it first) is ignored: the donation then goes ahead if the
    /// allowance covers `amount`, else reverts with {IERC20Errors-ERC20InsufficientAllowance}.
    /// @param poolId The pool.
    /// @param amount The amount.
    /// @param permitDeadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function donateWithPermit(uint256 poolId, uint256 amount, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice Pledges `quantity` of `goodsType` to pool `poolId`; it counts once the warehouse signs for it.
    /// @dev The pool must be Open, unexpired, its charity active, and seek `goodsType`; the donor must be on the
    /// consortium's allow-list ({PoolDonorNotAllowed}). Emits {GoodsPledged}.
    /// @param poolId The pool.
    /// @param goodsType The goods type (from the plan's in-kind list).
    /// @param quantity The quantity.
    /// @param detailsDigest Digest of the goods' description (batch, expiry, photos).
    /// @return pledgeId The pledge id (from 1).
    function pledgeGoods(uint256 poolId, bytes32 goodsType, uint256 quantity, bytes32 detailsDigest)
        external
        returns (uint256 pledgeId);

    /// @notice The plan's warehouse signs for `quantity` of pledge `pledgeId`: the gift counts, and a goods
    /// lot held by the warehouse is opened in the resource tracker.
    /// @dev Only the plan's warehouse, while the plan is Open or Closed ({PoolNotSpendable} otherwise) and its charity
    /// active; at most the pledged quantity; once per pledge. Emits
    /// {DonationReceived} (form Goods) here and {IResourceTracker-LotOpened} in the tracker.
    /// @param pledgeId The pledge.
    /// @param quantity The quantity received.
    /// @return lotId The lot opened for the goods.
    function receivePledge(uint256 pledgeId, uint256 quantity) external returns (uint256 lotId);

    /// @notice Pays `donor` its pro-rata refund of `asset` from wound-up pool `poolId`; anyone may call.
    /// @dev The pool must be WoundUp with Refund terms, or MoveToPlan terms whose successor can no longer take value
    /// (not Open, or past its deadline); else {PoolUnspentTermsMismatch}. Contributors (donors, and plans that
    /// moved value in) share the refundable total `T` (refunded so far plus the balance) in proportion to what they
    /// contributed, `D` in all: a contributor's first claim gives it the next stretch `[s, s + c)` of `[0, D)`,
    /// and it is entitled to `floor((s + c) * T / D) - floor(s * T / D)`. These entitlements add up to exactly
    /// `T` once every contributor has claimed, and each is its exact share rounded down or up, so nothing is
    /// stranded and nobody gets more than its share rounded up. Pays the entitlement less what was already
    /// refunded, at most the balance; a first claim that finds nothing due still takes its place (and pays 0).
    /// Reverts {PoolNothingToRefund} for a donor that gave nothing, or that claimed before and is due nothing.
    /// Emits {RefundPaid}.
    /// @param poolId The pool.
    /// @param asset The asset ({MONEY} or a welfare asset id).
    /// @param donor The donor.
    /// @return amount The amount refunded.
    function claimRefund(uint256 poolId, uint256 asset, address donor) external returns (uint256 amount);

    /// @notice Moves the whole unspent balance of `asset` of wound-up pool `poolId` to `toPoolId`, the plan its terms
    /// name; anyone may call (the donors accepted the move with the terms).
    /// @dev The pool must be WoundUp with MoveToPlan terms and `toPoolId` its successor ({PoolNotSuccessor}); the
    /// successor must be Open, unexpired and its charity active. The moved value counts as `poolId`'s contribution
    /// to `toPoolId` ({movedContributionOf}): a refund there pays it back ({returnMovedValue}). Emits
    /// {UnspentMoved}.
    /// @param poolId The wound-up pool.
    /// @param asset The asset.
    /// @param toPoolId The successor pool.
    /// @return amount The amount moved.
    function moveUnspent(uint256 poolId, uint256 asset, uint256 toPoolId) external returns (uint256 amount);

    /// @notice The regulator moves the whole unspent balance of `asset` of wound-up pool `poolId` to open pool
    /// `toPoolId`, whatever the terms say.
    /// @dev Only a REGULATOR that is the charity of neither pool ({PoolDecidedByParty}); no refund of `asset` may
    /// have been paid from `poolId` yet ({PoolRefundsStarted}). As {moveUnspent} otherwise. Emits {UnspentMoved}
    /// with `decisionDigest`.
    /// @param poolId The wound-up pool.
    /// @param asset The asset.
    /// @param toPoolId The receiving pool (Open and unexpired, its charity active).
    /// @param decisionDigest Digest of the decision document.
    /// @return amount The amount moved.
    function moveUnspentByDecision(uint256 poolId, uint256 asset, uint256 toPoolId, bytes32 decisionDigest)
        external
        returns (uint256 amount);

    /// @notice Pays pool `toPoolId` back its pro-rata share of `asset` from wound-up pool `poolId`, for the value it
    /// moved in; anyone may call. The value joins `toPoolId`'s balance, to be refunded to its own donors (or moved
    /// to its own successor).
    /// @dev The same conditions and the same share as {claimRefund}, with `toPoolId` as the contributor. Emits
    /// {MovedValueReturned}.
    /// @param poolId The wound-up pool that refunds.
    /// @param asset The asset.
    /// @param toPoolId The pool that moved value into `poolId`.
    /// @return amount The amount paid back.
    function returnMovedValue(uint256 poolId, uint256 asset, uint256 toPoolId) external returns (uint256 amount);

    /// @notice The charity proposes transferring `amount` of `asset` of pool `poolId` to `localGovernment`.
    /// @dev Only the plan's charity, while active; the terms must allow it; the plan must be Open or Closed;
    /// `localGovernment` must be an active LocalGovernment of the registry (else the registry's
    /// {IInstitutionRegistry-InstitutionNotActive} or {IInstitutionRegistry-InstitutionKindMismatch}).
    /// Emits {GovernmentTransferProposed}.
    /// @param poolId The pool.
    /// @param localGovernment The receiving local government.
    /// @param asset The asset.
    /// @param amount The amount.
    /// @param purposeDigest Digest of the transfer agreement.
    /// @return transferId The transfer's id (from 1).
    function proposeGovernmentTransfer(
        uint256 poolId,
        address localGovernment,
        uint256 asset,
        uint256 amount,
        bytes32 purposeDigest
    ) external returns (uint256 transferId);

    /// @notice A bank confirms transfer `transferId`: the value goes to the local government.
    /// @dev Only a BANK that is neither the plan's charity nor the local government ({PoolDecidedByParty}); the
    /// transfer must be Proposed, the plan still spendable, the charity and the recipient still active and the
    /// balance sufficient. Emits {GovernmentTransferConfirmed}.
    /// @param transferId The transfer.
    function confirmGovernmentTransfer(uint256 transferId) external;

    /// @notice A bank rejects proposed transfer `transferId`; nothing moves.
    /// @dev Only a BANK that is neither the plan's charity nor the local government ({PoolDecidedByParty}). Emits
    /// {GovernmentTransferRejected}.
    /// @param transferId The transfer.
    function rejectGovernmentTransfer(uint256 transferId) external;

    /// @notice The local government acknowledges receipt of confirmed transfer `transferId`.
    /// @dev Only the transfer's local government. Emits {GovernmentTransferAcknowledged}.
    /// @param transferId The transfer.
    function acknowledgeGovernmentTransfer(uint256 transferId) external;

    /// @notice Sets the payment-order escrow, the one contract that may lock, pay and return pool value.
    /// @dev Only the consortium's DEFAULT_ADMIN_ROLE, and only once (else {PoolEscrowAlreadySet}): an escrow that
    /// could be repointed could drain the pools and strand what the first one locked. The escrow never holds
    /// value: this contract keeps custody and moves value only to a payee ({payOrder}). Emits {EscrowSet}.
    /// @param escrow_ The escrow contract.
    function setEscrow(address escrow_) external;

    /// @notice The escrow sets aside `amount` of `asset` of pool `poolId` for payment order `orderId` of `bank`: it
    /// leaves the balance for `escrowed`; no value moves.
    /// @dev Only the escrow; the plan must be Open or Closed (not wound up), its charity active, `bank` a BANK, and the
    /// order's `deadline` at most the plan's deadline plus {ORDER_WINDOW} ({PoolOrderDeadlineTooLate}). Emits
    /// {OrderFundsLocked}.
    /// @param poolId The pool.
    /// @param orderId The payment order.
    /// @param asset The asset.
    /// @param amount The amount.
    /// @param bank The bank that issues the order.
    /// @param deadline The order's deadline.
    /// @return charity The plan's charity (the escrow checks the order names it).
    function lockForOrder(
        uint256 poolId,
        bytes32 orderId,
        uint256 asset,
        uint256 amount,
        address bank,
        uint64 deadline
    ) external returns (address charity);

    /// @notice The escrow has released order `orderId`: this contract pays `amount` of `asset` set aside for it
    /// to `payee`.
    /// @dev Only the escrow (which has checked the order and marked it released). The charity, the payee and the
    /// issuing bank must be active now ({PoolCharityNotActive}, {PoolPayeeNotActive}, {PoolBankNotActive}): else
    /// nothing moves. Updates the ledger before the transfer and is `nonReentrant`. Emits {OrderFundsPaid}.
    /// @param poolId The pool.
    /// @param orderId The payment order.
    /// @param asset The asset.
    /// @param amount The amount.
    /// @param payee The order's payee.
    /// @param bank The bank that issued the order.
    function payOrder(uint256 poolId, bytes32 orderId, uint256 asset, uint256 amount, address payee, address bank)
        external;

    /// @notice The escrow has refunded, expired or cancelled order `orderId`: `amount` of `asset` set aside for
    /// it goes back to pool `poolId`'s balance; no value moves.
    /// @dev Only the escrow. Emits {OrderFundsReturned}.
    /// @param poolId The pool.
    /// @param orderId The payment order.
    /// @param asset The asset.
    /// @param amount The amount.
    function returnFromOrder(uint256 poolId, bytes32 orderId, uint256 asset, uint256 amount) external;

    /// @notice The asset number of the deposit token: 0.
    /// @return 0.
    function MONEY() external view returns (uint256);

    /// @notice The longest a plan may run: its deadline is at most this long after its launch (730 days).
    /// @return The duration in seconds.
    function MAX_PLAN_DURATION() external view returns (uint64);

    /// @notice How long after its plan's deadline a payment order may run (90 days): an order's deadline is at most
    /// the plan's deadline plus this.
    /// @return The window in seconds.
    function ORDER_WINDOW() external view returns (uint64);

    /// @notice The plan `poolId`.
    /// @param poolId The plan.
    /// @return The plan (status `None` if unknown).
    function planOf(uint256 poolId) external view returns (Plan memory);

    /// @notice The charity of plan `poolId` (one storage slot; cheaper than {planOf} for a contract).
    /// @param poolId The plan.
    /// @return The charity (zero if the plan is unknown).
    function charityOf(uint256 poolId) external view returns (address);

    /// @notice The in-kind list of plan `poolId`.
    /// @param poolId The plan.
    /// @return The list.
    function inKindOf(uint256 poolId) external view returns (InKindItem[] memory);

    /// @notice The conservation ledger of `asset` in pool `poolId`.
    /// @param poolId The pool.
    /// @param asset The asset.
    /// @return The ledger.
    function ledgerOf(uint256 poolId, uint256 asset) external view returns (Ledger memory);

    /// @notice What `donor` gave and was refunded of `asset` in pool `poolId`.
    /// @param poolId The pool.
    /// @param asset The asset.
    /// @param donor The donor.
    /// @return The contribution.
    function contributionOf(uint256 poolId, uint256 asset, address donor)
        external
        view
        returns (Contribution memory);

    /// @notice What pool `fromPoolId` moved into pool `poolId` of `asset`, and what was paid back to it.
    /// @param poolId The receiving pool.
    /// @param asset The asset.
    /// @param fromPoolId The pool that moved value in.
    /// @return The contribution (`donated` is the value moved in).
    function movedContributionOf(uint256 poolId, uint256 asset, uint256 fromPoolId)
        external
        view
        returns (Contribution memory);

    /// @notice What {claimRefund} would pay `donor` of `asset` from pool `poolId` now (zero unless refunding).
    /// @param poolId The pool.
    /// @param asset The asset.
    /// @param donor The donor.
    /// @return The amount.
    function refundableOf(uint256 poolId, uint256 asset, address donor) external view returns (uint256);

    /// @notice What {returnMovedValue} would pay pool `toPoolId` of `asset` from pool `poolId` now.
    /// @param poolId The pool that refunds.
    /// @param asset The asset.
    /// @param toPoolId The pool that moved value in.
    /// @return The amount.
    function returnableOf(uint256 poolId, uint256 asset, uint256 toPoolId) external view returns (uint256);

    /// @notice The goods of `goodsType` sought and received by pool `poolId`.
    /// @param poolId The pool.
    /// @param goodsType The goods type.
    /// @return The goods ledger.
    function goodsOf(uint256 poolId, bytes32 goodsType) external view returns (GoodsLedger memory);

    /// @notice The pledge `pledgeId`.
    /// @param pledgeId The pledge.
    /// @return The pledge (status `None` if unknown).
    function pledgeOf(uint256 pledgeId) external view returns (Pledge memory);

    /// @notice The transfer to a local government `transferId`.
    /// @param transferId The transfer.
    /// @return The transfer (status `None` if unknown).
    function governmentTransferOf(uint256 transferId) external view returns (GovernmentTransfer memory);

    /// @notice How many plans were launched (the last pool id).
    /// @return The count.
    function poolCount() external view returns (uint256);

    /// @notice The payment-order escrow (zero until set).
    /// @return The escrow.
    function escrow() external view returns (address);

    /// @notice The consortium whose roles govern the pools.
    /// @return The consortium.
    function consortium() external view returns (IConsortium);

    /// @notice The deposit token, asset {MONEY}.
    /// @return The token.
    function depositToken() external view returns (IDepositToken);

    /// @notice The welfare assets token, every other asset.
    /// @return The token.
    function welfareAssets() external view returns (IWelfareAssets);

    /// @notice The institution registry that says who may launch plans and receive transfers.
    /// @return The registry.
    function registry() external view returns (IInstitutionRegistry);

    /// @notice The resource tracker where received goods are followed.
    /// @return The tracker.
    function tracker() external view returns (IResourceTracker);
}
