"""The monthly customs clients against their replays: HMRC's throttling answer, Comext's
listing, Census's empty answer, e-Stat's refusal and its single-object quirk."""

from datetime import date

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.sources import comext, estat, hmrc, uscensus
from pipelines.lib.sources.http import RetryPolicy, SourceDownloadError, make_session
from tests.support import partner_monthly as replay
from tests.support.replay_server import Fault, ReplayServer

POLICY = RetryPolicy(max_attempts=3, backoff_base_s=0.01, timeout_s=5.0)
NO_SLEEP = lambda s: None  # noqa: E731


@pytest.fixture
def server():
    rows = replay.initial_rows()
    with ReplayServer() as srv:
        replay.serve(srv, rows)
        srv.rows = rows
        yield srv


def throttled() -> Fault:
    # what HMRC sends a client that asks too fast: a plain-text refusal with status 200
    return Fault.status(200, body=b"Request rejected: rate limit", content_type="text/plain")


def test_hmrc_retries_a_plain_text_refusal_then_lands_the_page(server, tmp_path):
    server.script("/OTS", [throttled()])
    landed = hmrc.fetch(
        make_session(),
        base_url=server.base_url,
        hs6_codes=["850511"],
        first=date(2025, 1, 1),
        last=date(2025, 6, 1),
        landing_root=tmp_path,
        policy=POLICY,
        sleep=NO_SLEEP,
    )
    rows = pl.concat([hmrc.parse(f, tmp_path) for f in landed])
    bundled = server.rows["hmrc"].filter(
        (pl.col("hs6") == "850511")
        & pl.col("period").is_between(pl.lit("202501"), pl.lit("202506"))
    )
    assert rows.height == bundled.height  # every record of every page, the refusal not among them
    assert rows["value"].sum() == pytest.approx(bundled["value"].cast(pl.Float64).sum())
    first_page = [r for r in server.requests_for("/OTS") if "$skip" not in r.query]
    assert len(first_page) == 2  # refused once, then answered


def test_hmrc_that_keeps_refusing_is_an_error_naming_the_url(server, tmp_path):
    server.script("/OTS", [throttled()] * 3)
    with pytest.raises(SourceDownloadError, match=r"hmrc: download of .*/OTS\?.* expected a json"):
        hmrc.fetch(
            make_session(),
            base_url=server.base_url,
            hs6_codes=["850511"],
            first=date(2025, 1, 1),
            last=date(2025, 6, 1),
            landing_root=tmp_path,
            policy=POLICY,
            sleep=NO_SLEEP,
        )


def test_comext_fetches_only_the_months_the_listing_shows(server, tmp_path):
    landed = comext.fetch(
        make_session(),
        base_url=server.base_url,
        months=[date(2026, 5, 1), date(2026, 6, 1)],
        landing_root=tmp_path,
        policy=POLICY,
    )
    assert [f.path.name for f in landed] == ["full_partxixu_v2_202606.7z"]
    rows = comext.parse(landed[0], tmp_path, ["850511"], tmp_path / "work")
    assert set(rows["national_code"]) <= {"85051110", "85051190", "850511XX"}
    assert rows.filter(pl.col("national_code") == "850511XX")["confidential"].all()
    assert not list((tmp_path / "work").iterdir())  # the unpacked file is removed


def test_census_no_data_is_an_empty_answer_not_an_error(server, tmp_path):
    (got,) = uscensus.fetch(
        make_session(),
        base_url=server.base_url,
        hs6_codes=["999999"],
        first=date(2026, 6, 1),
        last=date(2026, 6, 1),
        landing_root=tmp_path,
        policy=POLICY,
    )
    assert got.size_bytes == 0 and uscensus.parse(got, tmp_path).is_empty()


def test_census_html_page_is_an_error_naming_the_file(server, tmp_path):
    server.script(replay_path := "/data/timeseries/intltrade/imports/hs", [Fault.html_page()])
    (got,) = uscensus.fetch(
        make_session(),
        base_url=server.base_url,
        hs6_codes=["850511"],
        first=date(2026, 6, 1),
        last=date(2026, 6, 1),
        landing_root=tmp_path,
        policy=POLICY,
    )
    assert server.requests_for(replay_path)
    with pytest.raises(SourceDataError, match="imports_hs10_850511_202606_202606.json"):
        uscensus.parse(got, tmp_path)


def test_estat_refusal_is_an_error_in_its_own_words(server, tmp_path):
    def refuse(query):
        body = {"GET_DATA_CATALOG": {"RESULT": {"STATUS": 100, "ERROR_MSG": "appIdが不正です"}}}
        return 200, {}, body

    server.route("/rest/3.0/app/json/getDataCatalog", refuse)
    with pytest.raises(SourceDataError, match="refused the catalogue query: appIdが不正です"):
        estat.fetch(
            make_session(),
            base_url=server.base_url,
            app_id="wrong",
            months=[date(2026, 6, 1)],
            landing_root=tmp_path,
            policy=POLICY,
        )
