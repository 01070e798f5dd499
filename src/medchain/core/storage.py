"""Content-addressed off-chain storage (IPFS) for MedChain records.

One interface, :class:`ContentStore`, and three backends:

* :class:`EmbeddedStore` keeps content on local disk, no server needed;
* :class:`KuboStore` talks to a Kubo node (or an IPFS Cluster proxy, or a js-ipfs
  daemon) over the ``/api/v0`` RPC with ``requests``;
* :class:`IpfsHttpClientStore` wraps an ``ipfshttpclient.Client`` an integrator
  already has.

Every backend names content by the CID Kubo's ``ipfs add`` would give it, computed
here in pure Python by :func:`compute_cid`, and checks that CID both ways: the CID a
node returns after ``add`` must be the one computed locally, and bytes read back by
``cat`` must hash to the CID they were requested by. A node that lies, or a file
tampered with on disk, raises :class:`~medchain.core.errors.IntegrityError`.

The CID layout is Kubo's default: UnixFS files in dag-pb, fixed-size 256 KiB chunks,
balanced DAG with at most 174 links per node, sha2-256. CIDv0 (``Qm...``) by default;
CIDv1 (``bafy...``/``bafk...``, base32) with raw leaves as an option.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import requests

from medchain.core.errors import (
    ConfigurationError,
    ContentNotFoundError,
    IntegrityError,
    InvalidCIDError,
    StorageError,
    StorageTimeoutError,
    StorageUnavailableError,
)
from medchain.core.files import write_atomic

__all__ = [
    "DAG_PB",
    "RAW",
    "SHA2_256",
    "ContentStore",
    "EmbeddedStore",
    "IpfsHttpClientStore",
    "KuboStore",
    "compute_cid",
    "normalise_cid",
    "open_store",
    "parse_cid",
    "verify_content",
]

DAG_PB = 0x70
RAW = 0x55
SHA2_256 = 0x12
DEFAULT_CHUNK_SIZE = 262144
MAX_LINKS = 174  # Kubo's balanced layout: links per internal node

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


# --------------------------------------------------------------------- encodings


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decode an unsigned varint at ``pos``; return ``(value, next_pos)``."""
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if byte == 0 and shift:
                raise ValueError("varint is not minimally encoded")
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, rem = divmod(n, 58)
        out.append(_B58[rem])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def _b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        if ch not in _B58_INDEX:
            raise ValueError(f"{ch!r} is not a base58btc character")
        n = n * 58 + _B58_INDEX[ch]
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + n.to_bytes((n.bit_length() + 7) // 8, "big")


def _b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _b32decode(text: str) -> bytes:
    try:
        return base64.b32decode(text.upper() + "=" * (-len(text) % 8))
    except binascii.Error:
        raise ValueError("not valid base32") from None


# ------------------------------------------------------------------ protobuf bits


def _pb_varint(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _pb_bytes(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _unixfs_file(data: bytes, filesize: int, blocksizes: list[int]) -> bytes:
    """UnixFS ``Data`` message of type File (field order as Kubo writes it)."""
    out = _pb_varint(1, 2)  # Type = File
    if data:
        out += _pb_bytes(2, data)
    out += _pb_varint(3, filesize)
    for size in blocksizes:
        out += _pb_varint(4, size)
    return out


def _dag_pb(links: list[tuple[bytes, int]], data: bytes) -> bytes:
    """Canonical dag-pb ``PBNode``: links (Hash, empty Name, Tsize) first, then Data."""
    out = b"".join(
        _pb_bytes(2, _pb_bytes(1, cid) + _pb_bytes(2, b"") + _pb_varint(3, tsize))
        for cid, tsize in links
    )
    return out + _pb_bytes(1, data)


# --------------------------------------------------------------------------- CIDs


def _multihash(block: bytes) -> bytes:
    return bytes([SHA2_256, 32]) + hashlib.sha256(block).digest()


def _cid_bytes(version: int, codec: int, multihash: bytes) -> bytes:
    if version == 0:
        return multihash
    return _varint(1) + _varint(codec) + multihash


def _cid_str(version: int, codec: int, multihash: bytes) -> str:
    if version == 0:
        return _b58encode(multihash)
    return "b" + _b32encode(_cid_bytes(1, codec, multihash))


def _effective_raw_leaves(cid_version: int, raw_leaves: bool | None) -> bool:
    if cid_version not in (0, 1):
        raise ConfigurationError(f"cid_version must be 0 or 1, not {cid_version!r}")
    return cid_version == 1 if raw_leaves is None else bool(raw_leaves)


def _file_root(
    data: bytes, cid_version: int, raw_leaves: bool, chunk_size: int
) -> tuple[int, int, bytes]:
    """Build the file DAG; return the root as ``(cid_version, codec, multihash)``."""
    if chunk_size <= 0:
        raise ConfigurationError(f"chunk_size must be positive, not {chunk_size}")
    view = memoryview(data)
    # A node while building: (cid bytes, Tsize = cumulative block bytes, file bytes).
    level: list[tuple[bytes, int, int]] = []
    root: tuple[int, int, bytes] = (0, 0, b"")
    for start in range(0, max(len(data), 1), chunk_size):
        chunk = bytes(view[start:start + chunk_size])
        if raw_leaves:
            block, root = chunk, (1, RAW, _multihash(chunk))
        else:
            block = _dag_pb([], _unixfs_file(chunk, len(chunk), []))
            root = (cid_version, DAG_PB, _multihash(block))
        level.append((_cid_bytes(*root), len(block), len(chunk)))
    while len(level) > 1:  # a single chunk is its own root
        parents = []
        for i in range(0, len(level), MAX_LINKS):
            children = level[i:i + MAX_LINKS]
            sizes = [filesize for _, _, filesize in children]
            block = _dag_pb(
                [(cid, tsize) for cid, tsize, _ in children],
                _unixfs_file(b"", sum(sizes), sizes),
            )
            root = (cid_version, DAG_PB, _multihash(block))
            tsize = len(block) + sum(tsize for _, tsize, _ in children)
            parents.append((_cid_bytes(*root), tsize, sum(sizes)))
        level = parents
    return root


def compute_cid(
    data: bytes,
    *,
    cid_version: int = 0,
    raw_leaves: bool | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> str:
    """Compute the CID Kubo's ``ipfs add`` gives ``data``, without any node.

    UnixFS file in dag-pb, fixed-size chunker, balanced layout (174 links per node),
    sha2-256. Raw leaves are always CIDv1 (as in Kubo), so a single-chunk input added
    with raw leaves has a raw CIDv1 even when ``cid_version`` is 0.

    Args:
        data: The file's bytes.
        cid_version: 0 (``Qm...``, base58btc) or 1 (``b...``, base32).
        raw_leaves: Store leaves as raw blocks instead of UnixFS nodes; ``None``
            means Kubo's default (on for CIDv1, off for CIDv0).
        chunk_size: Chunk size in bytes (Kubo's ``size-N`` chunker).

    Returns:
        The CID as a string.

    Raises:
        ConfigurationError: ``cid_version`` is not 0 or 1, or ``chunk_size`` <= 0.
    """
    raw = _effective_raw_leaves(cid_version, raw_leaves)
    return _cid_str(*_file_root(bytes(data), cid_version, raw, chunk_size))


def parse_cid(cid: str) -> tuple[int, int, bytes]:
    """Validate a CID string and split it.

    Accepts CIDv0 (base58btc ``Qm...``) and CIDv1 in base32 (``b``/``B``), base58btc
    (``z``) or base16 (``f``/``F``) multibase.

    Args:
        cid: The CID string.

    Returns:
        ``(version, codec, multihash)``; for CIDv0 the codec is dag-pb (0x70).

    Raises:
        InvalidCIDError: The string is not a well-formed CID; the message says why.
    """
    if not isinstance(cid, str) or not cid:
        raise InvalidCIDError(f"a CID must be a non-empty string, got {cid!r}")
    try:
        if len(cid) == 46 and cid.startswith("Qm"):
            multihash = _b58decode(cid)
            if len(multihash) != 34 or multihash[:2] != bytes([SHA2_256, 32]):
                raise ValueError("a CIDv0 must be a base58btc sha2-256 multihash")
            return 0, DAG_PB, multihash
        prefix, body = cid[0], cid[1:]
        if prefix == "b" and body == body.lower() or prefix == "B" and body == body.upper():
            raw = _b32decode(body)
        elif prefix == "z":
            raw = _b58decode(body)
        elif prefix in "fF" and body == (body.lower() if prefix == "f" else body.upper()):
            raw = bytes.fromhex(body)  # ValueError names the bad character
        else:
            raise ValueError(
                "not a CIDv0 (Qm..., 46 characters) and no supported multibase prefix "
                "(b, B, z, f, F) for a CIDv1"
            )
        version, pos = _read_varint(raw, 0)
        if version == SHA2_256:
            raise ValueError("a CIDv0 (bare multihash) cannot carry a multibase prefix")
        if version != 1:
            raise ValueError(f"unsupported CID version {version}")
        codec, pos = _read_varint(raw, pos)
        code, mh_pos = _read_varint(raw, pos)
        length, digest_pos = _read_varint(raw, mh_pos)
        if len(raw) - digest_pos != length:
            raise ValueError(
                f"multihash announces a {length}-byte digest, has {len(raw) - digest_pos}"
            )
        if code == SHA2_256 and length != 32:
            raise ValueError("a sha2-256 digest must be 32 bytes")
        return 1, codec, raw[pos:]
    except (ValueError, binascii.Error) as exc:
        raise InvalidCIDError(f"invalid CID {cid!r}: {exc}") from None


def normalise_cid(cid: str) -> str:
    """Return ``cid`` in canonical form: CIDv0 base58btc, CIDv1 lower-case base32.

    Raises:
        InvalidCIDError: ``cid`` is not a valid CID.
    """
    return _cid_str(*parse_cid(cid))


def _file_cid(cid: str) -> str:
    """Validate a CID that must name file content MedChain can verify; normalise it."""
    version, codec, multihash = parse_cid(cid)
    if codec not in (DAG_PB, RAW):
        raise InvalidCIDError(f"CID {cid} has codec 0x{codec:x}, not dag-pb or raw content")
    if multihash[0] != SHA2_256:
        raise InvalidCIDError(
            f"CID {cid} uses hash function 0x{multihash[0]:x}; only sha2-256 content "
            "can be verified"
        )
    return _cid_str(version, codec, multihash)


def verify_content(cid: str, data: bytes, *, raw_leaves: bool | None = None) -> None:
    """Check that ``data`` is the content ``cid`` names (Kubo's default layout).

    A raw CID must be the sha2-256 of the bytes; a dag-pb CID must be the root
    :func:`compute_cid` builds, with either leaf format (``raw_leaves`` is tried first).

    Raises:
        InvalidCIDError: ``cid`` is invalid or not sha2-256 dag-pb/raw content.
        IntegrityError: ``data`` does not hash to ``cid``.
    """
    version, codec, multihash = parse_cid(_file_cid(cid))
    if codec == RAW:
        if _multihash(data) == multihash:
            return
    else:
        first = _effective_raw_leaves(version, raw_leaves)
        for raw in (first, not first):
            if _file_root(data, version, raw, DEFAULT_CHUNK_SIZE) == (version, DAG_PB, multihash):
                return
    raise IntegrityError(
        f"content of {len(data)} bytes does not hash to {cid} (tampered, or not added "
        "with Kubo's default 256 KiB chunker and balanced layout)"
    )


# --------------------------------------------------------------------- interface


@runtime_checkable
class ContentStore(Protocol):
    """What MedChain needs from content-addressed storage."""

    @property
    def name(self) -> str:
        """Where the content lives, for messages and reports."""
        ...

    def add(self, data: bytes, *, pin: bool = True) -> str:
        """Store ``data`` and return its CID (pinned unless ``pin`` is false)."""
        ...

    def cat(self, cid: str, *, timeout: float | None = None) -> bytes:
        """Return the verified content of ``cid``."""
        ...

    def pin(self, cid: str) -> None:
        """Protect ``cid`` from garbage collection."""
        ...

    def unpin(self, cid: str) -> None:
        """Let ``cid`` be garbage-collected (no error if it was not pinned)."""
        ...

    def is_pinned(self, cid: str) -> bool:
        """Whether ``cid`` is pinned (recursively)."""
        ...

    def has(self, cid: str) -> bool:
        """Whether the content of ``cid`` is held locally."""
        ...


# ---------------------------------------------------------------------- embedded


class EmbeddedStore:
    """Content-addressed store on local disk, no IPFS node needed.

    Layout under ``root``: ``objects/<xx>/<cid>`` holds each file whole (named by
    its canonical CID), ``pins/<cid>`` marks pinned content, ``tmp/`` holds files
    being written (atomic rename into place). CIDs are the ones Kubo would give.
    ``gc()`` must not run while another process adds the same content unpinned.

    Args:
        root: Directory of the store (created if missing).
        cid_version: CID version of new content (0 or 1).
        raw_leaves: Leaf format; ``None`` means Kubo's default for the version.
    """

    def __init__(
        self, root: str | Path, *, cid_version: int = 0, raw_leaves: bool | None = None
    ):
        self.root = Path(root).expanduser()
        self.cid_version = cid_version
        self.raw_leaves = _effective_raw_leaves(cid_version, raw_leaves)
        try:
            for sub in ("objects", "pins", "tmp"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailableError(f"cannot use {self.root} as a store: {exc}") from exc

    @property
    def name(self) -> str:
        return f"embedded:{self.root}"

    def _object(self, key: str) -> Path:
        return self.root / "objects" / key[-2:] / key

    def _pin_marker(self, key: str) -> Path:
        return self.root / "pins" / key

    def add(self, data: bytes, *, pin: bool = True) -> str:
        """Store ``data`` atomically and return its CID.

        Args:
            data: The content.
            pin: Pin it (default), so ``gc()`` keeps it.

        Returns:
            The CID, as Kubo computes it with this store's settings.

        Raises:
            StorageError: The file cannot be written.
        """
        data = bytes(data)
        cid = compute_cid(data, cid_version=self.cid_version, raw_leaves=self.raw_leaves)
        try:
            if pin:  # pin before the object exists, so a concurrent gc() keeps it
                self._pin_marker(cid).touch()
            target = self._object(cid)
            target.parent.mkdir(exist_ok=True)
            write_atomic(target, data, tmp_dir=self.root / "tmp")
        except OSError as exc:
            raise StorageError(f"cannot write {cid} to {self.root}: {exc}") from exc
        return cid

    def cat(self, cid: str, *, timeout: float | None = None) -> bytes:
        """Read the content of ``cid`` and check it still hashes to ``cid``.

        Args:
            cid: The CID (any valid form of it).
            timeout: Ignored (local disk); accepted for interface compatibility.

        Returns:
            The content.

        Raises:
            InvalidCIDError: ``cid`` is not a valid file CID.
            ContentNotFoundError: The store does not hold ``cid``.
            IntegrityError: The file on disk was altered.
        """
        key = _file_cid(cid)
        try:
            data = self._object(key).read_bytes()
        except FileNotFoundError:
            raise ContentNotFoundError(f"{key} is not in {self.name}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {key} from {self.root}: {exc}") from exc
        try:
            verify_content(key, data, raw_leaves=self.raw_leaves)
        except IntegrityError as exc:
            raise IntegrityError(f"{self._object(key)} was altered on disk: {exc}") from None
        return data

    def has(self, cid: str) -> bool:
        """Whether the store holds ``cid``.

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
        """
        return self._object(normalise_cid(cid)).is_file()

    def pin(self, cid: str) -> None:
        """Pin ``cid`` so ``gc()`` keeps it.

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
            ContentNotFoundError: The store does not hold ``cid``.
        """
        key = normalise_cid(cid)
        if not self.has(key):
            raise ContentNotFoundError(f"cannot pin {key}: not in {self.name}")
        self._pin_marker(key).touch()

    def unpin(self, cid: str) -> None:
        """Unpin ``cid`` (no error if it was not pinned).

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
        """
        self._pin_marker(normalise_cid(cid)).unlink(missing_ok=True)

    def is_pinned(self, cid: str) -> bool:
        """Whether ``cid`` is pinned.

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
        """
        return self._pin_marker(normalise_cid(cid)).is_file()

    def gc(self) -> list[str]:
        """Delete unpinned content and stale temporary files.

        Returns:
            The CIDs removed.
        """
        removed = []
        for path in (self.root / "objects").glob("*/*"):
            if not self._pin_marker(path.name).exists():
                path.unlink(missing_ok=True)
                removed.append(path.name)
        for tmp in (self.root / "tmp").iterdir():
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink(missing_ok=True)
        return removed

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.root)!r}, cid_version={self.cid_version})"


# --------------------------------------------------------------------- RPC nodes

_TIMEOUT_MARKERS = ("timed out", "deadline exceeded", "timeout")
_ABSENT_MARKERS = ("not found", "could not find", "not pinned")


def _error_for(message: str, what: str) -> StorageError:
    """Map a node's error message to the right typed error."""
    lowered = message.lower()
    if any(m in lowered for m in _TIMEOUT_MARKERS):
        return StorageTimeoutError(f"{what}: the IPFS node timed out ({message})")
    return StorageError(f"{what}: {message}")


def _reason(exc: Exception) -> str:
    """The useful part of a ``requests`` connection error ("Connection refused")."""
    found = re.findall(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    return found[-1] if found else type(exc).__name__


def _absent(exc: StorageError) -> bool:
    """Whether a node error only says the content/pin is not there."""
    return not isinstance(exc, StorageUnavailableError) and any(
        m in str(exc).lower() for m in _ABSENT_MARKERS)


def _duration(seconds: float) -> str:
    """A duration both Kubo (Go) and js-ipfs parse."""
    return f"{max(1, round(seconds * 1000))}ms"


def _bool(flag: bool) -> str:
    return "true" if flag else "false"


class _VerifyingNode:
    """Shared logic of the RPC backends: options, CID checks, error mapping."""

    timeout: float
    cid_version: int
    raw_leaves: bool

    def _add_options(self, pin: bool) -> dict[str, str]:
        return {
            "cid-version": str(self.cid_version),
            "raw-leaves": _bool(self.raw_leaves),
            "chunker": f"size-{DEFAULT_CHUNK_SIZE}",
            "hash": "sha2-256",
            "pin": _bool(pin),
        }

    def _check_added(self, data: bytes, returned: Any) -> str:
        expected = compute_cid(data, cid_version=self.cid_version, raw_leaves=self.raw_leaves)
        try:
            same = parse_cid(str(returned)) == parse_cid(expected)
        except InvalidCIDError:
            same = False
        if not same:
            raise IntegrityError(
                f"{self.name} returned CID {returned!r} for {len(data)} bytes whose CID is "
                f"{expected} (node uses another chunker/layout, or altered the content)"
            )
        return expected

    def _check_read(self, cid: str, data: bytes) -> bytes:
        try:
            verify_content(cid, data, raw_leaves=self.raw_leaves)
        except IntegrityError as exc:
            raise IntegrityError(f"{self.name} served bad content for {cid}: {exc}") from None
        return data

    @property
    def name(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class KuboStore(_VerifyingNode):
    """Kubo RPC (``/api/v0``) over HTTP; also an IPFS Cluster proxy or js-ipfs daemon.

    Args:
        api_url: Base URL of the RPC API, e.g. ``http://127.0.0.1:5001``.
        timeout: Seconds any call may take (connect, node-side and read).
        cid_version: CID version of new content (0 or 1).
        raw_leaves: Leaf format; ``None`` means Kubo's default for the version.
        session: A ``requests.Session`` to use (auth headers, TLS settings...).
    """

    def __init__(
        self,
        api_url: str = "http://127.0.0.1:5001",
        *,
        timeout: float = 30.0,
        cid_version: int = 0,
        raw_leaves: bool | None = None,
        session: requests.Session | None = None,
    ):
        if not api_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"IPFS API URL must start with http:// or https://: {api_url!r}")
        if timeout <= 0:
            raise ConfigurationError(f"timeout must be positive, not {timeout}")
        self.api_url = api_url.rstrip("/")
        self.timeout = float(timeout)
        self.cid_version = cid_version
        self.raw_leaves = _effective_raw_leaves(cid_version, raw_leaves)
        self._session = session or requests.Session()

    @property
    def name(self) -> str:
        return f"kubo:{self.api_url}"

    def _call(
        self,
        command: str,
        params: dict[str, str],
        *,
        timeout: float | None = None,
        files: Any = None,
        stream: bool = False,
    ) -> requests.Response:
        """POST an RPC command; map transport and node errors to typed errors."""
        timeout = self.timeout if timeout is None else timeout
        url = f"{self.api_url}/api/v0/{command}"
        try:
            resp = self._session.post(
                url, params=params, files=files, stream=stream,
                timeout=(min(timeout, 10.0), timeout + 2.0),  # node's own timeout fires first
            )
        except requests.ConnectTimeout as exc:
            raise StorageUnavailableError(
                f"IPFS node at {self.api_url} cannot be reached (no connection within "
                f"{min(timeout, 10.0):g}s)") from exc
        except requests.ConnectionError as exc:
            raise StorageUnavailableError(
                f"IPFS node at {self.api_url} cannot be reached ({_reason(exc)})") from exc
        except requests.Timeout as exc:
            raise StorageTimeoutError(f"{command} on {self.api_url}: no answer within {timeout:g}s") from exc
        except requests.RequestException as exc:
            raise StorageError(f"{command} on {self.api_url} failed: {exc}") from exc
        if resp.status_code >= 400:
            try:
                message = str(resp.json()["Message"])
            except (ValueError, KeyError, TypeError):  # not a Kubo error answer
                message = f"HTTP {resp.status_code} {resp.reason} (is this a Kubo RPC API?)"
            resp.close()
            raise _error_for(message, f"{command} on {self.api_url}")
        return resp

    def version(self) -> dict[str, Any]:
        """The node's ``/api/v0/version`` answer (health check).

        Raises:
            StorageUnavailableError: The node cannot be reached.
            StorageError: It answered with an error.
        """
        return self._call("version", {}).json()

    def add(self, data: bytes, *, pin: bool = True) -> str:
        """Add ``data`` to the node and check the CID it returns.

        Args:
            data: The content.
            pin: Pin it on the node (default).

        Returns:
            The CID (canonical form).

        Raises:
            StorageUnavailableError: The node cannot be reached.
            StorageTimeoutError: It did not answer within ``timeout``.
            IntegrityError: Its CID differs from :func:`compute_cid` of ``data``.
            StorageError: Any other node error.
        """
        data = bytes(data)
        resp = self._call(
            "add", self._add_options(pin),
            files={"file": ("blob", data, "application/octet-stream")},
        )
        lines = [json.loads(line) for line in resp.text.splitlines() if line.strip()]
        hashes = [line["Hash"] for line in lines if isinstance(line, dict) and "Hash" in line]
        if not hashes:
            raise StorageError(f"add on {self.api_url} returned no CID: {resp.text[:200]!r}")
        return self._check_added(data, hashes[-1])

    def cat(self, cid: str, *, timeout: float | None = None) -> bytes:
        """Fetch the content of ``cid`` and check it hashes to ``cid``.

        Args:
            cid: The CID.
            timeout: Seconds allowed in total (default: the store's ``timeout``);
                sent to the node too, as content nobody provides never arrives.

        Returns:
            The content.

        Raises:
            InvalidCIDError: ``cid`` is not a valid file CID.
            StorageUnavailableError: The node cannot be reached.
            StorageTimeoutError: The content did not arrive in time.
            IntegrityError: The bytes do not hash to ``cid``.
            StorageError: Any other node error.
        """
        cid = _file_cid(cid)
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout + 2.0
        params = {"arg": cid, "timeout": _duration(timeout)}
        with self._call("cat", params, timeout=timeout, stream=True) as resp:
            parts = []
            try:
                for part in resp.iter_content(1 << 18):
                    parts.append(part)
                    if time.monotonic() > deadline:
                        raise StorageTimeoutError(
                            f"cat {cid} on {self.api_url}: not complete within {timeout:g}s")
            except requests.RequestException as exc:  # requests reports read timeouts here too
                kind = StorageTimeoutError if "timed out" in str(exc).lower() else StorageError
                raise kind(f"cat {cid} on {self.api_url}: stream broke: {exc}") from exc
            data = b"".join(parts)
            announced = resp.headers.get("X-Content-Length")
            if announced is not None and announced.isdigit() and int(announced) != len(data):
                raise StorageError(
                    f"cat {cid} on {self.api_url}: stream broke after {len(data)} of {announced} bytes"
                )
        return self._check_read(cid, data)

    def pin(self, cid: str) -> None:
        """Pin ``cid`` recursively on the node (fetching it if needed).

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
            StorageUnavailableError: The node cannot be reached.
            StorageTimeoutError: The content could not be fetched within ``timeout``.
            StorageError: Any other node error.
        """
        cid = normalise_cid(cid)
        self._call("pin/add", {"arg": cid, "recursive": "true", "timeout": _duration(self.timeout)})

    def unpin(self, cid: str) -> None:
        """Remove the recursive pin of ``cid`` (no error if it was not pinned).

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
            StorageUnavailableError: The node cannot be reached.
            StorageError: Any other node error.
        """
        cid = normalise_cid(cid)
        try:
            self._call("pin/rm", {"arg": cid, "recursive": "true"})
        except StorageError as exc:
            if not _absent(exc):
                raise

    def is_pinned(self, cid: str) -> bool:
        """Whether ``cid`` is pinned recursively on the node.

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
            StorageUnavailableError: The node cannot be reached.
        """
        cid = normalise_cid(cid)
        try:
            answer = self._call("pin/ls", {"arg": cid, "type": "recursive"}).text
        except StorageError as exc:
            if _absent(exc):
                return False
            raise
        return cid in {normalise_cid(k) for k in _pin_keys(answer)}

    def has(self, cid: str, *, timeout: float = 2.0) -> bool:
        """Whether the node holds the root block of ``cid`` locally.

        Kubo answers at once (``offline`` lookup); js-ipfs ignores ``offline`` and
        answers "not held" only after ``timeout``.

        Raises:
            InvalidCIDError: ``cid`` is not a valid CID.
            StorageUnavailableError: The node cannot be reached.
        """
        cid = normalise_cid(cid)
        params = {"arg": cid, "offline": "true", "timeout": _duration(timeout)}
        try:
            self._call("block/stat", params, timeout=timeout)
        except StorageTimeoutError:
            return False
        except StorageError as exc:
            if _absent(exc):
                return False
            raise
        return True

    def __repr__(self) -> str:
        return f"KuboStore({self.api_url!r}, cid_version={self.cid_version})"


def _pin_keys(answer: str) -> Iterator[str]:
    """CIDs in a ``pin/ls`` answer: Kubo ``{"Keys": {cid: ...}}`` or NDJSON ``{"Cid": ...}``."""
    for line in answer.splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if isinstance(obj.get("Keys"), dict):
            yield from obj["Keys"]
        elif "Cid" in obj:
            yield obj["Cid"]


class IpfsHttpClientStore(_VerifyingNode):
    """A :class:`ContentStore` over an existing ``ipfshttpclient.Client``.

    Create the client with ``ipfshttpclient.Client(addr)``: ``ipfshttpclient.connect()``
    refuses daemons newer than it knows. Same CID checks as :class:`KuboStore`.

    Args:
        client: The ``ipfshttpclient.Client``.
        timeout: Seconds any call may take.
        cid_version: CID version of new content (0 or 1).
        raw_leaves: Leaf format; ``None`` means Kubo's default for the version.
    """

    def __init__(
        self, client: Any, *, timeout: float = 30.0, cid_version: int = 0,
        raw_leaves: bool | None = None,
    ):
        self.client = client
        self.timeout = float(timeout)
        self.cid_version = cid_version
        self.raw_leaves = _effective_raw_leaves(cid_version, raw_leaves)

    @property
    def name(self) -> str:
        base = getattr(getattr(self.client, "_client", None), "_base_url", None)
        return f"ipfshttpclient:{base or self.client!r}"

    def _run(self, what: str, call: Callable[[], Any]) -> Any:
        """Run a client call; map ipfshttpclient's exceptions to typed errors."""
        from medchain.core.extras import require

        ipfs_exc = require("ipfshttpclient.exceptions", "ipfs-client", "IpfsHttpClientStore")

        try:
            return call()
        except ipfs_exc.ConnectionError as exc:
            raise StorageUnavailableError(f"{what}: {self.name} cannot be reached: {exc}") from exc
        except ipfs_exc.TimeoutError as exc:
            raise StorageTimeoutError(f"{what}: {self.name} did not answer in time") from exc
        except ipfs_exc.Error as exc:
            raise _error_for(str(exc), f"{what} on {self.name}") from exc

    def add(self, data: bytes, *, pin: bool = True) -> str:
        """Add ``data`` through the client; see :meth:`KuboStore.add`."""
        data = bytes(data)
        returned = self._run("add", lambda: self.client.add_bytes(
            data, opts=self._add_options(pin), timeout=self.timeout))
        return self._check_added(data, returned)

    def cat(self, cid: str, *, timeout: float | None = None) -> bytes:
        """Fetch and verify ``cid`` through the client; see :meth:`KuboStore.cat`."""
        cid = _file_cid(cid)
        timeout = self.timeout if timeout is None else timeout
        data = self._run(f"cat {cid}", lambda: self.client.cat(
            cid, opts={"timeout": _duration(timeout)}, timeout=timeout + 2.0))
        return self._check_read(cid, data)

    def pin(self, cid: str) -> None:
        """Pin ``cid`` recursively; see :meth:`KuboStore.pin`."""
        cid = normalise_cid(cid)
        self._run(f"pin {cid}", lambda: self.client.pin.add(
            cid, opts={"timeout": _duration(self.timeout)}, timeout=self.timeout + 2.0))

    def unpin(self, cid: str) -> None:
        """Unpin ``cid`` (no error if it was not pinned)."""
        cid = normalise_cid(cid)
        try:
            self._run(f"unpin {cid}", lambda: self.client.pin.rm(cid, timeout=self.timeout))
        except StorageError as exc:
            if not _absent(exc):
                raise

    def is_pinned(self, cid: str) -> bool:
        """Whether ``cid`` is pinned recursively."""
        cid = normalise_cid(cid)
        try:
            answer = self._run(f"pin ls {cid}", lambda: self.client.pin.ls(
                cid, type="recursive", timeout=self.timeout))
        except StorageError as exc:
            if _absent(exc):
                return False
            raise
        keys = answer.get("Keys") or {}
        return cid in {normalise_cid(k) for k in keys}

    def has(self, cid: str, *, timeout: float = 2.0) -> bool:
        """Whether the node holds the root block of ``cid``; see :meth:`KuboStore.has`."""
        cid = normalise_cid(cid)
        try:
            self._run(f"block stat {cid}", lambda: self.client.block.stat(
                cid, offline=True, opts={"timeout": _duration(timeout)}, timeout=timeout + 2.0))
        except StorageTimeoutError:
            return False
        except StorageError as exc:
            if _absent(exc):
                return False
            raise
        return True


# ------------------------------------------------------------------------ factory


def open_store(spec: str = "embedded", **options: Any) -> ContentStore:
    """Open a store from a short spec (CLI option, config file).

    Args:
        spec: ``"embedded"`` (directory ``$MEDCHAIN_IPFS_DIR`` or ``~/.medchain/ipfs``),
            ``"embedded:/path"``, or a Kubo RPC URL ``"http://host:port"``.
        **options: Passed to the backend (``cid_version``, ``raw_leaves``, ``timeout``
            for nodes).

    Returns:
        The store.

    Raises:
        ConfigurationError: The spec is not one of the forms above.
    """
    if not isinstance(spec, str):
        raise ConfigurationError(f"storage spec must be a string, not {type(spec).__name__}")
    spec = spec.strip()
    if spec == "embedded":
        root = os.environ.get("MEDCHAIN_IPFS_DIR") or Path.home() / ".medchain" / "ipfs"
        return EmbeddedStore(root, **options)
    if spec.startswith("embedded:"):
        path = spec[len("embedded:"):]
        if not path:
            raise ConfigurationError("storage spec 'embedded:' needs a directory after the colon")
        return EmbeddedStore(path, **options)
    if spec.startswith(("http://", "https://")):
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(spec)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise ConfigurationError(f"bad IPFS API URL {spec!r}: {exc}") from None
        if not parts.hostname:
            raise ConfigurationError(f"IPFS API URL {spec!r} has no host")
        return KuboStore(spec, **options)
    raise ConfigurationError(
        f"unknown storage spec {spec!r}: use 'embedded', 'embedded:/path' or "
        "'http://host:port' (Kubo RPC API)"
    )
