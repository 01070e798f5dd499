"""Scenario ``research``: data usable, patients in control, contributors paid.

Three patients give hospital A research consent for their laboratory data, a fourth does not and is
never in any extract; hospital A registers a dataset version from its FHIR records; the university
licenses two fields for a year, receives its encrypted extract and proves a row; the revenue is
split and withdrawn to the last unit; one patient revokes, the version stops selling and the next
version leaves them out; a sponsor registers a trial, enrols two subjects with their signed
consent, records visits and locks its results.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from eth_account import Account
from eth_utils import keccak

from medchain.consent.client import ConsentClient
from medchain.core.crypto import EncryptionKeyPair
from medchain.core.errors import ContractRevert
from medchain.core.standards.consent_codes import Category
from medchain.core.storage import EmbeddedStore
from medchain.core.token import TokenClient
from medchain.research.licensing import Field, ResearchClient
from medchain.research.trials import TrialsClient
from medchain.scenarios import ScenarioContext
from medchain.scenarios.participants import setup

TITLE = "research data licensing: consenting patients only, field licences, shared revenue, trial records"

PATIENTS = ["patient_1", "patient_2", "patient_3", "patient_4"]
CONSENTING = PATIENTS[:3]
LICENSED = Field.CODE | Field.VALUE
HELD = Field.RESOURCE_TYPE | Field.CODE | Field.VALUE | Field.EFFECTIVE_DATE | Field.SUBJECT_REFERENCE
YEAR = 365 * 86400


def hba1c(value: float, day: str) -> dict[str, Any]:
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c"}]},
            "valueQuantity": {"value": value, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
            "effectiveDateTime": day, "subject": {"reference": "Patient/local-mrn"}}


def run(ctx: ScenarioContext) -> dict[str, Any]:
    setup(ctx)
    store = EmbeddedStore(ctx.workdir / "ipfs")
    hospital = ctx.address("hospital_a")
    for p in CONSENTING:
        ConsentClient(ctx.suite, ctx.sender(p)).grant(hospital, Category.LABORATORY, "research", "read")
    ctx.step("patients 1-3 gave hospital A research consent for their laboratory data; patient 4 did not")

    records = [(ctx.address(p), hba1c(5.6 + i / 10, f"2025-0{i + 1}-15")) for i, p in enumerate(PATIENTS)]
    records.append((ctx.address("patient_1"), hba1c(6.9, "2025-06-15")))
    steward = ResearchClient(ctx.suite, ctx.sender("hospital_a"), store)
    build = steward.build_dataset(records, HELD, Category.LABORATORY)
    tok = TokenClient(ctx.suite, ctx.sender("governance"))
    price = tok.units("500")
    v1, _ = steward.register_dataset(build, categories=Category.LABORATORY, price=price, steward_share_bps=2000,
                                     licence_duration=YEAR)
    steward.contribute_all(v1, build)
    steward.publish(v1)
    ctx.step(f"hospital A registered dataset v{v1}: {len(build.rows)} rows from {len(build.weights())} consenting "
             f"patients ({len(build.excluded)} left out), price {tok.display(price)}, 20 % to the steward")

    tok.mint(ctx.address("university"), tok.units("2000"))
    university = ResearchClient(ctx.suite, ctx.sender("university"), store)
    licence_id, _ = university.buy_licence(v1, LICENSED)
    lic = university.licence(licence_id)
    until = datetime.fromtimestamp(lic.expires_at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    licensed = ", ".join(name.lower() for name, f in Field.__members__.items() if f in lic.fields)
    ctx.step(f"the university licensed fields {licensed} of v{v1} "
             f"until {until} (licence {licence_id})")
    cid, _ = steward.deliver_extract(build, licence_id)
    extract = university.open_extract(licence_id, EncryptionKeyPair.from_private_key(bytes(ctx.account("university").key)))
    text = json.dumps(extract).lower()
    leaked = [p for p in PATIENTS if ctx.address(p).lower()[2:] in text]
    proven = university.verify_row(v1, extract["rows"][0])
    ctx.step(f"extract {cid}: {len(extract['rows'])} rows, fields {sorted(extract['rows'][0]['fields'])}, patient "
             f"addresses in it: {len(leaked)}; row 0 proven against the on-chain root: {proven}")

    contract = ctx.suite.address("ResearchDataLicensing")
    paid = {}
    for who in ["hospital_a", *CONSENTING]:
        paid[who] = ResearchClient(ctx.suite, ctx.sender(who)).withdraw([v1])[0]
    left = tok.balance(contract)
    ctx.step("revenue withdrawn: " + ", ".join(f"{w} {tok.display(a)}" for w, a in paid.items())
             + f"; left in the contract: {left} units")

    ConsentClient(ctx.suite, ctx.sender("patient_2")).revoke(hospital)
    university.flag_withdrawn(v1, ctx.address("patient_2"))
    refused = None
    try:
        university.buy_licence(v1, LICENSED)
    except ContractRevert as exc:
        refused = exc.name
    ctx.step(f"patient 2 revoked; the university proved it on chain and v{v1} now refuses licences ({refused})")
    nxt = build.without([ctx.address("patient_2")])
    v2, _ = steward.register_dataset(nxt, categories=Category.LABORATORY, price=price, steward_share_bps=2000,
                                     licence_duration=YEAR, previous_version=v1)
    steward.contribute_all(v2, nxt)
    steward.publish(v2)
    licence_2, _ = university.buy_licence(v2, LICENSED)
    steward.deliver_extract(nxt, licence_2)
    extract_2 = university.open_extract(licence_2, EncryptionKeyPair.from_private_key(bytes(ctx.account("university").key)))
    ctx.step(f"v{v2} leaves patient 2 out: the next licence's extract has {len(extract_2['rows'])} rows")

    sponsor = TrialsClient(ctx.suite, ctx.sender("manufacturer"))
    trial_id, _ = sponsor.register_trial("DRUG-X-301 protocol v1", {"primary": ["HbA1c change at week 24"]},
                                         "DRUG-X-301: drug X vs placebo in type 2 diabetes")
    sponsor.add_site(trial_id, hospital)
    site = TrialsClient(ctx.suite, ctx.sender("hospital_a"))
    subjects = [Account.from_key(keccak(text=f"research-scenario-subject-{i}")) for i in range(2)]
    for s in subjects:
        deadline = ctx.chain.now() + 3600
        site.enrol(trial_id, s.address, deadline, site.sign_enrolment(s, trial_id, deadline))
        for week in (4, 12):
            site.record_visit(trial_id, s.address, {"week": week, "subject": s.address})
    site.record_milestone(trial_id, "last-subject-out")
    sponsor.lock_results(trial_id, {"primary": {"hba1c_delta": -0.9, "p": 0.003}})
    trial = sponsor.trial(trial_id)
    ctx.step(f"trial {trial_id}: {trial.enrolled} subjects enrolled with signed consent, "
             f"{sum(site.subject(trial_id, s.address).visits for s in subjects)} visits, results locked")
    return {"version": v1, "next_version": v2, "rows": len(build.rows), "excluded": len(build.excluded),
            "extract_rows": len(extract["rows"]), "next_extract_rows": len(extract_2["rows"]), "leaked": len(leaked),
            "proven": proven, "paid": paid, "left_in_contract": left, "refused": refused,
            "trial_status": int(trial.status), "trial_enrolled": trial.enrolled}
