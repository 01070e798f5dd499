"""The FHIR server's pure parts: search matching (token, date prefixes, MedChain categories), FHIR
id and patient parsing, and the resources it builds validating against fhir.resources R4B."""

from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from medchain.consent.fhir.resources import (
    audit_event,
    bundle,
    capability_statement,
    matches,
    operation_outcome,
    parse_date,
    provenance,
)
from medchain.consent.fhir.service import FhirError, _medchain_categories, parse_fhir_id, parse_patient
from medchain.core.accounts import dev_account
from medchain.core.errors import InvalidInputError
from medchain.core.standards.consent_codes import CATEGORY_SYSTEM, Category
from medchain.scenarios.consent import DIAGNOSIS, ECG, HBA1C, METFORMIN

DIABETES, CARDIOLOGY = int(Category.ENDOCRINE), int(Category.CARDIOLOGY)
A, B = dev_account(1).address, dev_account(11).address


@pytest.mark.parametrize(("params", "hit"), [
    ({}, True),
    ({"code": ["4548-4"]}, True),
    ({"code": ["http://loinc.org|4548-4"]}, True),
    ({"code": ["http://snomed.info/sct|4548-4"]}, False),
    ({"code": ["1234-5,4548-4"]}, True),  # commas OR
    ({"code": ["4548-4", "1234-5"]}, False),  # repeated parameters AND
    ({"code": ["http://loinc.org|"]}, True),
    ({"category": ["laboratory"]}, True),
    ({"category": ["vital-signs"]}, False),
    ({"category": [f"{CATEGORY_SYSTEM}|endocrine"]}, True),
    ({"category": [f"{CATEGORY_SYSTEM}|cardiology"]}, False),
    ({"date": ["2024"]}, True),
    ({"date": ["2024-02-12"]}, True),
    ({"date": ["eq2024-02"]}, True),
    ({"date": ["ne2024-02-12"]}, False),
    ({"date": ["gt2024-02-12"]}, False),
    ({"date": ["ge2024-02-12"]}, True),
    ({"date": ["lt2024-02-13"]}, True),
    ({"date": ["le2024-02-11"]}, False),
    ({"date": ["ge2024-01-01", "lt2024-03-01"]}, True),
    ({"date": ["gt2024-02-12T09:00:00Z"]}, True),
    ({"date": ["gt2024-02-12T11:00:00+02:00"]}, True),  # 09:00Z: before 09:30Z
    ({"date": ["gt2024-02-12T12:00:00+02:00"]}, False),
])
def test_an_observation_matches_as_fhir_search_says(params, hit):
    assert matches(HBA1C, "Observation", params, DIABETES) is hit


def test_each_record_type_is_searched_on_its_own_elements():
    assert matches(DIAGNOSIS, "Condition", {"code": ["44054006"], "date": ["2024-02"]}, DIABETES)
    assert matches(ECG, "DiagnosticReport", {"code": ["11524-6"], "date": ["ge2024-02-13"]}, CARDIOLOGY)
    assert matches(METFORMIN, "MedicationStatement", {"code": ["860975"]}, int(Category.MEDICATION))
    assert not matches(HBA1C, "Condition", {}, DIABETES)  # another type never matches


@pytest.mark.parametrize("bad", ["2024-13", "yesterday", "2024-02-30", "20240212"])
def test_a_bad_date_is_refused(bad):
    with pytest.raises(InvalidInputError):
        parse_date(bad)


def test_only_system_qualified_categories_narrow_before_decrypting():
    assert _medchain_categories(["laboratory"]) is None
    assert _medchain_categories([f"{CATEGORY_SYSTEM}|diabetes,{CATEGORY_SYSTEM}|cardiology"]) == DIABETES | CARDIOLOGY
    assert _medchain_categories([f"{CATEGORY_SYSTEM}|diabetes", f"{CATEGORY_SYSTEM}|cardiology"]) == 0
    with pytest.raises(FhirError):
        _medchain_categories([f"{CATEGORY_SYSTEM}|astrology"])


def test_patients_and_ids_parse_or_are_refused():
    for text in (B, B.lower(), f"Patient/{B}", f"https://ethereum.org/address|{B}", f"|{B}"):
        assert parse_patient(text) == B
    for bad in ("Patient/pseudonym-7f3a", "http://other.example|" + B, "0x12"):
        with pytest.raises(FhirError) as info:
            parse_patient(bad)
        assert info.value.status == 400
    rid = bytes.fromhex(B[2:]) + b"\x01" * 10 + DIABETES.to_bytes(2, "big")
    assert parse_fhir_id(rid.hex()) == rid == parse_fhir_id("0x" + rid.hex())
    with pytest.raises(FhirError) as info:
        parse_fhir_id("not-hex")
    assert info.value.status == 404


def _valid(resource):  # type: ignore[no-untyped-def]
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def test_the_built_resources_validate():
    tx = "0x" + "ab" * 32
    rid = "0x" + "cd" * 32
    access = {"patient": B, "reader": A, "recordId": rid, "emergency": False, "category": "endocrine",
              "purpose": "treatment", "reasonHash": None, "timestamp": 1_700_000_000, "txHash": tx}
    normal = _valid(audit_event(access, reader_name="Hospital A"))
    assert normal["purposeOfEvent"][0]["coding"][0]["code"] == "TREAT" and "meta" not in normal
    glass = _valid(audit_event({**access, "emergency": True, "category": None, "purpose": None,
                                "reasonHash": "0x" + "ee" * 32}))
    assert glass["meta"]["security"][0]["code"] == "BTG"
    version = {"recordId": rid, "author": A, "anchoredAt": 1_700_000_000, "txHash": tx, "cid": "bafy"}
    _valid(provenance(version, number=2, target=f"Observation/{rid[2:]}", previous="0x" + "ef" * 32))
    _valid(provenance(version, number=1, target=rid[2:]))
    _valid(capability_statement("http://127.0.0.1:8000/fhir", "http://127.0.0.1:8000/fhir/auth/token",
                                date="2026-01-01T00:00:00Z"))
    _valid(operation_outcome("no consent", code="forbidden", expression="Observation.status"))
    _valid(bundle("searchset", [{"fullUrl": "http://x/fhir/Observation/1", "resource": {**HBA1C, "id": "1"}}],
                  self_url="http://x/fhir/Observation", next_url="http://x/fhir/Observation?_offset=1"))


def test_an_outcome_code_outside_the_r4_issue_types_is_a_bug():
    with pytest.raises(ValueError, match="IssueType"):
        operation_outcome("x", code="suspended")
