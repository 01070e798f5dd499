"""Benchmarks: named gas measurements (the committed ``gas-snapshot.json``) and throughput.

Each contract family has a module here with ``OPERATIONS``: a dict of name → function that takes a
:class:`~medchain.scenarios.ScenarioContext` (fresh suite, cast registered), does any set-up, and
returns the receipt of the one transaction to measure. Every operation runs from the same state
snapshot, so the numbers are independent of order and deterministic on the embedded chain.
"""

from __future__ import annotations

import importlib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

FAMILIES = ["participants", "drugs", "consent", "records", "claims", "research"]
SNAPSHOT_FILE = "gas-snapshot.json"
#: EIP-170: the largest deployed bytecode a chain accepts (since Spurious Dragon).
MAX_CODE_SIZE = 24_576


def operations() -> dict[str, Callable[[Any], Any]]:
    """Every named gas operation of every family."""
    ops: dict[str, Callable[[Any], Any]] = {}
    for family in FAMILIES:
        ops.update(importlib.import_module(f"{__name__}.{family}").OPERATIONS)
    return ops


def measure_gas(names: list[str] | None = None, chain_spec: str = "embedded") -> dict[str, int]:
    """Gas used by each named operation on a fresh deployment (embedded chain by default)."""
    from medchain.core.accounts import dev_account
    from medchain.core.chain import connect
    from medchain.core.deploy import deploy
    from medchain.core.tx import Sender
    from medchain.scenarios import CAST, ScenarioContext
    from medchain.scenarios.participants import setup

    ops = operations()
    selected = names or sorted(ops)
    with connect(chain_spec) as chain, tempfile.TemporaryDirectory() as tmp:
        gov = Sender(chain, dev_account(CAST["governance"]))
        report = deploy(chain, gov, fresh=True, directory=Path(tmp))
        ctx = ScenarioContext(chain, report.suite, Path(tmp), log=lambda _: None)
        ctx._senders["governance"] = gov
        results = {f"deploy.{name}": r.gas_used for name, r in report.receipts.items()}
        results.update(bytecode_sizes(report.receipts))
        setup(ctx)
        for name in selected:
            snap = chain.snapshot()
            try:
                results[name] = ops[name](ctx).gas_used
            finally:
                chain.revert(snap)
    return dict(sorted(results.items()))


def bytecode_sizes(names: Any) -> dict[str, int]:
    """``size.<Contract>``: the deployed bytecode length in bytes of each named contract's artifact.

    These rows track how close each contract is to the EIP-170 limit (:data:`MAX_CODE_SIZE`).
    """
    from medchain.core.contracts import load_artifact

    return {f"size.{name}": len(bytes.fromhex(load_artifact(name)["deployedBytecode"].removeprefix("0x")))
            for name in names}


def read_snapshot(path: Path | str = SNAPSHOT_FILE) -> dict[str, int]:
    return json.loads(Path(path).read_text())


def write_snapshot(gas: dict[str, int], path: Path | str = SNAPSHOT_FILE) -> None:
    Path(path).write_text(json.dumps(dict(sorted(gas.items())), indent=2) + "\n")
