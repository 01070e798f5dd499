"""Exports and reports: EPCIS 2.0 (validated against the official schema), temperature chart, the
cold_chain scenario and the `medchain drugs` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medchain import cli as cli_module
from medchain.core.chain import LocalNode
from medchain.core.standards import epcis
from medchain.drugs import batch_id, temperature_chart
from tests.conftest import require_node_tool

from .conftest import GTIN, LOT, client, reading

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / ".." / "shared" / "standards" / "epcis" / "EPCIS-JSON-Schema.json"
SKIP_REASON = "official EPCIS schema not found at ../shared/standards/epcis (only CI and developers have it)"


@pytest.fixture(scope="module")
def schema() -> dict:
    if not SCHEMA_PATH.is_file():
        pytest.skip(SKIP_REASON)
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _full_story(world, lot):
    maker, dist = client(world, "manufacturer"), client(world, "distributor")
    dist.receive(maker.ship(lot.id, world.address("distributor"), 20, first_unit=0))
    bad = dist.ship(lot.id, world.address("hospital_a"), 5, first_unit=0)
    t = world.chain.now()
    client(world, "sensor_gateway").post_readings(bad, [reading(t, 5.0, 40), reading(t + 600, 9.5, 41), reading(t + 1200, 6.0)])
    client(world, "hospital_a").receive(bad)
    rejected = dist.ship(lot.id, world.address("pharmacy"), 3, first_unit=5)
    client(world, "pharmacy").reject(rejected, "seal broken")
    client(world, "pharmacy").receive(dist.ship(lot.id, world.address("pharmacy"), 5, first_unit=10))
    client(world, "pharmacy").dispense(lot.id, "SN00011", lot.tree)
    client(world, "regulator").recall(lot.id, "particles found")
    return bad


def test_epcis_export_of_a_full_trace_validates_against_the_official_schema(world, lot, schema):
    _full_story(world, lot)
    document = client(world).epcis_document(lot.id, created="2026-01-01T00:00:00Z")
    assert epcis.validate_document(json.loads(json.dumps(document)), schema) == []
    events = document["epcisBody"]["eventList"]
    steps = [(e.get("bizStep"), e.get("disposition")) for e in events]
    assert steps[0] == ("commissioning", "active") and steps[-1] == (None, "recalled")
    assert {"shipping", "receiving", "sensor_reporting", "holding", "inspecting", "dispensing"} <= {s for s, _ in steps}
    commission = events[0]
    assert (
        commission["ilmd"]["cbvmda:lotNumber"] == LOT
        and commission["ilmd"]["cbvmda:itemExpirationDate"] == lot.expiry.isoformat()
    )
    sensor = next(e for e in events if e.get("bizStep") == "sensor_reporting")
    assert [r["sensorReport"][0]["value"] for r in sensor["sensorElementList"]] == [5.0, 9.5, 6.0]
    assert sensor["sensorElementList"][1]["sensorReport"][0]["exception"] == "ALARM_CONDITION"
    ship = next(e for e in events if e.get("bizStep") == "shipping")
    assert ship["sourceList"][0]["source"] == f"urn:medchain:party:{world.address('manufacturer').lower()}"
    dispense = next(e for e in events if e.get("bizStep") == "dispensing")
    assert dispense["epcList"] == ["urn:epc:id:sgtin:9506000.013435.SN00011"]


def test_epcis_export_with_glns_and_digital_links_validates(world, lot, schema):
    _full_story(world, lot)
    document = client(world).epcis_document(lot.id, glns={world.address("manufacturer"): "9506000134352"}, id_scheme="dl")
    assert epcis.validate_document(document, schema) == []
    assert document["epcisBody"]["eventList"][0]["readPoint"]["id"] == "https://id.gs1.org/414/9506000134352"


def test_readings_are_recovered_and_charted(world, lot, tmp_path):
    bad = _full_story(world, lot)
    readings = client(world).readings(bad)
    assert [r.temperature_c for r in readings] == [5.0, 9.5, 6.0]
    path = temperature_chart(readings, tmp_path / "chart.png", min_c=2, max_c=8)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_the_cold_chain_scenario(world):
    from medchain.scenarios import drugs as cold_chain

    summary = cold_chain.run(world)
    assert summary["verified"] == "GENUINE" and summary["quarantined_unit"] == "QUARANTINED"
    assert summary["counterfeit"] == "dispensed" and summary["after_recall"] == "RECALLED"
    assert summary["recalled"] and summary["reorder_alerts"] == 1 and summary["dispensed"] == 61
    assert sum(summary["holders"].values()) == 1000 - 61 and summary["excursion_c"] > 8
    assert summary["qc_report"].startswith("QC certificate FLU24A")


def run(capsys, *args):
    with pytest.raises(SystemExit) as info:
        cli_module.main(list(args))
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


@pytest.mark.anvil
def test_a_drugs_session_on_the_command_line(capsys, tmp_path):
    require_node_tool("anvil")
    serials = tmp_path / "serials.txt"
    serials.write_text("serial\n" + "\n".join(f"S{i:03d}" for i in range(30)) + "\n")
    readings = tmp_path / "r.csv"
    readings.write_text("time,temperature_c,humidity_pct\n1900000000,5.0,40\n1900000600,12.5,40\n")
    with LocalNode("anvil") as node:
        from medchain.core.accounts import dev_account
        from medchain.core.chain import connect
        from medchain.core.deploy import load_suite
        from medchain.scenarios import CAST, ScenarioContext
        from medchain.scenarios.participants import setup

        base = ["--chain", node.url, "--deployments", str(tmp_path)]
        assert run(capsys, *base, "deploy")[0] == 0
        with connect(node.url) as chain:
            setup(ScenarioContext(chain, load_suite(chain, directory=tmp_path), tmp_path, log=lambda _: None))
        maker = base + ["--account", f"dev:{CAST['manufacturer']}"]
        pharmacy = base + ["--account", f"dev:{CAST['pharmacy']}"]
        assert (
            run(capsys, *maker, "drugs", "register-product", GTIN, "--name", "Vaccine", "--min-temp", "2", "--max-temp", "8")[0]
            == 0
        )
        import datetime as dt

        today = dt.date.today()
        report = tmp_path / "qc.pdf"
        report.write_bytes(b"%PDF QC certificate L1: pass")
        qc = ["--store", f"embedded:{tmp_path / 'ipfs'}", "--vault", str(tmp_path / "vault")]
        code, out, err = run(
            capsys,
            *maker,
            "drugs",
            *qc,
            "commission",
            GTIN,
            "L1",
            "--expiry",
            str(today + dt.timedelta(days=300)),
            "--production",
            str(today - dt.timedelta(days=1)),
            "--serials",
            str(serials),
            "--qc-report",
            str(report),
        )
        assert code == 0, err
        code, out, _ = run(
            capsys,
            *maker,
            "drugs",
            *qc,
            "ship",
            GTIN,
            "L1",
            "--to",
            dev_account(CAST["pharmacy"]).address,
            "--quantity",
            "10",
            "--first-unit",
            "0",
        )
        shipment = out.split()[1]
        code, out, err = run(capsys, *pharmacy, "drugs", *qc, "qc-report", GTIN, "L1", "--out", str(tmp_path / "read.pdf"))
        assert code == 0, err
        assert (tmp_path / "read.pdf").read_bytes() == report.read_bytes()
        code, _, err = run(capsys, *base, "--account", f"dev:{CAST['insurer']}", "drugs", *qc, "qc-report", GTIN, "L1")
        assert code == 1 and "holds no wrapped key" in err
        code, out, _ = run(
            capsys, *maker, "drugs", "ship", GTIN, "L1", "--to", dev_account(CAST["distributor"]).address, "--quantity", "5"
        )
        assert run(capsys, *maker, "drugs", "cancel", out.split()[1], "--reason", "order withdrawn")[0] == 0
        assert run(capsys, *maker, "drugs", "post-readings", shipment, str(readings))[0] == 0
        assert run(capsys, *base, "drugs", "chart", shipment, "--out", str(tmp_path / "c.png"))[0] == 0
        assert run(capsys, *pharmacy, "drugs", "receive", shipment)[0] == 0
        code, out, _ = run(
            capsys,
            *base,
            "drugs",
            "verify",
            f"(01){GTIN}(17){today + dt.timedelta(days=300):%y%m%d}(10)L1(21)S003",
            "--serials",
            str(serials),
            "--json",
        )
        assert json.loads(out)["status"] == "quarantined"
        code, _, err = run(capsys, *pharmacy, "drugs", "dispense", GTIN, "L1", "S003", "--serials", str(serials))
        assert code == 1 and err.startswith("error: UnitQuarantined(") and len(err.strip().splitlines()) == 1
        code, out, _ = run(capsys, *base, "drugs", "recall-report", GTIN, "L1", "--json")
        assert {h["holder"]: h["quarantined"] for h in json.loads(out)["holders"]}[dev_account(CAST["pharmacy"]).address] == 10
        assert run(capsys, *pharmacy, "drugs", "destroy", shipment, "--reason", "excursion")[0] == 0
        code, out, _ = run(capsys, *base, "drugs", "stock", GTIN, "L1", "--holder", dev_account(CAST["pharmacy"]).address)
        assert out.strip() == "sellable 0  quarantined 0"
        code, _, err = run(capsys, *maker, "drugs", "release", shipment, "--review-report", str(report))
        assert code == 1 and err.startswith("error: QuarantineNotDecidable(")
        code, out, _ = run(capsys, *base, "drugs", "export-epcis", GTIN, "L1")
        assert json.loads(out)["type"] == "EPCISDocument"
        code, _, err = run(
            capsys, *maker, "drugs", "register-product", "09506000134353", "--name", "X", "--min-temp", "2", "--max-temp", "8"
        )
        assert code == 1 and "error: gtin: check digit" in err


def test_batch_ids_match_the_contract(world):
    from medchain.core.tx import call
    from medchain.drugs import gtin_number

    assert batch_id(GTIN, "ÄB") == call(client(world).contract.functions.batchIdOf(gtin_number(GTIN), "ÄB"))
