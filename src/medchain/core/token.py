"""Client of the settlement token (any ERC-20; ``SettlementToken`` on local chains)."""

from __future__ import annotations

from decimal import Decimal

from medchain.core.client import ContractClient
from medchain.core.deploy import Suite
from medchain.core.errors import InvalidInputError
from medchain.core.registry import check_address
from medchain.core.tx import Receipt, Sender, call


class TokenClient(ContractClient):
    """Balances, allowances and (on local chains) minting, in base units and in display units."""

    CONTRACT = "SettlementToken"

    def __init__(self, suite: Suite, sender: Sender | None = None):
        super().__init__(suite, sender)
        self.decimals = int(call(self.contract.functions.decimals()))
        self.symbol = str(call(self.contract.functions.symbol()))

    def units(self, amount: str | int | Decimal) -> int:
        """``"12.34"`` → base units (12340000 for 6 decimals).

        Raises:
            InvalidInputError: negative, or more decimals than the token has.
        """
        value = Decimal(str(amount)) * (10**self.decimals)
        if value < 0 or value != value.to_integral_value():
            raise InvalidInputError(f"{amount} is not a valid {self.symbol} amount")
        return int(value)

    def display(self, base_units: int) -> str:
        return f"{Decimal(base_units) / (10**self.decimals):.{self.decimals}f} {self.symbol}"

    def balance(self, account: str) -> int:
        return int(call(self.contract.functions.balanceOf(check_address(account))))

    def mint(self, to: str, base_units: int) -> Receipt:
        return self._send(self.contract.functions.mint(check_address(to), base_units))

    def approve(self, spender: str, base_units: int) -> Receipt:
        return self._send(self.contract.functions.approve(check_address(spender), base_units))

    def transfer(self, to: str, base_units: int) -> Receipt:
        return self._send(self.contract.functions.transfer(check_address(to), base_units))
