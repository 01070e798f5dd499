"""Slither over every contract of the project, through the project's own compiler.

Runs inside ``.venv-slither`` (``make slither`` creates it; Slither pins web3 7.16, so it cannot
share the main virtualenv), with ``PYTHONPATH=src`` so the standard-JSON input is built by
``medchain.core.compiler`` exactly as ``medchain compile`` builds it (same sources, same pinned solc
0.8.28 or the solc-js shim, optimizer and EVM version); only the output selection differs, since
Slither needs the ASTs and source maps.

    PYTHONPATH=src .venv-slither/bin/python tools/slither_check.py [--config slither.config.json] [--json OUT]

Every detector runs. A finding is reported unless its detector is excluded in the config (each
exclusion carries its one-line justification) or every source it points at is under an excluded
path (OpenZeppelin, the hostile test doubles). Exit status: 0 when no finding of a failing impact
(High, Medium by default) remains, 1 otherwise, 2 when the run itself failed (bad config,
compilation error).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMPACT_ORDER = ["High", "Medium", "Low", "Informational", "Optimization"]
#: What Slither needs from solc: ASTs, and bytecode with source maps.
OUTPUT_SELECTION = {"*": {"*": ["abi", "metadata", "devdoc", "userdoc", "evm.bytecode", "evm.deployedBytecode",
                                "evm.methodIdentifiers"], "": ["ast"]}}


class CheckError(Exception):
    """The analysis could not run (bad config, compilation failure)."""


def load_config(path: Path) -> dict[str, Any]:
    """Read and check the config: every exclusion must carry a one-line justification."""
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CheckError(f"cannot read {path}: {exc}") from None
    fail_on = config.get("fail_on", ["High", "Medium"])
    if not set(fail_on) <= set(IMPACT_ORDER):
        raise CheckError(f"{path}: fail_on must be a subset of {IMPACT_ORDER}")
    for key in ("exclude_detectors", "exclude_paths", "accept_findings"):
        table = config.get(key, {})
        if not isinstance(table, dict):
            raise CheckError(f"{path}: {key} must map each entry to its justification")
        for name, why in table.items():
            if not isinstance(why, str) or not why.strip() or "\n" in why:
                raise CheckError(f"{path}: {key}.{name} needs a one-line justification")
    return {"fail_on": fail_on, "exclude_detectors": config.get("exclude_detectors", {}),
            "exclude_paths": config.get("exclude_paths", {}), "accept_findings": config.get("accept_findings", {})}


def standard_json(root: Path) -> tuple[dict[str, Any], Path, list[str]]:
    """The compiler input of ``medchain compile`` (with Slither's outputs), the solc binary, and the
    project's contract source units."""
    sys.path.insert(0, str(ROOT / "src"))
    from medchain.core.compiler import collect_sources, find_solc, standard_input

    sources = collect_sources(root)
    data = standard_input(sources)
    data["settings"]["outputSelection"] = OUTPUT_SELECTION
    binary, _ = find_solc()
    return data, binary, sorted(u for u in sources if u.startswith("contracts/"))


def analyse(config: dict[str, Any], root: Path = ROOT) -> tuple[list[dict[str, Any]], list[str]]:
    """Run every Slither detector; return the findings kept after the config, and the units analysed."""
    from crytic_compile import CryticCompile
    from crytic_compile.platform.exceptions import InvalidCompilation
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    data, binary, units = standard_json(root)
    try:
        compiled = CryticCompile(SolcStandardJson(data), solc=str(binary), cwd=str(root), solc_working_dir=str(root))
    except InvalidCompilation as exc:
        raise CheckError(f"compilation failed: {exc}") from None
    slither = Slither(compiled)
    detectors = [d for d in vars(all_detectors).values()
                 if isinstance(d, type) and issubclass(d, AbstractDetector) and d is not AbstractDetector]
    known = {d.ARGUMENT for d in detectors}
    unknown = set(config["exclude_detectors"]) - known
    if unknown:
        raise CheckError(f"excluded detectors that do not exist: {', '.join(sorted(unknown))}")
    for d in detectors:
        if d.ARGUMENT not in config["exclude_detectors"]:
            slither.register_detector(d)
    findings = []
    accepted: set[str] = set()
    for results in slither.run_detectors():
        for r in results:
            files = {_file(e) for e in r.get("elements", []) if _file(e)}
            if files and all(_excluded(f, config["exclude_paths"]) for f in files):
                continue
            key = finding_id(r)
            if key in config["accept_findings"]:
                accepted.add(key)
                continue
            findings.append({"id": key, "check": r["check"], "impact": r["impact"], "confidence": r["confidence"],
                             "description": r["description"].strip(), "files": sorted(files),
                             "lines": _first_location(r)})
    stale = set(config["accept_findings"]) - accepted
    if stale:
        raise CheckError("accepted findings that no longer occur (remove them from the config): " + ", ".join(sorted(stale)))
    findings.sort(key=lambda f: (IMPACT_ORDER.index(f["impact"]), f["check"], f["lines"]))
    return findings, units


def finding_id(result: dict[str, Any]) -> str:
    """A finding's stable name for ``accept_findings``, independent of line numbers:
    ``<detector>:<Contract>.<function signature>`` when it points at a function or a statement in
    one, ``<detector>:<Contract>.<name>`` otherwise."""
    first = (result.get("elements") or [{}])[0]
    fields = first.get("type_specific_fields") or {}
    parent = fields.get("parent") or {}
    if first.get("type") == "node" and parent.get("type") == "function":
        first, fields = parent, parent.get("type_specific_fields") or {}
        parent = fields.get("parent") or {}
    name = fields.get("signature") or first.get("name", "?")
    return f"{result['check']}:{parent['name']}.{name}" if parent.get("name") else f"{result['check']}:{name}"


def _file(element: dict[str, Any]) -> str | None:
    sm = element.get("source_mapping") or {}
    return sm.get("filename_relative") or sm.get("filename_short")


def _excluded(filename: str, prefixes: dict[str, str]) -> bool:
    name = filename.replace("\\", "/")
    return any(name.startswith(p) or f"/{p}" in name for p in prefixes)


def _first_location(result: dict[str, Any]) -> str:
    for e in result.get("elements", []):
        sm = e.get("source_mapping") or {}
        if sm.get("lines"):
            return f"{_file(e)}:{sm['lines'][0]}"
    return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "slither.config.json")
    parser.add_argument("--json", type=Path, help="also write the kept findings here")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project to analyse (default: this checkout)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    try:
        config = load_config(args.config)
        findings, units = analyse(config, args.root.resolve())
    except CheckError as exc:
        print(f"slither: error: {exc}", file=sys.stderr)
        return 2
    failing = [f for f in findings if f["impact"] in config["fail_on"]]
    print(f"slither: {len(units)} contract files analysed ({', '.join(Path(u).stem for u in units)}); "
          f"{len(config['exclude_detectors'])} detectors excluded by {args.config.name}")
    for impact in IMPACT_ORDER:
        of = [f for f in findings if f["impact"] == impact]
        if of:
            print(f"  {impact}: {len(of)}" + ("  <- fails the check" if impact in config["fail_on"] else ""))
    for f in failing:
        first = f["description"].splitlines()[0]
        print(f"\n[{f['impact']}/{f['confidence']}] {f['id']} at {f['lines']}\n  {first}")
        for more in f["description"].splitlines()[1:6]:
            print(f"  {more}")
    if args.json:
        args.json.write_text(json.dumps({"units": units, "findings": findings}, indent=1) + "\n")
    print(f"\nslither: {'FAILED' if failing else 'passed'}: {len(failing)} finding(s) of impact "
          f"{'/'.join(config['fail_on'])}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
