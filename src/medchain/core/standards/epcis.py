"""EPCIS 2.0 JSON-LD documents for a drug batch trace.

Pure: a plain, chain-agnostic trace description in, an ``EPCISDocument`` dict
out.  Bad input raises :class:`~medchain.core.errors.StandardsError` (or its
subclass :class:`~medchain.core.errors.GS1Error` for identifiers) whose ``field``
is the path of the offending value, e.g. ``events[3].time``.

Trace description::

    {"product": {"gtin": "09506000134352", "name": "Amoxicillin 500 mg",
                 "company_prefix_length": 7},
     "batch": {"lot": "LOT42", "expiry": "2026-12-31", "production": "2025-01-10",
               "units": 1000, "qc_cid": "bafy..."},
     "events": [{"kind": "commission", "time": ..., "manufacturer": PARTY,
                 "serials": [...] or "quantity": n}, ...]}

Event kinds and keys (``time`` everywhere: unix seconds, timezone-aware
``datetime`` or ISO 8601 string with offset; ``serials``/``quantity`` optional
wherever goods are involved, defaulting to the whole lot):

============  ==========================================  ============================
kind          keys                                        CBV bizStep / disposition
============  ==========================================  ============================
commission    manufacturer, serials | quantity            commissioning / active (ADD, ilmd)
ship          from, to, shipment_id, quantity | serials   shipping / in_transit
receive       from, to, shipment_id, quantity | serials   receiving / in_progress
reject        by, reason, shipment_id, quantity           inspecting / non_conformant
cancel        by, reason, shipment_id, quantity           void_shipping / in_progress
sensor        shipment_id, readings, excursion,           sensor_reporting / -
              allowed_min_c, allowed_max_c, device, location
quarantine    by, reason, quantity | serials              holding / non_sellable_other
release       holder, by, review_hash, shipment_id,       inspecting / sellable_accessible
              quantity | serials
destroy       holder, by, reason, shipment_id,            destroying / destroyed (DELETE)
              quantity | serials
dispense      pharmacy, serial | quantity                 dispensing / dispensed
recall        by, reason                                  - / recalled
============  ==========================================  ============================

CBV 2.0 has no "rejecting" business step: a rejection is recorded as an
inspection whose outcome is ``non_conformant``.  Recall has no CBV business
step either, so the event carries only the ``recalled`` disposition. A cancelled shipment is CBV's
``void_shipping`` (the goods stay with the sender). A quarantine's disposition happens where the
units are (``holder``); who decided it (``by``: the manufacturer, a regulator or the holder) is
``medchain:decidedBy``; a QA release carries the review report's hash (``medchain:reviewReportHash``);
a destruction is a ``DELETE`` of the quantity from the lot.

Identifiers:

* packs: SGTIN URNs (``urn:epc:id:sgtin:...``) and lots: LGTIN URNs, or with
  ``id_scheme="dl"`` their GS1 Digital Link forms (both allowed by EPCIS 2.0);
* parties (``PARTY``): an Ethereum address string ``"0x..."``, a 13-digit GLN
  string, or ``{"address": "0x...", "gln": "..."}``.  With a GLN, parties are
  ``https://id.gs1.org/417/{GLN}`` and locations ``https://id.gs1.org/414/{GLN}``;
  without, ``urn:medchain:party:0x...`` and ``urn:medchain:location:0x...``
  (address lower-cased).  The official schema only asks for URIs there;
* shipments: ``urn:medchain:shipment:{id}`` as a ``desadv`` business transaction;
* the QC certificate CID: ``certificationInfo`` ``ipfs://{cid}`` on commissioning;
* sensor devices: ``urn:medchain:device:{address}``;
* MedChain extension fields live in the ``medchain:`` JSON-LD namespace
  (``urn:medchain:epcis:``): ``reason``, ``productionDate``, ``excursion``,
  ``allowedMinTemperatureC``, ``allowedMaxTemperatureC``, ``decidedBy``, ``reviewReportHash``.

Sensor readings become one ``sensorElement`` each, ``Temperature`` in ``CEL``
and ``RelativeHumidity`` in ``P1`` (percent, UN/CEFACT Rec. 20); a temperature
outside the allowed range is flagged ``exception: ALARM_CONDITION``.

``eventID`` is a deterministic ``urn:uuid:`` (UUID 5 of the event's canonical
JSON), not the CBV 2.0 event hash.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from jsonschema import Draft7Validator, FormatChecker

from medchain.core.errors import GS1Error, StandardsError
from medchain.core.standards import gs1

__all__ = [
    "CBV_BIZ_STEPS",
    "CBV_DISPOSITIONS",
    "EPCIS_CONTEXT",
    "MEDCHAIN_NS",
    "build_epcis_document",
    "format_checker",
    "location_uri",
    "party_uri",
    "validate_document",
]

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
MEDCHAIN_NS = "urn:medchain:epcis:"
_EVENT_ID_NS = uuid.uuid5(uuid.NAMESPACE_URL, MEDCHAIN_NS)

# kind -> (action, bizStep, disposition)
_KINDS: dict[str, tuple[str, str | None, str | None]] = {
    "commission": ("ADD", "commissioning", "active"),
    "ship": ("OBSERVE", "shipping", "in_transit"),
    "receive": ("OBSERVE", "receiving", "in_progress"),
    "reject": ("OBSERVE", "inspecting", "non_conformant"),
    "cancel": ("OBSERVE", "void_shipping", "in_progress"),
    "sensor": ("OBSERVE", "sensor_reporting", None),
    "quarantine": ("OBSERVE", "holding", "non_sellable_other"),
    "release": ("OBSERVE", "inspecting", "sellable_accessible"),
    "destroy": ("DELETE", "destroying", "destroyed"),
    "dispense": ("OBSERVE", "dispensing", "dispensed"),
    "recall": ("OBSERVE", None, "recalled"),
}
CBV_BIZ_STEPS = frozenset(step for _, step, _ in _KINDS.values() if step)
"""The CBV 2.0 business steps this module writes."""
CBV_DISPOSITIONS = frozenset(disp for _, _, disp in _KINDS.values() if disp)
"""The CBV 2.0 dispositions this module writes."""

_GOODS = {"quantity", "serials"}
_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required, optional)
    "commission": ({"manufacturer"}, _GOODS),
    "ship": ({"from", "to"}, {"shipment_id"} | _GOODS),
    "receive": ({"from", "to"}, {"shipment_id"} | _GOODS),
    "reject": ({"by"}, {"reason", "shipment_id"} | _GOODS),
    "cancel": ({"by"}, {"reason", "shipment_id"} | _GOODS),
    "sensor": (
        {"readings"},
        {"shipment_id", "excursion", "allowed_min_c", "allowed_max_c", "device", "location"}
        | _GOODS,
    ),
    "quarantine": ({"by"}, {"reason"} | _GOODS),
    "release": ({"holder", "by", "review_hash"}, {"shipment_id"} | _GOODS),
    "destroy": ({"holder", "by"}, {"reason", "shipment_id"} | _GOODS),
    "dispense": ({"pharmacy"}, {"serial", "quantity"}),
    "recall": ({"by"}, {"reason"}),
}
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_CID = re.compile(r"[A-Za-z0-9]{10,120}")


# --------------------------------------------------------------------------- small readers


def _need(data: Any, key: str, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise StandardsError("must be an object", path)
    if data.get(key) is None:
        raise StandardsError("is missing", f"{path}.{key}" if path else key)
    return data[key]


def _text(value: Any, path: str, max_len: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise StandardsError(f"must be a non-empty string of at most {max_len} characters", path)
    return value


def _number(value: Any, path: str, *, positive_int: bool = False) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise StandardsError(f"must be a number, got {value!r}", path)
    if positive_int and (not isinstance(value, int) or value <= 0):
        raise StandardsError(f"must be a positive integer, got {value!r}", path)
    if value in (float("inf"), float("-inf")):
        raise StandardsError("must be finite", path)
    return value


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise StandardsError(f"must be an ISO date YYYY-MM-DD, got {value!r}", path) from None


def _time(value: Any, path: str) -> str:
    """Normalise a time to ISO 8601 UTC with milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            when = dt.datetime.fromtimestamp(value, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise StandardsError(f"unix time {value!r} out of range", path) from None
    elif isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            raise StandardsError(f"not an ISO 8601 date-time: {value!r}", path) from None
    else:
        raise StandardsError(f"must be unix seconds, a datetime or an ISO string, got {value!r}", path)
    if when.tzinfo is None or when.utcoffset() is None:
        raise StandardsError("has no UTC offset (ambiguous local time)", path)
    return when.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")


# --------------------------------------------------------------------------- parties


def _party(value: Any, path: str) -> tuple[str | None, str | None]:
    """Return (address, gln) of a party description."""
    address = gln = None
    if isinstance(value, str):
        if value[:2].lower() == "0x" and not _ADDRESS.fullmatch(value):
            raise StandardsError(f"not an Ethereum address: {value!r}", path)
        address, gln = (value, None) if value[:2].lower() == "0x" else (None, value)
    elif isinstance(value, Mapping) and (value.get("address") or value.get("gln")):
        address, gln = value.get("address"), value.get("gln")
        if address is not None and not (isinstance(address, str) and _ADDRESS.fullmatch(address)):
            raise StandardsError(f"not an Ethereum address: {address!r}", f"{path}.address")
    else:
        raise StandardsError(
            "must be an Ethereum address, a GLN or {address, gln}", path
        )
    if gln is not None:
        try:
            gs1.validate_gln(gln)
        except GS1Error as exc:
            raise GS1Error(str(exc), path) from None
    return (address.lower() if address else None), gln


def party_uri(value: Any, path: str = "party") -> str:
    """URI of a trading party (EPCIS ``owning_party``/``possessing_party``).

    Args:
        value: ``"0x..."`` address, 13-digit GLN, or ``{"address", "gln"}``.
        path: Field name used in error messages.

    Returns:
        ``https://id.gs1.org/417/{GLN}`` when a GLN is known, else
        ``urn:medchain:party:{address}``.

    Raises:
        StandardsError: Not a valid address or GLN.
    """
    address, gln = _party(value, path)
    return gs1.gln_uri(gln, party=True) if gln else f"urn:medchain:party:{address}"


def location_uri(value: Any, path: str = "location") -> str:
    """URI of a party's premises (EPCIS ``readPoint``/``bizLocation``/``location``).

    Args:
        value: ``"0x..."`` address, 13-digit GLN, or ``{"address", "gln"}``.
        path: Field name used in error messages.

    Returns:
        ``https://id.gs1.org/414/{GLN}`` when a GLN is known, else
        ``urn:medchain:location:{address}``.

    Raises:
        StandardsError: Not a valid address or GLN.
    """
    address, gln = _party(value, path)
    return gs1.gln_uri(gln) if gln else f"urn:medchain:location:{address}"


# --------------------------------------------------------------------------- document


class _Ids:
    """EPC identifiers of one product and lot, in the chosen scheme."""

    def __init__(self, gtin: str, lot: str, cpl: int, scheme: str):
        self.gtin, self.lot, self.cpl, self.scheme = gtin, lot, cpl, scheme
        self.lgtin = gs1.dl_lgtin(gtin, lot) if scheme == "dl" else gs1.lgtin_uri(gtin, lot, cpl)

    def sgtin(self, serial: Any, path: str) -> str:
        try:
            if self.scheme == "dl":
                return gs1.dl_sgtin(self.gtin, serial)
            return gs1.sgtin_uri(self.gtin, serial, self.cpl)
        except GS1Error as exc:
            raise GS1Error(str(exc), path) from None


def _what(event: Mapping[str, Any], ids: _Ids, path: str, default_qty: int | None) -> dict:
    serials = event.get("serials")
    if event.get("serial") is not None:
        serials = [event["serial"]]
    if serials is not None:
        if not isinstance(serials, list) or not serials:
            raise StandardsError("must be a non-empty list", f"{path}.serials")
        epcs = [ids.sgtin(s, f"{path}.serials[{i}]") for i, s in enumerate(serials)]
        if len(set(epcs)) != len(epcs):
            raise StandardsError("contains duplicates", f"{path}.serials")
        return {"epcList": epcs}
    element: dict[str, Any] = {"epcClass": ids.lgtin}
    quantity = event.get("quantity", default_qty)
    if quantity is not None:
        element["quantity"] = _number(quantity, f"{path}.quantity", positive_int=True)
    return {"quantityList": [element]}


def _shipment(event: Mapping[str, Any]) -> dict:
    if event.get("shipment_id") is None:
        return {}
    ref = quote(str(event["shipment_id"]), safe="")
    return {"bizTransactionList": [{"type": "desadv", "bizTransaction": f"urn:medchain:shipment:{ref}"}]}


def _ends(event: Mapping[str, Any], path: str) -> dict:
    lists: dict[str, list] = {}
    for key, name in (("from", "source"), ("to", "destination")):
        where = f"{path}.{key}"
        lists[f"{name}List"] = [
            {"type": "owning_party", name: party_uri(event[key], where)},
            {"type": "possessing_party", name: party_uri(event[key], where)},
            {"type": "location", name: location_uri(event[key], where)},
        ]
    return lists


def _at(party: Any, path: str, biz_location: bool = True) -> dict:
    place = {"id": location_uri(party, path)}
    return {"readPoint": place, "bizLocation": dict(place)} if biz_location else {"readPoint": place}


def _sensor(event: Mapping[str, Any], path: str) -> dict:
    low = event.get("allowed_min_c")
    high = event.get("allowed_max_c")
    low = None if low is None else _number(low, f"{path}.allowed_min_c")
    high = None if high is None else _number(high, f"{path}.allowed_max_c")
    if low is not None and high is not None and low > high:
        raise StandardsError("allowed_min_c is above allowed_max_c", f"{path}.allowed_min_c")
    readings = event["readings"]
    if not isinstance(readings, list) or not readings:
        raise StandardsError("must be a non-empty list", f"{path}.readings")
    device = event.get("device")
    if device is not None:
        if not (isinstance(device, str) and _ADDRESS.fullmatch(device)):
            raise StandardsError(f"not an Ethereum address: {device!r}", f"{path}.device")
        device = f"urn:medchain:device:{device.lower()}"
    elements, outside = [], False
    for i, reading in enumerate(readings):
        where = f"{path}.readings[{i}]"
        meta: dict[str, Any] = {"time": _time(_need(reading, "time", where), f"{where}.time")}
        if device:
            meta["deviceID"] = device
        temp = _number(_need(reading, "temperature_c", where), f"{where}.temperature_c")
        report: dict[str, Any] = {"type": "Temperature", "value": temp, "uom": "CEL"}
        if (low is not None and temp < low) or (high is not None and temp > high):
            report["exception"] = "ALARM_CONDITION"
            outside = True
        reports = [report]
        if reading.get("humidity_pct") is not None:
            rh = _number(reading["humidity_pct"], f"{where}.humidity_pct")
            if not 0 <= rh <= 100:
                raise StandardsError(f"{rh} is not a percentage", f"{where}.humidity_pct")
            reports.append({"type": "RelativeHumidity", "value": rh, "uom": "P1"})
        elements.append({"sensorMetadata": meta, "sensorReport": reports})
    excursion = event.get("excursion", outside)
    if not isinstance(excursion, bool):
        raise StandardsError("must be true or false", f"{path}.excursion")
    out: dict[str, Any] = {"sensorElementList": elements, "medchain:excursion": excursion}
    if low is not None:
        out["medchain:allowedMinTemperatureC"] = low
    if high is not None:
        out["medchain:allowedMaxTemperatureC"] = high
    if event.get("location") is not None:
        out.update(_at(event["location"], f"{path}.location", biz_location=False))
    return out


def _event(event: Any, index: int, ids: _Ids, batch: Mapping[str, Any], event_ids: bool) -> dict:
    path = f"events[{index}]"
    kind = _need(event, "kind", path)
    if not isinstance(kind, str) or kind not in _KINDS:
        raise StandardsError(f"unknown kind {kind!r} (one of {', '.join(_KINDS)})", f"{path}.kind")
    required, optional = _KEYS[kind]
    for key in required:
        _need(event, key, path)
    unknown = set(event) - required - optional - {"kind", "time"}
    if unknown:
        raise StandardsError(f"unknown key(s) {sorted(unknown)} for kind {kind!r}", path)
    action, biz_step, disposition = _KINDS[kind]
    out: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": _time(_need(event, "time", path), f"{path}.time"),
        "eventTimeZoneOffset": "+00:00",
        "action": action,
    }
    if biz_step:
        out["bizStep"] = biz_step
    if disposition:
        out["disposition"] = disposition
    whole_lot = batch["units"] if kind == "commission" else None
    if kind != "recall":
        out.update(_what(event, ids, path, whole_lot))
    else:
        out["quantityList"] = [{"epcClass": ids.lgtin}]
    if kind == "commission":
        out.update(_at(event["manufacturer"], f"{path}.manufacturer"))
        out["ilmd"] = dict(batch["ilmd"])
        if batch.get("qc_cid"):
            out["certificationInfo"] = f"ipfs://{batch['qc_cid']}"
    elif kind == "ship":  # goods leave: no business location while in transit
        out.update(_at(event["from"], f"{path}.from", biz_location=False))
        out.update(_ends(event, path))
    elif kind == "receive":
        out.update(_at(event["to"], f"{path}.to"))
        out.update(_ends(event, path))
    elif kind in ("reject", "cancel", "quarantine", "recall"):
        out.update(_at(event["by"], f"{path}.by"))
    elif kind in ("release", "destroy"):
        out.update(_at(event["holder"], f"{path}.holder"))
        out["medchain:decidedBy"] = party_uri(event["by"], f"{path}.by")
        if kind == "release":
            review = event["review_hash"]
            if not isinstance(review, str) or not re.fullmatch(r"0x[0-9a-fA-F]{64}", review):
                raise StandardsError("must be a 0x-prefixed 32-byte hex hash", f"{path}.review_hash")
            out["medchain:reviewReportHash"] = review.lower()
    elif kind == "dispense":
        out.update(_at(event["pharmacy"], f"{path}.pharmacy"))
    elif kind == "sensor":
        out.update(_sensor(event, path))
    out.update(_shipment(event))
    if event.get("reason") is not None:
        out["medchain:reason"] = _text(event["reason"], f"{path}.reason", 1000)
    if event_ids:
        canonical = json.dumps(out, sort_keys=True, separators=(",", ":"))
        out = {"eventID": f"urn:uuid:{uuid.uuid5(_EVENT_ID_NS, canonical)}", **out}
    return out


def build_epcis_document(
    trace: Mapping[str, Any],
    *,
    created: dt.datetime | str | int | None = None,
    id_scheme: str = "urn",
    event_ids: bool = True,
) -> dict[str, Any]:
    """Build an EPCIS 2.0 JSON-LD ``EPCISDocument`` from a trace description.

    Args:
        trace: ``{"product": {...}, "batch": {...}, "events": [...]}``, see the
            module documentation.
        created: ``creationDate`` (default: now, UTC); same forms as event times.
        id_scheme: ``"urn"`` for SGTIN/LGTIN URNs, ``"dl"`` for GS1 Digital Link
            identifiers.
        event_ids: Add a deterministic ``urn:uuid:`` ``eventID`` to every event.

    Returns:
        The document as a JSON-serialisable dict, events in input order.

    Raises:
        StandardsError: A missing or invalid field, named by its path.
        GS1Error: An invalid GTIN, lot, serial or GLN (a ``StandardsError``).
    """
    if id_scheme not in ("urn", "dl"):
        raise StandardsError(f"must be 'urn' or 'dl', got {id_scheme!r}", "id_scheme")
    product = _need(trace, "product", "")
    batch_in = _need(trace, "batch", "")
    events = _need(trace, "events", "")
    gtin = _need(product, "gtin", "product")
    cpl = product.get("company_prefix_length", 7)
    lot = _need(batch_in, "lot", "batch")
    try:
        ids = _Ids(gs1.validate_gtin(gtin), lot, cpl, id_scheme)
    except GS1Error as exc:
        field = "batch.lot" if exc.field == "10" else f"product.{exc.field}"
        raise GS1Error(str(exc), field) from None
    expiry = _date(_need(batch_in, "expiry", "batch"), "batch.expiry")
    ilmd: dict[str, Any] = {"cbvmda:lotNumber": lot, "cbvmda:itemExpirationDate": expiry.isoformat()}
    if batch_in.get("production") is not None:
        production = _date(batch_in["production"], "batch.production")
        if production > expiry:
            raise StandardsError("is after the expiry date", "batch.production")
        ilmd["medchain:productionDate"] = production.isoformat()
    units = batch_in.get("units")
    if units is not None:
        _number(units, "batch.units", positive_int=True)
    qc_cid = batch_in.get("qc_cid")
    if qc_cid is not None and not (isinstance(qc_cid, str) and _CID.fullmatch(qc_cid)):
        raise StandardsError(f"not a CID: {qc_cid!r}", "batch.qc_cid")
    batch = {"units": units, "ilmd": ilmd, "qc_cid": qc_cid}
    if not isinstance(events, list):
        raise StandardsError("must be a list", "events")
    document: dict[str, Any] = {
        "@context": [EPCIS_CONTEXT, {"medchain": MEDCHAIN_NS}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(
            dt.datetime.now(dt.timezone.utc) if created is None else created, "created"
        ),
    }
    if product.get("name") is not None:
        name = _text(product["name"], "product.name")
        document["epcisHeader"] = {
            "epcisMasterData": {
                "vocabularyList": [
                    {
                        "type": "urn:epcglobal:epcis:vtype:EPCClass",
                        "vocabularyElementList": [
                            {
                                "id": ids.lgtin,
                                "attributes": [
                                    {"id": "cbvmda:regulatedProductName", "attribute": name}
                                ],
                            }
                        ],
                    }
                ]
            }
        }
    document["epcisBody"] = {
        "eventList": [_event(e, i, ids, batch, event_ids) for i, e in enumerate(events)]
    }
    return document


# --------------------------------------------------------------------------- validation


_URI_CHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})"
_URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_URI_CHAR}*(?:#{_URI_CHAR}*)?")
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    oh, om = (int(g) if g else 0 for g in match.groups()[6:])
    return (
        1 <= month <= 12
        and 1 <= day <= calendar.monthrange(year, month)[1]
        and hour < 24 and minute < 60 and second <= 60
        and oh < 24 and om < 60
    )


def format_checker() -> FormatChecker:
    """A jsonschema format checker that also checks ``uri`` and ``date-time``.

    jsonschema checks those two formats only when the optional ``rfc3987`` and
    ``rfc3339-validator`` packages are installed; this checker adds local
    RFC 3986 (absolute URI) and RFC 3339 checks so validation does not depend
    on them.

    Returns:
        A fresh :class:`jsonschema.FormatChecker`.
    """
    checker = FormatChecker()
    extra: dict[str, Callable[[object], bool]] = {"uri": _is_uri, "date-time": _is_date_time}
    for name, check in extra.items():
        checker.checks(name)(check)
    return checker


def validate_document(document: Any, schema: Mapping[str, Any]) -> list[str]:
    """Validate a document against the official EPCIS 2.0 JSON Schema.

    Args:
        document: The EPCIS document (parsed JSON).
        schema: The parsed ``EPCIS-JSON-Schema.json`` (the caller reads it).

    Returns:
        Human-readable errors (``path: message``), empty when valid.
    """
    validator = Draft7Validator(schema, format_checker=format_checker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]
