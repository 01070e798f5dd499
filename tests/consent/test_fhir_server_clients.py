"""The FHIR server driven over real HTTP by third-party FHIR clients from PyPI: fhirpy (sync
client) and fhirclient (SMART's models and server): write, read, update, history, search and paging;
consent and erasure refusals; invalid input; the Consent, AuditEvent and Provenance views."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from fhir.resources.R4B import get_fhir_model_class
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.condition import Condition
from fhirclient.models.observation import Observation
from fhirclient.server import FHIRServer
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import ForbiddenError, OperationOutcome, ResourceNotFound

from medchain.core.crypto import KeyVault
from medchain.core.standards.consent_codes import CATEGORY_SYSTEM
from medchain.core.storage import EmbeddedStore
from medchain.core.tx import call
from medchain.scenarios.consent import DIAGNOSIS, ECG, hba1c
from tests.consent.fhir_support import Server, serve, tagged

PATIENT = "patient_1"
LOINC_HBA1C = "http://loinc.org|4548-4"


@pytest.fixture
def fhir(world, tmp_path):
    """A FHIR server over HTTP serving hospitals A and B; the patient lets A read and write everything."""
    for s in serve(world, EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "vault")):
        s.consent().grant(world.address("hospital_a"), "all", "treatment", "read,write")
        yield s


def fhirpy_client(fhir: Server, who: str = "hospital_a") -> SyncFHIRClient:
    return SyncFHIRClient(fhir.base, authorization=f"Bearer {fhir.token(who)}")


class BearerAuth:
    """What fhirclient's FHIRServer asks of its ``auth``: sign the request headers."""

    def __init__(self, token: str):
        self.token = token

    def can_sign_headers(self) -> bool:
        return True

    def signed_headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {**(headers or {}), "Authorization": f"Bearer {self.token}"}


def fhirclient_server(fhir: Server, who: str = "hospital_a") -> FHIRServer:
    server = FHIRServer(None, base_uri=fhir.base)
    server.auth = BearerAuth(fhir.token(who))
    return server


def observation(value: float, when: str, world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    obs = tagged(hba1c(value), world.address(PATIENT), "diabetes")
    obs["effectiveDateTime"] = when
    return obs


def record_count(fhir: Server) -> int:
    return int(call(fhir.world.suite.contract("RecordRegistry").functions.recordCount(fhir.world.address(PATIENT))))


def reads(fhir: Server, who: str = "hospital_a") -> int:
    return len(fhir.consent().accesses(patient=fhir.world.address(PATIENT), reader=fhir.world.address(who)))


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


# ---------------------------------------------------------------------- fhirpy


def test_fhirpy_writes_reads_updates_and_reads_the_history(fhir):
    client = fhirpy_client(fhir)
    obs = client.resource("Observation", **observation(8.1, "2024-02-12T09:30:00Z", fhir.world))
    obs.save()
    rid = obs["id"]
    assert len(rid) == 64 and obs["meta"]["versionId"] == "1"
    assert record_count(fhir) == 1

    before = reads(fhir)
    got = client.reference("Observation", rid).to_resource()
    assert got["valueQuantity"]["value"] == 8.1 and got["id"] == rid
    assert {"system": CATEGORY_SYSTEM, "code": "endocrine"}.items() <= got["meta"]["tag"][-1].items()
    assert reads(fhir) == before + 1  # the read was logged on chain first

    got["valueQuantity"]["value"] = 7.4
    got.save()  # PUT: a new version anchored, same logical id
    assert got["id"] == rid and got["meta"]["versionId"] == "2"
    assert client.reference("Observation", rid).to_resource()["valueQuantity"]["value"] == 7.4

    history = valid(client.execute(f"Observation/{rid}/_history", method="get"))
    assert history["type"] == "history"
    assert [e["resource"]["valueQuantity"]["value"] for e in history["entry"]] == [7.4, 8.1]  # newest first
    first = client.execute(f"Observation/{rid}/_history/1", method="get")
    assert first["valueQuantity"]["value"] == 8.1 and first["meta"]["versionId"] == "1"

    provenance = valid(client.execute("Provenance", method="get", params={"target": f"Observation/{rid}"}))
    targets = [e["resource"]["target"][0]["reference"] for e in provenance["entry"]]
    assert targets == [f"Observation/{rid}/_history/1", f"Observation/{rid}/_history/2"]
    authors = {e["resource"]["agent"][0]["who"]["identifier"]["value"] for e in provenance["entry"]}
    assert authors == {fhir.world.address("hospital_a")}
    for e in provenance["entry"]:
        valid(e["resource"])


def test_fhirpy_searches_by_code_date_and_category_and_pages_through_next_links(fhir):
    client = fhirpy_client(fhir)
    patient = fhir.world.address(PATIENT)
    for value, when in ((8.1, "2024-02-12T09:30:00Z"), (7.6, "2024-05-01T08:00:00Z"), (7.0, "2024-09-01T08:00:00Z")):
        client.resource("Observation", **observation(value, when, fhir.world)).save()
    client.execute("Condition", method="post", data=DIAGNOSIS, params={"patient": patient, "category": "diabetes"})
    client.execute("DiagnosticReport", method="post", data=ECG, params={"patient": patient, "category": "cardiology"})

    search = client.resources("Observation").search(patient=patient, code=LOINC_HBA1C)
    first_page = search.limit(2).fetch()
    assert len(first_page) == 2
    everything = search.limit(2).fetch_all()  # follows the Bundle's next links
    assert sorted(o["valueQuantity"]["value"] for o in everything) == [7.0, 7.6, 8.1]
    bundle = valid(client.execute("Observation", method="get",
                                  params={"patient": patient, "code": LOINC_HBA1C, "_count": "2"}))
    assert bundle["type"] == "searchset" and any(link["relation"] == "next" for link in bundle["link"])

    later = client.resources("Observation").search(patient=patient, date="ge2024-05-01").fetch_all()
    assert sorted(o["valueQuantity"]["value"] for o in later) == [7.0, 7.6]
    before = client.resources("Observation").search(patient=patient, date="lt2024-03").fetch_all()
    assert [o["valueQuantity"]["value"] for o in before] == [8.1]
    labs = client.resources("Observation").search(patient=patient, category="laboratory").fetch_all()
    assert len(labs) == 3
    conditions = client.resources("Condition").search(patient=patient, code="44054006").fetch_all()
    assert [c["code"]["coding"][0]["code"] for c in conditions] == ["44054006"]

    logged = reads(fhir)
    ecg = client.resources("DiagnosticReport").search(patient=patient,
                                                      category=f"{CATEGORY_SYSTEM}|cardiology").fetch_all()
    assert [r["conclusion"] for r in ecg] == [ECG["conclusion"]]
    assert reads(fhir) == logged + 1  # the MedChain category narrowed the candidates before decrypting

    with pytest.raises(OperationOutcome, match="patient"):
        client.resources("Observation").search(code=LOINC_HBA1C).fetch()


def test_fhirpy_is_refused_without_consent_and_a_search_finds_nothing(fhir):
    a = fhirpy_client(fhir)
    a.resource("Observation", **observation(8.1, "2024-02-12", fhir.world)).save()
    rid = a.resources("Observation").search(patient=fhir.world.address(PATIENT)).fetch_all()[0]["id"]
    b = fhirpy_client(fhir, "hospital_b")
    with pytest.raises(ForbiddenError) as info:
        b.reference("Observation", rid).to_resource()
    issue = json.loads(str(info.value))["issue"][0]
    assert issue["code"] == "forbidden" and "holds no consent" in issue["diagnostics"]
    assert b.resources("Observation").search(patient=fhir.world.address(PATIENT)).fetch_all() == []
    assert reads(fhir, "hospital_b") == 0
    with pytest.raises(ForbiddenError, match="no write consent"):
        b.resource("Observation", **observation(6.0, "2024-02-12", fhir.world)).save()
    assert record_count(fhir) == 1


# ---------------------------------------------------------------------- fhirclient


def test_fhirclient_models_read_search_page_and_create(fhir):
    patient = fhir.world.address(PATIENT)
    server = fhirclient_server(fhir)
    cap = CapabilityStatement(server.request_json("metadata"))
    assert cap.fhirVersion == "4.0.1" and {r.type for r in cap.rest[0].resource} >= {"Observation", "Condition"}

    for value, when in ((8.1, "2024-02-12"), (7.2, "2024-06-12")):
        created = Observation(observation(value, when, fhir.world))
        created.create(server)
    condition = Condition(tagged(DIAGNOSIS, patient, "diabetes"))
    answer = condition.create(server)
    assert answer["resourceType"] == "Condition" and answer["meta"]["versionId"] == "1"

    found = list(Observation.where(struct={"patient": patient, "_count": "1"}).perform_resources_iter(server))
    assert sorted(o.valueQuantity.value for o in found) == [7.2, 8.1]  # one per page, next links followed
    one = Observation.read(found[0].id, server)
    assert one.code.coding[0].code == "4548-4" and one.meta.versionId == "1"
    conditions = list(Condition.where(struct={"patient": patient, "code": "http://snomed.info/sct|44054006"})
                      .perform_resources_iter(server))
    assert [c.id for c in conditions] == [answer["id"]]


# ---------------------------------------------------------------------- refusals over plain HTTP


def test_an_erased_record_is_410_gone(fhir):
    a = fhirpy_client(fhir)
    obs = a.resource("Observation", **observation(8.1, "2024-02-12", fhir.world))
    obs.save()
    fhir.records(PATIENT).erase("0x" + obs["id"])
    with pytest.raises(ResourceNotFound):
        a.reference("Observation", obs["id"]).to_resource()
    r = requests.get(f"{fhir.base}/Observation/{obs['id']}", headers={"Authorization": f"Bearer {fhir.token()}"},
                     timeout=30)
    assert r.status_code == 410 and r.json()["issue"][0]["code"] == "deleted"


@pytest.mark.parametrize(("change", "expression"), [
    ({"status": "bogus"}, "Observation.status"),
    ({"valueQuantity": {"value": "a lot"}}, "Observation.valueQuantity.value"),
    ({"resourceType": "Condition"}, "resourceType"),
    ({"meta": {}}, "Observation.meta.tag"),
])
def test_an_invalid_resource_is_422_naming_the_element_and_nothing_is_anchored(fhir, change, expression):
    body = {**observation(8.1, "2024-02-12", fhir.world), **change}
    r = requests.post(f"{fhir.base}/Observation", json=body, headers={"Authorization": f"Bearer {fhir.token()}"},
                      timeout=30)
    assert r.status_code == 422, r.text
    issue = valid(r.json())["issue"][0]
    assert issue["expression"] == [expression]
    assert record_count(fhir) == 0
    assert not [p for p in fhir.store.root.rglob("*") if p.is_file()]  # nothing stored either


def test_unknown_types_and_ids_and_a_record_under_another_type_are_404(fhir):
    headers = {"Authorization": f"Bearer {fhir.token()}"}
    assert requests.get(f"{fhir.base}/Patient/abc", headers=headers, timeout=30).status_code == 404
    assert requests.get(f"{fhir.base}/Observation/{'ab' * 32}", headers=headers, timeout=30).status_code == 404
    r = requests.post(f"{fhir.base}/Observation", json=observation(8.1, "2024-02-12", fhir.world), headers=headers,
                      timeout=30)
    rid = r.json()["id"]
    assert requests.get(f"{fhir.base}/Condition/{rid}", headers=headers, timeout=30).status_code == 404
    condition = {**tagged(DIAGNOSIS, fhir.world.address(PATIENT), "diabetes"), "id": rid}
    r = requests.put(f"{fhir.base}/Condition/{rid}", json=condition, headers=headers, timeout=30)
    assert r.status_code == 404 and "not a Condition" in r.json()["issue"][0]["diagnostics"]
    r = requests.put(f"{fhir.base}/Observation/{rid}", json={**observation(7.0, "2024-03-01", fhir.world), "id": "ab" * 32},
                     headers=headers, timeout=30)
    assert r.status_code == 400 and r.json()["issue"][0]["expression"] == ["Observation.id"]
    assert record_count(fhir) == 1


# ---------------------------------------------------------------------- chain views


def test_consents_and_the_audit_trail_with_break_glass_marked(fhir):
    patient = fhir.world.address(PATIENT)
    a = fhirpy_client(fhir)
    obs = a.resource("Observation", **observation(8.1, "2024-02-12", fhir.world))
    obs.save()
    a.reference("Observation", obs["id"]).to_resource()
    fhir.consent("hospital_b").emergency_access("0x" + obs["id"], "unconscious at the emergency desk")

    consents = valid(a.execute("Consent", method="get", params={"patient": patient}))
    [consent] = [e["resource"] for e in consents["entry"]]
    assert consent["status"] == "active"
    assert consent["provision"]["actor"][0]["reference"]["identifier"]["value"] == fhir.world.address("hospital_a")

    audit = valid(a.execute("AuditEvent", method="get", params={"patient": patient}))
    events = [valid(e["resource"]) for e in audit["entry"]]
    assert len(events) == 2
    normal, glass = events
    assert normal["agent"][0]["who"]["identifier"]["value"] == fhir.world.address("hospital_a")
    assert normal["purposeOfEvent"][0]["coding"][0]["code"] == "TREAT"
    assert glass["agent"][0]["who"]["identifier"]["value"] == fhir.world.address("hospital_b")
    assert glass["meta"]["security"][0]["code"] == "BTG"
    assert glass["purposeOfEvent"][0]["coding"][0]["code"] == "BTG"
