// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A consent packed in one storage word (one SLOAD per check, one SSTORE per grant; a
/// storage struct would be written field by field, about 1,300 gas more per grant).
/// @dev Layout, from the least significant bit:
///
///   bits   0-15   categories   uint16   data categories ({ConsentCodes})
///   bits  16-23   purposes     uint8
///   bits  24-31   actions      uint8
///   bits  32-71   start        uint40   first second of validity (inclusive)
///   bits  72-111  end          uint40   last second of validity (inclusive)
///   bits 112-143  version      uint32   grants of the (patient, grantee) pair; 0: never granted
///   bit  144      revoked      bool
type ConsentWord is uint256;

using {categories, purposes, actions, start, end, version, revoked, setRevoked} for ConsentWord global;

// Named getters and setters of a {ConsentWord}: free functions attached to the type (like a library
// of internal functions, but no library contract, hence no artifact): `w.version()`,
// `w.setRevoked()`, `packConsent(...)`.

uint256 constant CONSENT_PURPOSES_OFFSET = 16;
uint256 constant CONSENT_ACTIONS_OFFSET = 24;
uint256 constant CONSENT_START_OFFSET = 32;
uint256 constant CONSENT_END_OFFSET = 72;
uint256 constant CONSENT_VERSION_OFFSET = 112;
uint256 constant CONSENT_REVOKED_OFFSET = 144;

/*//////////////////////////////////////////////////////////////
                             GETTERS
//////////////////////////////////////////////////////////////*/

function categories(ConsentWord w) pure returns (uint16) {
    return uint16(ConsentWord.unwrap(w));
}

function purposes(ConsentWord w) pure returns (uint8) {
    return uint8(ConsentWord.unwrap(w) >> CONSENT_PURPOSES_OFFSET);
}

function actions(ConsentWord w) pure returns (uint8) {
    return uint8(ConsentWord.unwrap(w) >> CONSENT_ACTIONS_OFFSET);
}

function start(ConsentWord w) pure returns (uint40) {
    return uint40(ConsentWord.unwrap(w) >> CONSENT_START_OFFSET);
}

function end(ConsentWord w) pure returns (uint40) {
    return uint40(ConsentWord.unwrap(w) >> CONSENT_END_OFFSET);
}

function version(ConsentWord w) pure returns (uint32) {
    return uint32(ConsentWord.unwrap(w) >> CONSENT_VERSION_OFFSET);
}

function revoked(ConsentWord w) pure returns (bool) {
    return (ConsentWord.unwrap(w) >> CONSENT_REVOKED_OFFSET) & 1 == 1;
}

/*//////////////////////////////////////////////////////////////
                             SETTERS
//////////////////////////////////////////////////////////////*/

/// @dev A new, not revoked consent word.
function packConsent(uint16 categories_, uint8 purposes_, uint8 actions_, uint40 start_, uint40 end_, uint32 version_)
    pure
    returns (ConsentWord)
{
    return ConsentWord.wrap(
        uint256(categories_) | uint256(purposes_) << CONSENT_PURPOSES_OFFSET
            | uint256(actions_) << CONSENT_ACTIONS_OFFSET | uint256(start_) << CONSENT_START_OFFSET
            | uint256(end_) << CONSENT_END_OFFSET | uint256(version_) << CONSENT_VERSION_OFFSET
    );
}

/// @dev `w` with its revoked flag set.
function setRevoked(ConsentWord w) pure returns (ConsentWord) {
    return ConsentWord.wrap(ConsentWord.unwrap(w) | 1 << CONSENT_REVOKED_OFFSET);
}
