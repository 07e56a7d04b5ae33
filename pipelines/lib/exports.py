"""Parquet exports of every `marts.*` table, with a manifest, for dashboards and other tools.

`export_marts(published, out_dir)` writes `<out_dir>/<table>.parquet` and `manifest.json` into a
temporary directory beside `out_dir`, then swaps it in (old directory renamed away, new one
renamed in, old one deleted): a reader sees the previous complete set or the new complete set.

Each table's entry names the sources it is built from and their licences and terms (Comtrade's
"no bulk redistribution" goes with the exports that carry Comtrade data), from the asset graph's
lineage (`table_sources`); the alerts' entry lists the kinds the data has, in words.
"""

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from pipelines.lib.sources.catalog import SOURCES as REGISTRY
from pipelines.lib.sources.catalog import manifest_sources
from pipelines.lib.sql import load_query, load_report

SCHEMA_VERSION = "1"

SOURCES = manifest_sources()  # from the source registry
# where each source's files are recorded per refresh: one SELECT per kind of file, whose first
# column is the source and whose FROM is the table it enters the warehouse through
SOURCE_FILES_SQL = "meta/source_files.sql"
ALERT_KINDS_SQL = "exports/alert_kinds.sql"
# curated seeds whose rows cite their own public pages (no registry source): an export built
# from one names it, with these terms
CITED_SEEDS = {
    "staging.projects": "project_pipeline",
    "staging.project_funding": "project_pipeline",
}
CITED_TERMS = {
    "project_pipeline": "Project pipeline (data/seeds/projects.csv, project_funding.csv): each "
    "row cites the public page it was read from; its figures are the companies' and agencies' "
    "announcements (docs/projects.md)"
}


def entry_tables() -> dict[str, str]:
    """{table: source key} of the tables each source enters the warehouse through (the raw
    tables, and staging.governance for WGI), read from sql/meta/source_files.sql, and the
    curated seeds that cite their own pages (`CITED_SEEDS`)."""
    out = {}
    tree = sqlglot.parse_one(load_query(SOURCE_FILES_SQL), dialect="duckdb")
    for select in tree.find_all(exp.Select):
        first = select.expressions[0]
        source = first.this if isinstance(first, exp.Alias) else first
        table = select.args["from_"].this
        out[f"{table.db}.{table.name}"] = source.name
    return out | CITED_SEEDS


def table_sources(upstream: Mapping[str, Iterable[str]], tables: Iterable[str]) -> dict:
    """{table: sorted source keys} for `tables` ("marts.x"), from `upstream` ({table: the tables
    it is built from}): every source whose entry table is among the table's ancestors."""
    entries = entry_tables()
    out = {}
    for table in tables:
        seen, todo = set(), [table]
        while todo:
            for parent in upstream.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        out[table] = sorted({entries[t] for t in seen if t in entries})
    return out


def _terms(keys: list[str]) -> list[str]:
    return [
        CITED_TERMS[k] if k in CITED_TERMS else f"{REGISTRY[k].name}: {REGISTRY[k].licence}"
        for k in keys
    ]


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


def _alert_kinds(con: duckdb.DuckDBPyConnection) -> list[dict] | None:
    query = load_report(ALERT_KINDS_SQL)
    have = {t for (t,) in con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE database_name = current_database()"
    ).fetchall()}  # fmt: skip
    if not set(query.tables) <= have:
        return None
    cur = query.run(con)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _write(con: duckdb.DuckDBPyConnection, directory: Path, sources_of: Mapping) -> dict:
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
        if f"marts.{table}" in sources_of:
            keys = sources_of[f"marts.{table}"]
            tables[table]["sources"] = keys
            tables[table]["terms"] = _terms(keys)  # licences of the data in this file
    if "alerts" in tables and (kinds := _alert_kinds(con)) is not None:
        tables["alerts"]["kinds"] = kinds
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "refreshed_at": _refreshed_at(con),
        "exported_at": datetime.now(UTC).isoformat(),
        "tables": tables,
        "sources": SOURCES,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def export_marts(
    published: Path | str, out_dir: Path | str, sources_of: Mapping[str, list[str]] | None = None
) -> dict:
    """Export every marts table of the `published` DuckDB file into `out_dir`; returns manifest.
    `sources_of` ({"marts.x": source keys}, `table_sources`) adds each export's sources and
    their terms."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{token}"
    old = out_dir.parent / f".{out_dir.name}.old-{token}"
    tmp.mkdir()
    try:
        con = duckdb.connect(str(published), read_only=True)
        try:
            manifest = _write(con, tmp, sources_of or {})
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
