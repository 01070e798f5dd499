// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITokenReceiver} from "./HookToken.sol";

/// @title ReentrantProvider (TEST ONLY)
/// @notice A provider that is a contract: its owner makes it call anything (submit a claim,
/// withdraw); when it receives tokens it tries to call `target` again with `reentryData` (e.g.
/// withdraw a second time) and records how that attempt ended, without failing the payment.
contract ReentrantProvider is ITokenReceiver {
    address public immutable owner;
    address public target;
    bytes public reentryData;
    uint256 public attempts;
    bool public lastReentrySucceeded;
    bytes public lastReentryError;

    constructor() {
        owner = msg.sender;
    }

    function execute(address to, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "owner");
        (bool ok, bytes memory result) = to.call(data);
        if (!ok) {
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    function arm(address target_, bytes calldata data) external {
        require(msg.sender == owner, "owner");
        target = target_;
        reentryData = data;
    }

    function onTokenReceived(address, uint256) external {
        if (target == address(0)) return;
        attempts += 1;
        (bool ok, bytes memory result) = target.call(reentryData);
        lastReentrySucceeded = ok;
        lastReentryError = result;
    }
}
