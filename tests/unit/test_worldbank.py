"""World Bank WGI client against a local replay (127.0.0.1 only) of real WGI rows.

The replay answers like API v2: `[meta, rows]` per page, rows built from the bundled bulk file
WGIData.csv, so the fetched values must equal the bulk values exactly.
"""

import logging

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources.http import RetryPolicy, make_session
from pipelines.lib.sources.worldbank import INDICATOR_CODES, fetch_wgi, indicator_codes
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


def api_rows(bulk: pl.DataFrame, codes=INDICATOR_CODES) -> dict[str, list[dict]]:
    """Bulk rows in the API's row shape, per indicator code (newest year first, like the API)."""
    out: dict[str, list[dict]] = {}
    for (dim, column), code in codes.items():
        part = bulk.filter(pl.col("dimension") == DIMENSIONS[dim]).sort(
            "iso3", pl.col("year"), descending=[False, True]
        )
        out[code] = [row(code, r["iso3"], r["year"], r[column]) for r in part.iter_rows(named=True)]
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
                "lastupdated": "2023-09-29",
            }
            return 200, {}, [meta, rows[(page - 1) * per_page : page * per_page] or None]

        server.route(f"/country/all/indicator/{code}", handler)


@pytest.fixture
def server():
    with ReplayServer() as srv:
        yield srv


def fetch(server, **kwargs) -> pl.DataFrame:
    kwargs.setdefault("policy", POLICY)
    kwargs.setdefault("per_page", PER_PAGE)
    return fetch_wgi(make_session(), base_url=server.base_url, **kwargs)


def test_fetched_values_equal_the_bulk_file(server, bulk, caplog):
    serve(server, api_rows(bulk))
    with caplog.at_level(logging.INFO, logger="pipelines.sources.worldbank"):
        got = fetch(server)
    assert bulk.height == 4 * 6 * len(YEARS)
    assert_frame_equal(got, bulk, check_exact=True)
    assert "CC.EST page 4/4 (1 rows)" in caplog.text  # 16 rows, 5 per page


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
    assert_frame_equal(got, bulk, check_exact=True)
    assert len(server.requests) == 12


def test_429_with_retry_after_waits_and_retries(server, bulk):
    serve(server, api_rows(bulk))
    path = "/country/all/indicator/RL.PER.RNK"
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
    assert_frame_equal(got, bulk, check_exact=True)


def test_api_error_message_is_a_source_data_error(server, bulk):
    rows = api_rows(bulk)
    serve(server, rows)
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
    server.route("/country/all/indicator/GE.EST", lambda query: (200, {}, error))
    with pytest.raises(SourceDataError) as exc:
        fetch(server)
    message = str(exc.value)
    assert message.startswith("worldbank: indicator GE.EST")
    assert "120 Invalid value The provided parameter value is not valid" in message
    assert exc.value.source == "worldbank"


def test_unexpected_shape_is_a_source_data_error(server, bulk):
    serve(server, api_rows(bulk))
    server.route("/country/all/indicator/CC.EST", lambda query: (200, {}, {"rows": []}))
    with pytest.raises(SourceDataError, match="CC.EST.*expected \\[meta, rows\\]"):
        fetch(server)


def test_null_values_are_dropped(server, bulk):
    rows = api_rows(bulk)
    rows["CC.EST"].append(row("CC.EST", "CHN", 2023, None))
    rows["CC.PER.RNK"].append(row("CC.PER.RNK", "CHN", 2023, None))
    rows["VA.EST"] = [r for r in rows["VA.EST"] if r["countryiso3code"] != "USA"]
    rows["VA.EST"] += [row("VA.EST", "USA", y, None) for y in YEARS]
    serve(server, rows)
    got = fetch(server)
    assert got.filter(pl.col("year") == 2023).is_empty()
    usa_va = got.filter(pl.col("iso3") == "USA", pl.col("dimension") == "voice_and_accountability")
    assert usa_va["estimate"].is_null().all()  # the rank alone is kept, as in the bulk file
    expected = bulk.filter(
        pl.col("iso3") == "USA", pl.col("dimension") == "voice_and_accountability"
    )
    assert usa_va["percentile_rank"].to_list() == expected["percentile_rank"].to_list()


def test_aggregates_are_left_out(server, bulk):
    rows = api_rows(bulk)
    for (_, column), code in INDICATOR_CODES.items():
        value = 0.1 if column == "estimate" else 50.0
        rows[code] += [
            row(code, "WLD", 2022, value, iso2="1W", name="World"),
            row(code, "", 2022, value, iso2="XC", name="Euro area"),
            row(code, "HIC", 2022, value, iso2="XD", name="High income"),
        ]
    serve(server, rows)
    known = set(ISO2) | {"FRA"}
    with_known = fetch(server, known_iso3=known)
    assert_frame_equal(with_known, bulk, check_exact=True)
    assert_frame_equal(fetch(server), bulk, check_exact=True)  # default aggregate list
    assert_frame_equal(
        fetch(server, known_iso3={"CHN"}), bulk.filter(pl.col("iso3") == "CHN"), check_exact=True
    )


def test_indicator_codes_can_be_overridden(server, bulk):
    codes = indicator_codes("GOV_WGI_")
    assert codes[("CC", "estimate")] == "GOV_WGI_CC.EST"
    assert codes[("RL", "percentile_rank")] == "GOV_WGI_RL.PER.RNK"
    serve(server, api_rows(bulk, codes))
    assert_frame_equal(fetch(server, codes=codes), bulk, check_exact=True)
    assert all("/GOV_WGI_" in r.path for r in server.requests)


def test_no_data_answer_is_empty(server):
    empty = [{"page": 1, "pages": 0, "per_page": "50", "total": 0}, None]
    for code in INDICATOR_CODES.values():
        server.route(f"/country/all/indicator/{code}", lambda query: (200, {}, empty))
    got = fetch(server)
    assert got.is_empty()
    assert got.columns == ["iso3", "dimension", "year", "estimate", "percentile_rank"]
    assert len(server.requests) == 12
