"""What publishing in an older storage format costs: copy the current build into a file in
DuckDB 2's default format and in PUBLISHED_STORAGE_VERSION, and compare time and size.

Needs a build (run `make run` first). Prints the figures and appends them to
benchmarks/results.jsonl. Usage: python benchmarks/publish_storage.py [-n 3]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import results

from pipelines.lib import settings
from pipelines.lib.warehouse import PUBLISHED_STORAGE_VERSION


def copy_seconds(build: Path, target: Path, storage_version: str | None) -> float:
    target.unlink(missing_ok=True)
    con = duckdb.connect()
    con.execute(f"ATTACH '{build}' AS build (READ_ONLY)")
    option = f" (STORAGE_VERSION '{storage_version}')" if storage_version else ""
    started = time.perf_counter()
    con.execute(f"ATTACH '{target}' AS published{option}")
    con.execute("COPY FROM DATABASE build TO published")
    con.execute("DETACH published")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=3)
    args = parser.parse_args()
    build = settings.warehouse_dir() / "build"
    build = build / "minerals.duckdb"
    if not build.exists():
        sys.exit(f"no build at {build}: run `make run` first")
    record = {
        "benchmark": "publish_storage",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_mib": round(build.stat().st_size / 2**20, 1),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for label, version in [
            ("default", None),
            (PUBLISHED_STORAGE_VERSION, PUBLISHED_STORAGE_VERSION),
        ]:
            target = Path(tmp) / "published.duckdb"
            times = [copy_seconds(build, target, version) for _ in range(args.n)]
            record[label] = {
                "copy_s_median": round(statistics.median(times), 2),
                "file_mib": round(target.stat().st_size / 2**20, 1),
            }
    record.update(runs=args.n, cpus=os.cpu_count(), python=sys.version.split()[0])
    results.record(record)


if __name__ == "__main__":
    main()
