"""One writer at a time, whatever starts the run: a run the Dagster daemon launches from its queue
(as it launches scheduled, sensor, backfill and UI runs) and a `minerals refresh` typed in another
shell, on a copy of the published snapshot.

Dagster's run queue (`max_concurrent_runs: 1` in the instance's dagster.yaml) only orders the runs
submitted through it: a CLI refresh runs in its own process, here with its own instance, as from a
shell without DAGSTER_HOME. Both take the warehouse's refresh lock (`lib/refresh_lock.py`; the
launched run through its executor): the launched run waits for the CLI refresh, saying so in its
event log, and the CLI refresh refuses while the launched run writes, naming it.

Each side is frozen (SIGSTOP) while it holds the lock, so the other side meets it held whatever
the machine's speed.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib.paths import PROJECT_ROOT
from pipelines.lib.refresh_lock import LOCK_NAME
from tests.support.services import dagster_daemon

pytestmark = pytest.mark.faults
BIN = Path(sys.executable).parent


def wait_for(what: str, predicate, timeout_s: float = 300.0):
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(0.3)
    return value


def lock_holder(warehouse: Path) -> dict:
    try:
        return json.loads((warehouse / LOCK_NAME).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def launch_publish(env: dict[str, str]) -> str:
    """Submit a run of refresh_job's publish step through the instance's run coordinator (the
    queue the daemon serves), as `dagster job launch` does; returns its run id."""
    run_id = str(uuid.uuid4())
    subprocess.run(
        [str(BIN / "dagster"), "job", "launch", "-w", "workspace.yaml", "-j", "refresh_job",
         "-o", "published_warehouse", "--tags", json.dumps(year_range_tags()), "--run-id", run_id],
        cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return run_id


def run_of(home: Path, run_id: str) -> tuple[dg.DagsterRunStatus, list[str]]:
    """A run's status and its event log messages."""
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        run = instance.get_run_by_id(run_id)
        return run.status, [e.message or "" for e in instance.all_logs(run_id)]
    finally:
        instance.dispose()


def waiting_run(home: Path, run_id: str):
    """(status, messages) of the run once its log says it waits (or it ended), else None."""
    status, messages = run_of(home, run_id)
    waits = any("waiting" in m for m in messages)
    return (status, messages) if waits or ended(home, run_id) else None


def ended(home: Path, run_id: str) -> str | None:
    status = run_of(home, run_id)[0]
    return (
        status.value
        if status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)
        else None
    )


def published_by(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse / "minerals.duckdb"), read_only=True) as con:
        return con.execute("SELECT run_id FROM meta.refresh").fetchone()[0]


@pytest.fixture
def deployment(published_snapshot, tmp_path):
    """(warehouse dir, daemon's environment, the CLI's environment): a daemon serving the run
    queue of one instance, and a shell's environment with an instance of its own."""
    tmp = published_snapshot.copy_to(tmp_path / "copy")
    homes = {}
    for name in ("daemon_home", "shell_home"):
        homes[name] = tmp / name
        homes[name].mkdir()
        shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", homes[name])  # queue of one run
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MINERALS_", "DAGSTER_"))}
    base.update(MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"), MINERALS_LANDING_DIR=str(tmp))
    daemon_env = dict(base, DAGSTER_HOME=str(homes["daemon_home"]))
    with dagster_daemon(daemon_env, tmp / "daemon.log"):
        yield tmp / "warehouse", daemon_env, dict(base, DAGSTER_HOME=str(homes["shell_home"]))


def test_a_launched_run_waits_for_a_cli_refresh_and_a_cli_refresh_refuses_a_launched_run(
    deployment,
):
    warehouse, daemon_env, shell_env = deployment
    home = Path(daemon_env["DAGSTER_HOME"])
    refresh = [str(BIN / "minerals"), "refresh", "--select", "serving.published_warehouse"]

    # 1. a CLI refresh holds the lock (frozen mid-refresh); the daemon launches a run meanwhile
    cli = subprocess.Popen(refresh, env=shell_env, stdout=subprocess.PIPE, text=True)
    wait_for("the CLI refresh's lock", lambda: lock_holder(warehouse).get("pid") == cli.pid)
    os.kill(cli.pid, signal.SIGSTOP)
    try:
        first = launch_publish(daemon_env)
        status, messages = wait_for("the launched run to wait", lambda: waiting_run(home, first))
        waits = [m for m in messages if "waiting" in m]
        assert waits, f"the run did not wait for the CLI refresh holding the lock: {status}"
        (waiting,) = waits
        assert waiting.startswith("waiting up to 3600 s for the warehouse: a refresh started at ")
        assert f"by PID {cli.pid} (minerals refresh) is still running" in waiting
        assert status in (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED)
        assert not [m for m in messages if m.startswith("Started execution of step")]
    finally:
        os.kill(cli.pid, signal.SIGCONT)
    out, _ = cli.communicate(timeout=300)
    assert cli.returncode == 0 and "Published:" in out, out
    assert wait_for("the launched run to end", lambda: ended(home, first)) == "SUCCESS"
    assert published_by(warehouse) == first  # it published after the CLI refresh, not during

    # 2. a launched run holds the lock (frozen mid-run): a CLI refresh refuses, naming it
    second = launch_publish(daemon_env)
    worker = wait_for(
        "the launched run's lock",
        lambda: (
            (h := lock_holder(warehouse)).get("holder", "").startswith(f"Dagster run {second[:8]}")
            and h["pid"]
        ),
    )
    os.kill(worker, signal.SIGSTOP)
    try:
        refused = subprocess.run(refresh, env=shell_env, capture_output=True, text=True)
    finally:
        os.kill(worker, signal.SIGCONT)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: a refresh started at ")
    assert (
        f"by PID {worker} (Dagster run {second[:8]}, launched from the Dagster UI or CLI) is "
        "still running" in refused.stderr
    )
    assert "Refreshing" not in refused.stdout  # refused before running anything
    wait_for(
        "the second launched run", lambda: run_of(home, second)[0] == dg.DagsterRunStatus.SUCCESS
    )
    assert published_by(warehouse) == second
