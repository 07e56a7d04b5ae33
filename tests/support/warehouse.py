"""Reading a warehouse file in tests."""

import math

import duckdb


def alert_history(path) -> list[tuple]:
    """marts.alerts as (alert_key, first_seen_at, first_seen_run_id), sorted: the durable state
    a rebuilt or recovered build must keep."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT alert_key, first_seen_at, first_seen_run_id FROM marts.alerts ORDER BY 1"
        ).fetchall()
    finally:
        con.close()


def marts_contents(path) -> dict[str, list[tuple]]:
    """Every marts table's rows, sorted, for comparing two warehouses built apart (with
    `same_rows`): timestamps and run ids (when and by which run) left out."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        contents = {}
        for table in tables:
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
            select = ", ".join(
                f'"{c}"'
                for c, kind in columns
                if not kind.startswith("TIMESTAMP") and not c.endswith("run_id")
            )
            contents[table] = con.execute(
                f"SELECT {select} FROM marts.{table} ORDER BY ALL"
            ).fetchall()
        return contents
    finally:
        con.close()


def same_rows(got: list[tuple], expected: list[tuple], rel: float = 1e-9) -> bool:
    """Equal rows, doubles within `rel` of each other: the order DuckDB's threads add doubles in
    moves their last bits from one build to the next."""
    if len(got) != len(expected):
        return False
    for a, b in zip(got, expected, strict=True):
        for x, y in zip(a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=rel, abs_tol=rel) and not (x != x and y != y):
                    return False
            elif x != y:
                return False
    return True
