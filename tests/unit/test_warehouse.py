"""Atomic publish: readers keep the old file, new connections see the new one, nothing left over."""

import os
import subprocess
import sys

import duckdb
import pytest

from pipelines.lib.warehouse import Warehouse
from tests.support.warehouse import alert_history


def read_in_another_process(path) -> str:
    """A new analyst session (DuckDB caches open databases per path inside one process)."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('SELECT v FROM marts.t').fetchone()[0])"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()


def build(wh: Warehouse, value: int) -> None:
    with wh.connect() as con:
        con.execute("CREATE OR REPLACE TABLE marts.t AS SELECT ? AS v", [value])


def test_publish_swaps_atomically_under_an_open_reader(tmp_path):
    wh = Warehouse(tmp_path)
    build(wh, 1)
    wh.publish()
    reader = duckdb.connect(str(wh.published_path), read_only=True)
    assert reader.execute("SELECT v FROM marts.t").fetchone() == (1,)

    build(wh, 2)  # the build file is separate: the analyst's reader never blocks the writer
    wh.publish()

    assert reader.execute("SELECT v FROM marts.t").fetchone() == (1,)  # still the old file
    assert read_in_another_process(wh.published_path) == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "minerals.duckdb"]


def test_unpublished_build_changes_are_invisible(tmp_path):
    wh = Warehouse(tmp_path)
    build(wh, 1)
    wh.publish()
    build(wh, 99)  # a refresh that dies before publish
    assert read_in_another_process(wh.published_path) == "1"


def test_a_lake_year_rewrites_only_that_year_and_loads_whole(tmp_path):
    import polars as pl

    def rows(year: int, *values: float) -> pl.DataFrame:
        return pl.DataFrame({"year": [year] * len(values), "value_usd": values}).cast(
            {"year": pl.Int32}
        )

    wh = Warehouse(tmp_path)
    for year, value in ((2022, 1.0), (2023, 2.0), (2024, 3.0)):
        wh.lake.write_year("raw.flows", year, rows(year, value))
    # a backfill of 2023 alone: its file changes, 2022 and 2024 stay as they were
    wh.lake.write_year("raw.flows", 2023, rows(2023, 9.0, 9.5))
    with wh.connect() as con:
        assert wh.lake.load_table(con, "raw.flows", ["year", "value_usd"]) == 4
        got = con.execute("SELECT year, value_usd FROM raw.flows ORDER BY ALL").fetchall()
        ((year_type,),) = con.execute(
            "SELECT data_type FROM duckdb_columns() "
            "WHERE table_name = 'flows' AND column_name = 'year'"
        ).fetchall()
    assert got == [(2022, 1.0), (2023, 9.0), (2023, 9.5), (2024, 3.0)]
    assert year_type == "INTEGER"  # the frame's type, not one guessed from the folder name
    assert wh.lake.years("raw.flows") == [2022, 2023, 2024]
    assert not list(tmp_path.rglob("*.tmp"))  # written under a temporary name, then renamed


def test_a_lake_without_the_table_names_it(tmp_path):
    wh = Warehouse(tmp_path)
    with wh.connect() as con, pytest.raises(FileNotFoundError, match="no year of raw.flows"):
        wh.lake.load_table(con, "raw.flows", ["year"])


def test_writers_in_other_processes_wait_for_the_build_instead_of_failing(tmp_path):
    """DuckDB refuses a second process's read-write open at once; the build lock makes it wait
    (steps of the multiprocess and Celery executors)."""
    wh = Warehouse(tmp_path)
    build(wh, 1)
    code = (
        "import sys; from pipelines.lib.warehouse import Warehouse; wh = Warehouse(sys.argv[1]);\n"
        "with wh.connect() as con: con.execute('INSERT INTO marts.t VALUES (2)')\n"
        "print('written')"
    )
    with wh.connect() as con:  # held while the other process tries
        other = subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        with pytest.raises(subprocess.TimeoutExpired):
            other.wait(timeout=3)  # waiting on the lock, not failed on DuckDB's
        with wh.connect() as nested:  # the same process nests freely
            nested.execute("INSERT INTO marts.t VALUES (3)")
        con.execute("INSERT INTO marts.t VALUES (4)")
    out, _ = other.communicate(timeout=60)
    assert other.returncode == 0 and out.strip() == "written"
    with wh.connect() as con:
        assert con.execute("SELECT list(v ORDER BY v) FROM marts.t").fetchone() == ([1, 2, 3, 4],)


def test_published_file_opens_in_the_duckdb_shell_make_install_puts_in_venv(tmp_path):
    """The `duckdb` CLI from PyPI (1.5.x) reads storage versions 64-68; DuckDB 2 writes 69."""
    from pathlib import Path

    shell = Path(sys.executable).parent / "duckdb"
    assert shell.exists(), "make install puts the duckdb-cli shell in .venv/bin"
    wh = Warehouse(tmp_path)
    with wh.connect() as con:
        con.execute("CREATE TABLE marts.t AS SELECT * FROM (VALUES (1, 'cobalt'), (2, 'lithium'))")
        con.execute("COMMENT ON TABLE marts.t IS 'a commented table'")
    wh.publish()

    out = subprocess.run(
        [
            str(shell),
            "-readonly",
            "-csv",
            str(wh.published_path),
            "-c",
            "SELECT * FROM marts.t ORDER BY 1; "
            "SELECT comment FROM duckdb_tables() WHERE table_name = 't'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == ["col0,col1", "1,cobalt", "2,lithium", "comment", "a commented table"]
    # storage version 64 (the header's version field): readable by every DuckDB from 1.0 on
    header = wh.published_path.read_bytes()[:20]
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "minerals.duckdb"]


# --- the build is a cache: missing, damaged or cut short, it is rebuilt and history is kept ----


def publish_with_alerts(tmp_path) -> Warehouse:
    """A published warehouse whose marts.alerts holds two alerts, and no build file."""
    from pipelines.lib.paths import SQL_DIR

    wh = Warehouse(tmp_path)
    with wh.connect() as con:
        con.execute((SQL_DIR / "alerts/create_alerts.sql").read_text())
        con.execute("""INSERT INTO marts.alerts (alert_key, kind, message, first_seen_at,
                       first_seen_run_id) VALUES
                       ('a', 'k', 'graphite refining: China share 91% -> 96%',
                        '2026-01-01 00:00:00+00', 'run-1'),
                       ('b', 'k', 'copper refining: now highly concentrated',
                        '2026-02-01 00:00:00+00', 'run-2')""")
        con.execute("CREATE TABLE staging.big AS SELECT range AS v FROM range(300000)")
    wh.publish()
    return wh


def reopen(wh: Warehouse) -> Warehouse:
    """The next refresh: a new process, which has not checked the build file yet."""
    from pipelines.lib import warehouse

    warehouse._checked_builds.discard(wh.build_path)
    return Warehouse(wh.directory)


def test_missing_build_restores_the_alert_history(tmp_path, caplog):
    wh = publish_with_alerts(tmp_path)
    caplog.clear()
    history = alert_history(wh.published_path)
    wh.build_path.unlink()
    with caplog.at_level("WARNING"), reopen(wh).connect() as con:
        assert con.execute("SELECT count(*) FROM marts.alerts").fetchone()[0] == 2
        # what a refresh recomputes is not copied back
        assert not Warehouse.table_exists(con, "staging.big")
    assert alert_history(wh.build_path) == history
    (line,) = [r.getMessage() for r in caplog.records if "build file" in r.getMessage()]
    assert "missing" in line and "2 rows of marts.alerts restored from minerals.duckdb" in line


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short: opens, but reading a table fails
        lambda data: data[:1000],
        lambda data: b"<html>not a database</html>\n" * 100,
    ],
    ids=["truncated-half", "truncated-header", "garbage"],
)
def test_damaged_build_is_set_aside_and_rebuilt_with_history(tmp_path, caplog, damage):
    wh = publish_with_alerts(tmp_path)
    caplog.clear()
    history = alert_history(wh.published_path)
    wh.build_path.write_bytes(damage(wh.build_path.read_bytes()))
    with caplog.at_level("WARNING"), reopen(wh).connect() as con:
        con.execute("CREATE TABLE marts.t AS SELECT 1 AS v")
    assert alert_history(wh.build_path) == history
    assert (wh.build_path.parent / "minerals.duckdb.damaged").exists()  # kept to inspect
    (line,) = [r.getMessage() for r in caplog.records if "build file" in r.getMessage()]
    assert "damaged" in line and "restored" in line


def test_a_healthy_build_is_left_alone(tmp_path, caplog):
    wh = publish_with_alerts(tmp_path)
    caplog.clear()
    with caplog.at_level("WARNING"), reopen(wh).connect() as con:
        assert Warehouse.table_exists(con, "staging.big")
    assert not [r for r in caplog.records if "build file" in r.getMessage()]


def test_publish_removes_temp_files_of_dead_publishes_only(tmp_path):
    wh = Warehouse(tmp_path)
    build(wh, 1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    left = tmp_path / f".minerals.duckdb.{dead}.tmp"
    left.write_bytes(b"half a copy")
    alive = tmp_path / f".minerals.duckdb.{os.getppid()}.tmp"  # a publish still running
    alive.write_bytes(b"in progress")
    wh.publish()
    assert not left.exists() and alive.exists()


def test_the_memory_limit_setting_bounds_duckdb(tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.defs.resources import default_resources

    monkeypatch.setenv("MINERALS_DUCKDB_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(tmp_path))
    with dg.build_resources(default_resources()) as resources:  # EnvVars resolved as in a run
        wh = resources.warehouse.get()
        with wh.connect() as con:
            ((limit,),) = con.execute("SELECT current_setting('memory_limit')").fetchall()
    assert wh.build_path.is_relative_to(tmp_path)
    assert limit in ("286.1 MiB", "300.0 MB"), limit  # DuckDB may show it in binary units
