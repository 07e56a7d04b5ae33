"""Parquet exports of every `marts.*` table, with a manifest, for dashboards and other tools.

`export_marts(published, out_dir)` writes `<out_dir>/<table>.parquet` and `manifest.json` into a
temporary directory beside `out_dir`, then swaps it in (old directory renamed away, new one
renamed in, old one deleted): a reader sees the previous complete set or the new complete set.
"""

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.sources.catalog import manifest_sources

SCHEMA_VERSION = "1"

SOURCES = manifest_sources()  # from the source registry


def _refreshed_at(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("SELECT refreshed_at FROM meta.refresh").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0].isoformat() if row and row[0] is not None else None


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    return con.execute(
        "SELECT table_name, comment FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'marts' ORDER BY 1"
    ).fetchall()


def _write(con: duckdb.DuckDBPyConnection, directory: Path) -> dict:
    tables = {}
    for table, comment in _mart_tables(con):
        file = directory / f"{table}.parquet"
        con.execute(
            f"COPY (SELECT * FROM marts.\"{table}\") TO '{file}' (FORMAT parquet, COMPRESSION zstd)"
        )
        (rows,) = con.execute(f'SELECT count(*) FROM marts."{table}"').fetchone()
        columns = [
            {"name": name, "type": dtype, "description": col_comment}
            for name, dtype, col_comment in con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() "
                "WHERE database_name = current_database() AND schema_name = 'marts' "
                "AND table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
        ]
        tables[table] = {
            "file": file.name,
            "rows": rows,
            "description": comment,
            "columns": columns,
        }
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "refreshed_at": _refreshed_at(con),
        "exported_at": datetime.now(UTC).isoformat(),
        "tables": tables,
        "sources": SOURCES,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def export_marts(published: Path | str, out_dir: Path | str) -> dict:
    """Export every marts table of the `published` DuckDB file into `out_dir`; returns manifest."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{token}"
    old = out_dir.parent / f".{out_dir.name}.old-{token}"
    tmp.mkdir()
    try:
        con = duckdb.connect(str(published), read_only=True)
        try:
            manifest = _write(con, tmp)
        finally:
            con.close()
        if out_dir.exists():
            os.rename(out_dir, old)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out_dir.exists():
            os.rename(old, out_dir)  # put the previous exports back
        raise
    shutil.rmtree(old, ignore_errors=True)
    return manifest
