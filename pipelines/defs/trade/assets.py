"""CEPII BACI bilateral trade: raw.baci_flows (HS92, 1995-2024) and raw.baci_flows_hs17 (HS17,
2022 and 2024, snapshot only) -> staging.trade_flows.

HS17 rows only add (commodity, stage) series that no HS92 code carries (rule in
pipelines/lib/transforms/trade.py and the seed notes): series 1995-2024 stay HS92-only.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.quality import gx_suite_check
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.defs.trade.partitions import baci_years, partition_years, single_run
from pipelines.lib.errors import SourceDataError
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
TRADE_FLOWS_TABLE = "staging.trade_flows"
TRADE_FLOWS = table_key(TRADE_FLOWS_TABLE)
RAW_BACI = "raw.baci_flows"


def _live_release(
    context: dg.AssetExecutionContext, sources: SourcesResource, work_dir: Path, years: list[int]
) -> tuple[Iterator[tuple[int, pl.LazyFrame]], str, str]:
    """Download (resumably) the BACI release and keep only the mapped HS6 codes, year by year.

    Each year's CSV is streamed out of the zip and filtered before anything is collected, then
    written to a Parquet file beside the landed zip: about 10 million rows a year in, a few
    thousand out. Returns the years' extracts (lazily, one at a time), the file and its sha256.
    """
    from pipelines.lib.sources import baci
    from pipelines.lib.sources.http import make_session

    landed = baci.land_release(
        make_session(),
        sources.baci_release_url,
        landing_root=Path(sources.landing_dir),
        policy=sources.policy(sources.baci_deadline_s),
    )
    state = "unchanged" if landed.reused else "new version"
    context.log.info(f"BACI: {landed.path.name} {state} (sha256 {landed.sha256[:12]})")
    verify_landed("baci", landed)
    seed = load_seed("hs_mineral")
    codes = set(seed.filter(pl.col("nomenclature") == trade.NOMENCLATURE)["hs6"])  # HS92 only
    out_dir = work_dir / "baci" / landed.sha256[:16]  # derived: not in the immutable landing
    out_dir.mkdir(parents=True, exist_ok=True)
    for older in out_dir.parent.iterdir():  # other releases' extracts: derived, not needed
        if older != out_dir:
            shutil.rmtree(older, ignore_errors=True)
    available = baci.year_members(landed.path)
    baci.require_years(landed.path.name, available, years)
    verify_snapshot(sources.snapshot, "reference/baci_country_codes")
    country_codes = pl.read_csv(sources.snapshot / BACI_COUNTRY_CODES, infer_schema=False)

    def extracts() -> Iterator[tuple[int, pl.LazyFrame]]:
        for year in sorted(years):
            part = out_dir / f"{year}.parquet"
            if part.exists():  # written atomically from this very zip (folder named by its sha256)
                context.log.info(f"BACI {year}: filtered before from the same release, reused")
            else:
                rows = baci.filter_year_to_parquet(landed.path, year, codes, part)
                context.log.info(f"BACI {year}: {rows:,} mineral flows kept")
            yield year, trade.release_to_extract(pl.scan_parquet(part), country_codes)

    return extracts(), landed.path.name, landed.sha256


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
    wh = warehouse.get()
    if sources.is_live:
        work_dir = wh.build_path.parent
        extracts, source_file, digest = _live_release(context, sources, work_dir, years)
    else:
        verify_snapshot(sources.snapshot, "baci/hs92")
        path = sources.snapshot / BACI_HS92
        source_file, digest = BACI_HS92, sha256_file(path)
        bundled = trade.read_baci_extract(path)
        extracts = ((year, bundled.filter(pl.col("year") == year)) for year in years)
    rows, hs6_codes = 0, set()
    for year, year_extract in extracts:  # one year in memory at a time, each its own lake file
        raw = year_extract.collect().with_columns(
            _source_file=pl.lit(source_file), _sha256=pl.lit(digest)
        )
        if raw.is_empty():  # every BACI year has thousands of mineral flows: a cut or bad file
            raise SourceDataError(
                "baci",
                source_file,
                f"no flows of the mapped HS6 codes in {year}",
                field="year",
            )
        wh.lake.write_year(RAW_BACI, year, raw)
        rows += raw.height
        hs6_codes |= set(raw["hs92_6"].unique().to_list())
        columns = raw.columns
    with wh.connect() as con:
        table_rows = wh.lake.load_table(con, RAW_BACI, columns)
    context.log.info(
        f"raw.baci_flows: {rows} rows for {years[0]}-{years[-1]} from "
        f"{source_file} (sha256 {digest[:12]}); {table_rows} rows in all years"
    )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(digest),  # the release or extract read
        metadata={
            "dagster/row_count": rows,
            "sha256": digest,
            "years": f"{years[0]}-{years[-1]}",
            "hs6_codes": len(hs6_codes),
            "lake": wh.lake.url,
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
    known = set(wh.read_table("staging.dim_country")["iso3"].to_list())
    hs_map = wh.read_table("staging.dim_hs_mineral")
    # One nomenclature per (commodity, stage) series: no double count, no break in 2022/2024
    trade.check_series_rule(hs_map)
    with wh.connect() as con:
        has_hs17 = wh.table_exists(con, BACI_HS17_TABLE)
    if not has_hs17:  # only when the HS17 raw asset was left out of a partial run
        context.log.warning(f"{BACI_HS17_TABLE} not materialized: HS92 flows only")
    summary: dict[str, int] = {}
    commodities: set[str] = set()
    rows = 0
    for year in years:  # a year at a time: memory bounded whatever the year range
        raw = wh.lake.read_year(RAW_BACI, year)
        if has_hs17:
            with wh.connect() as con:
                raw17 = con.sql(
                    f"SELECT * FROM {BACI_HS17_TABLE} WHERE year = ?", params=[year]
                ).pl()
        flows, year_summary = _conform_year(raw, raw17 if has_hs17 else None, hs_map, known)
        for k, v in year_summary.items():
            summary[k] = summary.get(k, 0) + v
        commodities |= set(flows["commodity"].unique().to_list())
        wh.lake.write_year(TRADE_FLOWS_TABLE, year, flows)
        rows += flows.height
        columns = flows.columns
    with wh.connect() as con:
        wh.lake.load_table(con, TRADE_FLOWS_TABLE, columns)
        context.log.info(f"staging.trade_flows: {rows} rows for {years[0]}-{years[-1]}; {summary}")
        return table_result(
            con, "staging.trade_flows", partial_rows=rows, **summary, commodities=len(commodities)
        )


# Rows per GX batch of the staging.trade_flows suite (whole years): bounds the suite's memory.
BATCH_RAW_ROWS = 250_000


def _conform_year(
    raw: pl.DataFrame, raw17: pl.DataFrame | None, hs_map: pl.DataFrame, known: set[str]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """raw.baci_flows (+ raw.baci_flows_hs17) rows -> staging.trade_flows rows, summary."""
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


trade_flows_suite = gx_suite_check(TRADE_FLOWS, by_year=True, batch_rows=BATCH_RAW_ROWS)
