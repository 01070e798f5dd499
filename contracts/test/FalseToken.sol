// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title FalseToken (TEST ONLY: never deploy on a real network)
/// @notice A legacy ERC-20 written to the letter of EIP-20: a transfer that cannot happen (balance
/// or allowance too low) answers `false` instead of reverting. It can also be frozen (like a
/// paused or blacklisting token that does not revert): every transfer then answers `false` and
/// moves nothing. Anyone mints. The attack tests settle claims and licences in it.
contract FalseToken {
    string public constant name = "False Token";
    string public constant symbol = "FALSE";
    uint8 public constant decimals = 6;

    uint256 public totalSupply;
    bool public frozen;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function setFrozen(bool frozen_) external {
        frozen = frozen_;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        return _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount || !_move(from, to, amount)) return false;
        allowance[from][msg.sender] = allowed - amount;
        return true;
    }

    function _move(address from, address to, uint256 amount) private returns (bool) {
        if (frozen || balanceOf[from] < amount) return false;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
        return true;
    }
}
