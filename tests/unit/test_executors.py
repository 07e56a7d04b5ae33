"""MINERALS_EXECUTOR picks the executor; the Celery one reads the broker from the variables the
workers read too (deploy/celery.yaml); an in-process run holds the build open, steps in other
processes take turns per connection."""

import os
import shutil
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.defs.resources import WarehouseResource, default_resources
from pipelines.defs.serving.executors import FORKSERVER_PRELOAD, configured_executor, launched_by
from pipelines.defs.serving.schedules import usgs_annual_february
from pipelines.lib.paths import PROJECT_ROOT
from pipelines.lib.warehouse import Warehouse


def resolved(executor: dg.ExecutorDefinition) -> dict:
    """The config the executor gets in a run that sets none."""
    return executor.config_schema.resolve_config({}).value["config"]


def test_the_default_runs_in_process(monkeypatch):
    monkeypatch.delenv("MINERALS_EXECUTOR", raising=False)
    executor = configured_executor()
    assert executor.name == "in_process"
    assert executor.config_schema is dg.in_process_executor.config_schema


def test_multiprocess_uses_every_core_forked_from_a_preloaded_server(monkeypatch):
    monkeypatch.setenv("MINERALS_EXECUTOR", "multiprocess")
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    executor = configured_executor()
    assert executor.name == "multiprocess"
    config = resolved(executor)
    assert config["max_concurrent"] == 6
    assert config["start_method"] == {"forkserver": {"preload_modules": FORKSERVER_PRELOAD}}


def test_celery_takes_the_broker_from_the_environment_variable_when_set(monkeypatch):
    monkeypatch.setenv("MINERALS_EXECUTOR", "celery")
    monkeypatch.setenv("MINERALS_CELERY_BROKER", "redis://:secret@redis:6379/0")
    monkeypatch.delenv("MINERALS_CELERY_BACKEND", raising=False)
    executor = configured_executor()
    assert executor.name == "celery"
    config = resolved(executor)
    assert config["broker"] == "redis://:secret@redis:6379/0"
    assert config["backend"] == "redis://localhost:6379/0"  # the registry default


def test_an_unknown_executor_is_named_with_the_choices(monkeypatch):
    monkeypatch.setenv("MINERALS_EXECUTOR", "dask")
    with pytest.raises(ValueError, match="in_process, multiprocess, celery, not 'dask'"):
        configured_executor()


# --- how a run's steps share the build file ---------------------------------------------------

WRITE_FROM_ANOTHER_PROCESS = (
    "import sys; from pipelines.lib.warehouse import Warehouse; wh = Warehouse(sys.argv[1]);\n"
    "with wh.connect() as con: con.execute('INSERT INTO marts.t VALUES (2)')\n"
    "print('written')"
)


def _other_writer(directory) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITE_FROM_ANOTHER_PROCESS, str(directory)],
        stdout=subprocess.PIPE,
        text=True,
    )


def _table(directory) -> Warehouse:
    wh = Warehouse(directory)
    with wh.connect() as con:
        con.execute("CREATE TABLE marts.t AS SELECT 1 AS v")
    return wh


def test_an_in_process_run_holds_the_build_open_and_other_writers_wait(tmp_path):
    """In use (a whole in-process run), the resource keeps the build open and locked: the
    run's own connects reuse it, another process waits for the run to end."""
    wh = _table(tmp_path)
    resource = WarehouseResource(directory=str(tmp_path))
    assert resource.hold_build_open
    with resource.yield_for_execution(dg.build_init_resource_context()) as in_use:
        other = _other_writer(tmp_path)
        with pytest.raises(subprocess.TimeoutExpired):
            other.wait(timeout=2)  # between two of the run's connects too
        with in_use.get().connect() as con:
            con.execute("INSERT INTO marts.t VALUES (3)")
        with pytest.raises(subprocess.TimeoutExpired):
            other.wait(timeout=1)
    out, _ = other.communicate(timeout=60)
    assert other.returncode == 0 and out.strip() == "written"
    with wh.connect() as con:
        assert con.execute("SELECT list(v ORDER BY v) FROM marts.t").fetchone() == ([1, 2, 3],)


def test_steps_in_other_processes_take_turns_per_connection_not_per_step(tmp_path):
    _table(tmp_path)
    resource = WarehouseResource(directory=str(tmp_path), hold_build_open=False)
    with resource.yield_for_execution(dg.build_init_resource_context()):
        other = _other_writer(tmp_path)  # nothing is held between connects: it writes now
        out, _ = other.communicate(timeout=60)
    assert other.returncode == 0 and out.strip() == "written"


@pytest.mark.parametrize(
    "executor, held",
    [(None, True), ("in_process", True), ("multiprocess", False), ("celery", False)],
)
def test_the_executor_decides_whether_the_build_is_held_for_the_run(monkeypatch, executor, held):
    if executor is None:
        monkeypatch.delenv("MINERALS_EXECUTOR", raising=False)
    else:
        monkeypatch.setenv("MINERALS_EXECUTOR", executor)
    assert default_resources()["warehouse"].hold_build_open is held


def test_a_selection_runs_on_the_multiprocess_executor(tmp_path):
    """`minerals refresh --select` on an executor whose steps run in other processes: the
    selection reaches Dagster's execute_job as it must (a list of keys; a set was refused)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster/dagster.yaml", home)
    env = dict(
        os.environ,
        MINERALS_EXECUTOR="multiprocess",
        MINERALS_WAREHOUSE_DIR=str(tmp_path / "warehouse"),
        DAGSTER_HOME=str(home),
    )
    env.pop("MINERALS_SOURCE", None)
    ran = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "refresh", "--select", "staging.partner_group"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert 'Executing step "staging__partner_group" in subprocess' in ran.stderr + ran.stdout
    with Warehouse(tmp_path / "warehouse").connect() as con:
        assert con.execute("SELECT count(*) FROM staging.partner_group").fetchone()[0] > 0


def test_the_forkserver_preloads_nothing_that_starts_a_thread():
    """Each multiprocess step forks from a server that imported FORKSERVER_PRELOAD. A thread
    there (Polars starts some on import) does not survive a fork, and whatever lock it held
    stays locked in every step: the hang this test keeps out."""
    probe = (
        "import importlib, os, sys\n"
        "for m in sys.argv[1:]: importlib.import_module(m)\n"
        "print(len(os.listdir('/proc/self/task')), 'polars' in sys.modules)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, *FORKSERVER_PRELOAD], capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["1", "False"]  # the main thread alone, no Polars


def test_the_lock_names_what_started_a_run_from_the_tags_dagster_gives_it():
    """The daemon tags a scheduled run as DagsterRun.tags_for_schedule does; the refresh lock's
    holder (what a refused `minerals refresh` prints) names that schedule."""
    schedule_tags = dg.DagsterRun.tags_for_schedule(usgs_annual_february)
    assert launched_by(schedule_tags) == "schedule usgs_annual_february"
    assert launched_by({"dagster/backfill": "abcdefgh"}) == "backfill abcdefgh"
    assert launched_by({}) == "launched from the Dagster UI or CLI"
