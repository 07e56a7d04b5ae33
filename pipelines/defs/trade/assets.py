"""CEPII BACI bilateral trade: raw.baci_flows (HS92, 1995-2024) and raw.baci_flows_hs17 (HS17,
2022 and 2024, snapshot only) -> staging.trade_flows.

HS17 rows only add (commodity, stage) series that no HS92 code carries (rule in
pipelines/lib/transforms/trade.py and the seed notes): series 1995-2024 stay HS92-only.
"""

from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.quality import gx_suite_check, known_iso3, year_batches
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.defs.trade.partitions import baci_years, partition_years, single_run
from pipelines.lib.inputs import verify_landed, verify_snapshot
from pipelines.lib.seeds import load_seed
from pipelines.lib.sources.landing import combined_version, sha256_file
from pipelines.lib.transforms import trade

BACI_HS92 = "baci/hs92/baci_hs92_critical_1995_2024.parquet"
# HS17 extract (snapshot only): 2024 with value and quantity, 2022 value only (USD)
BACI_HS17_2024 = "baci/hs17/trade.parquet"
BACI_HS17_2022 = "baci/hs17/baci_2022.csv"
BACI_HS17_FILES = f"{BACI_HS17_2022} + {BACI_HS17_2024}"
BACI_HS17_TABLE = "raw.baci_flows_hs17"
BACI_COUNTRY_CODES = "reference/baci_country_codes/country_codes_V202601.csv"
TRADE_FLOWS = table_key("staging.trade_flows")


def _live_release(
    context: dg.AssetExecutionContext, sources: SourcesResource, work_dir: Path, years: list[int]
) -> tuple[pl.DataFrame, str, str]:
    """Download (resumably) the BACI release and keep only the mapped HS6 codes, year by year.

    Each year's CSV is streamed out of the zip and filtered before anything is collected, then
    written to a Parquet file beside the landed zip: about 10 million rows a year in, a few
    thousand out.
    """
    from pipelines.lib.sources import baci
    from pipelines.lib.sources.http import RetryPolicy, make_session

    landed = baci.land_release(
        make_session(),
        sources.baci_release_url,
        landing_root=Path(sources.landing_dir),
        policy=RetryPolicy(timeout_s=sources.timeout_s),
    )
    state = "unchanged" if landed.reused else "new version"
    context.log.info(f"BACI: {landed.path.name} {state} (sha256 {landed.sha256[:12]})")
    verify_landed("baci", landed)
    seed = load_seed("hs_mineral")
    codes = set(seed.filter(pl.col("nomenclature") == trade.NOMENCLATURE)["hs6"])  # HS92 only
    out_dir = work_dir / "baci" / landed.sha256[:16]  # derived: not in the immutable landing
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = []
    available = baci.year_members(landed.path)
    baci.require_years(landed.path.name, available, years)
    for year in sorted(years):
        part = out_dir / f"{year}.parquet"
        if part.exists():  # written atomically from this very zip (folder named by its sha256)
            context.log.info(f"BACI {year}: filtered before from the same release, reused")
        else:
            rows = baci.filter_year_to_parquet(landed.path, year, codes, part)
            context.log.info(f"BACI {year}: {rows:,} mineral flows kept")
        parts.append(part)
    verify_snapshot(sources.snapshot, "reference/baci_country_codes")
    country_codes = pl.read_csv(sources.snapshot / BACI_COUNTRY_CODES, infer_schema=False)
    if not parts:
        empty = trade.release_to_extract(pl.LazyFrame(schema=_FILTERED_SCHEMA), country_codes)
        return empty.collect(), landed.path.name, landed.sha256
    raw = trade.release_to_extract(pl.scan_parquet(parts), country_codes).collect()
    return raw, landed.path.name, landed.sha256


_FILTERED_SCHEMA = {
    "year": pl.Int64,
    "hs6": pl.String,
    "exporter_code": pl.Int64,
    "importer_code": pl.Int64,
    "value_kusd": pl.Float64,
    "quantity_t": pl.Float64,
}


@dg.asset(
    key=["raw", "baci_flows"],
    partitions_def=baci_years,
    backfill_policy=single_run,
    group_name="trade",
    kinds={"polars", "duckdb"},
    description="CEPII BACI (HS92, 1995-2024) bilateral flows for 48 critical-mineral HS6 codes "
    "as delivered: value in thousand USD, quantity in tonnes, BACI country codes; with the "
    "file name and sha256. Partitioned by year: a run rewrites only its years.",
)
def raw_baci_flows(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    years = partition_years(context)
    if sources.is_live:
        work_dir = warehouse.get().build_path.parent
        raw, source_file, digest = _live_release(context, sources, work_dir, years)
    else:
        verify_snapshot(sources.snapshot, "baci/hs92")
        path = sources.snapshot / BACI_HS92
        source_file, digest = BACI_HS92, sha256_file(path)
        raw = trade.read_baci_extract(path).filter(pl.col("year").is_in(years)).collect()
    raw = raw.with_columns(_source_file=pl.lit(source_file), _sha256=pl.lit(digest))
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.replace_years(
            con,
            "raw.baci_flows",
            raw,
            years,
            all_years=len(years) == len(baci_years.get_partition_keys()),
        )
    context.log.info(
        f"raw.baci_flows: {rows} rows for {years[0]}-{years[-1]} from "
        f"{source_file} (sha256 {digest[:12]})"
    )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(digest),  # the release or extract read
        metadata={
            "dagster/row_count": rows,
            "sha256": digest,
            "years": f"{years[0]}-{years[-1]}",
            "hs6_codes": raw["hs92_6"].n_unique(),
        },
    )


@dg.asset(
    key=["raw", "baci_flows_hs17"],
    group_name="trade",
    kinds={"polars", "duckdb"},
    description="CEPII BACI (HS2017) bilateral flows for 30 HS6 codes, 2022 and 2024, from the "
    "bundled snapshot in both modes (live mode still downloads only the HS92 release): 2024 "
    "from trade.parquet (thousand USD, tonnes), 2022 from baci_2022.csv (USD / 1000, no "
    "quantity); the HS92 extract's shape with hs17_6, plus file name and sha256 per row.",
)
def raw_baci_flows_hs17(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if sources.is_live:
        context.log.info("BACI HS17 comes from the bundled snapshot (no HS17 release is fetched)")
    verify_snapshot(sources.snapshot, "baci/hs17")
    parts = []
    for rel, read in (
        (BACI_HS17_2022, trade.read_baci_hs17_csv),
        (BACI_HS17_2024, trade.read_baci_hs17_parquet),
    ):
        path = sources.snapshot / rel
        parts.append(
            read(path).with_columns(_source_file=pl.lit(rel), _sha256=pl.lit(sha256_file(path)))
        )
    raw = pl.concat(parts)
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, BACI_HS17_TABLE, raw)
    context.log.info(
        f"{BACI_HS17_TABLE}: {rows} rows from the snapshot ({BACI_HS17_2022}, {BACI_HS17_2024})"
    )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(combined_version(raw["_sha256"])),  # the files read
        metadata={
            "dagster/row_count": rows,
            "years": ", ".join(str(y) for y in sorted(raw["year"].unique())),
            "hs6_codes": raw["hs17_6"].n_unique(),
            "mode": "snapshot",
        },
    )


@table_asset(
    "staging.trade_flows",
    partitions_def=baci_years,
    backfill_policy=single_run,
    kinds={"polars", "duckdb"},
    deps=[
        raw_baci_flows,
        raw_baci_flows_hs17,
        table_key("staging.dim_country"),
        table_key("staging.dim_hs_mineral"),
    ],
)
def staging_trade_flows(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    wh = warehouse.get()
    years = partition_years(context)
    all_years = len(years) == len(baci_years.get_partition_keys())
    known = set(wh.read_table("staging.dim_country")["iso3"].to_list())
    hs_map = wh.read_table("staging.dim_hs_mineral")
    # One nomenclature per (commodity, stage) series: no double count, no break in 2022/2024
    trade.check_series_rule(hs_map)
    with wh.connect() as con:
        has_hs17 = wh.table_exists(con, BACI_HS17_TABLE)
        batches = year_batches(con, "raw.baci_flows", years, BATCH_RAW_ROWS)
    if not has_hs17:  # only when the HS17 raw asset was left out of a partial run
        context.log.warning(f"{BACI_HS17_TABLE} not materialized: HS92 flows only")
    summary: dict[str, int] = {}
    commodities: set[str] = set()
    rows = 0
    for n, batch in enumerate(batches):  # a bounded number of raw rows in memory at a time
        flows, batch_summary = _conform_years(wh, batch, hs_map, known, has_hs17)
        for k, v in batch_summary.items():
            summary[k] = summary.get(k, 0) + v
        commodities |= set(flows["commodity"].unique().to_list())
        with wh.connect() as con:
            # the first batch of a full run replaces the table; later ones replace their years
            rows += wh.replace_years(
                con,
                "staging.trade_flows",
                flows,
                years if n == 0 else batch,
                all_years=all_years and n == 0,
            )
    with wh.connect() as con:
        context.log.info(f"staging.trade_flows: {rows} rows for {years[0]}-{years[-1]}; {summary}")
        return table_result(
            con, "staging.trade_flows", partial_rows=rows, **summary, commodities=len(commodities)
        )


# Raw rows conformed at once by staging.trade_flows (and rows per GX batch of its suite): bounds
# memory whatever the year range; at 500,000 the 10-year benchmark peaked at 910 MiB.
BATCH_RAW_ROWS = 250_000


def _conform_years(
    wh, years: list[int], hs_map: pl.DataFrame, known: set[str], has_hs17: bool
) -> tuple[pl.DataFrame, dict[str, int]]:
    """raw.baci_flows (+ raw.baci_flows_hs17) of `years` -> staging.trade_flows rows, summary."""
    with wh.connect() as con:
        raw = _read_years(con, "raw.baci_flows", years)
        raw17 = _read_years(con, BACI_HS17_TABLE, years) if has_hs17 else None
    flows = trade.conform_baci(raw, hs_map, known, file=BACI_HS92)
    summary = trade.summarise(raw, flows, hs_map)
    summary["hs17_rows"] = 0
    if raw17 is not None:
        flows17 = trade.conform_baci(
            raw17, hs_map, known, file=BACI_HS17_FILES, nomenclature=trade.HS17
        )
        summary17 = trade.summarise(raw17, flows17, hs_map, nomenclature=trade.HS17)
        flows = trade.combine_nomenclatures(flows, flows17)
        summary = {k: v + summary17.get(k, 0) for k, v in summary.items()}
        summary["hs17_rows"] = flows17.height
    return flows, summary


def _read_years(con, table: str, years: list[int]) -> pl.DataFrame:
    return con.sql(
        f"SELECT * FROM {table} WHERE year IN (SELECT unnest(?::INT[]))", params=[years]
    ).pl()


def trade_iso3_codes(warehouse: WarehouseResource) -> dict:
    """ISO3 of staging.dim_country plus the historical BACI entities kept on purpose."""
    codes = known_iso3(warehouse)["iso3_codes"]
    return {"iso3_codes": [*codes, *trade.BACI_HISTORICAL]}


trade_flows_suite = gx_suite_check(
    TRADE_FLOWS,
    id_columns=["nomenclature", "year", "hs6", "exporter_iso3", "importer_iso3"],
    parameters=trade_iso3_codes,
    by_year=True,
    batch_rows=BATCH_RAW_ROWS,
)
