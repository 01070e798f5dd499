"""Proving-time benchmark of the eligibility circuit: ``python -m medchain.bench.zk [--runs N]``.

Builds an off-chain attestation tree, proves eligibility ``runs`` times through snarkjs (a node
process per proof, so each time includes node's start-up and loading the 3 MB zkey) and reports the
seconds snarkjs took (witness + Groth16 proof) and the wall-clock seconds of each call. No chain.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

from medchain.core import zk
from medchain.research.eligibility import Attestation, Criteria, MerkleTree, patient_public_id, prove_eligibility

log = logging.getLogger(__name__)


def proving_time(runs: int = 3, leaves: int = 100) -> dict[str, Any]:
    """Prove eligibility ``runs`` times against a tree of ``leaves`` leaves.

    Returns:
        ``{"runs", "leaves", "snarkjs_seconds": [...], "wall_seconds": [...], "median_snarkjs", "median_wall",
        "constraints"}``.
    """
    secret = 424242
    criteria = Criteria(18, 65, 100, (250, 251))
    mine = Attestation(patient_public_id(secret), 50, 80, 250, salt=99, index=leaves - 1)
    tree = MerkleTree([*range(1, leaves), mine.leaf])
    inner, wall = [], []
    for _ in range(runs):
        started = time.perf_counter()
        proof = prove_eligibility(criteria, 1, mine, secret, "0x" + "ab" * 20, tree)
        wall.append(round(time.perf_counter() - started, 3))
        inner.append(proof.proof.seconds)
    manifest = json.loads((zk.project_root() / zk.BUILD / zk.MANIFEST).read_text())
    return {"runs": runs, "leaves": leaves, "snarkjs_seconds": inner, "wall_seconds": wall,
            "median_snarkjs": statistics.median(inner), "median_wall": statistics.median(wall),
            "constraints": manifest["r1cs"].get("constraints")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medchain.bench.zk")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    report = proving_time(args.runs)
    log.info("%s", json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
