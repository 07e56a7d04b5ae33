"""USGS prices of every bundled edition: the yearbook and DS-140 workbooks as published
(raw.usgs_myb_prices), conformed with MCS2026's price rows into staging.usgs_prices."""

import dagster as dg
import polars as pl

from pipelines.defs.production.assets import with_lineage
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.supply.assets import US_SALIENT
from pipelines.defs.tables import table_asset, table_result
from pipelines.lib.inputs import verify_snapshot
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.sources.landing import combined_version
from pipelines.lib.transforms import prices

RAW_MYB = dg.AssetKey(["raw", "usgs_myb_prices"])


@dg.asset(
    key=RAW_MYB,
    group_name="prices",
    kinds={"polars", "duckdb"},
    description="USGS Minerals Yearbook 2022 rare-earth tables (T3 oxide prices, T1 price rows) "
    "and DS-140 rare-earth unit values: every price cell as printed, one row per (file, sheet, "
    "cell), with its footnotes resolved and the file's sha256. Archived editions: snapshot only.",
)
def raw_usgs_myb_prices(
    sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    verify_snapshot(sources.snapshot, "usgs_myb")
    folder = sources.snapshot / "usgs_myb"
    files = {prices.MYB_TABLES: folder / prices.MYB_TABLES, prices.DS140: folder / prices.DS140}
    raw = pl.concat(
        [prices.read_myb_tables(files[prices.MYB_TABLES]), prices.read_ds140(files[prices.DS140])]
    )
    raw = with_lineage(raw, files, set())
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, "raw.usgs_myb_prices", raw)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(combined_version(raw["_sha256"])),
        metadata={
            "dagster/row_count": rows,
            "rows_by_sheet": dg.MetadataValue.json(
                {f"{e} {s}": n for e, s, n in raw.group_by("edition", "sheet").len().iter_rows()}
            ),
        },
    )


@table_asset("staging.usgs_prices", kinds={"polars", "duckdb"}, deps=[US_SALIENT, RAW_MYB])
def staging_usgs_prices(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    wh = warehouse.get()
    staged = prices.conform_prices(
        wh.read_table("staging.us_salient"),
        wh.read_table("raw.usgs_myb_prices").drop("_sha256", "_fetched_at", "_source"),
        rules=load_seed("usgs_price_series"),
        units=units(),
    )
    by_edition = dict(staged.group_by("edition").len().sort("edition").iter_rows())
    context.log.info(f"staging.usgs_prices: {staged.height} rows {by_edition}")
    with wh.connect() as con:
        wh.write_table(con, "staging.usgs_prices", staged)
        return table_result(
            con, "staging.usgs_prices", rows_by_edition=dg.MetadataValue.json(by_edition)
        )
