"""China's monthly exports of the export-controlled codes: staging.trade_monthly."""

from datetime import date

import dagster as dg
import polars as pl

from pipelines.defs.reference.assets import country_lookup
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms import trade_monthly

CHINA_MONTHLY = "comtrade/china_exports_monthly/deep_dive_hs6_monthly.csv"
CHINA_M49 = 156
# Live: 12 months before the earliest 2023 measure, to the last month Comtrade may have.
LIVE_FIRST_MONTH = date(2022, 1, 1)


def live_periods(today: date, first: date = LIVE_FIRST_MONTH) -> list[int]:
    """YYYYMM from `first` to the month before `today` (the current month is never complete)."""
    periods, year, month = [], first.year, first.month
    while (year, month) < (today.year, today.month):
        periods.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def controlled_codes() -> list[str]:
    """Every six-digit code a measure names (HS2017/HS2022), from the export-control seed."""
    codes = load_seed("export_controls")["hs6_announced"].str.split(";").explode()
    return sorted(c for c in set(codes.to_list()) if c)


def _fetch_live(sources: SourcesResource) -> pl.DataFrame:
    from pipelines.lib.sources.comtrade import ComtradeClient, conform_comtrade
    from pipelines.lib.sources.http import RetryPolicy, make_session

    client = ComtradeClient(
        make_session(),
        base_url=sources.comtrade_base_url,
        api_key=sources.comtrade_api_key,
        policy=RetryPolicy(timeout_s=sources.timeout_s),
        frequency="M",
    )
    # the client keeps to 12 periods per call and splits under the record cap
    records = client.fetch_flows(
        [CHINA_M49], None, controlled_codes(), live_periods(date.today()), flows=("X",)
    )
    return trade_monthly.conform_live_monthly(records, conform_comtrade(records))


@table_asset(
    "staging.trade_monthly",
    kinds={"polars", "duckdb"},
    deps=[table_key("staging.dim_country"), table_key("staging.country_alias")],
)
def staging_trade_monthly(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if sources.is_live:
        monthly = _fetch_live(sources)
        origin = "comtrade_api"
    else:
        raw = trade_monthly.read_china_monthly_csv(sources.snapshot / CHINA_MONTHLY)
        monthly = trade_monthly.conform_china_monthly(
            raw, country_lookup(warehouse), file=CHINA_MONTHLY
        )
        origin = CHINA_MONTHLY
    trade_monthly.check_grain(monthly, origin)
    first, last = monthly["period"].min(), monthly["period"].max()
    context.log.info(
        f"staging.trade_monthly: {monthly.height} rows, {first} to {last}, from {origin}"
    )
    wh = warehouse.get()
    with wh.connect() as con:
        wh.write_table(con, "staging.trade_monthly", monthly.sort("hs6", "partner_iso3", "period"))
        return table_result(
            con,
            "staging.trade_monthly",
            first_month=str(first),
            last_month=str(last),
            hs6_codes=", ".join(sorted(monthly["hs6"].unique().to_list())),
            source=origin,
        )
