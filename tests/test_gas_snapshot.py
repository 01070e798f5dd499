"""The committed gas snapshot equals what every named operation costs now (embedded chain).

A difference means a contract change moved gas: run `make bench` and commit gas-snapshot.json, so
the change shows in review.
"""

from __future__ import annotations

from medchain.bench import measure_gas, operations, read_snapshot

from .conftest import ROOT


def test_gas_snapshot_is_current():
    committed = read_snapshot(ROOT / "gas-snapshot.json")
    live = measure_gas()
    changed = {k: (committed.get(k), live.get(k)) for k in committed.keys() | live.keys() if committed.get(k) != live.get(k)}
    assert changed == {}, f"gas changed (committed, live): {changed}; run `make bench` and commit gas-snapshot.json"


def test_every_operation_is_named_in_the_snapshot():
    assert set(operations()) <= set(read_snapshot(ROOT / "gas-snapshot.json"))
