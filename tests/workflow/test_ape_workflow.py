"""The Ape workflow, for real, through the Ape virtualenv that `make ape` builds (eth-ape 0.8,
ape-solidity, ape-foundry, web3 7.16): `ape compile` offline (solc-js through the shim,
OpenZeppelin from node_modules), `ape test tests/ape` on Anvil (ape-foundry), and `ape run` of the
deploy and participants scripts.

Skipped when the virtualenv is absent (plain `pytest`); `make test` builds it first and sets
MEDCHAIN_REQUIRE_APE=1, which turns that skip into a failure. Every Ape command gets a fresh,
empty Ape data folder (APE_DATA_FOLDER, else ~/.ape), so what another checkout left in ~/.ape
cannot change the result, and `ape compile --force` rebuilds .build/: a fresh clone behaves the
same. ape-foundry starts Anvil on a free port (ape-config.yaml: `host: auto`), so no port is
shared with the Brownie workflow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from medchain.core import compiler
from medchain.core.contracts import load_artifact
from medchain.core.project import ARTIFACTS_DIR
from tests.conftest import ROOT, node_tool

VENV = ROOT / ".venv-ape"
APE = VENV / "bin" / "ape"
SOLC = Path.home() / ".solcx" / f"solc-v{compiler.SOLC_VERSION}"
OPENZEPPELIN = ROOT / "node_modules" / "@openzeppelin" / "contracts"
TIMEOUT = 600


def _unavailable(reason: str) -> None:
    if os.environ.get("MEDCHAIN_REQUIRE_APE"):
        pytest.fail(f"{reason} (MEDCHAIN_REQUIRE_APE is set: `make test` must have built it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The environment of an Ape command: the checkout's node tools first on PATH, a fresh Ape data folder."""
    if not APE.exists():
        _unavailable("the Ape virtualenv .venv-ape is absent: run `make ape` (`make test` does)")
    for tool in ("anvil", "solcjs"):
        if not node_tool(tool).exists():
            _unavailable(f"{tool} is not installed: run `npm ci` (`make test` does)")
    if not (OPENZEPPELIN / "package.json").exists():
        _unavailable("OpenZeppelin Contracts is not in node_modules: run `npm ci` (`make test` does)")
    if not SOLC.exists():
        _unavailable(f"{SOLC} is absent: run `make ape` (it installs the solc-js wrapper)")
    environ = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "MEDCHAIN_DEPLOYMENTS")}
    environ["PATH"] = os.pathsep.join([str(ROOT / "node_modules" / ".bin"), str(VENV / "bin"), environ["PATH"]])
    environ["APE_DATA_FOLDER"] = str(tmp_path_factory.mktemp("ape-data"))
    yield environ
    # ape-solidity may unpack OpenZeppelin into contracts/.cache (copies of node_modules files),
    # which `medchain compile` would take for project sources.
    shutil.rmtree(ROOT / "contracts" / ".cache", ignore_errors=True)


def ape(env, *args: str, extra: dict[str, str] | None = None) -> str:
    """Run ``ape ARGS`` in the project; return its output, failing the test with it on error."""
    proc = subprocess.run([str(APE), *args], cwd=ROOT, env={**env, **(extra or {})}, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"ape {' '.join(args)} exited {proc.returncode}:\n{out[-6000:]}"
    return out


def passed_only(out: str) -> int:
    """The number of tests a pytest run passed; fails unless its closing line reports only passes."""
    closing = re.findall(r"^=+ (.+) in [\d.]+s.* =+$", out, re.MULTILINE)
    assert closing, f"no pytest closing line in:\n{out[-3000:]}"
    match = re.fullmatch(r"(\d+) passed(?:, \d+ warnings?)?", closing[-1])
    assert match, f"ape test closed with: {closing[-1]}\n{out[-6000:]}"
    return int(match.group(1))


def _without_metadata(code: str) -> str:
    """Bytecode without its trailing CBOR metadata (which hashes the source paths and settings text)."""
    code = code.removeprefix("0x")
    return code[: -(int(code[-4:], 16) + 2) * 2]


@pytest.fixture(scope="module")
def compiled(env):
    """`ape compile --force` once for the module: its output and the manifest it wrote."""
    out = ape(env, "compile", "--force")
    return out, json.loads((ROOT / ".build" / "__local__.json").read_text())


def test_ape_compiles_every_contract_offline_with_the_pinned_compiler(compiled):
    out, manifest = compiled
    assert f"Compiling using Solidity compiler '{compiler.SOLC_VERSION}" in out and "SUCCESS" in out
    [solidity] = [c for c in manifest["compilers"] if c["name"] == "solidity"]
    assert solidity["version"].startswith(compiler.SOLC_VERSION)
    assert solidity["settings"]["evmVersion"] == "shanghai"
    assert solidity["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    # every contract the package compiles into an artifact (test doubles included)
    names = sorted(p.stem for folder in (ARTIFACTS_DIR, ARTIFACTS_DIR / "test") for p in folder.glob("*.json"))
    assert "ClaimAdjudication" in names and "ReentrantProvider" in names
    for name in names:
        built = manifest["contractTypes"][name]["runtimeBytecode"]["bytecode"]
        # The same code as the package's artifacts: same compiler, optimizer, evm version, remapping.
        assert _without_metadata(built) == _without_metadata(load_artifact(name)["deployedBytecode"]), name


def test_openzeppelin_comes_from_node_modules(compiled, env):
    _, manifest = compiled
    [solidity] = [c for c in manifest["compilers"] if c["name"] == "solidity"]
    assert solidity["settings"]["remappings"] == ["@openzeppelin/contracts=contracts/.cache/openzeppelin/5.1.0"]
    assert "contracts/.cache/openzeppelin/5.1.0/access/Ownable2Step.sol" in solidity["settings"]["outputSelection"]
    version = json.loads((OPENZEPPELIN / "package.json").read_text())["version"]
    [api] = Path(env["APE_DATA_FOLDER"]).glob("packages/api/*openzeppelin*/*.json")
    assert json.loads(api.read_text())["npm"] == str(OPENZEPPELIN) and version == "5.1.0"


def test_ape_test_passes_on_anvil(compiled, env):
    out = ape(env, "test", "tests/ape")
    # On Anvil: tests/ape asserts that Ape's provider has an HTTP URL (its `test` provider has none).
    assert "plugins: eth-ape-" in out and passed_only(out) >= 13


def test_ape_run_deploys_the_suite(compiled, env, tmp_path):
    out = ape(env, "run", "deploy", extra={"MEDCHAIN_DEPLOYMENTS": str(tmp_path)})
    manifest = json.loads((tmp_path / "31337.json").read_text())
    assert manifest["chainId"] == 31337 and "ParticipantRegistry" in manifest["contracts"]
    assert f"chain 31337: {len(manifest['contracts'])} deployed, 0 reused" in out
    assert "Starting 'anvil' process" in out


def test_ape_runs_the_participants_scenario_script(compiled, env):
    out = ape(env, "run", "participants")
    assert "Starting 'anvil' process" in out and "== participants: " in out
    assert "was refused: NotGovernanceOrRegulator" in out


def test_the_ape_venv_runs_medchain_on_web3_7(env):
    proc = subprocess.run([str(VENV / "bin" / "python"), "-c", "import web3, ape, medchain; print(web3.__version__)"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip().startswith("7."), proc.stderr
