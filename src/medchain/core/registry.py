"""What every contract asks of the ParticipantRegistry, the core of the suite: roles, kinds of
participant, addresses and encryption keys (pure values: no chain access here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag

from coincurve import PublicKey
from eth_account.signers.local import LocalAccount
from web3 import Web3

from medchain.core.errors import InvalidInputError, InvalidKeyError


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
        raise InvalidInputError("no role given; roles: " + ", ".join(name.lower() for name in Role.__members__))
    mask = Role(0)
    for n in names:
        if n not in Role.__members__:
            raise InvalidInputError(f"unknown role {n.lower()!r}; roles: " + ", ".join(name.lower() for name in Role.__members__))
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

    An all-lower or all-upper case address is taken as it is; a mixed-case one must carry a valid
    EIP-55 checksum (a typo in a checksummed address is caught, not silently accepted).

    Raises:
        InvalidInputError: not a 20-byte hex address, or a mixed-case address with a wrong checksum.
    """
    if not isinstance(value, str) or not Web3.is_address(value):
        raise InvalidInputError(f"{what} {value!r} is not an Ethereum address (0x + 40 hex digits)")
    checksummed = Web3.to_checksum_address(value)
    digits = value[2:] if value[:2] in ("0x", "0X") else value
    if digits not in (digits.lower(), digits.upper()) and value != checksummed:
        raise InvalidInputError(f"{what} {value} has a wrong EIP-55 checksum (mixed case): check it for a typo; "
                                f"the checksummed form of these digits is {checksummed}")
    return checksummed


@dataclass(frozen=True)
class Participant:
    """A participant as the registry records it."""

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
