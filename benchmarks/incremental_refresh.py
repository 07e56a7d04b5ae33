"""Time a refresh with nothing changed (`minerals refresh --changed`) against a fresh one.

For each mode, in a temporary warehouse, landing and DAGSTER_HOME: a full `minerals refresh`
(fresh), then `minerals refresh --changed` with nothing changed. Live mode runs against local
replays of every publisher (`tests/support/publishers.py`: ScienceBase, CEPII, Comtrade, World
Bank, the IEA inbox), so the unchanged refresh costs a 304 per file. Each refresh is its own
process, as the schedules and the CLI run it; the Python start-up and definitions load that every
process pays is measured apart (`python -c "import pipelines.definitions"`) and also taken off
both figures. Then the same two refreshes inside one process (`--child`: definitions loaded once,
an in-memory Dagster instance), which is what the graph itself costs. Appends one line per mode
to benchmarks/results.jsonl.

Usage: python benchmarks/incremental_refresh.py [--modes snapshot live]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support (the replay of the publishers)


def timed(args: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}\n{proc.stdout[-2000:]}")
    return elapsed, proc.stdout


def steps(stdout: str) -> int:
    return sum(1 for line in stdout.splitlines() if " built " in line)


def child() -> None:
    """Fresh and unchanged refresh in this process; prints {"fresh_s", "unchanged_s"}."""
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.serving.incremental import refresh_changed
    from pipelines.defs.trade.partitions import year_range_tags

    job = defs.resolve_job_def("refresh_job")
    instance = dg.DagsterInstance.ephemeral()
    run = {"tags": year_range_tags(), "run_config": {"loggers": {"progress": {}}}}
    figures = {}
    for name in ("fresh", "unchanged"):  # the first finds everything missing: a full refresh
        start = time.perf_counter()
        result = refresh_changed(job, instance, **run)
        figures[f"{name}_s"] = round(time.perf_counter() - start, 2)
        figures[f"{name}_rerun"] = len(result.rerun)
        assert result.success
    print("FIGURES " + json.dumps(figures))


def measure(mode: str, env: dict) -> dict:
    refresh = [sys.executable, "-m", "pipelines.cli", "refresh"]
    startup, _ = timed([sys.executable, "-c", "import pipelines.definitions"], env)
    fresh, out_fresh = timed(refresh, env)
    unchanged, out_unchanged = timed([*refresh, "--changed"], env)
    _, out_child = timed([sys.executable, __file__, "--child"], env)
    inproc = json.loads(out_child.split("FIGURES ", 1)[1].splitlines()[0])
    record = {
        "benchmark": "refresh_unchanged_vs_fresh",
        "mode": mode,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "fresh_wall_s": round(fresh, 2),
        "unchanged_wall_s": round(unchanged, 2),
        "ratio": round(unchanged / fresh, 3),
        "startup_s": round(startup, 2),
        "ratio_without_startup": round((unchanged - startup) / (fresh - startup), 3),
        "steps_fresh": steps(out_fresh),
        "steps_unchanged": steps(out_unchanged),
        "in_process_fresh_s": inproc["fresh_s"],
        "in_process_unchanged_s": inproc["unchanged_s"],
        "in_process_ratio": round(inproc["unchanged_s"] / inproc["fresh_s"], 3),
        "in_process_rerun_unchanged": inproc["unchanged_rerun"],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(
        f"{mode}: fresh {fresh:.1f} s ({record['steps_fresh']} assets built), nothing changed "
        f"{unchanged:.1f} s ({record['steps_unchanged']} built, all raw): ratio "
        f"{record['ratio']:.1%}; without the {startup:.1f} s start-up each process pays: "
        f"{record['ratio_without_startup']:.1%}; in one process: fresh "
        f"{inproc['fresh_s']:.1f} s, nothing changed {inproc['unchanged_s']:.1f} s "
        f"({record['in_process_ratio']:.1%})",
        flush=True,
    )
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modes", nargs="+", default=["snapshot", "live"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    records = []
    for mode in args.modes:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            if mode == "live":
                from tests.support.publishers import publishers

                with publishers(tmp) as (_server, env):
                    records.append(measure(mode, env))
            else:
                (tmp / "dagster_home").mkdir()
                env = dict(
                    os.environ,
                    MINERALS_SOURCE="snapshot",
                    MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"),
                    DAGSTER_HOME=str(tmp / "dagster_home"),
                )
                (tmp / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
                records.append(measure(mode, env))
    results.record(*records)


if __name__ == "__main__":
    main()
