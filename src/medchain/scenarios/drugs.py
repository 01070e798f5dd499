"""Scenario ``drugs`` (formerly ``cold_chain``): a vaccine batch from the factory to patients, with its encrypted QC
report, a cold-chain breach, a counterfeit caught, a recall and a reorder alert."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from medchain.core.crypto import KeyVault
from medchain.core.errors import CounterfeitSuspectedError, MissingExtraError
from medchain.core.standards import gs1
from medchain.core.storage import EmbeddedStore
from medchain.drugs.chart import temperature_chart
from medchain.drugs.client import DrugsClient, Reading, UnitStatus
from medchain.scenarios import ScenarioContext
from medchain.scenarios.participants import setup

TITLE = "cold chain: vaccine batch, QC report, truck excursion, verification, counterfeit, recall, reorder"
GTIN = "09506000134352"
LOT = "FLU24A"
UNITS = 1000


def run(ctx: ScenarioContext) -> dict[str, Any]:
    setup(ctx)
    # The QC report is sealed before it goes to IPFS (only its CID goes on chain); its key is wrapped
    # in the vault for the maker, the regulators and each custodian the batch is shipped to.
    store, vault = EmbeddedStore(ctx.workdir / "ipfs"), KeyVault(ctx.workdir / "keyvault")
    maker = DrugsClient(ctx.suite, ctx.sender("manufacturer"), store=store, vault=vault)
    dist = DrugsClient(ctx.suite, ctx.sender("distributor"), store=store, vault=vault)
    gateway = DrugsClient(ctx.suite, ctx.sender("sensor_gateway"))
    hosp_a = DrugsClient(ctx.suite, ctx.sender("hospital_a"))
    hosp_b = DrugsClient(ctx.suite, ctx.sender("hospital_b"))
    pharmacy = DrugsClient(ctx.suite, ctx.sender("pharmacy"))

    if maker.product(GTIN) is None:
        maker.register_product(GTIN, "VaxCo Influenza Vaccine 0.5 ml", 2.0, 8.0, 60)
    today = dt.datetime.fromtimestamp(ctx.chain.now(), dt.timezone.utc).date()
    serials = [f"FLU{i:06d}" for i in range(UNITS)]
    batch = maker.commission_batch(GTIN, LOT, expiry=today + dt.timedelta(days=365), production=today,
                                   serials=serials, qc_report=b"QC certificate FLU24A: sterility pass, potency 102 %")
    ctx.step(f"VaxCo commissioned lot {LOT}: {UNITS} serialised units, Merkle root 0x{batch.tree.root.hex()[:16]}…, "
             f"gas {batch.receipt.gas_used:,}")

    dist.receive(maker.ship(batch.batch_id, ctx.address("distributor"), 600, first_unit=0))
    qc_text = dist.qc_report(batch.batch_id)
    ctx.step(f"the distributor received 600 units (units 0-599) and read the QC report: {qc_text.decode()!r}")
    to_a = dist.ship(batch.batch_id, ctx.address("hospital_a"), 200, first_unit=0)
    to_b = dist.ship(batch.batch_id, ctx.address("hospital_b"), 200, first_unit=200)
    start = ctx.chain.now()
    good = [Reading(start + 900 * i, 4.5 + (i % 8) / 10, 45, 31.23, 121.47) for i in range(96)]
    bad = [Reading(start + 900 * i, 5.0 if i < 40 else 9.3, 50, 31.30 + i / 1000, 121.50) for i in range(96)]
    gateway.post_readings(to_a, good)
    gateway.post_readings(to_b, bad)
    excursion = gateway.logs("ExcursionDetected", shipmentId=to_b.id)[0]["args"]
    ctx.step(f"truck B breached 8 °C ({excursion['temperature'] / 100:.1f} °C at "
             f"{excursion['latitude'] / 1e6:.3f},{excursion['longitude'] / 1e6:.3f}): its 200 units are quarantined")
    try:
        drawn_chart = temperature_chart(gateway.readings(to_b), ctx.workdir / "truck-b.png", min_c=2.0,
                                        max_c=8.0, title=f"Shipment to Hospital B, lot {LOT}")
        chart: Path | None = drawn_chart
        drawn = f"chart: {drawn_chart}" if ctx.keeps_files else "chart drawn (`medchain demo --workdir DIR` keeps it)"
    except MissingExtraError as exc:
        chart, drawn = None, f"no chart ({exc})"
    hosp_a.receive(to_a)
    hosp_a.set_reorder_threshold(GTIN, 150)
    hosp_b.receive(to_b)
    ctx.step(f"hospital A received the good shipment; hospital B took truck B's units into quarantine; {drawn}")

    to_pharmacy = dist.ship(batch.batch_id, ctx.address("pharmacy"), 50, first_unit=400)
    pharmacy.receive(to_pharmacy)
    unit = gs1.UnitCode(GTIN, LOT, today + dt.timedelta(days=365), serial=serials[410])
    scan = gs1.to_datamatrix(unit, symbology_id="]d2")
    verified = DrugsClient(ctx.suite).verify(scan, batch.tree)
    ctx.step(f"a patient scanned {gs1.to_element_string(unit)}: {verified.status.name.lower()}, "
             f"custody path of {len(verified.custody_path)} steps")
    quarantined = DrugsClient(ctx.suite).verify(gs1.UnitCode(GTIN, LOT, unit.expiry, serial=serials[250]), batch.tree)
    pharmacy.dispense(batch.batch_id, serials[410], batch.tree)
    ctx.step(f"the pharmacy dispensed {serials[410]}")
    caught = None
    try:
        pharmacy.dispense(batch.batch_id, serials[410], batch.tree)
    except CounterfeitSuspectedError as exc:
        caught = exc.status
        ctx.step(f"a copied pack with serial {serials[410]} was caught and recorded ({exc.status})")

    for i in range(60):
        hosp_a.dispense(batch.batch_id, serials[i], batch.tree)
    alerts = hosp_a.reorder_alerts(ctx.address("hospital_a"))
    ctx.step(f"hospital A's stock fell to {alerts[-1]['stock']} < {alerts[-1]['threshold']}: replenishment requested")

    maker.recall(batch.batch_id, "potency below specification in stability testing")
    report = maker.recall_report(batch.batch_id)
    for h in report.holders.values():
        ctx.step(f"recall report: {h.holder[:10]}… holds {h.available} sellable, {h.quarantined} quarantined, "
                 f"dispensed {h.dispensed}")
    after = DrugsClient(ctx.suite).verify(scan, batch.tree)
    document = maker.epcis_document(batch.batch_id)
    return {"units": UNITS, "verified": verified.status.name, "quarantined_unit": quarantined.status.name,
            "counterfeit": caught, "reorder_alerts": len(alerts), "recalled": report.recalled,
            "holders": {h.holder: h.available + h.quarantined for h in report.holders.values()},
            "dispensed": len(report.dispensed), "after_recall": after.status.name,
            "qc_report": qc_text.decode(),
            "epcis_events": len(document["epcisBody"]["eventList"]), "chart": str(chart) if chart else None,
            "excursion_c": excursion["temperature"] / 100, "genuine": verified.status == UnitStatus.GENUINE}
