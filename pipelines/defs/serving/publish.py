"""Publish: the finished build replaces the analysts' warehouse atomically."""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from pipelines.defs.marts.assets import mart_assets
from pipelines.defs.resources import ALSO_WRITES, SourcesResource, WarehouseResource
from pipelines.defs.risk.assets import ALERTS
from pipelines.lib.catalog_docs import apply_comments
from pipelines.lib.sql import load_query


def _check_results(context: dg.AssetExecutionContext) -> pl.DataFrame:
    """Every asset check evaluated in this run, as a table for `minerals status`."""
    records = context.instance.get_records_for_run(
        run_id=context.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    rows = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        rows.append(
            {
                "asset": evaluation.asset_key.to_user_string().replace("/", "."),
                "check_name": evaluation.check_name,
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
                "description": evaluation.description,
            }
        )
    schema = {
        "asset": pl.String,
        "check_name": pl.String,
        "passed": pl.Boolean,
        "severity": pl.String,
        "description": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _tables_the_code_writes() -> set[str]:
    """`schema.table` of every asset, plus the side tables assets declare under ALSO_WRITES."""
    from pipelines.definitions import defs  # at run time: this module is part of those defs

    tables = set()
    for assets_def in defs.assets:
        for spec in assets_def.specs:
            tables.add(".".join(spec.key.path))
            tables.update(spec.metadata.get(ALSO_WRITES, []))
    return tables


def _drop_leftovers(con, keep: set[str]) -> list[str]:
    """Tables a removed or renamed model left in the persistent build: not published."""
    leftovers = [
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('raw', 'staging', 'marts')"
        ).fetchall()
        if f"{s}.{t}" not in keep
    ]
    for table in leftovers:
        con.execute(f"DROP TABLE {table}")
    return leftovers


@dg.asset(
    key=["serving", "published_warehouse"],
    group_name="serving",
    kinds={"duckdb"},
    deps=[*(a.key for a in mart_assets), ALERTS],
    description="warehouse/minerals.duckdb, replaced atomically once every mart and every "
    "blocking check of this run has succeeded (a failed check skips this step).",
)
def published_warehouse(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    wh = warehouse.get()
    checks = _check_results(context)
    with wh.connect() as con:
        dropped = _drop_leftovers(con, _tables_the_code_writes())
        if dropped:
            context.log.warning(f"dropped tables no current asset writes: {dropped}")
        con.execute(
            """CREATE OR REPLACE TABLE meta.refresh AS
               SELECT ?::TIMESTAMPTZ AS refreshed_at, ? AS run_id, ? AS source_mode""",
            [datetime.now(UTC), context.run_id, sources.mode],
        )
        wh.write_table(con, "meta.check_results", checks)
        con.execute(
            f"CREATE OR REPLACE TABLE meta.source_files AS {load_query('meta/source_files.sql')}"
        )
        # last: every CREATE OR REPLACE TABLE before this wiped that table's comments
        context.log.info(f"{apply_comments(con)} table/column comments applied")
        counts = {
            f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "WHERE schema_name IN ('staging', 'marts') ORDER BY 1, 2"
            ).fetchall()
        }
    path = wh.publish()
    context.log.info(f"published {path}")
    return dg.MaterializeResult(
        metadata={
            "path": str(path),
            "tables": counts,
            "checks_passed": int(checks["passed"].sum()),
            "checks": checks.height,
        }
    )
