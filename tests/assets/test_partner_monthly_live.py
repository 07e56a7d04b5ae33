"""staging.partner_monthly in live mode: HMRC, Comext, Census, e-Stat and the ECB replayed on
127.0.0.1 in their real shapes (tests/support/partner_monthly.py), landed through the download
layer; then a publisher's revision, a month that shrinks, a month that vanishes, a partner that
does not map, a key that is missing and a publisher that is down."""

import datetime
import json

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.defs.reference.assets import dim_country, seed_assets
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.trade import partner_monthly as pmd
from pipelines.lib.warehouse import Warehouse
from tests.support import partner_monthly as replay
from tests.support.replay_server import ReplayServer

CENSUS_KEY = "replay-census-key-0123"
APP_ID = "replay-estat-app-id-4567"
ASSETS = [
    dim_country,
    *[a for a in seed_assets if a.key.path[-1] == "country_alias"],
    *pmd.raw_partner_assets,
    pmd.raw_ecb_fx_monthly,
    pmd.staging_partner_monthly,
]
MAGNETS_CN_APRIL = (
    "SELECT value FROM staging.partner_monthly WHERE source = 'hmrc' AND national_code = "
    "'85051110' AND partner_iso3 = 'CHN' AND flow = 'M' AND period = DATE '2025-04-01'"
)


class Live:
    def __init__(self, tmp_path, server, rows):
        self.tmp, self.server, self.rows = tmp_path, server, rows
        self.warehouse = tmp_path / "warehouse"

    def sources(self, **overrides) -> SourcesResource:
        fields = dict(
            mode="live",
            landing_dir=str(self.tmp / "landing"),
            hmrc_base_url=self.server.base_url,
            eurostat_base_url=self.server.base_url,
            census_base_url=self.server.base_url,
            census_api_key=CENSUS_KEY,
            estat_base_url=self.server.base_url,
            estat_app_id=APP_ID,
            ecb_base_url=self.server.base_url,
            timeout_s=5,
        )
        return SourcesResource(**{**fields, **overrides})

    def run(self, **overrides):
        return dg.materialize(
            ASSETS,
            resources={
                "sources": self.sources(**overrides),
                "warehouse": WarehouseResource(directory=str(self.warehouse)),
            },
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )

    def publish(self):
        """What the publish step does for these tables: meta.refresh, then the atomic copy."""
        wh = Warehouse(self.warehouse)
        with wh.connect() as con:
            con.execute(
                "CREATE OR REPLACE TABLE meta.refresh AS SELECT now() AS refreshed_at, "
                "'test' AS run_id, 'live' AS source_mode"
            )
        wh.publish()

    def sql(self, query, published=False):
        path = self.warehouse / ("minerals.duckdb" if published else "build/minerals.duckdb")
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.sql(query).pl()
        finally:
            con.close()


@pytest.fixture
def live(tmp_path):
    rows = replay.initial_rows()
    with ReplayServer() as server:
        replay.serve(server, rows)
        yield Live(tmp_path, server, rows)


def checks(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e
        for e in result.get_asset_check_evaluations()
    }


def test_every_publisher_lands_and_reads_into_the_same_table(live):
    result = live.run()
    assert result.success
    got = live.sql(
        "SELECT source, count(*) AS n, min(period) AS first, max(period) AS last, "
        "any_value(split_part(source_file, '/', 1)) AS folder FROM staging.partner_monthly "
        "GROUP BY ALL ORDER BY source"
    )
    assert got["source"].to_list() == ["estat_japan", "eurostat", "hmrc", "uscensus"]
    assert got["folder"].to_list() == got["source"].to_list()  # read from the landed files
    # the same HMRC figure as the bundled file, summed from the replayed OData pages
    by_hand = (
        replay.bundled("hmrc_ots_cn8_monthly.csv")
        .filter(
            (pl.col("native_code") == "85051110")
            & (pl.col("partner") == "CHN")
            & (pl.col("flow") == "import")
            & (pl.col("period") == "202504")
        )["value"]
        .cast(pl.Float64)
    )
    assert live.sql(MAGNETS_CN_APRIL)["value"][0] == pytest.approx(by_hand.sum())
    # pages were chained by @odata.nextLink, each landed as its own version
    pages = [r for r in live.server.requests_for("/OTS") if "$skip" in r.query]
    assert pages
    # Comext: EU members' imports from the UK, partner XU (Great Britain) mapped to GBR
    eu = live.sql(
        "SELECT DISTINCT partner_code, partner_iso3, currency FROM staging.partner_monthly "
        "WHERE source = 'eurostat'"
    )
    assert eu.rows() == [("XU", "GBR", "EUR")]
    # Census: the total row is an aggregate partner, kept apart; names mapped through aliases
    us = live.sql(
        "SELECT partner_code, partner_iso3, is_aggregate_partner, nomenclature FROM "
        "staging.partner_monthly WHERE source = 'uscensus'"
    )
    assert us.filter(pl.col("partner_code") == "-")["is_aggregate_partner"].all()
    assert "KOR" in us["partner_iso3"].to_list() and set(us["nomenclature"]) == {"HTS10"}
    # e-Stat: thousands of yen multiplied out; no JPY rate is bundled, so value_usd stays null
    jp = live.sql(
        "SELECT value, value_usd, partner_iso3 FROM staging.partner_monthly "
        "WHERE source = 'estat_japan' AND national_code = '250490000' AND partner_iso3 = 'CHN' "
        "AND period = DATE '2024-06-01'"
    )
    assert jp["value"][0] == round(8375826.939 / 1000) * 1000 and jp["value_usd"][0] is None
    subtotal = live.sql(
        "SELECT DISTINCT is_aggregate_partner, partner_iso3 FROM staging.partner_monthly "
        "WHERE source = 'estat_japan' AND partner_code = 'S-TOTAL'"
    )
    assert subtotal.rows() == [(True, None)]  # Japan's subtotal line is no country
    evaluations = checks(result)
    assert not evaluations["staging/partner_monthly:value_usd_converted"].passed
    assert evaluations["staging/partner_monthly:no_month_shrank_between_landings"].passed


def test_keys_never_reach_the_logs_the_landing_index_or_the_tables(live, caplog):
    caplog.set_level("INFO")  # urllib3 writes whole URLs at DEBUG: see docs/sources-monthly.md
    result = live.run()
    assert result.success
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "getDataCatalog" in logged and "intltrade" in logged  # the requests were logged
    assert CENSUS_KEY not in logged and APP_ID not in logged
    events = "\n".join(str(e.message) for e in result.all_events)
    assert CENSUS_KEY not in events and APP_ID not in events
    landing = live.tmp / "landing"
    index = "".join(p.read_text() for p in landing.rglob("index.jsonl"))
    assert CENSUS_KEY not in index and APP_ID not in index
    assert "key=%2A%2A%2A" in index or "key=***" in index
    names = [p.name for p in landing.rglob("*")]
    assert not any(CENSUS_KEY in n or APP_ID in n for n in names)
    text = live.sql("SELECT * FROM staging.partner_monthly").write_csv()
    assert CENSUS_KEY not in text and APP_ID not in text


def test_a_revision_is_applied_and_recorded_then_a_vanished_month_is_held(live):
    assert live.run().success
    live.publish()
    before = live.sql(MAGNETS_CN_APRIL)["value"][0]
    # the publisher revises April 2025 up by 10% on one of its rows
    hmrc = live.rows["hmrc"]
    target = (
        (pl.col("native_code") == "85051110")
        & (pl.col("partner") == "CHN")
        & (pl.col("flow") == "import")
        & (pl.col("period") == "202504")
    )
    first = hmrc.with_row_index().filter(target)["index"][0]
    old = float(hmrc["value"][first])
    live.rows["hmrc"] = hmrc.with_columns(
        value=pl.when(pl.int_range(pl.len()) == first)
        .then(pl.lit(str(old * 1.1)))
        .otherwise(pl.col("value"))
    )
    result = live.run()
    assert result.success
    assert live.sql(MAGNETS_CN_APRIL)["value"][0] == pytest.approx(before + old * 0.1)
    revisions = live.sql("SELECT * FROM meta.monthly_revisions")
    (rev,) = revisions.to_dicts()
    assert (rev["change"], rev["status"], rev["national_code"]) == (
        "revised",
        "applied",
        "85051110",
    )
    assert rev["value_change"] == pytest.approx(old * 0.1)
    assert rev["previous_landing_sha256"] != rev["new_landing_sha256"]
    live.publish()
    # then June 2026 vanishes from HMRC's answers: held, the published rows stay, a warning
    june = live.sql(
        "SELECT count(*) AS n FROM staging.partner_monthly WHERE source = 'hmrc' "
        "AND period = DATE '2026-06-01'"
    )["n"][0]
    live.rows["hmrc"] = live.rows["hmrc"].filter(pl.col("period") != "202606")
    result = live.run()
    assert result.success
    check = checks(result)["staging/partner_monthly:no_month_shrank_between_landings"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "hmrc GBR M 2026-06" in check.description
    still = live.sql(
        "SELECT count(*) AS n FROM staging.partner_monthly WHERE source = 'hmrc' "
        "AND period = DATE '2026-06-01'"
    )["n"][0]
    assert still == june
    history = live.sql("SELECT status, change, period FROM meta.monthly_revisions")
    assert history.filter(pl.col("status") == "applied").height == 1  # kept from the first
    held = history.filter(pl.col("status") == "held")
    assert set(held["change"]) == {"removed"}
    assert set(held["period"]) == {datetime.date(2026, 6, 1)}


def test_an_unchanged_answer_lands_no_new_version(live):
    assert live.run().success
    count = lambda: sum(  # noqa: E731
        len(p.read_text().splitlines()) for p in (live.tmp / "landing").rglob("index.jsonl")
    )
    before = count()
    assert live.run().success
    assert count() == before


def test_a_japanese_country_code_that_does_not_map_names_file_row_and_field(live):
    live.rows["estat_japan"] = live.rows["estat_japan"].with_columns(
        partner=pl.when(pl.col("partner") == "842").then(pl.lit("999")).otherwise("partner")
    )  # defect: a code the seed does not list
    result = live.run()
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.event_specific_data.error.cause.message
    assert "estat_japan: estat_japan/" in message and "imports_2024_001.csv, row" in message
    assert "field 'partner_code'" in message and "'999'" in message
    assert "data/seeds/country_codes.csv" in message


def test_missing_key_skips_japan_with_one_warning_and_a_down_publisher_fails_its_step(live):
    result = live.run(estat_app_id=None, hmrc_base_url="http://127.0.0.1:9")
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["raw__partner_monthly_hmrc"]
    message = failures[0].event_specific_data.error.cause.message
    assert "hmrc: download of http://127.0.0.1:9/OTS?" in message
    assert "connection refused" in message
    japan = checks(result)["raw/partner_monthly_estat_japan:live_source_ran"]
    assert not japan.passed and "ESTAT_APP_ID is not set" in japan.description
    brazil = checks(result)["raw/partner_monthly_comexstat:live_source_ran"]
    assert not brazil.passed and "no live client" in brazil.description
    assert not (live.warehouse / "minerals.duckdb").exists()  # nothing published


def test_landed_comext_archive_and_census_answers_are_in_the_index(live):
    assert live.run().success
    landing = live.tmp / "landing"
    comext = [
        json.loads(line) for line in (landing / "eurostat/index.jsonl").read_text().splitlines()
    ]
    assert {e["filename"] for e in comext} == {
        "comext_products_listing.txt",
        "full_partxixu_v2_202606.7z",
    }
    census = (landing / "uscensus/index.jsonl").read_text().splitlines()
    assert census and all("imports_hs10_" in json.loads(line)["filename"] for line in census)
