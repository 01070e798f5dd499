"""Every scenario of ``medchain.scenarios.SCENARIOS`` runs end to end, alone on a freshly deployed
suite (as ``scripts/<name>.py`` runs it), on the embedded chain, on Anvil and on Ganache started
on the shanghai hardfork. New scenarios are covered as soon as they are registered."""

from __future__ import annotations

import pytest

from medchain.core.chain import LocalNode, connect
from medchain.scenarios import SCENARIOS, load, run

from ..conftest import require_node_tool

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


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_scenario_runs_end_to_end(fresh, name, tmp_path):
    lines: list[str] = []
    start = fresh.w3.eth.block_number
    summary = run([name], chain=fresh, log=lines.append, workdir=tmp_path)[name]
    assert isinstance(summary, dict) and summary, f"scenario {name} returned no summary"
    assert lines[0] == f"== {name}: {load(name).TITLE}" and len(lines) > 1  # it told the user what it did
    assert fresh.w3.eth.block_number > start  # it transacted on this chain


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
