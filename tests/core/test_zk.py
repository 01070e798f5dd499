"""The zk build is reproducible from its sources: `python -m medchain.core.zk check` passes on the
committed build and fails on a changed circuit; the verifier generator is deterministic."""

from __future__ import annotations

import json
import shutil

import pytest

from medchain.core import zk
from medchain.core.errors import InvalidInputError
from medchain.core.zk_verifier import render_verifier
from tests.conftest import ROOT


def need_node_tools():
    if shutil.which("node") is None or not (ROOT / "node_modules" / "circom2").is_dir():
        pytest.skip("circom2/snarkjs are not installed (npm ci)")


def test_manifest_names_the_insecure_ceremony():
    manifest = json.loads((ROOT / zk.BUILD / zk.MANIFEST).read_text())
    assert "INSECURE" in manifest["warning"]
    assert manifest["ceremony"]["ptauPower"] == zk.PTAU_POWER
    assert manifest["publicInputs"] == list(zk.PUBLIC_INPUTS)
    assert manifest["r1cs"]["constraints"] < 1 << zk.PTAU_POWER
    for name, digest in manifest["files"].items():
        assert zk.sha256_file(ROOT / zk.BUILD / name) == digest, name
    assert "INSECURE" in (ROOT / zk.VERIFIER).read_text()


def test_check_passes_on_the_committed_build():
    need_node_tools()
    assert zk.check(ROOT) == []


def test_check_detects_a_changed_circuit(tmp_path):
    need_node_tools()
    source = (ROOT / zk.CIRCUIT).read_text()
    changed = source.replace("ageOk.in[1] <== minAge;", "ageOk.in[1] <== minAge - 1;")
    assert changed != source
    circuit = tmp_path / "eligibility.circom"
    circuit.write_text(changed)
    problems = zk.check(ROOT, circuit=circuit)
    assert any("circuit changed" in p for p in problems), problems


def test_cli_check_exit_status(monkeypatch, tmp_path):
    seen = {}

    def fake_check(root=None, *, circuit=None, full=False):
        seen.update(circuit=circuit, full=full)
        return ["the circuit changed"]

    monkeypatch.setattr(zk, "check", fake_check)
    assert zk.main(["check", "--circuit", str(tmp_path / "c.circom")]) == 1
    assert seen == {"circuit": tmp_path / "c.circom", "full": False}
    monkeypatch.setattr(zk, "check", lambda *a, **k: [])
    assert zk.main(["check"]) == 0


def test_verifier_generator_is_deterministic_and_checks_the_key():
    vk = json.loads((ROOT / zk.BUILD / "verification_key.json").read_text())
    assert zk._render_verifier(vk) == zk._render_verifier(json.loads(json.dumps(vk)))
    with pytest.raises(InvalidInputError):
        render_verifier({**vk, "protocol": "plonk"})
    with pytest.raises(InvalidInputError):
        render_verifier({**vk, "IC": vk["IC"][:-1]})


def test_proof_calldata_orders_b_for_eip197():
    p = zk.Proof((1, 2), ((3, 4), (5, 6)), (7, 8), (9,))
    assert p.calldata() == ([1, 2], [[4, 3], [6, 5]], [7, 8])
    assert zk.Proof.from_snarkjs(p.snarkjs_json(), ["9"]) == p
    with pytest.raises(zk.ProofError):
        zk.Proof.from_snarkjs({"pi_a": []}, [])
