"""What the wheel ships: its package data, matched as setuptools matches it, holds every production
artifact and no test double (``contracts/test/``), as OpenZeppelin's package leaves out its mocks."""

from __future__ import annotations

import json
import sys

import pytest

from medchain.core.contracts import artifact_names, load_artifact
from medchain.core.project import PACKAGE_DIR
from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")


def shipped() -> set[str]:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["medchain"]
    return {str(p.relative_to(PACKAGE_DIR)) for pattern in patterns for p in PACKAGE_DIR.glob(pattern)}


def test_the_wheel_leaves_out_the_test_doubles():
    files = shipped()
    doubles = [p for p in files if p.startswith("artifacts/")
               and json.loads((PACKAGE_DIR / p).read_text())["sourceName"].startswith("contracts/test/")]
    assert doubles == []
    assert {"artifacts/test/HookToken.json", "artifacts/test/FalseToken.json", "artifacts/test/FeeToken.json"}.isdisjoint(files)


def test_the_wheel_ships_every_production_artifact_and_the_type_marker():
    files = shipped()
    assert {f"artifacts/{n}.json" for n in artifact_names()} <= files
    assert "py.typed" in files and "solc_shim/solc-shim.js" in files


def test_a_checkout_still_loads_the_test_doubles():
    assert load_artifact("ReentrantProvider")["sourceName"] == "contracts/test/ReentrantProvider.sol"
