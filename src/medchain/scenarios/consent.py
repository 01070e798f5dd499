"""Scenario ``consent`` (formerly ``emr``): one person, one lifelong file.

A chronic patient is diagnosed at hospital A, which writes encrypted records; the patient signs a
consent for hospital B (diabetes data, a fixed period) that a relayer sends; B reads (logged) and is
refused cardiology; the consent expires; a new consent is revoked and the records re-keyed; an
emergency read at hospital C is logged; the patient lists who read what and exports the consents
as FHIR.
"""

from __future__ import annotations

import copy
from typing import Any

from medchain.consent.client import ConsentClient
from medchain.consent.records import RecordsClient
from medchain.core.crypto import KeyVault
from medchain.core.errors import AccessDeniedError
from medchain.core.storage import EmbeddedStore
from medchain.scenarios import ScenarioContext
from medchain.scenarios.participants import setup

TITLE = "one lifelong file: encrypted records on IPFS, consents, audited reads, break-glass, re-keying"

SUBJECT = {"reference": "Patient/pseudonym-7f3a"}
DIAGNOSIS = {
    "resourceType": "Condition",
    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                   "code": "active"}]},
    "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                       "code": "confirmed"}]},
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006",
                         "display": "Diabetes mellitus type 2"}]},
    "subject": SUBJECT,
    "onsetDateTime": "2024-02-12",
}
HBA1C: dict[str, Any] = {
    "resourceType": "Observation",
    "status": "final",
    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                              "code": "laboratory"}]}],
    "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4",
                         "display": "Hemoglobin A1c/Hemoglobin.total in Blood"}]},
    "subject": SUBJECT,
    "effectiveDateTime": "2024-02-12T09:30:00Z",
    "valueQuantity": {"value": 8.1, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
}
METFORMIN = {
    "resourceType": "MedicationStatement",
    "status": "active",
    "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                              "code": "860975", "display": "metformin 500 MG Oral Tablet"}]},
    "subject": SUBJECT,
}
ECG = {
    "resourceType": "DiagnosticReport",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "11524-6", "display": "EKG study"}]},
    "subject": SUBJECT,
    "issued": "2024-02-13T10:00:00Z",
    "conclusion": "Sinus rhythm, no acute changes.",
}

DAY = 24 * 3600


def hba1c(value: float) -> dict[str, Any]:
    """An HbA1c observation with another value (a follow-up test)."""
    obs = copy.deepcopy(HBA1C)
    obs["valueQuantity"]["value"] = value
    return obs


def run(ctx: ScenarioContext) -> dict[str, Any]:
    setup(ctx)
    store = EmbeddedStore(ctx.workdir / "ipfs")
    vault = KeyVault(ctx.workdir / "keyvault")
    patient, a, b, c = (ctx.address(r) for r in ("patient_1", "hospital_a", "hospital_b", "hospital_c"))
    me = ConsentClient(ctx.suite, ctx.sender("patient_1"))
    my_records = RecordsClient(ctx.suite, ctx.sender("patient_1"), store, vault)
    at_a = RecordsClient(ctx.suite, ctx.sender("hospital_a"), store, vault)
    at_b = RecordsClient(ctx.suite, ctx.sender("hospital_b"), store, vault)
    at_c = RecordsClient(ctx.suite, ctx.sender("hospital_c"), store, vault)

    me.grant(a, "all", "treatment", "read,write")
    ctx.step("the patient lets hospital A (their treating hospital) read and write their file")
    diagnosis = at_a.put(patient, DIAGNOSIS, "diabetes")
    lab = at_a.put(patient, HBA1C, "diabetes")
    ecg = at_a.put(patient, ECG, "cardiology")
    ctx.step(f"hospital A diagnosed type 2 diabetes and wrote 3 encrypted records to {store.name.split(':')[0]} IPFS "
             f"(e.g. {lab.cid}); only CIDs and SHA-256 hashes went on chain")

    now = ctx.chain.now()
    start, end = now + 60, now + 30 * DAY
    signed = me.sign_grant(ctx.account("patient_1"), b, "diabetes", "treatment", "read", start, end)
    ConsentClient(ctx.suite, ctx.sender("hospital_b")).relay(signed)
    ctx.step("the patient signed (EIP-712, off chain) a consent for hospital B: diabetes data, treatment, read, "
             "for 30 days; hospital B relayed it and paid the gas")
    ctx.chain.mine(start)
    for info in (diagnosis, lab):
        my_records.share(info.record_id, b)
    read = at_b.get(lab.record_id)
    ctx.step(f"hospital B read the HbA1c ({read['valueQuantity']['value']} %); the read is in the access log")
    refused = None
    try:
        at_b.get(ecg.record_id)
    except AccessDeniedError as exc:
        refused = "AccessDeniedError"
        ctx.step(f"hospital B was refused the cardiology report: {exc}")

    ctx.chain.mine(end + 1)
    expired = None
    try:
        at_b.get(lab.record_id)
    except AccessDeniedError:
        expired = "AccessDeniedError"
        ctx.step("the consent expired: hospital B can no longer read")

    me.grant(b, "diabetes,medication", "treatment", "read")
    med = at_a.put(patient, METFORMIN, "medication", readers=[b])
    at_b.get(med.record_id)
    revocation = my_records.revoke(b)
    rekeyed = revocation.rekeyed
    after_revoke = None
    try:
        at_b.get(rekeyed[0].record_id)
    except AccessDeniedError as exc:
        after_revoke = type(exc).__name__
    still_read = at_a.get(rekeyed[0].record_id)["resourceType"]
    ctx.step(f"the patient revoked a new consent for hospital B: {len(rekeyed)} record(s) B could decrypt were "
             f"re-keyed (new data key, new ciphertext, new anchor); B is refused the new versions ({after_revoke}), "
             f"hospital A still reads them")

    current = my_records.latest(lab.record_id)
    at_c.consent.emergency_access(current.record_id, "unconscious patient admitted to the emergency room")
    at_a.share(current.record_id, c)  # the key holder releases the key on the logged break-glass event
    emergency = at_c.decrypt(current)
    ctx.step(f"hospital C read the HbA1c in an emergency without consent (break-glass, logged with a reason hash): "
             f"{emergency['valueQuantity']['value']} %")

    trail = me.accesses(patient=patient)
    for access in trail:
        kind = "EMERGENCY" if access.emergency else "consented"
        ctx.step(f"audit: {access.reader} read record {('0x' + access.record_id.hex())[:12]}… ({kind})")
    fhir = [me.to_fhir(patient, g) for g in (a, b)]
    ctx.step(f"the patient exported {len(fhir)} consents as FHIR Consent resources "
             f"(statuses {', '.join(f['status'] for f in fhir)})")
    return {
        "records": len(my_records.records(patient)),
        "refused_cardiology": refused,
        "after_expiry": expired,
        "after_revoke": after_revoke,
        "rekeyed": len(rekeyed),
        "kept_reader_reads": still_read,
        "reads": sum(1 for x in trail if not x.emergency),
        "emergency_reads": sum(1 for x in trail if x.emergency),
        "readers": sorted({x.reader for x in trail}),
        "fhir_statuses": [f["status"] for f in fhir],
    }
