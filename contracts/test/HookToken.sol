// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Implemented by a receiver that wants to be called on every token it receives.
interface ITokenReceiver {
    function onTokenReceived(address from, uint256 amount) external;
}

/// @title HookToken (TEST ONLY: never deploy on a real network)
/// @notice A hostile ERC-20 for attack tests: anyone mints; every transfer to a contract calls its
/// `onTokenReceived` hook (like ERC-777), giving a receiver the chance to re-enter the payer; and
/// it can be switched to answer `false` to transfers, like non-reverting legacy tokens.
contract HookToken is ERC20 {
    bool public failTransfers;

    constructor() ERC20("Hook Token", "HOOK") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFailTransfers(bool fail) external {
        failTransfers = fail;
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        if (failTransfers) return false;
        super.transfer(to, amount);
        if (to.code.length > 0) ITokenReceiver(to).onTokenReceived(msg.sender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (failTransfers) return false;
        return super.transferFrom(from, to, amount);
    }
}
