"""`medchain claims …` in one session against a running Anvil: set-up, claims, review, money, reports."""

from __future__ import annotations

import json

import pytest

from medchain.core.accounts import dev_account
from medchain.core.chain import LocalNode
from medchain.participants import encryption_key_of
from medchain.scenarios.claims import CATALOGUE
from tests.conftest import require_node_tool
from tests.core.test_cli import one_line_error, run

GOV, HOSPITAL, PHARMACY, INSURER, PATIENT = (dev_account(i) for i in (0, 1, 6, 7, 11))


@pytest.mark.anvil
def test_a_claims_session(capsys, tmp_path):
    require_node_tool("anvil")
    with LocalNode("anvil") as node:
        ok = lambda *args: run(capsys, "--chain", node.url, "--deployments", str(tmp_path), *args)  # noqa: E731
        assert ok("deploy")[0] == 0
        for acct, name, roles in ((HOSPITAL, "Hospital A", "hospital"), (PHARMACY, "Pharmacy", "pharmacy"),
                                  (INSURER, "HealthShield", "insurer")):
            assert ok("participants", "register-org", acct.address, "--name", name, "--roles", roles, "--key",
                      encryption_key_of(acct).hex())[0] == 0
        assert ok("--account", "dev:11", "participants", "register-patient")[0] == 0
        assert ok("--account", "dev:11", "consent", "grant", INSURER.address, "--categories", "general,endocrine",
                  "--purposes", "insurance_claims")[0] == 0
        ins = ("--account", "dev:7", "claims")
        (tmp_path / "plan.json").write_text(json.dumps({"deductible": "100", "out_of_pocket_max": "2000",
                                                        "benefit_limit": "1000", "coinsurance": 20,
                                                        "copays": {"consultation": "20"}}))
        assert ok(*ins, "define-plan", str(tmp_path / "plan.json"))[1].strip() == "plan 1"
        (tmp_path / "cat.csv").write_text(CATALOGUE)
        assert (
            ok(*ins, "load-catalogue", str(tmp_path / "cat.csv"), "--effective", "2000-01-01")[1].strip() == "catalogue version 1"
        )
        assert ok(*ins, "enrol", "1", PATIENT.address, "--start", "2000-01-01", "--end", "2099-12-31")[0] == 0
        assert ok(*ins, "network", HOSPITAL.address)[0] == 0
        claim = {
            "patient": PATIENT.address,
            "plan": 1,
            "service_date": "2026-01-05",
            "diagnoses": ["E11.9"],
            "lines": [
                {"code": "CPT:99214", "quantity": 1, "billed": "140"},
                {"code": "CPT:15824", "quantity": 1, "billed": "900"},
            ],
        }
        (tmp_path / "claim.json").write_text(json.dumps(claim))
        code, out, _ = ok("--account", "dev:1", "claims", "submit", str(tmp_path / "claim.json"), "--json")
        result = json.loads(out)
        assert code == 0 and result["status"] == "partially approved"
        assert [(li["status"], li["reason"], li["payer"]) for li in result["lines"]] == [
            ("approved", 0, 16_000_000),
            ("denied", 96, 0),
        ]
        code, out, _ = ok("claims", "remittance", HOSPITAL.address)
        assert code == 0 and "PR-1 100.00" in out and "96 Non-covered charge(s)" in out
        code, out, _ = ok("claims", "remittance", HOSPITAL.address, "--fhir", result["claim"])
        assert json.loads(out)["resourceType"] == "ClaimResponse"
        code, out, _ = ok("claims", "show", result["claim"])
        assert json.loads(out)["lines"][1]["status"] == "denied"
        code, _, err = ok("--account", "dev:1", "claims", "withdraw", INSURER.address)
        one_line_error(err, "InsufficientPool")  # the insurer has not funded its pool yet
        code, _, err = ok("--account", "dev:1", "claims", "submit", str(tmp_path / "cat.csv"))
        one_line_error(err, "not valid JSON")
        code, _, err = ok("--account", "dev:6", "claims", "submit", str(tmp_path / "claim.json"))
        one_line_error(err, "ProviderNotInNetwork")
        code, _, err = ok("--account", "dev:7", "claims", "review", result["claim"], "1", "--deny")
        one_line_error(err, "a denial needs a reason code")
        code, out, _ = ok("claims", "reconcile")
        assert code == 0 and "BALANCED" in out
