"""Shared machinery of the stateful property tests (``test_property_*.py``).

Each module deploys the suite once on its own embedded chain (:func:`embedded_world`) and runs a
Hypothesis rule-based state machine against it: every example starts from a snapshot taken when
the machine is built and is reverted in its teardown, so an example costs its transactions only.

Settings come from two Hypothesis profiles: ``stateful-ci`` (``make test`` and CI: a fixed set of
200 examples per machine, derandomized, so every run replays the same examples, reproducible;
each rule's success and each refusal is a Hypothesis event, see :func:`outcome`) and
``stateful-fuzz`` (``HYPOTHESIS_PROFILE=fuzz``, as
``make fuzz`` sets: 2000 new random examples per machine, five times longer, nightly and before
each release: the Makefile's schedule).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from medchain.core.accounts import dev_account
from medchain.core.chain import connect
from medchain.core.deploy import deploy
from medchain.core.errors import ContractRevert, MedChainError
from medchain.core.tx import Receipt, Sender
from medchain.scenarios import CAST, ScenarioContext
from medchain.scenarios.participants import setup
from tests.helpers import use_one_run_gas_estimate

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
AHEAD = 7 * 86400
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
# 200 until event counts show that fewer examples reach the same outcomes (MEDCHAIN_STATEFUL_EXAMPLES=50
# runs fewer); the statistics need a counter of reached(): Hypothesis shows none for a state
# machine run through run_state_machine_as_test.
CI_EXAMPLES = int(os.environ.get("MEDCHAIN_STATEFUL_EXAMPLES", "200"))
settings.register_profile(
    "stateful-ci",
    max_examples=CI_EXAMPLES,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_SLOW,
)
settings.register_profile("stateful-fuzz", max_examples=2000, stateful_step_count=40, deadline=None, suppress_health_check=_SLOW)


def machine_settings(steps: int | None = None) -> settings:
    """The settings of a state machine under the selected profile (``ci`` unless ``fuzz``);
    ``steps`` overrides the profile's steps per example (CI), times five under ``fuzz``."""
    profile = settings.get_profile({"ci": "stateful-ci", "fuzz": "stateful-fuzz"}[PROFILE])
    if steps is None:
        return profile
    return settings(profile, stateful_step_count=steps * (5 if PROFILE == "fuzz" else 1))


def embedded_world() -> Iterator[ScenarioContext]:
    """A fresh embedded chain with the suite deployed and the scenario cast registered (a module
    fixture's body: ``yield from embedded_world()``)."""
    chain = connect("embedded")
    use_one_run_gas_estimate(chain)
    tmp = Path(tempfile.mkdtemp(prefix="medchain-property-"))
    try:
        gov = Sender(chain, dev_account(CAST["governance"]))
        report = deploy(chain, gov, fresh=True, directory=tmp / "deployments")
        ctx = ScenarioContext(chain, report.suite, tmp, log=lambda _: None)
        ctx._senders["governance"] = gov
        setup(ctx)
        # py-evm estimates gas in a block at max(latest + 1 s, wall clock) but mines at the time
        # set for the next block: the chain runs a week ahead of the wall clock so that every
        # estimate sees the second the transaction is mined at, whatever an example's length.
        chain.mine(max(chain.now(), int(time.time())) + AHEAD)
        yield ctx
    finally:
        chain.close()
        shutil.rmtree(tmp, ignore_errors=True)


class ChainMachine(RuleBasedStateMachine):
    """A state machine on :attr:`ctx`'s chain: each example starts from the state the machine
    was built on and is reverted at its end."""

    ctx: ScenarioContext

    def __init__(self) -> None:
        super().__init__()
        self.chain = self.ctx.chain
        self._snapshot = self.chain.snapshot()

    def teardown(self) -> None:
        self.chain.revert(self._snapshot)

    def tick(self, seconds: int = 1) -> int:
        """Make the next transaction's block ``seconds`` after the latest one; returns its time."""
        return self.at(self.chain.now() + seconds)

    def at(self, when: int) -> int:
        """Make the next transaction be estimated and mined at ``when`` (later than the latest
        block): py-evm estimates in a block one second after the latest, so an empty block is
        mined at ``when - 1`` first when needed."""
        if when - 1 > self.chain.now():
            self.chain.mine(when - 1)
        self.chain.set_next_block_timestamp(when)
        return when


def run(machine: type[ChainMachine], ctx: ScenarioContext, steps: int | None = None) -> None:
    """Run ``machine`` against ``ctx`` under the selected profile (see :func:`machine_settings`)."""
    machine.ctx = ctx
    run_state_machine_as_test(machine, settings=machine_settings(steps))


def reached(what: str) -> None:
    """A Hypothesis ``event`` (counted by ``--hypothesis-show-statistics``); nothing outside a
    Hypothesis run (a machine's rules called directly by a regression test)."""
    if currently_in_test_context():
        event(what)


def outcome(expected: str | type[Exception] | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; ``expected`` is ``None`` (it succeeds: its result is returned), the name of the
    custom error it reverts with, or the MedChainError class (not a revert) it raises. Each call is
    a Hypothesis ``event`` (``--hypothesis-show-statistics`` counts how often each outcome is reached)."""
    name = getattr(expected, "__name__", expected) or "ok"
    reached(f"{getattr(fn, '__name__', 'call')}: {name}")
    if expected is None:
        return fn(*args, **kwargs)
    if isinstance(expected, str):
        with pytest.raises(ContractRevert) as info:
            fn(*args, **kwargs)
        assert info.value.name == expected, f"expected {expected}, got {info.value}"
        return info.value.args_by_name
    with pytest.raises(expected) as err:
        fn(*args, **kwargs)
    assert not isinstance(err.value, ContractRevert), f"expected {expected.__name__}, got {err.value}"
    return err.value


def block_time(ctx: ScenarioContext, receipt: Receipt) -> int:
    return int(ctx.chain.w3.eth.get_block(receipt.block_number)["timestamp"])


__all__ = ["ChainMachine", "MedChainError", "block_time", "embedded_world", "machine_settings", "outcome", "reached", "run"]
