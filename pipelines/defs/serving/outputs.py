"""What the published warehouse feeds: Parquet exports and the static dashboard.

Both read the PUBLISHED file read-only (never the build), after the publish step.
"""

from collections.abc import Mapping

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.serving.publish import PUBLISHED
from pipelines.lib.exports import export_marts, table_sources


def exports_asset(upstream: Mapping[str, set[str]]) -> dg.AssetsDefinition:
    """The exports asset, given the graph's lineage ({"schema.table": the tables it is built
    from}; `pipelines/definitions.py` passes it) to name each export's sources and terms."""
    marts = sorted(t for t in upstream if t.startswith("marts."))
    sources_of = table_sources(upstream, marts)

    @dg.asset(
        key=["serving", "exports"],
        group_name="serving",
        kinds={"parquet", "duckdb"},
        deps=[PUBLISHED],
        description="warehouse/exports/: every marts table as Parquet plus manifest.json "
        "(schema version, refresh time, row counts, column types, sources and licences, and "
        "per table the sources it is built from with their terms), swapped in atomically.",
    )
    def exports(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        wh = warehouse.get()
        out = wh.directory / "exports"
        manifest = export_marts(wh.published_path, out, sources_of)
        rows = {name: t["rows"] for name, t in manifest["tables"].items()}
        context.log.info(f"exported {len(rows)} marts to {out}")
        return dg.MaterializeResult(
            metadata={
                "path": str(out),
                "tables": rows,
                "refreshed_at": manifest["refreshed_at"] or "unknown",
            }
        )

    return exports


@dg.asset(
    key=["serving", "dashboard"],
    group_name="serving",
    kinds={"html"},
    deps=[PUBLISHED],
    description="warehouse/dashboard/index.html: a self-contained offline dashboard on "
    "Vega-Lite (mining vs refining concentration, China's share over time, import dependence "
    "heatmap, most concentrated stages, export controls, alerts) with mineral and importer "
    "pickers.",
)
def dashboard(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    # imported here: Altair and vl-convert cost every other process (workers, the UI) 0.5 s
    from pipelines.lib.dashboard import build_dashboard

    wh = warehouse.get()
    path = build_dashboard(wh.published_path, wh.directory / "dashboard")
    context.log.info(f"dashboard written to {path}")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size}
    )
