"""Scenario ``claims``: a diabetic patient's care claimed, adjudicated in the submitting
transaction, reviewed, paid from the insurer's pool and reconciled to the cent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from medchain.claims.client import ClaimsClient
from medchain.consent.client import ConsentClient
from medchain.core.accounts import dev_account
from medchain.core.token import TokenClient
from medchain.core.tx import Sender
from medchain.scenarios import ScenarioContext
from medchain.scenarios.participants import setup as setup_participants

TITLE = "claim adjudication: plan, catalogue, claims decided in one transaction, review, settlement, reconciliation"

REVIEWER = 15  # the insurer's medical reviewer: a development account outside the cast

PLAN = {"deductible": "100", "out_of_pocket_max": "2000", "benefit_limit": "1000", "coinsurance": 20,
        "copays": {"consultation": "20", "pharmacy": "10"}}

CATALOGUE = """code,description,covered,service_class,categories,max_unit_price,indications
CPT:99214,Office visit (established patient),yes,consultation,general;endocrine,150,
CPT:83036,Haemoglobin A1c test,yes,laboratory,laboratory;endocrine,25,
CPT:99223,Inpatient admission,yes,inpatient,general;endocrine,2000,
NDC:0002-8215-01,Insulin lispro 100 U/mL vial,yes,pharmacy,endocrine;medication,40,E10;E11
NDC:0169-4132-12,Semaglutide pen,yes,pharmacy,endocrine;medication,300,E11
CPT:15824,Cosmetic rhytidectomy,no,procedure,general,,
"""

#: What the patient consents to show the insurer for claims.
CONSENT_CATEGORIES = "general,endocrine,medication,laboratory"


@dataclass
class ClaimsWorld:
    """What :func:`setup` built."""

    plan: int
    version: int
    service_date: int
    insurer: ClaimsClient
    hospital: ClaimsClient
    pharmacy: ClaimsClient
    reviewer: ClaimsClient

    def claim(self, patient: str, diagnoses: list[str], lines: list[tuple[str, int, str]], **extra: Any) -> dict[str, Any]:
        """A claim JSON for ``patient`` on the scenario's service date."""
        return {"patient": patient, "plan": self.plan, "service_date": self.service_date, "diagnoses": diagnoses,
                "lines": [{"code": c, "quantity": q, "billed": b} for c, q, b in lines], **extra}


def year_bounds(timestamp: int) -> tuple[str, str]:
    year = datetime.fromtimestamp(timestamp, timezone.utc).year
    return f"{year}-01-01", f"{year}-12-31"


def setup(ctx: ScenarioContext, *, fund: str = "5000", patients: tuple[str, ...] = ("patient_1",),
          service_date: int | None = None) -> ClaimsWorld:
    """The insurer's plan, catalogue, network and reviewer, the patients' enrolment and consent, a
    funded pool. Other scenarios, benchmarks and tests start from it.

    Coverage and the catalogue span the calendar year of ``service_date`` (default: today, UTC
    midnight; the benchmarks pin a date so their calldata, hence gas, never depends on the day)."""
    setup_participants(ctx)
    insurer = ClaimsClient(ctx.suite, ctx.sender("insurer"))
    now = ctx.chain.now()
    service_date = now - now % 86400 if service_date is None else service_date
    start, end = year_bounds(service_date)
    plan = insurer.define_plan(PLAN)
    version = insurer.load_catalogue(CATALOGUE, start)
    for provider in ("hospital_a", "pharmacy"):
        insurer.set_network(ctx.address(provider))
    reviewer = Sender(ctx.chain, dev_account(REVIEWER))
    insurer.set_reviewer(reviewer.address)
    for p in patients:
        insurer.enrol(plan, ctx.address(p), start, end)
        ConsentClient(ctx.suite, ctx.sender(p)).grant(ctx.address("insurer"), CONSENT_CATEGORIES, "insurance_claims",
                                                      "read", start=start, end=end)
    if fund:
        TokenClient(ctx.suite, ctx.sender("governance")).mint(ctx.address("insurer"), insurer.units(fund))
        insurer.fund(fund)
    return ClaimsWorld(plan, version, service_date, insurer, ClaimsClient(ctx.suite, ctx.sender("hospital_a")),
                       ClaimsClient(ctx.suite, ctx.sender("pharmacy")), ClaimsClient(ctx.suite, reviewer))


def _seal_documents(ctx: ScenarioContext, patient: str) -> str:
    """The encrypted claim attachment: sealed first, stored second, and only then claimed."""
    import json
    import os

    from medchain.core.crypto import RecordContext, seal
    from medchain.core.standards.consent_codes import Category
    from medchain.core.storage import EmbeddedStore

    note = {"resourceType": "Observation", "status": "final", "code": {"text": "HbA1c"},
            "valueQuantity": {"value": 8.1, "unit": "%"}}
    blob, _key = seal(json.dumps(note).encode(), RecordContext(patient, os.urandom(32), Category.ENDOCRINE))
    return EmbeddedStore(ctx.workdir / "ipfs").add(blob)


def run(ctx: ScenarioContext) -> dict[str, Any]:
    w = setup(ctx)
    patient = ctx.address("patient_1")
    money = w.insurer.display
    ctx.step(f"the insurer defined plan {w.plan} (deductible 100, 20 % coinsurance, copays 20/10, benefit limit 1,000), "
             f"published catalogue version {w.version}, enrolled the patient, who consented; pool funded with "
             f"{money(w.insurer.pool(ctx.address('insurer'))['balance'])}")

    documents = _seal_documents(ctx, patient)
    visit = w.claim(patient, ["E11.9"], [("CPT:99214", 1, "140.00")], documents=documents)
    first = w.hospital.submit(visit)
    ctx.step(f"the hospital sealed the visit notes (AES-256-GCM) and stored them on IPFS as {documents}; "
             f"the claim anchors their digest {first.documents[:18]}…")
    insulin = w.pharmacy.submit(w.claim(patient, ["E11.9"], [("NDC:0002-8215-01", 2, "70.00")]))
    v, i = first.lines[0], insulin.lines[0]
    ctx.step(f"consultation {first.status} in its own transaction (block {first.block}): deductible {money(v.deductible)}, "
             f"copay {money(v.copay)}, paid {money(v.payer)}")
    ctx.step(f"insulin {insulin.status} (block {insulin.block}): deductible {money(i.deductible)}, copay {money(i.copay)}, "
             f"coinsurance {money(i.coinsurance)}, paid {money(i.payer)}")

    dup = w.hospital.submit(visit)
    ctx.step(f"the same consultation claim resubmitted: {dup.status}, CARC {dup.lines[0].reason} (exact duplicate)")

    off = w.pharmacy.submit(w.claim(patient, ["E66.9"], [("NDC:0169-4132-12", 1, "280.00")]))
    ctx.step(f"semaglutide for obesity (E66.9, off-label): {off.status}, CARC {off.lines[0].reason}")
    reviewed = w.reviewer.review(off.claim_id, 0, True, note="BMI 41 with pre-diabetes; approved once")
    ctx.step(f"the insurer's reviewer approved it: paid {money(reviewed.payer)}")

    lab = w.hospital.submit(w.claim(patient, ["E11.9"], [("CPT:83036", 1, "40.00")]))
    ctx.step(f"HbA1c billed 40.00 over the 25.00 schedule: allowed {money(lab.lines[0].allowed)}, CARC {lab.lines[0].reason}")

    stay = w.hospital.submit(w.claim(patient, ["E11.65"], [("CPT:99223", 1, "900.00"), ("CPT:99214", 1, "100.00")]))
    a, b = stay.lines
    ctx.step(f"inpatient stay: paid {money(a.payer)} up to the benefit limit (CARC {a.reason}); the follow-up visit "
             f"{b.status} (CARC {b.reason}); claim {stay.status}")

    insurer = ctx.address("insurer")
    owed_h, owed_p = w.hospital.owed(insurer, ctx.address("hospital_a")), w.pharmacy.owed(insurer, ctx.address("pharmacy"))
    w.pharmacy.withdraw(insurer)
    w.hospital.withdraw(insurer)
    ctx.step(f"the pharmacy withdrew {money(owed_p)} and the hospital {money(owed_h)}")

    rec = w.insurer.reconcile()
    balance = "balanced to the cent" if rec.balanced else "MISMATCH: " + "; ".join(rec.mismatches)
    ctx.step(f"reconciliation from events: {balance}")
    for row in rec.table().splitlines():
        ctx.log("      " + row)
    response = w.insurer.claim_response(first.claim_id)
    acc = w.insurer.accumulator(patient, w.plan, w.insurer.year_of(w.service_date))
    return {"plan": w.plan, "first": first.status, "first_block": first.block, "deductible_applied": v.deductible + i.deductible,
            "duplicate_reason": dup.lines[0].reason, "off_label": (off.lines[0].status, off.lines[0].reason, reviewed.status),
            "fee_schedule": (lab.lines[0].allowed, lab.lines[0].reason), "benefit": (a.reason, b.status, b.reason),
            "paid_hospital": owed_h, "paid_pharmacy": owed_p, "balanced": rec.balanced, "accumulator": acc,
            "claim_response_outcome": response["outcome"], "documents": documents, "documents_digest": first.documents}
