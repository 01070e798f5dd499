"""EPCIS 2.0 documents: structure, CBV vocabulary, and validation against the official schema."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from medchain.core.errors import GS1Error, StandardsError
from medchain.core.standards import epcis, gs1
from tests.conftest import ROOT

OFFICIAL = ROOT / ".." / "shared" / "standards" / "epcis"
SCHEMA_PATH = OFFICIAL / "EPCIS-JSON-Schema.json"
EXAMPLES = [
    "Example_9.6.1-ObjectEventWithDigitalLink.jsonld",
    "SensorDataExample1.jsonld",
    "object_event_all_possible_fields.jsonld",
]
SKIP_REASON = "official EPCIS schema not found at ../shared/standards/epcis (only CI and developers have it)"

MAKER = "0x" + "a1" * 20
WHOLESALER = "0x" + "B2" * 20  # mixed case: URIs use the lower-cased address
PHARMACY = "0x" + "c3" * 20
REGULATOR = "0x" + "e5" * 20
MAKER_GLN = "9506000134352"
LOT_URN = "urn:epc:class:lgtin:9506000.013435.LOT42"


def full_trace() -> dict:
    """Commission, 2 ships, sensor with excursion, receive, reject, quarantine, dispense, recall,
    cancel, release, destroy."""
    return {
        "product": {"gtin": "09506000134352", "name": "Amoxicillin 500 mg", "company_prefix_length": 7},
        "batch": {
            "lot": "LOT42",
            "expiry": "2026-12-31",
            "production": "2025-01-10",
            "units": 1000,
            "qc_cid": "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
        },
        "events": [
            {"kind": "commission", "time": 1736500000, "manufacturer": {"address": MAKER, "gln": MAKER_GLN},
             "serials": ["SN0001", "SN0002", "A/B?"]},
            {"kind": "ship", "time": "2025-01-11T08:00:00Z", "from": MAKER, "to": WHOLESALER,
             "quantity": 600, "shipment_id": "SHP-1"},
            {"kind": "sensor", "time": "2025-01-11T12:00:00+00:00", "shipment_id": "SHP-1",
             "allowed_min_c": 2, "allowed_max_c": 8, "device": "0x" + "d4" * 20, "location": WHOLESALER,
             "readings": [
                 {"time": "2025-01-11T10:00:00Z", "temperature_c": 5.1, "humidity_pct": 41.5},
                 {"time": "2025-01-11T11:00:00Z", "temperature_c": 11.2, "humidity_pct": 44},
                 {"time": dt.datetime(2025, 1, 11, 13, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                  "temperature_c": 1},
             ]},
            {"kind": "receive", "time": "2025-01-12T08:00:00Z", "from": MAKER, "to": WHOLESALER,
             "quantity": 600, "shipment_id": "SHP-1"},
            {"kind": "reject", "time": "2025-01-12T09:00:00Z", "by": WHOLESALER, "quantity": 600,
             "shipment_id": "SHP-1", "reason": "temperature excursion above 8 °C"},
            {"kind": "ship", "time": "2025-01-13T08:00:00Z", "from": MAKER, "to": PHARMACY,
             "quantity": 400, "shipment_id": "SHP 2/b"},
            {"kind": "quarantine", "time": "2025-01-13T09:00:00Z", "by": WHOLESALER, "reason": "excursion"},
            {"kind": "dispense", "time": "2025-01-20T09:00:00Z", "pharmacy": PHARMACY, "serial": "SN0001"},
            {"kind": "recall", "time": "2025-02-01T00:00:00Z", "by": REGULATOR, "reason": "contamination"},
            {"kind": "cancel", "time": "2025-02-02T10:00:00Z", "by": MAKER, "quantity": 400,
             "shipment_id": "SHP 2/b", "reason": "truck never left"},
            {"kind": "release", "time": "2025-02-03T09:00:00Z", "holder": MAKER, "by": REGULATOR, "quantity": 300,
             "shipment_id": "SHP-1", "review_hash": "0x" + "AB" * 32},
            {"kind": "destroy", "time": "2025-02-03T10:00:00Z", "holder": MAKER, "by": MAKER, "quantity": 300,
             "shipment_id": "SHP-1", "reason": "excursion"},
        ],
    }


def build(trace: dict | None = None, **kwargs) -> dict:
    return epcis.build_epcis_document(trace or full_trace(), created="2025-02-02T00:00:00Z", **kwargs)


def events_by_kind(document: dict) -> dict[str, list[dict]]:
    kinds = [e["kind"] for e in full_trace()["events"]]
    grouped: dict[str, list[dict]] = {}
    for kind, event in zip(kinds, document["epcisBody"]["eventList"], strict=True):
        grouped.setdefault(kind, []).append(event)
    return grouped


@pytest.fixture(scope="module")
def schema() -> dict:
    if not SCHEMA_PATH.is_file():
        pytest.skip(SKIP_REASON)
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- against the official schema


def test_full_trace_validates_against_official_schema(schema):
    document = build()
    assert epcis.validate_document(document, schema) == []
    # and after a JSON round trip (what a receiver would parse)
    assert epcis.validate_document(json.loads(json.dumps(document)), schema) == []


def test_digital_link_identifiers_validate_too(schema):
    document = build(id_scheme="dl")
    assert epcis.validate_document(document, schema) == []
    dispense = events_by_kind(document)["dispense"][0]
    assert dispense["epcList"] == ["https://id.gs1.org/01/09506000134352/21/SN0001"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_examples_pass_the_validator(schema, name):
    path = OFFICIAL / "examples" / name
    if not path.is_file():
        pytest.skip(SKIP_REASON)
    assert epcis.validate_document(json.loads(path.read_text(encoding="utf-8")), schema) == []


def _break(document: dict, how: str) -> dict:
    broken = copy.deepcopy(document)
    events = broken["epcisBody"]["eventList"]
    if how == "no time zone offset":
        del events[0]["eventTimeZoneOffset"]
    elif how == "non-CBV bizStep":
        events[4]["bizStep"] = "rejecting"
    elif how == "no action":
        del events[1]["action"]
    elif how == "ilmd on an OBSERVE event":
        events[1]["ilmd"] = {"cbvmda:lotNumber": "LOT42"}
    elif how == "bad date-time":
        events[2]["eventTime"] = "yesterday at noon"
    elif how == "impossible date":
        events[2]["eventTime"] = "2025-02-30T00:00:00Z"
    elif how == "bad uri":
        events[0]["epcList"][0] = "not a uri"
    elif how == "bad quantity field":
        events[1]["quantityList"][0]["count"] = 3
    elif how == "unknown sensor type":
        events[2]["sensorElementList"][0]["sensorReport"][0]["type"] = "Warmth"
    elif how == "no schemaVersion":
        del broken["schemaVersion"]
    elif how == "unknown top-level key":
        broken["sendr"] = "x"
    return broken


# what each breakage must be reported as: the error's path and (part of) its message; every
# error the validator reports must lie on that path (no unrelated complaint, nothing missed)
BROKEN = {
    "no time zone offset": ("epcisBody/eventList/0", "'eventTimeZoneOffset' is a required property"),
    "non-CBV bizStep": ("epcisBody/eventList/4/bizStep", "'rejecting' is not valid under any of the given schemas"),
    "no action": ("epcisBody/eventList/1", "'action' is a required property"),
    "ilmd on an OBSERVE event": ("epcisBody/eventList/1", "'ilmd': {'cbvmda:lotNumber': 'LOT42'}} is not valid"),
    "bad date-time": ("epcisBody/eventList/2/eventTime", "'yesterday at noon' is not a 'date-time'"),
    "impossible date": ("epcisBody/eventList/2/eventTime", "'2025-02-30T00:00:00Z' is not a 'date-time'"),
    "bad uri": ("epcisBody/eventList/0/epcList/0", "'not a uri' is not a 'uri'"),
    "bad quantity field": ("epcisBody/eventList/1/quantityList/0", "('count' was unexpected)"),
    "unknown sensor type": ("epcisBody/eventList/2/sensorElementList/0/sensorReport/0/type",
                            "'Warmth' is not valid under any of the given schemas"),
    "no schemaVersion": ("<root>", "'schemaVersion' is a required property"),
    "unknown top-level key": ("<root>", "'sendr' is not valid under any of the given schemas"),
}


@pytest.mark.parametrize("how", BROKEN)
def test_broken_documents_fail(schema, how):
    path, message = BROKEN[how]
    errors = epcis.validate_document(_break(build(), how), schema)
    assert any(e.startswith(f"{path}: ") and message in e for e in errors), f"a document with {how}: {errors}"
    event = "/".join(path.split("/")[:3])  # the broken event (or the root)
    assert all(e.startswith((f"{event}: ", f"{event}/")) for e in errors), f"unrelated errors for {how}: {errors}"


def test_bizsteps_and_dispositions_are_cbv_terms(schema):
    definitions = schema["definitions"]
    cbv_steps = set(definitions["bizStep"]["anyOf"][1]["enum"])
    cbv_dispositions = set(definitions["disposition"]["anyOf"][1]["enum"])
    events = build()["epcisBody"]["eventList"]
    steps = {e["bizStep"] for e in events if "bizStep" in e}
    dispositions = {e["disposition"] for e in events if "disposition" in e}
    assert steps == epcis.CBV_BIZ_STEPS and steps <= cbv_steps
    assert dispositions == epcis.CBV_DISPOSITIONS and dispositions <= cbv_dispositions
    context = json.loads((OFFICIAL / "epcis-context.jsonld").read_text(encoding="utf-8"))["@context"]
    for step in steps:  # the JSON-LD context maps each bare term to its CBV IRI
        assert context["bizStep"]["@context"][step] == f"cbv:BizStep-{step}"
    for disposition in dispositions:
        assert context["disposition"]["@context"][disposition] == f"cbv:Disp-{disposition}"


def test_validator_reports_paths(schema):
    errors = epcis.validate_document(_break(build(), "bad date-time"), schema)
    assert any(e.startswith("epcisBody/eventList/2") for e in errors)


# --------------------------------------------------------------------------- structure (no schema needed)


def test_document_header():
    document = build()
    assert document["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    assert document["@context"][1] == {"medchain": "urn:medchain:epcis:"}
    assert document["type"] == "EPCISDocument"
    assert document["schemaVersion"] == "2.0"
    assert document["creationDate"] == "2025-02-02T00:00:00.000+00:00"
    [vocabulary] = document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
    assert vocabulary["type"] == "urn:epcglobal:epcis:vtype:EPCClass"
    assert vocabulary["vocabularyElementList"][0] == {
        "id": LOT_URN,
        "attributes": [{"id": "cbvmda:regulatedProductName", "attribute": "Amoxicillin 500 mg"}],
    }
    assert len(document["epcisBody"]["eventList"]) == 12
    json.dumps(document)  # serialisable as is


def test_every_event_is_an_object_event_in_utc():
    for event in build()["epcisBody"]["eventList"]:
        assert event["type"] == "ObjectEvent"
        assert event["eventTimeZoneOffset"] == "+00:00"
        assert event["eventTime"].endswith("+00:00")
        assert event["eventID"].startswith("urn:uuid:")


def test_commissioning():
    [event] = events_by_kind(build())["commission"]
    assert event["eventTime"] == "2025-01-10T09:06:40.000+00:00"  # from unix seconds
    assert (event["action"], event["bizStep"], event["disposition"]) == ("ADD", "commissioning", "active")
    assert event["epcList"] == [
        "urn:epc:id:sgtin:9506000.013435.SN0001",
        "urn:epc:id:sgtin:9506000.013435.SN0002",
        "urn:epc:id:sgtin:9506000.013435.A%2FB%3F",
    ]
    assert event["ilmd"] == {
        "cbvmda:lotNumber": "LOT42",
        "cbvmda:itemExpirationDate": "2026-12-31",
        "medchain:productionDate": "2025-01-10",
    }
    assert event["readPoint"] == event["bizLocation"] == {"id": f"https://id.gs1.org/414/{MAKER_GLN}"}
    assert event["certificationInfo"].startswith("ipfs://bafy")


def test_commission_by_quantity_defaults_to_the_whole_lot():
    trace = full_trace()
    del trace["events"][0]["serials"]
    [event] = events_by_kind(build(trace))["commission"]
    assert event["quantityList"] == [{"epcClass": LOT_URN, "quantity": 1000}]


def test_shipping_and_receiving():
    grouped = events_by_kind(build())
    ship, receive = grouped["ship"][0], grouped["receive"][0]
    assert (ship["bizStep"], ship["disposition"]) == ("shipping", "in_transit")
    assert (receive["bizStep"], receive["disposition"]) == ("receiving", "in_progress")
    for event in (ship, receive):
        assert event["quantityList"] == [{"epcClass": LOT_URN, "quantity": 600}]
        assert event["bizTransactionList"] == [
            {"type": "desadv", "bizTransaction": "urn:medchain:shipment:SHP-1"}
        ]
        assert event["sourceList"] == [
            {"type": "owning_party", "source": f"urn:medchain:party:{MAKER}"},
            {"type": "possessing_party", "source": f"urn:medchain:party:{MAKER}"},
            {"type": "location", "source": f"urn:medchain:location:{MAKER}"},
        ]
        assert {d["type"] for d in event["destinationList"]} == {"owning_party", "possessing_party", "location"}
        assert all(d["destination"].endswith(WHOLESALER.lower()) for d in event["destinationList"])
    assert ship["readPoint"] == {"id": f"urn:medchain:location:{MAKER}"} and "bizLocation" not in ship
    assert receive["bizLocation"] == {"id": f"urn:medchain:location:{WHOLESALER.lower()}"}
    second = grouped["ship"][1]
    assert second["bizTransactionList"][0]["bizTransaction"] == "urn:medchain:shipment:SHP%202%2Fb"


def test_sensor_event_with_excursion():
    [event] = events_by_kind(build())["sensor"]
    assert (event["action"], event["bizStep"]) == ("OBSERVE", "sensor_reporting")
    assert "disposition" not in event
    assert event["quantityList"] == [{"epcClass": LOT_URN}]
    assert event["readPoint"] == {"id": f"urn:medchain:location:{WHOLESALER.lower()}"}
    assert event["medchain:excursion"] is True
    assert (event["medchain:allowedMinTemperatureC"], event["medchain:allowedMaxTemperatureC"]) == (2, 8)
    first, second, third = event["sensorElementList"]
    assert first["sensorMetadata"] == {
        "time": "2025-01-11T10:00:00.000+00:00",
        "deviceID": "urn:medchain:device:0x" + "d4" * 20,
    }
    assert first["sensorReport"] == [
        {"type": "Temperature", "value": 5.1, "uom": "CEL"},
        {"type": "RelativeHumidity", "value": 41.5, "uom": "P1"},
    ]
    assert second["sensorReport"][0]["exception"] == "ALARM_CONDITION"  # 11.2 °C > 8
    assert third["sensorMetadata"]["time"] == "2025-01-11T11:00:00.000+00:00"  # +02:00 normalised
    assert third["sensorReport"] == [
        {"type": "Temperature", "value": 1, "uom": "CEL", "exception": "ALARM_CONDITION"}
    ]


def test_sensor_without_excursion():
    trace = full_trace()
    sensor = trace["events"][2]
    sensor["readings"] = sensor["readings"][:1]
    [event] = events_by_kind(build(trace))["sensor"]
    assert event["medchain:excursion"] is False
    assert "exception" not in json.dumps(event)


def test_reject_quarantine_dispense_recall():
    grouped = events_by_kind(build())
    reject, quarantine = grouped["reject"][0], grouped["quarantine"][0]
    dispense, recall = grouped["dispense"][0], grouped["recall"][0]
    assert (reject["bizStep"], reject["disposition"]) == ("inspecting", "non_conformant")
    assert reject["medchain:reason"] == "temperature excursion above 8 °C"
    assert reject["bizTransactionList"][0]["bizTransaction"] == "urn:medchain:shipment:SHP-1"
    assert (quarantine["bizStep"], quarantine["disposition"]) == ("holding", "non_sellable_other")
    assert quarantine["quantityList"] == [{"epcClass": LOT_URN}]
    assert (dispense["bizStep"], dispense["disposition"]) == ("dispensing", "dispensed")
    assert dispense["epcList"] == ["urn:epc:id:sgtin:9506000.013435.SN0001"]
    assert dispense["bizLocation"] == {"id": f"urn:medchain:location:{PHARMACY}"}
    assert recall["disposition"] == "recalled" and "bizStep" not in recall
    assert recall["quantityList"] == [{"epcClass": LOT_URN}]
    assert recall["readPoint"] == {"id": f"urn:medchain:location:{REGULATOR}"}
    assert recall["medchain:reason"] == "contamination"


def test_cancel_release_and_destroy():
    grouped = events_by_kind(build())
    cancel, release, destroy = grouped["cancel"][0], grouped["release"][0], grouped["destroy"][0]
    assert (cancel["bizStep"], cancel["disposition"], cancel["action"]) == ("void_shipping", "in_progress", "OBSERVE")
    assert cancel["readPoint"] == {"id": f"urn:medchain:location:{MAKER}"}
    assert (release["bizStep"], release["disposition"]) == ("inspecting", "sellable_accessible")
    assert release["bizLocation"] == {"id": f"urn:medchain:location:{MAKER}"}
    assert release["medchain:decidedBy"] == f"urn:medchain:party:{REGULATOR}"
    assert release["medchain:reviewReportHash"] == "0x" + "ab" * 32
    assert (destroy["bizStep"], destroy["disposition"], destroy["action"]) == ("destroying", "destroyed", "DELETE")
    assert destroy["quantityList"] == [{"epcClass": LOT_URN, "quantity": 300}]


def test_a_release_needs_a_review_hash():
    trace = full_trace()
    trace["events"][10]["review_hash"] = "0x1234"
    with pytest.raises(StandardsError) as info:
        build(trace)
    assert info.value.field == "events[10].review_hash"


def test_event_ids_are_deterministic_and_unique():
    first, second = build(), build()
    ids = [e["eventID"] for e in first["epcisBody"]["eventList"]]
    assert ids == [e["eventID"] for e in second["epcisBody"]["eventList"]]
    assert len(set(ids)) == len(ids)
    assert "eventID" not in build(event_ids=False)["epcisBody"]["eventList"][0]


def test_the_sgtin_in_the_document_matches_the_pack_code():
    [event] = events_by_kind(build())["dispense"]
    gtin, serial = gs1.parse_sgtin_uri(event["epcList"][0])
    code = gs1.UnitCode(gtin=gtin, lot="LOT42", expiry=dt.date(2026, 12, 31), serial=serial)
    assert gs1.to_digital_link(code) == (
        "https://id.gs1.org/01/09506000134352/10/LOT42/21/SN0001?17=261231"
    )


def test_party_and_location_uris():
    assert epcis.party_uri(MAKER_GLN) == f"https://id.gs1.org/417/{MAKER_GLN}"
    assert epcis.location_uri({"address": MAKER, "gln": MAKER_GLN}) == f"https://id.gs1.org/414/{MAKER_GLN}"
    assert epcis.party_uri(WHOLESALER) == f"urn:medchain:party:{WHOLESALER.lower()}"


# --------------------------------------------------------------------------- input errors name their field


def _mutate(path: str, value, delete: bool = False) -> dict:
    trace = full_trace()
    *parents, last = path.split(".")
    target = trace
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if delete:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return trace


@pytest.mark.parametrize(
    ("path", "value", "delete", "field", "fragment"),
    [
        ("product.gtin", None, True, "product.gtin", "is missing"),
        ("product.gtin", "09506000134353", False, "product.gtin", "check digit is 3, expected 2"),
        ("product.company_prefix_length", 13, False, "product.company_prefix_length", "6-12"),
        ("batch.lot", "LOT 42", False, "batch.lot", "character ' ' not allowed"),
        ("batch.expiry", "31/12/2026", False, "batch.expiry", "ISO date"),
        ("batch.production", "2027-01-01", False, "batch.production", "after the expiry"),
        ("batch.units", 0, False, "batch.units", "positive integer"),
        ("batch.qc_cid", "not a cid!", False, "batch.qc_cid", "not a CID"),
        ("events", {}, False, "events", "must be a list"),
        ("events.0.kind", "teleport", False, "events[0].kind", "unknown kind"),
        ("events.0.time", "2025-01-10T09:00:00", False, "events[0].time", "no UTC offset"),
        ("events.0.time", "soon", False, "events[0].time", "not an ISO 8601"),
        ("events.0.time", True, False, "events[0].time", "unix seconds"),
        ("events.0.manufacturer", None, True, "events[0].manufacturer", "is missing"),
        ("events.0.serials", ["SN€"], False, "events[0].serials[0]", "character '€' not allowed"),
        ("events.0.serials", ["A", "A"], False, "events[0].serials", "duplicates"),
        ("events.1.from", "0x1234", False, "events[1].from", "not an Ethereum address"),
        ("events.1.to", "1234567890123", False, "events[1].to", "check digit"),
        ("events.1.to", {"name": "x"}, False, "events[1].to", "must be an Ethereum address"),
        ("events.1.quantity", -5, False, "events[1].quantity", "positive integer"),
        ("events.1.shipment", "SHP-1", False, "events[1]", "unknown key(s) ['shipment']"),
        ("events.2.readings", [], False, "events[2].readings", "non-empty list"),
        ("events.2.readings.0.humidity_pct", 120, False, "events[2].readings[0].humidity_pct", "percentage"),
        ("events.2.readings.1.temperature_c", "hot", False, "events[2].readings[1].temperature_c", "number"),
        ("events.2.readings.1.temperature_c", float("nan"), False, "events[2].readings[1].temperature_c", "number"),
        ("events.2.allowed_min_c", 9, False, "events[2].allowed_min_c", "above allowed_max_c"),
        ("events.2.excursion", "yes", False, "events[2].excursion", "true or false"),
        ("events.2.device", "sensor-7", False, "events[2].device", "Ethereum address"),
        ("events.6", "quarantine", False, "events[6]", "must be an object"),
        ("events.8.reason", "", False, "events[8].reason", "non-empty string"),
    ],
)
def test_bad_input_names_the_field(path, value, delete, field, fragment):
    with pytest.raises(StandardsError) as info:
        build(_mutate(path, value, delete))
    assert info.value.field == field, str(info.value)
    assert fragment in str(info.value)


def test_gs1_problems_stay_gs1_errors():
    with pytest.raises(GS1Error):
        build(_mutate("events.0.serials", ["S S"]))


def test_bad_id_scheme():
    with pytest.raises(StandardsError, match="id_scheme"):
        build(id_scheme="sgln")
