// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {Checkpoint, IResourceTracker, LotSource, LotStatus} from "./interfaces/IResourceTracker.sol";

/// @title ResourceTracker
/// @notice Goods lots and their custody checkpoints, from a pledge or a purchase to the beneficiary's
/// sign-off.
/// @dev The state a checkpoint changes (holder and status) shares one storage slot with the source and
/// quantity, so that a checkpoint costs one slot write.
contract ResourceTracker is IResourceTracker {
    IConsortium private immutable _consortium;

    uint256 private _lotCount;
    mapping(uint256 lotId => Lot) private _lots;
    mapping(address account => bool allowed) private _lotSources;

    /// @notice Creates the tracker whose lot sources the admin of `consortium_` sets.
    /// @param consortium_ The consortium.
    constructor(IConsortium consortium_) {
        if (address(consortium_) == address(0)) revert LotZeroAddress();
        _consortium = consortium_;
    }

    /// @inheritdoc IResourceTracker
    function setLotSource(address source, bool allowed) external {
        if (!_consortium.hasRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert LotTrackerUnauthorized(msg.sender);
        }
        if (source == address(0)) revert LotZeroAddress();

        _lotSources[source] = allowed;
        emit LotSourceChanged(source, allowed, msg.sender);
    }

    /// @inheritdoc IResourceTracker
    function openLot(
        uint256 poolId,
        LotSource source,
        bytes32 sourceRef,
        bytes32 goodsType,
        uint256 quantity,
        address holder
    ) external returns (uint256 lotId) {
        if (!_lotSources[msg.sender]) revert LotSourceNotAllowed(msg.sender);
        if (holder == address(0)) revert LotZeroAddress();
        if (source == LotSource.None || goodsType == bytes32(0) || quantity == 0 || quantity > type(uint80).max) {
            revert LotInvalid();
        }

        lotId = ++_lotCount;
        _lots[lotId] = Lot({
            holder: holder,
            status: LotStatus.Stored,
            source: source,
            quantity: uint80(quantity),
            poolId: poolId,
            goodsType: goodsType,
            sourceRef: sourceRef
        });
        emit LotOpened(lotId, poolId, sourceRef, source, goodsType, quantity, holder);
    }

    /// @inheritdoc IResourceTracker
    function recordCheckpoint(uint256 lotId, Checkpoint checkpoint, address nextHolder, bytes32 evidenceDigest)
        external
    {
        Lot storage lot = _lots[lotId];
        LotStatus status = lot.status;
        address holder = lot.holder;
        if (status == LotStatus.None) revert LotUnknown(lotId);
        if (holder != msg.sender) revert LotNotHeld(lotId, msg.sender, holder);

        LotStatus next;
        if (checkpoint == Checkpoint.Shipped) {
            if (status != LotStatus.Stored && status != LotStatus.Received) _outOfOrder(lotId, status, checkpoint);
            if (nextHolder == address(0)) revert LotNextHolderMissing(lotId, checkpoint);
            next = LotStatus.Shipped;
            holder = nextHolder;
        } else if (checkpoint == Checkpoint.InTransit) {
            if (status != LotStatus.Shipped && status != LotStatus.InTransit) _outOfOrder(lotId, status, checkpoint);
            next = LotStatus.InTransit;
            if (nextHolder != address(0)) holder = nextHolder;
        } else if (checkpoint == Checkpoint.Received) {
            if (status != LotStatus.Shipped && status != LotStatus.InTransit) _outOfOrder(lotId, status, checkpoint);
            next = LotStatus.Received;
        } else if (checkpoint == Checkpoint.HandedToBeneficiary) {
            if (status != LotStatus.Stored && status != LotStatus.Received) _outOfOrder(lotId, status, checkpoint);
            if (nextHolder == address(0)) revert LotNextHolderMissing(lotId, checkpoint);
            next = LotStatus.HandedOver;
            holder = nextHolder;
        } else {
            if (status != LotStatus.HandedOver) _outOfOrder(lotId, status, checkpoint);
            next = LotStatus.Delivered;
        }

        lot.status = next;
        lot.holder = holder;
        emit CheckpointRecorded(lotId, lot.poolId, msg.sender, checkpoint, holder, evidenceDigest);
    }

    /// @inheritdoc IResourceTracker
    function lotOf(uint256 lotId) external view returns (Lot memory) {
        return _lots[lotId];
    }

    /// @inheritdoc IResourceTracker
    function lotCount() external view returns (uint256) {
        return _lotCount;
    }

    /// @inheritdoc IResourceTracker
    function isLotSource(address account) external view returns (bool) {
        return _lotSources[account];
    }

    /// @inheritdoc IResourceTracker
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    function _outOfOrder(uint256 lotId, LotStatus status, Checkpoint checkpoint) private pure {
        revert LotCheckpointOutOfOrder(lotId, status, checkpoint);
    }
}
