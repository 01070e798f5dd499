"""Smoke test on Ganache: deploy, register, a decoded revert, snapshot and revert."""

from __future__ import annotations

import pytest

from medchain.core.chain import connect
from medchain.scenarios import run
from tests.conftest import require_node_tool


@pytest.mark.ganache
def test_the_participants_scenario_runs_on_ganache():
    require_node_tool("ganache")
    with connect("ganache") as chain:
        assert chain.chain_id == 1337
        snap = chain.snapshot()
        result = run(["participants"], chain=chain, log=lambda _: None)["participants"]
        assert result["refused"] == "NotGovernanceOrRegulator" and result["suspended"] is True
        chain.revert(snap)
        assert chain.w3.eth.get_code("0x5FbDB2315678afecb367f032d93F642f64180aa3") == b""  # the suite is gone
