"""Shared fixtures: the behaviour tests on a real Anvil, and a shared suite on the embedded chain too.

``world`` is the one fixture most tests need: a deployed suite with the scenario cast registered,
restored to the same snapshot before every test.

Which backends a test using ``chain`` (or ``world``) runs on:

* by default, the domain backend alone: Anvil (``DOMAIN_BACKENDS``; the embedded chain when
  node_modules has no Anvil), since the contracts' behaviour does not depend on the node;
* ``@pytest.mark.both_backends`` (a test, a class or a module's ``pytestmark``): the embedded
  chain and Anvil, for what a node may plausibly do differently: transactions and nonces,
  snapshots, revert decoding, chain id, signatures and EIP-712, time travel;
* ``MEDCHAIN_TEST_BACKENDS=embedded,anvil`` runs every test on the backends listed (the full
  cross-backend run of ``make test-all-backends``, e.g. nightly).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from medchain.core.accounts import dev_account
from medchain.core.chain import connect
from medchain.core.deploy import deploy
from medchain.core.tx import Sender
from medchain.scenarios import CAST, ScenarioContext
from medchain.scenarios.participants import setup

from .helpers import use_one_run_gas_estimate

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def node_tool(name: str) -> Path:
    return ROOT / "node_modules" / ".bin" / name


def require_node_tool(name: str) -> None:
    if not node_tool(name).exists():
        pytest.skip(f"{name} is not installed (run `npm ci`, which `make test` does)")


BOTH_BACKENDS = ("embedded", "anvil")


def _domain_backends() -> tuple[str, ...]:
    listed = os.environ.get("MEDCHAIN_TEST_BACKENDS")
    if listed:
        return tuple(b.strip() for b in listed.split(",") if b.strip())
    return ("anvil",) if node_tool("anvil").exists() else ("embedded",)


DOMAIN_BACKENDS = _domain_backends()


def pytest_generate_tests(metafunc):
    """Parametrize ``chain`` (session-scoped, so one chain per backend per worker) by the test's backends."""
    if "chain" not in metafunc.fixturenames:
        return
    backends = DOMAIN_BACKENDS
    if metafunc.definition.get_closest_marker("both_backends") and not os.environ.get("MEDCHAIN_TEST_BACKENDS"):
        backends = BOTH_BACKENDS
    params = [pytest.param(b, marks=pytest.mark.anvil) if b == "anvil" else b for b in backends]
    metafunc.parametrize("chain", params, indirect=True, scope="session")


@pytest.fixture(scope="session")
def chain(request):
    """A chain per backend, for the whole session. The embedded chain estimates gas in one run of
    the transaction (:func:`tests.helpers.one_run_gas_estimate`), not py-evm's binary search."""
    if request.param != "embedded":
        require_node_tool(request.param)
    c = connect(request.param)
    use_one_run_gas_estimate(c)
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
    if _deployed.chain.kind == "embedded":
        # py-evm mines each block at max(parent + 1 s, the wall clock): a block now brings the chain's
        # clock to the wall clock, so a test that reads `now()` and then transacts is not overtaken by
        # the minutes the session has run since the snapshot (Anvil's revert resets its clock itself).
        _deployed.chain.mine()
    yield _deployed
    _deployed.chain.revert(snap)


@pytest.fixture
def sender(world):
    """``sender("hospital_a")`` or ``sender(16)``: a Sender for a cast role or a development account index."""

    def make(who):
        return world.sender(who) if isinstance(who, str) else Sender(world.chain, dev_account(who))

    return make
