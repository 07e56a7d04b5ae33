"""The project's run history (pipelines/lib/run_history.py) on a real Dagster instance.

Each test materializes two small assets and a check on an instance built from the project's own
`.dagster/dagster.yaml` in tmp_path, and reads the events back the way the UI does.
"""

import shutil
import sqlite3
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.dagster_compat import INDEX_SHARD_NAME
from pipelines.lib.paths import PROJECT_ROOT
from pipelines.lib.run_history import RunHistoryEventLogStorage


@dg.asset
def ore() -> int:
    return 3


@dg.asset
def metal(ore: int) -> int:
    return ore * 2


@dg.asset_check(asset=metal)
def metal_is_positive(metal: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=metal > 0)


def instance_in(home, project_config: bool) -> dg.DagsterInstance:
    home.mkdir()
    if project_config:
        shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home)
    return dg.DagsterInstance.from_config(str(home))


def refresh(instance: dg.DagsterInstance) -> str:
    result = dg.materialize([ore, metal, metal_is_positive], instance=instance)
    assert result.success
    return result.run_id


def event_types(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [e.dagster_event.event_type_value for e in instance.all_logs(run_id) if e.dagster_event]


@pytest.fixture
def project(tmp_path):
    with instance_in(tmp_path / "project", project_config=True) as instance:
        yield instance


def test_the_project_instance_keeps_its_history_under_its_own_root(project, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))  # not the instance's root
    assert isinstance(project.event_log_storage, RunHistoryEventLogStorage)
    run_id = refresh(project)
    shard = tmp_path / "project" / "history" / "runs" / f"{run_id}.db"
    assert shard.exists() and not (tmp_path / "elsewhere").exists()
    with sqlite3.connect(shard) as db:  # a shard Dagster's own storage (the UI) can read
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_it_records_the_same_events_as_dagsters_default_storage(project, tmp_path):
    with instance_in(tmp_path / "default", project_config=False) as default:
        assert type(default.event_log_storage).__name__ == "SqliteEventLogStorage"
        expected_run = refresh(default)
        expected = event_types(default, expected_run)
        expected_latest = default.get_latest_materialization_event(dg.AssetKey("metal"))
    run_id = refresh(project)
    assert event_types(project, run_id) == expected
    assert "ASSET_CHECK_EVALUATION" in expected and "ASSET_MATERIALIZATION" in expected
    latest = project.get_latest_materialization_event(dg.AssetKey("metal"))
    assert latest.run_id == run_id and expected_latest.run_id == expected_run
    assert project.get_run_by_id(run_id).is_success


def test_one_engine_per_shard_commits_with_synchronous_normal(project):
    run_id = refresh(project)
    refresh(project)
    storage = project.event_log_storage
    engine = storage.shard_engine(run_id)
    assert storage.shard_engine(run_id) is engine  # kept, not rebuilt for every write
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    # the index shard, each run's shard, no more: a write never builds an engine of its own
    assert len(storage._engines) == 3


def test_a_table_is_looked_up_until_it_is_found(project):
    storage = project.event_log_storage
    assert not storage.has_table("no_such_table")
    assert "no_such_table" not in storage._tables_found  # a miss is not remembered
    assert storage.has_table("asset_keys")
    assert "asset_keys" in storage._tables_found


def test_only_the_most_recently_used_engines_are_kept(project, monkeypatch):
    storage = project.event_log_storage
    monkeypatch.setattr(RunHistoryEventLogStorage, "MAX_ENGINES", 2)
    first, second = storage.shard_engine("a"), storage.shard_engine("b")
    disposed = []
    monkeypatch.setattr(second, "dispose", lambda: disposed.append("b"))
    assert storage.shard_engine("a") is first  # "a" is now the most recently used
    storage.shard_engine("c")  # one too many: the least recently used, "b", is disposed
    assert list(storage._engines) == ["a", "c"] and disposed == ["b"]

    # on real runs: the index shard, used by every run, stays; the history is all still there
    monkeypatch.setattr(RunHistoryEventLogStorage, "MAX_ENGINES", 3)
    runs = [refresh(project) for _ in range(4)]
    assert len(storage._engines) == 3 and INDEX_SHARD_NAME in storage._engines
    assert all("STEP_SUCCESS" in event_types(project, r) for r in runs)


def test_the_connection_is_kept_and_other_processes_read_and_write_meanwhile(project, tmp_path):
    run_id = refresh(project)
    storage = project.event_log_storage
    engine = storage.shard_engine(run_id)
    assert engine.pool.checkedin() == 1  # kept open between writes, not closed after each
    # another process (the UI, another refresh) reads this run's history and writes a run of
    # its own into the same files while this process holds its connections open
    code = f"""
import dagster as dg
from tests.unit.test_run_history import metal, metal_is_positive, ore
with dg.DagsterInstance.from_config({str(tmp_path / "project")!r}) as instance:
    logs = instance.all_logs({run_id!r})
    types = [e.dagster_event.event_type for e in logs if e.dagster_event]
    assert dg.DagsterEventType.RUN_SUCCESS in types, types
    result = dg.materialize([ore, metal, metal_is_positive], instance=instance)
    print(result.run_id)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    other_run = done.stdout.split()[-1]
    # and this process sees that run at once, through the connections it kept
    assert project.get_run_by_id(other_run).is_success
    assert "ASSET_CHECK_EVALUATION" in event_types(project, other_run)
    latest = project.get_latest_materialization_event(dg.AssetKey("metal"))
    assert latest.run_id == other_run
    assert engine.pool.checkedin() == 1
