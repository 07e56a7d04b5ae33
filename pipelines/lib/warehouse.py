"""The DuckDB warehouse: one build file that assets write, one published file analysts read.

Assets write into `<dir>/build/minerals.duckdb`. `publish()` copies the finished build to a
temporary file beside the published one and `os.replace`s it over `<dir>/minerals.duckdb`:
readers holding the old file keep reading it, new connections see the new one, and a run that
fails or is killed before publishing leaves the last good warehouse untouched.

The published copy is written in an older storage format (PUBLISHED_STORAGE_VERSION) than
DuckDB 2 writes by default, so DuckDB 1.x shells and BI drivers can open it too.

The build is a cache that can always be rebuilt. The first time a process opens it, it is read
through; a build file that is missing, damaged or cut short is set aside (`.damaged`) and started
afresh, and the durable state (the alert history, `DURABLE_TABLES`) is restored from the
published warehouse, so no `first_seen_at` is lost.
"""

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.lake import Lake, pid_alive
from pipelines.lib.paths import SQL_DIR

log = logging.getLogger(__name__)
SCHEMAS = ("raw", "staging", "marts", "meta")
# DuckDB 2 writes storage version 69, which no 1.x client reads ("we can only read versions
# between 64 and 68"). 'v1.0.0' writes version 64: DuckDB 1.0 and later read it (checked with
# the duckdb-cli 1.5.6 shell and the DuckDB 1.1.3 Python client), as do the JDBC/ODBC drivers
# BI tools bundle. It costs about 6% in file size, and the copy takes about twice as long as
# in the default format (1.7 s vs 1.0 s for the snapshot warehouse: benchmarks/publish_storage.py).
PUBLISHED_STORAGE_VERSION = "v1.0.0"
# Tables that accumulate across refreshes (not recomputable from the sources), with the DDL
# that creates them: restored from the published warehouse into a new build.
DURABLE_TABLES = {"marts.alerts": SQL_DIR / "alerts" / "create_alerts.sql"}
# Build files this process has already read through (or created): checked once per process.
_checked_builds: set[Path] = set()
# The build lock this process holds: lock path -> (open lock file, depth of nested connects)
_held: dict[Path, tuple] = {}
_held_guard = threading.RLock()


@contextmanager
def _build_lock(lock_path: Path) -> Iterator[None]:
    """Exclusive use of a build file across processes, waited for (not refused).

    DuckDB lets one process at a time open a file read-write and refuses a second at once
    ("Could not set lock"), so steps running in other processes (the multiprocess and Celery
    executors) take turns here instead. Nested connects in one process share the lock; the
    kernel drops it when the process ends, however it ends.
    """
    with _held_guard:
        held = _held.get(lock_path)
        if held is None:
            f = open(lock_path, "a+")  # noqa: SIM115 (closed when the outermost connect ends)
            fcntl.flock(f, fcntl.LOCK_EX)
            held = (f, 0)
        _held[lock_path] = (held[0], held[1] + 1)
    try:
        yield
    finally:
        with _held_guard:
            f, depth = _held[lock_path]
            if depth == 1:
                del _held[lock_path]
                fcntl.flock(f, fcntl.LOCK_UN)
                f.close()
            else:
                _held[lock_path] = (f, depth - 1)


def _damage(path: Path, *, read_only: bool = False) -> str | None:
    """Why the DuckDB file at `path` cannot be used, or None. Reads every table through."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():  # another process has it open: in use, not damaged
            raise
        return str(exc).splitlines()[0]
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'SELECT sum(hash(t)) FROM "{schema}"."{table}" t').fetchall()
    except duckdb.Error as exc:
        return str(exc).splitlines()[0]
    finally:
        con.close()
    return None


class PublishError(RuntimeError):
    """The finished build could not be published; the published warehouse is unchanged."""


class Warehouse:
    def __init__(
        self, directory: Path | str, lake_url: str | None = None, memory_limit: str | None = None
    ):
        self.directory = Path(directory)
        self.memory_limit = memory_limit  # DuckDB's, e.g. "512MB"; None: DuckDB's default
        self.build_path = self.directory / "build" / "minerals.duckdb"
        self.published_path = self.directory / "minerals.duckdb"
        self.lake = Lake(lake_url or str(self.directory / "lake"))

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read-write connection to the build file; other processes wait their turn."""
        self.build_path.parent.mkdir(parents=True, exist_ok=True)
        with _build_lock(self.build_path.with_name(self.build_path.name + ".lock")):
            if self.build_path not in _checked_builds:
                self.ensure_build()
            # the limit is the instance's config: nested connects reuse the open instance
            config = {"memory_limit": self.memory_limit} if self.memory_limit else {}
            con = duckdb.connect(str(self.build_path), config=config)
            try:
                for schema in SCHEMAS:
                    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                yield con
            finally:
                con.close()

    def ensure_build(self) -> None:
        """Make sure the build file is usable: rebuild a missing or damaged one (one log line)."""
        path = self.build_path
        why = "missing" if not path.exists() else _damage(path)
        if why is not None:
            if path.exists():
                for part in (path, path.with_name(path.name + ".wal")):
                    if part.exists():
                        os.replace(part, part.with_name(part.name + ".damaged"))
                why = f"damaged ({why}); set aside as {path.name}.damaged"
            restored = self._restore_durable()
            published = self.published_path.name
            if restored:
                what = ", ".join(f"{n:,} rows of {t}" for t, n in restored.items())
                what += f" restored from {published}"
            elif self.published_path.exists():
                what = f"nothing restored from {published} (no alert history in it)"
            else:
                what = "nothing to restore (nothing published yet)"
            first_ever = why == "missing" and not self.published_path.exists()
            log.log(
                logging.INFO if first_ever else logging.WARNING,
                "build file %s %s: starting a new build, %s",
                path,
                why,
                what,
            )
        _checked_builds.add(path)

    def _restore_durable(self) -> dict[str, int]:
        """Copy DURABLE_TABLES from the published warehouse into a new build file."""
        published = self.published_path
        if not published.exists() or _damage(published, read_only=True) is not None:
            duckdb.connect(str(self.build_path)).close()
            return {}
        restored = {}
        con = duckdb.connect(str(self.build_path))
        try:
            con.execute(f"ATTACH '{self.published_path}' AS published (READ_ONLY)")
            for table, ddl in DURABLE_TABLES.items():
                schema, name = table.split(".")
                ((present,),) = con.execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'published' "
                    "AND schema_name = ? AND table_name = ?",
                    [schema, name],
                ).fetchall()
                if not present:
                    continue
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                con.execute(ddl.read_text())
                con.execute(f"INSERT INTO {table} SELECT * FROM published.{table}")
                ((restored[table],),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
            con.execute("DETACH published")
        finally:
            con.close()
        return restored

    def write_table(self, con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> int:
        """Replace `schema.table` with the frame's rows; returns the row count."""
        con.register("_frame", df)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _frame")
        finally:
            con.unregister("_frame")
        return df.height

    @staticmethod
    def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
        """Whether `schema.table` is in the connected database."""
        # fetchall, not fetchone: DuckDB 2 keeps a partly read result open on the connection
        # and refuses the next statement
        ((count,),) = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name || '.' || table_name = ?",
            [table],
        ).fetchall()
        return count > 0

    def read_table(self, table: str) -> pl.DataFrame:
        with self.connect() as con:
            return con.sql(f"SELECT * FROM {table}").pl()

    def publish(self) -> Path:
        """Atomically replace the published warehouse with the current build."""
        with self.connect() as con:
            con.execute("CHECKPOINT")
        self._remove_dead_temp_files()
        tmp = self.directory / f".minerals.duckdb.{os.getpid()}.tmp"
        try:
            self._copy_for_readers(tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.published_path)
        except (OSError, duckdb.IOException) as exc:  # a full or read-only disk
            needs = self.build_path.stat().st_size / 1e6
            raise PublishError(
                f"cannot write the new warehouse beside {self.published_path} "
                f"({str(exc).splitlines()[0]}): the published warehouse is unchanged; the copy "
                f"needs about {needs:,.0f} MB free in {self.directory}"
            ) from exc
        finally:
            tmp.unlink(missing_ok=True)
        log.info("published %s", self.published_path)
        return self.published_path

    def _remove_dead_temp_files(self) -> None:
        """Temp copies left by a publish that was killed: `.minerals.duckdb.<pid>.tmp`."""
        for stale in self.directory.glob(".minerals.duckdb.*.tmp"):
            pid = stale.name.split(".")[-2]
            if pid.isdigit() and not pid_alive(int(pid)):
                stale.unlink(missing_ok=True)
                log.info("removed %s, left by a publish (PID %s) that did not finish", stale, pid)

    def _copy_for_readers(self, target_path: Path) -> None:
        """Copy the whole build (tables, views, comments) into `target_path` in the published
        storage version."""
        target_path.unlink(missing_ok=True)  # attaching a leftover would add to it
        with self.connect() as con:
            ((build,),) = con.execute("SELECT current_database()").fetchall()
            target = str(target_path).replace("'", "''")
            con.execute(
                f"ATTACH '{target}' AS published (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')"
            )
            try:
                con.execute(f'COPY FROM DATABASE "{build}" TO published')
            finally:
                con.execute("DETACH published")
