"""Table and column comments from the contracts (`sql/<schema>/<table>.yml`) and the data
dictionary generated from the published warehouse.

`apply_comments(con)` runs on the build just before publish (every `CREATE OR REPLACE TABLE`
drops a table's comments, so they are applied once, last). The data dictionary (docs/) is
rendered from `duckdb_tables()` / `duckdb_columns()` of the published warehouse by
`scripts/gen_data_dictionary.py`.
"""

import logging
from pathlib import Path

import duckdb

from pipelines.lib.contracts import ContractError, load_contracts
from pipelines.lib.paths import SQL_DIR

log = logging.getLogger(__name__)

DOCUMENTED_SCHEMAS = ("staging", "marts", "meta")
START_MARKER = "<!-- data-dictionary:start -->"
END_MARKER = "<!-- data-dictionary:end -->"


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[str]]:
    rows = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database()"
    ).fetchall()
    found: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in rows:
        found.setdefault((schema, table), set()).add(column)
    return found


def apply_comments(
    con: duckdb.DuckDBPyConnection, *, sql_dir: Path = SQL_DIR, strict: bool = False
) -> int:
    """Apply every contract's comments to the tables that exist; returns the statements applied.

    A contract whose table does not exist is skipped (a partial run). One that describes a
    column the table lacks is stale: ContractError when `strict`, else skipped with a warning
    (the asset that builds the table already refuses such a mismatch).
    """
    tables = _columns(con)
    con.begin()  # one transaction: ~460 statements commit once, not each (0.6 s -> 0.2 s)
    try:
        applied = _apply(con, tables, sql_dir, strict)
    except BaseException:
        con.rollback()  # all or none: a strict failure leaves no half-commented warehouse
        raise
    con.commit()
    return applied


def _apply(con, tables: dict, sql_dir: Path, strict: bool) -> int:
    applied = 0
    for contract in load_contracts(sql_dir).values():
        key = (contract.schema, contract.name)
        if key not in tables:
            continue
        missing = [c.name for c in contract.columns if c.name not in tables[key]]
        if missing:
            message = f"{contract.path}: {contract.table} has no column(s) {missing}"
            if strict:
                raise ContractError(message)
            log.warning("%s (comments skipped)", message)
        for column, statement in contract.comment_statements():
            if column in missing:
                continue
            con.execute(statement)
            applied += 1
    return applied


def undocumented(con: duckdb.DuckDBPyConnection, schemas=DOCUMENTED_SCHEMAS) -> list[str]:
    """Every table and column of `schemas` without a non-empty comment, as schema.table[.col]."""
    marks = ", ".join("?" for _ in schemas)
    tables = con.execute(
        f"""SELECT schema_name || '.' || table_name FROM duckdb_tables()
            WHERE database_name = current_database() AND schema_name IN ({marks})
              AND coalesce(trim(comment), '') = '' ORDER BY 1""",
        list(schemas),
    ).fetchall()
    columns = con.execute(
        f"""SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name IN ({marks})
              AND coalesce(trim(comment), '') = '' ORDER BY 1""",
        list(schemas),
    ).fetchall()
    return [r[0] for r in tables + columns]


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def data_dictionary(con: duckdb.DuckDBPyConnection, schemas=DOCUMENTED_SCHEMAS) -> str:
    """Markdown: per table its comment, then a column | type | description table."""
    marks = ", ".join("?" for _ in schemas)
    order = "CASE schema_name " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(schemas))
    tables = con.execute(
        f"""SELECT schema_name, table_name, comment FROM duckdb_tables()
            WHERE database_name = current_database() AND schema_name IN ({marks})
            ORDER BY {order} END, table_name""",
        list(schemas),
    ).fetchall()
    lines = []
    for schema, table, comment in tables:
        lines += [f"### `{schema}.{table}`", "", _cell(comment) or "_(no description)_", ""]
        lines += ["| column | type | description |", "|---|---|---|"]
        for column, dtype, col_comment in con.execute(
            """SELECT column_name, data_type, comment FROM duckdb_columns()
               WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
               ORDER BY column_index""",
            [schema, table],
        ).fetchall():
            lines.append(f"| `{column}` | {dtype} | {_cell(col_comment)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def commented_shapes(warehouse_path: Path | str) -> duckdb.DuckDBPyConnection:
    """In-memory copy of the documented tables' shapes (no rows), with the comments applied.

    For a warehouse published before `apply_comments` was wired in, and for tests.
    """
    con = duckdb.connect()
    con.execute(f"ATTACH '{Path(warehouse_path)}' AS src (READ_ONLY)")
    rows = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'src' "
        f"AND schema_name IN {DOCUMENTED_SCHEMAS!r} ORDER BY 1, 2"
    ).fetchall()
    for schema, table in rows:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS memory.{schema}")
        con.execute(
            f'CREATE TABLE memory.{schema}."{table}" AS SELECT * FROM src.{schema}."{table}" '
            "LIMIT 0"
        )
    con.execute("DETACH src")
    apply_comments(con)
    return con


def replace_between_markers(document: str, generated: str) -> str:
    """`document` with the text between the data-dictionary markers replaced by `generated`."""
    start, end = document.find(START_MARKER), document.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"markers {START_MARKER} ... {END_MARKER} not found")
    head = document[: start + len(START_MARKER)]
    return f"{head}\n{generated.rstrip()}\n{document[end:]}"


def render_document(existing: str | None, generated: str) -> str:
    """The target file's new text: markers replaced if present, else a standalone page."""
    if existing and START_MARKER in existing and END_MARKER in existing:
        return replace_between_markers(existing, generated)
    header = (
        "# Data dictionary\n\n"
        "Generated from the table and column comments of the published warehouse "
        "(the contracts `sql/<schema>/<table>.yml`) by `scripts/gen_data_dictionary.py`: do not "
        "edit by hand.\n\n"
        "Units: shares are fractions 0-1, HHI is 0-10,000, amounts are in each row's `unit` "
        "(metric tonnes unless stated), trade values in US dollars.\n\n"
    )
    return f"{header}{START_MARKER}\n{generated.rstrip()}\n{END_MARKER}\n"
