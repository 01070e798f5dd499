// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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

    error InvalidScope(uint16 categories, uint8 purposes, uint8 actions);
    error InvalidPeriod(uint40 start, uint40 end);
    error InvalidGrantee(address grantee);
    error ConsentNotActive(address patient, address grantee);
    error NotPatientOrGuardian(address caller, address patient);
    error InvalidGuardian(address guardian);
    error GuardianAlreadyAppointed(address patient, address guardian);
    error GuardianNotAppointed(address patient, address guardian);
    error SignatureExpired(uint256 deadline);
    error InvalidSignature();
    error WrongSigner(address patient, address signer);
    error AccessNotPermitted(address patient, address grantee, uint16 category, uint8 purpose);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A consent was granted, or amended (`version` > 1 replaces the previous version).
    /// `by` is the patient, or the guardian who acted (the signer for signed grants).
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
    event ConsentRevoked(address indexed patient, address indexed grantee, uint32 version, address by);
    event GuardianAppointed(address indexed patient, address indexed guardian);
    event GuardianRemoved(address indexed patient, address indexed guardian);
    /// @notice The audit trail: `grantee` read `recordId` of `patient` under a valid consent.
    /// `patient` and `category` are the record id's own ({RecordIds}).
    event AccessLogged(
        address indexed patient, address indexed grantee, bytes32 indexed recordId, uint16 category, uint8 purpose
    );
    /// @notice Break-glass: a registered hospital read `recordId` without consent; the reason
    /// text stays off chain, its keccak256 is here for the patient and auditors.
    event EmergencyAccess(
        address indexed patient, address indexed hospital, bytes32 indexed recordId, bytes32 reasonHash
    );

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    function grant(address grantee, uint16 categories, uint8 purposes, uint8 actions, uint40 start, uint40 end)
        external;
    function grantFor(
        address patient,
        address grantee,
        uint16 categories,
        uint8 purposes,
        uint8 actions,
        uint40 start,
        uint40 end
    ) external;
    function grantBySig(SignedGrant calldata request, bytes calldata signature) external;
    function revoke(address grantee) external;
    function revokeFor(address patient, address grantee) external;
    function revokeBySig(SignedRevoke calldata request, bytes calldata signature) external;
    function appointGuardian(address guardian) external;
    function removeGuardian(address guardian) external;
    function logAccess(bytes32 recordId, uint8 purpose) external;
    function emergencyAccess(bytes32 recordId, bytes32 reasonHash) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice True when `patient` has an active (not revoked, within its validity period) consent
    /// for `grantee` that covers every bit of `categories`, `purposes` and `actions`.
    function isPermitted(address patient, address grantee, uint16 categories, uint8 purposes, uint8 actions)
        external
        view
        returns (bool);
    function consentOf(address patient, address grantee) external view returns (Consent memory);
    function isGuardian(address patient, address guardian) external view returns (bool);
    function nonces(address patient) external view returns (uint256);
    function registry() external view returns (address);
}
