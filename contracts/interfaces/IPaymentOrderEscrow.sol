// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IConsortium} from "./IConsortium.sol";
import {IInstitutionRegistry, InstitutionKind} from "./IInstitutionRegistry.sol";
import {IResourceTracker} from "./IResourceTracker.sol";
import {IWelfarePools} from "./IWelfarePools.sol";

/// @notice Where a payment order stands.
/// @dev None -> Issued -> Released (the copies matched, or the regulator released it) | Expired (deadline
/// passed without a match) | Cancelled (before either party signed, by the issuing bank, the charity, or, once the
/// issuing bank has lost its role, another bank or the consortium) | Disputed (frozen by the regulator) -> Released
/// | Refunded. Released, Expired, Refunded and Cancelled are final: nothing can happen to the order afterwards.
enum OrderStatus {
    None,
    Issued,
    Disputed,
    Released,
    Refunded,
    Expired,
    Cancelled
}

/// @notice Which party's copy of an order a signature is on.
enum OrderParty {
    Payee,
    Charity
}

/// @title Payment-order escrow: bank-issued orders paid out only when the payee's and the charity's copies match
/// @notice A bank issues the *first* payment order: its EIP-712 digest is committed here and the amount is set
/// aside in the pool in the same transaction (the pools keep custody; this contract only instructs them). After fulfilling the order the payee (a registered
/// supplier, hospital or logistics firm) signs its copy (the *second* order) and the charity signs its own (the
/// *third*). When both signers are the parties their copies name, both are active in the institution registry
/// and both copies' digests equal the committed one, the pools pay the payee. When the signers are right but a
/// copy differs, nothing moves and the mismatch is recorded as evidence. Value moves only while the charity, the
/// payee and the issuing bank are all active (the pools check it at the moment of payment): otherwise nothing moves
/// and the order stays open for the regulator's decision, a cancellation or its expiry. Past its deadline (at most
/// the plan's deadline plus the pools' order window) an unmatched order can be expired by anyone (the amount goes
/// back to the pool); the regulator can freeze an order under dispute and decide to release or refund it, and its
/// decision is final.
/// @dev Replays fail by construction: the EIP-712 domain binds signatures to this chain and contract, the digest
/// covers the order id, an order id is issued once (it is derived from the issuing bank and its nonce), and a
/// final order accepts nothing. Every state change emits one event carrying what is needed to rebuild the state.
interface IPaymentOrderEscrow is IERC165 {
    /// @notice A payment order, as the bank issues it and each party signs its copy (EIP-712 `PaymentOrder`).
    /// @param orderId `keccak256(abi.encode(bank, nonce))`: unique per issuing bank and nonce.
    /// @param poolId The pool the amount comes from.
    /// @param charity The pool's charity (it signs the third order).
    /// @param payee The registered third party that is paid (it signs the second order).
    /// @param asset `0` for the deposit token, otherwise a welfare-asset (ERC-1155) id.
    /// @param amount How much of `asset` the payee is paid.
    /// @param purposeDigest Digest of the off-chain order document (goods, quantities, delivery terms).
    /// @param deadline Until when (unix seconds) the order can be matched; afterwards it can be expired. At most the
    /// plan's deadline plus {IWelfarePools-ORDER_WINDOW}.
    /// @param nonce A number the issuing bank never uses twice.
    /// @param bank The issuing bank (`orderId` is derived from it and `nonce`): it must still be a bank when the
    /// order pays out.
    struct PaymentOrder {
        bytes32 orderId;
        uint256 poolId;
        address charity;
        address payee;
        uint256 asset;
        uint256 amount;
        bytes32 purposeDigest;
        uint64 deadline;
        uint256 nonce;
        address bank;
    }

    /// @notice An order as stored: its commitment and where it stands (one storage slot).
    /// @dev The other fields of the order are in {OrderIssued} and are re-presented by whoever acts on the order:
    /// a presented order is the committed one when the first 29 bytes of its EIP-712 digest equal `commitment`
    /// (forging one would take a 232-bit second preimage of keccak-256).
    /// @param commitment The first 29 bytes of the issued order's EIP-712 digest.
    /// @param status Where it stands.
    /// @param payeeSigned Whether the payee's matching signature was submitted on its own ({submitSignature}).
    /// @param charitySigned Whether the charity's matching signature was submitted on its own.
    struct OrderRecord {
        bytes29 commitment;
        OrderStatus status;
        bool payeeSigned;
        bool charitySigned;
    }

    /// @notice The latest mismatch recorded for an order, and how many were recorded.
    /// @param payeeDigest The digest of the payee's presented copy (zero if it was not presented).
    /// @param charityDigest The digest of the charity's presented copy (zero if it was not presented).
    /// @param count How many mismatches were recorded for the order.
    struct Mismatch {
        bytes32 payeeDigest;
        bytes32 charityDigest;
        uint32 count;
    }

    /// @notice `bank` issued payment order `orderId` (digest `digest`): `amount` of `asset` of pool `poolId` is set
    /// aside for `payee`, to be confirmed by `charity` by `deadline`.
    event OrderIssued(
        bytes32 indexed orderId,
        uint256 indexed poolId,
        address indexed payee,
        address charity,
        address bank,
        uint256 asset,
        uint256 amount,
        bytes32 purposeDigest,
        uint64 deadline,
        uint256 nonce,
        bytes32 digest
    );

    /// @notice `party`'s matching signature on order `orderId` was submitted by `by`; the other is awaited.
    event OrderSigned(bytes32 indexed orderId, OrderParty party, address indexed signer, address by);

    /// @notice Order `orderId` did not match: nothing moved. `commitment` is the stored prefix of the issued
    /// digest, the others are the digests of the copies `by` presented (zero where a copy was not presented);
    /// `count` mismatches so far.
    event OrderMismatchRecorded(
        bytes32 indexed orderId,
        bytes29 commitment,
        bytes32 payeeDigest,
        bytes32 charityDigest,
        address indexed by,
        uint32 count
    );

    /// @notice Order `orderId` was paid: `amount` of `asset` of pool `poolId` went to `payee`. `by` submitted the
    /// match, or is the regulator who decided a dispute (`decisionDigest` non-zero).
    event OrderReleased(
        bytes32 indexed orderId,
        uint256 indexed poolId,
        address indexed payee,
        uint256 asset,
        uint256 amount,
        address by,
        bytes32 decisionDigest
    );

    /// @notice Order `orderId` passed its deadline unmatched; `by` expired it and `amount` of `asset` went back to
    /// pool `poolId`.
    event OrderExpired(bytes32 indexed orderId, uint256 indexed poolId, uint256 asset, uint256 amount, address by);

    /// @notice Order `orderId` was cancelled by `by` (its issuing bank, its charity, or another bank or the consortium
    /// once the issuing bank lost its role) before either party signed:
    /// `amount` of `asset` went back to pool `poolId`. Final.
    event OrderCancelled(
        bytes32 indexed orderId, uint256 indexed poolId, uint256 asset, uint256 amount, address indexed by
    );

    /// @notice The regulator `regulator` froze order `orderId` under dispute (`reasonDigest`).
    event OrderFrozen(bytes32 indexed orderId, address indexed regulator, bytes32 reasonDigest);

    /// @notice The regulator `regulator` decided the dispute on order `orderId` for a refund (`decisionDigest`):
    /// `amount` of `asset` went back to pool `poolId`. Final.
    event OrderRefunded(
        bytes32 indexed orderId,
        uint256 indexed poolId,
        uint256 asset,
        uint256 amount,
        address indexed regulator,
        bytes32 decisionDigest
    );

    /// @notice `account` lacks the consortium role `neededRole`.
    error OrderUnauthorized(address account, bytes32 neededRole);

    /// @notice The zero address was given for a contract this escrow needs.
    error OrderZeroAddress();

    /// @notice The order id `given` is not `keccak256(abi.encode(bank, nonce))` = `expected`.
    error OrderIdInvalid(bytes32 given, bytes32 expected);

    /// @notice The order names `bank` as its issuer, but `sender` is issuing it.
    error OrderIssuerMismatch(address bank, address sender);

    /// @notice `account` is the charity, payee or issuing bank of order `orderId`, so it cannot decide about it
    /// (separation of duties).
    error OrderDecidedByParty(bytes32 orderId, address account);

    /// @notice Order `orderId` was already issued.
    error OrderAlreadyIssued(bytes32 orderId);

    /// @notice An order's amount must not be zero.
    error OrderAmountZero();

    /// @notice The deadline `deadline` is not after the current block time.
    error OrderDeadlineInPast(uint64 deadline);

    /// @notice `payee` is a `kind`; only a Supplier, Hospital or Logistics firm can be paid by an order.
    error OrderPayeeKindNotAllowed(address payee, InstitutionKind kind);

    /// @notice `account` is not an active institution of the registry.
    error OrderPartyNotActive(address account);

    /// @notice The order names `charity`, but pool `poolId` belongs to `poolCharity`.
    error OrderCharityNotPoolCharity(uint256 poolId, address charity, address poolCharity);

    /// @notice No order `orderId` was issued.
    error OrderUnknown(bytes32 orderId);

    /// @notice Order `orderId` is `status`: it is final and accepts nothing more.
    error OrderClosed(bytes32 orderId, OrderStatus status);

    /// @notice Order `orderId` is frozen under dispute: only the regulator's decision moves it.
    error OrderFrozenUnderDispute(bytes32 orderId);

    /// @notice Order `orderId` is not under dispute (it is `status`).
    error OrderNotDisputed(bytes32 orderId, OrderStatus status);

    /// @notice The order `orderId`'s deadline `deadline` has passed: nothing is matched any more, it can only be
    /// expired.
    error OrderDeadlinePassed(bytes32 orderId, uint64 deadline);

    /// @notice Order `orderId`'s deadline `deadline` has not passed yet.
    error OrderNotExpired(bytes32 orderId, uint64 deadline);

    /// @notice The presented order of `orderId` (digest `presented`) is not the committed one (`commitment`).
    error OrderDigestMismatch(bytes32 orderId, bytes29 commitment, bytes32 presented);

    /// @notice The `party` signature on order `orderId` is missing.
    error OrderSignatureMissing(bytes32 orderId, OrderParty party);

    /// @notice The `party` signature on order `orderId` is malformed (it recovers no address).
    error OrderSignatureInvalid(bytes32 orderId, OrderParty party);

    /// @notice A signature on order `orderId` recovered to `signer`, which is not the party its copy names
    /// (`party`, the zero address when the copy names no such signer).
    error OrderSignerNotParty(bytes32 orderId, address signer, address party);

    /// @notice `party` already submitted its matching signature on order `orderId`.
    error OrderAlreadySigned(bytes32 orderId, OrderParty party);

    /// @notice `account` is not the payee of order `orderId`.
    error OrderNotPayee(bytes32 orderId, address account);

    /// @notice `account` is neither the bank that issued order `orderId` (still holding the BANK role) nor its
    /// charity, nor (once the issuer lost its role) another bank or the consortium, so it cannot cancel it.
    error OrderNotIssuerOrCharity(bytes32 orderId, address account);

    /// @notice A bank issues payment order `order`: its digest is committed and its amount is set aside in the
    /// pool for it (S302, S303).
    /// @dev Only a BANK, named as `order.bank` ({OrderIssuerMismatch}) and neither the order's charity nor its payee
    /// ({OrderDecidedByParty}). `order.orderId` must be `keccak256(abi.encode(msg.sender, order.nonce))` and new;
    /// the payee an active Supplier, Hospital or Logistics institution; the charity the pool's charity and active;
    /// the deadline in the future and at most the plan's deadline plus the order window
    /// ({IWelfarePools-PoolOrderDeadlineTooLate}). The pool must hold the amount
    /// ({IWelfarePools-PoolInsufficientBalance}). Emits {OrderIssued} here and {IWelfarePools-OrderFundsLocked} in
    /// the pools.
    /// @param order The order.
    /// @return digest The committed EIP-712 digest.
    function issue(PaymentOrder calldata order) external returns (bytes32 digest);

    /// @notice Submits the payee's and the charity's signed copies of order `orderId` in one transaction (S304):
    /// when both match the committed order the payee is paid (S305), otherwise the mismatch is recorded.
    /// @dev Anyone may submit (the matching service does). Reverts with a named error, changing nothing, when the
    /// order is unknown, final, frozen or past its deadline, when a signature is missing or malformed, when a
    /// signer is not the party its copy names ({OrderSignerNotParty}: e.g. a key that is not the registered
    /// party) or is not an active institution ({OrderPartyNotActive}), or when a copy's deadline has passed
    /// ({OrderDeadlinePassed}; a matching copy carries the committed deadline). When both signers are right but a
    /// digest differs from the committed one, nothing moves, the mismatch is stored and {OrderMismatchRecorded} is
    /// emitted (the call succeeds so that the evidence persists). On a match the pools pay the payee only if the
    /// charity, the payee and the issuing bank are active ({IWelfarePools-PoolCharityNotActive},
    /// {IWelfarePools-PoolPayeeNotActive}, {IWelfarePools-PoolBankNotActive}); then emits {OrderReleased}.
    /// @param orderId The order being settled.
    /// @param payeeCopy The payee's copy (the second order).
    /// @param payeeSignature The payee's EIP-712 signature over its copy (65 bytes).
    /// @param charityCopy The charity's copy (the third order).
    /// @param charitySignature The charity's EIP-712 signature over its copy (65 bytes).
    /// @return released Whether the order was paid (false: a mismatch was recorded).
    function settle(
        bytes32 orderId,
        PaymentOrder calldata payeeCopy,
        bytes calldata payeeSignature,
        PaymentOrder calldata charityCopy,
        bytes calldata charitySignature
    ) external returns (bool released);

    /// @notice Submits one party's signed copy of order `orderId`; the second matching signature pays the payee.
    /// @dev Anyone may submit. The signer must be the `party` the copy names (its payee or its charity); same
    /// checks as {settle}. A matching signature is remembered (emits {OrderSigned}) until the other one arrives
    /// (then emits {OrderReleased}); a differing copy is recorded ({OrderMismatchRecorded}); a party's second
    /// matching signature reverts {OrderAlreadySigned}. The signature that completes the match reverts, changing
    /// nothing, if the charity, the payee or the issuing bank is no longer active (for example suspended since it
    /// signed): {IWelfarePools-PoolCharityNotActive}, {IWelfarePools-PoolPayeeNotActive} or
    /// {IWelfarePools-PoolBankNotActive}.
    /// @param orderId The order.
    /// @param party Whose copy this is.
    /// @param copy The party's copy.
    /// @param signature The party's EIP-712 signature over its copy.
    /// @return released Whether this signature completed the match and the payee was paid.
    function submitSignature(bytes32 orderId, OrderParty party, PaymentOrder calldata copy, bytes calldata signature)
        external
        returns (bool released);

    /// @notice The payee of issued order `order` records the goods it bought for it: a lot of `quantity` of
    /// `goodsType`, held by the payee, is opened in the resource tracker for the order's pool (source Purchase,
    /// reference the order id). The payee then records the custody checkpoints there, up to the beneficiary's
    /// sign-off.
    /// @dev Only the order's payee, while the order is Issued; `order` must be the committed order. This escrow
    /// must be a lot source of the tracker. Emits {IResourceTracker-LotOpened} in the tracker.
    /// @param order The committed order.
    /// @param goodsType The goods type.
    /// @param quantity The quantity.
    /// @return lotId The lot.
    function openPurchaseLot(PaymentOrder calldata order, bytes32 goodsType, uint256 quantity)
        external
        returns (uint256 lotId);

    /// @notice Expires issued order `order` after its deadline: the amount goes back to the pool.
    /// @dev Anyone may call; the order must be Issued (not frozen) and past its deadline, and `order` must be the
    /// committed order. Emits {OrderExpired} here and {IWelfarePools-OrderFundsReturned} in the pools.
    /// @param order The committed order (from {OrderIssued}).
    function expire(PaymentOrder calldata order) external;

    /// @notice Cancels issued order `order` before either party has signed: the amount goes back to the pool.
    /// @dev Only the bank that issued it (`order.bank`, still a BANK), the order's charity, or, once the issuing bank
    /// no longer holds BANK_ROLE, any other bank that is not the order's payee ({OrderDecidedByParty}) or the
    /// consortium (DEFAULT_ADMIN_ROLE); else {OrderNotIssuerOrCharity}. The order must be Issued (not frozen: the
    /// regulator decides those; not final), `order` the committed order, and neither party's matching signature
    /// submitted yet ({OrderAlreadySigned}). Allowed before or after the deadline. Final: afterwards every action
    /// on the order reverts {OrderClosed}. Emits {OrderCancelled} here and {IWelfarePools-OrderFundsReturned} in
    /// the pools.
    /// @param order The committed order (from {OrderIssued}).
    function cancel(PaymentOrder calldata order) external;

    /// @notice The regulator freezes issued order `orderId` under dispute: nothing moves until it decides.
    /// @dev Only a REGULATOR; the order must be Issued (a frozen order does not expire). Emits {OrderFrozen}.
    /// @param orderId The order.
    /// @param reasonDigest Digest of the dispute file.
    function freeze(bytes32 orderId, bytes32 reasonDigest) external;

    /// @notice The regulator decides the dispute on frozen order `order`: pay the payee, or refund the pool.
    /// @dev Only a REGULATOR that is not the order's charity, payee or issuing bank ({OrderDecidedByParty}); the
    /// order must be Disputed and `order` the committed order. The decision is final: afterwards every action on the
    /// order reverts {OrderClosed}. A release is a payment like any other: the charity, the payee and the issuing
    /// bank must be active (a refund needs nobody's standing). Emits {OrderReleased} or {OrderRefunded}.
    /// @param order The committed order.
    /// @param release True to pay the payee, false to refund the pool.
    /// @param decisionDigest Digest of the decision document.
    function resolveDispute(PaymentOrder calldata order, bool release, bytes32 decisionDigest) external;

    /// @notice The EIP-712 digest of `order` under this escrow's domain: what the bank commits and parties sign.
    /// @param order The order.
    /// @return The digest.
    function hashOrder(PaymentOrder calldata order) external view returns (bytes32);

    /// @notice The order id a bank's order with `nonce` must carry.
    /// @param bank The issuing bank.
    /// @param nonce The bank's nonce.
    /// @return `keccak256(abi.encode(bank, nonce))`.
    function orderIdFor(address bank, uint256 nonce) external pure returns (bytes32);

    /// @notice The stored order `orderId`.
    /// @param orderId The order.
    /// @return The record (status None if unknown).
    function orderOf(bytes32 orderId) external view returns (OrderRecord memory);

    /// @notice The latest mismatch recorded for order `orderId`.
    /// @param orderId The order.
    /// @return The mismatch (count zero if none).
    function mismatchOf(bytes32 orderId) external view returns (Mismatch memory);

    /// @notice The EIP-712 domain separator of this escrow.
    /// @return The separator.
    function domainSeparator() external view returns (bytes32);

    /// @notice The pools that hold the value of this escrow's orders.
    /// @return The pools contract.
    function pools() external view returns (IWelfarePools);

    /// @notice The resource tracker purchase lots are opened in.
    /// @return The tracker.
    function tracker() external view returns (IResourceTracker);

    /// @notice The registry the parties are checked against.
    /// @return The registry.
    function registry() external view returns (IInstitutionRegistry);

    /// @notice The consortium whose roles govern this escrow.
    /// @return The consortium.
    function consortium() external view returns (IConsortium);
}
