"""The DuckDB warehouse: one build file that assets write, one published file analysts read.

Assets write into `<dir>/build/minerals.duckdb`. `publish()` copies the finished build to a
temporary file beside the published one and `os.replace`s it over `<dir>/minerals.duckdb`:
readers holding the old file keep reading it, new connections see the new one, and a run that
fails or is killed before publishing leaves the last good warehouse untouched.

The published copy is written in an older storage format (PUBLISHED_STORAGE_VERSION) than
DuckDB 2 writes by default, so DuckDB 1.x shells and BI drivers can open it too.
"""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

log = logging.getLogger(__name__)
SCHEMAS = ("raw", "staging", "marts", "meta")
# DuckDB 2 writes storage version 69, which no 1.x client reads ("we can only read versions
# between 64 and 68"). 'v1.0.0' writes version 64: DuckDB 1.0 and later read it (checked with
# the duckdb-cli 1.5.6 shell and the DuckDB 1.1.3 Python client), as do the JDBC/ODBC drivers
# BI tools bundle. It costs about 6% in file size, and the copy takes about twice as long as
# in the default format (1.7 s vs 1.0 s for the snapshot warehouse: benchmarks/publish_storage.py).
PUBLISHED_STORAGE_VERSION = "v1.0.0"


class Warehouse:
    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.build_path = self.directory / "build" / "minerals.duckdb"
        self.published_path = self.directory / "minerals.duckdb"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read-write connection to the build file (one writer at a time)."""
        self.build_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.build_path))
        try:
            for schema in SCHEMAS:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            yield con
        finally:
            con.close()

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

    def replace_years(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        df: pl.DataFrame,
        years: list[int],
        *,
        all_years: bool,
    ) -> int:
        """Write the rows of `years` (a partitioned asset's run) and leave other years alone.

        A run over every year replaces the whole table, so a changed schema takes effect.
        """
        if all_years or not self.table_exists(con, table):
            return self.write_table(con, table, df)
        con.register("_frame", df)
        try:
            con.execute(
                f"DELETE FROM {table} WHERE year IN (SELECT unnest(?::INT[]))", [years]
            ).fetchall()
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame").fetchall()
        finally:
            con.unregister("_frame")
        return df.height

    def read_table(self, table: str) -> pl.DataFrame:
        with self.connect() as con:
            return con.sql(f"SELECT * FROM {table}").pl()

    def publish(self) -> Path:
        """Atomically replace the published warehouse with the current build."""
        with self.connect() as con:
            con.execute("CHECKPOINT")
        tmp = self.directory / f".minerals.duckdb.{os.getpid()}.tmp"
        try:
            self._copy_for_readers(tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.published_path)
        finally:
            tmp.unlink(missing_ok=True)
        log.info("published %s", self.published_path)
        return self.published_path

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
