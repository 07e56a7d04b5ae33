"""Time Dagster's SQLite event log against the project's (pipelines/lib/run_history.py).

Runs one real `minerals refresh` on the bundled snapshot into a temporary DAGSTER_HOME, reads
back every event that run wrote, then replays them N times into an empty folder through each
storage in turn (Dagster's `SqliteEventLogStorage`, then the project's), interleaved so that
machine noise falls on both. Prints ms per event and appends the medians to results.jsonl.
Usage: python benchmarks/event_log.py [-n 5]
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

import dagster as dg
import refresh_speed
import results

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipelines.dagster_compat import SqliteEventLogStorage  # noqa: E402
from pipelines.lib.run_history import RunHistoryEventLogStorage  # noqa: E402


def refresh_events(tmp: Path) -> list:
    """The event log of one real snapshot refresh (refresh_speed's, in tmp/dagster_home)."""
    refresh_speed.run_once(tmp)
    with dg.DagsterInstance.from_config(str(tmp / "dagster_home")) as instance:
        (run,) = instance.get_runs(limit=1)
        return list(instance.all_logs(run.run_id))


def replay_seconds(storage_class, events: list, folder: Path) -> float:
    storage = storage_class(str(folder))
    start = time.perf_counter()
    for event in events:
        storage.store_event(event)
    elapsed = time.perf_counter() - start
    storage.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=5)
    args = parser.parse_args()
    storages = {"dagster": SqliteEventLogStorage, "project": RunHistoryEventLogStorage}
    times: dict[str, list[float]] = {name: [] for name in storages}
    with tempfile.TemporaryDirectory() as tmp:
        events = refresh_events(Path(tmp))
        print(f"a snapshot refresh wrote {len(events):,} events", flush=True)
        for i in range(args.runs):
            for name, storage_class in storages.items():
                seconds = replay_seconds(storage_class, events, Path(tmp) / f"{name}-{i}")
                times[name].append(seconds)
                print(f"run {i + 1} {name:8} {1000 * seconds / len(events):6.2f} ms/event")
    ms = {name: 1000 * statistics.median(t) / len(events) for name, t in times.items()}
    results.record(
        {
            "benchmark": "event_log_replay",
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "events": len(events),
            "runs": args.runs,
            "dagster_sqlite_ms_per_event_median": round(ms["dagster"], 2),
            "project_ms_per_event_median": round(ms["project"], 2),
            "dagster_s_per_refresh_median": round(statistics.median(times["dagster"]), 2),
            "project_s_per_refresh_median": round(statistics.median(times["project"]), 2),
            "ratio_project_to_dagster": round(ms["project"] / ms["dagster"], 2),
            "load_average_1m_after": round(os.getloadavg()[0], 1),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        }
    )


if __name__ == "__main__":
    main()
