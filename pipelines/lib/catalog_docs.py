"""Table and column comments (`sql/comments*.sql`) and the data dictionary generated from them.

`apply_comments(con)` runs on the build just before publish (every `CREATE OR REPLACE TABLE`
drops a table's comments, so they are applied once, last). `sql/comments.sql` covers the
production and risk tables; `sql/comments_trade.sql` the trade tables, each statement applied
only when its table exists. The README data dictionary is rendered from `duckdb_tables()` /
`duckdb_columns()` of the published warehouse by `scripts/gen_data_dictionary.py`.

File format: one statement per line, ending with `;`; lines starting with `--` are comments.
"""

import logging
import re
from pathlib import Path

import duckdb

from pipelines.lib.paths import SQL_DIR

log = logging.getLogger(__name__)

COMMENT_FILES = ("comments.sql", "comments_trade.sql", "comments_supply.sql")
DOCUMENTED_SCHEMAS = ("staging", "marts", "meta")
START_MARKER = "<!-- data-dictionary:start -->"
END_MARKER = "<!-- data-dictionary:end -->"

_TARGET = re.compile(
    r"^COMMENT ON (?P<kind>TABLE|COLUMN)\s+(?P<schema>\w+)\.(?P<table>\w+)"
    r'(?:\."?(?P<column>\w+)"?)?\s+IS\s',
    re.I,
)


class CommentError(ValueError):
    """A comment names a column that does not exist, or a statement cannot be parsed."""


def load_statements(path: Path) -> list[str]:
    """The statements of one comments file: every non-blank line not starting with `--`."""
    statements = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("--"):
            continue
        if not line.endswith(";") or not _TARGET.match(line):
            raise CommentError(f"{path.name}:{number}: expected one COMMENT ON ... ; per line")
        statements.append(line)
    return statements


def contract_statements(sql_dir: Path = SQL_DIR) -> list[str]:
    """COMMENT statements from the `sql/<schema>/<table>.yml` contracts (issue 9 tables; the
    Contracts refactor generates these for every table)."""
    import yaml

    def quoted(text: str) -> str:
        return "'" + " ".join(str(text).split()).replace("'", "''") + "'"

    statements = []
    for path in sorted(sql_dir.glob("*/*.yml")):
        contract = yaml.safe_load(path.read_text())
        table = f"{path.parent.name}.{path.stem}"
        statements.append(f"COMMENT ON TABLE {table} IS {quoted(contract['description'])};")
        for column, spec in contract.get("columns", {}).items():
            text = spec["description"] if isinstance(spec, dict) else spec
            statements.append(f'COMMENT ON COLUMN {table}."{column}" IS {quoted(text)};')
    return statements


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
    """Apply `sql/comments*.sql` to the tables that exist; returns the statements applied.

    A statement for a table that does not exist is skipped (trade tables may be absent). One
    for a missing column of an existing table means the comments file is stale: it raises
    CommentError when `strict`, else it is skipped with a warning.
    """
    tables = _columns(con)
    applied = 0
    sources = [(n, load_statements(sql_dir / n)) for n in COMMENT_FILES if (sql_dir / n).exists()]
    for name, statements in [*sources, ("contracts", contract_statements(sql_dir))]:
        for statement in statements:
            target = _TARGET.match(statement)
            key = (target["schema"], target["table"])
            if key not in tables:
                continue
            column = target["column"]
            if target["kind"].upper() == "COLUMN" and column not in tables[key]:
                message = f"{name}: {key[0]}.{key[1]} has no column {column!r}"
                if strict:
                    raise CommentError(message)
                log.warning("%s (comment skipped)", message)
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
        "(`sql/comments*.sql`) by `scripts/gen_data_dictionary.py`: do not edit by hand.\n\n"
        "Units: shares are fractions 0-1, HHI is 0-10,000, amounts are in each row's `unit` "
        "(metric tonnes unless stated), trade values in US dollars.\n\n"
    )
    return f"{header}{START_MARKER}\n{generated.rstrip()}\n{END_MARKER}\n"
