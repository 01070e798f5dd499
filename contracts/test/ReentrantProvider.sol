// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITokenReceiver, ITokenSender} from "./HookToken.sol";

/// @title ReentrantProvider (TEST ONLY)
/// @notice A participant that is a contract (a provider, an insurer, a steward, a patient): its
/// owner makes it call anything (submit a claim, fund, withdraw); when HookToken pays it, or pulls
/// tokens from it, it tries to call `target` again with `reentryData` (e.g. withdraw a second
/// time) and records how that attempt ended, without failing the outer call.
contract ReentrantProvider is ITokenReceiver, ITokenSender {
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
        _reenter();
    }

    function onTokensSent(address, uint256) external {
        _reenter();
    }

    function _reenter() private {
        if (target == address(0)) return;
        attempts += 1;
        (bool ok, bytes memory result) = target.call(reentryData);
        lastReentrySucceeded = ok;
        lastReentryError = result;
    }
}
