"""Time the input and build checks a refresh runs before it parses anything.

Figures: verifying every snapshot folder against MANIFEST.json (sizes and sha256), reading the
largest CSVs through the truncation check, and reading a build file through (the first open per
process). Appends to benchmarks/results.jsonl.
Usage: python benchmarks/input_checks.py [--build warehouse/build/minerals.duckdb]
"""

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import results

from pipelines.lib import inputs, warehouse
from pipelines.lib.paths import DEFAULT_WAREHOUSE_DIR, SNAPSHOT_DIR

LARGEST_CSVS = ["wgi/WGIData.csv", "usgs_mcs/2026/MCS2026_Commodities_Data.csv"]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return round(time.perf_counter() - start, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--build", type=Path, default=DEFAULT_WAREHOUSE_DIR / "build/minerals.duckdb"
    )
    args = parser.parse_args()
    snapshot_bytes = sum(p.stat().st_size for p in SNAPSHOT_DIR.rglob("*") if p.is_file())
    record = {
        "benchmark": "input_checks",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "snapshot_mib": round(snapshot_bytes / 2**20, 1),
        "verify_snapshot_s": timed(lambda: inputs.verify_snapshot(SNAPSHOT_DIR, *inputs.FOLDERS)),
        "csv_check_s": {
            name: timed(lambda name=name: inputs.check_csv("bench", name, SNAPSHOT_DIR / name))
            for name in LARGEST_CSVS
        },
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    if args.build.exists():
        record["build_mib"] = round(args.build.stat().st_size / 2**20, 1)
        record["build_probe_s"] = timed(lambda: warehouse._damage(args.build))
    results.record(record)


if __name__ == "__main__":
    main()
