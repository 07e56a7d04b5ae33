"""UN Comtrade reporter declarations, kept to check BACI's reconciled flows against them."""

import dagster as dg
import polars as pl

from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.lib.inputs import verify_snapshot
from pipelines.lib.seeds import load_seed
from pipelines.lib.sources.comtrade import ComtradeClient, conform_comtrade, read_extract_csv
from pipelines.lib.sources.landing import frame_version

COMTRADE_SNAPSHOT = "comtrade/comtrade_imports_usa_jpn_2022_2024.csv"
# Reporters whose declarations are compared: their partner rows add up to their World row.
REPORTERS = (842, 392)  # USA, Japan
LIVE_YEARS = (2022, 2023, 2024)
# The snapshot extract's trimmed columns -> the API's field names
SNAPSHOT_FIELDS = {
    "year": "refYear",
    "reporter": "reporterCode",
    "partner": "partnerCode",
    "cmd": "cmdCode",
    "flow": "flowCode",
    "value": "primaryValue",
    "netwgt": "netWgt",
}
COMTRADE_FLOWS = table_key("staging.comtrade_flows")


@dg.asset(
    key=["raw", "comtrade_flows"],
    group_name="trade",
    kinds={"polars", "duckdb"},
    description="UN Comtrade import declarations of the United States and Japan for the mapped "
    "HS6 codes, as the API returns them (snapshot: a 445-row extract; live: API v1, the keyed "
    "endpoint when COMTRADE_API_KEY is set, else the 500-record preview, chunked under the cap).",
)
def raw_comtrade_flows(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if sources.is_live:
        from pipelines.lib.sources.http import make_session

        client = ComtradeClient(
            make_session(),
            base_url=sources.comtrade_base_url,
            api_key=sources.comtrade_api_key,
            policy=sources.policy(sources.comtrade_deadline_s),
        )
        codes = sorted(set(load_seed("hs_mineral")["hs6"]))
        records = client.fetch_flows(list(REPORTERS), None, codes, list(LIVE_YEARS), flows=("M",))
        raw = pl.DataFrame(
            [{k: (None if v is None else str(v)) for k, v in r.items()} for r in records],
            infer_schema_length=None,
        )
        origin = "live"
    else:
        verify_snapshot(sources.snapshot, "comtrade")
        raw = read_extract_csv(sources.snapshot / COMTRADE_SNAPSHOT).rename(SNAPSHOT_FIELDS)
        origin = "snapshot"
    raw = raw.with_columns(_source=pl.lit(origin))
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, "raw.comtrade_flows", raw)
    context.log.info(f"raw.comtrade_flows: {rows} declarations ({origin})")
    # the records read, as their data version (an unchanged answer leaves downstream fresh)
    version = frame_version(raw)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={"dagster/row_count": rows, "mode": origin},
    )


@table_asset("staging.comtrade_flows", kinds={"polars", "duckdb"}, deps=[raw_comtrade_flows])
def staging_comtrade_flows(warehouse: WarehouseResource) -> dg.MaterializeResult:
    wh = warehouse.get()
    flows = conform_comtrade(wh.read_table("raw.comtrade_flows").to_dicts())
    with wh.connect() as con:
        wh.write_table(con, "staging.comtrade_flows", flows)
        return table_result(con, "staging.comtrade_flows")


# Python, not a contract rule: a share of matched flows over a threshold, the worst gaps listed
@dg.asset_check(
    asset=COMTRADE_FLOWS,
    blocking=False,
    additional_deps=[dg.AssetKey(["staging", "trade_flows"])],
    description="Gap between what importers declared to Comtrade (CIF) and BACI's reconciled "
    "value for the same flow (importer, exporter, HS6, year). Warns when more than 10% of "
    "flows differ by more than 50%, listing the worst gaps; never blocks.",
)
def comtrade_vs_baci_gap(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get().connect() as con:
        gaps = con.sql("""
            SELECT c.reporter_iso3 AS importer, c.partner_iso3 AS exporter, c.hs6, c.year,
                   c.value_usd AS declared_usd, b.value_usd AS baci_usd,
                   (c.value_usd - b.value_usd) / b.value_usd AS gap
            FROM staging.comtrade_flows c
            JOIN staging.trade_flows b
              ON b.importer_iso3 = c.reporter_iso3 AND b.exporter_iso3 = c.partner_iso3
             AND b.hs6 = c.hs6 AND b.year = c.year
            WHERE c.flow = 'M' AND NOT c.is_aggregate_partner AND b.value_usd > 0
            ORDER BY abs(gap) DESC""").pl()
    large = gaps.filter(pl.col("gap").abs() > 0.5)
    worst = gaps.head(10).with_columns(pl.col("gap").round(3)).to_dicts()
    median = float(gaps["gap"].abs().median()) if gaps.height else None
    return dg.AssetCheckResult(
        passed=gaps.height > 0 and large.height <= 0.1 * gaps.height,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{gaps.height} flows compared; median absolute gap "
        f"{median:.1%}; {large.height} differ by more than 50%"
        if gaps.height
        else "no Comtrade declaration matches a BACI flow",
        metadata={
            "compared": gaps.height,
            "over_50pct": large.height,
            "median_abs_gap": median,
            "worst": str(worst),
        },
    )
