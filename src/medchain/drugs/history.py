"""A batch's history, rebuilt from DrugBatchTracing's events: plain functions, no chain access.

Every event of the contract carries the batch id as its first topic, so one ``eth_getLogs``
fetches a batch's whole history (:meth:`DrugsClient.history <medchain.drugs.client.DrugsClient.history>`).
:func:`decode_events` turns it, once, into :class:`BatchEvent` rows (the shipment reference and
id decoded, the block time and the posted readings attached when asked for), and the reports
are folds over those rows:

* :func:`custody_path`: the batch's moves, oldest first;
* :func:`recall_report`: who holds what, what is in transit, what was dispensed where;
* :func:`epcis_trace` / :func:`epcis_document`: the EPCIS 2.0 export;
* :func:`posted_readings`: a ``ReadingsPosted`` transaction's readings, checked against the
  digest its event carries (the chain keeps readings only as transaction input).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak
from web3 import Web3

from medchain.core.errors import DrugTracingError
from medchain.core.standards import epcis
from medchain.drugs.model import Batch, Product, Reading, ShipmentRef, ShipmentStatus, UnitStatus

__all__ = [
    "BatchEvent", "CustodyStep", "HolderPosition", "RecallReport", "custody_path", "decode_events", "epcis_document",
    "epcis_trace", "posted_readings", "recall_report",
]


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
class BatchEvent:
    """One decoded event of a batch.

    Attributes:
        name: The event's name (``ShipmentSent``…).
        args: Its decoded arguments.
        block: Its block number.
        time: The block's time (``None`` when decoded without block times).
        ref: The shipment's terms (``ShipmentSent``).
        shipment_id: The shipment the event is about (every shipment and quarantine event).
        readings: The posted readings (``ReadingsPosted``, when decoded with readings).
    """

    name: str
    args: Mapping[str, Any]
    block: int
    time: int | None = None
    ref: ShipmentRef | None = None
    shipment_id: bytes | None = None
    readings: tuple[Reading, ...] = field(default=(), repr=False)

    @property
    def when(self) -> int:
        if self.time is None:
            raise DrugTracingError(f"{self.name} of block {self.block} was decoded without its block time")
        return self.time

    @property
    def sid(self) -> bytes:
        """:attr:`shipment_id`, for an event known to be about a shipment."""
        if self.shipment_id is None:
            raise DrugTracingError(f"{self.name} of block {self.block} is about no shipment")
        return self.shipment_id


def decode_events(history: Iterable[tuple[str, Any]], *, block_time: Callable[[int], int] | None = None,
                  readings: Callable[[Any], Sequence[Reading]] | None = None) -> list[BatchEvent]:
    """Decode a batch's ``(event name, log)`` pairs once for every report.

    Args:
        history: The pairs, in chain order (:meth:`DrugsClient.history`).
        block_time: Block number to time (``None``: leave :attr:`BatchEvent.time` unset).
        readings: ``ReadingsPosted`` log to its readings (``None``: leave them out).
    """
    out = []
    for name, log in history:
        a = log["args"]
        ref = ShipmentRef.from_event(a["ref"]) if name == "ShipmentSent" else None
        sid = ref.id if ref is not None else bytes(a["shipmentId"]) if "shipmentId" in a else None
        out.append(BatchEvent(
            name, a, int(log["blockNumber"]), block_time(int(log["blockNumber"])) if block_time is not None else None,
            ref, sid, tuple(readings(log)) if readings is not None and name == "ReadingsPosted" else ()))
    return out


def posted_readings(words: Sequence[int], readings_hash: bytes, tx_hash: bytes = b"") -> list[Reading]:
    """The readings of one ``postReadings`` transaction (its input ``words``), checked against the
    ``readingsHash`` of its ``ReadingsPosted`` event.

    Raises:
        DrugTracingError: the words do not match the hash.
    """
    if keccak(b"".join(int(w).to_bytes(32, "big") for w in words)) != bytes(readings_hash):
        raise DrugTracingError(f"readings of transaction {bytes(tx_hash).hex()} do not match their hash")
    return [Reading.unpack(int(w)) for w in words]


# ------------------------------------------------------------------------------------ custody


_QUANTITY_STEPS = {"ShipmentReceived": ("received", "to"), "ShipmentRejected": ("rejected", "by"),
                   "ShipmentCancelled": ("cancelled", "by")}


def custody_path(events: Iterable[BatchEvent]) -> list[CustodyStep]:
    """The batch's moves: commissioned, shipped, received, rejected, cancelled, quarantined,
    released, destroyed, recalled (the events must carry their block times)."""
    steps = []
    for e in events:
        a = e.args
        if e.name == "BatchCommissioned":
            steps.append(CustodyStep("commissioned", e.when, e.block, a["manufacturer"], None, a["units"]))
        elif e.ref is not None:
            steps.append(CustodyStep("shipped", e.when, e.block, e.ref.sender, e.ref.recipient, e.ref.quantity, e.ref.id))
        elif e.name in _QUANTITY_STEPS:
            kind, who = _QUANTITY_STEPS[e.name]
            steps.append(CustodyStep(kind, e.when, e.block, a[who], None, a["quantity"], e.shipment_id))
        elif e.name == "ShipmentQuarantined":
            steps.append(CustodyStep("quarantined", e.when, e.block, "", None, a["quantity"], e.shipment_id))
        elif e.name in ("QuarantineReleased", "QuarantineDestroyed"):
            kind = "released" if e.name == "QuarantineReleased" else "destroyed"
            steps.append(CustodyStep(kind, e.when, e.block, a["holder"], a["by"], a["quantity"], e.shipment_id))
        elif e.name == "BatchRecalled":
            steps.append(CustodyStep("recalled", e.when, e.block, a["by"]))
    return steps


def recall_report(events: Iterable[BatchEvent], batch_id: bytes) -> RecallReport:
    """Who holds which quantity of the batch (sellable and quarantined), what is in transit,
    which units were dispensed and where, and every suspected counterfeit (block times unused)."""
    holders: dict[str, HolderPosition] = {}
    transit: dict[bytes, tuple[ShipmentRef, ShipmentStatus]] = {}
    dispensed: list[tuple[int, str, str]] = []
    suspects: list[tuple[str, str, UnitStatus]] = []
    recalled, units = False, 0

    def pos(who: str) -> HolderPosition:
        if who not in holders:
            holders[who] = HolderPosition(who)
        return holders[who]

    for e in events:
        a = e.args
        if e.name == "BatchCommissioned":
            units = a["units"]
            pos(a["manufacturer"]).available += units
        elif e.ref is not None:
            pos(e.ref.sender).available -= e.ref.quantity
            transit[e.ref.id] = (e.ref, ShipmentStatus.IN_TRANSIT)
        elif e.name == "ShipmentQuarantined":
            ref = transit[e.sid][0]
            transit[ref.id] = (ref, ShipmentStatus.QUARANTINED)
        elif e.name in ("ShipmentReceived", "ShipmentRejected", "ShipmentCancelled"):
            ref, status = transit.pop(e.sid)
            who = pos(ref.recipient if e.name == "ShipmentReceived" else ref.sender)
            if status == ShipmentStatus.QUARANTINED:
                who.quarantined += ref.quantity
            else:
                who.available += ref.quantity
        elif e.name == "QuarantineReleased":
            pos(a["holder"]).quarantined -= a["quantity"]
            pos(a["holder"]).available += a["quantity"]
        elif e.name == "QuarantineDestroyed":
            pos(a["holder"]).quarantined -= a["quantity"]
            pos(a["holder"]).destroyed += a["quantity"]
        elif e.name == "UnitDispensed":
            pos(a["dispenser"]).available -= 1
            pos(a["dispenser"]).dispensed += 1
            dispensed.append((int(a["index"]), a["serial"], a["dispenser"]))
        elif e.name == "CounterfeitSuspected":
            suspects.append((a["serial"], a["presenter"], UnitStatus(a["status"])))
        elif e.name == "BatchRecalled":
            recalled = True
    return RecallReport(bytes(batch_id), recalled, holders, list(transit.values()), dispensed, suspects, units)


# ------------------------------------------------------------------------------------ EPCIS


def _hex(value: bytes | None) -> str:
    return "0x" + bytes(value or b"").hex()


def epcis_trace(events: Sequence[BatchEvent], batch: Batch, product: Product | None, *, company_prefix_length: int = 7,
                glns: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The trace description :func:`medchain.core.standards.epcis.build_epcis_document` takes
    (the events must carry their block times and readings).

    Args:
        glns: GLNs of parties by address (a party without one is named by its address).

    Raises:
        DrugTracingError: no events.
    """
    if not events:
        raise DrugTracingError(f"batch 0x{batch.id.hex()} has no history on this chain")
    gln = {Web3.to_checksum_address(k): v for k, v in (glns or {}).items()}

    def party(address: str) -> Any:
        address = Web3.to_checksum_address(address)
        return {"address": address, "gln": gln[address]} if address in gln else address

    refs: dict[bytes, ShipmentRef] = {}
    out: list[dict[str, Any]] = []
    for e in events:
        a, t, sid = e.args, e.when, _hex(e.shipment_id)
        if e.name == "BatchCommissioned":
            out.append({"kind": "commission", "time": t, "manufacturer": party(a["manufacturer"]), "quantity": a["units"]})
        elif e.ref is not None:
            refs[e.ref.id] = e.ref
            out.append({"kind": "ship", "time": t, "from": party(e.ref.sender), "to": party(e.ref.recipient),
                        "quantity": e.ref.quantity, "shipment_id": sid})
        elif e.name == "ShipmentReceived":
            ref = refs[e.sid]
            out.append({"kind": "receive", "time": t, "from": party(ref.sender), "to": party(ref.recipient),
                        "quantity": ref.quantity, "shipment_id": sid})
        elif e.name in ("ShipmentRejected", "ShipmentCancelled"):
            out.append({"kind": "reject" if e.name == "ShipmentRejected" else "cancel", "time": t, "by": party(a["by"]),
                        "quantity": a["quantity"], "shipment_id": sid, "reason": a["reason"]})
        elif e.name in ("QuarantineReleased", "QuarantineDestroyed"):
            decision: dict[str, Any] = {
                "kind": "release" if e.name == "QuarantineReleased" else "destroy", "time": t,
                "holder": party(a["holder"]), "by": party(a["by"]), "quantity": a["quantity"], "shipment_id": sid}
            if e.name == "QuarantineReleased":
                decision["review_hash"] = _hex(a["reviewReportHash"])
            else:
                decision["reason"] = a["reason"]
            out.append(decision)
        elif e.name == "ReadingsPosted":
            sensor: dict[str, Any] = {
                "kind": "sensor", "time": t, "shipment_id": sid, "device": a["poster"],
                "readings": [{"time": r.time, "temperature_c": r.temperature_c, "humidity_pct": r.humidity_pct}
                             for r in e.readings]}
            if product is not None:
                sensor["allowed_min_c"], sensor["allowed_max_c"] = product.min_temperature_c, product.max_temperature_c
            out.append(sensor)
        elif e.name == "ShipmentQuarantined":
            ref = refs[e.sid]
            out.append({"kind": "quarantine", "time": t, "by": party(ref.recipient), "quantity": ref.quantity,
                        "reason": "cold-chain excursion in shipment 0x" + ref.id.hex()})
        elif e.name == "UnitDispensed":
            out.append({"kind": "dispense", "time": t, "pharmacy": party(a["dispenser"]), "serial": a["serial"]})
        elif e.name == "BatchRecalled":
            out.append({"kind": "recall", "time": t, "by": party(a["by"]), "reason": a["reason"]})
    batch_desc: dict[str, Any] = {"lot": batch.lot, "expiry": batch.expiry, "production": batch.production,
                                  "units": batch.units}
    if batch.qc_report_cid:
        batch_desc["qc_cid"] = batch.qc_report_cid
    prod: dict[str, Any] = {"gtin": batch.gtin, "company_prefix_length": company_prefix_length}
    if product is not None:
        prod["name"] = product.name
    return {"product": prod, "batch": batch_desc, "events": out}


def epcis_document(events: Sequence[BatchEvent], batch: Batch, product: Product | None, *,
                   company_prefix_length: int = 7, glns: Mapping[str, str] | None = None, id_scheme: str = "urn",
                   created: Any = None) -> dict[str, Any]:
    """The batch's trace as an EPCIS 2.0 JSON-LD document (CBV vocabulary).

    Raises:
        DrugTracingError: no events. StandardsError: data EPCIS cannot carry.
    """
    trace = epcis_trace(events, batch, product, company_prefix_length=company_prefix_length, glns=glns)
    return epcis.build_epcis_document(trace, created=created, id_scheme=id_scheme)
