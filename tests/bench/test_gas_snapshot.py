"""The committed gas snapshot equals what every named operation costs now (embedded chain).

A difference means a contract change moved gas: run `make bench` and commit gas-snapshot.json, so
the change shows in review.
"""

from __future__ import annotations

from medchain.bench import MAX_CODE_SIZE, bytecode_sizes, measure_gas, operations, read_snapshot
from medchain.core.contracts import artifact_names
from tests.conftest import ROOT


def test_gas_snapshot_is_current():
    committed = read_snapshot(ROOT / "gas-snapshot.json")
    live = measure_gas()
    changed = {k: (committed.get(k), live.get(k)) for k in committed.keys() | live.keys() if committed.get(k) != live.get(k)}
    assert changed == {}, f"gas changed (committed, live): {changed}; run `make bench` and commit gas-snapshot.json"


def test_every_operation_is_named_in_the_snapshot():
    assert set(operations()) <= set(read_snapshot(ROOT / "gas-snapshot.json"))


def test_every_deployed_contract_has_a_size_row():
    deployed = {k.removeprefix("deploy.") for k in read_snapshot(ROOT / "gas-snapshot.json") if k.startswith("deploy.")}
    sizes = {k.removeprefix("size.") for k in read_snapshot(ROOT / "gas-snapshot.json") if k.startswith("size.")}
    assert deployed and sizes == deployed


def test_every_contract_is_under_the_eip170_code_size_limit():
    sizes = bytecode_sizes(artifact_names())
    assert {k: v for k, v in sizes.items() if v > MAX_CODE_SIZE} == {}
