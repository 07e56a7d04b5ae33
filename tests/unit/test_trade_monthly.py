"""China's monthly exports: the snapshot file conformed, planted defects named by file, row and
field, and the live path (monthly Comtrade client + conform) against a local replay."""

from datetime import date

import polars as pl
import pytest

from pipelines.defs.trade.monthly import CHINA_MONTHLY, live_periods
from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed
from pipelines.lib.sources.comtrade import DATA_PATH, ComtradeClient, conform_comtrade
from pipelines.lib.sources.http import RetryPolicy, make_session
from pipelines.lib.transforms import countries, trade_monthly
from tests.support.comtrade_monthly import api_records, monthly_api, raw_rows
from tests.support.replay_server import ReplayServer

FILE = SNAPSHOT_DIR / CHINA_MONTHLY
POLICY = RetryPolicy(max_attempts=2, backoff_base_s=0.01, backoff_max_s=0.02, timeout_s=5.0)


@pytest.fixture(scope="module")
def lookup():
    reference = countries.load_reference(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv"
    )
    return countries.build_lookup(reference, load_seed("country_aliases"))


def conform(raw, lookup):
    return trade_monthly.conform_china_monthly(raw, lookup, file=CHINA_MONTHLY)


def test_every_row_conformed_with_iso3_and_its_source_line(lookup):
    got = conform(trade_monthly.read_china_monthly_csv(FILE), lookup)
    rows = raw_rows()
    assert got.height == len(rows)
    assert got["partner_iso3"].null_count() == 0
    # by hand: the file's USA and UAE rows, by their short names
    usa = [r for r in rows if r["partner_name"] == "USA" and r["hs6"] == "380110"]
    mine = got.filter(pl.col("partner_iso3") == "USA", pl.col("hs6") == "380110")
    assert mine.height == len(usa)
    assert mine["value_usd"].sum() == pytest.approx(sum(float(r["val"]) for r in usa))
    assert set(got.filter(pl.col("partner_name") == "UAE")["partner_iso3"]) == {"ARE"}
    # source_row is the line in the file: line 5 (4th data row) is Belgium 811292 2017-01, qty 0
    line5 = got.filter(pl.col("source_row") == 5).row(0, named=True)
    assert (line5["partner_iso3"], line5["hs6"], str(line5["period"])) == (
        "BEL",
        "811292",
        "2017-01-01",
    )
    assert rows[3]["qty"] == "0.0" and line5["quantity"] is None  # not reported, never 0
    assert line5["value_usd"] == float(rows[3]["val"])
    assert set(got.filter(pl.col("period") < date(2022, 1, 1))["nomenclature"]) == {"HS17"}
    assert set(got.filter(pl.col("period") >= date(2022, 1, 1))["nomenclature"]) == {"HS22"}
    trade_monthly.check_grain(got, CHINA_MONTHLY)


def planted(column, row, value):
    raw = trade_monthly.read_china_monthly_csv(FILE)
    return raw.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )


def test_unmapped_partner_fails_naming_file_row_and_field(lookup):
    # planted: a spelling no reference name or alias knows, in data row 11 (file line 12)
    with pytest.raises(
        SourceDataError,
        match=r"comtrade: comtrade/china_exports_monthly/deep_dive_hs6_monthly.csv, row 12, "
        r"field 'partner_name'.*'Untied States'",
    ):
        conform(planted("partner_name", 10, "Untied States"), lookup)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [("period_dt", "2023-13-01", "YYYY-MM-01"), ("val", "n/a", "number"), ("hs6", "81129", "HS")],
)
def test_bad_cells_fail_naming_row_and_field(lookup, column, value, problem):
    with pytest.raises(SourceDataError, match=rf"row 3, field '{column}'.*{problem}"):
        conform(planted(column, 1, value), lookup)


def test_duplicate_month_is_refused(lookup):
    got = conform(trade_monthly.read_china_monthly_csv(FILE), lookup)
    twice = pl.concat([got, got.head(1)])
    with pytest.raises(SourceDataError, match="row 2, 2"):
        trade_monthly.check_grain(twice, CHINA_MONTHLY)


def test_live_periods_run_to_the_month_before_today():
    got = live_periods(date(2025, 3, 14), first=date(2024, 11, 1))
    assert got == [202411, 202412, 202501, 202502]


# --- live: the monthly API replayed locally (tests/support/comtrade_monthly.py) ----------


def test_monthly_client_and_conform_return_the_replayed_months():
    records = api_records()
    path = DATA_PATH.replace("/C/A/", "/C/M/")
    with ReplayServer() as server, make_session() as session:
        server.route(path, monthly_api(records))
        client = ComtradeClient(
            session, base_url=server.base_url, api_key="k", policy=POLICY, frequency="M"
        )
        got = client.fetch_flows([156], None, ["811292", "380110"], [202401, 202402], ("X",))
        (request,) = server.requests_for(path)
    assert request.query["period"] == ["202401,202402"]
    expected = [
        r
        for r in records
        if r["period"] in ("202401", "202402") and r["cmdCode"] in ("811292", "380110")
    ]
    assert len(got) == len(expected) > 0
    monthly = trade_monthly.conform_live_monthly(got, conform_comtrade(got))
    usa = monthly.filter(pl.col("partner_iso3") == "USA", pl.col("hs6") == "811292")
    by_hand = {
        r["period_dt"]: float(r["val"])
        for r in raw_rows()
        if r["partner_name"] == "USA"
        and r["hs6"] == "811292"
        and r["period_dt"] < "2024-03"
        and r["period_dt"] >= "2024-01"
    }
    assert {str(p): v for p, v in usa.select("period", "value_usd").iter_rows()} == by_hand
    assert set(monthly["nomenclature"]) == {"HS22"}
    world = monthly.filter(pl.col("partner_code") == 0)
    assert (
        world["is_aggregate_partner"].all() and world["partner_iso3"].null_count() == world.height
    )


def test_monthly_record_without_a_month_names_the_row():
    records = api_records()[:3]
    records[1] = {**records[1], "period": "2024"}  # planted: an annual period
    with pytest.raises(SourceDataError, match=r"row 2, field 'period'.*'2024'"):
        trade_monthly.conform_live_monthly(records, conform_comtrade(records))


def test_unknown_frequency_is_refused():
    with pytest.raises(ValueError, match="frequency"):
        ComtradeClient(make_session(), frequency="Q")
