"""China's monthly exports of the export-controlled codes: raw.comtrade_monthly (the snapshot
file or the API records as read, with their sha256 as data version) -> staging.trade_monthly."""

from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.reference.assets import country_lookup
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.lib.errors import SourceDataError
from pipelines.lib.inputs import verify_snapshot
from pipelines.lib.seeds import load_seed
from pipelines.lib.sources.landing import sha256_file
from pipelines.lib.transforms import trade_monthly

CHINA_MONTHLY = "comtrade/china_exports_monthly/deep_dive_hs6_monthly.csv"
CHINA_M49 = 156
# Live: 12 months before the earliest 2023 measure, to the last month Comtrade may have.
LIVE_FIRST_MONTH = date(2022, 1, 1)
RAW = "raw.comtrade_monthly"
LANDED_ANSWERS = "china_exports_monthly_api.json"  # live: the API's records, landed as one file
LINEAGE = ["_source", "_source_file", "_sha256", "_period"]


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
    from pipelines.lib.sources.comtrade import ComtradeClient
    from pipelines.lib.sources.http import make_session

    client = ComtradeClient(
        make_session(),
        base_url=sources.comtrade_base_url,
        api_key=sources.comtrade_api_key,
        policy=sources.policy(sources.comtrade_deadline_s),
        frequency="M",
    )
    # the client keeps to 12 periods per call and splits under the record cap
    records = client.fetch_flows(
        [CHINA_M49], None, controlled_codes(), live_periods(date.today()), flows=("X",)
    )
    if not records:  # an empty answer must not wipe the series
        raise SourceDataError("comtrade", "comtrade_api", "no monthly records for reporter 156")
    landed = _land_answers(records, Path(sources.landing_dir))
    raw = pl.DataFrame(
        [{k: (None if v is None else str(v)) for k, v in r.items()} for r in records],
        infer_schema_length=None,
    )
    return raw.with_columns(
        _source=pl.lit("live"),
        _source_file=pl.lit(Path(landed.path).relative_to(sources.landing_dir).as_posix()),
        _sha256=pl.lit(landed.sha256),
        _period=pl.col("period"),
    )


def _land_answers(records: list[dict], landing_root: Path):
    """The API's records as one JSON file in the landing zone (index, sha256, immutable), sorted
    so the same answer in another order is the same version; the next refresh's revisions are
    measured against it."""
    import json
    import tempfile

    from pipelines.lib.sources.landing import land_local

    key = lambda r: (str(r.get("period")), str(r.get("cmdCode")), str(r.get("partnerCode")))  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / LANDED_ANSWERS
        path.write_text(json.dumps(sorted(records, key=key), sort_keys=True, indent=0))
        return land_local(path, source="comtrade", landing_root=landing_root, origin="comtrade_api")


@dg.asset(
    key=["raw", "comtrade_monthly"],
    group_name="trade",
    kinds={"polars", "duckdb"},
    description="China's monthly exports of the export-controlled codes as read: snapshot, the "
    "UN Comtrade-derived CSV (one row per partner name, code and month, strings, with its line "
    "number); live, the UN Comtrade API v1 monthly records (reporter 156, exports, every "
    "partner, 2022-01 to last month), landed as one JSON file with its index entry. With _source, "
    "_source_file, _sha256 and _period (YYYYMM).",
)
def raw_comtrade_monthly(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if sources.is_live:
        raw = _fetch_live(sources)
    else:
        verify_snapshot(sources.snapshot, "comtrade")
        path = sources.snapshot / CHINA_MONTHLY
        raw = trade_monthly.read_china_monthly_csv(path).with_columns(
            _source=pl.lit("snapshot"),
            _source_file=pl.lit(CHINA_MONTHLY),
            _sha256=pl.lit(sha256_file(path)),
            _period=pl.col("period_dt").str.replace_all("-", "").str.slice(0, 6),
        )
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, RAW, raw)
    digest, origin = raw["_sha256"][0], raw["_source_file"][0]
    context.log.info(f"{RAW}: {rows} rows from {origin} (sha256 {digest[:12]})")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(digest),  # what was read: unchanged leaves downstream fresh
        metadata={"dagster/row_count": rows, "source": origin, "sha256": digest},
    )


@table_asset(
    "staging.trade_monthly",
    kinds={"polars", "duckdb"},
    deps=[
        raw_comtrade_monthly,
        table_key("staging.dim_country"),
        table_key("staging.country_alias"),
    ],
)
def staging_trade_monthly(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.lib.sources.comtrade import conform_comtrade

    raw = warehouse.get().read_table(RAW)
    origin = raw["_source_file"][0]
    if raw["_source"][0] == "live":
        records = raw.drop(LINEAGE).to_dicts()
        monthly = trade_monthly.conform_live_monthly(
            records, conform_comtrade(records), file=origin
        )
    else:
        monthly = trade_monthly.conform_china_monthly(
            raw.drop(LINEAGE), country_lookup(warehouse), file=origin
        )
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
