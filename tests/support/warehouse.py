"""Reading a warehouse file in tests."""

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
