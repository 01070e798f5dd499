"""Poseidon over bn254: the Python hash and the Solidity PoseidonT3 equal circomlibjs'."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from medchain.core.contracts import load_artifact
from medchain.core.errors import InvalidInputError
from medchain.core.poseidon import FIELD, poseidon, poseidon2
from medchain.core.poseidon_constants import VECTORS
from medchain.core.poseidon_sol import render_poseidon_t3
from medchain.core.tx import call
from tests.conftest import ROOT


@pytest.mark.parametrize(("inputs", "expected"), VECTORS)
def test_committed_circomlibjs_vectors(inputs, expected):
    assert poseidon(list(inputs)) == expected


def test_live_circomlibjs_vectors_and_constants():
    """The generator's output today equals the committed constants (circomlibjs did not move)."""
    if shutil.which("node") is None or not (ROOT / "node_modules" / "circomlibjs").is_dir():
        pytest.skip("circomlibjs is not installed (npm ci)")
    out = subprocess.run(["node", str(ROOT / "tools" / "zk" / "poseidon_constants.js")], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    data = json.loads(out)
    for v in data["vectors"]:
        assert poseidon([int(x) for x in v["inputs"]]) == int(v["out"])
    from medchain.core import poseidon_constants as pc

    for t, p in data["params"].items():
        n_p, c, m = pc.PARAMS[int(t)]
        assert (n_p, list(c), [list(r) for r in m]) == (p["nRoundsP"], p["C"], p["M"])


def test_known_zero_subtree_hash():
    # Poseidon(0, 0), the well-known first empty-subtree root of Poseidon Merkle trees
    assert poseidon2(0, 0) == 14744269619966411208579211824598458697587494354926760081771325075741142829156


@pytest.mark.parametrize("bad", [[], [FIELD], [-1], [1] * 6, [True]])
def test_bad_inputs(bad):
    with pytest.raises(InvalidInputError):
        poseidon(bad)


def test_solidity_source_is_generated():
    assert (ROOT / "contracts" / "PoseidonT3.sol").read_text() == render_poseidon_t3()


@pytest.fixture(scope="module")
def harness(chain):
    from medchain.core.accounts import dev_account
    from medchain.core.tx import Sender

    art = load_artifact("PoseidonHarness")
    receipt = Sender(chain, dev_account(19)).deploy(art["bytecode"], art["abi"])
    return chain.w3.eth.contract(address=receipt.contract_address, abi=art["abi"])


@pytest.mark.parametrize(("a", "b"), [(0, 0), (1, 2), (123456789, 987654321), (FIELD - 1, FIELD - 1), (FIELD - 1, 1)])
def test_solidity_equals_python(harness, a, b):
    assert call(harness.functions.hash(a, b)) == poseidon([a, b])


def test_solidity_gas(harness, chain):
    from medchain.core.accounts import dev_account
    from medchain.core.tx import Sender

    receipt = Sender(chain, dev_account(19)).transact(harness.functions.hash(1, 2))
    print(f"PoseidonT3.hash through the harness: {receipt.gas_used - 21000} gas above the intrinsic 21000")
    assert receipt.gas_used < 21000 + 30_000
