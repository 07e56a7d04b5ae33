"""US salient statistics (USGS MCS2026) and the critical-mineral lists: inputs of the supply
security marts (net import reliance, stockpile cover, scenarios)."""

import dagster as dg
import polars as pl

from pipelines.defs.reference.assets import country_lookup
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.transforms import salient, usgs

MCS2026 = "usgs_mcs/2026/MCS2026_Commodities_Data.csv"
US_SALIENT = table_key("staging.us_salient")


@table_asset(
    "staging.us_salient",
    kinds={"polars", "duckdb"},
    # raw.usgs_mcs_production lands the same MCS2026 data release: the table's lineage (and
    # the exports manifest's sources and licences) go through it
    deps=[
        table_key("staging.dim_country"),
        table_key("staging.country_alias"),
        table_key("raw.usgs_mcs_production"),
    ],
)
def staging_us_salient(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    raw = usgs.read_mcs2026_salient(sources.snapshot / MCS2026)
    staged = salient.conform_salient(
        raw,
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_salient_statistics"),
        units=units(),
        country_lookup=country_lookup(warehouse),
    )
    wh = warehouse.get()
    by_stat = dict(staged.group_by("statistic").len().sort("statistic").iter_rows())
    context.log.info(f"staging.us_salient: {staged.height} rows")
    with wh.connect() as con:
        wh.write_table(con, "staging.us_salient", staged)
        return table_result(
            con, "staging.us_salient", rows_by_statistic=dg.MetadataValue.json(by_stat)
        )


def critical_lists(seed: pl.DataFrame, salient_rows: pl.DataFrame) -> pl.DataFrame:
    """One row per (list, commodity): the seed's lists plus USGS 2025 from the file's own column."""
    usgs_2025 = (
        salient_rows.filter(pl.col("is_critical_2025"))
        .group_by("commodity")
        .agg(
            source_file=pl.col("source_file").first(),
            source_row=pl.col("source_row").min(),
        )
        .select(
            list=pl.lit("usgs_2025"),
            listed_as="commodity",
            commodity="commodity",
            source=pl.format(
                "USGS MCS2026 data release, column 'Is critical mineral 2025' ({}, row {})",
                "source_file",
                "source_row",
            ),
        )
    )
    rows = pl.concat([seed.filter(pl.col("commodity") != ""), usgs_2025])
    return (
        rows.group_by("list", "commodity")
        .agg(
            listed_as=pl.col("listed_as").unique().sort().str.join("; "),
            source=pl.col("source").first(),
        )
        .sort("list", "commodity")
    )


@table_asset("staging.dim_critical_list", kinds={"polars", "duckdb"}, deps=[US_SALIENT])
def staging_dim_critical_list(warehouse: WarehouseResource) -> dg.MaterializeResult:
    wh = warehouse.get()
    table = critical_lists(load_seed("critical_lists"), wh.read_table("staging.us_salient"))
    by_list = dict(table.group_by("list").len().sort("list").iter_rows())
    with wh.connect() as con:
        wh.write_table(con, "staging.dim_critical_list", table)
        return table_result(
            con, "staging.dim_critical_list", commodities_by_list=dg.MetadataValue.json(by_list)
        )
