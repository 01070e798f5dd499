"""The organisation page: a batch's recall report, holders and quantities, CSV download; the API
is documented with OpenAPI, readable offline."""

from __future__ import annotations

import csv
import io

REPORT = "/batches/09506000134352/FLU24B"  # the demo's own batch (portal.demo): 100 units
RECALLED = "/batches/09506000134352/FLU24A"  # the cold_chain scenario's


def test_the_recall_report_lists_every_holder_and_quantity(client):
    body = client.get("/api" + REPORT + "/report").json()
    held = {h["holder"]["name"]: (h["sellable"], h["quarantined"], h["dispensed"]) for h in body["holders"]}
    assert held == {"VaxCo Manufacturing": (20, 0, 0), "ColdLine Distribution": (20, 0, 0),
                    "Corner Pharmacy": (39, 0, 1), "Hospital B (Beijing Union)": (0, 20, 0)}
    assert body["total_held"] == 99 and not body["batch"]["recalled"]


def test_the_report_names_the_copied_serial_and_who_presented_it(client):
    (suspect,) = client.get("/api" + REPORT + "/report").json()["suspected_counterfeits"]
    assert (suspect["serial"], suspect["presenter"]["name"], suspect["status"]) == ("FLB000045", "Corner Pharmacy", "dispensed")


def test_the_csv_holds_the_same_holders_as_the_page(client):
    answer = client.get(REPORT + "/report.csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert answer.headers["content-disposition"] == 'attachment; filename="recall-09506000134352-FLU24B.csv"'
    holders = {r["party_name"]: int(r["quarantined"]) for r in rows if r["section"] == "holder"}
    assert holders["Hospital B (Beijing Union)"] == 20 and "Hospital B (Beijing Union)" in client.get(REPORT).text
    assert [r["serial"] for r in rows if r["section"] == "dispensed"] == ["FLB000045"]


def test_the_csv_of_a_recalled_batch_carries_the_reason(client):
    rows = list(csv.DictReader(io.StringIO(client.get(RECALLED + "/report.csv").text)))
    assert [r["detail"] for r in rows if r["section"] == "recall"] == ["potency below specification in stability testing"]


def test_the_api_is_documented_with_openapi_and_readable_offline(client):
    spec = client.get("/openapi.json").json()
    assert spec["paths"]["/api/01/{gtin}/10/{lot}/21/{serial}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["$ref"].endswith("/VerificationOut")
    docs = client.get("/docs").text
    assert "/api/batches/{gtin}/{lot}/report" in docs and "<script" not in docs and "http" not in docs.split("<main>")[1]
