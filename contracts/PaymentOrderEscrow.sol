// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {IInstitutionRegistry, InstitutionKind} from "./interfaces/IInstitutionRegistry.sol";
import {IPaymentOrderEscrow, OrderParty, OrderStatus} from "./interfaces/IPaymentOrderEscrow.sol";
import {IResourceTracker, LotSource} from "./interfaces/IResourceTracker.sol";
import {IWelfarePools} from "./interfaces/IWelfarePools.sol";

/// @title PaymentOrderEscrow
/// @notice Commits issued payment orders and has the pools pay a registered third party only when its copy of
/// the order and the charity's copy match the order the bank committed (S301-S305).
/// @dev Storage per order is one slot ({OrderRecord}: a 29-byte prefix of the committed digest, the status and
/// the two signed flags): the order's fields are in {OrderIssued} and are taken from a presented copy once its
/// digest matches the commitment. This contract never holds value: the pools keep custody, setting it aside
/// ({IWelfarePools-lockForOrder}), paying the payee ({IWelfarePools-payOrder}) or taking it back into the
/// balance ({IWelfarePools-returnFromOrder}) on this contract's instruction. Every path that ends an order sets
/// the final status first (checks, effects, interactions) and is `nonReentrant`.
contract PaymentOrderEscrow is IPaymentOrderEscrow, EIP712, ERC165, ReentrancyGuardTransient {
    /// @notice The EIP-712 type hash of {PaymentOrder}.
    bytes32 public constant PAYMENT_ORDER_TYPEHASH = keccak256(
        "PaymentOrder(bytes32 orderId,uint256 poolId,address charity,address payee,uint256 asset,uint256 amount,"
        "bytes32 purposeDigest,uint64 deadline,uint256 nonce,address bank)"
    );

    IWelfarePools private immutable _pools;
    IConsortium private immutable _consortium;
    IInstitutionRegistry private immutable _registry;
    IResourceTracker private immutable _tracker;

    mapping(bytes32 orderId => OrderRecord) private _orders;
    mapping(bytes32 orderId => Mismatch) private _mismatches;

    /// @notice Creates the escrow of `pools_`, taking the consortium, registry, tracker and tokens from it.
    /// @dev The consortium admin must then make it the pools' escrow ({IWelfarePools-setEscrow}) and a lot source
    /// of the tracker. It holds no tokens, so it need not be allow-listed.
    /// @param pools_ The welfare pools.
    constructor(IWelfarePools pools_) EIP712("PaymentOrderEscrow", "1") {
        if (address(pools_) == address(0)) revert OrderZeroAddress();
        _pools = pools_;
        _consortium = pools_.consortium();
        _registry = pools_.registry();
        _tracker = pools_.tracker();
    }

    // ------------------------------------------------------------------ issuance

    /// @inheritdoc IPaymentOrderEscrow
    function issue(PaymentOrder calldata order) external nonReentrant returns (bytes32 digest) {
        _requireRole(ConsortiumRoles.BANK_ROLE);
        if (order.bank != msg.sender) revert OrderIssuerMismatch(order.bank, msg.sender);
        bytes32 orderId = order.orderId;
        bytes32 expectedId = _orderIdFor(msg.sender, order.nonce);
        if (orderId != expectedId) revert OrderIdInvalid(orderId, expectedId);
        if (msg.sender == order.charity || msg.sender == order.payee) revert OrderDecidedByParty(orderId, msg.sender);
        OrderRecord storage record = _orders[orderId];
        if (record.status != OrderStatus.None) revert OrderAlreadyIssued(orderId);
        if (order.amount == 0) revert OrderAmountZero();
        if (order.deadline <= block.timestamp) revert OrderDeadlineInPast(order.deadline);
        _requireEligiblePayee(order.payee);

        digest = _hashOrder(order);
        record.commitment = bytes29(digest);
        record.status = OrderStatus.Issued;
        emit OrderIssued(
            orderId,
            order.poolId,
            order.payee,
            order.charity,
            msg.sender,
            order.asset,
            order.amount,
            order.purposeDigest,
            order.deadline,
            order.nonce,
            digest
        );
        // The pools check the plan, its charity's standing, the bank's and the deadline's bound as they set the value
        // aside, and name the plan's charity, which the order must name too.
        address poolCharity =
            _pools.lockForOrder(order.poolId, orderId, order.asset, order.amount, msg.sender, order.deadline);
        if (order.charity != poolCharity) revert OrderCharityNotPoolCharity(order.poolId, order.charity, poolCharity);
    }

    // ------------------------------------------------------------------ matching

    /// @inheritdoc IPaymentOrderEscrow
    function settle(
        bytes32 orderId,
        PaymentOrder calldata payeeCopy,
        bytes calldata payeeSignature,
        PaymentOrder calldata charityCopy,
        bytes calldata charitySignature
    ) external nonReentrant returns (bool released) {
        OrderRecord storage record = _orders[orderId];
        _requireIssued(orderId, record.status);
        _requireBeforeDeadline(orderId, payeeCopy);
        _requireBeforeDeadline(orderId, charityCopy);
        bytes32 payeeDigest = _hashOrder(payeeCopy);
        _requireSigner(orderId, payeeDigest, payeeSignature, OrderParty.Payee, payeeCopy.payee);
        bytes32 charityDigest = _hashOrder(charityCopy);
        _requireSigner(orderId, charityDigest, charitySignature, OrderParty.Charity, charityCopy.charity);

        bytes29 commitment = record.commitment;
        if (bytes29(payeeDigest) != commitment || bytes29(charityDigest) != commitment) {
            _recordMismatch(orderId, commitment, payeeDigest, charityDigest);
            return false;
        }
        _release(orderId, record, payeeCopy, bytes32(0));
        return true;
    }

    /// @inheritdoc IPaymentOrderEscrow
    function submitSignature(bytes32 orderId, OrderParty party, PaymentOrder calldata copy, bytes calldata signature)
        external
        nonReentrant
        returns (bool released)
    {
        OrderRecord storage record = _orders[orderId];
        _requireIssued(orderId, record.status);
        _requireBeforeDeadline(orderId, copy);
        bytes32 digest = _hashOrder(copy);
        address signer = party == OrderParty.Payee ? copy.payee : copy.charity;
        _requireSigner(orderId, digest, signature, party, signer);

        bytes29 commitment = record.commitment;
        if (bytes29(digest) != commitment) {
            if (party == OrderParty.Payee) _recordMismatch(orderId, commitment, digest, bytes32(0));
            else _recordMismatch(orderId, commitment, bytes32(0), digest);
            return false;
        }
        bool otherSigned;
        if (party == OrderParty.Payee) {
            if (record.payeeSigned) revert OrderAlreadySigned(orderId, party);
            otherSigned = record.charitySigned;
        } else {
            if (record.charitySigned) revert OrderAlreadySigned(orderId, party);
            otherSigned = record.payeeSigned;
        }
        if (otherSigned) {
            _release(orderId, record, copy, bytes32(0));
            return true;
        }
        if (party == OrderParty.Payee) record.payeeSigned = true;
        else record.charitySigned = true;
        emit OrderSigned(orderId, party, signer, msg.sender);
        return false;
    }

    // ------------------------------------------------------------------ fulfilment

    /// @inheritdoc IPaymentOrderEscrow
    function openPurchaseLot(PaymentOrder calldata order, bytes32 goodsType, uint256 quantity)
        external
        returns (uint256 lotId)
    {
        bytes32 orderId = order.orderId;
        OrderRecord storage record = _orders[orderId];
        _requireIssued(orderId, record.status);
        _requireCommitted(orderId, record, order);
        if (msg.sender != order.payee) revert OrderNotPayee(orderId, msg.sender);

        lotId = _tracker.openLot(order.poolId, LotSource.Purchase, orderId, goodsType, quantity, order.payee);
    }

    // ------------------------------------------------------------------ expiry and disputes

    /// @inheritdoc IPaymentOrderEscrow
    function expire(PaymentOrder calldata order) external nonReentrant {
        bytes32 orderId = order.orderId;
        OrderRecord storage record = _orders[orderId];
        _requireIssued(orderId, record.status);
        _requireCommitted(orderId, record, order);
        if (block.timestamp <= order.deadline) revert OrderNotExpired(orderId, order.deadline);

        record.status = OrderStatus.Expired;
        emit OrderExpired(orderId, order.poolId, order.asset, order.amount, msg.sender);
        _pools.returnFromOrder(order.poolId, orderId, order.asset, order.amount);
    }

    /// @inheritdoc IPaymentOrderEscrow
    function cancel(PaymentOrder calldata order) external nonReentrant {
        bytes32 orderId = order.orderId;
        OrderRecord storage record = _orders[orderId];
        _requireIssued(orderId, record.status);
        _requireCommitted(orderId, record, order);
        _requireCanceller(orderId, order);
        if (record.payeeSigned) revert OrderAlreadySigned(orderId, OrderParty.Payee);
        if (record.charitySigned) revert OrderAlreadySigned(orderId, OrderParty.Charity);

        record.status = OrderStatus.Cancelled;
        emit OrderCancelled(orderId, order.poolId, order.asset, order.amount, msg.sender);
        _pools.returnFromOrder(order.poolId, orderId, order.asset, order.amount);
    }

    /// @inheritdoc IPaymentOrderEscrow
    function freeze(bytes32 orderId, bytes32 reasonDigest) external {
        _requireRole(ConsortiumRoles.REGULATOR_ROLE);
        OrderRecord storage record = _orders[orderId];
        _requireIssued(orderId, record.status);

        record.status = OrderStatus.Disputed;
        emit OrderFrozen(orderId, msg.sender, reasonDigest);
    }

    /// @inheritdoc IPaymentOrderEscrow
    function resolveDispute(PaymentOrder calldata order, bool release, bytes32 decisionDigest) external nonReentrant {
        _requireRole(ConsortiumRoles.REGULATOR_ROLE);
        bytes32 orderId = order.orderId;
        OrderRecord storage record = _orders[orderId];
        OrderStatus status = record.status;
        if (status != OrderStatus.Disputed) {
            if (status == OrderStatus.None) revert OrderUnknown(orderId);
            if (status == OrderStatus.Issued) revert OrderNotDisputed(orderId, status);
            revert OrderClosed(orderId, status);
        }
        _requireCommitted(orderId, record, order);
        if (msg.sender == order.charity || msg.sender == order.payee || msg.sender == order.bank) {
            revert OrderDecidedByParty(orderId, msg.sender);
        }

        if (release) {
            _release(orderId, record, order, decisionDigest);
            return;
        }
        record.status = OrderStatus.Refunded;
        emit OrderRefunded(orderId, order.poolId, order.asset, order.amount, msg.sender, decisionDigest);
        _pools.returnFromOrder(order.poolId, orderId, order.asset, order.amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IPaymentOrderEscrow
    function hashOrder(PaymentOrder calldata order) external view returns (bytes32) {
        return _hashOrder(order);
    }

    /// @inheritdoc IPaymentOrderEscrow
    function orderIdFor(address bank, uint256 nonce) external pure returns (bytes32) {
        return _orderIdFor(bank, nonce);
    }

    /// @inheritdoc IPaymentOrderEscrow
    function orderOf(bytes32 orderId) external view returns (OrderRecord memory) {
        return _orders[orderId];
    }

    /// @inheritdoc IPaymentOrderEscrow
    function mismatchOf(bytes32 orderId) external view returns (Mismatch memory) {
        return _mismatches[orderId];
    }

    /// @inheritdoc IPaymentOrderEscrow
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IPaymentOrderEscrow
    function pools() external view returns (IWelfarePools) {
        return _pools;
    }

    /// @inheritdoc IPaymentOrderEscrow
    function tracker() external view returns (IResourceTracker) {
        return _tracker;
    }

    /// @inheritdoc IPaymentOrderEscrow
    function registry() external view returns (IInstitutionRegistry) {
        return _registry;
    }

    /// @inheritdoc IPaymentOrderEscrow
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @notice Whether this contract implements the interface `interfaceId` (ERC-165).
    /// @dev IPaymentOrderEscrow and ERC-165.
    /// @param interfaceId The ERC-165 interface identifier.
    /// @return True if the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override(ERC165, IERC165) returns (bool) {
        return interfaceId == type(IPaymentOrderEscrow).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The one place an order's value is paid to its payee (by the pools). `order` has been checked against
    /// the commitment. The pools check, as they pay, that the charity, the payee and the issuing bank are still
    /// active: any of them may have lost its standing since the order was issued or signed.
    function _release(bytes32 orderId, OrderRecord storage record, PaymentOrder calldata order, bytes32 decisionDigest)
        private
    {
        record.status = OrderStatus.Released;
        emit OrderReleased(orderId, order.poolId, order.payee, order.asset, order.amount, msg.sender, decisionDigest);
        _pools.payOrder(order.poolId, orderId, order.asset, order.amount, order.payee, order.bank);
    }

    /// @dev The issuing bank (still a bank) or the charity may cancel; once the issuing bank has lost its role the
    /// order has no issuer to act for it, so any other bank that is not its payee, or the consortium, may.
    function _requireCanceller(bytes32 orderId, PaymentOrder calldata order) private view {
        address issuer = order.bank;
        if (msg.sender == order.charity) return;
        bool issuerIsBank = _consortium.hasRole(ConsortiumRoles.BANK_ROLE, issuer);
        if (msg.sender == issuer && issuerIsBank) return;
        if (
            !issuerIsBank
                && (
                    _consortium.hasRole(ConsortiumRoles.BANK_ROLE, msg.sender)
                        || _consortium.hasRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, msg.sender)
                )
        ) {
            if (msg.sender == order.payee) revert OrderDecidedByParty(orderId, msg.sender);
            return;
        }
        revert OrderNotIssuerOrCharity(orderId, msg.sender);
    }

    function _recordMismatch(bytes32 orderId, bytes29 commitment, bytes32 payeeDigest, bytes32 charityDigest) private {
        Mismatch storage mismatch = _mismatches[orderId];
        uint32 count = mismatch.count + 1;
        mismatch.payeeDigest = payeeDigest;
        mismatch.charityDigest = charityDigest;
        mismatch.count = count;
        emit OrderMismatchRecorded(orderId, commitment, payeeDigest, charityDigest, msg.sender, count);
    }

    /// @dev A copy that matches carries the committed deadline, so checking each presented copy's deadline is
    /// checking the order's; a differing copy with a later deadline can at most be recorded as a mismatch.
    function _requireBeforeDeadline(bytes32 orderId, PaymentOrder calldata copy) private view {
        if (block.timestamp > copy.deadline) revert OrderDeadlinePassed(orderId, copy.deadline);
    }

    function _requireIssued(bytes32 orderId, OrderStatus status) private pure {
        if (status != OrderStatus.Issued) {
            if (status == OrderStatus.None) revert OrderUnknown(orderId);
            if (status == OrderStatus.Disputed) revert OrderFrozenUnderDispute(orderId);
            revert OrderClosed(orderId, status);
        }
    }

    function _requireCommitted(bytes32 orderId, OrderRecord storage record, PaymentOrder calldata order)
        private
        view
    {
        bytes32 presented = _hashOrder(order);
        if (bytes29(presented) != record.commitment) revert OrderDigestMismatch(orderId, record.commitment, presented);
    }

    /// @dev `signature` over `digest` must recover to `party`, which must be an active institution.
    function _requireSigner(bytes32 orderId, bytes32 digest, bytes calldata signature, OrderParty role, address party)
        private
        view
    {
        if (signature.length == 0) revert OrderSignatureMissing(orderId, role);
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signature);
        if (error != ECDSA.RecoverError.NoError) revert OrderSignatureInvalid(orderId, role);
        if (signer != party) revert OrderSignerNotParty(orderId, signer, party);
        if (!_registry.isActive(signer)) revert OrderPartyNotActive(signer);
    }

    function _requireEligiblePayee(address payee) private view {
        InstitutionKind kind = _registry.kindOf(payee);
        if (kind != InstitutionKind.Supplier && kind != InstitutionKind.Hospital && kind != InstitutionKind.Logistics)
        {
            revert OrderPayeeKindNotAllowed(payee, kind);
        }
        if (!_registry.isActive(payee)) revert OrderPartyNotActive(payee);
    }

    function _requireRole(bytes32 role) private view {
        if (!_consortium.hasRole(role, msg.sender)) revert OrderUnauthorized(msg.sender, role);
    }

    function _hashOrder(PaymentOrder calldata order) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PAYMENT_ORDER_TYPEHASH, order)));
    }

    function _orderIdFor(address bank, uint256 nonce) private pure returns (bytes32) {
        return keccak256(abi.encode(bank, nonce));
    }
}
