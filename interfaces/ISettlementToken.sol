// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title ISettlementToken
/// @notice The ERC-20 MedChain settles in on local chains (on a real network any ERC-20 stablecoin).
interface ISettlementToken is IERC20Metadata {
    /// @notice Mints `amount` to `to` (a local-chain faucet).
    /// @dev Requirements: the caller is the token's owner (`OwnableUnauthorizedAccount`); `to` is
    /// not zero (`ERC20InvalidReceiver`). Emits {IERC20.Transfer} from the zero address.
    /// @param to The recipient.
    /// @param amount The token units minted.
    function mint(address to, uint256 amount) external;
}
