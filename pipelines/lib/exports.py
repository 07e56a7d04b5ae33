"""Parquet exports of every `marts.*` table, with a manifest, for dashboards and other tools.

`export_marts(published, out_dir)` writes `<out_dir>/<table>.parquet` and `manifest.json` into a
temporary directory beside `out_dir`, then swaps it in (old directory renamed away, new one
renamed in, old one deleted): a reader sees the previous complete set or the new complete set.

Each table's entry names the sources it is built from and their licences and terms (Comtrade's
"no bulk redistribution" goes with the exports that carry Comtrade data), from the asset graph's
lineage (`table_sources`); the alerts' entry lists the kinds the data has, in words.

Beside them, `decision_tables.xlsx` (`write_workbook`): one sheet per decision table
(`DECISION_TABLES`), a sheet "About" with each table's rows, what its sheet holds, sources and
terms (the manifest's), "Columns" with every column's description and "Sources" with each
source's licence; the manifest's "workbook" entry names its sources and terms like a table's.
A table longer than an Excel sheet is split across sheets, said on "About" (docs/briefings.md).
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

WORKBOOK = "decision_tables.xlsx"
EXCEL_MAX_ROWS = 1_048_576  # rows of an Excel sheet, its header row included
# The tables an analyst decides with, in sheet order, and what each sheet holds: the whole
# table, or a file of sql/exports/ (the latest year of each series: the history is in the
# Parquet file, and a sheet of every year would be too long to read). Absent tables are skipped.
DECISION_TABLES = {
    "supply_concentration": None,
    "export_concentration": None,
    "import_dependence": "exports/workbook_import_dependence.sql",
    "us_net_import_reliance": None,
    "supply_risk": None,
    "importer_supply_risk": None,
    "stockpile_cover": "exports/workbook_stockpile_cover.sql",
    "export_control_event_study": None,
    "import_event_study": None,
    "capacity_outlook": None,
    "project_capacity": None,
    "refined_origin": None,
    "prices": None,
    "alerts": None,
}

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
    if any(name in tables for name in DECISION_TABLES):
        manifest["workbook"] = write_workbook(
            con, directory / WORKBOOK, tables, manifest["refreshed_at"]
        )
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _excel(value):
    """A DuckDB value as an Excel cell: lists and structs as text, time zones dropped (in
    UTC: Excel has none). openpyxl writes NaN and infinity as empty cells itself."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, default=str)
    return value


def _sheet_name(table: str, part: int) -> str:
    base = table[:27]  # a sheet name has at most 31 characters: room for " (9)"
    return base if part == 1 else f"{base} ({part})"


def _query_note(sql: str) -> str:
    """What a sql/exports/workbook_*.sql sheet holds: its leading comment, after the colon."""
    comment = " ".join(
        line.removeprefix("--").strip() for line in sql.splitlines() if line.startswith("--")
    )
    return comment.split(": ", 1)[-1]


def write_workbook(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    tables: Mapping[str, dict],
    refreshed_at: str | None,
    decision_tables: Mapping[str, str | None] = DECISION_TABLES,
    max_rows: int = EXCEL_MAX_ROWS,
) -> dict:
    """Write the decision tables present in `tables` (the manifest's entries) to `path`:
    "About" (rows, sheets, what each holds, sources and terms), one sheet per table (split
    across sheets of `max_rows` rows, header included, when longer), "Columns" (every column's
    description) and "Sources" (each source's publisher, licence, citation and the sheets that
    carry it). Returns the manifest's entry: {"file", "sources", "terms", "tables": {table:
    {"sheets", "rows", "holds", "sources", "terms"}}}."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook(write_only=True)

    def header(sheet, names):
        cells = [WriteOnlyCell(sheet, value=n) for n in names]
        for c in cells:
            c.font = bold
        sheet.append(cells)

    about = wb.create_sheet("About")  # first: what an analyst opens the file on
    out: dict[str, dict] = {}
    per_sheet = max_rows - 1
    for table, query in decision_tables.items():
        if table not in tables:
            continue
        if query is None:
            holds = "the whole table"
            cur = con.execute(f'SELECT * FROM marts."{table}"')
        else:
            report = load_report(query)
            holds = _query_note(report.sql)
            cur = report.run(con)
        names = [d[0] for d in cur.description]
        sheets, rows, sheet = [], 0, None
        while batch := cur.fetchmany(10_000):
            for row in batch:
                if rows % per_sheet == 0:  # the first sheet, or the next part of a long table
                    sheet = wb.create_sheet(_sheet_name(table, len(sheets) + 1))
                    sheet.freeze_panes = "A2"
                    header(sheet, names)
                    sheets.append(sheet.title)
                sheet.append([_excel(v) for v in row])
                rows += 1
        if not sheets:  # an empty table still gets its sheet and header
            sheet = wb.create_sheet(_sheet_name(table, 1))
            header(sheet, names)
            sheets.append(sheet.title)
        if len(sheets) > 1:
            holds += (
                f"; split across {len(sheets)} sheets ({', '.join(sheets)}) of at most "
                f"{per_sheet:,} rows each, in order: longer than one Excel sheet"
            )
        out[table] = {
            "sheets": sheets,
            "rows": rows,
            "holds": holds,
            "sources": tables[table].get("sources", []),
            "terms": tables[table].get("terms", []),
        }

    about.append(
        [
            f"Decision tables of the Critical Minerals Warehouse, refreshed "
            f"{refreshed_at or 'at an unrecorded time'}."
        ]
    )
    about.append(
        [
            "Every table in full, every year, is a Parquet file beside this workbook; "
            "manifest.json describes both. Column descriptions: sheet Columns (each says "
            "its commodity, stage, basis, unit and source); licences: sheet Sources."
        ]
    )
    about.append([])
    header(about, ["table", "sheets", "rows here", "rows in the table", "what the sheet holds",
                   "description", "sources", "licences and terms"])  # fmt: skip
    for table, entry in out.items():
        about.append([
            table, ", ".join(entry["sheets"]), entry["rows"], tables[table]["rows"],
            entry["holds"], tables[table].get("description"), ", ".join(entry["sources"]),
            "; ".join(entry["terms"]) or "not recorded",
        ])  # fmt: skip

    columns = wb.create_sheet("Columns")
    header(columns, ["table", "column", "type", "description"])
    for table in out:
        for c in tables[table]["columns"]:
            columns.append([table, c["name"], c["type"], c["description"]])

    used = sorted({k for entry in out.values() for k in entry["sources"]})
    sources = wb.create_sheet("Sources")
    header(sources, ["source", "name", "publisher", "licence and terms", "citation",
                     "sheets carrying it"])  # fmt: skip
    for key in used:
        carried = ", ".join(t for t, e in out.items() if key in e["sources"])
        if key in REGISTRY:
            s = REGISTRY[key]
            sources.append([key, s.name, s.publisher, s.licence, s.citation, carried])
        else:
            sources.append([key, key, None, CITED_TERMS.get(key), None, carried])
    wb.save(path)
    return {
        "file": path.name,
        "sources": used,
        "terms": _terms(used),
        "tables": out,
    }


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
