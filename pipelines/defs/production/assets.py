"""USGS and IEA production by country: raw as published -> staging.production."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.reference.assets import DIM_COUNTRY, country_lookup
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_result, table_spec
from pipelines.lib.inputs import verify_landed, verify_snapshot
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.sources import inbox, sciencebase
from pipelines.lib.sources.catalog import USGS_LIVE_FILES
from pipelines.lib.sources.http import make_session
from pipelines.lib.sources.landing import combined_version, sha256_file
from pipelines.lib.transforms import iea, production, usgs

IEA_WORKBOOK = "iea/CM_Data_Explorer_May2024.xlsx"
IEA_JSON_2025 = "iea/iea_cm_data_explorer_2025ed_derived.json"


def with_lineage(df: pl.DataFrame, files: dict[str, Path], live: set[Path]) -> pl.DataFrame:
    """Add `_sha256`, `_fetched_at` and `_source` (live | snapshot) per source file to raw rows."""
    lineage = pl.DataFrame(
        [
            (
                name,
                sha256_file(p),
                datetime.fromtimestamp(p.stat().st_mtime, UTC),
                "live" if p in live else "snapshot",
            )
            for name, p in files.items()
        ],
        schema={
            "source_file": pl.String,
            "_sha256": pl.String,
            "_fetched_at": pl.Datetime("us", "UTC"),
            "_source": pl.String,
        },
        orient="row",
    )
    return df.join(lineage, on="source_file", how="left")


def _log_landed(context: dg.AssetExecutionContext, source: str, landed) -> None:
    state = "unchanged" if landed.reused else "new version"
    context.log.info(
        f"{source}: {landed.path.name} {state} ({landed.size_bytes:,} bytes, "
        f"sha256 {landed.sha256[:12]}, from {landed.url})"
    )


def _land_usgs(context: dg.AssetExecutionContext, sources: SourcesResource) -> list[Path]:
    """The current USGS releases, their links resolved from each ScienceBase item's JSON."""
    session = make_session()
    landed = []
    for item in USGS_LIVE_FILES:
        result = sciencebase.land_item_file(
            session,
            item.item_id,
            item.filename,
            landing_root=Path(sources.landing_dir),
            base_url=sources.usgs_base_url,
            policy=sources.policy(sources.usgs_deadline_s),
        )
        _log_landed(context, "usgs_mcs", result)
        verify_landed("usgs_mcs", result)
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
    verify_snapshot(sources.snapshot, "usgs_mcs")
    paths = usgs.snapshot_files(sources.snapshot / "usgs_mcs")
    live = _land_usgs(context, sources) if sources.is_live else []
    if live:  # archived editions (MCS2022-2024) stay from the snapshot, and the log says so
        live_names = {p.name for p in live}
        paths = [p for p in paths if p.name not in live_names] + live
        context.log.info(
            "USGS: current releases live; archived editions from the snapshot: "
            + ", ".join(sorted(usgs.source_label(p) for p in paths if p not in live))
        )
    raw = usgs.read_usgs_files(paths)
    files = {usgs.source_label(p): p for p in paths}
    raw = with_lineage(raw, files, set(live))
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, "raw.usgs_mcs_production", raw)
    by_edition = raw.group_by("edition").len().sort("edition")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(combined_version(raw["_sha256"])),  # the files read
        metadata={
            "dagster/row_count": rows,
            "files": len(files),
            "rows_by_edition": dg.MetadataValue.json(dict(by_edition.iter_rows())),
        },
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
    verify_snapshot(sources.snapshot, "iea")
    workbook = sources.snapshot / IEA_WORKBOOK
    live = set()
    if sources.is_live:  # no keyless download: the newest workbook the user put in the inbox
        landed = inbox.land_from_inbox(
            Path(sources.inbox_dir), "iea", landing_root=Path(sources.landing_dir)
        )
        _log_landed(context, "iea", landed)
        workbook, live = landed.path, {landed.path}
        context.log.info(f"IEA 2025 edition from the snapshot ({IEA_JSON_2025})")
    json_2025 = sources.snapshot / IEA_JSON_2025  # third-party conversion: snapshot only
    raw = pl.concat([iea.read_workbook(workbook), iea.read_json_2025(json_2025)])
    raw = with_lineage(raw, {workbook.name: workbook, json_2025.name: json_2025}, live)
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, "raw.iea_supply", raw)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(combined_version(raw["_sha256"])),  # the files read
        metadata={
            "dagster/row_count": rows,
            "editions": raw["edition"].unique().sort().to_list(),
        },
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
