// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title CivilDate
/// @notice Proleptic Gregorian calendar dates of unix times, in UTC.
/// @dev Internal functions: inlined into the calling contract (no library to deploy or link).
library CivilDate {
    /// @notice The UTC calendar year of a unix time (H. Hinnant's civil-from-days algorithm).
    /// @param timestamp Unix seconds.
    /// @return The year (1970 for timestamp 0).
    function yearOf(uint40 timestamp) internal pure returns (uint16) {
        unchecked {
            uint256 z = uint256(timestamp) / 86400 + 719468;
            uint256 era = z / 146097;
            uint256 doe = z - era * 146097;
            uint256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            uint256 mp = (5 * doy + 2) / 153;
            uint256 y = yoe + era * 400;
            if (mp >= 10) y += 1; // January and February belong to the next civil year
            return uint16(y);
        }
    }
}
