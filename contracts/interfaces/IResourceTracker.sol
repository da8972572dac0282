// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IConsortium} from "./IConsortium.sol";

/// @notice Where a goods lot came from: a donor's pledge received by the charity's warehouse, or a
/// purchase paid through a payment order.
enum LotSource {
    None,
    Pledge,
    Purchase
}

/// @notice Where a goods lot stands on its way to the beneficiary.
enum LotStatus {
    None,
    Stored,
    Shipped,
    InTransit,
    Received,
    HandedOver,
    Delivered
}

/// @notice A custody checkpoint, signed by the party holding the lot.
/// @dev Allowed moves (status before -> after):
/// Shipped: Stored or Received -> Shipped, custody to `nextHolder` (the carrier or the consignee);
/// InTransit: Shipped or InTransit -> InTransit, custody stays or passes to `nextHolder` if given;
/// Received: Shipped or InTransit -> Received (the holder, now in possession, signs for it);
/// HandedToBeneficiary: Stored or Received -> HandedOver, custody to the beneficiary (`nextHolder`);
/// SignedOff: HandedOver -> Delivered, signed by the beneficiary or receiving institution: the aid succeeded.
enum Checkpoint {
    Shipped,
    InTransit,
    Received,
    HandedToBeneficiary,
    SignedOff
}

/// @title Resource tracking of goods lots, from donor or supplier to beneficiary
/// @notice Every goods lot (from a pledge or a purchase) is followed through custody checkpoints, each
/// signed by the party holding the lot; the beneficiary's sign-off marks the aid successful.
/// @dev Lots are opened by authorised lot sources (the pools contract for received pledges, the payment
/// order escrow for purchases), set by the consortium admin. The events alone rebuild every lot's path:
/// {LotOpened} links it to its pool and its pledge or order, {CheckpointRecorded} gives each hand-over.
interface IResourceTracker {
    /// @notice A lot as stored.
    /// @param holder Who holds the lot now (and must sign its next checkpoint).
    /// @param status Where the lot stands.
    /// @param source Pledge or purchase.
    /// @param quantity How many units of `goodsType`.
    /// @param poolId The welfare pool the lot belongs to.
    /// @param goodsType The goods type (as in the plan's in-kind list).
    /// @param sourceRef The pledge id (as bytes32) or the payment order id.
    struct Lot {
        address holder;
        LotStatus status;
        LotSource source;
        uint80 quantity;
        uint256 poolId;
        bytes32 goodsType;
        bytes32 sourceRef;
    }

    /// @notice The consortium admin `by` allowed (or stopped) `source` to open lots.
    event LotSourceChanged(address indexed source, bool allowed, address indexed by);

    /// @notice Lot `lotId` of `quantity` `goodsType` for pool `poolId` was opened from `source`
    /// `sourceRef`, held by `holder`.
    event LotOpened(
        uint256 indexed lotId,
        uint256 indexed poolId,
        bytes32 indexed sourceRef,
        LotSource source,
        bytes32 goodsType,
        uint256 quantity,
        address holder
    );

    /// @notice `by`, holding lot `lotId` of pool `poolId`, recorded `checkpoint`; the lot is now held by
    /// `holder`. `evidenceDigest` is the digest of the waybill, photo or signature sheet.
    event CheckpointRecorded(
        uint256 indexed lotId,
        uint256 indexed poolId,
        address indexed by,
        Checkpoint checkpoint,
        address holder,
        bytes32 evidenceDigest
    );

    /// @notice `account` is not the consortium admin.
    error LotTrackerUnauthorized(address account);

    /// @notice `account` is not allowed to open lots.
    error LotSourceNotAllowed(address account);

    /// @notice The zero address was given where an account is needed.
    error LotZeroAddress();

    /// @notice A lot needs a goods type, a quantity (at most 2**80 - 1) and a source.
    error LotInvalid();

    /// @notice No lot `lotId` exists.
    error LotUnknown(uint256 lotId);

    /// @notice `account` does not hold lot `lotId`; `holder` does.
    error LotNotHeld(uint256 lotId, address account, address holder);

    /// @notice Lot `lotId` is `status`, where `checkpoint` cannot follow.
    error LotCheckpointOutOfOrder(uint256 lotId, LotStatus status, Checkpoint checkpoint);

    /// @notice `checkpoint` of lot `lotId` needs the party the lot goes to.
    error LotNextHolderMissing(uint256 lotId, Checkpoint checkpoint);

    /// @notice Allows or stops `source` to open lots.
    /// @dev Only the consortium's DEFAULT_ADMIN_ROLE. Emits {LotSourceChanged}.
    /// @param source The contract (pools, payment-order escrow) or account.
    /// @param allowed Whether it may open lots.
    function setLotSource(address source, bool allowed) external;

    /// @notice Opens a goods lot of `quantity` `goodsType` for pool `poolId`, held by `holder`.
    /// @dev Only an allowed lot source. The lot starts `Stored` with `holder`. Emits {LotOpened}.
    /// @param poolId The pool the goods belong to.
    /// @param source Pledge or purchase.
    /// @param sourceRef The pledge id (as bytes32) or the payment order id.
    /// @param goodsType The goods type.
    /// @param quantity The quantity.
    /// @param holder Who holds the goods now (the warehouse, or the supplier).
    /// @return lotId The new lot's id (from 1).
    function openLot(
        uint256 poolId,
        LotSource source,
        bytes32 sourceRef,
        bytes32 goodsType,
        uint256 quantity,
        address holder
    ) external returns (uint256 lotId);

    /// @notice Records a custody checkpoint of lot `lotId` that you hold.
    /// @dev See {Checkpoint} for the order. Emits {CheckpointRecorded}.
    /// @param lotId The lot.
    /// @param checkpoint The checkpoint.
    /// @param nextHolder Who takes the lot (Shipped, HandedToBeneficiary: required; InTransit: optional;
    /// Received, SignedOff: ignored).
    /// @param evidenceDigest Digest of the supporting document.
    function recordCheckpoint(uint256 lotId, Checkpoint checkpoint, address nextHolder, bytes32 evidenceDigest)
        external;

    /// @notice The lot `lotId`.
    /// @param lotId The lot.
    /// @return The lot (status `None` if unknown).
    function lotOf(uint256 lotId) external view returns (Lot memory);

    /// @notice How many lots were opened (the last lot id).
    /// @return The count.
    function lotCount() external view returns (uint256);

    /// @notice Whether `account` may open lots.
    /// @param account The account.
    /// @return True if allowed.
    function isLotSource(address account) external view returns (bool);

    /// @notice The consortium whose admin sets the lot sources.
    /// @return The consortium.
    function consortium() external view returns (IConsortium);
}
