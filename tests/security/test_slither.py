"""Static analysis: Slither, through the project's own compiler, finds no High or Medium issue in
any contract; every exclusion in slither.config.json is justified in one line.

Slither pins web3 7.16, so it runs in .venv-slither (``make slither``; ``make test`` builds it
first and sets MEDCHAIN_REQUIRE_SLITHER=1, so there a missing venv fails instead of skipping).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

SLITHER_PY = ROOT / ".venv-slither" / "bin" / "python"
CONFIG = ROOT / "slither.config.json"
CONTRACTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "contracts").rglob("*.sol"))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One Slither run over every contract (about 20 s): its kept findings and its console output."""
    if not SLITHER_PY.exists():
        if os.environ.get("MEDCHAIN_REQUIRE_SLITHER"):
            pytest.fail(".venv-slither is missing: run `make slither`")
        pytest.skip("Slither is not installed (run `make slither`, which `make test` does)")
    if not (ROOT / "node_modules" / "solc").is_dir():
        pytest.skip("solc-js is not installed (run `npm ci`, which `make test` does)")
    out = tmp_path_factory.mktemp("slither") / "findings.json"
    run = subprocess.run([str(SLITHER_PY), str(ROOT / "tools" / "slither_check.py"), "--json", str(out)],
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                         capture_output=True, text=True, timeout=900)
    assert run.returncode in (0, 1) and out.exists(), f"Slither could not run:\n{run.stdout}\n{run.stderr}"
    return {**json.loads(out.read_text()), "stdout": run.stdout}


def test_every_contract_is_analysed(report):
    assert report["units"] == CONTRACTS


@pytest.mark.parametrize("unit", CONTRACTS, ids=[Path(c).stem for c in CONTRACTS])
def test_no_high_or_medium_finding(report, unit):
    config = json.loads(CONFIG.read_text())
    excluded = next((p for p in config["exclude_paths"] if unit.startswith(p)), None)
    if excluded is not None:
        pytest.skip(f"{unit}: excluded in slither.config.json ({config['exclude_paths'][excluded]})")
    found = [f for f in report["findings"] if unit in f["files"] and f["impact"] in config["fail_on"]]
    assert not found, "\n".join(f"[{f['impact']}] {f['id']} at {f['lines']}: {f['description'].splitlines()[0]}" for f in found)


def test_every_exclusion_is_justified_in_one_line():
    config = json.loads(CONFIG.read_text())
    assert set(config["fail_on"]) >= {"High", "Medium"}
    for key in ("exclude_paths", "exclude_detectors", "accept_findings"):
        for name, why in config.get(key, {}).items():
            assert isinstance(why, str) and len(why.split()) >= 5 and "\n" not in why, f"{key}.{name}"


def test_the_driver_fails_on_a_real_medium_finding(tmp_path):
    """The gate can fail: a contract with a strict balance equality makes the driver exit 1."""
    if not SLITHER_PY.exists():
        pytest.skip("Slither is not installed (run `make slither`)")
    (tmp_path / "contracts").mkdir()
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "contracts" / "Bad.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract Bad {\n"
        "    function drained() external view returns (bool) { return address(this).balance == 0; }\n}\n"
    )
    config = tmp_path / "slither.config.json"
    config.write_text(json.dumps({"fail_on": ["High", "Medium"]}))
    run = subprocess.run(
        [str(SLITHER_PY), str(ROOT / "tools" / "slither_check.py"), "--root", str(tmp_path), "--config", str(config)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "incorrect-equality:Bad.drained()" in run.stdout
