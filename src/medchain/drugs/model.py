"""The records of drug batch tracing: products, batches, shipments, readings, serial trees.

One drug, one code: a batch's unit serials are committed on chain as the root of a Merkle tree
built here (:class:`SerialTree`, sorted-pair keccak256 as OpenZeppelin ``MerkleProof`` verifies:
:mod:`medchain.core.merkle`), leaf ``keccak256(keccak256(abi.encode(batchId, index, serial)))``.
A unit is dispensed, and a pack verified, with its serial, its index and its proof; the tree
comes from the manufacturer's serial file (who holds it can serve proofs: the manufacturer, its
trading partners, a verification portal).

Units: temperatures in °C (hundredths on chain), humidity in percent, dates as ``datetime.date``
(00:00 UTC on chain; a batch is usable through its expiry day), reading times in unix seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3

from medchain.core import merkle
from medchain.core.errors import InvalidInputError
from medchain.core.standards import gs1
from medchain.core.times import to_unix
from medchain.core.tx import Receipt

__all__ = [
    "DAY", "MAX_READINGS", "NO_RANGE", "READINGS_PER_TX", "Batch", "Product", "Quarantine", "QuarantineState",
    "Reading", "SerialTree", "ShipmentRef", "ShipmentStatus", "Stock", "UnitStatus", "batch_id", "day_timestamp",
    "gtin_number", "gtin_text", "read_readings_csv", "read_serials", "timestamp_day", "unit_leaf", "verify_proof",
]

NO_RANGE = 2**32 - 1
MAX_READINGS = 512
#: Readings per transaction when posting a longer series (a day at 15-minute intervals).
READINGS_PER_TX = 96
DAY = 86_400


class UnitStatus(IntEnum):
    """What a pack's verification says (the contract's ``UnitStatus``)."""

    GENUINE = 0
    UNKNOWN_SERIAL = 1
    DISPENSED = 2
    RECALLED = 3
    EXPIRED = 4
    QUARANTINED = 5
    DESTROYED = 6


class QuarantineState(IntEnum):
    """The decision on a quarantined shipment's units (the contract's ``QuarantineState``)."""

    OPEN = 0
    RELEASED = 1
    DESTROYED = 2


class ShipmentStatus(IntEnum):
    NONE = 0
    IN_TRANSIT = 1
    QUARANTINED = 2


# ------------------------------------------------------------------------------------ helpers


def gtin_number(gtin: str | int) -> int:
    """The GTIN as the contract's ``uint64`` (check digit validated).

    Raises:
        GS1Error: not a valid GTIN-8/12/13/14.
    """
    return int(gs1.validate_gtin(str(gtin).zfill(14) if isinstance(gtin, int) else gtin))


def gtin_text(gtin: int) -> str:
    return str(int(gtin)).zfill(14)


def batch_id(gtin: str | int, lot: str) -> bytes:
    """``keccak256(abi.encodePacked(uint64 gtin, lot))``: the batch's id on chain."""
    return keccak(gtin_number(gtin).to_bytes(8, "big") + lot.encode())


def day_timestamp(day: dt.date) -> int:
    """00:00 UTC of ``day`` in unix seconds (how the contract stores dates)."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise InvalidInputError(f"expected a datetime.date, got {type(day).__name__}")
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def timestamp_day(ts: int) -> dt.date:
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).date()


def _b32(value: bytes | str) -> bytes:
    if isinstance(value, str):
        value = bytes.fromhex(value.removeprefix("0x"))
    if len(value) != 32:
        raise InvalidInputError(f"expected 32 bytes, got {len(value)}")
    return bytes(value)


def unit_leaf(batch: bytes, index: int, serial: str) -> bytes:
    """The Merkle leaf of one unit (OpenZeppelin's double-hashed leaf)."""
    return keccak(keccak(abi_encode(["bytes32", "uint256", "string"], [batch, index, serial])))


class SerialTree:
    """The Merkle tree of a batch's serials, in index order.

    Levels pair neighbours with sorted-pair keccak256; an odd node out moves up unchanged, so a
    proof has at most ``ceil(log2(n))`` hashes and OpenZeppelin's ``MerkleProof`` accepts it.

    Args:
        batch: The batch id (see :func:`batch_id`).
        serials: The unit serials (GS1 AI 21: 1-20 characters of set 82), unique.

    Raises:
        GS1Error: a malformed serial (field ``21``). InvalidInputError: none, or duplicates.
    """

    def __init__(self, batch: bytes, serials: Sequence[str]):
        if not serials:
            raise InvalidInputError("a batch needs at least one serial")
        self.batch = _b32(batch)
        self.serials = list(serials)
        self._index: dict[str, int] = {}
        for i, s in enumerate(self.serials):
            gs1._check_text(s, "21")
            if s in self._index:
                raise InvalidInputError(f"serial {s!r} appears twice (units {self._index[s]} and {i})")
            self._index[s] = i
        self.levels = merkle.levels([unit_leaf(self.batch, i, s) for i, s in enumerate(self.serials)])

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    def __len__(self) -> int:
        return len(self.serials)

    def index_of(self, serial: str) -> int | None:
        """The unit index of ``serial``, or ``None`` when it is not in the batch."""
        return self._index.get(serial)

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from leaf ``index`` to the root."""
        if not 0 <= index < len(self.serials):
            raise InvalidInputError(f"unit index {index} outside 0..{len(self.serials) - 1}")
        return merkle.proof(self.levels, index)


#: What OpenZeppelin's ``MerkleProof.verify(proof, root, leaf)`` computes: one helper, one
#: argument order for every domain (:func:`medchain.core.merkle.verify`).
verify_proof = merkle.verify


def read_serials(path: Path | str) -> list[str]:
    """Serials from a file: one per line (blank lines and ``#`` comments skipped), or a CSV whose
    first column is the serial (a header cell ``serial`` is skipped).

    Raises:
        InvalidInputError: unreadable or empty file.
    """
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise InvalidInputError(f"cannot read serials from {path}: {exc.strerror}") from None
    out: list[str] = []
    for line in text.splitlines():
        cell = line.split(",")[0].strip()
        if not cell or cell.startswith("#") or (not out and cell.lower() == "serial"):
            continue
        out.append(cell)
    if not out:
        raise InvalidInputError(f"{path} lists no serials")
    return out


# ------------------------------------------------------------------------------------ readings


@dataclass(frozen=True)
class Reading:
    """One cold-chain reading. ``latitude``/``longitude`` in degrees (micro-degree precision)."""

    time: int
    temperature_c: float
    humidity_pct: int = 0
    latitude: float = 0.0
    longitude: float = 0.0

    def pack(self) -> int:
        """The contract's word: time | temperature (int16 centi-°C) | humidity | lat | lon."""
        if not 0 <= int(self.time) < 2**32:
            raise InvalidInputError(f"reading time {self.time} is not a unix time")
        centi = round(self.temperature_c * 100)
        if not -32768 <= centi <= 32767:
            raise InvalidInputError(f"temperature {self.temperature_c} °C out of range (-327.68..327.67)")
        if not 0 <= int(self.humidity_pct) <= 100:
            raise InvalidInputError(f"relative humidity {self.humidity_pct} % is not a percentage")
        lat, lon = round(self.latitude * 1e6), round(self.longitude * 1e6)
        if not (-90e6 <= lat <= 90e6 and -180e6 <= lon <= 180e6):
            raise InvalidInputError(f"position {self.latitude},{self.longitude} is not a coordinate")
        return (int(self.time) | (centi & 0xFFFF) << 32 | int(self.humidity_pct) << 48
                | (lat & 0xFFFFFFFF) << 56 | (lon & 0xFFFFFFFF) << 88)

    @classmethod
    def unpack(cls, word: int) -> Reading:
        def signed(v: int, bits: int) -> int:
            return v - (1 << bits) if v >> (bits - 1) else v

        return cls(time=word & 0xFFFFFFFF, temperature_c=signed(word >> 32 & 0xFFFF, 16) / 100,
                   humidity_pct=word >> 48 & 0xFF, latitude=signed(word >> 56 & 0xFFFFFFFF, 32) / 1e6,
                   longitude=signed(word >> 88 & 0xFFFFFFFF, 32) / 1e6)


def read_readings_csv(source: Path | str | io.TextIOBase) -> list[Reading]:
    """Readings from a CSV with a header: ``time,temperature_c[,humidity_pct][,latitude,longitude]``
    (time as unix seconds or ISO 8601 with ``Z`` or an offset: :func:`medchain.core.times.to_unix`).

    Raises:
        InvalidInputError: missing column or malformed value, naming the row.
    """
    text = source.read() if hasattr(source, "read") else Path(source).read_text()
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:  # a stray carriage return, an oversized cell...
        raise InvalidInputError(f"readings CSV is not a readable CSV ({exc})") from None
    if not rows or "time" not in rows[0] or "temperature_c" not in rows[0]:
        raise InvalidInputError("readings CSV needs a header with time and temperature_c columns")
    out = []
    for n, row in enumerate(rows, start=2):
        when = to_unix(row["time"] or "", f"readings row {n}: time", dates=False)
        try:
            out.append(Reading(when, float(row["temperature_c"]),
                               int(float(row.get("humidity_pct") or 0)), float(row.get("latitude") or 0),
                               float(row.get("longitude") or 0)))
        except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite humidity
            raise InvalidInputError(f"readings row {n}: malformed number in {dict(row)}") from None
    return out


# ------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class Product:
    gtin: str
    name: str
    manufacturer: str
    min_temperature_c: float
    max_temperature_c: float
    max_humidity_pct: int


@dataclass(frozen=True)
class Batch:
    id: bytes
    gtin: str
    lot: str
    production: dt.date
    expiry: dt.date
    units: int
    quarantined: int
    suspects: int
    recalled: bool
    serials_root: bytes
    manufacturer: str
    qc_report_cid: str
    #: Quarantines the batch has had (open or decided).
    quarantines: int = 0
    #: Units written off (destroyed after a quarantine).
    destroyed: int = 0


@dataclass(frozen=True)
class Stock:
    """A holder's stock of a batch: sellable and quarantined units, shipments sent so far, and
    its shipment slots (``slots`` allocated, ``cursor`` the one its next shipment tries to reuse)."""

    available: int
    quarantined: int
    shipments_sent: int
    cursor: int = 0
    slots: int = 0


@dataclass(frozen=True)
class Quarantine:
    """The units of one shipment caught in a cold-chain excursion, and the decision on them.

    Attributes:
        holder: Whose quarantined stock holds them (``None`` while the shipment is in transit).
        first_unit: The first unit of the shipment's declared range (``None``: undeclared).
    """

    shipment_id: bytes
    first_unit: int | None
    quantity: int
    state: QuarantineState
    holder: str | None

    @classmethod
    def from_chain(cls, row: Sequence[Any]) -> Quarantine:
        sid, first, quantity, state, holder = row
        return cls(bytes(sid), None if first == NO_RANGE else int(first), int(quantity), QuarantineState(state),
                   None if int(holder, 16) == 0 else Web3.to_checksum_address(holder))


@dataclass(frozen=True)
class ShipmentRef:
    """The terms of a shipment (its id is their hash); what receive, reject and readings pass."""

    batch_id: bytes
    sender: str
    recipient: str
    quantity: int
    first_unit: int
    nonce: int
    #: The sender's shipment slot (of the batch) that holds the shipment's status.
    slot: int = 0
    #: The shipping transaction, when this reference came from :meth:`DrugsClient.ship`.
    receipt: Receipt | None = field(default=None, compare=False, repr=False)

    @property
    def as_tuple(self) -> tuple:
        return (self.batch_id, self.sender, self.recipient, self.quantity, self.first_unit, self.nonce, self.slot)

    @property
    def id(self) -> bytes:
        return keccak(abi_encode(["(bytes32,address,address,uint32,uint32,uint64,uint32)"], [self.as_tuple]))

    @property
    def unit_range(self) -> tuple[int, int] | None:
        return None if self.first_unit == NO_RANGE else (self.first_unit, self.first_unit + self.quantity)

    @classmethod
    def from_event(cls, ref: Any) -> ShipmentRef:
        r = dict(ref) if not isinstance(ref, tuple) else dict(zip(
            ("batchId", "from", "to", "quantity", "firstUnit", "nonce", "slot"), ref, strict=True))
        return cls(bytes(r["batchId"]), Web3.to_checksum_address(r["from"]), Web3.to_checksum_address(r["to"]),
                   int(r["quantity"]), int(r["firstUnit"]), int(r["nonce"]), int(r["slot"]))


