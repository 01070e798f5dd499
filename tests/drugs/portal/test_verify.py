"""The resolver tells, in English and Chinese, whether a pack is genuine and why, with the product,
the batch, the pack's custody path and its shipments' temperature charts."""

from __future__ import annotations

import pytest

from .conftest import link

SITUATIONS = [  # situation, status, reason code, words the English explanation must contain, Chinese headline
    ("genuine", "genuine", "genuine", "Corner Pharmacy", "正品"),
    ("dispensed", "dispensed", "dispensed", "presented again 1 time", "已被发放"),
    ("unknown_serial", "unknown_serial", "unknown_serial", "no pack with serial number FLB999999", "可能是假药"),
    ("expiry_mismatch", "unknown_serial", "expiry_mismatch", "differs from the batch's registered expiry", "可能是假药"),
    ("recalled", "recalled", "recalled", "potency below specification", "已召回"),
    ("expired", "expired", "expired", "expiry date was", "已过期"),
    ("quarantined", "quarantined", "quarantined", "reached 11.5 °C", "已隔离"),
]


@pytest.mark.parametrize("situation,status,reason,why,zh", SITUATIONS)
def test_the_api_tells_the_status_and_why(client, demo, situation, status, reason, why, zh):
    body = client.get("/api" + link(demo.codes[situation])).json()
    assert (body["status"], body["reason"], body["genuine"]) == (status, reason, status == "genuine")
    assert why in " ".join(r["en"] for r in body["reasons"]) and zh in body["headline"]["zh"]


@pytest.mark.parametrize("situation,status,reason,why,zh", SITUATIONS)
def test_the_page_says_it_in_both_languages(client, demo, situation, status, reason, why, zh):
    page = client.get(link(demo.codes[situation]))
    assert page.status_code == 200 and f'data-status="{status}"' in page.text
    assert zh in page.text and why.replace("'", "&#39;") in page.text


def test_a_genuine_pack_shows_product_batch_and_custody_from_maker_to_pharmacy(client, demo):
    body = client.get("/api" + link(demo.codes["genuine"])).json()
    assert body["product"]["name"] == "VaxCo Influenza Vaccine 0.5 ml" and body["batch"]["lot"] == "FLU24B"
    path = [(s["kind"], (s["party"] or {}).get("name")) for s in body["custody_path"]]
    assert path[0] == ("commissioned", "VaxCo Manufacturing") and path[-1] == ("received", "Corner Pharmacy")


def test_the_custody_path_holds_only_the_shipments_that_carried_the_pack(client, demo):
    body = client.get("/api" + link(demo.codes["genuine"])).json()  # unit 50: not in the 0-19 truck to hospital B
    assert all(s["recipient"]["name"] != "Hospital B (Beijing Union)" for s in body["shipments"])
    assert {s["first_unit"] for s in body["shipments"]} == {0, 40}


def test_a_quarantined_pack_shows_its_truck_chart_with_the_excursion(client, demo):
    body = client.get("/api" + link(demo.codes["quarantined"])).json()
    (truck,) = [s for s in body["shipments"] if s["excursion"]]
    assert truck["excursion"]["temperature_c"] == 11.5 and truck["readings"] == 48
    chart = client.get(truck["chart_url"])
    assert chart.headers["content-type"] == "image/png" and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert truck["chart_url"] in client.get(link(demo.codes["quarantined"])).text


def test_a_batch_level_code_shows_the_batch(client, demo):
    body = client.get("/api" + link(demo.codes["batch"])).json()
    assert body["recalled"] is False and body["batch"]["units"] == 100 and body["custody_path"]


def test_a_code_typed_in_any_gs1_form_leads_to_the_pack_page(client, demo):
    unit = demo.codes["genuine"]
    from medchain.core.standards import gs1

    answer = client.get("/check", params={"code": gs1.to_datamatrix(unit, symbology_id="]d2")}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == link(unit)
    assert client.get("/api/verify", params={"code": gs1.to_element_string(unit)}).json()["status"] == "genuine"


def test_a_resolver_base_with_a_path_prefix_is_accepted(client, demo):
    assert client.get("/api/dl" + link(demo.codes["recalled"])).json()["status"] == "recalled"
    assert client.get("/dl" + link(demo.codes["recalled"])).status_code == 200


def test_a_batch_without_a_serial_list_cannot_be_checked_and_says_so(client, demo, tmp_path):
    from fastapi.testclient import TestClient

    from medchain.drugs.portal.app import create_app
    from medchain.drugs.portal.service import SerialStore

    with TestClient(create_app(demo.suite, SerialStore(tmp_path))) as empty:
        answer = empty.get("/api" + link(demo.codes["genuine"]))
    assert answer.status_code == 503 and answer.json()["error"] == "unavailable"
