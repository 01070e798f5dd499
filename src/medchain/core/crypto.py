"""Record encryption for MedChain: sealing, key wrapping and a shreddable key vault.

Only well-kept primitives are used: AES-256-GCM and HKDF-SHA256 from ``cryptography``,
secp256k1 ECDH from ``coincurve`` (libsecp256k1). Nothing here invents a cipher.

Model
-----
A medical record (FHIR JSON bytes) is *sealed* under a fresh 256-bit **data key**.
The sealed blob goes to IPFS and its SHA-256 is anchored on chain; the blob never
contains the data key. The data key is *wrapped* (ECIES) once per reader for the
reader's published secp256k1 encryption key, and the wrapped keys live in a
:class:`KeyVault` off chain. Deleting every wrapped key of a record
(:meth:`KeyVault.shred`) makes every copy of the ciphertext unreadable
(crypto-shredding, for GDPR erasure).

Record context and AAD
----------------------
:class:`RecordContext` (patient address, 32-byte ``record_uid``, category index) is
bound to both the blob and the wrapped keys as AES-GCM associated data. Its encoding
(:meth:`RecordContext.aad`) has fixed-width fields only, so it is unambiguous::

    b"medchain.record.v1"   18 bytes  domain/version tag
    patient                 20 bytes  raw address
    record_uid              32 bytes
    category                 1 byte   catalogue bit index (0-255, see
                                      ``medchain.core.standards.consent_codes.Category``)

Sealed blob format, version 1 (binary, big-endian, 99 bytes of overhead)::

    offset  size  field
         0     4  magic b"MCRE"
         4     1  format version = 0x01
         5     1  algorithm = 0x01 (AES-256-GCM, HKDF-SHA256 key commitment)
         6     1  category index
         7    32  record_uid
        39    32  key commitment = HKDF-SHA256(ikm=data_key, salt=b"",
                  info=b"medchain.record.v1/key-commitment", L=32)
        71    12  nonce (random)
        83   n+16 AES-256-GCM(data_key, nonce, plaintext, aad=context.aad())
                  ciphertext followed by the 16-byte tag

The header repeats ``record_uid`` and ``category`` so a reader that knows the
patient can rebuild the context (:meth:`RecordContext.from_blob`); both are checked
against the context given to :func:`open_sealed` and are authenticated through the
AAD. The key commitment makes the blob key-committing (GCM alone is not) and lets
:func:`open_sealed` tell "wrong key" from "tampered". Every header byte is checked,
so changing any byte of a blob fails with :class:`~medchain.core.errors.DecryptionError`.

Wrapped key (ECIES over secp256k1), version 1:

1. ephemeral key pair ``e``; ``shared = ECDH(e, recipient)`` (libsecp256k1's
   standard ECDH: SHA-256 of the compressed shared point);
2. ``kek = HKDF-SHA256(ikm=shared, salt=eph_pub || recipient_pub,
   info=b"medchain.wrap.v1" || context.aad(), L=32)``;
3. ``ct = AES-256-GCM(kek, random 96-bit nonce, data_key, aad=salt || info)``.

:meth:`WrappedKey.to_dict` gives ``{"version", "alg", "recipient", "ephemeral",
"nonce", "ciphertext"}`` with ``0x``-prefixed hex values.

Limits: revoking a reader does not take back a data key the reader already
unwrapped; for that, re-seal the record under a new version. Overwriting a file
before deleting it does not guarantee erasure on SSDs or copy-on-write file systems;
the vault root should sit on encrypted storage whose own keys can be destroyed.
"""

from __future__ import annotations

import enum
import json
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import coincurve
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.constant_time import bytes_eq
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

from medchain.core.errors import (
    ConfigurationError,
    CryptoError,
    DecryptionError,
    InvalidKeyError,
    NotARecipientError,
)
from medchain.core.files import write_atomic

__all__ = [
    "EncryptionKeyPair",
    "KeyVault",
    "RecordContext",
    "WrappedKey",
    "open_sealed",
    "seal",
    "unwrap_key",
    "validate_public_key",
    "vault_record_key",
    "wrap_key",
]

DATA_KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16

_AAD_TAG = b"medchain.record.v1"
_COMMIT_INFO = b"medchain.record.v1/key-commitment"
_WRAP_INFO = b"medchain.wrap.v1"

BLOB_MAGIC = b"MCRE"
BLOB_VERSION = 1
ALG_AES256GCM = 1
_HEADER_SIZE = 4 + 1 + 1 + 1 + 32 + 32 + NONCE_SIZE  # 83

WRAP_VERSION = 1
WRAP_ALG = "ECIES-secp256k1-HKDF-SHA256-AES-256-GCM"


# --------------------------------------------------------------------------- keys


def _to_bytes(value: bytes | bytearray | memoryview | str, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        text = value[2:] if value[:2].lower() == "0x" else value
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise InvalidKeyError(f"{what} is not valid hex") from None
    raise InvalidKeyError(f"{what} must be bytes or a hex string, not {type(value).__name__}")


def validate_public_key(public_key: bytes) -> bytes:
    """Check a secp256k1 public key and return it compressed.

    Args:
        public_key: 33-byte compressed (``02``/``03`` prefix) or 65-byte uncompressed
            (``04`` prefix) SEC1 encoding.

    Returns:
        The 33-byte compressed encoding.

    Raises:
        InvalidKeyError: Wrong type, length or prefix, or not a point on the curve.
    """
    if not isinstance(public_key, (bytes, bytearray, memoryview)):
        raise InvalidKeyError(f"public key must be bytes, not {type(public_key).__name__}")
    raw = bytes(public_key)
    if not ((len(raw) == 33 and raw[0] in (2, 3)) or (len(raw) == 65 and raw[0] == 4)):
        raise InvalidKeyError(
            f"public key must be 33 bytes (02/03 prefix) or 65 bytes (04 prefix), "
            f"got {len(raw)} bytes" + (f" with prefix {raw[0]:02x}" if raw else "")
        )
    try:
        return coincurve.PublicKey(raw).format(compressed=True)
    except ValueError:
        raise InvalidKeyError("public key is not a point on secp256k1") from None


@dataclass(frozen=True)
class EncryptionKeyPair:
    """A secp256k1 key pair used to receive wrapped data keys.

    Attributes:
        private_key: The 32-byte secret scalar (hidden from ``repr``).
    """

    private_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        key = _to_bytes(self.private_key, "private key")
        if len(key) != 32:
            raise InvalidKeyError(f"private key must be 32 bytes, got {len(key)}")
        try:
            coincurve.PrivateKey(key)
        except ValueError:
            raise InvalidKeyError("private key is out of range for secp256k1") from None
        object.__setattr__(self, "private_key", key)

    @classmethod
    def generate(cls) -> EncryptionKeyPair:
        """Create a key pair from the operating system's CSPRNG.

        Returns:
            A new key pair.
        """
        return cls(coincurve.PrivateKey().secret)

    @classmethod
    def from_private_key(cls, private_key: bytes | str) -> EncryptionKeyPair:
        """Load a key pair from its secret (an Ethereum account key works too).

        Args:
            private_key: 32 bytes, or 64 hex digits with or without ``0x``.

        Returns:
            The key pair.

        Raises:
            InvalidKeyError: Not 32 bytes of hex/bytes, or zero / not below the curve order.
        """
        return cls(_to_bytes(private_key, "private key"))

    @property
    def public_key(self) -> bytes:
        """The 33-byte compressed public key to publish in the registry."""
        return coincurve.PrivateKey(self.private_key).public_key.format(compressed=True)


# ------------------------------------------------------------------------ context


def _normalise_address(address: str, what: str) -> str:
    if not isinstance(address, str) or not is_hex_address(address):
        raise ConfigurationError(f"{what} {address!r} is not a 20-byte hex address")
    body = address[2:] if address[:2].lower() == "0x" else address
    if body not in (body.lower(), body.upper()) and not is_checksum_address(address):
        raise ConfigurationError(f"{what} {address!r} has a bad EIP-55 checksum")
    return to_checksum_address(address)


@dataclass(frozen=True)
class RecordContext:
    """What a sealed record and its wrapped keys are bound to.

    Attributes:
        patient: The patient's address; lowercase or EIP-55 input, stored checksummed.
        record_uid: 32 random bytes naming the record lineage (hex ``0x`` string accepted).
        category: The record's catalogue bit index, 0-255. A single-bit ``IntFlag``
            member (e.g. ``Category.CARDIOLOGY``) is turned into its index.

    Raises:
        ConfigurationError: Bad address, record_uid or category.
    """

    patient: str
    record_uid: bytes
    category: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "patient", _normalise_address(self.patient, "patient"))
        uid = self.record_uid
        if isinstance(uid, str):
            try:
                uid = bytes.fromhex(uid[2:] if uid[:2].lower() == "0x" else uid)
            except ValueError:
                raise ConfigurationError("record_uid is not valid hex") from None
        if not isinstance(uid, (bytes, bytearray)) or len(uid) != 32:
            raise ConfigurationError("record_uid must be exactly 32 bytes")
        object.__setattr__(self, "record_uid", bytes(uid))
        category = self.category
        if isinstance(category, enum.Flag):
            value = int(category)
            if value <= 0 or value & (value - 1):
                raise ConfigurationError("category flag must be exactly one category")
            category = value.bit_length() - 1
        if isinstance(category, bool) or not isinstance(category, int) or not 0 <= category <= 255:
            raise ConfigurationError(f"category must be a bit index 0-255, got {self.category!r}")
        object.__setattr__(self, "category", int(category))

    @classmethod
    def new(cls, patient: str, category: int) -> RecordContext:
        """Start a new record lineage with a random ``record_uid``.

        Args:
            patient: The patient's address.
            category: The catalogue bit index.

        Returns:
            The context.
        """
        return cls(patient, os.urandom(32), category)

    @classmethod
    def from_blob(cls, blob: bytes, patient: str) -> RecordContext:
        """Rebuild the context of a sealed blob from its header and the patient.

        Args:
            blob: A sealed record.
            patient: The patient's address (not stored in the blob).

        Returns:
            The context to pass to :func:`open_sealed`.

        Raises:
            DecryptionError: The blob is not a MedChain sealed record.
        """
        category, uid, _, _, _ = _parse_blob(blob)
        return cls(patient, uid, category)

    def aad(self) -> bytes:
        """The canonical associated-data encoding (fixed width, see module docstring).

        Returns:
            71 bytes.
        """
        return _AAD_TAG + bytes.fromhex(self.patient[2:]) + self.record_uid + bytes([self.category])


# ------------------------------------------------------------------------- sealing


def _commitment(data_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_COMMIT_INFO).derive(data_key)


def _check_data_key(data_key: bytes) -> bytes:
    if not isinstance(data_key, (bytes, bytearray, memoryview)) or len(data_key) != DATA_KEY_SIZE:
        raise InvalidKeyError(f"data key must be {DATA_KEY_SIZE} bytes")
    return bytes(data_key)


def seal(plaintext: bytes, context: RecordContext) -> tuple[bytes, bytes]:
    """Encrypt a record under a fresh data key.

    Args:
        plaintext: The record bytes (e.g. canonical FHIR JSON).
        context: What the record is bound to.

    Returns:
        ``(blob, data_key)``: the self-describing ciphertext for IPFS, and the 32-byte
        data key to wrap for readers. Never store the data key next to the blob.

    Raises:
        CryptoError: ``plaintext`` is not bytes.
    """
    if not isinstance(plaintext, (bytes, bytearray, memoryview)):
        raise CryptoError(f"plaintext must be bytes, not {type(plaintext).__name__}")
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_SIZE)
    body = AESGCM(data_key).encrypt(nonce, bytes(plaintext), context.aad())
    header = (
        BLOB_MAGIC
        + bytes([BLOB_VERSION, ALG_AES256GCM, context.category])
        + context.record_uid
        + _commitment(data_key)
        + nonce
    )
    return header + body, data_key


def _parse_blob(blob: bytes) -> tuple[int, bytes, bytes, bytes, bytes]:
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise DecryptionError("sealed record must be bytes")
    blob = bytes(blob)
    if len(blob) < _HEADER_SIZE + TAG_SIZE:
        raise DecryptionError(f"sealed record is truncated ({len(blob)} bytes)")
    if blob[:4] != BLOB_MAGIC:
        raise DecryptionError("not a MedChain sealed record (bad magic)")
    if blob[4] != BLOB_VERSION:
        raise DecryptionError(f"unsupported sealed record version {blob[4]}")
    if blob[5] != ALG_AES256GCM:
        raise DecryptionError(f"unsupported sealed record algorithm {blob[5]}")
    return blob[6], blob[7:39], blob[39:71], blob[71:83], blob[83:]


def open_sealed(blob: bytes, data_key: bytes, context: RecordContext) -> bytes:
    """Decrypt and authenticate a sealed record.

    Args:
        blob: The sealed record from :func:`seal`.
        data_key: The 32-byte data key (from :func:`unwrap_key`).
        context: The context the record was sealed for.

    Returns:
        The plaintext.

    Raises:
        InvalidKeyError: ``data_key`` is not 32 bytes.
        DecryptionError: Malformed blob; record_uid/category differ from the context;
            the key is not the record's key; or the tag fails (ciphertext modified,
            or another patient in the context). The message says which.
    """
    data_key = _check_data_key(data_key)
    category, uid, commitment, nonce, body = _parse_blob(blob)
    if uid != context.record_uid or category != context.category:
        raise DecryptionError(
            "sealed record belongs to another record_uid or category than the context given"
        )
    if not bytes_eq(commitment, _commitment(data_key)):
        raise DecryptionError("wrong data key: it does not match the record's key commitment")
    try:
        return AESGCM(data_key).decrypt(nonce, body, context.aad())
    except InvalidTag:
        raise DecryptionError(
            "authentication failed: the ciphertext was modified, or the record was "
            "sealed for another patient"
        ) from None


# ------------------------------------------------------------------- key wrapping


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted for one reader (ECIES over secp256k1, see module docstring).

    Attributes:
        recipient: The reader's 33-byte compressed public key.
        ephemeral: The sender's 33-byte compressed ephemeral public key.
        nonce: The 12-byte AES-GCM nonce.
        ciphertext: The encrypted data key and its tag (48 bytes).
    """

    recipient: bytes
    ephemeral: bytes
    nonce: bytes
    ciphertext: bytes
    version: int = WRAP_VERSION
    alg: str = WRAP_ALG

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a JSON-able dict with ``0x`` hex fields.

        Returns:
            ``{"version", "alg", "recipient", "ephemeral", "nonce", "ciphertext"}``.
        """
        return {
            "version": self.version,
            "alg": self.alg,
            "recipient": "0x" + self.recipient.hex(),
            "ephemeral": "0x" + self.ephemeral.hex(),
            "nonce": "0x" + self.nonce.hex(),
            "ciphertext": "0x" + self.ciphertext.hex(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WrappedKey:
        """Parse the output of :meth:`to_dict`.

        Args:
            data: The dict.

        Returns:
            The wrapped key.

        Raises:
            InvalidKeyError: Missing field, bad hex, wrong length, or unknown version/alg.
        """
        if not isinstance(data, Mapping):
            raise InvalidKeyError("wrapped key must be a mapping")
        if data.get("version") != WRAP_VERSION or data.get("alg") != WRAP_ALG:
            raise InvalidKeyError(
                f"unsupported wrapped key version/alg {data.get('version')!r}/{data.get('alg')!r}"
            )
        sizes = {"recipient": 33, "ephemeral": 33, "nonce": NONCE_SIZE, "ciphertext": DATA_KEY_SIZE + TAG_SIZE}
        fields: dict[str, bytes] = {}
        for name, size in sizes.items():
            if name not in data:
                raise InvalidKeyError(f"wrapped key lacks {name!r}")
            value = _to_bytes(data[name], f"wrapped key {name}")
            if len(value) != size:
                raise InvalidKeyError(f"wrapped key {name} must be {size} bytes, got {len(value)}")
            fields[name] = value
        return cls(recipient=fields["recipient"], ephemeral=fields["ephemeral"], nonce=fields["nonce"],
                   ciphertext=fields["ciphertext"])


def _kek(shared: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(shared)


def wrap_key(data_key: bytes, recipient_public_key: bytes, context: RecordContext) -> WrappedKey:
    """Encrypt a data key for one reader.

    Args:
        data_key: The 32-byte data key from :func:`seal`.
        recipient_public_key: The reader's registered encryption key (33 or 65 bytes).
        context: The record's context (bound into the key derivation and AAD).

    Returns:
        The wrapped key.

    Raises:
        InvalidKeyError: Bad data key or public key.
    """
    data_key = _check_data_key(data_key)
    recipient = validate_public_key(recipient_public_key)
    ephemeral = coincurve.PrivateKey()
    eph_pub = ephemeral.public_key.format(compressed=True)
    salt = eph_pub + recipient
    info = _WRAP_INFO + context.aad()
    kek = _kek(ephemeral.ecdh(recipient), salt, info)
    nonce = os.urandom(NONCE_SIZE)
    ciphertext = AESGCM(kek).encrypt(nonce, data_key, salt + info)
    return WrappedKey(recipient=recipient, ephemeral=eph_pub, nonce=nonce, ciphertext=ciphertext)


def unwrap_key(wrapped: WrappedKey, keypair: EncryptionKeyPair, context: RecordContext) -> bytes:
    """Recover a data key with the reader's key pair.

    Args:
        wrapped: The wrapped key from the vault.
        keypair: The reader's encryption key pair.
        context: The record's context.

    Returns:
        The 32-byte data key.

    Raises:
        NotARecipientError: The key was wrapped for another public key.
        DecryptionError: The wrapped key was modified, or the context differs.
    """
    if wrapped.version != WRAP_VERSION or wrapped.alg != WRAP_ALG:
        raise DecryptionError(f"unsupported wrapped key version/alg {wrapped.version}/{wrapped.alg}")
    if not bytes_eq(bytes(wrapped.recipient), keypair.public_key):
        raise NotARecipientError("this data key was wrapped for another public key")
    salt = bytes(wrapped.ephemeral) + keypair.public_key
    info = _WRAP_INFO + context.aad()
    try:
        shared = coincurve.PrivateKey(keypair.private_key).ecdh(bytes(wrapped.ephemeral))
    except ValueError:
        raise DecryptionError("wrapped key is corrupt: ephemeral key is not a valid point") from None
    try:
        return AESGCM(_kek(shared, salt, info)).decrypt(bytes(wrapped.nonce), bytes(wrapped.ciphertext), salt + info)
    except (InvalidTag, ValueError):
        raise DecryptionError(
            "wrapped key failed authentication: it was modified, or belongs to another record context"
        ) from None


# ----------------------------------------------------------------------- key vault

_RECORD_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_VAULT_FORMAT = "medchain-keyvault/1"


def vault_record_key(record_uid: bytes, version: int) -> str:
    """The vault key for one version of a record lineage.

    Args:
        record_uid: The 32-byte record_uid.
        version: The record version (>= 0).

    Returns:
        ``"<64 hex digits>-v<version>"``.

    Raises:
        ConfigurationError: Bad record_uid or version.
    """
    if not isinstance(record_uid, (bytes, bytearray)) or len(record_uid) != 32:
        raise ConfigurationError("record_uid must be exactly 32 bytes")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ConfigurationError("record version must be a non-negative integer")
    return f"{bytes(record_uid).hex()}-v{version}"


def _check_record_key(record_key: str) -> str:
    if not isinstance(record_key, str) or not _RECORD_KEY_RE.fullmatch(record_key):
        raise ConfigurationError(f"bad vault record key {record_key!r}")
    return record_key


def _normalise_reader(reader: str) -> str:
    if not isinstance(reader, str) or not reader.strip():
        raise ConfigurationError("reader must be a non-empty string")
    reader = reader.strip()
    return _normalise_address(reader, "reader") if is_hex_address(reader) else reader


class KeyVault:
    """The off-chain, deletable store of wrapped data keys.

    On disk (``root`` given) each record key has one JSON file
    ``<root>/<record_key>.json`` mapping readers to wrapped keys, written atomically
    (temp file, fsync, rename) with mode 0600; a shredded record leaves a
    ``<record_key>.shredded`` tombstone that holds no key material. With
    ``root=None`` the vault lives in memory (tests, short-lived tools). Safe for
    threads of one process; use one writer process per root.

    Readers are Ethereum addresses (normalised to EIP-55) or other non-empty labels.

    Args:
        root: The vault directory (created if missing), or ``None`` for memory.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None):
        self.root = None if root is None else Path(root)
        self._lock = threading.RLock()
        self._memory: dict[str, dict[str, dict[str, Any]]] = {}
        self._shredded: set[str] = set()
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    # -- storage helpers
    def _path(self, record_key: str, suffix: str) -> Path:
        assert self.root is not None
        return self.root / f"{record_key}{suffix}"

    def _load(self, record_key: str) -> dict[str, dict[str, Any]]:
        if self.root is None:
            return {k: dict(v) for k, v in self._memory.get(record_key, {}).items()}
        path = self._path(record_key, ".json")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise CryptoError(f"key vault file {path} is unreadable: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != _VAULT_FORMAT:
            raise CryptoError(f"key vault file {path} has an unknown format")
        return dict(data.get("readers", {}))

    def _write_atomic(self, path: Path, payload: bytes) -> None:
        write_atomic(path, payload)
        self._fsync_dir()

    def _fsync_dir(self) -> None:
        assert self.root is not None
        try:
            dfd = os.open(self.root, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)

    def _store(self, record_key: str, readers: dict[str, dict[str, Any]]) -> None:
        if self.root is None:
            self._memory[record_key] = readers
            return
        doc = {"format": _VAULT_FORMAT, "record_key": record_key, "readers": readers}
        self._write_atomic(self._path(record_key, ".json"), json.dumps(doc, sort_keys=True).encode())

    # -- public API
    def is_shredded(self, record_key: str) -> bool:
        """Whether :meth:`shred` was called for ``record_key``.

        Args:
            record_key: The record key.

        Returns:
            True once the record's keys were destroyed.
        """
        record_key = _check_record_key(record_key)
        if self.root is None:
            return record_key in self._shredded
        return self._path(record_key, ".shredded").exists()

    def put(self, record_key: str, reader: str, wrapped: WrappedKey) -> None:
        """Store (or replace) a reader's wrapped key.

        Args:
            record_key: The record key (see :func:`vault_record_key`).
            reader: The reader's address or label.
            wrapped: The wrapped data key.

        Raises:
            ConfigurationError: Bad record key or reader.
            CryptoError: The record was shredded; it cannot get keys again.
        """
        record_key = _check_record_key(record_key)
        reader = _normalise_reader(reader)
        if not isinstance(wrapped, WrappedKey):
            raise ConfigurationError("wrapped must be a WrappedKey")
        with self._lock:
            if self.is_shredded(record_key):
                raise CryptoError(f"record {record_key} was crypto-shredded; it takes no new keys")
            readers = self._load(record_key)
            readers[reader] = wrapped.to_dict()
            self._store(record_key, readers)

    def get(self, record_key: str, reader: str) -> WrappedKey:
        """Fetch a reader's wrapped key.

        Args:
            record_key: The record key.
            reader: The reader's address or label.

        Returns:
            The wrapped key.

        Raises:
            NotARecipientError: The reader has no key (never granted, revoked, or shredded).
        """
        record_key = _check_record_key(record_key)
        reader = _normalise_reader(reader)
        with self._lock:
            if self.is_shredded(record_key):
                raise NotARecipientError(f"record {record_key} was crypto-shredded")
            entry = self._load(record_key).get(reader)
        if entry is None:
            raise NotARecipientError(f"{reader} holds no wrapped key for record {record_key}")
        return WrappedKey.from_dict(entry)

    def readers(self, record_key: str) -> list[str]:
        """The readers holding a wrapped key for a record, sorted.

        Args:
            record_key: The record key.

        Returns:
            Reader names (empty for unknown or shredded records).
        """
        record_key = _check_record_key(record_key)
        with self._lock:
            return sorted(self._load(record_key))

    def revoke(self, record_key: str, reader: str) -> None:
        """Delete one reader's wrapped key.

        Args:
            record_key: The record key.
            reader: The reader's address or label.

        Raises:
            NotARecipientError: The reader held no key for the record.
        """
        record_key = _check_record_key(record_key)
        reader = _normalise_reader(reader)
        with self._lock:
            readers = self._load(record_key)
            if reader not in readers:
                raise NotARecipientError(f"{reader} holds no wrapped key for record {record_key}")
            del readers[reader]
            self._store(record_key, readers)

    def shred(self, record_key: str) -> None:
        """Destroy every wrapped key of a record (crypto-shredding).

        The key file is overwritten with random bytes, synced and deleted, and a
        tombstone is left so :meth:`is_shredded` answers and no key can be added
        back. Idempotent.

        Args:
            record_key: The record key.
        """
        record_key = _check_record_key(record_key)
        with self._lock:
            if self.root is None:
                self._memory.pop(record_key, None)
                self._shredded.add(record_key)
                return
            path = self._path(record_key, ".json")
            try:
                with open(path, "r+b") as fh:
                    size = os.fstat(fh.fileno()).st_size
                    fh.write(os.urandom(size))
                    fh.flush()
                    os.fsync(fh.fileno())
                path.unlink()
            except FileNotFoundError:
                pass
            tomb = json.dumps({"record_key": record_key, "shredded_at": int(time.time())})
            self._write_atomic(self._path(record_key, ".shredded"), tomb.encode())
