// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Implemented by a contract that wants to be called on every token it receives.
interface ITokenReceiver {
    function onTokenReceived(address from, uint256 amount) external;
}

/// @notice Implemented by a contract that wants to be called before tokens are pulled from it.
interface ITokenSender {
    function onTokensSent(address to, uint256 amount) external;
}

/// @title HookToken (TEST ONLY: never deploy on a real network)
/// @notice A hostile ERC-20 for attack tests, with ERC-777-like hooks: anyone mints; every
/// transfer to a contract calls its `onTokenReceived` after the move, and every `transferFrom`
/// out of a contract calls its `onTokensSent` before the move, giving the payee and the payer the
/// chance to re-enter the contract that moves the tokens. (A token answering `false` is
/// FalseToken.)
contract HookToken is ERC20 {
    constructor() ERC20("Hook Token", "HOOK") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        super.transfer(to, amount);
        if (to.code.length > 0) ITokenReceiver(to).onTokenReceived(msg.sender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (from.code.length > 0) ITokenSender(from).onTokensSent(to, amount);
        return super.transferFrom(from, to, amount);
    }
}
