"""Publish: the finished build replaces the analysts' warehouse atomically."""

from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.marts.assets import mart_assets
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.risk.assets import ALERTS


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
    with wh.connect() as con:
        con.execute(
            """
            CREATE OR REPLACE TABLE meta.refresh AS
            SELECT ?::TIMESTAMPTZ AS refreshed_at, ? AS run_id, ? AS source_mode""",
            [datetime.now(UTC), context.run_id, sources.mode],
        )
        counts = {
            f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "WHERE schema_name IN ('staging', 'marts') ORDER BY 1, 2"
            ).fetchall()
        }
    path = wh.publish()
    context.log.info(f"published {path}")
    return dg.MaterializeResult(metadata={"path": str(path), "tables": counts})
