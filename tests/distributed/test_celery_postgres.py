"""The graph on Dagster's Celery executor: a Redis broker, a Postgres instance, an S3 lake and two
Celery workers, all on loopback, run a three-year trade backfill of the whole graph through
`minerals refresh`; the marts it publishes equal those of the same run in process (its lake a
local folder).

`.ci/run` installs Debian's redis-server and postgresql and sets MINERALS_REQUIRE_SERVICES, so
there a missing server fails the test; elsewhere it skips, saying what to install.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.lib.lake import Lake
from pipelines.lib.paths import PROJECT_ROOT, SQL_DIR
from tests.support import services
from tests.support.s3 import s3_server
from tests.support.warehouse import marts_contents, same_rows

pytestmark = pytest.mark.distributed
VENV_BIN = Path(sys.executable).parent
YEARS = "2022-2024"
WORKERS = ("minerals-w1", "minerals-w2")


@pytest.fixture(scope="module")
def servers():
    missing = services.missing_servers()
    if missing and os.environ.get(services.REQUIRE_ENV):
        pytest.fail(f"{services.REQUIRE_ENV} is set but these are missing: {missing}")
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install redis-server postgresql)")
    with services.redis_server() as redis, services.postgres_server() as pg, s3_server() as s3:
        yield redis, pg, s3


def start_refresh(cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`minerals refresh` in the background, its output in `log` (a file, not a pipe: a pipe
    no one reads while the other run goes on would stall it when full)."""
    with open(log, "w") as out:
        return subprocess.Popen(
            [str(VENV_BIN / "minerals"), "refresh", "--years", YEARS],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )


def finished(proc: subprocess.Popen, log: Path) -> str:
    """The refresh's output, once it has exited successfully."""
    proc.wait(timeout=1800)
    output = log.read_text()
    assert proc.returncode == 0, output[-8000:]
    return output


def test_a_backfill_on_celery_workers_publishes_the_marts_of_an_in_process_run(servers, tmp_path):
    redis, pg, (s3_env, bucket) = servers
    home = tmp_path / "celery" / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home)  # the deployment's own instance
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MINERALS_", "DAGSTER_"))}
    env = dict(
        base,
        **pg,
        **s3_env,
        DAGSTER_HOME=str(home),
        MINERALS_EXECUTOR="celery",
        MINERALS_CELERY_BROKER=f"{redis}/0",
        MINERALS_CELERY_BACKEND=f"{redis}/1",
        MINERALS_WAREHOUSE_DIR=str(tmp_path / "celery" / "warehouse"),
        MINERALS_LANDING_DIR=str(tmp_path / "celery" / "landing"),
        # the trade years go to the object store, each written by whichever worker ran its step
        MINERALS_LAKE_URL=f"s3://{bucket}/lake",
    )
    # the same refresh in process, on the local SQLite instance, alongside: it is the reference,
    # and it has nothing to share with the Celery run but the source files it reads
    in_process_home = tmp_path / "in_process" / "dagster_home"
    in_process_home.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", in_process_home)  # SQLite
    in_process_log = tmp_path / "in_process.log"
    reference = start_refresh(
        tmp_path,
        dict(
            base,
            DAGSTER_HOME=str(in_process_home),
            MINERALS_WAREHOUSE_DIR=str(tmp_path / "in_process" / "warehouse"),
            MINERALS_LANDING_DIR=str(tmp_path / "in_process" / "landing"),
        ),
        in_process_log,
    )
    try:
        with services.celery_workers(WORKERS, env, tmp_path):
            celery_log = tmp_path / "celery.log"
            celery_output = finished(start_refresh(tmp_path, env, celery_log), celery_log)
        finished(reference, in_process_log)
    finally:
        reference.kill()  # nothing if it has finished; no refresh outlives a failed test

    # every step ran on a worker, and both workers took some: the run's events, from Postgres
    with pytest.MonkeyPatch.context() as mp:
        for name, value in pg.items():
            mp.setenv(name, value)  # deploy/dagster.yaml reads them
        instance = dg.DagsterInstance.from_config(str(home))
    try:
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        hosts = [
            e.dagster_event.engine_event_data.metadata["Celery worker"].value
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
            if "Celery worker" in e.dagster_event.engine_event_data.metadata
        ]
        steps = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
    finally:
        instance.dispose()
    assert len(hosts) == len(steps) > 50
    assert {h.split("@")[0] for h in hosts} == set(WORKERS)
    assert "Published:" in celery_output
    lake = Lake(env["MINERALS_LAKE_URL"])
    for table in ("raw.baci_flows", "staging.trade_flows"):  # in the bucket, not on the disk
        assert lake.years(table) == [2022, 2023, 2024], table
    assert not (tmp_path / "celery" / "warehouse" / "lake").exists()

    on_celery = marts_contents(tmp_path / "celery" / "warehouse" / "minerals.duckdb")
    in_process = marts_contents(tmp_path / "in_process" / "warehouse" / "minerals.duckdb")
    contracts = {p.stem for p in (SQL_DIR / "marts").glob("*.yml")}
    assert on_celery.keys() == in_process.keys() == contracts
    assert sum(map(len, on_celery.values())) > 10_000
    for table, rows in in_process.items():
        assert same_rows(on_celery[table], rows), table
