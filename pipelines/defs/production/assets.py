"""USGS and IEA production by country: raw as published -> staging.production."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.reference.assets import DIM_COUNTRY, country_lookup
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_result, table_spec
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.sources.catalog import IEA_LIVE_FILES, USGS_LIVE_FILES, LiveFile
from pipelines.lib.sources.http import sha256_file
from pipelines.lib.transforms import iea, production, usgs

IEA_WORKBOOK = "iea/CM_Data_Explorer_May2024.xlsx"
IEA_JSON_2025 = "iea/iea_cm_data_explorer_2025ed_derived.json"


def _with_lineage(df: pl.DataFrame, files: dict[str, Path], root_name: str) -> pl.DataFrame:
    """Add `_sha256` and `_fetched_at` per source file to raw rows."""
    lineage = pl.DataFrame(
        [
            (name, sha256_file(p), datetime.fromtimestamp(p.stat().st_mtime, UTC))
            for name, p in files.items()
        ],
        schema={
            "source_file": pl.String,
            "_sha256": pl.String,
            "_fetched_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )
    return df.join(lineage, on="source_file", how="left").with_columns(_source=pl.lit(root_name))


def _land(
    context: dg.AssetExecutionContext,
    sources: SourcesResource,
    files: list[LiveFile],
    base_url: str,
) -> list[Path]:
    from pipelines.lib.sources.http import RetryPolicy, land_file, make_session

    session = make_session()
    landed = []
    for item in files:
        result = land_file(
            session,
            item.url(base_url),
            source=item.source,
            filename=item.filename,
            landing_root=Path(sources.landing_dir),
            policy=RetryPolicy(timeout_s=sources.timeout_s),
        )
        state = "unchanged" if result.reused else "new version"
        context.log.info(
            f"{item.source}: {item.filename} {state} ({result.size_bytes:,} bytes, "
            f"sha256 {result.sha256[:12]})"
        )
        landed.append(result.path)
    return landed


@dg.asset(
    key=["raw", "usgs_mcs_production"],
    group_name="production",
    kinds={"polars", "duckdb"},
    description="USGS Mineral Commodity Summaries 2022-2026: every published production cell, "
    "strings as printed, one row per (file, row, year column), with file sha256.",
)
def raw_usgs_mcs_production(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    paths = usgs.snapshot_files(sources.snapshot / "usgs_mcs")
    if sources.is_live:
        live = _land(context, sources, USGS_LIVE_FILES, sources.usgs_base_url)
        live_names = {p.name for p in live}
        paths = [p for p in paths if p.name not in live_names] + live
    raw = usgs.read_usgs_files(paths)
    files = {usgs.source_label(p): p for p in paths}
    raw = _with_lineage(raw, files, "live" if sources.is_live else "snapshot")
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, "raw.usgs_mcs_production", raw)
    by_edition = raw.group_by("edition").len().sort("edition")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "files": len(files),
            "rows_by_edition": dg.MetadataValue.json(dict(by_edition.iter_rows())),
        }
    )


@dg.asset(
    key=["raw", "iea_supply"],
    group_name="production",
    kinds={"polars", "duckdb"},
    description="IEA Critical Minerals Data Explorer supply tables (2024 workbook, 2025 JSON): "
    "every country, Rest of world, Total and Top 3 share cell, kt.",
)
def raw_iea_supply(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    workbook = sources.snapshot / IEA_WORKBOOK
    if sources.is_live:
        (workbook,) = _land(context, sources, IEA_LIVE_FILES, sources.iea_base_url)
    json_2025 = sources.snapshot / IEA_JSON_2025  # third-party conversion: snapshot only
    raw = pl.concat([iea.read_workbook(workbook), iea.read_json_2025(json_2025)])
    raw = _with_lineage(
        raw,
        {workbook.name: workbook, json_2025.name: json_2025},
        "live" if sources.is_live else "snapshot",
    )
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, "raw.iea_supply", raw)
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "editions": raw["edition"].unique().sort().to_list()}
    )


@dg.multi_asset(
    specs=[
        table_spec(
            "staging.production",
            deps=[raw_usgs_mcs_production, raw_iea_supply, DIM_COUNTRY],
            kinds={"polars", "duckdb"},
        ),
        table_spec("staging.iea_published_top3", deps=[raw_iea_supply], kinds={"polars", "duckdb"}),
    ],
)
def staging_production(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    wh = warehouse.get()
    lookup = country_lookup(warehouse)
    usgs_rows = production.conform_usgs(
        wh.read_table("raw.usgs_mcs_production"),
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_series_rules"),
        units=units(),
        country_lookup=lookup,
    )
    raw_iea = wh.read_table("raw.iea_supply")
    iea_rows = production.conform_iea(raw_iea, country_lookup=lookup)
    staged = production.mark_latest_edition(pl.concat([usgs_rows, iea_rows]))
    published_top3 = production.iea_published_top3(raw_iea)
    flags = staged.group_by("value_flag").len().sort("len", descending=True)
    context.log.info(f"staging.production: {staged.height} rows; flags {dict(flags.iter_rows())}")
    with wh.connect() as con:
        wh.write_table(con, "staging.production", staged)
        wh.write_table(con, "staging.iea_published_top3", published_top3)
        yield table_result(
            con,
            "staging.production",
            commodities=staged["commodity"].n_unique(),
            value_flags=dg.MetadataValue.json(dict(flags.iter_rows())),
            preview=dg.MetadataValue.md(
                staged.filter(pl.col("commodity") == "rare_earths", pl.col("is_latest_edition"))
                .head(10)
                .select("source", "edition", "stage", "year", "country", "amount", "value_flag")
                .to_pandas()
                .to_markdown(index=False)
            ),
        )
        yield table_result(con, "staging.iea_published_top3")
