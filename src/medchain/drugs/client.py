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

The batch's quality-control report is sealed (:func:`medchain.core.crypto.seal`, bound to the
manufacturer and the batch id) and stored on IPFS; the chain carries its CID, which is also its
hash. Its data key is wrapped (ECIES) in a :class:`~medchain.core.crypto.KeyVault` for those entitled
to read it: the manufacturer, every regulator, and each custodian the batch is shipped to (the
shipping client wraps it for the recipient; a holder can :meth:`DrugsClient.share_qc_report`).
:meth:`DrugsClient.qc_report` fetches it, checks it against the CID on chain and decrypts it.

Units: temperatures in °C (hundredths on chain), humidity in percent, dates as ``datetime.date``
(00:00 UTC on chain; a batch is usable through its expiry day).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, Iterable, Sequence

from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3

from medchain.core.crypto import EncryptionKeyPair, KeyVault, RecordContext, open_sealed, seal, unwrap_key, vault_record_key, wrap_key
from medchain.core.client import ContractClient
from medchain.core.deploy import Suite
from medchain.core.errors import (AccessDeniedError, ContractRevert, CounterfeitSuspectedError, DrugTracingError, GS1Error,
                     InvalidInputError, IntegrityError, NotARecipientError, StandardsError, StorageError)
from medchain.core.registry import Role, check_address
from medchain.core.standards import epcis, gs1
from medchain.core.storage import ContentStore, compute_cid, normalize_cid, verify_content
from medchain.core.tx import Receipt, Sender, call, events

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
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:  # a stray carriage return, an oversized cell...
        raise InvalidInputError(f"readings CSV is not a readable CSV ({exc})") from None
    if not rows or "time" not in rows[0] or "temperature_c" not in rows[0]:
        raise InvalidInputError("readings CSV needs a header with time and temperature_c columns")
    out = []
    for n, row in enumerate(rows, start=2):
        try:
            out.append(Reading(_parse_time(row["time"], n), float(row["temperature_c"]),
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
    def from_chain(cls, row: Sequence[Any]) -> "Quarantine":
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
    def from_event(cls, ref: Any) -> "ShipmentRef":
        r = dict(ref) if not isinstance(ref, tuple) else dict(zip(
            ("batchId", "from", "to", "quantity", "firstUnit", "nonce", "slot"), ref))
        return cls(bytes(r["batchId"]), Web3.to_checksum_address(r["from"]), Web3.to_checksum_address(r["to"]),
                   int(r["quantity"]), int(r["firstUnit"]), int(r["nonce"]), int(r["slot"]))


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
    destroyed: int = 0


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

    @property
    def destroyed(self) -> int:
        """Units written off after a quarantine (out of the batch's live count)."""
        return sum(h.destroyed for h in self.holders.values())


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


class DrugsClient(ContractClient):
    """Drive DrugBatchTracing.

    Args:
        suite: The deployed suite.
        sender: Who signs (``None`` for a read-only client: verification, reports, exports).
        store: Where sealed QC reports live (needed to commission with a report or read one).
        vault: Where their wrapped data keys live (needed to wrap, share or read a QC report).
        keypair: The sender's encryption key pair (default: derived from the account's key, which
            is what ``participants register-*`` publishes by default).
    """

    CONTRACT = CONTRACT

    def __init__(self, suite: Suite, sender: Sender | None = None, *, store: ContentStore | None = None,
                 vault: KeyVault | None = None, keypair: EncryptionKeyPair | None = None):
        super().__init__(suite, sender)
        self.store = store
        self.vault = vault
        self._keypair = keypair

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
                         serials: Sequence[str], qc_report_cid: str = "",
                         qc_report: bytes | None = None) -> CommissionResult:
        """Commission a batch of ``len(serials)`` units (manufacturer of the product).

        Args:
            qc_report: The quality-control report (any bytes, e.g. a PDF): sealed, stored and its
                key wrapped for the manufacturer and every regulator (needs ``store`` and
                ``vault``). The commissioning is simulated first; a refused one stores nothing,
                and a failed one removes the keys again.
            qc_report_cid: Instead, the CID of a report sealed and stored elsewhere.

        Returns:
            The receipt, the batch id and the serial tree (keep it: proofs come from it).

        Raises:
            GS1Error: bad GTIN, lot or serial. InvalidInputError: bad dates or CID, both report
                forms, or a report without store and vault. StorageError: the store failed.
            ContractRevert: ``BatchAlreadyCommissioned``, ``NotProductManufacturer``…
        """
        g = gtin_number(gtin)
        gs1._check_text(lot, "10")
        if production > expiry:
            raise InvalidInputError(f"production date {production} is after the expiry date {expiry}")
        if qc_report is not None and qc_report_cid:
            raise InvalidInputError("give the QC report or its CID, not both")
        if qc_report_cid:
            from medchain.core.storage import parse_cid

            parse_cid(qc_report_cid)
        bid = batch_id(g, lot)
        tree = SerialTree(bid, serials)
        if qc_report is None:
            receipt = self._send(self.contract.functions.commissionBatch(
                g, lot, day_timestamp(production), day_timestamp(expiry), len(tree), tree.root, qc_report_cid))
            return CommissionResult(receipt, bid, tree)
        store, vault = self._qc_storage()
        maker = self.sender.address  # type: ignore[union-attr]
        ctx = qc_context(maker, bid)
        blob, data_key = seal(bytes(qc_report), ctx)
        cid = compute_cid(blob, cid_version=getattr(store, "cid_version", 0), raw_leaves=getattr(store, "raw_leaves", None))
        fn = self.contract.functions.commissionBatch(g, lot, day_timestamp(production), day_timestamp(expiry),
                                                     len(tree), tree.root, cid)
        call(fn, sender=maker)  # a refused commissioning stops here, before anything is stored
        readers = list(dict.fromkeys([maker, *self.regulators()]))
        wrapped = {r: wrap_key(data_key, self._public_key(r), ctx) for r in readers}
        stored = store.add(blob)
        if normalize_cid(stored) != normalize_cid(cid):
            raise IntegrityError(f"{store.name} stored the QC report as {stored}, expected {cid}")
        key = vault_record_key(bid, 0)
        for reader, w in wrapped.items():
            vault.put(key, reader, w)
        try:
            receipt = self._send(fn)
        except Exception:
            for reader in wrapped:
                vault.revoke(key, reader)
            try:
                store.unpin(cid)
            except StorageError:
                pass
            raise
        return CommissionResult(receipt, bid, tree)

    def ship(self, batch: bytes, to: str, quantity: int, *, first_unit: int | None = None,
             share_qc: bool | None = None) -> ShipmentRef:
        """Ship ``quantity`` units to ``to``; ``first_unit`` declares the contiguous unit range
        shipped (so a quarantine is precise to the unit).

        Args:
            share_qc: Wrap the batch's QC report key for the recipient. ``None`` (default): when
                this client has a vault holding the sender's key of a report; ``True``: required
                (checked before shipping); ``False``: never.

        Returns:
            The shipment's terms (``.id`` is its id).

        Raises:
            ContractRevert: ``InsufficientStock``, ``InvalidRecipient``, ``RecalledBatch``…
            NotARecipientError: ``share_qc=True`` but the sender holds no key of the report.
        """
        if not isinstance(quantity, int) or not 0 < quantity < 2**32:
            raise InvalidInputError(f"quantity must be a positive integer, got {quantity!r}")
        first = NO_RANGE if first_unit is None else int(first_unit)
        bid, to = _b32(batch), check_address(to, "recipient")
        qc = self._qc_key(bid, required=bool(share_qc)) if share_qc is not False else None
        receipt = self._send(self.contract.functions.ship(bid, to, quantity, first))
        (ev,) = events(self.contract, "ShipmentSent", receipt)
        ref = ShipmentRef.from_event(ev["ref"])
        if qc is not None:
            self._wrap_qc(bid, qc, to)
        return ShipmentRef(*ref.as_tuple, receipt=receipt)

    def receive(self, shipment: ShipmentRef | bytes) -> Receipt:
        """Intake scan of a shipment by its recipient."""
        return self._send(self.contract.functions.receiveShipment(self._ref(shipment).as_tuple))

    def reject(self, shipment: ShipmentRef | bytes, reason: str) -> Receipt:
        """Refuse a shipment (recipient); its units go back to the sender."""
        _check_reason(reason, "a rejection")
        return self._send(self.contract.functions.rejectShipment(self._ref(shipment).as_tuple, reason))

    def cancel(self, shipment: ShipmentRef | bytes, reason: str) -> Receipt:
        """Take back a shipment not yet received (its sender): the units return to the sender's
        stock (quarantined units to its quarantined stock); the recipient can no longer receive it.

        Raises:
            ContractRevert: ``NotShipmentSender``, ``UnknownShipment`` (received, rejected or
                cancelled already)…
        """
        _check_reason(reason, "a cancellation")
        return self._send(self.contract.functions.cancelShipment(self._ref(shipment).as_tuple, reason))

    def release_quarantine(self, batch: bytes, shipment: ShipmentRef | bytes, review_report: bytes) -> Receipt:
        """QA review passed: a quarantined shipment's units become sellable for their holder
        (the batch's manufacturer or a regulator).

        Args:
            review_report: The QA review report (its SHA-256 goes on chain), or its 32-byte hash.

        Raises:
            ContractRevert: ``NotDispositionAuthority``, ``QuarantineNotDecidable`` (in transit or
                decided already), ``UnknownQuarantine``, ``RecalledBatch``.
        """
        if not review_report:
            raise InvalidInputError("a release needs the QA review report (or its hash)")
        digest = bytes(review_report) if len(review_report) == 32 else hashlib.sha256(review_report).digest()
        return self._send(self.contract.functions.releaseQuarantine(_b32(batch), self._sid(shipment), digest))

    def destroy_quarantine(self, batch: bytes, shipment: ShipmentRef | bytes, reason: str) -> Receipt:
        """Write off a quarantined shipment's units (their holder, the batch's manufacturer or a
        regulator): they leave the holder's stock and the batch's live count.

        Raises:
            ContractRevert: ``NotDispositionAuthority``, ``QuarantineNotDecidable``, ``UnknownQuarantine``.
        """
        _check_reason(reason, "a destruction")
        return self._send(self.contract.functions.destroyQuarantine(_b32(batch), self._sid(shipment), reason))

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
        _check_reason(reason, "a recall")
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
        (gtin, production, expiry, units, quarantined, suspects, recalled, quarantines, root,
         destroyed) = call(self.contract.functions.batch(bid))
        if gtin == 0:
            return None
        (ev,) = self.logs("BatchCommissioned", batchId=bid) or [None]
        lot = ev["args"]["lot"] if ev else ""
        maker = ev["args"]["manufacturer"] if ev else ""
        cid = ev["args"]["qcReportCid"] if ev else ""
        return Batch(bid, gtin_text(gtin), lot, timestamp_day(production), timestamp_day(expiry), units, quarantined,
                     suspects, recalled, bytes(root), maker, cid, quarantines, destroyed)

    def stock(self, batch: bytes, holder: str) -> Stock:
        return Stock(*call(self.contract.functions.stockOf(_b32(batch), check_address(holder, "holder"))))

    def quarantines(self, batch: bytes) -> list[Quarantine]:
        """Every quarantine of a batch, oldest first, with its state and holder."""
        return [Quarantine.from_chain(q) for q in call(self.contract.functions.quarantines(_b32(batch)))]

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
        logs = self.logs("ShipmentSent", shipmentId=_b32(shipment_id))
        if not logs:
            raise DrugTracingError(f"no shipment 0x{_b32(shipment_id).hex()} on this chain")
        return ShipmentRef.from_event(logs[0]["args"]["ref"])

    def _ref(self, shipment: ShipmentRef | bytes) -> ShipmentRef:
        return shipment if isinstance(shipment, ShipmentRef) else self.shipment(shipment)

    @staticmethod
    def _sid(shipment: ShipmentRef | bytes) -> bytes:
        return shipment.id if isinstance(shipment, ShipmentRef) else _b32(shipment)

    # ------------------------------------------------------------------------- QC report
    @property
    def keypair(self) -> EncryptionKeyPair:
        if self._keypair is None:
            if self.sender is None:
                raise InvalidInputError("this client was opened read-only (no account, no key)")
            self._keypair = EncryptionKeyPair.from_private_key(bytes(self.sender.account.key))
        return self._keypair

    def _qc_storage(self) -> tuple[ContentStore, KeyVault]:
        if self.store is None or self.vault is None or self.sender is None:
            raise InvalidInputError("QC reports need a client with an account, a store and a key vault")
        return self.store, self.vault

    def _public_key(self, account: str) -> bytes:
        try:
            return self.encryption_key(account)
        except ContractRevert as exc:
            raise InvalidInputError(f"{account} has no encryption key in the participant registry ({exc.name})") from None

    def regulators(self) -> list[str]:
        """The active regulators now (from the registry's events, checked against its state)."""
        start = int(self.suite.manifest["contracts"].get("ParticipantRegistry", {}).get("block", 0))
        seen = [e["args"]["account"] for name in ("OrganizationRegistered", "RolesChanged")
                for e in self.logs(name, from_block=start, contract=self.registry)]
        return [a for a in dict.fromkeys(seen) if self.has_role(a, Role.REGULATOR)]

    def _qc_batch(self, batch: bytes) -> Batch:
        info = self.batch(batch)
        if info is None:
            raise DrugTracingError(f"no batch 0x{_b32(batch).hex()} on this chain")
        if not info.qc_report_cid:
            raise DrugTracingError(f"batch {info.lot} has no QC report on chain")
        return info

    def _qc_key(self, batch: bytes, *, required: bool) -> tuple[Batch, bytes] | None:
        """The batch and the report's data key, as the sender can unwrap it (``None`` when it
        cannot and ``required`` is false)."""
        if self.vault is None or self.sender is None:
            if required:
                raise InvalidInputError("sharing the QC report needs a client with an account and a key vault")
            return None
        info = self.batch(batch)
        if info is None or not info.qc_report_cid:
            if required:
                self._qc_batch(batch)
            return None
        try:
            wrapped = self.vault.get(vault_record_key(info.id, 0), self.sender.address)
        except NotARecipientError:
            if required:
                raise
            return None
        return info, unwrap_key(wrapped, self.keypair, qc_context(info.manufacturer, info.id))

    def _wrap_qc(self, batch: bytes, qc: tuple[Batch, bytes], reader: str) -> None:
        info, data_key = qc
        self.vault.put(vault_record_key(info.id, 0), reader,  # type: ignore[union-attr]
                       wrap_key(data_key, self._public_key(reader), qc_context(info.manufacturer, info.id)))

    def qc_entitled(self, batch: bytes) -> list[str]:
        """Who may read the batch's QC report: its manufacturer, the active regulators, and every
        custodian a shipment of the batch was sent to."""
        bid = _b32(batch)
        info = self._qc_batch(bid)
        recipients = [ShipmentRef.from_event(e["args"]["ref"]).recipient for e in self.logs("ShipmentSent", batchId=bid)]
        return list(dict.fromkeys([info.manufacturer, *self.regulators(), *recipients]))

    def share_qc_report(self, batch: bytes, reader: str) -> None:
        """Wrap the batch's QC report key for ``reader`` (by anyone holding a key: the
        manufacturer, a regulator, a custodian). ``reader`` must be entitled (:meth:`qc_entitled`).

        Raises:
            AccessDeniedError: ``reader`` is not entitled. NotARecipientError: the sender holds no key.
            DrugTracingError: unknown batch, or no QC report.
        """
        bid = _b32(batch)
        reader = check_address(reader, "reader")
        if reader not in self.qc_entitled(bid):
            raise AccessDeniedError(f"{reader} is neither the manufacturer, a regulator nor a custodian of this batch")
        self._wrap_qc(bid, self._qc_key(bid, required=True), reader)  # type: ignore[arg-type]

    def qc_report(self, batch: bytes) -> bytes:
        """The batch's QC report in clear: fetched by its CID, checked against the CID on chain
        (the content hash) and decrypted with the sender's key.

        Raises:
            DrugTracingError: unknown batch, or no QC report. NotARecipientError: no key for the
            sender. IntegrityError: the store returned other content. DecryptionError: tampered.
        """
        store, vault = self._qc_storage()
        info = self._qc_batch(batch)
        blob = store.cat(info.qc_report_cid)
        verify_content(info.qc_report_cid, blob)
        ctx = qc_context(info.manufacturer, info.id)
        data_key = unwrap_key(vault.get(vault_record_key(info.id, 0), self.sender.address), self.keypair, ctx)  # type: ignore[union-attr]
        return open_sealed(blob, data_key, ctx)

    def reorder_alerts(self, holder: str | None = None) -> list[dict[str, Any]]:
        """``ReplenishmentNeeded`` events (of ``holder`` when given), oldest first."""
        return [dict(e["args"], gtin=gtin_text(e["args"]["gtin"]), block=e["blockNumber"])
                for e in self.logs("ReplenishmentNeeded", holder=check_address(holder, "holder") if holder else None)]

    def readings(self, shipment: ShipmentRef | bytes) -> list[Reading]:
        """Every reading posted for a shipment, recovered from the posting transactions' input and
        checked against the hash each ``ReadingsPosted`` event carries.

        Raises:
            DrugTracingError: a transaction's readings do not match their on-chain hash.
        """
        sid = shipment.id if isinstance(shipment, ShipmentRef) else _b32(shipment)
        out: list[Reading] = []
        w3 = self.suite.chain.w3
        for log in self.logs("ReadingsPosted", shipmentId=sid):
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
            code: A :class:`~medchain.core.standards.gs1.UnitCode` or any GS1 form of it (element
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
        """The batch's moves: commissioned, shipped, received, rejected, cancelled, quarantined,
        released, destroyed, recalled."""
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
            elif name == "ShipmentCancelled":
                steps.append(CustodyStep("cancelled", when(b), b, a["by"], None, a["quantity"], bytes(a["shipmentId"])))
            elif name == "ShipmentQuarantined":
                steps.append(CustodyStep("quarantined", when(b), b, "", None, a["quantity"], bytes(a["shipmentId"])))
            elif name in ("QuarantineReleased", "QuarantineDestroyed"):
                kind = "released" if name == "QuarantineReleased" else "destroyed"
                steps.append(CustodyStep(kind, when(b), b, a["holder"], a["by"], a["quantity"], bytes(a["shipmentId"])))
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
            elif name in ("ShipmentReceived", "ShipmentRejected", "ShipmentCancelled"):
                ref, status = transit.pop(bytes(a["shipmentId"]))
                who = pos(ref.recipient if name == "ShipmentReceived" else ref.sender)
                if status == ShipmentStatus.QUARANTINED:
                    who.quarantined += ref.quantity
                else:
                    who.available += ref.quantity
            elif name == "QuarantineReleased":
                pos(a["holder"]).quarantined -= a["quantity"]
                pos(a["holder"]).available += a["quantity"]
            elif name == "QuarantineDestroyed":
                pos(a["holder"]).quarantined -= a["quantity"]
                pos(a["holder"]).destroyed += a["quantity"]
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
        """The trace description :func:`medchain.core.standards.epcis.build_epcis_document` takes,
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
            elif name in ("ShipmentRejected", "ShipmentCancelled"):
                out.append({"kind": "reject" if name == "ShipmentRejected" else "cancel", "time": t,
                            "by": party(a["by"]), "quantity": a["quantity"],
                            "shipment_id": "0x" + bytes(a["shipmentId"]).hex(), "reason": a["reason"]})
            elif name in ("QuarantineReleased", "QuarantineDestroyed"):
                event = {"kind": "release" if name == "QuarantineReleased" else "destroy", "time": t,
                         "holder": party(a["holder"]), "by": party(a["by"]), "quantity": a["quantity"],
                         "shipment_id": "0x" + bytes(a["shipmentId"]).hex()}
                if name == "QuarantineReleased":
                    event["review_hash"] = "0x" + bytes(a["reviewReportHash"]).hex()
                else:
                    event["reason"] = a["reason"]
                out.append(event)
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


def qc_context(manufacturer: str, batch: bytes) -> RecordContext:
    """What a batch's sealed QC report and its wrapped keys are bound to: the manufacturer, the
    batch id, category index 0 (a QC report is no patient data; the index only fills the field)."""
    return RecordContext(manufacturer, _b32(batch), 0)


def _check_reason(reason: str, what: str) -> None:
    if not isinstance(reason, str) or not reason or len(reason.encode()) > 1000:
        raise InvalidInputError(f"{what} needs a reason of 1 to 1000 bytes")


def _topic(item: dict[str, Any]) -> bytes:
    from medchain.core.contracts import _abi_type

    return keccak(text=f"{item['name']}({','.join(_abi_type(i) for i in item['inputs'])})")


__all__ = [
    "Batch", "CommissionResult", "CustodyStep", "DispenseResult", "DrugsClient", "HolderPosition", "Product",
    "Quarantine", "QuarantineState", "Reading", "RecallReport", "SerialTree", "ShipmentRef", "ShipmentStatus",
    "Stock", "UnitStatus", "Verification", "batch_id", "day_timestamp", "gtin_number", "qc_context",
    "read_readings_csv", "read_serials", "unit_leaf", "verify_proof", "StandardsError",
]
