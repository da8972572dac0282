// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IConsortium} from "./IConsortium.sol";

/// @notice What an institution is registered as. `None` means the account never applied.
/// @dev Declared at file level so that pools, escrow and the other contracts import it with the interface.
enum InstitutionKind {
    None,
    Charity,
    GovernmentAgency,
    Supplier,
    Hospital,
    Logistics,
    LocalGovernment
}

/// @notice Where an institution stands in its bank audit.
enum InstitutionStatus {
    None,
    Pending,
    Approved,
    Rejected
}

/// @title The registry of audited institutions
/// @notice Charities, government agencies and third parties (suppliers, hospitals, logistics firms) apply
/// here with the digests of their certificates; oracles attest the government-registry record of each
/// one (k of n signatures); a member bank audits the application against that record; the regulator
/// can suspend. Other contracts ask {isActive} / {requireActive} before letting an institution act.
/// @dev No personal data is stored: certificates and key information appear only as digests and
/// salted hashes, registry records only as the digest the oracles signed. Every state change emits one
/// event that carries enough to rebuild the state.
interface IInstitutionRegistry {
    /// @notice A government-registry record as the oracles observed it, in the EIP-712 form they sign.
    /// @param creditCodeHash keccak256 of the institution's unified social credit code (UTF-8).
    /// @param recordDigest keccak256 of the record's canonical encoding, or the oracles' digest of
    /// "no such record" when the registry has none.
    /// @param observedAt When the oracles read the record (unix seconds).
    /// @param expiresAt Until when the observation may serve as audit evidence (unix seconds).
    struct RegistryAttestation {
        bytes32 creditCodeHash;
        bytes32 recordDigest;
        uint64 observedAt;
        uint64 expiresAt;
    }

    /// @notice An accepted attestation as recorded on-chain.
    struct RecordedAttestation {
        RegistryAttestation attestation;
        uint64 recordedAt;
        uint16 signerCount;
    }

    /// @notice An institution's registration.
    struct Institution {
        InstitutionKind kind;
        InstitutionStatus status;
        bool suspended;
        bool flagged;
        uint16 ruleVersion;
        uint64 appliedAt;
        uint64 expiresAt;
        bytes32 keyInfoHash;
        bytes32 applicationDigest;
        bytes32 attestationId;
        bytes32 creditCodeHash;
        bytes32[] certificateDigests;
    }

    /// @notice A bank's audit decision on an application.
    /// @param applicationDigest The application the bank examined ({applicationDigestOf}); guards against
    /// auditing documents that changed in the meantime.
    /// @param attestationId The registry attestation the key information was compared with (zero is
    /// allowed only for a rejection, e.g. when the registry has no record).
    /// @param passed Whether the institution is approved.
    /// @param ruleVersion The version of the audit rule applied, so that anyone can recompute it.
    /// @param expiresAt Until when an approval holds (unix seconds); ignored for a rejection.
    /// @param reasonCodes Why: one short code per finding (e.g. "NAME_MISMATCH"); required on rejection.
    struct AuditDecision {
        bytes32 applicationDigest;
        bytes32 attestationId;
        bool passed;
        uint16 ruleVersion;
        uint64 expiresAt;
        bytes32[] reasonCodes;
    }

    /// @notice A bank's credit grade of an enterprise from its customer base.
    struct CreditGrade {
        bytes32 grade;
        address bank;
        uint64 ratedAt;
        bytes32 evidenceDigest;
    }

    /// @notice `account` applied as `kind` with its certificates, key-information hash and encryption key.
    event InstitutionApplied(
        address indexed account,
        InstitutionKind kind,
        bytes32[] certificateDigests,
        bytes32 keyInfoHash,
        bytes encryptionKey,
        bytes32 applicationDigest
    );

    /// @notice `bank` audited `account`'s application `applicationDigest`: `passed` under `ruleVersion`.
    event InstitutionAudited(
        address indexed account,
        address indexed bank,
        bytes32 indexed attestationId,
        bytes32 applicationDigest,
        bytes32 creditCodeHash,
        bool passed,
        uint16 ruleVersion,
        uint64 expiresAt,
        bytes32[] reasonCodes
    );

    /// @notice The regulator `by` suspended `account` for `reasonCode`.
    event InstitutionSuspended(address indexed account, address indexed by, bytes32 reasonCode);

    /// @notice The regulator `by` lifted its suspension of `account`.
    event InstitutionReinstated(address indexed account, address indexed by);

    /// @notice The oracle `by` flagged `account` pending re-audit: attestation `attestationId` shows its
    /// registry record changed (`reasonCode`, e.g. "DEREGISTERED").
    event InstitutionFlagged(
        address indexed account, address indexed by, bytes32 indexed attestationId, bytes32 reasonCode
    );

    /// @notice Oracles `signers` attested the registry record `recordDigest` of `creditCodeHash`.
    event RegistryAttested(
        bytes32 indexed attestationId,
        bytes32 indexed creditCodeHash,
        bytes32 recordDigest,
        uint64 observedAt,
        uint64 expiresAt,
        address[] signers
    );

    /// @notice The number of oracle signatures an attestation needs changed from `previous` to `threshold`.
    event AttestationThresholdChanged(uint8 previous, uint8 threshold);

    /// @notice `bank` rated the enterprise `creditCodeHash` `grade`, based on `evidenceDigest`.
    event CreditGradeAttested(
        bytes32 indexed creditCodeHash, address indexed bank, bytes32 grade, bytes32 evidenceDigest
    );

    /// @notice `account` lacks the consortium role `neededRole` that the action requires.
    error InstitutionRegistryUnauthorized(address account, bytes32 neededRole);

    /// @notice The zero address was given for the consortium.
    error InstitutionRegistryZeroAddress();

    /// @notice `account` is not on the consortium's allow-list, so it cannot register.
    error InstitutionAccountNotAllowed(address account);

    /// @notice `InstitutionKind.None` is not a kind one can apply as.
    error InstitutionKindInvalid();

    /// @notice An application needs between one and `max` certificate digests, none of them zero; `count` were given.
    error InstitutionCertificatesInvalid(uint256 count, uint256 max);

    /// @notice The salted hash of the key information was zero.
    error InstitutionKeyInfoHashMissing();

    /// @notice The encryption key must be a 64-byte uncompressed secp256k1 key; `length` bytes were given.
    error InstitutionEncryptionKeyLength(uint256 length);

    /// @notice The encryption key belongs to `derived`, not to the applicant `account`.
    error InstitutionEncryptionKeyMismatch(address account, address derived);

    /// @notice `account` already has an application waiting for its audit.
    error InstitutionApplicationPending(address account);

    /// @notice `account` is approved and its approval is current: there is nothing to apply for.
    error InstitutionAlreadyApproved(address account);

    /// @notice `account` never applied.
    error InstitutionUnknown(address account);

    /// @notice `account` has no application or flag awaiting an audit.
    error InstitutionNotAwaitingAudit(address account);

    /// @notice The bank audited application `given`, but `account`'s current application is `current`.
    error InstitutionApplicationChanged(address account, bytes32 current, bytes32 given);

    /// @notice A bank cannot audit itself.
    error InstitutionSelfAudit(address account);

    /// @notice A rejection of `account` must say why (at least one reason code).
    error InstitutionRejectionWithoutReason(address account);

    /// @notice An approval must expire in the future; `expiresAt` is not after the current block time.
    error InstitutionExpiryInPast(uint64 expiresAt);

    /// @notice The registry record `creditCodeHash` is already the approved institution `holder`.
    error InstitutionCreditCodeTaken(bytes32 creditCodeHash, address holder);

    /// @notice `account` would decide about itself (suspend or reinstate itself): separation of duties.
    error InstitutionSelfDecision(address account);

    /// @notice Attestation `attestationId` is about `subject`'s own record and `subject` signed it: its signature does
    /// not count, and without it the attestation has fewer than the threshold of signatures.
    error RegistryAttestationSignedBySubject(bytes32 attestationId, address subject);

    /// @notice `bank` holds the credit code `creditCodeHash`: it cannot grade itself.
    error CreditGradeSelfRating(bytes32 creditCodeHash, address bank);

    /// @notice `account` is not an approved, unexpired, unsuspended institution.
    error InstitutionNotActive(address account);

    /// @notice `account` is a `actual`, where a `expected` is needed.
    error InstitutionKindMismatch(address account, InstitutionKind expected, InstitutionKind actual);

    /// @notice `account` is not approved (so it cannot be flagged).
    error InstitutionNotApproved(address account);

    /// @notice `account` is already suspended by the regulator.
    error InstitutionAlreadySuspended(address account);

    /// @notice `account` is not suspended by the regulator.
    error InstitutionNotSuspended(address account);

    /// @notice `account` is already flagged pending re-audit.
    error InstitutionAlreadyFlagged(address account);

    /// @notice The record attested by the flagging attestation equals the audited one, `recordDigest`.
    error InstitutionRecordUnchanged(address account, bytes32 recordDigest);

    /// @notice The attestation is not about `account`'s credit code `expected`.
    error RegistryAttestationNotForInstitution(address account, bytes32 expected, bytes32 attested);

    /// @notice The attestation `attestationId` is not newer than the one `account` was audited with.
    error RegistryAttestationStale(address account, bytes32 attestationId);

    /// @notice `given` oracle signatures were given, the threshold needs `needed`.
    error RegistryAttestationTooFewSignatures(uint256 given, uint256 needed);

    /// @notice Signature number `index` is malformed or does not recover to an address.
    error RegistryAttestationSignatureInvalid(uint256 index);

    /// @notice A signature recovered to `signer`, which does not hold the consortium's ORACLE_ROLE.
    error RegistryAttestationSignerNotOracle(address signer);

    /// @notice The oracle `signer` signed more than once.
    error RegistryAttestationDuplicateSigner(address signer);

    /// @notice An attestation must expire after it was observed and after the current block time.
    error RegistryAttestationExpired(bytes32 attestationId, uint64 expiresAt);

    /// @notice The attestation `attestationId` was already recorded.
    error RegistryAttestationAlreadyRecorded(bytes32 attestationId);

    /// @notice No attestation `attestationId` was recorded.
    error RegistryAttestationUnknown(bytes32 attestationId);

    /// @notice The signature threshold must be between 1 and 255; `threshold` was given.
    error RegistryAttestationThresholdInvalid(uint256 threshold);

    /// @notice A credit grade needs a non-zero credit-code hash and grade.
    error CreditGradeInvalid();

    /// @notice Applies to register the calling account as an institution of `kind`.
    /// @dev The caller must be on the consortium's allow-list. `encryptionKey` (the 64-byte uncompressed
    /// secp256k1 public key, without its 0x04 prefix) must be the caller's own: its keccak256 must end
    /// in the caller's address, which proves the applicant holds the key payment orders are encrypted to.
    /// Allowed for a new account, after a rejection, after an approval expired or while flagged for
    /// re-audit; replaces any earlier application. Emits {InstitutionApplied}.
    /// @param kind What the institution registers as.
    /// @param certificateDigests keccak256 digests of the certificate documents (kept off-chain, encrypted).
    /// @param keyInfoHash Salted hash of the first key information (name, code, legal representative, account).
    /// @param encryptionKey The caller's secp256k1 public key (64 bytes).
    function applyForRegistration(
        InstitutionKind kind,
        bytes32[] calldata certificateDigests,
        bytes32 keyInfoHash,
        bytes calldata encryptionKey
    ) external;

    /// @notice Records a government-registry attestation signed by at least {attestationThreshold} oracles.
    /// @dev Anyone may submit; the authority is in the signatures: EIP-712 signatures over
    /// {RegistryAttestation} by distinct holders of the consortium's ORACLE_ROLE. The signers are recorded
    /// ({isAttestationSigner}): an oracle's signature never counts towards an attestation of its own record, here
    /// (when the credit code is already held by one of the signers: {RegistryAttestationSignedBySubject}) and when the
    /// attestation is used in an audit or a flag. Emits {RegistryAttested}.
    /// @param attestation The observation.
    /// @param signatures 65-byte (r, s, v) signatures, one per oracle, in any order.
    /// @return attestationId The EIP-712 digest of `attestation`, under which it is recorded.
    function attest(RegistryAttestation calldata attestation, bytes[] calldata signatures)
        external
        returns (bytes32 attestationId);

    /// @notice A member bank records its audit of `account`'s application.
    /// @dev Only a BANK other than `account` ({InstitutionSelfAudit}). The application must await an audit (pending,
    /// or approved but flagged by an oracle). An approval needs a recorded, unexpired attestation and binds the
    /// institution to the attested credit code, which no other approved institution may hold. An attestation that
    /// `account` signed counts only if the other signatures reach the threshold
    /// ({RegistryAttestationSignedBySubject}). Clears an oracle flag. Emits {InstitutionAudited}.
    /// @param account The applicant.
    /// @param decision The decision, its rule version, reasons and evidence.
    function audit(address account, AuditDecision calldata decision) external;

    /// @notice The regulator suspends `account`: it stops being active until reinstated.
    /// @dev Only a REGULATOR other than `account` ({InstitutionSelfDecision}). Emits {InstitutionSuspended}.
    /// @param account The institution.
    /// @param reasonCode Why (a short code).
    function suspend(address account, bytes32 reasonCode) external;

    /// @notice The regulator lifts its suspension of `account`.
    /// @dev Only a REGULATOR other than `account` ({InstitutionSelfDecision}). An oracle flag stays until a bank
    /// re-audits. Emits {InstitutionReinstated}.
    /// @param account The institution.
    function reinstate(address account) external;

    /// @notice An oracle flags `account` pending re-audit because its registry record changed.
    /// @dev Only an ORACLE. `attestationId` must be a recorded attestation of the same credit code,
    /// observed after the audited one, whose record digest differs, and that counts without `account`'s own
    /// signature ({RegistryAttestationSignedBySubject}). The institution stops being active until a bank audits it
    /// again. Emits {InstitutionFlagged}.
    /// @param account The approved institution.
    /// @param attestationId The attestation showing the new record.
    /// @param reasonCode What changed (e.g. "DEREGISTERED", "LEGAL_REP_CHANGED").
    function flag(address account, bytes32 attestationId, bytes32 reasonCode) external;

    /// @notice A member bank records the credit grade of an enterprise in its customer base.
    /// @dev Only a BANK that does not hold the credit code itself ({CreditGradeSelfRating}). Makes the enterprise a
    /// third-party candidate; it still has to apply and pass the audit. Emits {CreditGradeAttested}.
    /// @param creditCodeHash keccak256 of the enterprise's unified social credit code.
    /// @param grade The grade (e.g. "AAA"), as a short string.
    /// @param evidenceDigest Digest of the bank's rating record.
    function attestCreditGrade(bytes32 creditCodeHash, bytes32 grade, bytes32 evidenceDigest) external;

    /// @notice Sets how many distinct oracle signatures an attestation needs.
    /// @dev Only the consortium's DEFAULT_ADMIN_ROLE. Between 1 and the number of oracles
    /// ({RegistryAttestationThresholdInvalid}), so that attestations stay possible. Emits
    /// {AttestationThresholdChanged}.
    /// @param threshold The new k of k-of-n.
    function setAttestationThreshold(uint8 threshold) external;

    /// @notice Whether `oracle` signed the recorded attestation `attestationId`.
    /// @param attestationId The attestation.
    /// @param oracle The oracle.
    /// @return True if its signature was among those recorded.
    function isAttestationSigner(bytes32 attestationId, address oracle) external view returns (bool);

    /// @notice What `account` registered as (`None` if it never applied).
    /// @param account The account.
    /// @return The kind.
    function kindOf(address account) external view returns (InstitutionKind);

    /// @notice Whether `account` is approved, unexpired, not suspended and not flagged.
    /// @param account The account.
    /// @return True if `account` may act as an institution.
    function isActive(address account) external view returns (bool);

    /// @notice Reverts unless `account` is an active institution of `kind`.
    /// @dev For other contracts: reverts {InstitutionNotActive} or {InstitutionKindMismatch}.
    /// @param account The account.
    /// @param kind The kind needed.
    function requireActive(address account, InstitutionKind kind) external view;

    /// @notice The secp256k1 public key (64 bytes) payment orders to `account` are encrypted to.
    /// @param account The account.
    /// @return The key, empty if `account` never applied.
    function encryptionKeyOf(address account) external view returns (bytes memory);

    /// @notice The registration of `account`.
    /// @param account The account.
    /// @return The institution (status `None` if it never applied).
    function institutionOf(address account) external view returns (Institution memory);

    /// @notice The digest that identifies `account`'s current application (to be named in an audit).
    /// @param account The account.
    /// @return The application digest (zero if none).
    function applicationDigestOf(address account) external view returns (bytes32);

    /// @notice The recorded attestation `attestationId`.
    /// @param attestationId The attestation's EIP-712 digest.
    /// @return The attestation with its recording time and signer count (recordedAt zero if unknown).
    function attestationOf(bytes32 attestationId) external view returns (RecordedAttestation memory);

    /// @notice Whether `attestationId` is recorded and not expired.
    /// @param attestationId The attestation's EIP-712 digest.
    /// @return True if the attestation may serve as evidence now.
    function isAttestationValid(bytes32 attestationId) external view returns (bool);

    /// @notice The most recently observed recorded attestation of `creditCodeHash`.
    /// @param creditCodeHash keccak256 of the credit code.
    /// @return The attestation id (zero if none).
    function latestAttestationOf(bytes32 creditCodeHash) external view returns (bytes32);

    /// @notice Checks, without recording anything, that `signatures` make `attestation` acceptable now.
    /// @dev Reverts with the same errors as {attest} (except {RegistryAttestationAlreadyRecorded}).
    /// @param attestation The observation.
    /// @param signatures The oracle signatures.
    /// @return attestationId The EIP-712 digest of `attestation`.
    /// @return signers The oracles that signed, in the order given.
    function verifyAttestation(RegistryAttestation calldata attestation, bytes[] calldata signatures)
        external
        view
        returns (bytes32 attestationId, address[] memory signers);

    /// @notice The EIP-712 digest oracles sign for `attestation`: its id.
    /// @param attestation The observation.
    /// @return The digest.
    function attestationDigest(RegistryAttestation calldata attestation) external view returns (bytes32);

    /// @notice The approved institution holding the credit code `creditCodeHash` (zero if none).
    /// @param creditCodeHash keccak256 of the credit code.
    /// @return The account.
    function holderOf(bytes32 creditCodeHash) external view returns (address);

    /// @notice The latest credit grade a bank gave the enterprise `creditCodeHash`.
    /// @param creditCodeHash keccak256 of the credit code.
    /// @return The grade (grade zero if none).
    function creditGradeOf(bytes32 creditCodeHash) external view returns (CreditGrade memory);

    /// @notice How many distinct oracle signatures an attestation needs.
    /// @return k.
    function attestationThreshold() external view returns (uint8);

    /// @notice The consortium whose roles and allow-list govern the registry.
    /// @return The consortium contract.
    function consortium() external view returns (IConsortium);
}
