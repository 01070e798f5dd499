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
interface IConsentRegistry {
    /// @notice True when `patient` has an active (not revoked, within its validity period) consent
    /// for `grantee` that covers every bit of `categories`, `purposes` and `actions`.
    function isPermitted(address patient, address grantee, uint16 categories, uint8 purposes, uint8 actions)
        external
        view
        returns (bool);
}
