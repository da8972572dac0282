// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {IDepositToken} from "./interfaces/IDepositToken.sol";
import {IInstitutionRegistry, InstitutionKind} from "./interfaces/IInstitutionRegistry.sol";
import {IResourceTracker, LotSource} from "./interfaces/IResourceTracker.sol";
import {AssetKind, IWelfareAssets} from "./interfaces/IWelfareAssets.sol";
import {
    DonationForm,
    GovernmentTransferStatus,
    IWelfarePools,
    PlanStatus,
    PledgeStatus,
    UnspentTerms
} from "./interfaces/IWelfarePools.sol";

/// @title WelfarePools
/// @notice Relief plans and their pools: launch, bank audit, government approval, donations of money,
/// points, rights, virtual resources and goods, and the only ways value leaves a pool (payment orders
/// through the escrow, pro-rata refunds, moves to another plan, confirmed transfers to a local government).
/// @dev Each pool keeps one {Ledger} per asset; every function that moves value updates it before the
/// transfer (checks, effects, interactions) and the ones that send value out are `nonReentrant`. A donation
/// touches one plan slot, one ledger slot and the donor's contribution slot.
contract WelfarePools is IWelfarePools, ERC165, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc IWelfarePools
    uint256 public constant MONEY = 0;

    /// @dev Where {IWelfareAssets} keeps an id's kind (see its id layout).
    uint256 private constant _ASSET_KIND_SHIFT = 248;

    IConsortium private immutable _consortium;
    IDepositToken private immutable _token;
    IWelfareAssets private immutable _assets;
    IInstitutionRegistry private immutable _registry;
    IResourceTracker private immutable _tracker;

    address private _escrow;
    uint256 private _poolCount;
    uint256 private _pledgeCount;
    uint256 private _transferCount;

    mapping(uint256 poolId => Plan) private _plans;
    mapping(uint256 poolId => InKindItem[]) private _inKind;
    mapping(uint256 poolId => mapping(bytes32 goodsType => GoodsLedger)) private _goods;
    mapping(uint256 poolId => mapping(uint256 asset => Ledger)) private _ledgers;
    mapping(uint256 poolId => mapping(uint256 asset => mapping(address donor => Contribution))) private
        _contributions;
    mapping(uint256 pledgeId => Pledge) private _pledges;
    mapping(uint256 transferId => GovernmentTransfer) private _transfers;

    /// @notice Creates the pools of `consortium_`'s ledger.
    /// @param consortium_ The consortium (roles).
    /// @param token_ The deposit token (asset {MONEY}).
    /// @param assets_ The welfare assets token (every other asset).
    /// @param registry_ The institution registry.
    /// @param tracker_ The resource tracker (this contract must be one of its lot sources).
    constructor(
        IConsortium consortium_,
        IDepositToken token_,
        IWelfareAssets assets_,
        IInstitutionRegistry registry_,
        IResourceTracker tracker_
    ) {
        if (
            address(consortium_) == address(0) || address(token_) == address(0) || address(assets_) == address(0)
                || address(registry_) == address(0) || address(tracker_) == address(0)
        ) revert PoolZeroAddress();
        _consortium = consortium_;
        _token = token_;
        _assets = assets_;
        _registry = registry_;
        _tracker = tracker_;
    }

    // ------------------------------------------------------------------ plans

    /// @inheritdoc IWelfarePools
    function launchPlan(PlanTerms calldata terms) external returns (uint256 poolId) {
        address charity = msg.sender;
        if (!_registry.isActive(charity)) revert PoolLauncherNotActive(charity);
        InstitutionKind kind = _registry.kindOf(charity);
        if (kind != InstitutionKind.Charity && kind != InstitutionKind.GovernmentAgency) {
            revert PoolLauncherKindNotAllowed(charity, kind);
        }
        if (terms.moneyTarget == 0 && terms.inKind.length == 0) revert PoolTargetMissing();
        if (terms.deadline <= block.timestamp) revert PoolDeadlineInPast(terms.deadline);

        poolId = ++_poolCount;
        for (uint256 i = 0; i < terms.inKind.length; ++i) {
            InKindItem calldata item = terms.inKind[i];
            GoodsLedger storage goods = _goods[poolId][item.goodsType];
            if (item.goodsType == bytes32(0) || item.quantity == 0 || item.quantity > type(uint128).max || goods.wanted != 0)
            {
                revert PoolInKindInvalid(i);
            }
            goods.wanted = uint128(item.quantity);
            _inKind[poolId].push(item);
        }
        _plans[poolId] = Plan({
            charity: charity,
            deadline: terms.deadline,
            status: PlanStatus.Launched,
            // A government agency's plan is approved by default.
            needsGovernmentApproval: terms.needsGovernmentApproval && kind != InstitutionKind.GovernmentAgency,
            governmentTransferAllowed: terms.governmentTransferAllowed,
            unspent: terms.unspent,
            warehouse: terms.warehouse == address(0) ? charity : terms.warehouse,
            purposeDigest: terms.purposeDigest,
            moneyTarget: terms.moneyTarget
        });
        emit PlanLaunched(poolId, charity, terms);
    }

    /// @inheritdoc IWelfarePools
    function auditPlan(uint256 poolId, bool passed, bytes32 reportDigest) external {
        _requireRole(ConsortiumRoles.BANK_ROLE, msg.sender);
        Plan storage plan = _requirePlan(poolId);
        if (plan.status != PlanStatus.Launched) revert PoolNotAwaitingAudit(poolId, plan.status);
        _requireCharityActive(poolId, plan.charity);

        PlanStatus status = PlanStatus.Rejected;
        if (passed) status = plan.needsGovernmentApproval ? PlanStatus.Audited : PlanStatus.Open;
        plan.status = status;
        emit PlanAudited(poolId, msg.sender, passed, reportDigest, status);
    }

    /// @inheritdoc IWelfarePools
    function decidePlan(uint256 poolId, bool approved, bytes32 decisionDigest) external {
        _requireRole(ConsortiumRoles.GOVERNMENT_ROLE, msg.sender);
        Plan storage plan = _requirePlan(poolId);
        if (plan.status != PlanStatus.Audited) revert PoolNotAwaitingApproval(poolId, plan.status);

        PlanStatus status = approved ? PlanStatus.Open : PlanStatus.Rejected;
        plan.status = status;
        emit PlanDecided(poolId, msg.sender, approved, decisionDigest, status);
    }

    /// @inheritdoc IWelfarePools
    function closePlan(uint256 poolId) external {
        Plan storage plan = _requirePlan(poolId);
        _requireCharityOrBank(poolId, plan);
        if (plan.status != PlanStatus.Open) revert PoolNotOpen(poolId, plan.status);

        plan.status = PlanStatus.Closed;
        emit PlanClosed(poolId, msg.sender);
    }

    /// @inheritdoc IWelfarePools
    function windUp(uint256 poolId) external {
        Plan storage plan = _requirePlan(poolId);
        _requireCharityOrBank(poolId, plan);
        PlanStatus status = plan.status;
        if ((status != PlanStatus.Open && status != PlanStatus.Closed) || block.timestamp <= plan.deadline) {
            revert PoolNotWindable(poolId, status, plan.deadline);
        }

        plan.status = PlanStatus.WoundUp;
        emit PlanWoundUp(poolId, msg.sender, plan.unspent);
    }

    // ------------------------------------------------------------------ donations

    /// @inheritdoc IWelfarePools
    function donate(uint256 poolId, uint256 amount) external {
        _donateMoney(poolId, amount);
    }

    /// @inheritdoc IWelfarePools
    function donateWithPermit(uint256 poolId, uint256 amount, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        // Anyone can submit a permit seen in the mempool first: that uses it up and would make this call revert.
        // So a failed permit is ignored; the transfer then fails on its own unless the allowance suffices.
        try _token.permit(msg.sender, address(this), amount, permitDeadline, v, r, s) {} catch {}
        _donateMoney(poolId, amount);
    }

    /// @inheritdoc IWelfarePools
    function pledgeGoods(uint256 poolId, bytes32 goodsType, uint256 quantity, bytes32 detailsDigest)
        external
        returns (uint256 pledgeId)
    {
        _requireOpen(poolId);
        if (_goods[poolId][goodsType].wanted == 0) revert PoolGoodsNotWanted(poolId, goodsType);
        if (quantity == 0) revert PoolZeroAmount();

        pledgeId = ++_pledgeCount;
        _pledges[pledgeId] = Pledge({
            poolId: poolId,
            donor: msg.sender,
            status: PledgeStatus.Pledged,
            goodsType: goodsType,
            quantity: quantity.toUint128(),
            received: 0,
            lotId: 0
        });
        emit GoodsPledged(pledgeId, poolId, msg.sender, goodsType, quantity, detailsDigest);
    }

    /// @inheritdoc IWelfarePools
    function receivePledge(uint256 pledgeId, uint256 quantity) external returns (uint256 lotId) {
        Pledge storage pledge = _pledges[pledgeId];
        if (pledge.status == PledgeStatus.None) revert PoolPledgeUnknown(pledgeId);
        if (pledge.status != PledgeStatus.Pledged) revert PoolPledgeAlreadyReceived(pledgeId);
        uint256 poolId = pledge.poolId;
        Plan storage plan = _plans[poolId];
        address warehouse = plan.warehouse;
        if (msg.sender != warehouse) revert PoolNotWarehouse(poolId, msg.sender);
        // A rejected or wound-up plan can no longer use goods, so it must not take them in either.
        _requireSpendable(poolId, plan);
        if (quantity == 0 || quantity > pledge.quantity) {
            revert PoolPledgeQuantityInvalid(pledgeId, pledge.quantity, quantity);
        }

        bytes32 goodsType = pledge.goodsType;
        pledge.status = PledgeStatus.Received;
        pledge.received = uint128(quantity);
        _goods[poolId][goodsType].received += uint128(quantity);
        lotId = _tracker.openLot(poolId, LotSource.Pledge, bytes32(pledgeId), goodsType, quantity, warehouse);
        pledge.lotId = lotId;
        emit DonationReceived(poolId, pledge.donor, uint256(goodsType), DonationForm.Goods, quantity, pledgeId);
    }

    /// @notice Takes welfare assets donated to the pool named in `data` (the ABI-encoded pool id).
    /// @dev Only from the welfare assets token.
    /// @param operator Who sent the tokens.
    /// @param from The donor (the zero address for a mint straight to the pool: the operator gives).
    /// @param id The asset.
    /// @param value The amount.
    /// @param data The pool id, ABI-encoded.
    /// @return The ERC-1155 acceptance magic value.
    function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes calldata data)
        external
        returns (bytes4)
    {
        if (msg.sender != address(_assets)) revert PoolAssetContractUnknown(msg.sender);
        uint256 poolId = _donationPool(data);
        _requireOpen(poolId);
        _recordGift(poolId, id, from == address(0) ? operator : from, value, _formOf(id), 0);
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @notice Takes a batch of welfare assets donated to one pool: one gift per asset.
    /// @dev As {onERC1155Received}.
    /// @param operator Who sent the tokens.
    /// @param from The donor.
    /// @param ids The assets.
    /// @param values The amounts.
    /// @param data The pool id, ABI-encoded.
    /// @return The ERC-1155 batch acceptance magic value.
    function onERC1155BatchReceived(
        address operator,
        address from,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external returns (bytes4) {
        if (msg.sender != address(_assets)) revert PoolAssetContractUnknown(msg.sender);
        uint256 poolId = _donationPool(data);
        _requireOpen(poolId);
        address donor = from == address(0) ? operator : from;
        for (uint256 i = 0; i < ids.length; ++i) {
            _recordGift(poolId, ids[i], donor, values[i], _formOf(ids[i]), 0);
        }
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    // ------------------------------------------------------------------ refunds and moves

    /// @inheritdoc IWelfarePools
    function claimRefund(uint256 poolId, uint256 asset, address donor) external nonReentrant returns (uint256 amount) {
        Plan storage plan = _requirePlan(poolId);
        if (plan.status != PlanStatus.WoundUp) revert PoolNotWoundUp(poolId, plan.status);
        if (plan.unspent != UnspentTerms.Refund) revert PoolUnspentTermsMismatch(poolId, plan.unspent);
        Ledger storage ledger = _ledgers[poolId][asset];
        Contribution storage contribution = _contributions[poolId][asset][donor];
        amount = _refundable(ledger, contribution);
        if (amount == 0) revert PoolNothingToRefund(poolId, asset, donor);

        contribution.refunded += uint128(amount);
        ledger.refunded += uint128(amount);
        ledger.balance -= uint128(amount);
        _send(asset, donor, amount);
        emit RefundPaid(poolId, donor, asset, amount);
    }

    /// @inheritdoc IWelfarePools
    function moveUnspent(uint256 poolId, uint256 asset, uint256 toPoolId) external returns (uint256 amount) {
        Plan storage plan = _requirePlan(poolId);
        _requireCharityOrBank(poolId, plan);
        if (plan.status != PlanStatus.WoundUp) revert PoolNotWoundUp(poolId, plan.status);
        if (plan.unspent != UnspentTerms.MoveToPlan) revert PoolUnspentTermsMismatch(poolId, plan.unspent);
        if (toPoolId == poolId) revert PoolMoveToSelf(poolId);
        _requireOpen(toPoolId);
        Ledger storage from = _ledgers[poolId][asset];
        amount = from.balance;
        if (amount == 0) revert PoolNothingToMove(poolId, asset);

        from.balance = 0;
        from.movedOut += uint128(amount);
        Ledger storage to = _ledgers[toPoolId][asset];
        to.balance += uint128(amount);
        to.movedIn += uint128(amount);
        emit UnspentMoved(poolId, toPoolId, asset, amount, msg.sender);
    }

    // ------------------------------------------------------------------ transfers to a local government

    /// @inheritdoc IWelfarePools
    function proposeGovernmentTransfer(
        uint256 poolId,
        address localGovernment,
        uint256 asset,
        uint256 amount,
        bytes32 purposeDigest
    ) external returns (uint256 transferId) {
        Plan storage plan = _requirePlan(poolId);
        if (msg.sender != plan.charity) revert PoolNotCharity(poolId, msg.sender);
        _requireCharityActive(poolId, msg.sender);
        if (!plan.governmentTransferAllowed) revert PoolGovernmentTransferNotAllowed(poolId);
        _requireSpendable(poolId, plan);
        if (amount == 0) revert PoolZeroAmount();
        _registry.requireActive(localGovernment, InstitutionKind.LocalGovernment);
        _requireBalance(poolId, asset, amount);

        transferId = ++_transferCount;
        _transfers[transferId] = GovernmentTransfer({
            poolId: poolId,
            localGovernment: localGovernment,
            status: GovernmentTransferStatus.Proposed,
            asset: asset,
            amount: amount,
            purposeDigest: purposeDigest
        });
        emit GovernmentTransferProposed(transferId, poolId, localGovernment, asset, amount, purposeDigest);
    }

    /// @inheritdoc IWelfarePools
    function confirmGovernmentTransfer(uint256 transferId) external nonReentrant {
        _requireRole(ConsortiumRoles.BANK_ROLE, msg.sender);
        GovernmentTransfer storage transfer = _requireTransfer(transferId, GovernmentTransferStatus.Proposed);
        uint256 poolId = transfer.poolId;
        _requireSpendable(poolId, _plans[poolId]);
        address localGovernment = transfer.localGovernment;
        _registry.requireActive(localGovernment, InstitutionKind.LocalGovernment);
        uint256 asset = transfer.asset;
        uint256 amount = transfer.amount;
        Ledger storage ledger = _requireBalance(poolId, asset, amount);

        transfer.status = GovernmentTransferStatus.Confirmed;
        ledger.balance -= uint128(amount);
        ledger.toGovernment += uint128(amount);
        _send(asset, localGovernment, amount);
        emit GovernmentTransferConfirmed(transferId, poolId, msg.sender, asset, amount);
    }

    /// @inheritdoc IWelfarePools
    function rejectGovernmentTransfer(uint256 transferId) external {
        _requireRole(ConsortiumRoles.BANK_ROLE, msg.sender);
        GovernmentTransfer storage transfer = _requireTransfer(transferId, GovernmentTransferStatus.Proposed);

        transfer.status = GovernmentTransferStatus.Rejected;
        emit GovernmentTransferRejected(transferId, transfer.poolId, msg.sender);
    }

    /// @inheritdoc IWelfarePools
    function acknowledgeGovernmentTransfer(uint256 transferId) external {
        GovernmentTransfer storage transfer = _requireTransfer(transferId, GovernmentTransferStatus.Confirmed);
        if (msg.sender != transfer.localGovernment) revert PoolNotTransferRecipient(transferId, msg.sender);

        transfer.status = GovernmentTransferStatus.Acknowledged;
        emit GovernmentTransferAcknowledged(transferId, transfer.poolId, msg.sender);
    }

    // ------------------------------------------------------------------ payment-order escrow

    /// @inheritdoc IWelfarePools
    function setEscrow(address escrow_) external {
        _requireRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, msg.sender);
        if (escrow_ == address(0)) revert PoolZeroAddress();
        address current = _escrow;
        if (current != address(0)) revert PoolEscrowAlreadySet(current);

        _escrow = escrow_;
        emit EscrowSet(escrow_);
    }

    /// @inheritdoc IWelfarePools
    function lockForOrder(uint256 poolId, bytes32 orderId, uint256 asset, uint256 amount) external {
        _requireEscrow();
        _requireSpendable(poolId, _requirePlan(poolId));
        if (amount == 0) revert PoolZeroAmount();
        Ledger storage ledger = _requireBalance(poolId, asset, amount);

        ledger.balance -= uint128(amount);
        ledger.escrowed += uint128(amount);
        emit OrderFundsLocked(poolId, orderId, asset, amount);
    }

    /// @inheritdoc IWelfarePools
    function payOrder(uint256 poolId, bytes32 orderId, uint256 asset, uint256 amount, address payee)
        external
        nonReentrant
    {
        _requireEscrow();
        Ledger storage ledger = _requireEscrowed(poolId, asset, amount);

        ledger.escrowed -= uint128(amount);
        ledger.paidOut += uint128(amount);
        emit OrderFundsPaid(poolId, orderId, asset, amount, payee);
        _send(asset, payee, amount);
    }

    /// @inheritdoc IWelfarePools
    function returnFromOrder(uint256 poolId, bytes32 orderId, uint256 asset, uint256 amount) external {
        _requireEscrow();
        Ledger storage ledger = _requireEscrowed(poolId, asset, amount);

        ledger.escrowed -= uint128(amount);
        ledger.balance += uint128(amount);
        emit OrderFundsReturned(poolId, orderId, asset, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IWelfarePools
    function planOf(uint256 poolId) external view returns (Plan memory) {
        return _plans[poolId];
    }

    /// @inheritdoc IWelfarePools
    function charityOf(uint256 poolId) external view returns (address) {
        return _plans[poolId].charity;
    }

    /// @inheritdoc IWelfarePools
    function inKindOf(uint256 poolId) external view returns (InKindItem[] memory) {
        return _inKind[poolId];
    }

    /// @inheritdoc IWelfarePools
    function ledgerOf(uint256 poolId, uint256 asset) external view returns (Ledger memory) {
        return _ledgers[poolId][asset];
    }

    /// @inheritdoc IWelfarePools
    function contributionOf(uint256 poolId, uint256 asset, address donor)
        external
        view
        returns (Contribution memory)
    {
        return _contributions[poolId][asset][donor];
    }

    /// @inheritdoc IWelfarePools
    function refundableOf(uint256 poolId, uint256 asset, address donor) external view returns (uint256) {
        Plan storage plan = _plans[poolId];
        if (plan.status != PlanStatus.WoundUp || plan.unspent != UnspentTerms.Refund) return 0;
        return _refundable(_ledgers[poolId][asset], _contributions[poolId][asset][donor]);
    }

    /// @inheritdoc IWelfarePools
    function goodsOf(uint256 poolId, bytes32 goodsType) external view returns (GoodsLedger memory) {
        return _goods[poolId][goodsType];
    }

    /// @inheritdoc IWelfarePools
    function pledgeOf(uint256 pledgeId) external view returns (Pledge memory) {
        return _pledges[pledgeId];
    }

    /// @inheritdoc IWelfarePools
    function governmentTransferOf(uint256 transferId) external view returns (GovernmentTransfer memory) {
        return _transfers[transferId];
    }

    /// @inheritdoc IWelfarePools
    function poolCount() external view returns (uint256) {
        return _poolCount;
    }

    /// @inheritdoc IWelfarePools
    function escrow() external view returns (address) {
        return _escrow;
    }

    /// @inheritdoc IWelfarePools
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @inheritdoc IWelfarePools
    function depositToken() external view returns (IDepositToken) {
        return _token;
    }

    /// @inheritdoc IWelfarePools
    function welfareAssets() external view returns (IWelfareAssets) {
        return _assets;
    }

    /// @inheritdoc IWelfarePools
    function registry() external view returns (IInstitutionRegistry) {
        return _registry;
    }

    /// @inheritdoc IWelfarePools
    function tracker() external view returns (IResourceTracker) {
        return _tracker;
    }

    /// @notice Whether this contract implements the interface `interfaceId` (ERC-165).
    /// @dev IWelfarePools and IERC1155Receiver (so that welfare assets can be sent to it).
    /// @param interfaceId The ERC-165 interface identifier.
    /// @return True if the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override(ERC165, IERC165) returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IWelfarePools).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals

    function _donateMoney(uint256 poolId, uint256 amount) private {
        _requireOpen(poolId);
        _recordGift(poolId, MONEY, msg.sender, amount, DonationForm.Money, 0);
        IERC20(address(_token)).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev The one place a gift enters a pool's books.
    function _recordGift(uint256 poolId, uint256 asset, address donor, uint256 amount, DonationForm form, uint256 pledgeId)
        private
    {
        if (amount == 0) revert PoolZeroAmount();
        uint128 value = amount.toUint128();
        Ledger storage ledger = _ledgers[poolId][asset];
        ledger.donated += value;
        ledger.balance += value;
        _contributions[poolId][asset][donor].donated += value;
        emit DonationReceived(poolId, donor, asset, form, amount, pledgeId);
    }

    /// @dev A donor's pro-rata share of everything refundable (already refunded plus the balance), less
    /// what it already received. After a wind-up that total never decreases, so no share ever shrinks
    /// and the shares never add up to more than the total.
    function _refundable(Ledger storage ledger, Contribution storage contribution) private view returns (uint256) {
        uint256 donated = ledger.donated;
        if (donated == 0) return 0;
        uint256 entitled =
            Math.mulDiv(contribution.donated, uint256(ledger.refunded) + uint256(ledger.balance), donated);
        uint256 refunded = contribution.refunded;
        return entitled > refunded ? entitled - refunded : 0;
    }

    function _send(uint256 asset, address to, uint256 amount) private {
        if (asset == MONEY) {
            IERC20(address(_token)).safeTransfer(to, amount);
        } else {
            _assets.safeTransferFrom(address(this), to, asset, amount, "");
        }
    }

    /// @dev The welfare assets contract mints only ids of a defined kind (Points to VirtualResource).
    function _formOf(uint256 assetId) private pure returns (DonationForm) {
        uint256 kind = assetId >> _ASSET_KIND_SHIFT;
        if (kind == uint256(AssetKind.Points)) return DonationForm.Points;
        if (kind == uint256(AssetKind.VirtualResource)) return DonationForm.VirtualResource;
        return DonationForm.Rights;
    }

    function _donationPool(bytes calldata data) private pure returns (uint256) {
        if (data.length != 32) revert PoolDonationPoolMissing();
        return abi.decode(data, (uint256));
    }

    function _requirePlan(uint256 poolId) private view returns (Plan storage plan) {
        plan = _plans[poolId];
        if (plan.status == PlanStatus.None) revert PoolUnknown(poolId);
    }

    function _requireOpen(uint256 poolId) private view {
        Plan storage plan = _plans[poolId];
        PlanStatus status = plan.status;
        if (status != PlanStatus.Open) {
            if (status == PlanStatus.None) revert PoolUnknown(poolId);
            revert PoolNotOpen(poolId, status);
        }
        if (block.timestamp > plan.deadline) revert PoolExpired(poolId, plan.deadline);
        _requireCharityActive(poolId, plan.charity);
    }

    function _requireSpendable(uint256 poolId, Plan storage plan) private view {
        PlanStatus status = plan.status;
        if (status != PlanStatus.Open && status != PlanStatus.Closed) revert PoolNotSpendable(poolId, status);
    }

    function _requireBalance(uint256 poolId, uint256 asset, uint256 amount) private view returns (Ledger storage ledger) {
        ledger = _ledgers[poolId][asset];
        if (ledger.balance < amount) revert PoolInsufficientBalance(poolId, asset, ledger.balance, amount);
    }

    function _requireEscrowed(uint256 poolId, uint256 asset, uint256 amount) private view returns (Ledger storage ledger) {
        if (amount == 0) revert PoolZeroAmount();
        ledger = _ledgers[poolId][asset];
        if (ledger.escrowed < amount) revert PoolEscrowExceeded(poolId, asset, ledger.escrowed, amount);
    }

    function _requireEscrow() private view {
        address escrow_ = _escrow;
        if (msg.sender != escrow_ || escrow_ == address(0)) revert PoolNotEscrow(msg.sender);
    }

    function _requireTransfer(uint256 transferId, GovernmentTransferStatus expected)
        private
        view
        returns (GovernmentTransfer storage transfer)
    {
        transfer = _transfers[transferId];
        if (transfer.status == GovernmentTransferStatus.None) revert PoolGovernmentTransferUnknown(transferId);
        if (transfer.status != expected) revert PoolGovernmentTransferStatusInvalid(transferId, transfer.status);
    }

    function _requireRole(bytes32 role, address account) private view {
        if (!_consortium.hasRole(role, account)) revert PoolUnauthorized(account, role);
    }

    /// @dev A bank may act for the donors whatever the charity's standing; the charity only while it is active.
    function _requireCharityOrBank(uint256 poolId, Plan storage plan) private view {
        address charity = plan.charity;
        if (msg.sender == charity) {
            _requireCharityActive(poolId, charity);
        } else if (!_consortium.hasRole(ConsortiumRoles.BANK_ROLE, msg.sender)) {
            revert PoolNotCharityOrBank(poolId, msg.sender);
        }
    }

    /// @dev A suspended, flagged or expired charity (or agency) can no longer run its plans or take gifts.
    function _requireCharityActive(uint256 poolId, address charity) private view {
        if (!_registry.isActive(charity)) revert PoolCharityNotActive(poolId, charity);
    }
}
