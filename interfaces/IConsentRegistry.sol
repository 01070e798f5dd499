// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// solhint-disable-next-line no-unused-import
import {InvalidSignature, SignatureExpired, WrongSigner} from "./IErrors.sol";

/// @title Consent catalogue
/// @notice Bit values of the documented catalogue (src/medchain/standards/consent_codes.py mirrors it).
library ConsentCodes {
    // Data categories (uint16 bitmap)
    uint16 internal constant GENERAL = 1 << 0;
    uint16 internal constant ENDOCRINE = 1 << 1; // diabetes and other endocrine conditions
    uint16 internal constant CARDIOLOGY = 1 << 2;
    uint16 internal constant ONCOLOGY = 1 << 3;
    uint16 internal constant MENTAL_HEALTH = 1 << 4;
    uint16 internal constant GENOMICS = 1 << 5;
    uint16 internal constant INFECTIOUS_DISEASE = 1 << 6;
    uint16 internal constant REPRODUCTIVE_HEALTH = 1 << 7;
    uint16 internal constant IMAGING = 1 << 8;
    uint16 internal constant LABORATORY = 1 << 9;
    uint16 internal constant MEDICATION = 1 << 10;
    uint16 internal constant ALL_CATEGORIES = (1 << 11) - 1;
    // Purposes (uint8 bitmap)
    uint8 internal constant TREATMENT = 1 << 0;
    uint8 internal constant RESEARCH = 1 << 1;
    uint8 internal constant INSURANCE_CLAIMS = 1 << 2;
    uint8 internal constant PUBLIC_HEALTH = 1 << 3;
    uint8 internal constant ALL_PURPOSES = (1 << 4) - 1;
    // Actions (uint8 bitmap)
    uint8 internal constant READ = 1 << 0;
    uint8 internal constant WRITE = 1 << 1;
    uint8 internal constant ALL_ACTIONS = (1 << 2) - 1;
}

/// @title IConsentRegistry
/// @notice What other MedChain contracts ask of the consent registry. A patient holds at most one
/// consent per grantee at a time (amended in place, history in events), so a check is O(1).
/// @dev The validity period is `start <= block.timestamp <= end`: both bounds are inclusive
/// (like FHIR `Period`). `end = type(uint40).max` means no end.
interface IConsentRegistry {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev One storage slot. `version` counts the grants of this (patient, grantee) pair: 0 means
    /// never granted; every grant or amendment increments it, so `(patient, grantee, version)`
    /// names one consent in the event history.
    struct Consent {
        uint16 categories;
        uint8 purposes;
        uint8 actions;
        uint40 start;
        uint40 end;
        uint32 version;
        bool revoked;
    }

    /// @dev What a patient (or a guardian) signs with EIP-712 for {grantBySig}. `nonce` is the
    /// patient's current {nonces}, which every signed request and every revocation uses, so a
    /// revocation voids the patient's signed requests not yet relayed; `deadline` is inclusive.
    struct SignedGrant {
        address patient;
        address grantee;
        uint16 categories;
        uint8 purposes;
        uint8 actions;
        uint40 start;
        uint40 end;
        uint256 nonce;
        uint256 deadline;
    }

    /// @dev What a patient (or a guardian) signs with EIP-712 for {revokeBySig}.
    struct SignedRevoke {
        address patient;
        address grantee;
        uint256 nonce;
        uint256 deadline;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    // Also raised: {SignatureExpired}, {InvalidSignature}, {WrongSigner} (interfaces/IErrors.sol)
    // by the signed requests, and OpenZeppelin's `InvalidAccountNonce(account, currentNonce)` when
    // a signed request's nonce is not the patient's current one.

    /// @notice A mask is empty or holds a bit outside its catalogue ({ConsentCodes}).
    /// @param categories The data categories asked for.
    /// @param purposes The purposes asked for.
    /// @param actions The actions asked for.
    error InvalidScope(uint16 categories, uint8 purposes, uint8 actions);

    /// @notice The validity period is empty (`start > end`) or already over (`end` is past).
    /// @param start The first second of validity.
    /// @param end The last second of validity.
    error InvalidPeriod(uint40 start, uint40 end);

    /// @notice The grantee is zero or the patient themselves.
    /// @param grantee The refused grantee.
    error InvalidGrantee(address grantee);

    /// @notice There is no consent to revoke: never granted, or already revoked.
    /// @param patient The patient.
    /// @param grantee The grantee.
    error ConsentNotActive(address patient, address grantee);

    /// @notice Only the patient or one of their guardians may act for the patient.
    /// @param caller The refused caller.
    /// @param patient The patient acted for.
    error NotPatientOrGuardian(address caller, address patient);

    /// @notice A guardian cannot be zero or the patient themselves.
    /// @param guardian The refused guardian.
    error InvalidGuardian(address guardian);

    /// @notice `guardian` already is a guardian of `patient`.
    /// @param patient The patient.
    /// @param guardian The guardian.
    error GuardianAlreadyAppointed(address patient, address guardian);

    /// @notice `guardian` is not a guardian of `patient`.
    /// @param patient The patient.
    /// @param guardian The account to remove.
    error GuardianNotAppointed(address patient, address guardian);

    /// @notice The caller has no active consent of `patient` covering `category`, `purpose` and READ.
    /// @param patient The record's patient.
    /// @param grantee The refused reader.
    /// @param category The record's data category.
    /// @param purpose The purpose of the read.
    error AccessNotPermitted(address patient, address grantee, uint16 category, uint8 purpose);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A consent was granted, or amended (`version` > 1 replaces the previous version).
    /// @param patient The patient.
    /// @param grantee The organisation or person granted access.
    /// @param version The consent's version for this pair (1 for a first grant).
    /// @param categories The data categories covered ({ConsentCodes}).
    /// @param purposes The purposes covered.
    /// @param actions The actions allowed (READ, WRITE).
    /// @param start The first second of validity (inclusive).
    /// @param end The last second of validity (inclusive; `type(uint40).max`: no end).
    /// @param by The patient, or the guardian who acted (the signer for signed grants).
    event ConsentGranted(
        address indexed patient,
        address indexed grantee,
        uint32 version,
        uint16 categories,
        uint8 purposes,
        uint8 actions,
        uint40 start,
        uint40 end,
        address by
    );

    /// @notice A consent was revoked; it permits nothing any more.
    /// @param patient The patient.
    /// @param grantee The grantee.
    /// @param version The version revoked.
    /// @param by The patient, or the guardian who acted (the signer for signed revocations).
    event ConsentRevoked(address indexed patient, address indexed grantee, uint32 version, address by);

    /// @notice `patient` appointed `guardian` to grant and revoke on their behalf.
    /// @param patient The patient.
    /// @param guardian The guardian.
    event GuardianAppointed(address indexed patient, address indexed guardian);

    /// @notice `patient` removed `guardian`.
    /// @param patient The patient.
    /// @param guardian The former guardian.
    event GuardianRemoved(address indexed patient, address indexed guardian);

    /// @notice The audit trail: `grantee` read `recordId` of `patient` under a valid consent.
    /// `patient` and `category` are the record id's own ({RecordIds}).
    /// @param patient The record's patient.
    /// @param grantee The reader.
    /// @param recordId The record read.
    /// @param category The record's data category.
    /// @param purpose The purpose of the read.
    event AccessLogged(
        address indexed patient, address indexed grantee, bytes32 indexed recordId, uint16 category, uint8 purpose
    );

    /// @notice Break-glass: a registered hospital read `recordId` without consent; the reason
    /// text stays off chain, its keccak256 is here for the patient and auditors.
    /// @param patient The record's patient.
    /// @param hospital The hospital that read it.
    /// @param recordId The record read.
    /// @param reasonHash The keccak256 of the emergency's reason.
    event EmergencyAccess(
        address indexed patient, address indexed hospital, bytes32 indexed recordId, bytes32 reasonHash
    );

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Grants `grantee` consent to `actions` on `categories` for `purposes` from `start`
    /// to `end` (inclusive), replacing any consent the caller gave `grantee` before (the version
    /// increments; a revoked consent is granted anew).
    /// @dev Requirements:
    /// - anyone may grant their own consent (the patient is the caller);
    /// - `grantee` is neither zero nor the caller ({InvalidGrantee});
    /// - each mask is a non-empty subset of its catalogue, {ConsentCodes} ({InvalidScope});
    /// - `start <= end` and `end >= block.timestamp` ({InvalidPeriod}).
    /// Emits {ConsentGranted} with the caller as `by`.
    /// @param grantee The organisation or person granted access.
    /// @param categories The data categories ({ConsentCodes} bits).
    /// @param purposes The purposes.
    /// @param actions The actions (READ, WRITE).
    /// @param start The first second of validity.
    /// @param end The last second of validity (`type(uint40).max`: no end).
    function grant(address grantee, uint16 categories, uint8 purposes, uint8 actions, uint40 start, uint40 end)
        external;

    /// @notice {grant} on behalf of `patient`, by the patient or one of their guardians.
    /// @dev Requirements:
    /// - the caller is `patient` or a guardian of `patient` ({NotPatientOrGuardian});
    /// - as {grant}, with `patient` in place of the caller.
    /// Emits {ConsentGranted} with the caller as `by`.
    /// @param patient The patient whose consent it is.
    /// @param grantee The organisation or person granted access.
    /// @param categories The data categories.
    /// @param purposes The purposes.
    /// @param actions The actions.
    /// @param start The first second of validity.
    /// @param end The last second of validity.
    function grantFor(
        address patient,
        address grantee,
        uint16 categories,
        uint8 purposes,
        uint8 actions,
        uint40 start,
        uint40 end
    ) external;

    /// @notice {grant} signed off chain (EIP-712 {SignedGrant}) by the patient or a guardian and
    /// relayed by anyone, so the patient needs no ether.
    /// @dev Requirements:
    /// - `block.timestamp <= request.deadline` ({SignatureExpired});
    /// - `signature` is a well-formed 65-byte, low-s signature ({InvalidSignature}) under this
    ///   contract's domain on this chain, by `request.patient` or one of their guardians
    ///   ({WrongSigner});
    /// - `request.nonce` is the patient's current {nonces} (`InvalidAccountNonce`): a signature is
    ///   usable once, and any later signed request, revocation or {revoke} voids it;
    /// - as {grant} for the request's fields.
    /// Emits {ConsentGranted} with the signer as `by`.
    /// @param request The signed grant.
    /// @param signature The patient's or guardian's signature over `request`.
    function grantBySig(SignedGrant calldata request, bytes calldata signature) external;

    /// @notice Revokes the caller's consent for `grantee` at once, and voids every signed request
    /// of the caller not yet relayed (the caller's nonce is used), so the grantee cannot relay a
    /// signed grant it holds to re-grant itself.
    /// @dev Requirements: the consent exists and is not revoked ({ConsentNotActive}); an expired
    /// consent may still be revoked. Emits {ConsentRevoked} with the caller as `by`.
    /// @param grantee The grantee whose consent ends.
    function revoke(address grantee) external;

    /// @notice {revoke} on behalf of `patient`, by the patient or one of their guardians; voids
    /// the patient's signed requests not yet relayed, as {revoke}.
    /// @dev Requirements: the caller is `patient` or a guardian of `patient`
    /// ({NotPatientOrGuardian}); as {revoke}. Emits {ConsentRevoked} with the caller as `by`.
    /// @param patient The patient whose consent it is.
    /// @param grantee The grantee whose consent ends.
    function revokeFor(address patient, address grantee) external;

    /// @notice {revoke} signed off chain (EIP-712 {SignedRevoke}) and relayed by anyone; the
    /// signature's nonce is used, so it too voids the patient's other pending signed requests.
    /// @dev Requirements: as {grantBySig} for the deadline, the signature and the nonce; as
    /// {revoke}. Emits {ConsentRevoked} with the signer as `by`.
    /// @param request The signed revocation.
    /// @param signature The patient's or guardian's signature over `request`.
    function revokeBySig(SignedRevoke calldata request, bytes calldata signature) external;

    /// @notice Appoints `guardian` (a parent, a legal representative) to grant and revoke on the
    /// caller's behalf, directly or by signature.
    /// @dev Requirements: `guardian` is neither zero nor the caller ({InvalidGuardian}) and not yet
    /// appointed ({GuardianAlreadyAppointed}). Emits {GuardianAppointed}.
    /// @param guardian The account appointed.
    function appointGuardian(address guardian) external;

    /// @notice Removes a guardian of the caller.
    /// @dev Requirements: `guardian` is a guardian of the caller ({GuardianNotAppointed}).
    /// Emits {GuardianRemoved}.
    /// @param guardian The guardian removed.
    function removeGuardian(address guardian) external;

    /// @notice Records that the caller reads record `recordId` for `purpose`; call it before every
    /// read. The event is the audit trail.
    /// @dev The patient and the data category are those of the record id ({RecordIds}), which the
    /// RecordRegistry enforces when it anchors the record, so a read can never be logged under
    /// another patient or category than the record's own.
    /// Requirements: the patient has an active consent for the caller covering the category,
    /// `purpose` and {ConsentCodes.READ} ({AccessNotPermitted}; also for a `purpose` of 0).
    /// Emits {AccessLogged}.
    /// A suspended organisation is not refused here, by design: the log records reads, it does not
    /// gate decryption (the wrapped keys do), so a read by a suspended grantee is logged as evidence
    /// of it (auditors match it against the registry's suspensions), the client refuses before
    /// logging, and the patient's revocation re-keys; an on-chain check would cost a cold call
    /// (about 6,000 gas, taking the log over its 32,000 budget).
    /// @param recordId The record read (it names its patient and category).
    /// @param purpose The purpose of the read (one {ConsentCodes} purpose bit, or several).
    function logAccess(bytes32 recordId, uint8 purpose) external;

    /// @notice Break-glass: a registered hospital reads `recordId` without consent.
    /// @dev The patient is the record id's ({RecordIds}). Requirements: the caller is an active
    /// organisation with the hospital role (the participant registry's `ParticipantNotRegistered`,
    /// `NotAnOrganization`, `ParticipantSuspended` or `MissingRole` otherwise).
    /// Emits {EmergencyAccess}.
    /// @param recordId The record read.
    /// @param reasonHash The keccak256 of the emergency's reason (the text stays off chain).
    function emergencyAccess(bytes32 recordId, bytes32 reasonHash) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice True when `patient` has an active (not revoked, within its validity period) consent
    /// for `grantee` that covers every bit of `categories`, `purposes` and `actions`.
    /// @dev False when any of the three masks is empty.
    /// @param patient The patient.
    /// @param grantee The grantee.
    /// @param categories The data categories required.
    /// @param purposes The purposes required.
    /// @param actions The actions required.
    /// @return Whether the consent covers them now.
    function isPermitted(address patient, address grantee, uint16 categories, uint8 purposes, uint8 actions)
        external
        view
        returns (bool);

    /// @notice The current consent of `patient` for `grantee`.
    /// @param patient The patient.
    /// @param grantee The grantee.
    /// @return The consent (version 0 when there never was one; expired consents are returned as they are).
    function consentOf(address patient, address grantee) external view returns (Consent memory);

    /// @notice True when `guardian` may grant and revoke for `patient`.
    /// @param patient The patient.
    /// @param guardian The account checked.
    /// @return Whether `guardian` is a guardian of `patient`.
    function isGuardian(address patient, address guardian) external view returns (bool);

    /// @notice The patient's next signature nonce, used by every signed request and every revocation.
    /// @param patient The patient.
    /// @return The nonce a new {SignedGrant} or {SignedRevoke} must carry.
    function nonces(address patient) external view returns (uint256);

    /// @notice The participant directory (asked for the hospital role of emergency readers).
    /// @return The ParticipantRegistry's address.
    function registry() external view returns (address);
}
