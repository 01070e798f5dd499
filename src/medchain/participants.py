"""Client of the ParticipantRegistry: organisations, roles, suspension and encryption keys."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag

from coincurve import PublicKey
from eth_account.signers.local import LocalAccount
from web3 import Web3

from .deploy import Suite
from .errors import InvalidInputError, InvalidKeyError
from .tx import Receipt, Sender, call


class Role(IntFlag):
    """Organisation roles; the values are the contract's bits (``Roles`` in IParticipantRegistry.sol)."""

    HOSPITAL = 1 << 0
    MANUFACTURER = 1 << 1
    DISTRIBUTOR = 1 << 2
    PHARMACY = 1 << 3
    INSURER = 1 << 4
    RESEARCHER = 1 << 5
    REGULATOR = 1 << 6
    SENSOR_GATEWAY = 1 << 7


class Kind(IntEnum):
    NONE = 0
    ORGANIZATION = 1
    PATIENT = 2


def parse_roles(text: str | Role | int) -> Role:
    """``"hospital,pharmacy"`` → ``Role.HOSPITAL | Role.PHARMACY``.

    Raises:
        InvalidInputError: an unknown or empty role list.
    """
    if isinstance(text, int):
        return Role(text)
    names = [n.strip().upper().replace("-", "_").replace(" ", "_") for n in text.split(",") if n.strip()]
    if not names:
        raise InvalidInputError("no role given; roles: " + ", ".join(r.name.lower() for r in Role))
    mask = Role(0)
    for n in names:
        if n not in Role.__members__:
            raise InvalidInputError(f"unknown role {n.lower()!r}; roles: " + ", ".join(r.name.lower() for r in Role))
        mask |= Role[n]
    return mask


def encryption_key_of(account: LocalAccount) -> bytes:
    """The compressed secp256k1 public key of an account's own key (usable as its encryption key)."""
    return PublicKey.from_secret(bytes(account.key)).format(compressed=True)


def check_encryption_key(key: bytes | str) -> bytes:
    """Validate a secp256k1 public key (33 or 65 bytes, or hex) and return it compressed.

    Raises:
        InvalidKeyError: not a point on the curve.
    """
    if isinstance(key, str):
        try:
            key = bytes.fromhex(key.removeprefix("0x"))
        except ValueError:
            raise InvalidKeyError("encryption key is not hex") from None
    try:
        return PublicKey(bytes(key)).format(compressed=True)
    except Exception:  # noqa: BLE001 - coincurve raises ValueError/TypeError
        raise InvalidKeyError(f"encryption key is not a valid secp256k1 public key ({len(key)} bytes)") from None


def check_address(value: str, what: str = "address") -> str:
    """Checksum an address given by a user.

    Raises:
        InvalidInputError: not a 20-byte hex address.
    """
    if not isinstance(value, str) or not Web3.is_address(value):
        raise InvalidInputError(f"{what} {value!r} is not an Ethereum address (0x + 40 hex digits)")
    return Web3.to_checksum_address(value)


@dataclass(frozen=True)
class Participant:
    address: str
    kind: Kind
    suspended: bool
    roles: Role
    registered_at: int
    encryption_key: bytes
    name: str

    @property
    def active(self) -> bool:
        return self.kind == Kind.ORGANIZATION and not self.suspended


class ParticipantsClient:
    """Register and look up participants.

    Args:
        suite: The deployed suite.
        sender: Who signs the transactions (governance for registration and roles).
    """

    def __init__(self, suite: Suite, sender: Sender | None = None):
        self.suite = suite
        self.sender = sender
        self.contract = suite.contract("ParticipantRegistry")

    def _send(self, fn) -> Receipt:  # type: ignore[no-untyped-def]
        if self.sender is None:
            raise InvalidInputError("this client was opened read-only (no account)")
        return self.sender.transact(fn)  # type: ignore[return-value]

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
        assert self.sender is not None
        key = check_encryption_key(encryption_key) if encryption_key is not None else encryption_key_of(self.sender.account)
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
        kind, suspended, roles, registered_at, prefix, x, name = call(
            self.contract.functions.participant(check_address(account)))
        key = bytes(prefix) + bytes(x) if kind else b""
        return Participant(check_address(account), Kind(kind), suspended, Role(roles), registered_at, key, name)

    def has_role(self, account: str, role: Role | str) -> bool:
        return bool(call(self.contract.functions.hasRole(check_address(account), int(parse_roles(role)))))

    def governance(self) -> str:
        return call(self.contract.functions.owner())

    def encryption_key(self, account: str) -> bytes:
        """The registered encryption key of ``account``.

        Raises:
            ContractRevert: ``ParticipantNotRegistered``.
        """
        return bytes(call(self.contract.functions.encryptionKey(check_address(account))))
