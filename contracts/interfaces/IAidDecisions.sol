// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IConsortium} from "./IConsortium.sol";
import {IInstitutionRegistry} from "./IInstitutionRegistry.sol";
import {IPaymentOrderEscrow} from "./IPaymentOrderEscrow.sol";
import {IWelfarePools} from "./IWelfarePools.sol";

/// @notice How a rule turns item scores into an outcome.
/// @dev `EveryItem` is strategy A: the application passes when every item's score exceeds its threshold.
/// `WeightedAverage` is strategy B: it passes when the weighted average of the scores exceeds the rule's
/// pass threshold.
enum AidStrategy {
    None,
    EveryItem,
    WeightedAverage
}

/// @notice Where an aid application stands.
/// @dev Submitted -> Approved | Rejected (a bank's decision); Rejected -> UnderAppeal (the applicant, once)
/// -> Approved | Rejected (the regulator, final); Approved -> Completed when the hospital was paid through
/// the linked payment order and the applicant signed that the treatment was received.
enum AidStatus {
    None,
    Submitted,
    Approved,
    Rejected,
    UnderAppeal,
    Completed
}

/// @title Individual aid: applications, decisions a person can recompute, appeals and the applicant's sign-off
/// @notice A person applies with a salted hash of their identity and the digests of their documents (identity,
/// proofs, bills). A member bank decides under a rule whose digest a bank registered before: the decision
/// records the rule digest, the digest of the canonical inputs, every item's score and the outcome, so anyone
/// holding the inputs and the rule can recompute it. A rejected applicant can appeal once; a regulator decides,
/// final. An approved application is paid through a payment order to a registered hospital
/// ({IPaymentOrderEscrow}); the aid is complete only when the applicant signs that treatment was received.
/// @dev No personal data is stored or emitted: no name, no ID number, no diagnosis and no amount asked; only the
/// salted identity hash, document digests, rule and input digests, scores and reason codes. Scores, thresholds
/// and the pass threshold are on a 0-10000 scale (hundredths of a percent). Every state change emits one event
/// that carries enough to rebuild the state.
interface IAidDecisions {
    /// @notice A decision rule's numeric part, registered with the digest of the whole rule document.
    /// @param strategy How the scores decide.
    /// @param passThreshold Strategy B: the weighted average must exceed this (0-10000); 0 for strategy A.
    /// @param itemCodes The audit items, in the order their scores are given (e.g. "ID_NUMBER", "INCOME").
    /// @param thresholds Per item, the score it must exceed: for strategy A every item must; for both
    /// strategies an item at or below its threshold is named as a reason.
    /// @param weights Per item, its weight in strategy B's average (all zero is refused for strategy B).
    struct AidRule {
        AidStrategy strategy;
        uint16 passThreshold;
        bytes32[] itemCodes;
        uint16[] thresholds;
        uint16[] weights;
    }

    /// @notice A registered rule.
    struct RegisteredRule {
        AidRule rule;
        address bank;
        uint64 registeredAt;
        bool retired;
    }

    /// @notice An application as stored.
    /// @param applicant The account that applied (appeals and signs off).
    /// @param status Where it stands.
    /// @param appealed Whether the one appeal was used.
    /// @param submittedAt When it was submitted (unix seconds).
    /// @param poolId The relief plan applied to (0: the platform, any plan may pay).
    /// @param identityHash The salted hash of the applicant's identity (never the identity itself).
    /// @param documentDigests keccak256 of each document (ID card, proofs, bills), stored off-chain encrypted.
    /// @param hospital The registered hospital assigned to treat the applicant (zero until assigned).
    /// @param orderId The payment order paying the hospital (zero until linked).
    struct Application {
        address applicant;
        AidStatus status;
        bool appealed;
        uint64 submittedAt;
        uint256 poolId;
        bytes32 identityHash;
        bytes32[] documentDigests;
        address hospital;
        bytes32 orderId;
    }

    /// @notice A bank's decision on an application.
    /// @param ruleDigest The registered rule applied.
    /// @param inputDigest keccak256 of the canonical inputs (the second key information, the registry and
    /// investigation answers, the amount asked and the decision time), kept off-chain.
    /// @param scores Every item's score, in the rule's item order (0-10000).
    /// @param approved The outcome; must be the one the rule gives for `scores`.
    /// @param reasonCodes The named findings behind the scores (e.g. "ID_CHECK_DIGIT"); not personal data.
    struct AidDecision {
        bytes32 ruleDigest;
        bytes32 inputDigest;
        uint16[] scores;
        bool approved;
        bytes32[] reasonCodes;
    }

    /// @notice A decision as recorded.
    struct RecordedDecision {
        AidDecision decision;
        address bank;
        uint64 decidedAt;
    }

    /// @notice `bank` registered rule `ruleDigest`.
    event AidRuleRegistered(
        bytes32 indexed ruleDigest,
        address indexed bank,
        AidStrategy strategy,
        uint16 passThreshold,
        bytes32[] itemCodes,
        uint16[] thresholds,
        uint16[] weights
    );

    /// @notice `bank` retired rule `ruleDigest`: it decides nothing more.
    event AidRuleRetired(bytes32 indexed ruleDigest, address indexed bank);

    /// @notice `applicant` applied to plan `poolId` (0: the platform) as application `applicationId`.
    event AidApplied(
        uint256 indexed applicationId,
        address indexed applicant,
        uint256 indexed poolId,
        bytes32 identityHash,
        bytes32[] documentDigests
    );

    /// @notice `bank` decided application `applicationId` under rule `ruleDigest` on inputs `inputDigest`.
    /// `failedItems` are the items at or below their threshold.
    event AidDecided(
        uint256 indexed applicationId,
        address indexed bank,
        bytes32 indexed ruleDigest,
        bytes32 inputDigest,
        uint16[] scores,
        bool approved,
        bytes32[] failedItems,
        bytes32[] reasonCodes
    );

    /// @notice The applicant appealed the rejection of application `applicationId` (`groundsDigest`).
    event AidAppealed(uint256 indexed applicationId, address indexed applicant, bytes32 groundsDigest);

    /// @notice The regulator `regulator` decided the appeal on application `applicationId`: final.
    event AidAppealDecided(
        uint256 indexed applicationId, address indexed regulator, bool approved, bytes32 decisionDigest
    );

    /// @notice `by` assigned the registered hospital `hospital` to application `applicationId`.
    event AidHospitalAssigned(uint256 indexed applicationId, address indexed hospital, address by);

    /// @notice `bank` linked payment order `orderId` (pool `poolId`, payee the assigned hospital) to application
    /// `applicationId`.
    event AidOrderLinked(
        uint256 indexed applicationId, bytes32 indexed orderId, uint256 indexed poolId, address bank
    );

    /// @notice The applicant signed that the treatment paid by order `orderId` was received: the aid succeeded.
    event AidCompleted(uint256 indexed applicationId, bytes32 indexed orderId, bytes32 evidenceDigest);

    /// @notice `account` lacks the consortium role `neededRole`.
    error AidUnauthorized(address account, bytes32 neededRole);

    /// @notice The zero address was given for a contract this one needs.
    error AidZeroAddress();

    /// @notice A rule digest must not be zero.
    error AidRuleDigestMissing();

    /// @notice Rule `ruleDigest` is already registered.
    error AidRuleAlreadyRegistered(bytes32 ruleDigest);

    /// @notice The rule's parts are inconsistent: `reason` says which ("strategy", "items", "lengths",
    /// "threshold", "weights", "pass threshold").
    error AidRuleInvalid(bytes32 reason);

    /// @notice No rule `ruleDigest` was registered.
    error AidRuleUnknown(bytes32 ruleDigest);

    /// @notice Rule `ruleDigest` was retired.
    error AidRuleRetiredAlready(bytes32 ruleDigest);

    /// @notice Only `bank`, which registered rule `ruleDigest`, may retire it.
    error AidRuleNotRegisteredBy(bytes32 ruleDigest, address bank);

    /// @notice The identity hash must not be zero.
    error AidIdentityHashMissing();

    /// @notice An application carries between 1 and {MAX_DOCUMENTS} non-zero document digests; `count` given.
    error AidDocumentsInvalid(uint256 count);

    /// @notice There is no relief plan `poolId`.
    error AidPlanUnknown(uint256 poolId);

    /// @notice The identity `identityHash` already has open application `applicationId` (one at a time).
    error AidApplicationOpen(bytes32 identityHash, uint256 applicationId);

    /// @notice No application `applicationId`.
    error AidApplicationUnknown(uint256 applicationId);

    /// @notice Application `applicationId` is `status`, which does not allow this.
    error AidApplicationNotInStatus(uint256 applicationId, AidStatus status);

    /// @notice `account` is not the applicant of application `applicationId`.
    error AidNotApplicant(uint256 applicationId, address account);

    /// @notice The decision gives `given` scores; rule `ruleDigest` has `expected` items.
    error AidScoresLength(bytes32 ruleDigest, uint256 expected, uint256 given);

    /// @notice Score `score` of item `index` is above 10000.
    error AidScoreOutOfRange(uint256 index, uint16 score);

    /// @notice The input digest must not be zero.
    error AidInputDigestMissing();

    /// @notice The decision says `given`, but the rule gives `expected` for its scores.
    error AidOutcomeInconsistent(bool expected, bool given);

    /// @notice A rejection must name at least one reason.
    error AidRejectionWithoutReason(uint256 applicationId);

    /// @notice Application `applicationId` was already appealed (an applicant appeals once).
    error AidAlreadyAppealed(uint256 applicationId);

    /// @notice `hospital` is not an active institution of kind Hospital in the registry.
    error AidHospitalNotRegistered(address hospital);

    /// @notice `account` may not assign the hospital of application `applicationId` (the applicant or a bank may).
    error AidAssignerNotAllowed(uint256 applicationId, address account);

    /// @notice Application `applicationId` has no hospital assigned.
    error AidHospitalNotAssigned(uint256 applicationId);

    /// @notice Application `applicationId` already has order `orderId`, which is not final without payment.
    error AidOrderAlreadyLinked(uint256 applicationId, bytes32 orderId);

    /// @notice The presented order `orderId` is not an order committed in the escrow.
    error AidOrderNotCommitted(bytes32 orderId);

    /// @notice The order's `field` ("payee" or "pool") does not match application `applicationId`.
    error AidOrderMismatch(uint256 applicationId, bytes32 field);

    /// @notice Application `applicationId` has no order that paid the hospital (order `orderId`).
    error AidOrderNotReleased(uint256 applicationId, bytes32 orderId);

    /// @notice A bank registers decision rule `ruleDigest` (the digest of the whole rule document) with its
    /// numeric part, before any decision may use it.
    /// @dev Only a BANK. Items 1..{MAX_ITEMS}, non-zero distinct-by-position codes, arrays of equal length,
    /// thresholds and pass threshold at most 10000, strategy B with some weight. Emits {AidRuleRegistered}.
    /// @param ruleDigest keccak256 of the rule's canonical document.
    /// @param rule The strategy, items, thresholds, weights and pass threshold.
    function registerRule(bytes32 ruleDigest, AidRule calldata rule) external;

    /// @notice The bank that registered rule `ruleDigest` retires it: no further decision may use it.
    /// @dev Decisions already recorded under it stay valid. Emits {AidRuleRetired}.
    /// @param ruleDigest The rule.
    function retireRule(bytes32 ruleDigest) external;

    /// @notice The sender applies for aid to plan `poolId` (0: the platform) with the salted hash of their
    /// identity and the digests of their documents.
    /// @dev One open application per identity hash (submitted, under appeal or approved and not completed).
    /// Emits {AidApplied}.
    /// @param poolId The relief plan (0 for none).
    /// @param identityHash The salted identity hash.
    /// @param documentDigests The documents' digests.
    /// @return applicationId The new application's id (1, 2, ...).
    function submitApplication(uint256 poolId, bytes32 identityHash, bytes32[] calldata documentDigests)
        external
        returns (uint256 applicationId);

    /// @notice A bank records its decision on submitted application `applicationId`.
    /// @dev Only a BANK; the rule must be registered and not retired; one score per item, each at most 10000;
    /// the outcome must be the rule's outcome for the scores ({AidOutcomeInconsistent}); a rejection names a
    /// reason. Emits {AidDecided}.
    /// @param applicationId The application.
    /// @param decision The decision.
    function decide(uint256 applicationId, AidDecision calldata decision) external;

    /// @notice The applicant appeals the rejection of application `applicationId`, once.
    /// @dev Only the applicant; the application must be Rejected by a bank and not appealed before. Emits
    /// {AidAppealed}.
    /// @param applicationId The application.
    /// @param groundsDigest Digest of the appeal's grounds (kept off-chain).
    function appeal(uint256 applicationId, bytes32 groundsDigest) external;

    /// @notice A regulator decides the appeal on application `applicationId`: final.
    /// @dev Only a REGULATOR; the application must be UnderAppeal. Emits {AidAppealDecided}.
    /// @param applicationId The application.
    /// @param approved Whether the aid is granted.
    /// @param decisionDigest Digest of the regulator's decision document.
    function decideAppeal(uint256 applicationId, bool approved, bytes32 decisionDigest) external;

    /// @notice The applicant picks, or a bank assigns, the registered hospital that will treat the applicant of
    /// approved application `applicationId`.
    /// @dev The hospital must be an active institution of kind Hospital. Allowed until an order is linked (or
    /// after the linked order ended unpaid). Emits {AidHospitalAssigned}.
    /// @param applicationId The application.
    /// @param hospital The hospital's account.
    function assignHospital(uint256 applicationId, address hospital) external;

    /// @notice A bank links the payment order `order` that pays the assigned hospital for application
    /// `applicationId`.
    /// @dev Only a BANK; the application Approved with a hospital; `order` committed in the escrow, its payee the
    /// hospital and, for an application to a plan, its pool that plan. A new order may replace one that ended
    /// unpaid (expired, cancelled, refunded). Emits {AidOrderLinked}.
    /// @param applicationId The application.
    /// @param order The committed order (from {IPaymentOrderEscrow-OrderIssued}).
    function linkOrder(uint256 applicationId, IPaymentOrderEscrow.PaymentOrder calldata order) external;

    /// @notice The applicant signs that the treatment was received: the aid is complete.
    /// @dev Only the applicant; the application Approved and its linked order Released (the hospital was paid).
    /// Emits {AidCompleted}.
    /// @param applicationId The application.
    /// @param evidenceDigest Digest of the signed receipt (kept off-chain).
    function confirmTreatment(uint256 applicationId, bytes32 evidenceDigest) external;

    /// @notice The rule registered under `ruleDigest` (bank zero if none).
    /// @param ruleDigest The rule.
    /// @return The registered rule.
    function ruleOf(bytes32 ruleDigest) external view returns (RegisteredRule memory);

    /// @notice Whether `scores` pass rule `ruleDigest`, and which items are at or below their threshold.
    /// @param ruleDigest The registered rule.
    /// @param scores One score per item.
    /// @return approved The rule's outcome.
    /// @return failedItems The codes of the items at or below their threshold.
    function evaluate(bytes32 ruleDigest, uint16[] calldata scores)
        external
        view
        returns (bool approved, bytes32[] memory failedItems);

    /// @notice Application `applicationId` (status None if unknown).
    /// @param applicationId The application.
    /// @return The application.
    function applicationOf(uint256 applicationId) external view returns (Application memory);

    /// @notice The bank's decision on application `applicationId` (bank zero if none yet).
    /// @param applicationId The application.
    /// @return The decision.
    function decisionOf(uint256 applicationId) external view returns (RecordedDecision memory);

    /// @notice The open application of identity `identityHash` (0 if none).
    /// @param identityHash The salted identity hash.
    /// @return The application id.
    function openApplicationOf(bytes32 identityHash) external view returns (uint256);

    /// @notice How many applications were submitted.
    /// @return The count (the latest id).
    function applicationCount() external view returns (uint256);

    /// @notice The escrow whose orders pay hospitals.
    /// @return The escrow.
    function escrow() external view returns (IPaymentOrderEscrow);

    /// @notice The pools the plans applied to live in.
    /// @return The pools.
    function pools() external view returns (IWelfarePools);

    /// @notice The registry hospitals are checked against.
    /// @return The registry.
    function registry() external view returns (IInstitutionRegistry);

    /// @notice The consortium whose roles govern this contract.
    /// @return The consortium.
    function consortium() external view returns (IConsortium);
}
