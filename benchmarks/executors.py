"""The same refresh on each executor: in process, multiprocess, and Celery with N workers.

`minerals refresh --years Y0-Y1` on the bundled snapshot (real data), each run in a fresh
process with its own warehouse folder and Dagster instance: SQLite for in-process and
multiprocess, Postgres (deploy/dagster.yaml) for Celery, whose workers and servers (Debian's
redis-server and postgresql, on loopback) this script starts and stops. Appends the wall times
to benchmarks/results.jsonl.

Usage: python benchmarks/executors.py [--years 2022-2024] [--workers 2] [--runs 1]
                                     [--executors in_process multiprocess celery]
"""

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.support import services  # noqa: E402  (real servers, as the distributed test)

VENV_BIN = Path(sys.executable).parent


def refresh(work: Path, years: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    ran = subprocess.run(
        [str(VENV_BIN / "minerals"), "refresh", "--years", years],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    if ran.returncode != 0:
        sys.exit(f"refresh failed:\n{ran.stdout[-3000:]}{ran.stderr[-3000:]}")
    return time.perf_counter() - start


def base_env(work: Path, home_yaml: Path) -> dict[str, str]:
    home = work / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(home_yaml, home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINERALS_", "DAGSTER_"))}
    return dict(
        env,
        DAGSTER_HOME=str(home),
        MINERALS_WAREHOUSE_DIR=str(work / "warehouse"),
        MINERALS_LANDING_DIR=str(work / "landing"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default="2022-2024")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--executors", nargs="+", default=["in_process", "multiprocess", "celery"])
    args = parser.parse_args()
    if missing := services.missing_servers():
        sys.exit(f"needs {', '.join(missing)}: make services")
    timings: dict[str, list[float]] = {executor: [] for executor in args.executors}
    with services.redis_server() as redis, services.postgres_server() as pg:
        for run in range(args.runs):
            for executor in timings:
                with tempfile.TemporaryDirectory(prefix=f"minerals-{executor}-") as tmp:
                    work = Path(tmp)
                    instance = "deploy" if executor == "celery" else ".dagster"
                    env = base_env(work, ROOT / instance / "dagster.yaml")
                    env.update(pg, MINERALS_EXECUTOR=executor)
                    env.update(
                        MINERALS_CELERY_BROKER=f"{redis}/0", MINERALS_CELERY_BACKEND=f"{redis}/1"
                    )
                    names = tuple(f"bench-w{n}" for n in range(args.workers))
                    with contextlib.ExitStack() as stack:
                        if executor == "celery":
                            stack.enter_context(services.celery_workers(names, env, work))
                        seconds = refresh(work, args.years, env)
                    timings[executor].append(seconds)
                    print(f"run {run + 1}: {executor}: {seconds:.1f} s", flush=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    results.record(
        *(
            {
                "benchmark": "executors",
                "at": stamp,
                "data": "bundled snapshot (real)",
                "years": args.years,
                "executor": executor,
                "celery_workers": args.workers if executor == "celery" else None,
                # how multiprocess starts its step processes (FORKSERVER_PRELOAD)
                "start_method": "forkserver" if executor == "multiprocess" else None,
                "runs": len(times),
                "median_wall_s": round(statistics.median(times), 1),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "load_average_1m": round(os.getloadavg()[0], 1),
            }
            for executor, times in timings.items()
        )
    )


if __name__ == "__main__":
    main()
