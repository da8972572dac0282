// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {IInstitutionRegistry, InstitutionKind, InstitutionStatus} from "./interfaces/IInstitutionRegistry.sol";

/// @title InstitutionRegistry
/// @notice Institutions apply with their certificates' digests; oracles attest their government-registry
/// records (k of n signatures); a member bank audits; the regulator suspends. Other contracts ask
/// {isActive} or {requireActive}.
/// @dev Roles and the allow-list come from the consortium. Attestations are EIP-712 typed data under
/// the domain ("InstitutionRegistry", "1", chain id, this contract), so an oracle operator can sign
/// them with an ordinary wallet; an attestation's id is its EIP-712 digest.
contract InstitutionRegistry is IInstitutionRegistry, EIP712 {
    /// @notice The EIP-712 type hash of {RegistryAttestation}.
    bytes32 public constant REGISTRY_ATTESTATION_TYPEHASH = keccak256(
        "RegistryAttestation(bytes32 creditCodeHash,bytes32 recordDigest,uint64 observedAt,uint64 expiresAt)"
    );

    /// @notice The most certificate digests one application may carry.
    uint256 public constant MAX_CERTIFICATES = 16;

    uint256 private constant _ENCRYPTION_KEY_LENGTH = 64;

    IConsortium private immutable _consortium;
    uint8 private _threshold;

    mapping(address account => Institution) private _institutions;
    mapping(address account => bytes key) private _encryptionKeys;
    mapping(bytes32 attestationId => RecordedAttestation) private _attestations;
    mapping(bytes32 creditCodeHash => bytes32 attestationId) private _latestAttestations;
    mapping(bytes32 creditCodeHash => address account) private _holders;
    mapping(bytes32 creditCodeHash => CreditGrade) private _creditGrades;
    mapping(bytes32 attestationId => mapping(address oracle => bool signed)) private _signers;

    /// @notice Creates the registry of `consortium_`, accepting attestations with `threshold` oracle signatures.
    /// @param consortium_ The consortium whose roles and allow-list govern the registry.
    /// @param threshold The k of k-of-n oracle signatures.
    constructor(IConsortium consortium_, uint8 threshold) EIP712("InstitutionRegistry", "1") {
        if (address(consortium_) == address(0)) revert InstitutionRegistryZeroAddress();
        if (threshold == 0) revert RegistryAttestationThresholdInvalid(threshold);
        _consortium = consortium_;
        _threshold = threshold;
        emit AttestationThresholdChanged(0, threshold);
    }

    // ------------------------------------------------------------------ institutions

    /// @inheritdoc IInstitutionRegistry
    function applyForRegistration(
        InstitutionKind kind,
        bytes32[] calldata certificateDigests,
        bytes32 keyInfoHash,
        bytes calldata encryptionKey
    ) external {
        address account = msg.sender;
        if (!_consortium.isAllowed(account)) revert InstitutionAccountNotAllowed(account);
        if (kind == InstitutionKind.None) revert InstitutionKindInvalid();
        _checkCertificates(certificateDigests);
        if (keyInfoHash == bytes32(0)) revert InstitutionKeyInfoHashMissing();
        _checkEncryptionKey(account, encryptionKey);

        Institution storage institution = _institutions[account];
        if (institution.status == InstitutionStatus.Pending) revert InstitutionApplicationPending(account);
        if (institution.status == InstitutionStatus.Approved && !institution.flagged && !_expired(institution)) {
            revert InstitutionAlreadyApproved(account);
        }

        bytes32 applicationDigest = keccak256(abi.encode(account, kind, certificateDigests, keyInfoHash));
        _release(account, institution.creditCodeHash);
        institution.kind = kind;
        institution.status = InstitutionStatus.Pending;
        institution.flagged = false;
        institution.ruleVersion = 0;
        institution.appliedAt = uint64(block.timestamp);
        institution.expiresAt = 0;
        institution.keyInfoHash = keyInfoHash;
        institution.applicationDigest = applicationDigest;
        institution.attestationId = bytes32(0);
        institution.creditCodeHash = bytes32(0);
        institution.certificateDigests = certificateDigests;
        if (_encryptionKeys[account].length == 0) _encryptionKeys[account] = encryptionKey;
        emit InstitutionApplied(account, kind, certificateDigests, keyInfoHash, encryptionKey, applicationDigest);
    }

    /// @inheritdoc IInstitutionRegistry
    function audit(address account, AuditDecision calldata decision) external {
        address bank = msg.sender;
        _requireRole(ConsortiumRoles.BANK_ROLE, bank);
        if (bank == account) revert InstitutionSelfAudit(account);
        Institution storage institution = _institutions[account];
        _requireAwaitingAudit(account, institution);
        if (decision.applicationDigest != institution.applicationDigest) {
            revert InstitutionApplicationChanged(account, institution.applicationDigest, decision.applicationDigest);
        }

        bytes32 creditCodeHash;
        if (decision.attestationId != bytes32(0) || decision.passed) {
            creditCodeHash = _requireRecorded(decision.attestationId).attestation.creditCodeHash;
            _requireCountsWithout(decision.attestationId, account);
        }
        _release(account, institution.creditCodeHash);
        if (decision.passed) {
            _checkApproval(account, decision, creditCodeHash);
            institution.status = InstitutionStatus.Approved;
            institution.expiresAt = decision.expiresAt;
            _holders[creditCodeHash] = account;
        } else {
            if (decision.reasonCodes.length == 0) revert InstitutionRejectionWithoutReason(account);
            institution.status = InstitutionStatus.Rejected;
            institution.expiresAt = 0;
        }
        institution.flagged = false;
        institution.ruleVersion = decision.ruleVersion;
        institution.attestationId = decision.attestationId;
        institution.creditCodeHash = creditCodeHash;
        emit InstitutionAudited(
            account,
            bank,
            decision.attestationId,
            decision.applicationDigest,
            creditCodeHash,
            decision.passed,
            decision.ruleVersion,
            institution.expiresAt,
            decision.reasonCodes
        );
    }

    /// @inheritdoc IInstitutionRegistry
    function suspend(address account, bytes32 reasonCode) external {
        _requireRole(ConsortiumRoles.REGULATOR_ROLE, msg.sender);
        if (msg.sender == account) revert InstitutionSelfDecision(account);
        Institution storage institution = _requireKnown(account);
        if (institution.suspended) revert InstitutionAlreadySuspended(account);

        institution.suspended = true;
        emit InstitutionSuspended(account, msg.sender, reasonCode);
    }

    /// @inheritdoc IInstitutionRegistry
    function reinstate(address account) external {
        _requireRole(ConsortiumRoles.REGULATOR_ROLE, msg.sender);
        if (msg.sender == account) revert InstitutionSelfDecision(account);
        Institution storage institution = _requireKnown(account);
        if (!institution.suspended) revert InstitutionNotSuspended(account);

        institution.suspended = false;
        emit InstitutionReinstated(account, msg.sender);
    }

    /// @inheritdoc IInstitutionRegistry
    function flag(address account, bytes32 attestationId, bytes32 reasonCode) external {
        _requireRole(ConsortiumRoles.ORACLE_ROLE, msg.sender);
        Institution storage institution = _requireKnown(account);
        if (institution.status != InstitutionStatus.Approved) revert InstitutionNotApproved(account);
        if (institution.flagged) revert InstitutionAlreadyFlagged(account);
        RegistryAttestation storage audited = _attestations[institution.attestationId].attestation;
        RegistryAttestation storage observed = _requireRecorded(attestationId).attestation;
        if (observed.creditCodeHash != institution.creditCodeHash) {
            revert RegistryAttestationNotForInstitution(account, institution.creditCodeHash, observed.creditCodeHash);
        }
        if (observed.observedAt <= audited.observedAt) revert RegistryAttestationStale(account, attestationId);
        if (observed.recordDigest == audited.recordDigest) {
            revert InstitutionRecordUnchanged(account, audited.recordDigest);
        }
        _requireCountsWithout(attestationId, account);

        institution.flagged = true;
        emit InstitutionFlagged(account, msg.sender, attestationId, reasonCode);
    }

    // ------------------------------------------------------------------ attestations

    /// @inheritdoc IInstitutionRegistry
    function attest(RegistryAttestation calldata attestation, bytes[] calldata signatures)
        external
        returns (bytes32 attestationId)
    {
        address[] memory signers;
        (attestationId, signers) = _verify(attestation, signatures);
        if (_attestations[attestationId].recordedAt != 0) revert RegistryAttestationAlreadyRecorded(attestationId);
        // A re-attestation of an approved institution's record: its holder's own signature does not count.
        address holder = _holders[attestation.creditCodeHash];
        mapping(address => bool) storage signed = _signers[attestationId];
        uint256 others = signers.length;
        for (uint256 i = 0; i < signers.length; ++i) {
            signed[signers[i]] = true;
            if (signers[i] == holder) --others;
        }
        if (others < _threshold) revert RegistryAttestationSignedBySubject(attestationId, holder);

        _attestations[attestationId] = RecordedAttestation({
            attestation: attestation,
            recordedAt: uint64(block.timestamp),
            signerCount: uint16(signers.length)
        });
        bytes32 latest = _latestAttestations[attestation.creditCodeHash];
        if (latest == bytes32(0) || _attestations[latest].attestation.observedAt < attestation.observedAt) {
            _latestAttestations[attestation.creditCodeHash] = attestationId;
        }
        emit RegistryAttested(
            attestationId,
            attestation.creditCodeHash,
            attestation.recordDigest,
            attestation.observedAt,
            attestation.expiresAt,
            signers
        );
    }

    /// @inheritdoc IInstitutionRegistry
    function setAttestationThreshold(uint8 threshold) external {
        _requireRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, msg.sender);
        if (threshold == 0 || threshold > _consortium.getRoleMemberCount(ConsortiumRoles.ORACLE_ROLE)) {
            revert RegistryAttestationThresholdInvalid(threshold);
        }

        uint8 previous = _threshold;
        _threshold = threshold;
        emit AttestationThresholdChanged(previous, threshold);
    }

    // ------------------------------------------------------------------ enterprises

    /// @inheritdoc IInstitutionRegistry
    function attestCreditGrade(bytes32 creditCodeHash, bytes32 grade, bytes32 evidenceDigest) external {
        _requireRole(ConsortiumRoles.BANK_ROLE, msg.sender);
        if (creditCodeHash == bytes32(0) || grade == bytes32(0)) revert CreditGradeInvalid();
        if (_holders[creditCodeHash] == msg.sender) revert CreditGradeSelfRating(creditCodeHash, msg.sender);

        _creditGrades[creditCodeHash] = CreditGrade({
            grade: grade,
            bank: msg.sender,
            ratedAt: uint64(block.timestamp),
            evidenceDigest: evidenceDigest
        });
        emit CreditGradeAttested(creditCodeHash, msg.sender, grade, evidenceDigest);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IInstitutionRegistry
    function isAttestationSigner(bytes32 attestationId, address oracle) external view returns (bool) {
        return _signers[attestationId][oracle];
    }

    /// @inheritdoc IInstitutionRegistry
    function kindOf(address account) external view returns (InstitutionKind) {
        return _institutions[account].kind;
    }

    /// @inheritdoc IInstitutionRegistry
    function isActive(address account) public view returns (bool) {
        Institution storage institution = _institutions[account];
        return institution.status == InstitutionStatus.Approved && !institution.suspended && !institution.flagged
            && !_expired(institution);
    }

    /// @inheritdoc IInstitutionRegistry
    function requireActive(address account, InstitutionKind kind) external view {
        if (!isActive(account)) revert InstitutionNotActive(account);
        InstitutionKind actual = _institutions[account].kind;
        if (actual != kind) revert InstitutionKindMismatch(account, kind, actual);
    }

    /// @inheritdoc IInstitutionRegistry
    function encryptionKeyOf(address account) external view returns (bytes memory) {
        return _encryptionKeys[account];
    }

    /// @inheritdoc IInstitutionRegistry
    function institutionOf(address account) external view returns (Institution memory) {
        return _institutions[account];
    }

    /// @inheritdoc IInstitutionRegistry
    function applicationDigestOf(address account) external view returns (bytes32) {
        return _institutions[account].applicationDigest;
    }

    /// @inheritdoc IInstitutionRegistry
    function attestationOf(bytes32 attestationId) external view returns (RecordedAttestation memory) {
        return _attestations[attestationId];
    }

    /// @inheritdoc IInstitutionRegistry
    function isAttestationValid(bytes32 attestationId) public view returns (bool) {
        RecordedAttestation storage recorded = _attestations[attestationId];
        return recorded.recordedAt != 0 && recorded.attestation.expiresAt > block.timestamp;
    }

    /// @inheritdoc IInstitutionRegistry
    function latestAttestationOf(bytes32 creditCodeHash) external view returns (bytes32) {
        return _latestAttestations[creditCodeHash];
    }

    /// @inheritdoc IInstitutionRegistry
    function verifyAttestation(RegistryAttestation calldata attestation, bytes[] calldata signatures)
        external
        view
        returns (bytes32 attestationId, address[] memory signers)
    {
        return _verify(attestation, signatures);
    }

    /// @inheritdoc IInstitutionRegistry
    function attestationDigest(RegistryAttestation calldata attestation) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    REGISTRY_ATTESTATION_TYPEHASH,
                    attestation.creditCodeHash,
                    attestation.recordDigest,
                    attestation.observedAt,
                    attestation.expiresAt
                )
            )
        );
    }

    /// @inheritdoc IInstitutionRegistry
    function holderOf(bytes32 creditCodeHash) external view returns (address) {
        return _holders[creditCodeHash];
    }

    /// @inheritdoc IInstitutionRegistry
    function creditGradeOf(bytes32 creditCodeHash) external view returns (CreditGrade memory) {
        return _creditGrades[creditCodeHash];
    }

    /// @inheritdoc IInstitutionRegistry
    function attestationThreshold() external view returns (uint8) {
        return _threshold;
    }

    /// @inheritdoc IInstitutionRegistry
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    // ------------------------------------------------------------------ internals

    /// @dev The attestation's id and its signers, or a revert naming what makes it unacceptable now.
    function _verify(RegistryAttestation calldata attestation, bytes[] calldata signatures)
        private
        view
        returns (bytes32 attestationId, address[] memory signers)
    {
        attestationId = attestationDigest(attestation);
        if (attestation.expiresAt <= attestation.observedAt || attestation.expiresAt <= block.timestamp) {
            revert RegistryAttestationExpired(attestationId, attestation.expiresAt);
        }
        if (signatures.length < _threshold) revert RegistryAttestationTooFewSignatures(signatures.length, _threshold);

        signers = new address[](signatures.length);
        for (uint256 i = 0; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(attestationId, signatures[i]);
            if (error != ECDSA.RecoverError.NoError) revert RegistryAttestationSignatureInvalid(i);
            if (!_consortium.hasRole(ConsortiumRoles.ORACLE_ROLE, signer)) {
                revert RegistryAttestationSignerNotOracle(signer);
            }
            for (uint256 j = 0; j < i; ++j) {
                if (signers[j] == signer) revert RegistryAttestationDuplicateSigner(signer);
            }
            signers[i] = signer;
        }
    }

    /// @dev What an approval needs beyond a recorded attestation: a current attestation, a future
    /// expiry and a credit code no other current institution holds.
    function _checkApproval(address account, AuditDecision calldata decision, bytes32 creditCodeHash) private view {
        RecordedAttestation storage recorded = _attestations[decision.attestationId];
        if (!isAttestationValid(decision.attestationId)) {
            revert RegistryAttestationExpired(decision.attestationId, recorded.attestation.expiresAt);
        }
        if (decision.expiresAt <= block.timestamp) revert InstitutionExpiryInPast(decision.expiresAt);
        address holder = _holders[creditCodeHash];
        if (holder != address(0) && holder != account) revert InstitutionCreditCodeTaken(creditCodeHash, holder);
    }

    /// @dev An oracle never counts towards an attestation of its own record: without `subject`'s signature, the
    /// recorded attestation must still have the threshold of signatures.
    function _requireCountsWithout(bytes32 attestationId, address subject) private view {
        if (!_signers[attestationId][subject]) return;
        if (_attestations[attestationId].signerCount - 1 < _threshold) {
            revert RegistryAttestationSignedBySubject(attestationId, subject);
        }
    }

    function _requireRecorded(bytes32 attestationId) private view returns (RecordedAttestation storage recorded) {
        recorded = _attestations[attestationId];
        if (recorded.recordedAt == 0) revert RegistryAttestationUnknown(attestationId);
    }

    function _requireKnown(address account) private view returns (Institution storage institution) {
        institution = _institutions[account];
        if (institution.status == InstitutionStatus.None) revert InstitutionUnknown(account);
    }

    function _requireAwaitingAudit(address account, Institution storage institution) private view {
        InstitutionStatus status = institution.status;
        if (status == InstitutionStatus.None) revert InstitutionUnknown(account);
        if (status != InstitutionStatus.Pending && !(status == InstitutionStatus.Approved && institution.flagged)) {
            revert InstitutionNotAwaitingAudit(account);
        }
    }

    /// @dev Frees `creditCodeHash` for another institution if `account` holds it.
    function _release(address account, bytes32 creditCodeHash) private {
        if (creditCodeHash != bytes32(0) && _holders[creditCodeHash] == account) delete _holders[creditCodeHash];
    }

    function _expired(Institution storage institution) private view returns (bool) {
        return institution.expiresAt <= block.timestamp;
    }

    function _checkCertificates(bytes32[] calldata certificateDigests) private pure {
        uint256 count = certificateDigests.length;
        if (count == 0 || count > MAX_CERTIFICATES) revert InstitutionCertificatesInvalid(count, MAX_CERTIFICATES);
        for (uint256 i = 0; i < count; ++i) {
            if (certificateDigests[i] == bytes32(0)) revert InstitutionCertificatesInvalid(count, MAX_CERTIFICATES);
        }
    }

    /// @dev The key is the account's own: an Ethereum address is the last 20 bytes of keccak256(public key).
    function _checkEncryptionKey(address account, bytes calldata encryptionKey) private pure {
        if (encryptionKey.length != _ENCRYPTION_KEY_LENGTH) revert InstitutionEncryptionKeyLength(encryptionKey.length);
        address derived = address(uint160(uint256(keccak256(encryptionKey))));
        if (derived != account) revert InstitutionEncryptionKeyMismatch(account, derived);
    }

    /// @dev Reverts with {InstitutionRegistryUnauthorized} unless `account` holds `role` in the consortium.
    function _requireRole(bytes32 role, address account) private view {
        if (!_consortium.hasRole(role, account)) revert InstitutionRegistryUnauthorized(account, role);
    }
}
