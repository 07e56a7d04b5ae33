"""Publish: the finished build replaces the analysts' warehouse atomically.

`published_warehouse_asset(upstream)` is a factory: `pipelines/definitions.py` passes it every
other table's asset key, so the publish step runs only after every step of the run has succeeded
(a failed step or blocking check skips it) and drops tables no current asset writes. It also
writes the meta tables (refresh, check results, source files) into the build before the copy,
and once published applies the landing's retention (`landing.retain`): the last
MINERALS_LANDING_KEEP versions of each file and the ones this warehouse was built from stay.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_key, table_result, table_spec
from pipelines.lib.catalog_docs import apply_comments
from pipelines.lib.sources.landing import retain
from pipelines.lib.sql import load_query, tables_read

PUBLISHED = dg.AssetKey(["serving", "published_warehouse"])
SOURCE_FILES_SQL = "meta/source_files.sql"
META_TABLES = ("meta.refresh", "meta.check_results", "meta.source_files")


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


def _drop_leftovers(con, keep: set[str]) -> list[str]:
    """Tables a removed or renamed model left in the persistent build: not published."""
    leftovers = [
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('raw', 'staging', 'marts', 'meta')"
        ).fetchall()
        if f"{s}.{t}" not in keep
    ]
    for table in leftovers:
        con.execute(f"DROP TABLE {table}")
    return leftovers


def published_warehouse_asset(upstream: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The publish step, downstream of every key in `upstream` (every table of the warehouse)."""
    tables = {".".join(k.path) for k in upstream} | set(META_TABLES)
    source_files_sql = load_query(SOURCE_FILES_SQL)

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                PUBLISHED,
                deps=[*upstream, *(table_key(t) for t in META_TABLES)],
                group_name="serving",
                kinds={"duckdb"},
                description="warehouse/minerals.duckdb, replaced atomically once every other "
                "step and every blocking check of this run has succeeded (a failure skips it).",
            ),
            table_spec("meta.refresh"),
            table_spec("meta.check_results"),
            table_spec(
                "meta.source_files",
                deps=[table_key(t) for t in tables_read(source_files_sql, where=SOURCE_FILES_SQL)],
            ),
        ],
    )
    def published_warehouse(
        context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
    ):
        wh = warehouse.get()
        checks = _check_results(context)
        with wh.connect() as con:
            dropped = _drop_leftovers(con, tables)
            if dropped:
                context.log.warning(f"dropped tables no current asset writes: {dropped}")
            con.execute(
                """CREATE OR REPLACE TABLE meta.refresh AS
                   SELECT ?::TIMESTAMPTZ AS refreshed_at, ? AS run_id, ? AS source_mode""",
                [datetime.now(UTC), context.run_id, sources.mode],
            )
            wh.write_table(con, "meta.check_results", checks)
            con.execute(f"CREATE OR REPLACE TABLE meta.source_files AS {source_files_sql}")
            # last: every CREATE OR REPLACE TABLE before this wiped that table's comments
            context.log.info(f"{apply_comments(con)} table/column comments applied")
            meta = [table_result(con, t) for t in META_TABLES]
            built_from = {
                sha for (sha,) in con.execute("SELECT sha256 FROM meta.source_files").fetchall()
            }
            counts = {
                f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
                for s, t in con.execute(
                    "SELECT schema_name, table_name FROM duckdb_tables() "
                    "WHERE schema_name IN ('staging', 'marts') ORDER BY 1, 2"
                ).fetchall()
            }
        path = wh.publish()
        context.log.info(f"published {path}")
        # landed versions: the last N of each file and those this warehouse was built from
        deleted = retain(
            Path(sources.landing_dir), keep_last=int(sources.landing_keep), keep_sha256=built_from
        )
        if deleted:
            context.log.info(f"retention: deleted {len(deleted)} older landed version(s)")
        yield from meta
        yield dg.MaterializeResult(
            asset_key=PUBLISHED,
            metadata={
                "path": str(path),
                "tables": counts,
                "checks_passed": int(checks["passed"].sum()),
                "checks": checks.height,
                "landed_versions_deleted": len(deleted),
            },
        )

    return published_warehouse
