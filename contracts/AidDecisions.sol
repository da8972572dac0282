// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {AidStatus, AidStrategy, IAidDecisions} from "./interfaces/IAidDecisions.sol";
import {IInstitutionRegistry, InstitutionKind} from "./interfaces/IInstitutionRegistry.sol";
import {IPaymentOrderEscrow, OrderStatus} from "./interfaces/IPaymentOrderEscrow.sol";
import {IWelfarePools} from "./interfaces/IWelfarePools.sol";

/// @title AidDecisions
/// @notice Individual aid [700, 800]: applications by salted identity hash and document digests, decisions under
/// bank-registered rules that anyone can recompute, one appeal decided by a regulator, and the hospital paid
/// through a matched payment order before the applicant signs that the treatment was received.
/// @dev The contract checks what it can check without personal data: the rule was registered before use, the
/// outcome is the one the rule's strategy gives for the recorded scores, the hospital is an active registered
/// Hospital, the linked order is committed in the escrow and pays that hospital, and the applicant signs off only
/// after the escrow released the order. How the scores follow from the inputs is checked off-chain by
/// recomputing them (`python -m api.aid recompute`).
contract AidDecisions is IAidDecisions {
    /// @notice The scale of scores and thresholds: 10000 is 100%.
    uint16 public constant MAX_SCORE = 10_000;

    /// @notice The most items a rule may have.
    uint256 public constant MAX_ITEMS = 32;

    /// @notice The most documents one application may carry.
    uint256 public constant MAX_DOCUMENTS = 16;

    IPaymentOrderEscrow private immutable _escrow;
    IWelfarePools private immutable _pools;
    IInstitutionRegistry private immutable _registry;
    IConsortium private immutable _consortium;

    uint256 private _applicationCount;
    mapping(bytes32 ruleDigest => RegisteredRule) private _rules;
    mapping(uint256 applicationId => Application) private _applications;
    mapping(uint256 applicationId => RecordedDecision) private _decisions;
    mapping(bytes32 identityHash => uint256 applicationId) private _openApplications;

    /// @notice Creates the aid contract whose approved applications are paid through `escrow_`.
    /// @param escrow_ The payment-order escrow (its pools, registry and consortium are used too).
    constructor(IPaymentOrderEscrow escrow_) {
        if (address(escrow_) == address(0)) revert AidZeroAddress();
        _escrow = escrow_;
        _pools = escrow_.pools();
        _registry = escrow_.registry();
        _consortium = escrow_.consortium();
    }

    // ------------------------------------------------------------------ rules

    /// @inheritdoc IAidDecisions
    function registerRule(bytes32 ruleDigest, AidRule calldata rule) external {
        _requireRole(ConsortiumRoles.BANK_ROLE);
        if (ruleDigest == bytes32(0)) revert AidRuleDigestMissing();
        if (_rules[ruleDigest].bank != address(0)) revert AidRuleAlreadyRegistered(ruleDigest);
        _checkRule(rule);

        RegisteredRule storage registered = _rules[ruleDigest];
        registered.rule = rule;
        registered.bank = msg.sender;
        registered.registeredAt = uint64(block.timestamp);
        emit AidRuleRegistered(
            ruleDigest, msg.sender, rule.strategy, rule.passThreshold, rule.itemCodes, rule.thresholds, rule.weights
        );
    }

    /// @inheritdoc IAidDecisions
    function retireRule(bytes32 ruleDigest) external {
        RegisteredRule storage registered = _requireUsableRule(ruleDigest);
        if (registered.bank != msg.sender) revert AidRuleNotRegisteredBy(ruleDigest, msg.sender);

        registered.retired = true;
        emit AidRuleRetired(ruleDigest, msg.sender);
    }

    // ------------------------------------------------------------------ applications and decisions

    /// @inheritdoc IAidDecisions
    function submitApplication(uint256 poolId, bytes32 identityHash, bytes32[] calldata documentDigests)
        external
        returns (uint256 applicationId)
    {
        if (identityHash == bytes32(0)) revert AidIdentityHashMissing();
        uint256 count = documentDigests.length;
        if (count == 0 || count > MAX_DOCUMENTS) revert AidDocumentsInvalid(count);
        for (uint256 i = 0; i < count; ++i) {
            if (documentDigests[i] == bytes32(0)) revert AidDocumentsInvalid(count);
        }
        if (poolId != 0 && _pools.charityOf(poolId) == address(0)) revert AidPlanUnknown(poolId);
        _occupy(identityHash, 0);

        applicationId = ++_applicationCount;
        Application storage application = _applications[applicationId];
        application.applicant = msg.sender;
        application.status = AidStatus.Submitted;
        application.submittedAt = uint64(block.timestamp);
        application.poolId = poolId;
        application.identityHash = identityHash;
        application.documentDigests = documentDigests;
        _openApplications[identityHash] = applicationId;
        emit AidApplied(applicationId, msg.sender, poolId, identityHash, documentDigests);
    }

    /// @inheritdoc IAidDecisions
    function decide(uint256 applicationId, AidDecision calldata decision) external {
        _requireRole(ConsortiumRoles.BANK_ROLE);
        Application storage application = _requireStatus(applicationId, AidStatus.Submitted);
        RegisteredRule storage registered = _requireUsableRule(decision.ruleDigest);
        if (decision.inputDigest == bytes32(0)) revert AidInputDigestMissing();
        (bool expected, bytes32[] memory failedItems) = _evaluate(decision.ruleDigest, registered.rule, decision.scores);
        if (expected != decision.approved) revert AidOutcomeInconsistent(expected, decision.approved);
        if (!decision.approved && decision.reasonCodes.length == 0) revert AidRejectionWithoutReason(applicationId);

        if (decision.approved) {
            application.status = AidStatus.Approved;
        } else {
            application.status = AidStatus.Rejected;
            _release(application.identityHash, applicationId);
        }
        RecordedDecision storage recorded = _decisions[applicationId];
        recorded.decision = decision;
        recorded.bank = msg.sender;
        recorded.decidedAt = uint64(block.timestamp);
        emit AidDecided(
            applicationId,
            msg.sender,
            decision.ruleDigest,
            decision.inputDigest,
            decision.scores,
            decision.approved,
            failedItems,
            decision.reasonCodes
        );
    }

    /// @inheritdoc IAidDecisions
    function appeal(uint256 applicationId, bytes32 groundsDigest) external {
        Application storage application = _requireStatus(applicationId, AidStatus.Rejected);
        if (application.applicant != msg.sender) revert AidNotApplicant(applicationId, msg.sender);
        if (application.appealed) revert AidAlreadyAppealed(applicationId);
        _occupy(application.identityHash, applicationId);

        application.appealed = true;
        application.status = AidStatus.UnderAppeal;
        _openApplications[application.identityHash] = applicationId;
        emit AidAppealed(applicationId, msg.sender, groundsDigest);
    }

    /// @inheritdoc IAidDecisions
    function decideAppeal(uint256 applicationId, bool approved, bytes32 decisionDigest) external {
        _requireRole(ConsortiumRoles.REGULATOR_ROLE);
        Application storage application = _requireStatus(applicationId, AidStatus.UnderAppeal);

        if (approved) {
            application.status = AidStatus.Approved;
        } else {
            application.status = AidStatus.Rejected;
            _release(application.identityHash, applicationId);
        }
        emit AidAppealDecided(applicationId, msg.sender, approved, decisionDigest);
    }

    // ------------------------------------------------------------------ treatment and payment

    /// @inheritdoc IAidDecisions
    function assignHospital(uint256 applicationId, address hospital) external {
        Application storage application = _requireStatus(applicationId, AidStatus.Approved);
        if (msg.sender != application.applicant && !_consortium.hasRole(ConsortiumRoles.BANK_ROLE, msg.sender)) {
            revert AidAssignerNotAllowed(applicationId, msg.sender);
        }
        _requireNoLiveOrder(applicationId, application.orderId);
        if (_registry.kindOf(hospital) != InstitutionKind.Hospital || !_registry.isActive(hospital)) {
            revert AidHospitalNotRegistered(hospital);
        }

        application.hospital = hospital;
        application.orderId = bytes32(0);
        emit AidHospitalAssigned(applicationId, hospital, msg.sender);
    }

    /// @inheritdoc IAidDecisions
    function linkOrder(uint256 applicationId, IPaymentOrderEscrow.PaymentOrder calldata order) external {
        _requireRole(ConsortiumRoles.BANK_ROLE);
        Application storage application = _requireStatus(applicationId, AidStatus.Approved);
        address hospital = application.hospital;
        if (hospital == address(0)) revert AidHospitalNotAssigned(applicationId);
        _requireNoLiveOrder(applicationId, application.orderId);
        IPaymentOrderEscrow.OrderRecord memory record = _escrow.orderOf(order.orderId);
        if (record.status == OrderStatus.None || record.commitment != bytes29(_escrow.hashOrder(order))) {
            revert AidOrderNotCommitted(order.orderId);
        }
        if (order.payee != hospital) revert AidOrderMismatch(applicationId, "payee");
        if (application.poolId != 0 && order.poolId != application.poolId) {
            revert AidOrderMismatch(applicationId, "pool");
        }

        application.orderId = order.orderId;
        emit AidOrderLinked(applicationId, order.orderId, order.poolId, msg.sender);
    }

    /// @inheritdoc IAidDecisions
    function confirmTreatment(uint256 applicationId, bytes32 evidenceDigest) external {
        Application storage application = _requireStatus(applicationId, AidStatus.Approved);
        if (application.applicant != msg.sender) revert AidNotApplicant(applicationId, msg.sender);
        bytes32 orderId = application.orderId;
        if (orderId == bytes32(0) || _escrow.orderOf(orderId).status != OrderStatus.Released) {
            revert AidOrderNotReleased(applicationId, orderId);
        }

        application.status = AidStatus.Completed;
        _release(application.identityHash, applicationId);
        emit AidCompleted(applicationId, orderId, evidenceDigest);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAidDecisions
    function ruleOf(bytes32 ruleDigest) external view returns (RegisteredRule memory) {
        return _rules[ruleDigest];
    }

    /// @inheritdoc IAidDecisions
    function evaluate(bytes32 ruleDigest, uint16[] calldata scores)
        external
        view
        returns (bool approved, bytes32[] memory failedItems)
    {
        RegisteredRule storage registered = _rules[ruleDigest];
        if (registered.bank == address(0)) revert AidRuleUnknown(ruleDigest);
        return _evaluate(ruleDigest, registered.rule, scores);
    }

    /// @inheritdoc IAidDecisions
    function applicationOf(uint256 applicationId) external view returns (Application memory) {
        return _applications[applicationId];
    }

    /// @inheritdoc IAidDecisions
    function decisionOf(uint256 applicationId) external view returns (RecordedDecision memory) {
        return _decisions[applicationId];
    }

    /// @inheritdoc IAidDecisions
    function openApplicationOf(bytes32 identityHash) external view returns (uint256) {
        return _openApplications[identityHash];
    }

    /// @inheritdoc IAidDecisions
    function applicationCount() external view returns (uint256) {
        return _applicationCount;
    }

    /// @inheritdoc IAidDecisions
    function escrow() external view returns (IPaymentOrderEscrow) {
        return _escrow;
    }

    /// @inheritdoc IAidDecisions
    function pools() external view returns (IWelfarePools) {
        return _pools;
    }

    /// @inheritdoc IAidDecisions
    function registry() external view returns (IInstitutionRegistry) {
        return _registry;
    }

    /// @inheritdoc IAidDecisions
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    // ------------------------------------------------------------------ internals

    function _checkRule(AidRule calldata rule) private pure {
        uint256 items = rule.itemCodes.length;
        if (rule.strategy == AidStrategy.None) revert AidRuleInvalid("strategy");
        if (items == 0 || items > MAX_ITEMS) revert AidRuleInvalid("items");
        if (rule.thresholds.length != items || rule.weights.length != items) revert AidRuleInvalid("lengths");
        if (rule.passThreshold > MAX_SCORE) revert AidRuleInvalid("pass threshold");
        if (rule.strategy == AidStrategy.EveryItem && rule.passThreshold != 0) revert AidRuleInvalid("pass threshold");
        uint256 totalWeight;
        for (uint256 i = 0; i < items; ++i) {
            if (rule.itemCodes[i] == bytes32(0)) revert AidRuleInvalid("items");
            if (rule.thresholds[i] > MAX_SCORE) revert AidRuleInvalid("threshold");
            totalWeight += rule.weights[i];
        }
        if (rule.strategy == AidStrategy.WeightedAverage && totalWeight == 0) revert AidRuleInvalid("weights");
    }

    /// @dev Strategy A: every score above its threshold. Strategy B: sum(w * s) > passThreshold * sum(w), in
    /// integers, so that the outcome never depends on rounding.
    function _evaluate(bytes32 ruleDigest, AidRule storage rule, uint16[] calldata scores)
        private
        view
        returns (bool approved, bytes32[] memory failedItems)
    {
        uint256 items = rule.itemCodes.length;
        if (scores.length != items) revert AidScoresLength(ruleDigest, items, scores.length);
        bytes32[] memory failed = new bytes32[](items);
        uint256 failedCount;
        uint256 weightedSum;
        uint256 totalWeight;
        for (uint256 i = 0; i < items; ++i) {
            uint16 score = scores[i];
            if (score > MAX_SCORE) revert AidScoreOutOfRange(i, score);
            if (score <= rule.thresholds[i]) failed[failedCount++] = rule.itemCodes[i];
            weightedSum += uint256(rule.weights[i]) * score;
            totalWeight += rule.weights[i];
        }
        if (rule.strategy == AidStrategy.EveryItem) {
            approved = failedCount == 0;
        } else {
            approved = weightedSum > uint256(rule.passThreshold) * totalWeight;
        }
        assembly ("memory-safe") {
            mstore(failed, failedCount)
        }
        failedItems = failed;
    }

    function _occupy(bytes32 identityHash, uint256 self) private view {
        uint256 open = _openApplications[identityHash];
        if (open != 0 && open != self) revert AidApplicationOpen(identityHash, open);
    }

    function _release(bytes32 identityHash, uint256 applicationId) private {
        if (_openApplications[identityHash] == applicationId) delete _openApplications[identityHash];
    }

    /// @dev A linked order blocks a new hospital or order unless it ended without paying.
    function _requireNoLiveOrder(uint256 applicationId, bytes32 orderId) private view {
        if (orderId == bytes32(0)) return;
        OrderStatus status = _escrow.orderOf(orderId).status;
        if (status != OrderStatus.Expired && status != OrderStatus.Cancelled && status != OrderStatus.Refunded) {
            revert AidOrderAlreadyLinked(applicationId, orderId);
        }
    }

    function _requireUsableRule(bytes32 ruleDigest) private view returns (RegisteredRule storage registered) {
        registered = _rules[ruleDigest];
        if (registered.bank == address(0)) revert AidRuleUnknown(ruleDigest);
        if (registered.retired) revert AidRuleRetiredAlready(ruleDigest);
    }

    function _requireStatus(uint256 applicationId, AidStatus status)
        private
        view
        returns (Application storage application)
    {
        application = _applications[applicationId];
        if (application.status == AidStatus.None) revert AidApplicationUnknown(applicationId);
        if (application.status != status) revert AidApplicationNotInStatus(applicationId, application.status);
    }

    function _requireRole(bytes32 role) private view {
        if (!_consortium.hasRole(role, msg.sender)) revert AidUnauthorized(msg.sender, role);
    }
}
