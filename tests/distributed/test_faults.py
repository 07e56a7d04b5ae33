"""Faults on the distributed path: two Celery workers, Redis and Postgres on loopback (Debian's
servers), a copy of the published snapshot warehouse, and a two-year trade backfill through
`minerals refresh` (the trade years, the checks on them, and the publish: each step a Celery task).

Each fault is made while the backfill runs: a worker's task process killed mid-step, Redis
restarted, Postgres stopped, a worker killed between the lake years it writes, a second backfill
of the same years started. Then the published warehouse is byte-identical (a failed run) or
replaced by the same marts (a run that finished), and a failed run is re-executed from its
failure with Dagster's own re-execution (`ReexecutionOptions.from_failure`, the UI's "Re-execute
from failure"), which publishes.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.lib.paths import PROJECT_ROOT
from tests.support import services
from tests.support.warehouse import marts_contents, same_rows

pytestmark = [pytest.mark.distributed, pytest.mark.faults]
VENV_BIN = Path(sys.executable).parent
WORKERS = ("faults-w1", "faults-w2")
YEARS = ("2023", "2024")
BACKFILL = ["refresh", "--years", "-".join(YEARS), "--select", "raw.baci_flows",
            "staging.trade_flows", "serving.published_warehouse"]  # fmt: skip
REEXECUTE = """
import sys
import dagster as dg
from pipelines.cli.refresh import refresh_job
instance = dg.DagsterInstance.get()
options = dg.ReexecutionOptions.from_failure(sys.argv[1], instance)
# the parent's year range, as the UI's re-execution carries the parent's tags
parent = instance.get_run_by_id(sys.argv[1])
years = {k: v for k, v in parent.tags.items() if k.startswith("dagster/asset_partition_range")}
result = dg.execute_job(dg.reconstructable(refresh_job), instance, reexecution_options=options,
                        run_config={"loggers": {"progress": {}}}, tags=years)
print("re-executed as", result.run_id, flush=True)
for event in result.all_events:
    if event.event_type_value in ("STEP_FAILURE", "RUN_FAILURE"):
        print(event.event_type_value, event.step_key, event.event_specific_data.error, flush=True)
sys.exit(0 if result.success else 1)
"""


class Site:
    """The servers, the workers and a warehouse folder they all write, reset for each test."""

    def __init__(self, root: Path, redis, postgres, snapshot):
        self.root, self.redis, self.postgres, self.snapshot = root, redis, postgres, snapshot
        self.warehouse = root / "warehouse"
        self.home = root / "dagster_home"
        self.home.mkdir()
        shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", self.home)  # Postgres instance
        base = {k: v for k, v in os.environ.items() if not k.startswith(("MINERALS_", "DAGSTER_"))}
        self.env = dict(
            base,
            **postgres.env,
            DAGSTER_HOME=str(self.home),
            MINERALS_EXECUTOR="celery",
            MINERALS_CELERY_BROKER=f"{redis.url}/0",
            MINERALS_CELERY_BACKEND=f"{redis.url}/1",
            MINERALS_WAREHOUSE_DIR=str(self.warehouse),
            MINERALS_LANDING_DIR=str(root / "landing"),
        )
        self.workers: dict[str, subprocess.Popen] = {}

    def reset(self) -> None:
        """The published snapshot's warehouse (build, lake, published file) afresh."""
        for log in ("refresh.log", "second.log"):  # the last test's, kept for a look
            if (self.root / log).exists():
                (self.root / log).rename(self.root / f"{time.time_ns()}.{log}")
        shutil.rmtree(self.warehouse, ignore_errors=True)
        shutil.copytree(self.snapshot.warehouse_dir, self.warehouse,
                        ignore=shutil.ignore_patterns("exports", "dashboard"))  # fmt: skip

    @property
    def published(self) -> Path:
        return self.warehouse / "minerals.duckdb"

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))

    def start(self, *args: str, log: str = "refresh.log") -> subprocess.Popen:
        with open(self.root / log, "w") as out:
            return subprocess.Popen([str(VENV_BIN / "minerals"), *args], cwd=self.root,
                                    env=self.env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip

    def output(self, log: str = "refresh.log") -> str:
        return (self.root / log).read_text()

    def latest_run(self) -> dg.DagsterRun | None:
        instance = self.instance()
        try:
            runs = instance.get_runs(limit=1)
            return runs[0] if runs else None
        finally:
            instance.dispose()

    def backfill(self) -> tuple[subprocess.Popen, dg.DagsterRun]:
        """The backfill started, and its run once Dagster has it (not an earlier test's)."""
        earlier = getattr(self.latest_run(), "run_id", None)
        proc = self.start(*BACKFILL)

        def new_run():
            run = self.latest_run()
            return run if run is not None and run.run_id != earlier else None

        run = wait_for("the backfill's run", new_run)
        return proc, run

    def step_event(self, run_id: str, step: str, kind: dg.DagsterEventType, has: str = ""):
        """The step's first event of that kind (with metadata `has`, when given), or None."""
        instance = self.instance()
        try:
            for e in instance.all_logs(run_id, of_type=kind):
                data = e.dagster_event.event_specific_data
                if e.step_key == step and (not has or has in getattr(data, "metadata", {})):
                    return e
            return None
        finally:
            instance.dispose()

    def worker_of(self, run_id: str, step: str) -> subprocess.Popen:
        """The worker that took `step`, from the engine event naming it."""
        event = wait_for(f"{step} on a worker", lambda: self.step_event(
            run_id, step, dg.DagsterEventType.ENGINE_EVENT, has="Celery worker"))  # fmt: skip
        metadata = event.dagster_event.engine_event_data.metadata
        return self.workers[metadata["Celery worker"].value.split("@")[0]]

    def reexecute(self, run_id: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-c", REEXECUTE, run_id]
        return subprocess.run(
            command, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=900
        )


def wait_for(what: str, predicate, timeout_s: float = 600.0, every_s: float = 0.2):
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(every_s)
    return value


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_run(site: Site) -> str:
    with duckdb.connect(str(site.published), read_only=True) as con:
        return con.execute("SELECT run_id FROM meta.refresh").fetchone()[0]


@pytest.fixture(scope="module")
def site(published_snapshot, tmp_path_factory):
    missing = services.missing_servers()
    if missing and os.environ.get(services.REQUIRE_ENV):
        pytest.fail(f"{services.REQUIRE_ENV} is set but these are missing: {missing}")
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install redis-server postgresql)")
    root = tmp_path_factory.mktemp("distributed_faults")
    with (
        services.redis_server(handle=True) as redis,
        services.postgres_server(handle=True) as postgres,
        pytest.MonkeyPatch.context() as mp,
    ):
        for name, value in postgres.env.items():
            mp.setenv(name, value)  # deploy/dagster.yaml reads them, here too
        site = Site(root, redis, postgres, published_snapshot)
        site.reset()
        with services.celery_workers(WORKERS, site.env, root) as workers:
            site.workers = workers
            yield site


@pytest.fixture
def fresh(site):
    """The site with the published snapshot's warehouse again, and its marts for reference."""
    site.reset()
    yield site, marts_contents(site.published), sha256(site.published)
    for name, worker in site.workers.items():  # a worker must outlive every fault
        assert worker.poll() is None, f"{name} exited: {(site.root / f'{name}.log').read_text()}"


def failed_then_reexecuted(site: Site, proc: subprocess.Popen, before: str, reference) -> str:
    """The backfill failed leaving the published file as it was; re-executed from its failure
    it publishes the same marts. Returns the failed run's output."""
    assert proc.wait(timeout=900) == 1, site.output()
    output = site.output()
    assert "nothing was published" in output and sha256(site.published) == before
    failed = site.latest_run()
    again = site.reexecute(failed.run_id)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-4000:]
    assert published_run(site) == again.stdout.split("re-executed as ")[1].split()[0]
    correctly_replaced(site, reference)
    return output


def correctly_replaced(site: Site, reference) -> None:
    got = marts_contents(site.published)
    assert got.keys() == reference.keys()
    for table, rows in reference.items():
        assert same_rows(got[table], rows), table


def test_a_worker_killed_mid_step_fails_the_run_which_reexecutes_from_the_failure(fresh):
    site, reference, before = fresh
    proc, run = site.backfill()
    worker = site.worker_of(run.run_id, "raw__baci_flows")
    os.kill(services.pool_process(worker), signal.SIGKILL)  # as the OOM killer would
    output = failed_then_reexecuted(site, proc, before, reference)
    (failed,) = [line for line in output.splitlines() if "  FAILED   " in line]
    assert failed.strip().startswith(
        "FAILED   run: DagsterSubprocessError: During celery execution "
    )
    assert (
        "[raw__baci_flows]: billiard.exceptions.WorkerLostError: Worker exited prematurely: "
        "signal 9 (SIGKILL)" in failed
    )


def test_redis_restarted_mid_run_leaves_the_warehouse_or_replaces_it_whole(fresh):
    site, reference, before = fresh
    proc, run = site.backfill()
    wait_for("a step running", lambda: site.step_event(
        run.run_id, "staging__trade_flows", dg.DagsterEventType.STEP_START))  # fmt: skip
    site.redis.stop()  # every queued task and stored result is lost with it
    time.sleep(2)
    site.redis.start()
    if proc.wait(timeout=900) == 0:  # it got through: the warehouse is replaced, whole
        assert "Published:" in site.output()
        correctly_replaced(site, reference)
    else:
        output = failed_then_reexecuted(site, proc, before, reference)
        assert "FAILED   run: " in output and "onnection" in output  # (C|c)onnection...


def test_postgres_stopped_mid_run_fails_in_words_and_the_run_reexecutes(fresh):
    site, reference, before = fresh
    proc, run = site.backfill()
    wait_for("a step running", lambda: site.step_event(
        run.run_id, "staging__trade_flows", dg.DagsterEventType.STEP_START))  # fmt: skip
    site.postgres.stop()
    try:
        code = proc.wait(timeout=900)
    finally:
        site.postgres.start()
    output = site.output()
    assert code == 1, output
    assert "Refresh failed: the run stopped (" in output and "Traceback" not in output
    assert "nothing was published" in output and sha256(site.published) == before
    # the run could not record its own end: left STARTED, as the UI shows it; terminating it
    # there marks it canceled, which is what this does
    instance = site.instance()
    try:
        left = instance.get_run_by_id(run.run_id)
        assert left.status == dg.DagsterRunStatus.STARTED
        instance.report_run_canceled(left, "terminated after the Postgres outage")
    finally:
        instance.dispose()
    again = site.reexecute(run.run_id)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-4000:]
    correctly_replaced(site, reference)


def test_a_worker_killed_between_lake_years_leaves_whole_years_and_reexecutes(fresh):
    site, reference, before = fresh
    lake = site.warehouse / "lake" / "staging" / "trade_flows"
    first = lake / f"year={YEARS[0]}" / "part-0.parquet"
    written = first.stat().st_mtime_ns
    proc, run = site.backfill()
    worker = site.worker_of(run.run_id, "staging__trade_flows")
    wait_for(
        "its first year in the lake", lambda: first.stat().st_mtime_ns != written, every_s=0.01
    )
    os.kill(services.pool_process(worker), signal.SIGKILL)  # between that year and the next
    assert proc.wait(timeout=900) == 1, site.output()
    # every year in the lake is whole (the killed writer's are either old or new, never half)
    for year in range(1995, 2025):
        assert pl.read_parquet(lake / f"year={year}" / "part-0.parquet").height > 0, year
    failed_then_reexecuted(site, proc, before, reference)
    assert not [p for p in lake.rglob("*") if p.name.endswith(".tmp")]


def test_two_backfills_of_the_same_years_at_once_one_refuses_in_words(fresh):
    site, reference, before = fresh
    first = site.start(*BACKFILL)
    wait_for("the first backfill's lock", lambda: (site.warehouse / ".refresh.lock").exists()
             and str(first.pid) in (site.warehouse / ".refresh.lock").read_text())  # fmt: skip
    second = site.start(*BACKFILL, log="second.log")
    assert second.wait(timeout=300) == 1
    refused = site.output("second.log")
    assert f"by PID {first.pid} (minerals refresh) is still running" in refused
    assert "Refreshing" not in refused
    assert first.wait(timeout=900) == 0, site.output()
    assert sha256(site.published) != before
    correctly_replaced(site, reference)
