"""Solidity compilation: one pinned compiler, reproducible artifacts committed into the package.

The compiler is py-solc-x over a native ``solc`` of the pinned version when one is installed,
otherwise solc-js from the checkout's ``node_modules`` through the shim the package ships
(``solc_shim/solc-shim.js``), which answers like a native solc. Every source (the project's and
OpenZeppelin's) is passed to the compiler by content, so both give byte-identical output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import solcx
import solcx.install as solcx_install
from solcx.exceptions import SolcError

from medchain.core.errors import CompilationError, ConfigurationError
from medchain.core.project import ARTIFACTS_DIR, PACKAGE_DIR, project_root

SOLC_VERSION = "0.8.28"
EVM_VERSION = "shanghai"
OPTIMIZER_RUNS = 200
SOURCE_DIRS = ("contracts", "interfaces")
REMAPPINGS = {"@openzeppelin/": "node_modules/@openzeppelin/"}
SHIM = PACKAGE_DIR / "solc_shim" / "solc-shim.js"

_IMPORT = re.compile(r'^\s*import\s+(?:[^"\']*?\bfrom\s+)?["\']([^"\']+)["\']', re.MULTILINE)
_OUTPUTS = [
    "abi",
    "metadata",
    "storageLayout",
    "devdoc",
    "userdoc",
    "evm.bytecode.object",
    "evm.deployedBytecode.object",
    "evm.deployedBytecode.immutableReferences",
    "evm.methodIdentifiers",
]


def _version_of(binary: str | Path) -> str | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"Version:\s*(\d+\.\d+\.\d+)", out)
    return match.group(1) if match else None


def find_solc() -> tuple[Path, str]:
    """Choose the compiler binary.

    Order: ``MEDCHAIN_SOLC``; a native ``solc`` on PATH or installed by py-solc-x whose version is
    the pinned one; the solc-js shim (needs ``node`` and ``npm ci``).

    Returns:
        The binary's path and a description (``native`` or ``solc-js shim``).

    Raises:
        ConfigurationError: no usable compiler of the pinned version.
    """
    env = os.environ.get("MEDCHAIN_SOLC")
    if env:
        if _version_of(env) != SOLC_VERSION:
            raise ConfigurationError(f"MEDCHAIN_SOLC={env} is not solc {SOLC_VERSION}")
        return Path(env), "MEDCHAIN_SOLC"
    on_path = shutil.which("solc")
    if on_path and _version_of(on_path) == SOLC_VERSION:
        return Path(on_path), "native"
    try:
        installed = solcx_install.get_executable(SOLC_VERSION)
        if _is_native(installed):
            return Path(installed), "native (py-solc-x)"
    except Exception:  # noqa: BLE001 - py-solc-x raises several types for "not installed"
        pass
    if shutil.which("node") is None:
        raise ConfigurationError(f"no solc {SOLC_VERSION} and no node for solc-js: install one of them")
    if not (project_root() / "node_modules" / "solc").is_dir():
        raise ConfigurationError("solc-js is not installed: run `npm ci` in the project")
    return SHIM, "solc-js shim"


def _is_native(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def _resolve(unit: str, importer: str) -> str:
    if unit.startswith("."):
        return os.path.normpath(os.path.join(os.path.dirname(importer), unit)).replace(os.sep, "/")
    return unit


def _read_unit(root: Path, unit: str) -> str:
    rel = unit
    for prefix, target in REMAPPINGS.items():
        if unit.startswith(prefix):
            rel = target + unit[len(prefix):]
    path = root / rel
    if not path.is_file():
        raise CompilationError(f"import not found: {unit} (looked at {path}; run `npm ci`?)")
    return path.read_text()


def collect_sources(root: Path | None = None) -> dict[str, str]:
    """All project sources and, transitively, everything they import, by source unit name."""
    root = root or project_root()
    pending = sorted(  # hidden folders (Ape's contracts/.cache) hold tools' copies, not project sources
        str(p.relative_to(root)) for d in SOURCE_DIRS if (root / d).is_dir() for p in (root / d).rglob("*.sol")
        if not any(part.startswith(".") for part in p.relative_to(root / d).parts)
    )
    sources: dict[str, str] = {}
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        sources[unit] = _read_unit(root, unit)
        pending.extend(_resolve(i, unit) for i in _IMPORT.findall(sources[unit]))
    return dict(sorted(sources.items()))


def standard_input(sources: dict[str, str]) -> dict[str, Any]:
    """The solc standard-JSON input for ``sources`` with the pinned settings."""
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "evmVersion": EVM_VERSION,
            "metadata": {"bytecodeHash": "ipfs"},
            "outputSelection": {"*": {"*": _OUTPUTS}},
        },
    }


def compile_sources(sources: dict[str, str], binary: Path | None = None) -> dict[str, Any]:
    """Compile ``sources`` and return solc's standard-JSON output.

    Raises:
        CompilationError: the compiler reported errors (each ``file:line:col: message``).
    """
    binary = binary or find_solc()[0]
    try:
        return solcx.compile_standard(standard_input(sources), solc_binary=binary)
    except SolcError as exc:
        errors = getattr(exc, "error_dict", None) or []
        lines = [_format_error(e) for e in errors if e.get("severity") == "error"]
        lines = lines or [str(exc)]
        raise CompilationError(f"Solidity compilation failed ({len(lines)} error(s)): " + "\n".join(lines)) from None


def _format_error(err: dict[str, Any]) -> str:
    loc = err.get("sourceLocation") or {}
    where = loc.get("file", "?")
    if "start" in loc and loc.get("file") in _last_sources:
        line = _last_sources[loc["file"]][: loc["start"]].count("\n") + 1
        where = f"{where}:{line}"
    return f"{where}: {err.get('type', 'Error')}: {err.get('message', '').strip()}"


_last_sources: dict[str, str] = {}


def build_artifacts(root: Path | None = None, binary: Path | None = None) -> dict[str, dict[str, Any]]:
    """Compile every contract under ``contracts/`` and return its artifact by contract name.

    Each artifact holds the ABI, bytecode, deployed bytecode, immutable references, metadata,
    method identifiers, storage layout, NatSpec, the compiler settings and the keccak256 of every
    source it was built from.
    """
    root = root or project_root()
    sources = collect_sources(root)
    _last_sources.clear()
    _last_sources.update(sources)
    output = compile_sources(sources, binary)
    artifacts: dict[str, dict[str, Any]] = {}
    for unit, contracts in output["contracts"].items():
        if not unit.startswith("contracts/"):
            continue
        for name, c in contracts.items():
            if not c["evm"]["bytecode"]["object"]:
                continue  # abstract contracts and libraries without code
            metadata = json.loads(c["metadata"])
            artifacts[name] = {
                "contractName": name,
                "sourceName": unit,
                "compiler": {"version": metadata["compiler"]["version"], "evmVersion": EVM_VERSION,
                             "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS}},
                "abi": c["abi"],
                "bytecode": "0x" + c["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + c["evm"]["deployedBytecode"]["object"],
                "immutableReferences": c["evm"]["deployedBytecode"].get("immutableReferences", {}),
                "methodIdentifiers": c["evm"]["methodIdentifiers"],
                "storageLayout": _stable_layout(c["storageLayout"]),
                "devdoc": c["devdoc"],
                "userdoc": c["userdoc"],
                "metadata": c["metadata"],
                "sourceHashes": {k: v["keccak256"] for k, v in sorted(metadata["sources"].items())},
            }
    return dict(sorted(artifacts.items()))


_AST_ID = re.compile(r"(t_\w+\([^()]*\))\d+")


def _stable_layout(layout: dict[str, Any]) -> dict[str, Any]:
    """The storage layout without AST ids, which change whenever any other contract of the same
    compilation changes: ``t_struct(Participant)1230_storage`` becomes ``t_struct(Participant)_storage``."""
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "astId"}
        return [strip(v) for v in node] if isinstance(node, list) else node

    return strip(json.loads(_AST_ID.sub(r"\1", json.dumps(layout))))


def dump_artifact(artifact: dict[str, Any]) -> str:
    """The canonical text of an artifact file (stable key order, one trailing newline)."""
    return json.dumps(artifact, indent=1, sort_keys=True) + "\n"


#: Test doubles (``contracts/test/``) get their artifacts in this subfolder, which the wheel leaves
#: out (its package data is ``artifacts/*.json``), as OpenZeppelin's package leaves out its mocks.
TEST_DOUBLES = "test"


def artifact_path(artifact: dict[str, Any], out_dir: Path = ARTIFACTS_DIR) -> Path:
    """Where an artifact is committed: ``<out>/<Name>.json``, a test double's in ``<out>/test/``."""
    folder = out_dir / TEST_DOUBLES if artifact["sourceName"].startswith("contracts/test/") else out_dir
    return folder / f"{artifact['contractName']}.json"


def _committed(out_dir: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for folder in (out_dir, out_dir / TEST_DOUBLES):
        for p in folder.glob("*.json"):
            found.setdefault(p.stem, []).append(p)
    return found


def write_artifacts(artifacts: dict[str, dict[str, Any]], out_dir: Path = ARTIFACTS_DIR) -> list[Path]:
    """Write artifacts as ``<ContractName>.json`` (test doubles under ``test/``), removing those of
    contracts that no longer exist."""
    written = []
    for artifact in artifacts.values():
        path = artifact_path(artifact, out_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = dump_artifact(artifact)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        written.append(path)
    for folder in (out_dir, out_dir / TEST_DOUBLES):
        for path in folder.glob("*.json"):
            if path not in written:
                path.unlink()
    return written


def artifact_diff(artifacts: dict[str, dict[str, Any]], out_dir: Path = ARTIFACTS_DIR) -> list[str]:
    """Names of contracts whose committed artifact differs from ``artifacts`` (or is missing/stale)."""
    committed = _committed(out_dir)
    differ = [n for n, a in artifacts.items()
              if committed.get(n) != [artifact_path(a, out_dir)] or committed[n][0].read_text() != dump_artifact(a)]
    return sorted(differ + sorted(set(committed) - set(artifacts)))


