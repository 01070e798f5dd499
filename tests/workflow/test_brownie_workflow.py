"""The Brownie workflow, for real, through the Brownie virtualenv that `make brownie` builds
(eth-brownie 1.22.2, web3 7.16): `brownie compile`, `brownie test` on the development network
(Anvil) and on Ganache, `brownie run` of the deploy script and of every scenario script, and the
same scripts without Brownie under web3 7.16.

Skipped when the virtualenv is absent (plain `pytest`); `make test` builds it first and sets
MEDCHAIN_REQUIRE_BROWNIE=1, which turns that skip into a failure. Brownie starts its nodes on the
fixed ports of its network config (8545, 8546), so the module holds a machine-wide lock while it
runs and refuses to start if another process already listens there (Brownie would attach to it).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest

from medchain.core import compiler
from medchain.core.contracts import load_artifact
from medchain.scenarios import SCENARIOS
from tests.conftest import ROOT, node_tool

VENV = ROOT / ".venv-brownie"
BROWNIE = VENV / "bin" / "brownie"
SOLC = Path.home() / ".solcx" / f"solc-v{compiler.SOLC_VERSION}"
NETWORKS = Path.home() / ".brownie" / "network-config.yaml"
PORTS = {"development": 8545, "ganache-shanghai": 8546}
LOCK = Path("/tmp/medchain-brownie.lock")
TIMEOUT = 600


def _unavailable(reason: str) -> None:
    if os.environ.get("MEDCHAIN_REQUIRE_BROWNIE"):
        pytest.fail(f"{reason} (MEDCHAIN_REQUIRE_BROWNIE is set: `make test` must have built it)")
    pytest.skip(reason)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def env():
    """The environment of a Brownie command: the checkout's node tools first on PATH."""
    if not BROWNIE.exists():
        _unavailable("the Brownie virtualenv .venv-brownie is absent: run `make brownie` (`make test` does)")
    for tool in ("anvil", "ganache", "solcjs"):
        if not node_tool(tool).exists():
            _unavailable(f"{tool} is not installed: run `npm ci` (`make test` does)")
    if not SOLC.exists():
        _unavailable(f"{SOLC} is absent: run `make brownie` (it installs the solc-js wrapper)")
    if not NETWORKS.exists() or "ganache-shanghai" not in NETWORKS.read_text():
        _unavailable("Brownie's ganache-shanghai network is not configured: run `make brownie`")
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one Brownie run at a time on this machine
        busy = [f"{n} ({p})" for n, p in PORTS.items() if _listening(p)]
        if busy:
            pytest.fail(f"port(s) {', '.join(busy)} already in use: Brownie would attach to that node "
                        "instead of starting its own; stop it and run again")
        environ = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        environ["PATH"] = os.pathsep.join([str(ROOT / "node_modules" / ".bin"), str(VENV / "bin"), environ["PATH"]])
        yield environ


def brownie(env, *args: str, extra: dict[str, str] | None = None) -> str:
    """Run ``brownie ARGS`` in the project; return its output, failing the test with it on error."""
    proc = subprocess.run([str(BROWNIE), *args], cwd=ROOT, env={**env, **(extra or {})}, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"brownie {' '.join(args)} exited {proc.returncode}:\n{out[-6000:]}"
    return out


def passed_only(out: str) -> int:
    """The number of tests a pytest run passed; fails unless its closing line reports only passes."""
    closing = re.findall(r"^=+ (.+) in [\d.]+s.* =+$", out, re.MULTILINE)
    assert closing, f"no pytest closing line in:\n{out[-3000:]}"
    match = re.fullmatch(r"(\d+) passed(?:, \d+ warnings?)?", closing[-1])
    assert match, f"brownie test closed with: {closing[-1]}\n{out[-6000:]}"
    return int(match.group(1))


def _without_metadata(code: str) -> str:
    """Bytecode without its trailing CBOR metadata (which hashes the compiler settings' text)."""
    code = code.removeprefix("0x")
    return code[: -(int(code[-4:], 16) + 2) * 2]


def test_brownie_compiles_every_contract_with_the_pinned_compiler(env):
    out = brownie(env, "compile", "--all")
    assert f"Solc version: {compiler.SOLC_VERSION}" in out and "EVM Version: Shanghai" in out
    names = sorted(p.stem for p in (ROOT / "contracts").glob("*.sol"))
    for name in names:
        built = json.loads((ROOT / "build" / "contracts" / f"{name}.json").read_text())
        assert built["compiler"]["version"].startswith(compiler.SOLC_VERSION)
        assert built["compiler"]["evm_version"] == "shanghai" and built["compiler"]["optimizer"] == {"enabled": True, "runs": 200}
        # The same code as the package's artifacts: same compiler, optimizer, evm version, remapping.
        assert _without_metadata(built["deployedBytecode"]) == _without_metadata(load_artifact(name)["deployedBytecode"]), name


def test_brownie_test_passes_on_the_development_network_anvil(env):
    out = brownie(env, "test")
    assert "Launching 'anvil" in out and passed_only(out) >= 16


def test_brownie_test_passes_on_ganache_shanghai(env):
    out = brownie(env, "test", "--network", "ganache-shanghai")
    assert "Launching 'ganache" in out and "--hardfork shanghai" in out
    assert passed_only(out) >= 16


def test_brownie_run_deploys_the_suite(env, tmp_path):
    out = brownie(env, "run", "scripts/deploy.py", extra={"MEDCHAIN_DEPLOYMENTS": str(tmp_path)})
    manifest = json.loads((tmp_path / "31337.json").read_text())
    assert manifest["chainId"] == 31337 and "ParticipantRegistry" in manifest["contracts"]
    assert f"chain 31337: {len(manifest['contracts'])} deployed, 0 reused" in out


@pytest.mark.parametrize("name", SCENARIOS)
def test_brownie_runs_the_scenario_script(env, name):
    out = brownie(env, "run", f"scripts/{name}.py")
    assert "Launching 'anvil" in out and f"== {name}: " in out


def test_brownie_runs_a_scenario_script_on_ganache(env):
    out = brownie(env, "run", "scripts/participants.py", "--network", "ganache-shanghai")
    assert "Launching 'ganache" in out and "== participants: " in out


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_scenario_script_runs_without_brownie_on_web3_7(env, name):
    proc = subprocess.run([str(VENV / "bin" / "python"), f"scripts/{name}.py", "--chain", "anvil"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.startswith(f"== {name}: ")


def test_the_brownie_venv_runs_medchain_on_web3_7(env):
    proc = subprocess.run([str(VENV / "bin" / "python"), "-c", "import web3, brownie, medchain; print(web3.__version__)"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip().startswith("7."), proc.stderr
