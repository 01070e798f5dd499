// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";

/// @title SettlementToken
/// @notice "MedChain Settlement Dollar" (MCUSD, 6 decimals like USDC): the token claims and research
/// revenue settle in on local chains. On a real network deploy the suite with an existing stablecoin.
contract SettlementToken is ISettlementToken, ERC20, Ownable {
    /// @param owner_ The account allowed to mint (governance on local chains).
    constructor(address owner_) ERC20("MedChain Settlement Dollar", "MCUSD") Ownable(owner_) {}

    /// @inheritdoc ERC20
    function decimals() public pure override(ERC20, IERC20Metadata) returns (uint8) {
        return 6;
    }

    /// @inheritdoc ISettlementToken
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
