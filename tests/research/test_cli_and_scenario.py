"""The ``research`` scenario and a ``medchain research …`` session against a running Anvil."""

from __future__ import annotations

import json
import re

import pytest

from medchain import cli as cli_module
from medchain.core.accounts import dev_account
from medchain.core.chain import LocalNode, connect
from medchain.core.deploy import deploy
from medchain.core.token import TokenClient
from medchain.core.tx import Sender
from medchain.scenarios import CAST, ScenarioContext
from medchain.scenarios import run as run_scenarios
from medchain.scenarios.participants import setup
from tests.conftest import require_node_tool

from .conftest import grant, observation


def test_the_research_scenario_tells_the_whole_story():
    s = run_scenarios(["research"], log=lambda _: None)["research"]
    assert (s["rows"], s["excluded"], s["extract_rows"], s["next_extract_rows"], s["leaked"]) == (4, 1, 4, 3, 0)
    assert s["proven"] and s["refused"] == "VersionHasWithdrawnContributors" and s["left_in_contract"] == 0
    assert s["paid"] == {"hospital_a": 100_000_000, "patient_1": 200_000_000, "patient_2": 100_000_000,
                         "patient_3": 100_000_000}
    assert (s["trial_status"], s["trial_enrolled"]) == (3, 2)


def cli(capsys, *args):
    with pytest.raises(SystemExit) as info:
        cli_module.main(list(args))
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


@pytest.mark.anvil
def test_a_research_session_from_the_command_line(capsys, tmp_path):
    require_node_tool("anvil")
    with LocalNode("anvil") as node, connect(node.url) as chain:
        gov = Sender(chain, dev_account(CAST["governance"]))
        suite = deploy(chain, gov, directory=tmp_path).suite
        ctx = ScenarioContext(chain, suite, tmp_path, log=lambda _: None)
        ctx._senders["governance"] = gov
        setup(ctx)
        for p in ("patient_1", "patient_2"):
            grant(ctx, p)
        TokenClient(suite, gov).mint(ctx.address("university"), 10**12)
        records = tmp_path / "records.json"
        records.write_text(json.dumps([{"patient": ctx.address(p), "resource": observation(6 + i)}
                                       for i, p in enumerate(("patient_1", "patient_2", "patient_4"))]))
        base = ["--chain", node.url, "--deployments", str(tmp_path)]
        r = base + ["research", "--store", f"embedded:{tmp_path / 'ipfs'}"]
        def as_(who):
            return ["--account", f"dev:{CAST[who]}"]

        code, out, err = cli(capsys, *base, *as_("hospital_a"), "research", "--store", f"embedded:{tmp_path / 'ipfs'}",
                             "register-dataset", str(records), "--fields", "resource_type,code,value",
                             "--categories", "laboratory", "--price", "10")
        assert code == 0, err
        assert "version 1: 2 rows, 2 patients, 1 left out" in out and "recorded 2 contributions" in out
        assert cli(capsys, *base, *as_("hospital_a"), *r[len(base):], "publish", "1")[0] == 0
        code, out, err = cli(capsys, *base, *as_("university"), *r[len(base):], "license", "1", "--fields", "patient_name")
        assert code == 1 and err.startswith("error: identity fields can never be licensed")
        code, out, err = cli(capsys, *base, *as_("university"), *r[len(base):], "license", "1", "--fields", "code,value")
        assert code == 0 and "licence 1" in out, err
        code, out, err = cli(capsys, *base, *as_("hospital_a"), *r[len(base):], "extract", "1")
        assert code == 0 and re.search(r"extract Qm\w+", out), err
        extract = tmp_path / "extract.json"
        code, out, err = cli(capsys, *base, *as_("university"), *r[len(base):], "open-extract", "1", "--out", str(extract))
        assert code == 0 and "2 rows" in out, err
        code, out, _ = cli(capsys, *base, *r[len(base):], "verify-row", str(extract), "--row", "1")
        assert code == 0 and "belongs to version 1" in out
        code, out, _ = cli(capsys, *base, *r[len(base):], "check-licence", "1")
        assert "live True" in out
        code, out, _ = cli(capsys, *base, *as_("patient_1"), *r[len(base):], "withdraw", "1")
        assert code == 0 and "withdrew 4.000000 MCUSD" in out
        code, _, err = cli(capsys, *base, *as_("patient_4"), *r[len(base):], "withdraw", "1")
        assert code == 1 and err.startswith("error: NothingToWithdraw")

        t = base + ["research", "trial"]
        code, out, _ = cli(capsys, *t[:len(base)], *as_("manufacturer"), *t[len(base):], "register", "--protocol", "p v1",
                           "--endpoints", "HbA1c at week 24", "--title", "DRUG-X")
        assert code == 0 and "trial 1" in out
        assert cli(capsys, *base, *as_("manufacturer"), "research", "trial", "add-site", "1", ctx.address("hospital_a"))[0] == 0
        code, out, _ = cli(capsys, *base, "--account", "dev:17", "research", "trial", "sign-consent", "1",
                           "--site", ctx.address("hospital_a"))
        deadline, signature = re.search(r"deadline (\d+)\nsignature (0x[0-9a-f]+)", out).groups()
        subject = dev_account(17).address
        assert cli(capsys, *base, *as_("hospital_a"), "research", "trial", "enrol", "1", subject, "--signature", signature,
                   "--deadline", deadline)[0] == 0
        assert cli(capsys, *base, *as_("hospital_a"), "research", "trial", "record", "1", "--visit", subject,
                   "--data", "week 4: HbA1c 7.0")[0] == 0
        assert cli(capsys, *base, *as_("manufacturer"), "research", "trial", "lock", "1", "--results", "delta -0.9")[0] == 0
        code, out, _ = cli(capsys, *base, "research", "trial", "show", "1")
        assert "status locked enrolled 1" in out
