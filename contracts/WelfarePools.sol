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
/// @dev Each pool keeps one {Ledger} per asset, and every change of a ledger goes through {_update}, as every balance
/// change of an OpenZeppelin ERC-20 goes through its `_update`: the conservation rule and the standing checks of the
/// parties live there and nowhere else. Functions update the ledger before any transfer (checks, effects,
/// interactions) and the ones that send value out are `nonReentrant`. A donation touches one plan slot, one ledger
/// slot and the donor's contribution slot.
contract WelfarePools is IWelfarePools, ERC165, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc IWelfarePools
    uint256 public constant MONEY = 0;

    /// @inheritdoc IWelfarePools
    uint64 public constant MAX_PLAN_DURATION = 730 days;

    /// @inheritdoc IWelfarePools
    uint64 public constant ORDER_WINDOW = 90 days;

    /// @dev Where {IWelfareAssets} keeps an id's kind (see its id layout).
    uint256 private constant _ASSET_KIND_SHIFT = 248;

    /// @dev Marks a contributor key as a pool (a plan that moved value in) rather than a donor's address.
    uint256 private constant _POOL_CONTRIBUTOR = 1 << 255;

    /// @dev The parts of one asset's ledger of one pool: where its value came from (Donated, MovedIn), where it is
    /// (Balance, Escrowed) and where it went (PaidOut, Refunded, ToGovernment, MovedOut). See {_update}.
    enum Account {
        Donated,
        MovedIn,
        Balance,
        Escrowed,
        PaidOut,
        Refunded,
        ToGovernment,
        MovedOut
    }

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
    /// @dev Keyed by contributor: a donor's address, or a pool id marked with {_POOL_CONTRIBUTOR}.
    mapping(uint256 poolId => mapping(uint256 asset => mapping(uint256 contributor => Contribution))) private
        _contributions;
    /// @dev How much of the pool's contributions has a place on the refund line (see {_entitlement}).
    mapping(uint256 poolId => mapping(uint256 asset => uint256 placed)) private _refundLines;
    /// @dev Where each contributor's stretch of the refund line starts, plus one (zero: not placed yet).
    mapping(uint256 poolId => mapping(uint256 asset => mapping(uint256 contributor => uint256 start))) private
        _refundPlaces;
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
        uint64 latest = uint64(block.timestamp) + MAX_PLAN_DURATION;
        if (terms.deadline > latest) revert PoolDeadlineTooFar(terms.deadline, latest);
        uint64 successor = terms.successorPoolId;
        if (
            terms.unspent == UnspentTerms.MoveToPlan
                ? (successor == 0 || _plans[successor].status == PlanStatus.None)
                : successor != 0
        ) revert PoolSuccessorInvalid(successor);

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
            successorPoolId: successor,
            purposeDigest: terms.purposeDigest,
            moneyTarget: terms.moneyTarget
        });
        emit PlanLaunched(poolId, charity, terms);
    }

    /// @inheritdoc IWelfarePools
    function auditPlan(uint256 poolId, bool passed, bytes32 reportDigest) external {
        _requireRole(ConsortiumRoles.BANK_ROLE, msg.sender);
        Plan storage plan = _requirePlan(poolId);
        if (msg.sender == plan.charity || msg.sender == plan.warehouse) revert PoolDecidedByParty(poolId, msg.sender);
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
        if (msg.sender == plan.charity) revert PoolDecidedByParty(poolId, msg.sender);
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
        emit PlanWoundUp(poolId, msg.sender, plan.unspent, bytes32(0));
    }

    /// @inheritdoc IWelfarePools
    function windUpByDecision(uint256 poolId, bytes32 decisionDigest) external {
        _requireRole(ConsortiumRoles.REGULATOR_ROLE, msg.sender);
        Plan storage plan = _requirePlan(poolId);
        if (msg.sender == plan.charity) revert PoolDecidedByParty(poolId, msg.sender);
        PlanStatus status = plan.status;
        if (status != PlanStatus.Open && status != PlanStatus.Closed) {
            revert PoolNotWindable(poolId, status, plan.deadline);
        }

        plan.status = PlanStatus.WoundUp;
        emit PlanWoundUp(poolId, msg.sender, plan.unspent, decisionDigest);
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
        _requireAllowedDonor(msg.sender);
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
        _requireCharityActive(poolId, plan.charity);
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
    /// @dev Only from the welfare assets token; the donor must be allow-listed ({PoolDonorNotAllowed}).
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
        address donor = from == address(0) ? operator : from;
        _requireAllowedDonor(donor);
        _recordGift(poolId, id, donor, value, _formOf(id), 0);
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
        address donor = from == address(0) ? operator : from;
        _requireAllowedDonor(donor);
        for (uint256 i = 0; i < ids.length; ++i) {
            _recordGift(poolId, ids[i], donor, values[i], _formOf(ids[i]), 0);
        }
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    // ------------------------------------------------------------------ refunds and moves

    /// @inheritdoc IWelfarePools
    function claimRefund(uint256 poolId, uint256 asset, address donor) external nonReentrant returns (uint256 amount) {
        bool placed;
        (amount, placed) = _claim(poolId, asset, _donorKey(donor));
        if (amount == 0 && !placed) revert PoolNothingToRefund(poolId, asset, donor);

        if (amount != 0) _send(asset, donor, amount);
        emit RefundPaid(poolId, donor, asset, amount);
    }

    /// @inheritdoc IWelfarePools
    function returnMovedValue(uint256 poolId, uint256 asset, uint256 toPoolId) external returns (uint256 amount) {
        bool placed;
        (amount, placed) = _claim(poolId, asset, _poolKey(toPoolId));
        if (amount == 0 && !placed) revert PoolNothingToReturn(poolId, asset, toPoolId);

        if (amount != 0) _update(toPoolId, asset, Account.MovedOut, Account.Balance, amount, address(0), address(0));
        emit MovedValueReturned(poolId, toPoolId, asset, amount);
    }

    /// @inheritdoc IWelfarePools
    function moveUnspent(uint256 poolId, uint256 asset, uint256 toPoolId) external returns (uint256 amount) {
        Plan storage plan = _requirePlan(poolId);
        if (plan.status != PlanStatus.WoundUp) revert PoolNotWoundUp(poolId, plan.status);
        if (plan.unspent != UnspentTerms.MoveToPlan) revert PoolUnspentTermsMismatch(poolId, plan.unspent);
        uint256 successor = plan.successorPoolId;
        if (toPoolId != successor) revert PoolNotSuccessor(poolId, toPoolId, successor);

        amount = _move(poolId, asset, toPoolId, bytes32(0));
    }

    /// @inheritdoc IWelfarePools
    function moveUnspentByDecision(uint256 poolId, uint256 asset, uint256 toPoolId, bytes32 decisionDigest)
        external
        returns (uint256 amount)
    {
        _requireRole(ConsortiumRoles.REGULATOR_ROLE, msg.sender);
        Plan storage plan = _requirePlan(poolId);
        if (msg.sender == plan.charity || msg.sender == _plans[toPoolId].charity) {
            revert PoolDecidedByParty(poolId, msg.sender);
        }
        if (plan.status != PlanStatus.WoundUp) revert PoolNotWoundUp(poolId, plan.status);
        // Refunds already paid were each a share of a total that a move would shrink.
        if (_ledgers[poolId][asset].refunded != 0) revert PoolRefundsStarted(poolId, asset);

        amount = _move(poolId, asset, toPoolId, decisionDigest);
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
        uint256 balance = _ledgers[poolId][asset].balance;
        if (balance < amount) revert PoolInsufficientBalance(poolId, asset, balance, amount);

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
        GovernmentTransfer storage transfer = _requireBankDecision(transferId);
        uint256 poolId = transfer.poolId;
        _requireSpendable(poolId, _plans[poolId]);
        address localGovernment = transfer.localGovernment;
        uint256 asset = transfer.asset;
        uint256 amount = transfer.amount;

        transfer.status = GovernmentTransferStatus.Confirmed;
        _update(poolId, asset, Account.Balance, Account.ToGovernment, amount, localGovernment, msg.sender);
        _send(asset, localGovernment, amount);
        emit GovernmentTransferConfirmed(transferId, poolId, msg.sender, asset, amount);
    }

    /// @inheritdoc IWelfarePools
    function rejectGovernmentTransfer(uint256 transferId) external {
        GovernmentTransfer storage transfer = _requireBankDecision(transferId);

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
    function lockForOrder(
        uint256 poolId,
        bytes32 orderId,
        uint256 asset,
        uint256 amount,
        address bank,
        uint64 deadline
    ) external returns (address charity) {
        _requireEscrow();
        Plan storage plan = _requirePlan(poolId);
        _requireSpendable(poolId, plan);
        uint64 latest = plan.deadline + ORDER_WINDOW;
        if (deadline > latest) revert PoolOrderDeadlineTooLate(poolId, deadline, latest);

        _update(poolId, asset, Account.Balance, Account.Escrowed, amount, address(0), bank);
        emit OrderFundsLocked(poolId, orderId, asset, amount);
        charity = plan.charity;
    }

    /// @inheritdoc IWelfarePools
    function payOrder(uint256 poolId, bytes32 orderId, uint256 asset, uint256 amount, address payee, address bank)
        external
        nonReentrant
    {
        _requireEscrow();

        _update(poolId, asset, Account.Escrowed, Account.PaidOut, amount, payee, bank);
        emit OrderFundsPaid(poolId, orderId, asset, amount, payee);
        _send(asset, payee, amount);
    }

    /// @inheritdoc IWelfarePools
    function returnFromOrder(uint256 poolId, bytes32 orderId, uint256 asset, uint256 amount) external {
        _requireEscrow();

        _update(poolId, asset, Account.Escrowed, Account.Balance, amount, address(0), address(0));
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
        return _contributions[poolId][asset][_donorKey(donor)];
    }

    /// @inheritdoc IWelfarePools
    function movedContributionOf(uint256 poolId, uint256 asset, uint256 fromPoolId)
        external
        view
        returns (Contribution memory)
    {
        return _contributions[poolId][asset][_poolKey(fromPoolId)];
    }

    /// @inheritdoc IWelfarePools
    function refundableOf(uint256 poolId, uint256 asset, address donor) external view returns (uint256) {
        return _refundsOpen(_plans[poolId]) ? _due(poolId, asset, _donorKey(donor)) : 0;
    }

    /// @inheritdoc IWelfarePools
    function returnableOf(uint256 poolId, uint256 asset, uint256 toPoolId) external view returns (uint256) {
        return _refundsOpen(_plans[poolId]) ? _due(poolId, asset, _poolKey(toPoolId)) : 0;
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

    /// @dev The one place a pool's ledger changes. `amount` of `asset` moves within pool `poolId`'s books from `from`
    /// to `to`. Conservation (`donated + movedIn == balance + escrowed + paidOut + refunded + toGovernment +
    /// movedOut`) holds by construction: value either enters (`from` Donated or MovedIn: both sides grow) or moves
    /// between the right-hand parts (`from` Balance, Escrowed or, for value a plan moved out and gets back,
    /// MovedOut); it never goes to Donated or MovedIn. The standing checks run here too, at the moment value moves:
    /// value entering needs an open plan of an active charity; value set aside for or paid under an order needs an
    /// active charity, an active payee and an issuing bank that still holds BANK_ROLE; value going to a local
    /// government needs an active charity, an active recipient and a confirming bank. Value going back (to the
    /// balance, to donors, to the plan it came from) waits on nobody's standing. Reverts, moving nothing, with the
    /// named error of whoever is not active.
    function _update(
        uint256 poolId,
        uint256 asset,
        Account from,
        Account to,
        uint256 amount,
        address recipient,
        address bank
    ) private {
        if (amount == 0) revert PoolZeroAmount();
        assert(to > Account.MovedIn && from != Account.PaidOut && from != Account.Refunded && from != Account.ToGovernment);
        uint128 value = amount.toUint128();

        if (from <= Account.MovedIn) {
            _requireOpen(poolId);
        } else if (to == Account.Escrowed || to == Account.PaidOut || to == Account.ToGovernment) {
            _requireCharityActive(poolId, _plans[poolId].charity);
            if (!_consortium.hasRole(ConsortiumRoles.BANK_ROLE, bank)) revert PoolBankNotActive(poolId, bank);
            if (to == Account.PaidOut && !_registry.isActive(recipient)) revert PoolPayeeNotActive(poolId, recipient);
            if (to == Account.ToGovernment) _registry.requireActive(recipient, InstitutionKind.LocalGovernment);
        }

        Ledger storage ledger = _ledgers[poolId][asset];
        if (from == Account.Donated) {
            ledger.donated += value;
        } else if (from == Account.MovedIn) {
            ledger.movedIn += value;
        } else if (from == Account.Balance) {
            if (ledger.balance < value) revert PoolInsufficientBalance(poolId, asset, ledger.balance, amount);
            ledger.balance -= value;
        } else if (from == Account.Escrowed) {
            if (ledger.escrowed < value) revert PoolEscrowExceeded(poolId, asset, ledger.escrowed, amount);
            ledger.escrowed -= value;
        } else {
            ledger.movedOut -= value; // a plan gets back at most what it moved out (see {_entitlement})
        }

        if (to == Account.Balance) ledger.balance += value;
        else if (to == Account.Escrowed) ledger.escrowed += value;
        else if (to == Account.PaidOut) ledger.paidOut += value;
        else if (to == Account.Refunded) ledger.refunded += value;
        else if (to == Account.ToGovernment) ledger.toGovernment += value;
        else ledger.movedOut += value;
    }

    function _donateMoney(uint256 poolId, uint256 amount) private {
        _recordGift(poolId, MONEY, msg.sender, amount, DonationForm.Money, 0);
        IERC20(address(_token)).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev The one place a gift enters a pool's books.
    function _recordGift(uint256 poolId, uint256 asset, address donor, uint256 amount, DonationForm form, uint256 pledgeId)
        private
    {
        _update(poolId, asset, Account.Donated, Account.Balance, amount, address(0), address(0));
        _contributions[poolId][asset][_donorKey(donor)].donated += uint128(amount);
        emit DonationReceived(poolId, donor, asset, form, amount, pledgeId);
    }

    /// @dev Moves the whole balance of `asset` of wound-up pool `poolId` into open pool `toPoolId`, where it becomes
    /// `poolId`'s contribution.
    function _move(uint256 poolId, uint256 asset, uint256 toPoolId, bytes32 decisionDigest)
        private
        returns (uint256 amount)
    {
        if (toPoolId == poolId) revert PoolMoveToSelf(poolId);
        amount = _ledgers[poolId][asset].balance;
        if (amount == 0) revert PoolNothingToMove(poolId, asset);

        _update(poolId, asset, Account.Balance, Account.MovedOut, amount, address(0), address(0));
        _update(toPoolId, asset, Account.MovedIn, Account.Balance, amount, address(0), address(0));
        _contributions[toPoolId][asset][_poolKey(poolId)].donated += uint128(amount);
        emit UnspentMoved(poolId, toPoolId, asset, amount, msg.sender, decisionDigest);
    }

    /// @dev Books what `contributor` of pool `poolId` is due of `asset` now (`amount`, possibly zero) as refunded, and
    /// places it on the refund line at its first claim (`placed`): even a claim whose share rounds down to nothing
    /// takes its place, so that the stretches of everyone who claimed tile the line. The caller sends the value.
    function _claim(uint256 poolId, uint256 asset, uint256 contributor) private returns (uint256 amount, bool placed) {
        Plan storage plan = _requirePlan(poolId);
        if (plan.status != PlanStatus.WoundUp) revert PoolNotWoundUp(poolId, plan.status);
        if (!_refundsOpen(plan)) revert PoolUnspentTermsMismatch(poolId, plan.unspent);
        Contribution storage contribution = _contributions[poolId][asset][contributor];
        if (contribution.donated == 0) return (0, false);
        amount = _due(poolId, asset, contributor);

        mapping(uint256 => uint256) storage places = _refundPlaces[poolId][asset];
        if (places[contributor] == 0) {
            uint256 line = _refundLines[poolId][asset];
            places[contributor] = line + 1;
            _refundLines[poolId][asset] = line + contribution.donated;
            placed = true;
        }
        if (amount == 0) return (0, placed);
        contribution.refunded += uint128(amount);
        _update(poolId, asset, Account.Balance, Account.Refunded, amount, address(0), address(0));
    }

    /// @dev What `contributor` would be paid now: its entitlement less what it had, at most the balance.
    function _due(uint256 poolId, uint256 asset, uint256 contributor) private view returns (uint256) {
        Contribution storage contribution = _contributions[poolId][asset][contributor];
        uint256 contributed = contribution.donated;
        if (contributed == 0) return 0;
        uint256 place = _refundPlaces[poolId][asset][contributor];
        uint256 start = place == 0 ? _refundLines[poolId][asset] : place - 1;
        Ledger storage ledger = _ledgers[poolId][asset];
        uint256 entitled = _entitlement(ledger, start, contributed);
        uint256 refunded = contribution.refunded;
        if (entitled <= refunded) return 0;
        return Math.min(entitled - refunded, ledger.balance);
    }

    /// @dev Contributors share the refundable total `T = refunded + balance` in proportion to what they put in, `D =
    /// donated + movedIn` in all. Each owns the stretch `[start, start + contributed)` of the line `[0, D)` (in the
    /// order of their first claims) and is entitled to `floor((start + contributed) * T / D) - floor(start * T / D)`:
    /// its exact share rounded down or up. The stretches tile the line, so once every contributor has claimed the
    /// entitlements add up to `floor(D * T / D) = T` exactly: no remainder is stranded. After the wind-up `T` never
    /// shrinks (refunds keep it, value coming back from escrow or a moved plan grows it; moves are refused once a
    /// refund was paid), and a contributor is never entitled to more than its contribution (`T <= D`).
    function _entitlement(Ledger storage ledger, uint256 start, uint256 contributed) private view returns (uint256) {
        uint256 total = uint256(ledger.donated) + ledger.movedIn;
        uint256 refundable = uint256(ledger.refunded) + ledger.balance;
        return Math.mulDiv(start + contributed, refundable, total) - Math.mulDiv(start, refundable, total);
    }

    /// @dev Refunds are open once the plan is wound up with Refund terms, or with MoveToPlan terms whose successor can
    /// no longer take value: it is not Launched, Audited or Open, or it is Open past its deadline. That can never
    /// change back, so a plan never starts refunding and then moves.
    function _refundsOpen(Plan storage plan) private view returns (bool) {
        if (plan.status != PlanStatus.WoundUp) return false;
        if (plan.unspent == UnspentTerms.Refund) return true;
        Plan storage successor = _plans[plan.successorPoolId];
        PlanStatus status = successor.status;
        if (status == PlanStatus.Launched || status == PlanStatus.Audited) return false;
        return status != PlanStatus.Open || block.timestamp > successor.deadline;
    }

    function _donorKey(address donor) private pure returns (uint256) {
        return uint256(uint160(donor));
    }

    function _poolKey(uint256 poolId) private pure returns (uint256) {
        return _POOL_CONTRIBUTOR | poolId;
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

    /// @dev A proposed transfer that the caller, a bank that is neither the plan's charity nor the recipient, may
    /// decide.
    function _requireBankDecision(uint256 transferId) private view returns (GovernmentTransfer storage transfer) {
        _requireRole(ConsortiumRoles.BANK_ROLE, msg.sender);
        transfer = _requireTransfer(transferId, GovernmentTransferStatus.Proposed);
        uint256 poolId = transfer.poolId;
        if (msg.sender == _plans[poolId].charity || msg.sender == transfer.localGovernment) {
            revert PoolDecidedByParty(poolId, msg.sender);
        }
    }

    function _requireRole(bytes32 role, address account) private view {
        if (!_consortium.hasRole(role, account)) revert PoolUnauthorized(account, role);
    }

    /// @dev Points, rights and goods come from allow-listed accounts only, like money (the deposit token checks
    /// that itself).
    function _requireAllowedDonor(address donor) private view {
        if (!_consortium.isAllowed(donor)) revert PoolDonorNotAllowed(donor);
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
