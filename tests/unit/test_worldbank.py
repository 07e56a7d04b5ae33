"""World Bank WGI client against a local replay (127.0.0.1 only) of real WGI rows.

The replay answers like API v2 since the 2026 rename: `[meta, rows]` per page under the
`GOV_WGI_<dim>.EST` codes, rows built from the bundled bulk file WGIData.csv (so the fetched
estimates must equal the bulk values exactly), and message id 175 "The indicator was not found"
with HTTP 200 for the old codes (`CC.EST`, `CC.PER.RNK`).
"""

import logging

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources.http import RetryPolicy, make_session
from pipelines.lib.sources.worldbank import (
    INDICATOR_CODES,
    fetch_wgi,
    indicator_codes,
    with_percentile_rank,
)
from pipelines.lib.transforms.governance import DIMENSIONS, read_wgi_bulk
from tests.support.replay_server import Fault, ReplayServer

WGI_BULK = SNAPSHOT_DIR / "wgi/WGIData.csv"
ISO2 = {"CHN": "CN", "USA": "US", "COD": "CD", "AUS": "AU"}
YEARS = range(2019, 2023)
PER_PAGE = 5
POLICY = RetryPolicy(max_attempts=3, backoff_base_s=0.01, backoff_max_s=0.05, timeout_s=5.0)


@pytest.fixture(scope="module")
def bulk() -> pl.DataFrame:
    return (
        read_wgi_bulk(WGI_BULK)
        .filter(pl.col("iso3").is_in(list(ISO2)), pl.col("year").is_in(list(YEARS)))
        .sort("iso3", "dimension", "year")
    )


VINTAGE = "2025-10-30"
NOT_FOUND = [
    {
        "message": [
            {
                "id": "175",
                "key": "Invalid format",
                "value": "The indicator was not found. It may have been deleted or archived.",
            }
        ]
    }
]


def api_rows(bulk: pl.DataFrame, codes=INDICATOR_CODES) -> dict[str, list[dict]]:
    """Bulk estimates in the API's row shape, per indicator code (newest year first)."""
    out: dict[str, list[dict]] = {}
    for dim, code in codes.items():
        part = bulk.filter(pl.col("dimension") == DIMENSIONS[dim]).sort(
            "iso3", pl.col("year"), descending=[False, True]
        )
        out[code] = [
            row(code, r["iso3"], r["year"], r["estimate"]) for r in part.iter_rows(named=True)
        ]
    return out


def row(code: str, iso3: str, year: int, value, iso2: str | None = None, name: str = "x") -> dict:
    return {
        "indicator": {"id": code, "value": f"WGI {code}"},
        "country": {"id": iso2 or ISO2.get(iso3, "1W"), "value": name},
        "countryiso3code": iso3,
        "date": str(year),
        "value": value,
        "unit": "",
        "obs_status": "",
        "decimal": 2,
    }


def serve(server: ReplayServer, rows_by_code: dict[str, list[dict]]) -> None:
    """Route each indicator, paging like the API (per_page and page from the query)."""
    for code, rows in rows_by_code.items():

        def handler(query, rows=rows):
            assert query["format"] == ["json"] and query["source"] == ["3"]
            per_page, page = int(query["per_page"][0]), int(query["page"][0])
            pages = max(1, -(-len(rows) // per_page))
            meta = {
                "page": page,
                "pages": pages,
                "per_page": str(per_page),  # the API sends it as a string
                "total": len(rows),
                "sourceid": "3",
                "lastupdated": VINTAGE,
            }
            return 200, {}, [meta, rows[(page - 1) * per_page : page * per_page] or None]

        server.route(f"/country/all/indicator/{code}", handler)
    for dim in DIMENSIONS:  # the pre-2026 codes: HTTP 200 with message 175
        for old in (f"{dim}.EST", f"{dim}.PER.RNK"):
            server.route(f"/country/all/indicator/{old}", lambda query: (200, {}, NOT_FOUND))


@pytest.fixture
def server():
    with ReplayServer() as srv:
        yield srv


def fetch(server, **kwargs) -> pl.DataFrame:
    kwargs.setdefault("policy", POLICY)
    kwargs.setdefault("per_page", PER_PAGE)
    got, vintage = fetch_wgi(make_session(), base_url=server.base_url, **kwargs)
    assert vintage == VINTAGE
    return got


def estimates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("iso3", "dimension", "year", "estimate").sort("iso3", "dimension", "year")


def test_fetched_estimates_equal_the_bulk_file(server, bulk, caplog):
    serve(server, api_rows(bulk))
    with caplog.at_level(logging.INFO, logger="pipelines.sources.worldbank"):
        got = fetch(server)
    assert bulk.height == 4 * 6 * len(YEARS)
    assert_frame_equal(estimates(got), estimates(bulk), check_exact=True)
    assert "GOV_WGI_CC.EST page 4/4 (1 rows)" in caplog.text  # 16 rows, 5 per page
    assert all(r.path.split("/")[-1].startswith("GOV_WGI_") for r in server.requests)


def test_local_percentile_ranks_reproduce_the_published_ones():
    # Every economy the 2023 bulk file scores in 2022, ranked here from the estimates alone,
    # against the ranks WGI published in the same file.
    published = read_wgi_bulk(WGI_BULK).filter(
        pl.col("year") == 2022, pl.col("estimate").is_not_null()
    )
    ours = with_percentile_rank(published.drop("percentile_rank"))
    both = ours.join(published, on=["iso3", "dimension", "year"], suffix="_published")
    gap = (both["percentile_rank"] - both["percentile_rank_published"]).abs()
    assert both.height == published.height > 1200
    assert (gap < 1e-4).mean() > 0.95 and (gap <= 1.0).mean() > 0.99 and gap.max() < 3.0


def test_percentile_rank_by_hand():
    wgi = pl.DataFrame(
        {
            "iso3": ["AAA", "BBB", "CCC", "DDD", "EEE"],
            "dimension": ["rule_of_law"] * 4 + ["political_stability"],
            "year": [2024] * 5,
            "estimate": [-1.0, 0.5, 0.5, 2.0, 0.3],
        }
    )
    ranked = with_percentile_rank(wgi).sort("iso3")
    # 0, 1 and 1 economies below (ties share the lower rank), 3 below of 3 others; alone = 100
    assert ranked["percentile_rank"].to_list() == [0.0, 100 / 3, 100 / 3, 100.0, 100.0]


def test_ranks_are_over_every_economy_then_known_countries_are_kept(server, bulk):
    serve(server, api_rows(bulk))
    everyone = fetch(server)
    china = fetch(server, known_iso3={"CHN"})
    assert set(china["iso3"]) == {"CHN"}
    assert_frame_equal(china, everyone.filter(pl.col("iso3") == "CHN"), check_exact=True)


def test_old_codes_answer_message_175_and_say_so(server, bulk):
    serve(server, api_rows(bulk))
    old = indicator_codes(prefix="")
    with pytest.raises(SourceDataError) as exc:
        fetch(server, codes=old)
    message = str(exc.value)
    assert "175 Invalid format The indicator was not found" in message
    assert "GOV_WGI_<dim>.EST" in message


def test_pages_are_requested_once_each_and_no_further(server, bulk):
    serve(server, api_rows(bulk))
    fetch(server)
    for code in INDICATOR_CODES.values():
        requests = server.requests_for(f"/country/all/indicator/{code}")
        assert [r.query["page"] for r in requests] == [["1"], ["2"], ["3"], ["4"]]
        assert all(r.query["per_page"] == [str(PER_PAGE)] for r in requests)


def test_single_large_page_by_default(server, bulk):
    serve(server, api_rows(bulk))
    got = fetch(server, per_page=20000)
    assert_frame_equal(estimates(got), estimates(bulk), check_exact=True)
    assert len(server.requests) == 6


def test_429_with_retry_after_waits_and_retries(server, bulk):
    serve(server, api_rows(bulk))
    path = "/country/all/indicator/GOV_WGI_RL.EST"
    server.script(path, [Fault.ok(), Fault.status(429, retry_after="7")])  # on page 2
    waits: list[float] = []
    got = fetch(server, sleep=waits.append)
    assert waits == [7.0]
    assert [r.query["page"] for r in server.requests_for(path)] == [
        ["1"],
        ["2"],
        ["2"],
        ["3"],
        ["4"],
    ]
    assert_frame_equal(estimates(got), estimates(bulk), check_exact=True)


def test_api_error_message_is_a_source_data_error(server, bulk):
    serve(server, api_rows(bulk))
    error = [
        {
            "message": [
                {
                    "id": "120",
                    "key": "Invalid value",
                    "value": "The provided parameter value is not valid",
                }
            ]
        }
    ]
    server.route("/country/all/indicator/GOV_WGI_GE.EST", lambda query: (200, {}, error))
    with pytest.raises(SourceDataError) as exc:
        fetch(server)
    message = str(exc.value)
    assert message.startswith("worldbank: indicator GOV_WGI_GE.EST")
    assert "120 Invalid value The provided parameter value is not valid" in message
    assert exc.value.source == "worldbank"


def test_unexpected_shape_is_a_source_data_error(server, bulk):
    serve(server, api_rows(bulk))
    server.route("/country/all/indicator/GOV_WGI_CC.EST", lambda query: (200, {}, {"rows": []}))
    with pytest.raises(SourceDataError, match="GOV_WGI_CC.EST.*expected \\[meta, rows\\]"):
        fetch(server)


def test_null_values_are_dropped(server, bulk):
    rows = api_rows(bulk)
    rows["GOV_WGI_CC.EST"].append(row("GOV_WGI_CC.EST", "CHN", 2023, None))
    serve(server, rows)
    got = fetch(server)
    assert got.filter(pl.col("year") == 2023).is_empty()
    assert got["estimate"].is_not_null().all()


def test_aggregates_are_left_out_and_never_ranked(server, bulk):
    rows = api_rows(bulk)
    for code in INDICATOR_CODES.values():
        rows[code] += [
            row(code, "WLD", 2022, 3.0, iso2="1W", name="World"),
            row(code, "", 2022, 3.0, iso2="XC", name="Euro area"),
            row(code, "HIC", 2022, 3.0, iso2="XD", name="High income"),
        ]
    serve(server, rows)
    got = fetch(server)
    assert set(got["iso3"]) == set(ISO2)
    top = (
        got.filter(pl.col("year") == 2022)
        .group_by("dimension")
        .agg(pl.col("percentile_rank").max())
    )
    assert set(top["percentile_rank"]) == {100.0}  # a real country is top, not the World row


def test_no_data_answer_is_empty(server):
    empty = [{"page": 1, "pages": 0, "per_page": "50", "total": 0, "lastupdated": VINTAGE}, None]
    for code in INDICATOR_CODES.values():
        server.route(f"/country/all/indicator/{code}", lambda query: (200, {}, empty))
    got = fetch(server)
    assert got.is_empty()
    assert got.columns == ["iso3", "dimension", "year", "estimate", "percentile_rank"]
    assert len(server.requests) == 6
