"""Scripted scenarios: each runs a story end to end against a freshly deployed suite.

This package composes the domains (a claim needs the patient's consent; a research story needs
consents, licences and trials), so it sits above them: the only place, with :mod:`medchain.bench`,
:mod:`medchain.serve` and :mod:`medchain.cli`, that imports several domains. One module per domain.

A scenario is a module with ``TITLE`` and ``run(ctx: ScenarioContext) -> dict``; the dict is its
summary (what a test or a report checks). ``medchain demo`` and ``scripts/<name>.py`` run them.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from medchain.core.accounts import dev_account
from medchain.core.chain import Chain, connect
from medchain.core.deploy import Suite, deploy
from medchain.core.errors import ConfigurationError
from medchain.core.tx import Sender

#: Scenario modules (named by domain) in the order ``medchain demo`` runs them.
SCENARIOS = ["participants", "consent", "drugs", "claims", "research"]
#: Earlier names of scenarios, still accepted.
ALIASES = {"emr": "consent", "cold_chain": "drugs"}

#: The cast: who each development account plays in every scenario.
CAST = {
    "governance": 0, "hospital_a": 1, "hospital_b": 2, "hospital_c": 3, "manufacturer": 4,
    "distributor": 5, "pharmacy": 6, "insurer": 7, "university": 8, "sensor_gateway": 9,
    "regulator": 10, "patient_1": 11, "patient_2": 12, "patient_3": 13, "patient_4": 14,
}


@dataclass
class ScenarioContext:
    """What a scenario gets: the chain, the deployed suite, the cast, a work folder and a logger."""

    chain: Chain
    suite: Suite
    workdir: Path
    log: Callable[[str], None] = print
    #: Whether ``workdir`` outlives the run (``medchain demo --workdir``), so a file there may be named.
    keeps_files: bool = False
    _senders: dict[str, Sender] = field(default_factory=dict)

    def account(self, role: str) -> LocalAccount:
        return dev_account(CAST[role])

    def address(self, role: str) -> str:
        return self.account(role).address

    def sender(self, role: str) -> Sender:
        if role not in self._senders:
            self._senders[role] = Sender(self.chain, self.account(role))
        return self._senders[role]

    def step(self, text: str) -> None:
        self.log(f"  - {text}")


def load(name: str) -> Any:
    """The scenario module ``name``.

    Raises:
        ConfigurationError: unknown scenario.
    """
    name = ALIASES.get(name, name)
    if name not in SCENARIOS:
        raise ConfigurationError(f"unknown scenario {name!r}; scenarios: {', '.join(SCENARIOS)}")
    return importlib.import_module(f"{__name__}.{name}")


def run(names: list[str] | None = None, *, chain: Chain | str = "embedded", log: Callable[[str], None] = print,
        workdir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Deploy a fresh suite and run scenarios on it.

    Args:
        names: Scenarios to run (default: all, in order).
        chain: A connected chain or a spec for :func:`medchain.core.chain.connect`.
        log: Where progress lines go.
        workdir: Folder for off-chain files (IPFS store, key vault); a temporary one by default.

    Returns:
        Each scenario's summary by name.
    """
    modules = [load(n) for n in (names or SCENARIOS)]
    own = isinstance(chain, str)
    c = connect(chain) if isinstance(chain, str) else chain
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="medchain-demo-")
        folder = Path(tmp.name)
    else:
        folder = Path(workdir)
    try:
        governance = Sender(c, dev_account(CAST["governance"]))
        report = deploy(c, governance, fresh=True, directory=folder / "deployments")
        ctx = ScenarioContext(c, report.suite, folder, log, keeps_files=workdir is not None)
        ctx._senders["governance"] = governance
        results = {}
        for module in modules:
            log(f"== {module.__name__.rsplit('.', 1)[1]}: {module.TITLE}")
            results[module.__name__.rsplit(".", 1)[1]] = module.run(ctx)
        return results
    finally:
        if own:
            c.close()
        if tmp is not None:
            tmp.cleanup()


def script_main(name: str, argv: list[str] | None = None) -> dict[str, Any]:
    """Entry point of ``scripts/<name>.py``: ``python scripts/<name>.py [--chain SPEC]`` or
    ``brownie run scripts/<name>.py [--network ID]``.

    One code path for every way a scenario script is started: the chain is ``--chain`` (default
    ``embedded``) or, under ``brownie run``, Brownie's active network (:mod:`medchain.core.scripting`).
    """
    from medchain.core.scripting import script_argv, script_chain, script_parser

    args = script_parser(f"scripts/{name}.py", load(name).TITLE).parse_args(script_argv(argv))
    return run([name], chain=script_chain(args.chain))[name]

