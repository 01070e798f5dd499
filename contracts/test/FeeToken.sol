// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeToken (TEST ONLY: never deploy on a real network)
/// @notice A fee-on-transfer ERC-20 for accounting tests: anyone mints, and every transfer burns
/// 1% of the amount moved (at least one unit), so the payee receives less than was sent. A contract
/// that credits the amount it asked for instead of what arrived becomes insolvent.
contract FeeToken is ERC20 {
    uint256 public constant FEE_BPS = 100;

    constructor() ERC20("Fee Token", "FEE") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0) || value == 0) return super._update(from, to, value);
        uint256 fee = value * FEE_BPS / 10_000;
        if (fee == 0) fee = 1;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
