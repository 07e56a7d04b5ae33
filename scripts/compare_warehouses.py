"""Compare two published warehouses table by table: columns, comments and rows.

    python scripts/compare_warehouses.py BEFORE.duckdb AFTER.duckdb

For a refactor that must not change what analysts see. Prints, per table of staging/marts/meta:
same | added | removed | differing columns, comments or rows (symmetric difference count).
Alert timestamps and run ids differ by nature and are left out; doubles are compared to 9
significant digits. Exit 1 if anything differs.
"""

import sys

import duckdb

VOLATILE = {"first_seen_at", "first_seen_run_id", "refreshed_at", "run_id", "fetched_at"}


def main(before: str, after: str) -> int:
    con = duckdb.connect()
    con.execute(f"ATTACH '{before}' AS b (READ_ONLY)")
    con.execute(f"ATTACH '{after}' AS a (READ_ONLY)")

    def tables(db):
        return {
            f"{s}.{t}": c
            for s, t, c in con.execute(
                "SELECT schema_name, table_name, comment FROM duckdb_tables() "
                "WHERE database_name = ? AND schema_name IN ('staging', 'marts', 'meta')",
                [db],
            ).fetchall()
        }

    def columns(db, table):
        s, t = table.split(".")
        return con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() "
            "WHERE database_name = ? AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [db, s, t],
        ).fetchall()

    tb, ta = tables("b"), tables("a")
    differs = False
    for table in sorted(tb.keys() | ta.keys()):
        if table not in ta or table not in tb:
            print(f"{table:40} {'removed' if table not in ta else 'added'}")
            differs |= table not in ta
            continue
        cb, ca = columns("b", table), columns("a", table)
        notes = []
        if [c[:2] for c in cb] != [c[:2] for c in ca]:
            notes.append("columns differ")
        if tb[table] != ta[table] or [c[2] for c in cb] != [c[2] for c in ca]:
            notes.append("comments differ")
        if not notes and table != "meta.check_results":
            # doubles to 9 significant digits: DuckDB's parallel sums vary in the last bits
            cols = ", ".join(
                f"printf('%.9g', \"{c[0]}\")" if c[1] in ("DOUBLE", "FLOAT") else f'"{c[0]}"'
                for c in cb
                if c[0] not in VOLATILE
            )
            (n,) = con.execute(
                f"SELECT count(*) FROM ((SELECT {cols} FROM b.{table} EXCEPT ALL "
                f"SELECT {cols} FROM a.{table}) UNION ALL (SELECT {cols} FROM a.{table} "
                f"EXCEPT ALL SELECT {cols} FROM b.{table}))"
            ).fetchone()
            if n:
                notes.append(f"{n} rows differ")
        differs |= bool(notes)
        print(f"{table:40} {'; '.join(notes) or 'same'}")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
