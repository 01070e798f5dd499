"""The base of every contract client: one send guard, one deploy-block start, paginated log
queries, a block-time cache and the participant registry's lookups.

A domain client names its contract and inherits the rest::

    class DrugsClient(ContractClient):
        CONTRACT = "DrugBatchTracing"

(anchors: ape's ``ManagerAccessMixin``, web3's ``BaseContract``.)
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from web3.contract import Contract
from web3.contract.contract import ContractFunction

from medchain.core.deploy import Suite
from medchain.core.errors import InvalidInputError
from medchain.core.registry import Kind, Participant, Role, check_address, parse_roles
from medchain.core.tx import Receipt, Sender, call

__all__ = ["LOG_PAGE_BLOCKS", "ContractClient"]

log = logging.getLogger(__name__)

#: Blocks per ``eth_getLogs`` request: within the caps of public RPC providers.
LOG_PAGE_BLOCKS = 10_000

REGISTRY = "ParticipantRegistry"


class ContractClient:
    """A client of one deployed contract of a :class:`~medchain.core.deploy.Suite`.

    Args:
        suite: The deployed suite.
        sender: Who signs transactions; ``None`` opens the client read-only.
    """

    #: The contract's name in the suite's manifest.
    CONTRACT: ClassVar[str]

    def __init__(self, suite: Suite, sender: Sender | None = None):
        self.suite = suite
        self.sender = sender
        self.contract: Contract = suite.contract(self.CONTRACT)
        #: The block the contract was deployed in: where its history starts.
        self.from_block = int(suite.manifest["contracts"][self.CONTRACT].get("block", 0))
        self._block_times: dict[int, int] = {}
        self._names: dict[str, str] = {}

    # ------------------------------------------------------------------ sending

    def _send(self, fn: ContractFunction) -> Receipt:
        """Send ``fn`` as a transaction of :attr:`sender` and wait for its receipt.

        Raises:
            InvalidInputError: the client was opened read-only.
            ContractRevert: the contract refused (its custom error, decoded).
        """
        if self.sender is None:
            raise InvalidInputError("this client was opened read-only (no account)")
        return self.sender.transact(fn)

    @property
    def me(self) -> str:
        """The sender's address.

        Raises:
            InvalidInputError: the client was opened read-only.
        """
        if self.sender is None:
            raise InvalidInputError("this client was opened read-only (no account)")
        return self.sender.address

    # ------------------------------------------------------------------ history

    def logs(self, event: str, *, from_block: int | None = None, to_block: int | str = "latest",
             contract: Contract | None = None, **indexed: Any) -> list[Any]:
        """Every ``event`` log of the contract (or of ``contract``), oldest first, fetched in pages of
        :data:`LOG_PAGE_BLOCKS` blocks so providers that cap ``eth_getLogs`` ranges answer.

        Args:
            event: The event's name.
            indexed: Indexed arguments to match (``None`` matches any).
            from_block: First block (default: the contract's deployment block).
            to_block: Last block (default: the latest).
            contract: Another contract of the suite (default: this client's).
        """
        filters = {k: v for k, v in indexed.items() if v is not None}
        target = contract if contract is not None else self.contract
        ev = getattr(target.events, event)
        start = self.from_block if from_block is None else from_block
        end = self.suite.chain.w3.eth.block_number if to_block == "latest" else int(to_block)
        out: list[Any] = []
        while start <= end:
            stop = min(end, start + LOG_PAGE_BLOCKS - 1)
            out.extend(ev.get_logs(from_block=start, to_block=stop, argument_filters=filters or None))
            start = stop + 1
        out.sort(key=lambda e: (e["blockNumber"], e["logIndex"]))
        log.debug("%s.%s: %d log(s)", self.CONTRACT, event, len(out))
        return out

    def block_time(self, block_number: int) -> int:
        """The timestamp of a block (cached: a mined block's time never changes)."""
        if block_number not in self._block_times:
            self._block_times[block_number] = int(self.suite.chain.w3.eth.get_block(block_number)["timestamp"])
        return self._block_times[block_number]

    # ------------------------------------------------------------------ the participant registry

    @property
    def registry(self) -> Contract:
        """The suite's ParticipantRegistry, which every contract asks who may do what."""
        return self.suite.contract(REGISTRY)

    def participant(self, account: str) -> Participant:
        """The registry's record of ``account`` (kind ``NONE`` when unknown)."""
        kind, suspended, roles, registered_at, prefix, x, name = call(
            self.registry.functions.participant(check_address(account)))
        key = bytes(prefix) + bytes(x) if kind else b""
        return Participant(check_address(account), Kind(kind), suspended, Role(roles), registered_at, key, name)

    def has_role(self, account: str, role: Role | str | int) -> bool:
        """Whether ``account`` is an active organisation holding ``role`` (``"hospital,pharmacy"`` or a mask)."""
        return bool(call(self.registry.functions.hasRole(check_address(account), int(parse_roles(role)))))

    def encryption_key(self, account: str) -> bytes:
        """The encryption key ``account`` registered (compressed secp256k1).

        Raises:
            ContractRevert: ``ParticipantNotRegistered``.
        """
        return bytes(call(self.registry.functions.encryptionKey(check_address(account))))

    def name_of(self, account: str) -> str:
        """The registered name of ``account``, or its address when it has none (cached)."""
        if account not in self._names:
            self._names[account] = call(self.registry.functions.participant(check_address(account)))[6] or account
        return self._names[account]
