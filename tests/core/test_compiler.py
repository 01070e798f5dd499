"""The compiler pipeline: committed artifacts are what the sources produce; errors are readable."""

from __future__ import annotations

import shutil

import pytest

from medchain.core import compiler
from medchain.core.errors import CompilationError, ConfigurationError
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def fresh_artifacts():
    if not (ROOT / "node_modules" / "solc").is_dir():
        pytest.skip("solc-js is not installed (run `npm ci`, which `make test` does)")
    return compiler.build_artifacts(ROOT)


def test_committed_artifacts_match_the_sources(fresh_artifacts):
    assert compiler.artifact_diff(fresh_artifacts) == [], "run `make build` and commit the artifacts"


def test_artifacts_carry_what_integrators_need(fresh_artifacts):
    art = fresh_artifacts["ParticipantRegistry"]
    assert art["compiler"]["version"].startswith(compiler.SOLC_VERSION) and art["compiler"]["evmVersion"] == "shanghai"
    assert (
        art["methodIdentifiers"]["registerPatient(bytes)"]
        == __import__("eth_utils").function_signature_to_4byte_selector("registerPatient(bytes)").hex()
    )
    assert art["storageLayout"]["storage"] and art["bytecode"].startswith("0x60") and len(art["deployedBytecode"]) > 1000
    assert "contracts/ParticipantRegistry.sol" in art["sourceHashes"]
    assert "@openzeppelin/contracts/access/Ownable2Step.sol" in art["sourceHashes"]


def test_a_syntax_error_names_file_line_and_problem(tmp_path):
    (tmp_path / "contracts").mkdir()
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "contracts" / "Broken.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract Broken {\n    uint x = ;\n}\n"
    )
    with pytest.raises(CompilationError) as info:
        compiler.build_artifacts(tmp_path)
    assert "contracts/Broken.sol:4: ParserError" in str(info.value)


def test_a_missing_import_is_named(tmp_path):
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "A.sol").write_text('import "./Missing.sol";\n')
    with pytest.raises(CompilationError, match="import not found: contracts/Missing.sol"):
        compiler.build_artifacts(tmp_path)


def test_a_compiler_of_the_wrong_version_is_refused(monkeypatch, tmp_path):
    fake = tmp_path / "solc"
    fake.write_text("#!/bin/sh\necho 'Version: 0.7.6+commit.7338295f.Linux.g++'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("MEDCHAIN_SOLC", str(fake))
    with pytest.raises(ConfigurationError, match="is not solc 0.8.28"):
        compiler.find_solc()


def test_the_shim_answers_like_native_solc():
    import subprocess

    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    out = subprocess.run([str(compiler.SHIM), "--version"], capture_output=True, text=True, cwd=ROOT).stdout
    assert f"Version: {compiler.SOLC_VERSION}+commit." in out and out.strip().endswith(".Linux.g++")
