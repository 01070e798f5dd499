"""``python -m medchain.bench``: write the gas snapshot and the throughput report."""

from __future__ import annotations

import argparse
import json
import platform
import time
from typing import Any

from medchain.bench import measure_gas, write_snapshot
from medchain.bench.throughput import compare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--snapshot", default="gas-snapshot.json")
    parser.add_argument("--report", default="bench-report.json")
    parser.add_argument("--transactions", type=int, default=400, help="transactions per throughput run")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    gas = measure_gas()
    write_snapshot(gas, args.snapshot)
    print(f"gas snapshot: {len(gas)} operations -> {args.snapshot} ({time.perf_counter() - started:.1f} s)")
    for name, used in gas.items():
        print(f"  {name:48} {used:>10,}")
    report: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(), "gas": gas}
    if not args.skip_throughput:
        report["throughput"] = compare("anvil", args.transactions)
        t = report["throughput"]
        print(f"throughput on anvil, {args.transactions} tx: bulk sender {t['bulk_tps']:.0f} tx/s; raw pre-signed "
              f"{t['raw_tps']:.0f} tx/s one by one ({100 * t['ratio']:.0f} %), {t['raw_batched_tps']:.0f} tx/s in "
              f"JSON-RPC batches ({100 * t['ratio_batched']:.0f} %); goal >= 70 % of raw")
    with open(args.report, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
