"""Time `minerals refresh` on the bundled snapshot (after install) and record peak memory.

Runs the refresh N times in a fresh process each, into a temporary warehouse directory, then
times the SQL models alone (every sql/staging and sql/marts SELECT, re-run in dependency order
on a copy of the build, N times): the refresh's target is within 4x of that SQL time. Appends
the figures to benchmarks/results.jsonl. Usage: python benchmarks/refresh_speed.py [-n 3]
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import results


def run_once(tmp: Path) -> tuple[float, float]:
    """One refresh into tmp/warehouse, on the CLI's own persistent instance in tmp/dagster_home
    (kept across the runs, as a user's is)."""
    env = dict(
        os.environ,
        MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"),
        DAGSTER_HOME=results.dagster_home(tmp),
    )
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child: exec the refresh so its peak RSS is measured alone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execve(sys.executable, [sys.executable, "-m", "pipelines.cli", "refresh"], env)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("refresh failed")
    return elapsed, usage.ru_maxrss / 1024  # KiB -> MiB on Linux


def sql_models_seconds(build: Path) -> float:
    """Wall time of every SQL model re-run on a copy of a finished build (tables in place)."""
    import graphlib
    import shutil

    import duckdb

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from pipelines.lib.sql import all_models

    models = {m.table: m for m in all_models()}
    order = graphlib.TopologicalSorter({t: set(m.deps) & set(models) for t, m in models.items()})
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "build.duckdb"
        shutil.copyfile(build, copy)
        con = duckdb.connect(str(copy))
        start = time.perf_counter()
        for table in order.static_order():
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {models[table].sql}")
        elapsed = time.perf_counter() - start
        con.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=3)
    args = parser.parse_args()
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            elapsed, peak = run_once(Path(tmp))
            times.append(elapsed)
            peaks.append(peak)
            print(f"run {i + 1}: {elapsed:.1f} s wall, peak RSS {peak:.0f} MiB", flush=True)
        build = Path(tmp) / "warehouse" / "build" / "minerals.duckdb"
        sql_times = [sql_models_seconds(build) for _ in range(args.runs)]
        print(f"SQL models alone: {statistics.median(sql_times):.2f} s (median)", flush=True)
    record = {
        "benchmark": "refresh_snapshot",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "wall_s_median": round(statistics.median(times), 2),
        "wall_s_min": round(min(times), 2),
        "peak_rss_mib_max": round(max(peaks)),
        "sql_models_s_median": round(statistics.median(sql_times), 2),
        "ratio_to_sql_models": round(statistics.median(times) / statistics.median(sql_times), 1),
        "target_ratio_to_sql_models": 4,
        "load_average_1m_after": round(os.getloadavg()[0], 1),
        "dagster_instance": "persistent (SQLite), a DAGSTER_HOME of its own",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    results.record(record)


if __name__ == "__main__":
    main()
