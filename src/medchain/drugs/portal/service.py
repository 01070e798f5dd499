"""What the portal answers, independent of HTTP: verification of a scanned pack, a batch-level
code, a batch's recall report and a shipment's temperature chart.

Everything comes from the chain through the public clients (:class:`~medchain.drugs.client.DrugsClient`,
:meth:`~medchain.core.client.ContractClient.participant`), except the batches' serial lists: a pack is
verified with its serial's Merkle proof, so the service keeps a copy of each batch's serial file
(:class:`SerialStore`), as a manufacturer's trading partners do.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from medchain.core.deploy import Suite
from medchain.core.errors import DrugTracingError, InvalidInputError, VerificationUnavailableError
from medchain.core.standards import gs1
from medchain.drugs.chart import temperature_chart
from medchain.drugs.client import Batch, DrugsClient, Product, SerialTree, ShipmentRef, UnitStatus, batch_id, read_serials
from medchain.drugs.portal.models import (
    BatchOut,
    CodeOut,
    CustodyStepOut,
    DispensedOut,
    Excursion,
    Health,
    HolderOut,
    LotOut,
    Party,
    ProductOut,
    RecallReportOut,
    ShipmentOut,
    SuspectOut,
    VerificationOut,
)
from medchain.drugs.portal.texts import TEXTS, Text, text

CHART_CACHE = 64


class SerialStore:
    """The serial lists of the batches this service verifies: one file per batch in a folder,
    named ``<GTIN-14>_<lot, percent-encoded>.txt``, one serial per line in unit order (the
    manufacturer's serial file, as ``medchain drugs commission --serials`` takes it).

    Args:
        directory: The folder (created on :meth:`add`).
    """

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self._trees: dict[Path, tuple[float, SerialTree]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def filename(gtin: str, lot: str) -> str:
        """The file name of a batch's list.

        Raises:
            GS1Error: bad GTIN or lot.
        """
        return f"{gs1.validate_gtin(gtin)}_{quote(gs1._check_text(lot, '10'), safe='')}.txt"

    def add(self, gtin: str, lot: str, serials: Sequence[str]) -> Path:
        """Store a batch's serial list (replacing any previous one at once, never half-written).

        Returns:
            The file written.

        Raises:
            GS1Error: bad GTIN, lot or serial. InvalidInputError: no serials or duplicates.
        """
        SerialTree(batch_id(gtin, lot), serials)  # validates every serial and their uniqueness
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / self.filename(gtin, lot)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".serials-")
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(serials) + "\n")
        os.replace(tmp, path)
        return path

    def tree(self, gtin: str, lot: str) -> SerialTree | None:
        """The batch's serial tree, or ``None`` when the store has no list for it (cached until
        the file changes)."""
        path = self.directory / self.filename(gtin, lot)
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        with self._lock:
            cached = self._trees.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, SerialTree(batch_id(gtin, lot), read_serials(path)))
                self._trees[path] = cached
            return cached[1]

    def batches(self) -> list[tuple[str, str]]:
        """``(gtin, lot)`` of every stored list."""
        if not self.directory.is_dir():
            return []
        out = []
        for p in sorted(self.directory.glob("*_*.txt")):
            gtin, _, lot = p.stem.partition("_")
            out.append((gtin, unquote(lot)))
        return out


def shipment_hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def parse_shipment_id(text_id: str) -> bytes:
    """A shipment id from ``0x`` + 64 hex digits.

    Raises:
        InvalidInputError: not 32 bytes of hex.
    """
    raw = text_id.removeprefix("0x")
    if len(raw) != 64 or any(c not in "0123456789abcdefABCDEF" for c in raw):
        raise InvalidInputError(f"shipment id {text_id[:80]!r} is not 0x followed by 64 hex digits")
    return bytes.fromhex(raw)


_LEG_STATUS = {"ShipmentRejected": "rejected", "ShipmentCancelled": "cancelled", "QuarantineReleased": "released",
               "QuarantineDestroyed": "destroyed"}


@dataclass
class _Leg:
    """What the events tell of one shipment."""

    ref: ShipmentRef
    status: str = "in_transit"
    readings: int = 0
    excursion: dict[str, Any] | None = None


@dataclass
class _History:
    """A batch's events, sorted into what the pages need."""

    legs: OrderedDict[bytes, _Leg] = field(default_factory=OrderedDict)
    dispensed: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # index -> (serial, by, block)
    suspects: list[tuple[str, str, UnitStatus]] = field(default_factory=list)
    recall: tuple[str, str, int] | None = None  # (by, reason, block)

    @classmethod
    def of(cls, events: Iterable[tuple[str, Any]]) -> _History:
        h = cls()
        for name, log in events:
            a = log["args"]
            if name == "ShipmentSent":
                ref = ShipmentRef.from_event(a["ref"])
                h.legs[ref.id] = _Leg(ref)
            elif name in ("ShipmentReceived", "ShipmentRejected", "ShipmentCancelled", "ShipmentQuarantined",
                          "QuarantineReleased", "QuarantineDestroyed", "ReadingsPosted", "ExcursionDetected"):
                leg = h.legs.get(bytes(a["shipmentId"]))
                if leg is None:
                    continue
                if name == "ShipmentReceived":
                    leg.status = "quarantined_received" if leg.status == "quarantined" else "received"
                elif name in _LEG_STATUS:
                    leg.status = _LEG_STATUS[name]
                elif name == "ShipmentQuarantined":
                    leg.status = "quarantined"
                elif name == "ReadingsPosted":
                    leg.readings += int(a["count"])
                elif leg.excursion is None:
                    leg.excursion = dict(a)
            elif name == "UnitDispensed":
                h.dispensed[int(a["index"])] = (a["serial"], a["dispenser"], log["blockNumber"])
            elif name == "CounterfeitSuspected":
                h.suspects.append((a["serial"], a["presenter"], UnitStatus(a["status"])))
            elif name == "BatchRecalled":
                h.recall = (a["by"], a["reason"], log["blockNumber"])
        return h


def _utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc)


def _day(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


class Portal:
    """The verification portal's answers against one deployed suite.

    Every chain read happens under one lock (the embedded chain is not thread-safe, and the web
    server calls from a thread pool).

    Args:
        suite: The deployed suite (any chain).
        store: The batches' serial lists.
    """

    def __init__(self, suite: Suite, store: SerialStore):
        self.suite = suite
        self.store = store
        self.drugs = DrugsClient(suite)
        self.lock = threading.RLock()
        self._names: dict[str, str | None] = {}
        self._block_times: dict[int, int] = {}
        self._charts: OrderedDict[tuple[bytes, int], bytes] = OrderedDict()
        self._memo: dict[Any, Any] = {}
        self._memo_block = -1

    def _remember(self, key: Any, compute: Any) -> Any:
        """``compute()``, memoised until the chain's next block (answers only change with blocks;
        the embedded chain scans every block on each ``eth_getLogs``)."""
        with self.lock:
            block = self.suite.chain.w3.eth.block_number
            if block != self._memo_block:
                self._memo, self._memo_block = {}, block
            if key not in self._memo:
                if len(self._memo) >= 1024:
                    self._memo.clear()
                self._memo[key] = compute()
            return self._memo[key]

    # ------------------------------------------------------------------ building blocks
    def party(self, address: str) -> Party:
        """An address with its directory name (cached)."""
        if address not in self._names:
            found = self.drugs.participant(address)
            self._names[address] = found.name or None
        return Party(address=address, name=self._names[address])

    def _time(self, block: int) -> dt.datetime:
        if block not in self._block_times:
            self._block_times[block] = int(self.suite.chain.w3.eth.get_block(block)["timestamp"])
        return _utc(self._block_times[block])

    def _product(self, p: Product | None) -> ProductOut | None:
        if p is None:
            return None
        return ProductOut(gtin=p.gtin, name=p.name, manufacturer=self.party(p.manufacturer),
                          min_temperature_c=p.min_temperature_c, max_temperature_c=p.max_temperature_c,
                          max_humidity_pct=p.max_humidity_pct)

    def _batch(self, b: Batch, h: _History) -> BatchOut:
        recall = h.recall
        return BatchOut(id=shipment_hex(b.id), gtin=b.gtin, lot=b.lot, production=b.production, expiry=b.expiry,
                        units=b.units, quarantined=b.quarantined, suspected_counterfeits=b.suspects,
                        recalled=b.recalled, recall_reason=recall[1] if recall else None,
                        recalled_at=self._time(recall[2]) if recall else None,
                        recalled_by=self.party(recall[0]) if recall else None,
                        manufacturer=self.party(b.manufacturer), qc_report_cid=b.qc_report_cid)

    @staticmethod
    def _code(unit: gs1.UnitCode) -> CodeOut:
        link = gs1.to_digital_link(unit, base_uri="http://portal")
        return CodeOut(gtin=unit.gtin, lot=unit.lot, expiry=unit.expiry, serial=unit.serial,
                       element_string=gs1.to_element_string(unit), digital_link=link.removeprefix("http://portal"))

    def _shipment(self, leg: _Leg) -> ShipmentOut:
        ex = leg.excursion
        excursion = None if ex is None else Excursion(
            time=_utc(ex["time"]), temperature_c=ex["temperature"] / 100, humidity_pct=ex["humidity"],
            latitude=ex["latitude"] / 1e6, longitude=ex["longitude"] / 1e6)
        ref = leg.ref
        return ShipmentOut(id=shipment_hex(ref.id), sender=self.party(ref.sender), recipient=self.party(ref.recipient),
                           quantity=ref.quantity, first_unit=ref.unit_range[0] if ref.unit_range else None,
                           status=leg.status, readings=leg.readings, excursion=excursion,
                           chart_url=f"/shipments/{shipment_hex(ref.id)}/chart.png" if leg.readings else None)

    def _path(self, bid: bytes, events: list[tuple[str, Any]], keep: set[bytes] | None = None) -> list[CustodyStepOut]:
        out = []
        for s in self.drugs.custody_path(bid, events):
            if keep is not None and s.shipment_id is not None and s.shipment_id not in keep:
                continue
            counterparty = self.party(s.counterparty) if s.counterparty else None
            key = f"step_{s.kind}"
            label = (text(key, quantity=s.quantity, counterparty=counterparty.label if counterparty else "")
                     if key in TEXTS else Text(en=s.kind, zh=s.kind))
            out.append(CustodyStepOut(kind=s.kind, label=label, time=_utc(s.time), block=s.block,
                                      party=self.party(s.party) if s.party else None, counterparty=counterparty,
                                      quantity=s.quantity,
                                      shipment_id=shipment_hex(s.shipment_id) if s.shipment_id else None))
        return out

    # ------------------------------------------------------------------ answers
    def verify(self, unit: gs1.UnitCode) -> VerificationOut:
        """Verify a scanned pack.

        Args:
            unit: The pack's code; it must carry a serial.

        Returns:
            The status with its reasons and advice in both languages, the product, the batch, the
            custody path of the pack's units and the shipments that carried it.

        Raises:
            GS1Error: no serial. VerificationUnavailableError: the service holds no serial list
                for a batch that exists, or one that does not match it.
        """
        return self._remember(("verify", unit), lambda: self._verify(unit))

    def _verify(self, unit: gs1.UnitCode) -> VerificationOut:
        with self.lock:
            tree = self.store.tree(unit.gtin, unit.lot)
            v = self.drugs.verify(unit, tree)
            b = v.batch
            if b is not None and tree is None:
                raise VerificationUnavailableError(
                    f"this service holds no serial list for lot {unit.lot} of GTIN {unit.gtin}: it cannot check the pack")
            if b is not None and tree is not None and tree.root != b.serials_root:
                raise VerificationUnavailableError(
                    f"this service's serial list for lot {unit.lot} does not match the batch on chain")
            status = v.status.name.lower()
            events = self.drugs.history(b.id) if b is not None else []
            h = _History.of(events)
            reasons: list[Text] = []
            shipments: list[ShipmentOut] = []
            path: list[CustodyStepOut] = []
            dispensed = None
            if v.product is None:
                reason = "unknown_product"
                reasons.append(text("why_unknown_product", gtin=unit.gtin))
            elif b is None:
                reason = "unknown_batch"
                reasons.append(text("why_unknown_batch", product=v.product.name, lot=unit.lot))
            elif b.expiry != unit.expiry:
                reason = "expiry_mismatch"
                reasons.append(text("why_expiry_mismatch", scanned=unit.expiry, expiry=b.expiry))
            elif v.unit_index is None:
                reason = "unknown_serial"
                reasons.append(text("why_unknown_serial", lot=unit.lot, serial=unit.serial))
            else:
                reason = status
                index = v.unit_index
                legs = [leg for leg in h.legs.values() if leg.ref.unit_range is None
                        or leg.ref.unit_range[0] <= index < leg.ref.unit_range[1]]
                shipments = [self._shipment(leg) for leg in legs]
                path = self._path(b.id, events, {leg.ref.id for leg in legs})
                if index in h.dispensed:
                    serial, by, block = h.dispensed[index]
                    dispensed = DispensedOut(index=index, serial=serial, by=self.party(by), time=self._time(block))
                reasons.extend(self._why(v.status, b, h, unit, legs, path, dispensed))
            if v.status == UnitStatus.UNKNOWN_SERIAL:
                status, headline, advice = "unknown_serial", text("unknown_serial"), text("advice_stop")
            else:
                headline = text(status) if status in TEXTS else text("unknown_serial")
                advice = text("advice_ok" if v.genuine else "advice_check" if v.status == UnitStatus.DISPENSED
                              else "advice_stop")
            return VerificationOut(status=status, genuine=v.genuine, reason=reason, headline=headline,  # type: ignore[arg-type]
                                   reasons=reasons, advice=advice, code=self._code(unit), unit_index=v.unit_index,
                                   product=self._product(v.product), batch=self._batch(b, h) if b else None,
                                   custody_path=path, shipments=shipments, dispensed=dispensed)

    def _why(self, status: UnitStatus, b: Batch, h: _History, unit: gs1.UnitCode, legs: list[_Leg],
             path: list[CustodyStepOut], dispensed: DispensedOut | None) -> list[Text]:
        if status == UnitStatus.RECALLED and h.recall:
            by, reason, block = h.recall
            return [text("why_recalled", date=_day(self._time(block)), party=self.party(by).label, reason=reason)]
        if status == UnitStatus.DISPENSED and dispensed is not None:
            out = [text("why_dispensed", date=_day(dispensed.time), party=dispensed.by.label)]  # type: ignore[arg-type]
            copies = sum(1 for serial, _, st in h.suspects if serial == unit.serial and st == UnitStatus.DISPENSED)
            if copies:
                out.append(text("why_copies", count=copies))
            return out
        if status == UnitStatus.EXPIRED:
            return [text("why_expired", expiry=b.expiry)]
        if status.name in ("QUARANTINED", "DESTROYED"):
            product = self.drugs.product(b.gtin)
            out = []
            for leg in legs:
                if leg.excursion is not None and product is not None:
                    ex = leg.excursion
                    out.append(text("why_quarantined", sender=self.party(leg.ref.sender).label,
                                    recipient=self.party(leg.ref.recipient).label, temperature=ex["temperature"] / 100,
                                    date=_day(_utc(ex["time"])), low=product.min_temperature_c,
                                    high=product.max_temperature_c))
            return out
        if status == UnitStatus.GENUINE:
            received = [s for s in path if s.kind == "received"]
            holder = received[-1].party if received and received[-1].party else self.party(b.manufacturer)
            return [text("why_genuine", lot=b.lot, expiry=b.expiry, holder=holder.label)]
        return []

    def lot(self, unit: gs1.UnitCode) -> LotOut:
        """What a batch-level code (GTIN, lot, expiry, no serial) tells: the batch, recalled or not,
        its whole custody path."""
        return self._remember(("lot", unit), lambda: self._lot(unit))

    def _lot(self, unit: gs1.UnitCode) -> LotOut:
        with self.lock:
            product = self.drugs.product(unit.gtin)
            b = self.drugs.batch(batch_id(unit.gtin, unit.lot))
            reasons: list[Text] = []
            if product is None or b is None or b.expiry != unit.expiry:
                if product is None:
                    reasons.append(text("why_unknown_product", gtin=unit.gtin))
                elif b is None:
                    reasons.append(text("why_unknown_batch", product=product.name, lot=unit.lot))
                else:
                    reasons.append(text("why_expiry_mismatch", scanned=unit.expiry, expiry=b.expiry))
                return LotOut(recalled=None, headline=text("lot_unknown"), reasons=reasons, code=self._code(unit),
                              product=self._product(product), custody_path=[])
            events = self.drugs.history(b.id)
            h = _History.of(events)
            if h.recall:
                by, reason, block = h.recall
                reasons.append(text("why_recalled", date=_day(self._time(block)), party=self.party(by).label,
                                    reason=reason))
            return LotOut(recalled=b.recalled, headline=text("lot_recalled" if b.recalled else "lot_ok"),
                          reasons=reasons, code=self._code(unit), product=self._product(product),
                          batch=self._batch(b, h), custody_path=self._path(b.id, events))

    def recall_report(self, gtin: str, lot: str) -> RecallReportOut:
        """A batch's recall report: holders and quantities, in transit, dispensed units, suspects.

        Raises:
            GS1Error: bad GTIN or lot. DrugTracingError: no such batch.
        """
        gs1._check_text(lot, "10")
        return self._remember(("report", gs1.validate_gtin(gtin), lot), lambda: self._recall_report(gtin, lot))

    def _recall_report(self, gtin: str, lot: str) -> RecallReportOut:
        bid = batch_id(gtin, lot)
        with self.lock:
            b = self.drugs.batch(bid)
            if b is None:
                raise DrugTracingError(f"no batch {lot} of GTIN {gs1.validate_gtin(gtin)} on this chain")
            h = _History.of(self.drugs.history(bid))
            report = self.drugs.recall_report(bid)
            holders = [HolderOut(holder=self.party(p.holder), sellable=p.available, quarantined=p.quarantined,
                                 dispensed=p.dispensed) for p in report.holders.values()]
            return RecallReportOut(
                batch=self._batch(b, h), product=self._product(self.drugs.product(b.gtin)), holders=holders,
                total_held=report.total_held,
                in_transit=[self._shipment(h.legs.get(ref.id) or _Leg(ref)) for ref, *_ in report.in_transit],
                dispensed=[DispensedOut(index=i, serial=s, by=self.party(by), time=self._time(h.dispensed[i][2])
                                        if i in h.dispensed else None) for i, s, by in report.dispensed],
                suspected_counterfeits=[SuspectOut(serial=s, presenter=self.party(p), status=st.name.lower())  # type: ignore[arg-type]
                                        for s, p, st in report.suspected_counterfeits])

    def chart(self, shipment_id: bytes) -> bytes:
        """A shipment's temperature chart (PNG) with the product's allowed range and excursions.

        Raises:
            DrugTracingError: no such shipment, or no readings were posted for it.
        """
        with self.lock:
            ref = self.drugs.shipment(shipment_id)
            readings = self.drugs.readings(ref)
            if not readings:
                raise DrugTracingError(f"no readings were posted for shipment {shipment_hex(shipment_id)}")
            key = (ref.id, len(readings))
            if key not in self._charts:
                b = self.drugs.batch(ref.batch_id)
                product = self.drugs.product(b.gtin)  # type: ignore[union-attr]
                title = (f"{product.name}, lot {b.lot}: {self.party(ref.sender).label} to "  # type: ignore[union-attr]
                         f"{self.party(ref.recipient).label}")
                with tempfile.TemporaryDirectory(prefix="medchain-chart-") as tmp:
                    path = temperature_chart(readings, Path(tmp) / "chart.png", min_c=product.min_temperature_c,  # type: ignore[union-attr]
                                             max_c=product.max_temperature_c, title=title)  # type: ignore[union-attr]
                    self._charts[key] = path.read_bytes()
                while len(self._charts) > CHART_CACHE:
                    self._charts.popitem(last=False)
            return self._charts[key]

    def health(self) -> Health:
        with self.lock:
            w3 = self.suite.chain.w3
            return Health(chain_id=self.suite.chain.chain_id, block=w3.eth.block_number,
                          contract=self.drugs.contract.address, batches_with_serials=len(self.store.batches()))


def report_csv(report: RecallReportOut) -> str:
    """The recall report as CSV: one row per holder, then in-transit shipments, dispensed units
    and suspected counterfeits (a ``section`` column tells which)."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    b = report.batch
    w.writerow(["section", "gtin", "lot", "party", "party_name", "sellable", "quarantined", "dispensed",
                "quantity", "serial", "status", "detail"])
    head = [b.gtin, b.lot]
    for h in report.holders:
        w.writerow(["holder", *head, h.holder.address, h.holder.name or "", h.sellable, h.quarantined, h.dispensed,
                    h.sellable + h.quarantined, "", "", ""])
    for s in report.in_transit:
        w.writerow(["in_transit", *head, s.recipient.address, s.recipient.name or "", "", "", "", s.quantity, "",
                    s.status, f"from {s.sender.address} shipment {s.id}"])
    for d in report.dispensed:
        w.writerow(["dispensed", *head, d.by.address, d.by.name or "", "", "", "", 1, d.serial, "dispensed",
                    d.time.isoformat() if d.time else ""])
    for c in report.suspected_counterfeits:
        w.writerow(["suspect", *head, c.presenter.address, c.presenter.name or "", "", "", "", "", c.serial,
                    c.status, ""])
    if b.recalled:
        w.writerow(["recall", *head, b.recalled_by.address if b.recalled_by else "", "", "", "", "", "", "", "recalled",
                    b.recall_reason or ""])
    return out.getvalue()
