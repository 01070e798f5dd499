// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title ISettlementToken
/// @notice The ERC-20 MedChain settles in on local chains (on a real network any ERC-20 stablecoin).
interface ISettlementToken is IERC20Metadata {
    /// @notice Mints `amount` to `to` (the token's owner only: a local-chain faucet).
    function mint(address to, uint256 amount) external;
}
