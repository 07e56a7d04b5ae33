"""The lake: year-partitioned Parquet files of the trade partitions (raw.baci_flows,
staging.trade_flows), one file per table and year, `<url>/<schema>/<table>/year=<Y>/part-0.parquet`.

Each year is written on its own, with no lock and without touching any other year, so years can be
built by separate steps, processes or machines. The DuckDB build then loads a table whole from its
files (`load_table`), and the publish step copies the build as before: the published warehouse
never reads the lake, so rewriting a year there cannot change what readers of the last good
warehouse see.

The URL is a local folder by default (`<warehouse dir>/lake`) or any fsspec URL: `s3://bucket/lake`
through s3fs (credentials and endpoint from the standard AWS settings, e.g. `AWS_ENDPOINT_URL_S3`
for MinIO; tested against moto's S3 server). A local file is written to a temporary name and
renamed into place; an object store's put is atomic already. Either way a reader sees a year's
old file or its new one, never half of one. A local writer killed mid-write leaves its temporary
file (named with its PID and host); the next write of that year removes it once that process is
gone.
"""

import os
import re
import socket
import uuid
from pathlib import Path

import duckdb
import fsspec
import polars as pl

from pipelines.lib.memory import release_freed_memory

PART = "part-0.parquet"
_TEMP = re.compile(rf"^\.{re.escape(PART)}\.(\d+)@(.+)\.[0-9a-f]{{8}}\.tmp$")


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine with that PID still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class Lake:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        # no listings cache: another process or machine (a multiprocess or Celery step) may
        # have written or replaced a year since this one listed; with s3fs's cache a replaced
        # year's stale size and ETag fail the read with FileExpired (tests/unit/test_lake_s3.py)
        self.fs, self.root = fsspec.core.url_to_fs(self.url, use_listings_cache=False)
        self.is_local = self.fs.protocol in ("file", "local") or "file" in self.fs.protocol

    def _dir(self, table: str) -> str:
        schema, name = table.split(".")
        return f"{self.root}/{schema}/{name}"

    def year_path(self, table: str, year: int) -> str:
        return f"{self._dir(table)}/year={year}/{PART}"

    def write_year(self, table: str, year: int, frame: pl.DataFrame) -> str:
        """Replace one year of `table` with `frame` (its rows of that year, `year` column kept so
        its type survives: the folder name is for finding files, not for reading values)."""
        path = self.year_path(table, year)
        if self.is_local:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _remove_dead_writers_files(Path(path).parent)
            host = socket.gethostname()
            tmp = Path(path).with_name(f".{PART}.{os.getpid()}@{host}.{uuid.uuid4().hex[:8]}.tmp")
            try:
                frame.write_parquet(tmp)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        else:
            with self.fs.open(path, "wb") as f:
                frame.write_parquet(f)
        return path

    def years(self, table: str) -> list[int]:
        """The years `table` has a file for."""
        found = self.fs.glob(f"{self._dir(table)}/year=*/{PART}")
        return sorted(int(Path(p).parent.name.removeprefix("year=")) for p in found)

    def read_year(self, table: str, year: int) -> pl.DataFrame:
        with self.fs.open(self.year_path(table, year), "rb") as f:
            return pl.read_parquet(f)

    def load_table(self, con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> int:
        """(Re)create `table` in the connected DuckDB database from every year in the lake, its
        columns in `columns` order; returns its row count."""
        # the caller has just dropped the frames of its year loop: hand their pages back to the
        # system first, or glibc keeps them in RSS under the load's own memory (docs/performance.md)
        release_freed_memory()
        years = self.years(table)
        select = ", ".join(f'"{c}"' for c in columns)
        if not years:
            raise FileNotFoundError(f"the lake at {self.url} has no year of {table}")
        if self.is_local:
            files = [self.year_path(table, y) for y in years]
            source = "read_parquet(?, hive_partitioning = false)"
            con.execute(
                f"CREATE OR REPLACE TABLE {table} AS SELECT {select} FROM {source}", [files]
            )
        else:  # through Polars, which reads the object store: DuckDB's httpfs is an extension
            frame = pl.concat([self.read_year(table, y) for y in years], how="vertical_relaxed")
            con.register("_lake", frame)
            try:
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {select} FROM _lake")
            finally:
                con.unregister("_lake")
        ((rows,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
        return rows


def _remove_dead_writers_files(folder: Path) -> None:
    """Temporary files of writers of this host that were killed mid-write (the lake may be
    shared by other machines: their files are theirs to remove)."""
    host = socket.gethostname()
    for stale in folder.iterdir():
        m = _TEMP.match(stale.name)
        if m and m[2] == host and not pid_alive(int(m[1])):
            stale.unlink(missing_ok=True)
