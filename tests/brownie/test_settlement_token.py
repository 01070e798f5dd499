"""SettlementToken (MCUSD) through Brownie: 6 decimals, minted by its owner only."""

import brownie
from conftest import error


def test_the_owner_mints_settlement_dollars(token, governance, accounts):
    token.mint(accounts[7], 250 * 10**6, {"from": governance})
    assert token.balanceOf(accounts[7]) == 250 * 10**6 and token.totalSupply() == 250 * 10**6
    assert (token.symbol(), token.decimals()) == ("MCUSD", 6)


def test_nobody_else_mints(token, accounts):
    with brownie.reverts(error("OwnableUnauthorizedAccount", accounts[7])):
        token.mint(accounts[7], 1, {"from": accounts[7]})


def test_a_transfer_beyond_the_balance_reverts(token, governance, accounts):
    token.mint(accounts[7], 5, {"from": governance})
    with brownie.reverts(error("ERC20InsufficientBalance", accounts[7], 5, 6)):
        token.transfer(accounts[8], 6, {"from": accounts[7]})
