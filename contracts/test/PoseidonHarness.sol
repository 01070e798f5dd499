// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PoseidonT3} from "../PoseidonT3.sol";

/// @title PoseidonHarness
/// @notice Test-only: exposes PoseidonT3.hash so tests compare it with circomlibjs and measure its gas.
contract PoseidonHarness {
    function hash(uint256 a, uint256 b) external pure returns (uint256) {
        return PoseidonT3.hash(a, b);
    }
}
