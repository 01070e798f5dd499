"""Client of the ParticipantRegistry: organisations, roles, suspension and encryption keys."""

from __future__ import annotations

from web3 import Web3

from medchain.core.client import ContractClient
from medchain.core.errors import InvalidInputError
from medchain.core.registry import Participant, Role, check_address, check_encryption_key, encryption_key_of, parse_roles
from medchain.core.tx import Receipt, call


class ParticipantsClient(ContractClient):
    """Register and look up participants.

    Args:
        suite: The deployed suite.
        sender: Who signs the transactions (governance for registration and roles).
    """

    CONTRACT = "ParticipantRegistry"

    # --------------------------------------------------------------- update
    def register_organization(self, account: str, name: str, roles: Role | str | int, encryption_key: bytes | str) -> Receipt:
        """Register an organisation (governance only).

        Raises:
            InvalidInputError: bad address, role or name. InvalidKeyError: bad key.
            ContractRevert: e.g. ``ParticipantAlreadyRegistered``, ``OwnableUnauthorizedAccount``.
        """
        if not name or len(name.encode()) > 128:
            raise InvalidInputError("organisation name must have 1 to 128 bytes")
        return self._send(self.contract.functions.registerOrganization(
            check_address(account), name, int(parse_roles(roles)), check_encryption_key(encryption_key)))

    def set_roles(self, account: str, roles: Role | str | int) -> Receipt:
        return self._send(self.contract.functions.setRoles(check_address(account), int(parse_roles(roles))))

    def suspend(self, account: str, reason: str) -> Receipt:
        """Suspend an organisation; the reason's keccak256 goes on chain (the text stays off chain)."""
        return self._send(self.contract.functions.suspend(check_address(account), Web3.keccak(text=reason)))

    def reactivate(self, account: str) -> Receipt:
        return self._send(self.contract.functions.reactivate(check_address(account)))

    def register_patient(self, encryption_key: bytes | str | None = None) -> Receipt:
        """Register the sender as a patient (default key: the sender's own public key)."""
        if encryption_key is None:
            if self.sender is None:
                raise InvalidInputError("this client was opened read-only (no account)")
            encryption_key = encryption_key_of(self.sender.account)
        key = check_encryption_key(encryption_key)
        return self._send(self.contract.functions.registerPatient(key))

    def set_encryption_key(self, encryption_key: bytes | str) -> Receipt:
        return self._send(self.contract.functions.setEncryptionKey(check_encryption_key(encryption_key)))

    def transfer_governance(self, new_governance: str) -> Receipt:
        """Step one of the two-step governance transfer (the new account must accept)."""
        return self._send(self.contract.functions.transferOwnership(check_address(new_governance)))

    def accept_governance(self) -> Receipt:
        return self._send(self.contract.functions.acceptOwnership())

    # --------------------------------------------------------------- read
    def get(self, account: str) -> Participant:
        """The participant record of ``account`` (kind ``NONE`` when unknown)."""
        return self.participant(account)

    def governance(self) -> str:
        return call(self.contract.functions.owner())
