"""Shared fixtures: the same behaviour tests run on the embedded chain and on a real Anvil.

``world`` is the one fixture most tests need: a deployed suite with the scenario cast registered,
restored to the same snapshot before every test.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from medchain.core.accounts import dev_account
from medchain.core.chain import connect
from medchain.core.deploy import deploy
from medchain.scenarios import CAST, ScenarioContext
from medchain.scenarios.participants import setup
from medchain.core.tx import Sender

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def node_tool(name: str) -> Path:
    return ROOT / "node_modules" / ".bin" / name


def require_node_tool(name: str) -> None:
    if not node_tool(name).exists():
        pytest.skip(f"{name} is not installed (run `npm ci`, which `make test` does)")


@pytest.fixture(scope="session", params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain(request):
    """A chain per backend, for the whole session."""
    if request.param != "embedded":
        require_node_tool(request.param)
    c = connect(request.param)
    yield c
    c.close()


def deploy_world(chain) -> ScenarioContext:
    """A fresh suite on ``chain`` with the cast registered (its files in ``ctx.workdir``)."""
    tmp = Path(tempfile.mkdtemp(prefix="medchain-test-"))
    gov = Sender(chain, dev_account(CAST["governance"]))
    report = deploy(chain, gov, fresh=True, directory=tmp / "deployments")
    ctx = ScenarioContext(chain, report.suite, tmp, log=lambda _: None)
    ctx._senders["governance"] = gov
    setup(ctx)
    return ctx


@pytest.fixture(scope="session")
def _deployed(chain):
    ctx = deploy_world(chain)
    yield ctx
    shutil.rmtree(ctx.workdir, ignore_errors=True)


@pytest.fixture
def world(_deployed):
    """The deployed suite with the cast registered; every test starts from the same state."""
    snap = _deployed.chain.snapshot()
    yield _deployed
    _deployed.chain.revert(snap)


@pytest.fixture
def sender(world):
    """``sender("hospital_a")`` or ``sender(16)``: a Sender for a cast role or a development account index."""

    def make(who):
        return world.sender(who) if isinstance(who, str) else Sender(world.chain, dev_account(who))

    return make
