"""Every scenario of ``medchain.scenarios.SCENARIOS`` runs end to end, alone on a freshly deployed
suite (as ``scripts/<name>.py`` runs it), on the embedded chain, on Anvil and on Ganache started
on the shanghai hardfork. New scenarios are covered as soon as they are registered."""

from __future__ import annotations

import enum

import pytest

from medchain.core.chain import LocalNode, connect
from medchain.scenarios import SCENARIOS, load, run
from tests.conftest import require_node_tool

BACKENDS = ["embedded", pytest.param("anvil", marks=pytest.mark.anvil), pytest.param("ganache", marks=pytest.mark.ganache)]


@pytest.fixture(scope="module", params=BACKENDS)
def node(request):
    """One chain per backend for the module; each scenario starts from the same empty state."""
    if request.param != "embedded":
        require_node_tool(request.param)
    chain = connect(request.param)
    yield chain
    chain.close()


@pytest.fixture
def fresh(node):
    snap = node.snapshot()
    yield node
    node.revert(snap)


# What each story ends with, the same on every backend (the cast's addresses come from the
# development mnemonic everywhere); a new scenario is still run, with the generic checks below.
OUTCOMES = {
    "participants": {"organisations": 10, "patients": 4, "suspended": True, "refused": "NotGovernanceOrRegulator",
                     "governance": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "hospital_a_roles": 33},
    "consent": {"records": 7, "refused_cardiology": "AccessDeniedError", "after_expiry": "AccessDeniedError",
            "after_revoke": "ConsentRevokedError", "rekeyed": 3, "kept_reader_reads": "Condition", "reads": 3,
            "emergency_reads": 1, "fhir_statuses": ["active", "inactive"],
            "readers": ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                        "0x90F79bf6EB2c4f870365E785982E1f101E93b906"]},
    "drugs": {"units": 1000, "verified": "GENUINE", "quarantined_unit": "QUARANTINED", "counterfeit": "dispensed",
                   "reorder_alerts": 1, "recalled": True, "dispensed": 61, "after_recall": "RECALLED",
                   "qc_report": "QC certificate FLU24A: sterility pass, potency 102 %", "epcis_events": 74,
                   "excursion_c": 9.3, "genuine": True,
                   "holders": {"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65": 400,
                               "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc": 150,
                               "0x70997970C51812dc3A010C7d01b50e0d17dc79C8": 140,
                               "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC": 200,
                               "0x976EA74026E726554dB657fA54763abd0C3a0aa9": 49}},
    "claims": {"plan": 1, "first": "approved", "deductible_applied": 100_000_000, "duplicate_reason": 18,
               "off_label": ("pending", 11, "approved"), "fee_schedule": (25_000_000, 45), "benefit": (119, "denied", 119),
               "paid_hospital": 736_000_000, "paid_pharmacy": 264_000_000, "balanced": True,
               "accumulator": {"deductible": 100_000_000, "out_of_pocket": 395_000_000, "benefit_used": 1_000_000_000},
               "claim_response_outcome": "complete"},
    "research": {"version": 1, "next_version": 2, "rows": 4, "excluded": 1, "extract_rows": 4, "next_extract_rows": 3,
                 "leaked": 0, "proven": True, "left_in_contract": 0, "refused": "VersionHasWithdrawnContributors",
                 "trial_status": 3, "trial_enrolled": 2,
                 "paid": {"hospital_a": 100_000_000, "patient_1": 200_000_000, "patient_2": 100_000_000,
                          "patient_3": 100_000_000}},
}


def _plain(value):
    """Enums as their value, tuples as lists: the summary as its JSON shows it."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.value if isinstance(value, enum.Enum) else value


def test_every_scenario_has_an_expected_outcome():
    assert set(OUTCOMES) == set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_scenario_runs_end_to_end(fresh, name, tmp_path):
    lines: list[str] = []
    start = fresh.w3.eth.block_number
    summary = run([name], chain=fresh, log=lines.append, workdir=tmp_path)[name]
    assert isinstance(summary, dict) and summary, f"scenario {name} returned no summary"
    assert lines[0] == f"== {name}: {load(name).TITLE}" and len(lines) > 1  # it told the user what it did
    # it transacted on this chain, and every transaction it mined succeeded (refusals are caught
    # before sending, at estimation)
    receipts = [fresh.w3.eth.get_transaction_receipt(h) for n in range(start + 1, fresh.w3.eth.block_number + 1)
                for h in fresh.w3.eth.get_block(n)["transactions"]]
    assert receipts and all(r["status"] == 1 for r in receipts), [
        r["transactionHash"].hex() for r in receipts if r["status"] != 1
    ]
    expected = OUTCOMES.get(name, {})
    assert {k: _plain(summary.get(k)) for k in expected} == _plain(expected), f"{name} ended differently"


def test_ganache_is_started_on_the_shanghai_hardfork():
    command = LocalNode("ganache").command()
    assert command[command.index("--chain.hardfork") + 1] == "shanghai"


@pytest.mark.ganache
def test_the_ganache_chain_is_shanghai():
    """Shanghai blocks carry withdrawals; Cancun's blob fields are absent (the artifacts target shanghai)."""
    require_node_tool("ganache")
    with connect("ganache") as chain:
        block = chain.w3.eth.get_block("latest")
        assert "withdrawalsRoot" in block and "blobGasUsed" not in block and "parentBeaconBlockRoot" not in block
