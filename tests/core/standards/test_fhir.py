"""Tests for medchain.core.standards.fhir: record validation and Consent rendering."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
from fhir.resources.R4B.consent import Consent

from medchain.core.errors import FHIRValidationError, StandardsError
from medchain.core.standards.consent_codes import Action, Category, Purpose
from medchain.core.standards.fhir import ETHEREUM_ADDRESS_SYSTEM, consent_to_fhir, validate_record

SUBJECT = {"reference": "Patient/pseudo-7f3a"}

OBSERVATION = {
    "resourceType": "Observation",
    "id": "hba1c-1",
    "status": "final",
    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                              "code": "laboratory"}]}],
    "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4",
                         "display": "Hemoglobin A1c/Hemoglobin.total in Blood"}]},
    "subject": SUBJECT,
    "effectiveDateTime": "2024-03-01T09:30:00Z",
    "valueQuantity": {"value": 7.2, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
}
CONDITION = {
    "resourceType": "Condition",
    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                   "code": "active"}]},
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006",
                         "display": "Diabetes mellitus type 2"}]},
    "subject": SUBJECT,
    "onsetDateTime": "2019-06",
}
MEDICATION_STATEMENT = {
    "resourceType": "MedicationStatement",
    "status": "active",
    "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                              "code": "860975"}]},
    "subject": SUBJECT,
    "effectivePeriod": {"start": "2024-01-01"},
}
DIAGNOSTIC_REPORT = {
    "resourceType": "DiagnosticReport",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "24331-1", "display": "Lipid panel"}]},
    "subject": SUBJECT,
    "issued": "2024-03-02T10:00:00Z",
    "result": [{"reference": "Observation/hba1c-1"}],
}
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": r} for r in (OBSERVATION, CONDITION, MEDICATION_STATEMENT, DIAGNOSTIC_REPORT)],
}


# ---------------------------------------------------------------- records


@pytest.mark.parametrize("resource", [OBSERVATION, CONDITION, MEDICATION_STATEMENT, DIAGNOSTIC_REPORT, BUNDLE])
def test_accepted_types_pass(resource):
    original = copy.deepcopy(resource)
    out = validate_record(resource)
    assert out["resourceType"] == resource["resourceType"]
    assert resource == original  # input untouched
    assert validate_record(out) == out  # canonical form is stable


def test_canonical_output_is_json_ready():
    out = validate_record(OBSERVATION)
    assert out["effectiveDateTime"] == "2024-03-01T09:30:00Z"
    assert out["valueQuantity"]["value"] == 7.2
    assert out["code"]["coding"][0]["code"] == "4548-4"


@pytest.mark.parametrize("rtype", ["Patient", "Practitioner", "Foo", "Consent"])
def test_other_types_rejected_naming_the_type(rtype):
    with pytest.raises(FHIRValidationError, match=f"'{rtype}' is not accepted") as info:
        validate_record({"resourceType": rtype, "id": "x"})
    assert info.value.field == "resourceType"


def test_patient_message_explains_pseudonymity():
    with pytest.raises(FHIRValidationError, match="pseudonymous"):
        validate_record({"resourceType": "Patient"})


def test_bundle_with_patient_entry_rejected():
    bundle = copy.deepcopy(BUNDLE)
    bundle["entry"].insert(1, {"resource": {"resourceType": "Patient", "id": "p1"}})
    with pytest.raises(FHIRValidationError, match="'Patient' is not accepted") as info:
        validate_record(bundle)
    assert info.value.field == "Bundle.entry[1].resource.resourceType"


def test_nested_bundle_rejected():
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": BUNDLE}]}
    with pytest.raises(FHIRValidationError, match="'Bundle' is not accepted"):
        validate_record(bundle)


def test_contained_patient_rejected():
    obs = {**OBSERVATION, "contained": [{"resourceType": "Patient", "id": "p"}]}
    with pytest.raises(FHIRValidationError, match="contained Patient") as info:
        validate_record(obs)
    assert info.value.field == "Observation.contained[0]"


def test_empty_bundle_and_entry_without_resource_rejected():
    with pytest.raises(FHIRValidationError, match="at least one entry"):
        validate_record({"resourceType": "Bundle", "type": "collection", "entry": []})
    with pytest.raises(FHIRValidationError) as info:
        validate_record({"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "urn:uuid:1"}]})
    assert info.value.field == "Bundle.entry[0]"


@pytest.mark.parametrize(
    "resource, field, fragment",
    [
        ({**OBSERVATION, "valueQuantity": {"value": "high"}}, "Observation.valueQuantity.value", "Decimal"),
        ({k: v for k, v in OBSERVATION.items() if k != "status"}, "Observation.status", "is required"),
        ({**OBSERVATION, "status": "done"}, "Observation.status", "required value set"),
        ({**OBSERVATION, "colour": "blue"}, "Observation.colour", "not a known element"),
        ({**CONDITION, "onsetDateTime": "2024-02-30"}, "Condition.onsetDateTime", "day value"),
        ({k: v for k, v in CONDITION.items() if k != "subject"}, "Condition.subject", "is required"),
        ({**DIAGNOSTIC_REPORT, "issued": "yesterday"}, "DiagnosticReport.issued", "Instant"),
        ({**MEDICATION_STATEMENT, "status": "taken"}, "MedicationStatement.status", "required value set"),
        ({**BUNDLE, "type": "pile"}, "Bundle.type", "required value set"),
        ({**OBSERVATION, "status": ["final"]}, "Observation.status", "valid string"),
        ({**OBSERVATION, "contained": 5}, "Observation.contained", "valid list"),
    ],
)
def test_invalid_elements_are_named(resource, field, fragment):
    with pytest.raises(FHIRValidationError) as info:
        validate_record(resource)
    assert info.value.field == field
    assert fragment in str(info.value) and str(info.value).startswith(field + ":")


def test_invalid_element_inside_bundle_names_entry_and_type():
    bundle = copy.deepcopy(BUNDLE)
    bundle["entry"][2]["resource"]["status"] = "sometimes"
    with pytest.raises(FHIRValidationError) as info:
        validate_record(bundle)
    assert info.value.field == "Bundle.entry[2].resource(MedicationStatement).status"
    bundle = copy.deepcopy(BUNDLE)
    bundle["entry"][0]["resource"]["valueQuantity"]["value"] = "x"
    with pytest.raises(FHIRValidationError) as info:
        validate_record(bundle)
    assert info.value.field == "Bundle.entry[0].resource(Observation).valueQuantity.value"


def test_error_does_not_echo_values():
    with pytest.raises(FHIRValidationError) as info:
        validate_record({**OBSERVATION, "valueQuantity": {"value": "HIV-positive"}})
    assert "HIV-positive" not in str(info.value)


@pytest.mark.parametrize("bad", ["Observation", None, [], {"status": "final"}])
def test_non_resources_rejected(bad):
    with pytest.raises(FHIRValidationError):
        validate_record(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------- consent

PATIENT = "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1"
GRANTEE = "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0"
START = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())
END = int(datetime(2024, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp())


def _consent(**over):
    base = {
        "id": 42,
        "patient": PATIENT,
        "grantee": GRANTEE,
        "grantee_name": "Dr. Ada Example",
        "categories": Category.mask(["diabetes", "cardiology", "mental health"]),
        "purposes": Purpose.mask(["treatment", "research"]),
        "actions": Action.mask(["read"]),
        "start": START,
        "end": END,
        "status": "active",
        "granted_at": START - 3600,
        "tx_hash": "0x" + "Ab" * 32,
    }
    base.update(over)
    return base


def _codes(codings):
    return [(c["system"], c["code"]) for c in codings]


def test_consent_validates_as_r4_consent():
    out = consent_to_fhir(_consent())
    model = Consent.model_validate(out)
    assert model.status == "active"
    assert out["resourceType"] == "Consent" and out["id"] == "42"
    assert _codes(out["scope"]["coding"]) == [("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy")]
    assert _codes(out["category"][0]["coding"]) == [("http://loinc.org", "59284-0")]
    assert out["policyRule"]["coding"][0]["code"] == "OPTIN"


def test_consent_dates_are_iso_utc():
    out = consent_to_fhir(_consent())
    assert out["provision"]["period"] == {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"}
    assert out["dateTime"] == "2023-12-31T23:00:00Z"


@pytest.mark.parametrize("end", [None, 0, 2**64 - 1, 2**256 - 1])
def test_consent_open_ended(end):
    out = consent_to_fhir(_consent(end=end))
    assert out["provision"]["period"] == {"start": "2024-01-01T00:00:00Z"}


def test_consent_parties():
    out = consent_to_fhir(_consent())
    assert out["patient"]["identifier"] == {"system": ETHEREUM_ADDRESS_SYSTEM,
                                            "value": "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1"}
    (actor,) = out["provision"]["actor"]
    assert _codes(actor["role"]["coding"]) == [
        ("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP")
    ]
    assert actor["reference"]["identifier"]["value"] == GRANTEE
    assert actor["reference"]["display"] == "Dr. Ada Example"
    assert {"system": "https://ethereum.org/tx", "value": "0x" + "ab" * 32, "use": "secondary"} in out["identifier"]
    assert "display" not in consent_to_fhir(_consent(grantee_name=None))["provision"]["actor"][0]["reference"]


def test_consent_masks_map_to_codes():
    out = consent_to_fhir(_consent(
        categories=Category.mask(["genomics", "laboratory", "reproductive health", "general"]),
        purposes=Purpose.mask(["insurance claims", "public health"]),
        actions=Action.mask(["read", "write"]),
    ))
    p = out["provision"]
    assert p["type"] == "permit"
    assert [c["code"] for c in p["class"]] == ["general", "genomics", "reproductive-health", "laboratory"]
    assert {c["system"] for c in p["class"]} == {"https://medchain.dev/fhir/CodeSystem/data-category"}
    assert _codes(p["purpose"]) == [
        ("http://terminology.hl7.org/CodeSystem/v3-ActReason", "CLMATTCH"),
        ("http://terminology.hl7.org/CodeSystem/v3-ActReason", "PUBHLTH"),
    ]
    assert [a["coding"][0]["code"] for a in p["action"]] == ["access", "correct"]
    assert {a["coding"][0]["system"] for a in p["action"]} == {"http://terminology.hl7.org/CodeSystem/consentaction"}
    assert _codes(p["securityLabel"]) == [
        ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "GDIS"),
        ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "SEX"),
    ]


def test_consent_default_masks_and_labels():
    p = consent_to_fhir(_consent())["provision"]
    assert [c["code"] for c in p["class"]] == ["endocrine", "cardiology", "mental-health"]
    assert [c["code"] for c in p["purpose"]] == ["TREAT", "HRESCH"]
    assert [a["coding"][0]["code"] for a in p["action"]] == ["access"]
    assert [c["code"] for c in p["securityLabel"]] == ["PSY"]
    no_label = consent_to_fhir(_consent(categories=Category.CARDIOLOGY))["provision"]
    assert "securityLabel" not in no_label


@pytest.mark.parametrize(
    "status, expected",
    [("active", "active"), ("inactive", "inactive"), ("rejected", "rejected"), ("draft", "draft"),
     ("revoked", "inactive"), ("expired", "inactive"), ("entered-in-error", "entered-in-error")],
)
def test_consent_status(status, expected):
    assert consent_to_fhir(_consent(status=status))["status"] == expected


@pytest.mark.parametrize(
    "over, field",
    [
        ({"status": "cancelled"}, "status"),
        ({"end": START - 1}, "end"),
        ({"categories": 1 << 11}, "categories"),
        ({"categories": 0}, "categories"),
        ({"purposes": 1 << 4}, "purposes"),
        ({"actions": 4}, "actions"),
        ({"patient": "0x123"}, "patient"),
        ({"grantee": GRANTEE.replace("F", "f", 1)}, "grantee"),  # bad checksum
        ({"start": -5}, "start"),
        ({"start": "2024-01-01"}, "start"),
        ({"id": "bad id!"}, "id"),
        ({"tx_hash": "0x1234"}, "tx_hash"),
        ({"granted_at": None}, "granted_at"),
        ({"grantee_name": ""}, "grantee_name"),
    ],
)
def test_consent_bad_inputs(over, field):
    with pytest.raises(StandardsError) as info:
        consent_to_fhir(_consent(**over))
    assert info.value.field == field
