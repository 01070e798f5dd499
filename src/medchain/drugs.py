"""Client of DrugBatchTracing: drug products, batches, custody, cold chain, dispensing, recall.

One drug, one code: a batch's unit serials are committed on chain as the root of a Merkle tree
built here (:class:`SerialTree`, sorted-pair keccak256 as OpenZeppelin ``MerkleProof`` verifies),
leaf ``keccak256(keccak256(abi.encode(batchId, index, serial)))``. A unit is dispensed, and a pack
verified, with its serial, its index and its proof; the tree comes from the manufacturer's serial
file (who holds it can serve proofs: the manufacturer, its trading partners, a verification portal).

Everything a report needs is rebuilt from the contract's events, all of which carry the batch id
as their first topic, so one ``eth_getLogs`` fetches a batch's whole history: the recall report
(:meth:`DrugsClient.recall_report`), the custody path, the EPCIS 2.0 export
(:meth:`DrugsClient.epcis_document`) and the shipments' readings, which the chain keeps only as
transaction input and a digest (:meth:`DrugsClient.readings`).

Units: temperatures in °C (hundredths on chain), humidity in percent, dates as ``datetime.date``
(00:00 UTC on chain; a batch is usable through its expiry day).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, Iterable, Sequence

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3

from .deploy import Suite
from .errors import (CounterfeitSuspectedError, DrugTracingError, GS1Error, InvalidInputError,
                     StandardsError)
from .participants import check_address
from .standards import epcis, gs1
from .tx import Receipt, Sender, call, events

CONTRACT = "DrugBatchTracing"
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


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


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
        level = [unit_leaf(self.batch, i, s) for i, s in enumerate(self.serials)]
        self.levels = [level]
        while len(level) > 1:
            level = [_pair(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
            self.levels.append(level)

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
        out = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                out.append(level[sibling])
            index //= 2
        return out


def verify_proof(root: bytes, leaf: bytes, proof: Iterable[bytes]) -> bool:
    """What ``MerkleProof.verify`` computes."""
    node = leaf
    for p in proof:
        node = _pair(node, p)
    return node == root


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
    out = []
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
    def unpack(cls, word: int) -> "Reading":
        def signed(v: int, bits: int) -> int:
            return v - (1 << bits) if v >> (bits - 1) else v

        return cls(time=word & 0xFFFFFFFF, temperature_c=signed(word >> 32 & 0xFFFF, 16) / 100,
                   humidity_pct=word >> 48 & 0xFF, latitude=signed(word >> 56 & 0xFFFFFFFF, 32) / 1e6,
                   longitude=signed(word >> 88 & 0xFFFFFFFF, 32) / 1e6)


def _parse_time(text: str, row: int) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(f"readings row {row}: time {text!r} is neither unix seconds nor ISO 8601") from None
    if when.tzinfo is None:
        raise InvalidInputError(f"readings row {row}: time {text!r} has no UTC offset")
    return int(when.timestamp())


def read_readings_csv(source: Path | str | io.TextIOBase) -> list[Reading]:
    """Readings from a CSV with a header: ``time,temperature_c[,humidity_pct][,latitude,longitude]``
    (time as unix seconds or ISO 8601 with offset).

    Raises:
        InvalidInputError: missing column or malformed value, naming the row.
    """
    text = source.read() if hasattr(source, "read") else Path(source).read_text()  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "time" not in rows[0] or "temperature_c" not in rows[0]:
        raise InvalidInputError("readings CSV needs a header with time and temperature_c columns")
    out = []
    for n, row in enumerate(rows, start=2):
        try:
            out.append(Reading(_parse_time(row["time"], n), float(row["temperature_c"]),
                               int(float(row.get("humidity_pct") or 0)), float(row.get("latitude") or 0),
                               float(row.get("longitude") or 0)))
        except (TypeError, ValueError):
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


@dataclass(frozen=True)
class Stock:
    available: int
    quarantined: int
    shipments_sent: int


@dataclass(frozen=True)
class ShipmentRef:
    """The terms of a shipment (its id is their hash); what receive, reject and readings pass."""

    batch_id: bytes
    sender: str
    recipient: str
    quantity: int
    first_unit: int
    nonce: int
    #: The shipping transaction, when this reference came from :meth:`DrugsClient.ship`.
    receipt: Receipt | None = field(default=None, compare=False, repr=False)

    @property
    def as_tuple(self) -> tuple:
        return (self.batch_id, self.sender, self.recipient, self.quantity, self.first_unit, self.nonce)

    @property
    def id(self) -> bytes:
        return keccak(abi_encode(["(bytes32,address,address,uint32,uint32,uint64)"], [self.as_tuple]))

    @property
    def unit_range(self) -> tuple[int, int] | None:
        return None if self.first_unit == NO_RANGE else (self.first_unit, self.first_unit + self.quantity)

    @classmethod
    def from_event(cls, ref: Any) -> "ShipmentRef":
        r = dict(ref) if not isinstance(ref, tuple) else dict(zip(
            ("batchId", "from", "to", "quantity", "firstUnit", "nonce"), ref))
        return cls(bytes(r["batchId"]), Web3.to_checksum_address(r["from"]), Web3.to_checksum_address(r["to"]),
                   int(r["quantity"]), int(r["firstUnit"]), int(r["nonce"]))


@dataclass(frozen=True)
class CustodyStep:
    """One move of a batch: commissioning, a shipment sent, received, rejected, quarantined…"""

    kind: str
    time: int
    block: int
    party: str
    counterparty: str | None = None
    quantity: int | None = None
    shipment_id: bytes | None = None


@dataclass(frozen=True)
class Verification:
    """What a pack's scan tells (the verification portal's answer).

    Attributes:
        status: The unit's status.
        code: The scanned identity (GTIN, lot, expiry, serial).
        product: The registered product, or ``None`` when the GTIN is unknown.
        batch: The batch, or ``None`` when GTIN and lot name no batch.
        custody_path: The batch's moves, oldest first (empty for an unknown batch).
        unit_index: The unit's index in the batch, when the serial is known.
    """

    status: UnitStatus
    code: gs1.UnitCode
    product: Product | None
    batch: Batch | None
    custody_path: list[CustodyStep]
    unit_index: int | None = None

    @property
    def genuine(self) -> bool:
        return self.status == UnitStatus.GENUINE


@dataclass
class HolderPosition:
    holder: str
    available: int = 0
    quarantined: int = 0
    dispensed: int = 0


@dataclass
class RecallReport:
    """Who holds which quantity of a batch, what is in transit, what was dispensed where."""

    batch_id: bytes
    recalled: bool
    holders: dict[str, HolderPosition]
    in_transit: list[tuple[ShipmentRef, ShipmentStatus]]
    dispensed: list[tuple[int, str, str]]  # (unit index, serial, dispenser)
    suspected_counterfeits: list[tuple[str, str, UnitStatus]]  # (serial, presenter, status)
    units: int = 0

    @property
    def total_held(self) -> int:
        return sum(h.available + h.quarantined for h in self.holders.values())


@dataclass(frozen=True)
class DispenseResult:
    receipt: Receipt
    index: int


@dataclass
class CommissionResult:
    receipt: Receipt
    batch_id: bytes
    tree: SerialTree


# ------------------------------------------------------------------------------------ client


class DrugsClient:
    """Drive DrugBatchTracing.

    Args:
        suite: The deployed suite.
        sender: Who signs (``None`` for a read-only client: verification, reports, exports).
    """

    def __init__(self, suite: Suite, sender: Sender | None = None):
        self.suite = suite
        self.sender = sender
        self.contract = suite.contract(CONTRACT)
        self.from_block = int(suite.manifest["contracts"][CONTRACT].get("block", 0))

    def _send(self, fn: Any) -> Receipt:
        if self.sender is None:
            raise InvalidInputError("this client was opened read-only (no account)")
        return self.sender.transact(fn)  # type: ignore[return-value]

    # ------------------------------------------------------------------------- update
    def register_product(self, gtin: str, name: str, min_temperature_c: float, max_temperature_c: float,
                         max_humidity_pct: int = 100) -> Receipt:
        """Register a product (manufacturer).

        Raises:
            GS1Error: bad GTIN. InvalidInputError: bad name or conditions.
            ContractRevert: ``ProductAlreadyRegistered``, ``MissingRole``…
        """
        g = gtin_number(gtin)
        if not name or len(name.encode()) > 128:
            raise InvalidInputError("product name must have 1 to 128 bytes")
        lo, hi = round(min_temperature_c * 100), round(max_temperature_c * 100)
        if not (-32768 <= lo <= hi <= 32767):
            raise InvalidInputError(f"storage range {min_temperature_c}..{max_temperature_c} °C is not a range")
        if not 1 <= int(max_humidity_pct) <= 100:
            raise InvalidInputError(f"maximum humidity {max_humidity_pct} % must be 1..100")
        return self._send(self.contract.functions.registerProduct(g, name, lo, hi, int(max_humidity_pct)))

    def commission_batch(self, gtin: str, lot: str, *, expiry: dt.date, production: dt.date,
                         serials: Sequence[str], qc_report_cid: str = "") -> CommissionResult:
        """Commission a batch of ``len(serials)`` units (manufacturer of the product).

        Returns:
            The receipt, the batch id and the serial tree (keep it: proofs come from it).

        Raises:
            GS1Error: bad GTIN, lot or serial. InvalidInputError: bad dates or CID.
            ContractRevert: ``BatchAlreadyCommissioned``, ``NotProductManufacturer``…
        """
        g = gtin_number(gtin)
        gs1._check_text(lot, "10")
        if production > expiry:
            raise InvalidInputError(f"production date {production} is after the expiry date {expiry}")
        if qc_report_cid:
            from .storage import parse_cid

            parse_cid(qc_report_cid)
        bid = batch_id(g, lot)
        tree = SerialTree(bid, serials)
        receipt = self._send(self.contract.functions.commissionBatch(
            g, lot, day_timestamp(production), day_timestamp(expiry), len(tree), tree.root, qc_report_cid))
        return CommissionResult(receipt, bid, tree)

    def ship(self, batch: bytes, to: str, quantity: int, *, first_unit: int | None = None) -> ShipmentRef:
        """Ship ``quantity`` units to ``to``; ``first_unit`` declares the contiguous unit range
        shipped (so a quarantine is precise to the unit).

        Returns:
            The shipment's terms (``.id`` is its id).

        Raises:
            ContractRevert: ``InsufficientStock``, ``InvalidRecipient``, ``RecalledBatch``…
        """
        if not isinstance(quantity, int) or not 0 < quantity < 2**32:
            raise InvalidInputError(f"quantity must be a positive integer, got {quantity!r}")
        first = NO_RANGE if first_unit is None else int(first_unit)
        receipt = self._send(self.contract.functions.ship(_b32(batch), check_address(to, "recipient"), quantity, first))
        (ev,) = events(self.contract, "ShipmentSent", receipt)
        ref = ShipmentRef.from_event(ev["ref"])
        return ShipmentRef(*ref.as_tuple, receipt=receipt)

    def receive(self, shipment: ShipmentRef | bytes) -> Receipt:
        """Intake scan of a shipment by its recipient."""
        return self._send(self.contract.functions.receiveShipment(self._ref(shipment).as_tuple))

    def reject(self, shipment: ShipmentRef | bytes, reason: str) -> Receipt:
        """Refuse a shipment (recipient); its units go back to the sender."""
        if not reason or len(reason.encode()) > 1000:
            raise InvalidInputError("a rejection needs a reason of 1 to 1000 bytes")
        return self._send(self.contract.functions.rejectShipment(self._ref(shipment).as_tuple, reason))

    def post_readings(self, shipment: ShipmentRef | bytes, readings: Sequence[Reading], *,
                      per_tx: int = READINGS_PER_TX) -> list[Receipt]:
        """Post readings, ``per_tx`` per transaction, in time order.

        Returns:
            One receipt per transaction.

        Raises:
            InvalidInputError: no readings, or out of time order.
        """
        if not readings:
            raise InvalidInputError("no readings to post")
        if not 1 <= per_tx <= MAX_READINGS:
            raise InvalidInputError(f"readings per transaction must be 1..{MAX_READINGS}")
        words = [r.pack() for r in readings]
        times = [r.time for r in readings]
        if times != sorted(times):
            raise InvalidInputError("readings must be in time order")
        ref = self._ref(shipment).as_tuple
        return [self._send(self.contract.functions.postReadings(ref, words[i:i + per_tx]))
                for i in range(0, len(words), per_tx)]

    def dispense(self, batch: bytes, serial: str, tree: SerialTree | None = None, *, index: int | None = None,
                 proof: Sequence[bytes] | None = None) -> DispenseResult:
        """Dispense one unit by serial (pharmacy or hospital).

        Give the batch's ``tree`` (index and proof are taken from it) or ``index`` and ``proof``.
        A serial the tree does not know is still presented to the contract (with an empty
        proof), so the attempt is recorded.

        Raises:
            CounterfeitSuspectedError: the serial is unknown or already dispensed; the contract
                recorded the attempt (``receipt`` attribute) and refused it.
            ContractRevert: ``RecalledBatch``, ``BatchExpired``, ``UnitQuarantined``,
                ``InsufficientStock``, ``MissingRole``…
        """
        gs1._check_text(serial, "21")
        if tree is not None:
            found = tree.index_of(serial)
            index, proof = (found, tree.proof(found)) if found is not None else (0, [])
        if index is None or proof is None:
            raise InvalidInputError("give the batch's serial tree, or the unit's index and proof")
        receipt = self._send(self.contract.functions.dispense(_b32(batch), int(index), serial, list(proof)))
        suspected = events(self.contract, "CounterfeitSuspected", receipt)
        if suspected:
            status = UnitStatus(suspected[0]["status"])
            raise CounterfeitSuspectedError(serial, status.name.lower().replace("_", " "), receipt)
        return DispenseResult(receipt, int(index))

    def recall(self, batch: bytes, reason: str) -> Receipt:
        """Recall a batch (its manufacturer or a regulator)."""
        if not reason or len(reason.encode()) > 1000:
            raise InvalidInputError("a recall needs a reason of 1 to 1000 bytes")
        return self._send(self.contract.functions.recall(_b32(batch), reason))

    def set_reorder_threshold(self, gtin: str, threshold: int) -> Receipt:
        """Ask for a :meth:`reorder_alerts` event when the sender's stock of ``gtin`` falls below ``threshold``."""
        if not isinstance(threshold, int) or not 0 <= threshold < 2**64:
            raise InvalidInputError(f"threshold must be a non-negative integer, got {threshold!r}")
        return self._send(self.contract.functions.setReorderThreshold(gtin_number(gtin), threshold))

    # ------------------------------------------------------------------------- read
    def product(self, gtin: str | int) -> Product | None:
        """The registered product, or ``None``."""
        g = gtin_number(gtin)
        (maker, lo, hi, rh), name = call(self.contract.functions.product(g))
        if int(maker, 16) == 0:
            return None
        return Product(gtin_text(g), name, Web3.to_checksum_address(maker), lo / 100, hi / 100, rh)

    def batch(self, batch: bytes) -> Batch | None:
        """The batch, or ``None`` when it was never commissioned."""
        bid = _b32(batch)
        gtin, production, expiry, units, quarantined, suspects, recalled, root = call(self.contract.functions.batch(bid))
        if gtin == 0:
            return None
        (ev,) = self._logs("BatchCommissioned", {"batchId": bid}) or [None]
        lot = ev["args"]["lot"] if ev else ""
        maker = ev["args"]["manufacturer"] if ev else ""
        cid = ev["args"]["qcReportCid"] if ev else ""
        return Batch(bid, gtin_text(gtin), lot, timestamp_day(production), timestamp_day(expiry), units, quarantined,
                     suspects, recalled, bytes(root), maker, cid)

    def stock(self, batch: bytes, holder: str) -> Stock:
        a, q, n = call(self.contract.functions.stockOf(_b32(batch), check_address(holder, "holder")))
        return Stock(a, q, n)

    def product_stock(self, holder: str, gtin: str) -> tuple[int, int]:
        """``(sellable stock of every batch, reorder threshold)`` of ``holder`` for ``gtin``."""
        s, t = call(self.contract.functions.productStock(check_address(holder, "holder"), gtin_number(gtin)))
        return int(s), int(t)

    def shipment_status(self, shipment: ShipmentRef | bytes) -> ShipmentStatus:
        return ShipmentStatus(call(self.contract.functions.shipmentStatus(self._ref(shipment).as_tuple)))

    def shipment(self, shipment_id: bytes) -> ShipmentRef:
        """The terms of a shipment, from its ``ShipmentSent`` event.

        Raises:
            DrugTracingError: no such shipment.
        """
        logs = self._logs("ShipmentSent", {"shipmentId": _b32(shipment_id)})
        if not logs:
            raise DrugTracingError(f"no shipment 0x{_b32(shipment_id).hex()} on this chain")
        return ShipmentRef.from_event(logs[0]["args"]["ref"])

    def _ref(self, shipment: ShipmentRef | bytes) -> ShipmentRef:
        return shipment if isinstance(shipment, ShipmentRef) else self.shipment(shipment)

    def reorder_alerts(self, holder: str | None = None) -> list[dict[str, Any]]:
        """``ReplenishmentNeeded`` events (of ``holder`` when given), oldest first."""
        filters = {"holder": check_address(holder, "holder")} if holder else None
        return [dict(e["args"], gtin=gtin_text(e["args"]["gtin"]), block=e["blockNumber"])
                for e in self._logs("ReplenishmentNeeded", filters)]

    def readings(self, shipment: ShipmentRef | bytes) -> list[Reading]:
        """Every reading posted for a shipment, recovered from the posting transactions' input and
        checked against the hash each ``ReadingsPosted`` event carries.

        Raises:
            DrugTracingError: a transaction's readings do not match their on-chain hash.
        """
        sid = shipment.id if isinstance(shipment, ShipmentRef) else _b32(shipment)
        out: list[Reading] = []
        w3 = self.suite.chain.w3
        for log in self._logs("ReadingsPosted", {"shipmentId": sid}):
            tx = w3.eth.get_transaction(log["transactionHash"])
            _, args = self.contract.decode_function_input(tx["input"])
            words = list(args["readings"])
            if keccak(b"".join(w.to_bytes(32, "big") for w in words)) != bytes(log["args"]["readingsHash"]):
                raise DrugTracingError(f"readings of transaction {log['transactionHash'].hex()} do not match their hash")
            out.extend(Reading.unpack(w) for w in words)
        return out

    # ------------------------------------------------------------------------- verification
    def verify(self, code: gs1.UnitCode | str, tree: SerialTree | None = None) -> Verification:
        """Verify a scanned pack (anyone; no transaction).

        Args:
            code: A :class:`~medchain.standards.gs1.UnitCode` or any GS1 form of it (element
                string, raw DataMatrix, Digital Link URI); it must carry a serial.
            tree: The batch's serial tree (the verification service's copy). Without it, or
                when it does not know the serial, the answer is ``UNKNOWN_SERIAL``.

        Returns:
            The status, with the product, the batch and its custody path.

        Raises:
            GS1Error: the code is malformed or has no serial.
        """
        unit = gs1.parse_any(code) if isinstance(code, str) else code
        if unit.serial is None:
            raise GS1Error("serial number missing: a pack is verified by its serial", "21")
        bid = batch_id(unit.gtin, unit.lot)
        product = self.product(unit.gtin)
        batch = self.batch(bid)
        index = tree.index_of(unit.serial) if tree is not None and tree.batch == bid else None
        if batch is None or index is None:
            status = UnitStatus.UNKNOWN_SERIAL
        else:
            status = UnitStatus(call(self.contract.functions.verify(
                gtin_number(unit.gtin), unit.lot, day_timestamp(unit.expiry), unit.serial, index, tree.proof(index))))  # type: ignore[union-attr]
        path = self.custody_path(bid) if batch is not None else []
        return Verification(status, unit, product, batch, path, index)

    # ------------------------------------------------------------------------- history
    def _logs(self, event: str, filters: dict[str, Any] | None = None) -> list[Any]:
        ev = getattr(self.contract.events, event)
        return list(ev.get_logs(from_block=self.from_block, argument_filters=filters or None))

    def history(self, batch: bytes) -> list[tuple[str, Any]]:
        """Every event of a batch as ``(event name, decoded log)``, in chain order: one
        ``eth_getLogs`` (the batch id is every such event's first topic)."""
        bid = _b32(batch)
        w3 = self.suite.chain.w3
        raw = w3.eth.get_logs({"address": self.contract.address, "fromBlock": self.from_block, "toBlock": "latest",
                               "topics": [None, "0x" + bid.hex()]})
        by_topic = {}
        for item in self.contract.abi:
            if item["type"] == "event":
                by_topic[_topic(item)] = (item["name"], getattr(self.contract.events, item["name"])())
        out = []
        for log in raw:
            name, ev = by_topic.get(bytes(log["topics"][0]), (None, None))
            if name is not None:
                out.append((name, ev.process_log(log)))
        return out

    def custody_path(self, batch: bytes, history: list[tuple[str, Any]] | None = None) -> list[CustodyStep]:
        """The batch's moves: commissioned, shipped, received, rejected, quarantined, recalled."""
        steps = []
        times: dict[int, int] = {}
        w3 = self.suite.chain.w3

        def when(block: int) -> int:
            if block not in times:
                times[block] = int(w3.eth.get_block(block)["timestamp"])
            return times[block]

        for name, log in history if history is not None else self.history(batch):
            a, b = log["args"], log["blockNumber"]
            if name == "BatchCommissioned":
                steps.append(CustodyStep("commissioned", when(b), b, a["manufacturer"], None, a["units"]))
            elif name == "ShipmentSent":
                ref = ShipmentRef.from_event(a["ref"])
                steps.append(CustodyStep("shipped", when(b), b, ref.sender, ref.recipient, ref.quantity, ref.id))
            elif name == "ShipmentReceived":
                steps.append(CustodyStep("received", when(b), b, a["to"], None, a["quantity"], bytes(a["shipmentId"])))
            elif name == "ShipmentRejected":
                steps.append(CustodyStep("rejected", when(b), b, a["by"], None, a["quantity"], bytes(a["shipmentId"])))
            elif name == "ShipmentQuarantined":
                steps.append(CustodyStep("quarantined", when(b), b, "", None, a["quantity"], bytes(a["shipmentId"])))
            elif name == "BatchRecalled":
                steps.append(CustodyStep("recalled", when(b), b, a["by"]))
        return steps

    def recall_report(self, batch: bytes) -> RecallReport:
        """Who holds which quantity of the batch (sellable and quarantined), what is in transit,
        which units were dispensed and where, and every suspected counterfeit: from the events,
        with one ``eth_getLogs``."""
        bid = _b32(batch)
        holders: dict[str, HolderPosition] = {}
        transit: dict[bytes, tuple[ShipmentRef, ShipmentStatus]] = {}
        dispensed, suspects = [], []
        recalled, units = False, 0

        def pos(who: str) -> HolderPosition:
            if who not in holders:
                holders[who] = HolderPosition(who)
            return holders[who]

        for name, log in self.history(bid):
            a = log["args"]
            if name == "BatchCommissioned":
                units = a["units"]
                pos(a["manufacturer"]).available += units
            elif name == "ShipmentSent":
                ref = ShipmentRef.from_event(a["ref"])
                pos(ref.sender).available -= ref.quantity
                transit[ref.id] = (ref, ShipmentStatus.IN_TRANSIT)
            elif name == "ShipmentQuarantined":
                ref = transit[bytes(a["shipmentId"])][0]
                transit[ref.id] = (ref, ShipmentStatus.QUARANTINED)
            elif name in ("ShipmentReceived", "ShipmentRejected"):
                ref, status = transit.pop(bytes(a["shipmentId"]))
                who = pos(ref.recipient if name == "ShipmentReceived" else ref.sender)
                if status == ShipmentStatus.QUARANTINED:
                    who.quarantined += ref.quantity
                else:
                    who.available += ref.quantity
            elif name == "UnitDispensed":
                pos(a["dispenser"]).available -= 1
                pos(a["dispenser"]).dispensed += 1
                dispensed.append((int(a["index"]), a["serial"], a["dispenser"]))
            elif name == "CounterfeitSuspected":
                suspects.append((a["serial"], a["presenter"], UnitStatus(a["status"])))
            elif name == "BatchRecalled":
                recalled = True
        return RecallReport(bid, recalled, holders, list(transit.values()), dispensed, suspects, units)

    # ------------------------------------------------------------------------- EPCIS
    def epcis_trace(self, batch: bytes, *, company_prefix_length: int = 7,
                    glns: dict[str, str] | None = None) -> dict[str, Any]:
        """The trace description :func:`medchain.standards.epcis.build_epcis_document` takes,
        built from the chain's events (and the readings from the posting transactions)."""
        bid = _b32(batch)
        history = self.history(bid)
        if not history:
            raise DrugTracingError(f"batch 0x{bid.hex()} has no history on this chain")
        info = self.batch(bid)
        assert info is not None
        product = self.product(info.gtin)
        glns = {Web3.to_checksum_address(k): v for k, v in (glns or {}).items()}

        def party(address: str) -> Any:
            address = Web3.to_checksum_address(address)
            return {"address": address, "gln": glns[address]} if address in glns else address

        times: dict[int, int] = {}

        def when(block: int) -> int:
            if block not in times:
                times[block] = int(self.suite.chain.w3.eth.get_block(block)["timestamp"])
            return times[block]

        refs: dict[bytes, ShipmentRef] = {}
        out: list[dict[str, Any]] = []
        for name, log in history:
            a, t = log["args"], when(log["blockNumber"])
            if name == "BatchCommissioned":
                out.append({"kind": "commission", "time": t, "manufacturer": party(a["manufacturer"]),
                            "quantity": a["units"]})
            elif name == "ShipmentSent":
                ref = ShipmentRef.from_event(a["ref"])
                refs[ref.id] = ref
                out.append({"kind": "ship", "time": t, "from": party(ref.sender), "to": party(ref.recipient),
                            "quantity": ref.quantity, "shipment_id": "0x" + ref.id.hex()})
            elif name == "ShipmentReceived":
                ref = refs[bytes(a["shipmentId"])]
                out.append({"kind": "receive", "time": t, "from": party(ref.sender), "to": party(ref.recipient),
                            "quantity": ref.quantity, "shipment_id": "0x" + ref.id.hex()})
            elif name == "ShipmentRejected":
                out.append({"kind": "reject", "time": t, "by": party(a["by"]), "quantity": a["quantity"],
                            "shipment_id": "0x" + bytes(a["shipmentId"]).hex(), "reason": a["reason"]})
            elif name == "ReadingsPosted":
                tx = self.suite.chain.w3.eth.get_transaction(log["transactionHash"])
                _, args = self.contract.decode_function_input(tx["input"])
                readings = [Reading.unpack(w) for w in args["readings"]]
                event: dict[str, Any] = {
                    "kind": "sensor", "time": t, "shipment_id": "0x" + bytes(a["shipmentId"]).hex(),
                    "device": a["poster"],
                    "readings": [{"time": r.time, "temperature_c": r.temperature_c, "humidity_pct": r.humidity_pct}
                                 for r in readings]}
                if product is not None:
                    event["allowed_min_c"], event["allowed_max_c"] = product.min_temperature_c, product.max_temperature_c
                out.append(event)
            elif name == "ShipmentQuarantined":
                ref = refs[bytes(a["shipmentId"])]
                out.append({"kind": "quarantine", "time": t, "by": party(ref.recipient), "quantity": ref.quantity,
                            "reason": "cold-chain excursion in shipment 0x" + ref.id.hex()})
            elif name == "UnitDispensed":
                out.append({"kind": "dispense", "time": t, "pharmacy": party(a["dispenser"]), "serial": a["serial"]})
            elif name == "BatchRecalled":
                out.append({"kind": "recall", "time": t, "by": party(a["by"]), "reason": a["reason"]})
        batch_desc: dict[str, Any] = {"lot": info.lot, "expiry": info.expiry, "production": info.production,
                                      "units": info.units}
        if info.qc_report_cid:
            batch_desc["qc_cid"] = info.qc_report_cid
        prod: dict[str, Any] = {"gtin": info.gtin, "company_prefix_length": company_prefix_length}
        if product is not None:
            prod["name"] = product.name
        return {"product": prod, "batch": batch_desc, "events": out}

    def epcis_document(self, batch: bytes, *, company_prefix_length: int = 7, glns: dict[str, str] | None = None,
                       id_scheme: str = "urn", created: Any = None) -> dict[str, Any]:
        """The batch's trace as an EPCIS 2.0 JSON-LD document (CBV vocabulary).

        Raises:
            DrugTracingError: unknown batch. StandardsError: data EPCIS cannot carry.
        """
        trace = self.epcis_trace(batch, company_prefix_length=company_prefix_length, glns=glns)
        return epcis.build_epcis_document(trace, created=created, id_scheme=id_scheme)


def _topic(item: dict[str, Any]) -> bytes:
    from .contracts import _abi_type

    return keccak(text=f"{item['name']}({','.join(_abi_type(i) for i in item['inputs'])})")


__all__ = [
    "Batch", "CommissionResult", "CustodyStep", "DispenseResult", "DrugsClient", "HolderPosition", "Product",
    "Reading", "RecallReport", "SerialTree", "ShipmentRef", "ShipmentStatus", "Stock", "UnitStatus",
    "Verification", "batch_id", "day_timestamp", "gtin_number", "read_readings_csv", "read_serials",
    "unit_leaf", "verify_proof", "StandardsError",
]
