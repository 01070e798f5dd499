"""Zero-knowledge proofs for MedChain: the eligibility circuit's build, ceremony, check and prover.

The circuit is ``circuits/eligibility.circom`` (GPL-3.0: it includes circomlib templates; see
``circuits/LICENSE``). It is compiled with circom 2 (the ``circom2`` npm package, circom compiled to
WASM) and proved with snarkjs (Groth16 over bn254), both run by node from the checkout's
``node_modules``; this module only drives them, so it needs a checkout with ``npm ci`` done.

The ceremony (``python -m medchain.core.zk ceremony``) is an **INSECURE development ceremony**:
phase 1 (powers of tau, 2^13) and phase 2 each take a single contribution, a beacon with a fixed,
published value, so anyone can recompute the toxic waste and forge proofs. It exists so the build is
reproducible byte for byte; a production deployment needs a real multi-party ceremony.

Committed outputs (``circuits/build``): the final zkey, the verification key, the witness generator
(wasm) and ``MANIFEST.json`` with the sha256 of each and of the r1cs. ``python -m medchain.core.zk
check`` recompiles the circuit, compares the r1cs and wasm hashes, re-exports the verification key
from the committed zkey, regenerates ``contracts/EligibilityVerifier.sol`` and
``contracts/PoseidonT3.sol`` and fails on any difference; ``check --full`` also reruns the ceremony
and compares the zkey.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medchain.core.errors import ConfigurationError, MedChainError
from medchain.core.project import project_root

log = logging.getLogger(__name__)

CIRCUIT = "circuits/eligibility.circom"
BUILD = "circuits/build"
NAME = "eligibility"
VERIFIER = "contracts/EligibilityVerifier.sol"
POSEIDON = "contracts/PoseidonT3.sol"
MANIFEST = "MANIFEST.json"
#: Public inputs of the circuit, in order.
PUBLIC_INPUTS = ("root", "trialId", "nullifier", "enroller", "criteria")

#: The INSECURE development ceremony: powers of tau 2^13, one beacon contribution per phase.
PTAU_POWER = 13
BEACON = "88ee5aa6f7f9fcbde7c70b25bfbac1ba2e9f75c2c9d66bea7c4d2ee813d51b28"
BEACON_ITERATIONS_EXP = 10
BEACON_NAME = "MedChain INSECURE development beacon"
WARNING = ("INSECURE development ceremony: the single contribution of each phase is a public beacon, "
           "so anyone can forge proofs. Never use these keys in production.")


class ZkError(MedChainError):
    """The zero-knowledge tooling failed (circom, snarkjs, a missing build file)."""


class ProofError(ZkError):
    """A proof could not be made (the witness does not satisfy the circuit) or is malformed."""


class ZkCheckError(ZkError):
    """The committed circuit build differs from what the sources give.

    Attributes:
        problems: One line per difference.
    """

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("zk build check failed:\n  " + "\n  ".join(self.problems))


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _node_modules(root: Path) -> Path:
    nm = root / "node_modules"
    for pkg in ("circom2", "snarkjs", "circomlib"):
        if not (nm / pkg).is_dir():
            raise ConfigurationError(f"{pkg} is not installed: run `npm ci` in {root}")
    if shutil.which("node") is None:
        raise ConfigurationError("node is not on PATH: the zk tooling runs circom and snarkjs through node")
    return nm


def _run(cmd: list[str], *, cwd: Path, what: str, stdin: str | None = None, timeout: float = 1800) -> str:
    log.debug("running %s", " ".join(cmd))
    try:
        done = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ZkError(f"{what} did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise ZkError(f"{what} could not start ({exc})") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise ZkError(f"{what} failed (exit {done.returncode}): " + " | ".join(tail))
    return done.stdout


def snarkjs(*args: str, root: Path | None = None, timeout: float = 1800) -> str:
    """Run the snarkjs CLI from ``node_modules`` with ``args``; return its standard output."""
    root = root or project_root()
    nm = _node_modules(root)
    return _run(["node", str(nm / "snarkjs" / "build" / "cli.cjs"), *args], cwd=root, what=f"snarkjs {args[0]}",
                timeout=timeout)


def compile_circuit(circuit: Path, out_dir: Path, *, root: Path | None = None) -> tuple[Path, Path]:
    """Compile ``circuit`` with circom 2 (``--O2``) into ``out_dir``.

    Args:
        circuit: The ``.circom`` file (its includes resolve against ``node_modules``).
        out_dir: Where the r1cs and the wasm go.
        root: The checkout (default: found from the working directory).

    Returns:
        The r1cs and wasm paths.

    Raises:
        ZkError: circom failed (a syntax error, an unsatisfiable template...).
    """
    root = (root or project_root()).resolve()
    nm = _node_modules(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    circuit = circuit.resolve()
    # circom2 runs under WASI with the working directory and its parents preopened: it is run from
    # the checkout, and a circuit from elsewhere is compiled from a copy inside it (build/tmp, ignored).
    with tempfile.TemporaryDirectory(prefix="copy-", dir=_scratch(root)) as scratch:
        source = circuit
        if not circuit.is_relative_to(root):
            source = Path(scratch) / circuit.name
            shutil.copyfile(circuit, source)
        _run(["node", str(nm / "circom2" / "cli.js"), str(source.relative_to(root)), "--r1cs", "--wasm", "--O2",
              "-l", "node_modules", "-o", str(out_dir)], cwd=root, what=f"circom {circuit.name}", timeout=600)
    stem = circuit.stem
    return out_dir / f"{stem}.r1cs", out_dir / f"{stem}_js" / f"{stem}.wasm"


def _scratch(root: Path) -> Path:
    path = root / BUILD / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def r1cs_info(r1cs: Path, *, root: Path | None = None) -> dict[str, int]:
    """Constraints, wires and public inputs of an r1cs (``snarkjs r1cs info``)."""
    text = snarkjs("r1cs", "info", str(r1cs), root=root, timeout=300)
    info: dict[str, int] = {}
    for key, label in (("constraints", "# of Constraints"), ("wires", "# of Wires"),
                       ("publicInputs", "# of Public Inputs")):
        for line in text.splitlines():
            if label in line:
                info[key] = int(line.rsplit(":", 1)[1].strip())
    return info


def _render_verifier(vk: Mapping[str, Any]) -> str:
    from medchain.core.zk_verifier import render_verifier

    return render_verifier(vk, contract="EligibilityVerifier", circuit=CIRCUIT, banner=f"@custom:security {WARNING}")


def _render_poseidon() -> str:
    from medchain.core.poseidon_sol import render_poseidon_t3

    return render_poseidon_t3()


def _ceremony_into(r1cs: Path, work: Path, root: Path) -> tuple[Path, Path]:
    """Phase 1 and phase 2 with the fixed beacon; returns the final zkey and the verification key."""
    beacon = [BEACON, str(BEACON_ITERATIONS_EXP), f"-n={BEACON_NAME}"]
    p0, p1, pf = work / "pot_0000.ptau", work / "pot_beacon.ptau", work / "pot_final.ptau"
    z0, zf, vk = work / f"{NAME}_0000.zkey", work / f"{NAME}_final.zkey", work / "verification_key.json"
    snarkjs("powersoftau", "new", "bn128", str(PTAU_POWER), str(p0), root=root)
    snarkjs("powersoftau", "beacon", str(p0), str(p1), *beacon, root=root)
    snarkjs("powersoftau", "prepare", "phase2", str(p1), str(pf), root=root)
    snarkjs("groth16", "setup", str(r1cs), str(pf), str(z0), root=root)
    snarkjs("zkey", "beacon", str(z0), str(zf), *beacon, root=root)
    snarkjs("zkey", "export", "verificationkey", str(zf), str(vk), root=root)
    return zf, vk


def ceremony(root: Path | None = None) -> dict[str, Any]:
    """Compile the circuit, run the INSECURE development ceremony and write every build output.

    Writes ``circuits/build`` (zkey, verification key, wasm, manifest), ``contracts/EligibilityVerifier.sol``
    and ``contracts/PoseidonT3.sol``. Deterministic: running it again gives the same bytes.

    Returns:
        The manifest written.

    Raises:
        ZkError: circom or snarkjs failed.
    """
    root = root or project_root()
    build = root / BUILD
    build.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="medchain-zk-") as tmp:
        work = Path(tmp)
        started = time.monotonic()
        r1cs, wasm = compile_circuit(root / CIRCUIT, work, root=root)
        zkey, vk = _ceremony_into(r1cs, work, root)
        info = r1cs_info(r1cs, root=root)
        shutil.copyfile(zkey, build / f"{NAME}_final.zkey")
        shutil.copyfile(vk, build / "verification_key.json")
        shutil.copyfile(wasm, build / f"{NAME}.wasm")
        manifest = {
            "circuit": CIRCUIT,
            "warning": WARNING,
            "ceremony": {"curve": "bn128", "protocol": "groth16", "ptauPower": PTAU_POWER, "beacon": BEACON,
                         "beaconIterationsExp": BEACON_ITERATIONS_EXP, "beaconName": BEACON_NAME,
                         "phase1": "powersoftau new + beacon", "phase2": "groth16 setup + zkey beacon"},
            "r1cs": {**info, "sha256": sha256_file(r1cs)},
            "publicInputs": list(PUBLIC_INPUTS),
            "files": {f"{NAME}_final.zkey": sha256_file(build / f"{NAME}_final.zkey"),
                      "verification_key.json": sha256_file(build / "verification_key.json"),
                      f"{NAME}.wasm": sha256_file(build / f"{NAME}.wasm")},
        }
        log.info("ceremony done in %.0f s", time.monotonic() - started)
    (build / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    write_generated(root)
    return manifest


def write_generated(root: Path | None = None) -> None:
    """Regenerate ``contracts/EligibilityVerifier.sol`` and ``contracts/PoseidonT3.sol`` from the committed key."""
    root = root or project_root()
    vk = json.loads((root / BUILD / "verification_key.json").read_text())
    (root / VERIFIER).write_text(_render_verifier(vk))
    (root / POSEIDON).write_text(_render_poseidon())


def check(root: Path | None = None, *, circuit: Path | None = None, full: bool = False) -> list[str]:
    """Compare the committed build with what the sources give.

    Args:
        root: The checkout.
        circuit: The circuit to compile (default: the committed ``circuits/eligibility.circom``).
        full: Also rerun the ceremony and compare the zkey (minutes).

    Returns:
        The differences, one line each (empty: the build is reproducible from its sources).

    Raises:
        ZkError: a build file is missing, or circom or snarkjs failed.
    """
    root = root or project_root()
    build = root / BUILD
    try:
        manifest = json.loads((build / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ZkError(f"no readable {BUILD}/{MANIFEST} ({exc.__class__.__name__}): "
                      "run `python -m medchain.core.zk ceremony`") from None
    problems: list[str] = []
    for name, digest in manifest["files"].items():
        path = build / name
        if not path.is_file():
            problems.append(f"{BUILD}/{name} is missing")
        elif sha256_file(path) != digest:
            problems.append(f"{BUILD}/{name}: sha256 differs from the manifest")
    with tempfile.TemporaryDirectory(prefix="medchain-zkcheck-") as tmp:
        work = Path(tmp)
        r1cs, wasm = compile_circuit(circuit or root / CIRCUIT, work / "c", root=root)
        if sha256_file(r1cs) != manifest["r1cs"]["sha256"]:
            problems.append("the circuit compiles to another r1cs than the one of the ceremony (the circuit changed)")
        if sha256_file(wasm) != manifest["files"][f"{NAME}.wasm"]:
            problems.append("the circuit compiles to another witness generator (wasm) than the committed one")
        vk_path = work / "vk.json"
        snarkjs("zkey", "export", "verificationkey", str(build / f"{NAME}_final.zkey"), str(vk_path), root=root,
                timeout=300)
        vk = json.loads(vk_path.read_text())
        committed_vk = json.loads((build / "verification_key.json").read_text())
        if vk != committed_vk:
            problems.append(f"{BUILD}/verification_key.json is not the key of the committed zkey")
        for rel, text in ((VERIFIER, _render_verifier(vk)), (POSEIDON, _render_poseidon())):
            path = root / rel
            if not path.is_file() or path.read_text() != text:
                problems.append(f"{rel} differs from what the generator gives (python -m medchain.core.zk generate)")
        if full:
            zkey, _ = _ceremony_into(r1cs, work, root)
            if sha256_file(zkey) != manifest["files"][f"{NAME}_final.zkey"]:
                problems.append("rerunning the ceremony gives another zkey")
    return problems


# ----------------------------------------------------------------------------- proving


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof with its public signals.

    Attributes:
        a: A, G1 (x, y).
        b: B, G2 in snarkjs order ((x_re, x_im), (y_re, y_im)).
        c: C, G1 (x, y).
        public_signals: The public inputs, in the circuit's order.
        seconds: How long snarkjs took (witness and proof).
    """

    a: tuple[int, int]
    b: tuple[tuple[int, int], tuple[int, int]]
    c: tuple[int, int]
    public_signals: tuple[int, ...]
    seconds: float = field(default=0.0, compare=False)

    def snarkjs_json(self) -> dict[str, Any]:
        """The proof in snarkjs' JSON form."""
        return {"pi_a": [str(self.a[0]), str(self.a[1]), "1"],
                "pi_b": [[str(self.b[0][0]), str(self.b[0][1])], [str(self.b[1][0]), str(self.b[1][1])], ["1", "0"]],
                "pi_c": [str(self.c[0]), str(self.c[1]), "1"], "protocol": "groth16", "curve": "bn128"}

    def calldata(self) -> tuple[list[int], list[list[int]], list[int]]:
        """(a, b, c) for the Solidity verifier: B's coordinates in EIP-197 order (imaginary part first)."""
        return ([self.a[0], self.a[1]], [[self.b[0][1], self.b[0][0]], [self.b[1][1], self.b[1][0]]],
                [self.c[0], self.c[1]])

    def packed(self) -> list[int]:
        """The eight words (a, b, c) in the verifier's calldata order: uint256[8]."""
        a, b, c = self.calldata()
        return [*a, *b[0], *b[1], *c]

    @classmethod
    def from_snarkjs(cls, proof: Mapping[str, Any], public_signals: Sequence[Any], seconds: float = 0.0) -> Proof:
        """Parse snarkjs' proof JSON and public signals.

        Raises:
            ProofError: the JSON is not a Groth16 proof.
        """
        try:
            pa, pb, pc = proof["pi_a"], proof["pi_b"], proof["pi_c"]
            return cls((int(pa[0]), int(pa[1])), ((int(pb[0][0]), int(pb[0][1])), (int(pb[1][0]), int(pb[1][1]))),
                       (int(pc[0]), int(pc[1])), tuple(int(s) for s in public_signals), seconds)
        except (KeyError, IndexError, TypeError, ValueError):
            raise ProofError("not a snarkjs Groth16 proof") from None


def _bridge(request: Mapping[str, Any], root: Path) -> dict[str, Any]:
    _node_modules(root)
    out = _run(["node", str(root / "tools" / "zk" / "prove.js")], cwd=root, what=f"snarkjs {request['op']}",
               stdin=json.dumps(request), timeout=600)
    return json.loads(out)


def prove(inputs: Mapping[str, Any], *, root: Path | None = None) -> Proof:
    """A Groth16 proof of the eligibility circuit for ``inputs`` (witness and proof by snarkjs).

    Args:
        inputs: Every circuit input by signal name (ints or lists of ints).
        root: The checkout holding ``circuits/build``.

    Returns:
        The proof and its public signals.

    Raises:
        ProofError: the inputs do not satisfy the circuit.
        ZkError: the build files are missing or snarkjs failed otherwise.
    """
    root = root or project_root()
    build = root / BUILD
    wasm, zkey = build / f"{NAME}.wasm", build / f"{NAME}_final.zkey"
    if not wasm.is_file() or not zkey.is_file():
        raise ZkError(f"{BUILD} has no {wasm.name} and {zkey.name}: run `python -m medchain.core.zk ceremony`")

    def encode(v: Any) -> Any:
        return [encode(x) for x in v] if isinstance(v, (list, tuple)) else str(int(v))

    request = {"op": "prove", "wasm": str(wasm), "zkey": str(zkey), "input": {k: encode(v) for k, v in inputs.items()}}
    try:
        out = _bridge(request, root)
    except ZkError as exc:
        if "Assert Failed" in str(exc) or "Error in template" in str(exc):
            raise ProofError(f"the inputs do not satisfy the circuit: {exc}") from None
        raise
    proof = Proof.from_snarkjs(out["proof"], out["publicSignals"], float(out.get("seconds", 0.0)))
    log.info("eligibility proof made in %.2f s", proof.seconds)
    return proof


def verify(proof: Proof, *, root: Path | None = None) -> bool:
    """Verify ``proof`` off chain against the committed verification key (snarkjs).

    Returns:
        Whether the proof is valid for its public signals.
    """
    root = root or project_root()
    request = {"op": "verify", "vkey": str(root / BUILD / "verification_key.json"), "proof": proof.snarkjs_json(),
               "publicSignals": [str(s) for s in proof.public_signals]}
    return bool(_bridge(request, root)["ok"])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m medchain.core.zk {check,ceremony,generate}``."""
    parser = argparse.ArgumentParser(prog="python -m medchain.core.zk", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="fail if the committed build differs from what its sources give")
    c.add_argument("--circuit", type=Path, help="compile this circuit instead of the committed one")
    c.add_argument("--full", action="store_true", help="also rerun the ceremony and compare the zkey (minutes)")
    sub.add_parser("ceremony", help="compile, run the INSECURE development ceremony, write every output")
    sub.add_parser("generate", help="regenerate the verifier and PoseidonT3 from the committed key")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if args.cmd == "check":
            problems = check(circuit=args.circuit, full=args.full)
            if problems:
                raise ZkCheckError(problems)
            log.info("zk build: reproducible from its sources")
        elif args.cmd == "ceremony":
            manifest = ceremony()
            log.info("%s constraints; %s", manifest["r1cs"].get("constraints"), WARNING)
        else:
            write_generated()
    except MedChainError as exc:
        log.error("%s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
