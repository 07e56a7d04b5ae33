"""Comtrade client and conform step against a local replay of real API v1 rows (127.0.0.1 only).

The replay answers like the API: it filters the fixture rows by the query parameters and cuts
the answer at the record cap, so chunking and splitting are exercised against real data.
"""

import json
import re
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.sources.comtrade import (
    DATA_PATH,
    KEYED_RECORD_CAP,
    PREVIEW_PATH,
    ComtradeClient,
    conform_comtrade,
)
from pipelines.lib.sources.http import RetryPolicy, make_session
from tests.support.replay_server import Fault, ReplayServer

FIXTURES = Path(__file__).parents[1] / "fixtures" / "comtrade"
CSVS = [FIXTURES / "graphite_trade_data.csv", FIXTURES / "gallium_trade_data.csv"]
# Added by the collecting script, not part of the API response.
COLLECTOR_COLUMNS = ("commodity_name", "hs_code", "query_year")
STRING_COLUMNS = {"typeCode", "freqCode", "flowCode", "classificationCode", "cmdCode"}
STRING_COLUMNS |= {"classificationSearchCode", "customsCode"}
FILTERED = ("reporterCode", "partnerCode", "partner2Code", "cmdCode", "flowCode", "period")
FILTERED += ("customsCode", "motCode")
KNOWN_CODES = {"250410", "380110", "811292", "260200"}
GRAPHITE = ["250410", "380110"]
YEARS = range(2020, 2025)
KEY = "test-subscription-key-0123"
POLICY = RetryPolicy(max_attempts=3, backoff_base_s=0.01, backoff_max_s=0.05, timeout_s=5.0)


def api_value(column: str, text: str | None):
    """A CSV cell as the JSON API types it: codes and amounts are numbers, flags booleans."""
    if text is None or text == "":
        return None
    if column in STRING_COLUMNS:
        return text
    if text in ("True", "False"):
        return text == "True"
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def csv_frame() -> pl.DataFrame:
    frames = [pl.read_csv(p, infer_schema=False) for p in CSVS]
    return pl.concat(frames).drop(COLLECTOR_COLUMNS)


def as_api_rows(frame: pl.DataFrame) -> list[dict]:
    return [{k: api_value(k, v) for k, v in row.items()} for row in frame.iter_rows(named=True)]


API_ROWS = as_api_rows(csv_frame())


def key(row: dict) -> tuple:
    return (row["reporterCode"], row["partnerCode"], row["cmdCode"], row["flowCode"], row["period"])


def comtrade_api(rows: list[dict], cap: int):
    """Handler filtering `rows` by the query like the API, answering at most `cap` records."""

    def handler(query: dict[str, list[str]]):
        wanted = {k: set(v[0].split(",")) for k, v in query.items() if k in FILTERED}
        bad = sorted(wanted.get("cmdCode", set()) - KNOWN_CODES)
        if bad:
            error = f"Invalid parameter cmdCode: {','.join(bad)} is not a valid commodity code"
            return 200, {}, {"elements": [], "count": 0, "data": [], "error": error}
        limit = min(cap, int(query.get("maxRecords", [cap])[0]))
        hits = [r for r in rows if all(str(r[k]) in v for k, v in wanted.items())]
        return 200, {}, {"elements": [], "count": min(len(hits), limit), "data": hits[:limit]}

    return handler


class Sleeps(list):
    """Fake `sleep` that records each requested wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server():
    with ReplayServer() as srv:
        srv.route(PREVIEW_PATH, comtrade_api(API_ROWS, cap=500))
        yield srv


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(server, sleeps):
    with make_session() as session:

        def _client(**kwargs) -> ComtradeClient:
            kwargs.setdefault("policy", POLICY)
            return ComtradeClient(session, base_url=server.base_url, sleep=sleeps, **kwargs)

        yield _client


def test_preview_fetch_returns_the_rows_of_a_direct_csv_filter(client, server):
    rows = client().fetch_flows([842], [156, 0], GRAPHITE + ["811292"], YEARS)
    expected = csv_frame().filter(
        pl.col("reporterCode") == "842", pl.col("partnerCode").is_in(["156", "0"])
    )
    assert len(rows) == expected.height == 60
    assert sorted(rows, key=key) == sorted(as_api_rows(expected), key=key)
    (request,) = server.requests_for(PREVIEW_PATH)
    assert request.query["period"] == ["2020,2021,2022,2023,2024"]
    assert request.query["cmdCode"] == ["250410,380110,811292"]
    assert request.query["flowCode"] == ["M,X"] and request.query["maxRecords"] == ["500"]
    assert "ocp-apim-subscription-key" not in request.headers


def test_capped_chunk_is_split_until_complete(client, server):
    server.route(PREVIEW_PATH, comtrade_api(API_ROWS, cap=5))
    # Planned: 5 years x 2 flows = 10 calls of 2 reporters x 2 codes, expected 4 rows each.
    # Each really holds 8 (World + the other country, per reporter and code), so it comes back
    # capped at 5 and is split into one call per code: 10 + 20 calls.
    c = client(record_cap=5, all_partners_estimate=1)
    rows = c.fetch_flows([842, 156], None, GRAPHITE, YEARS)
    expected = [r for r in API_ROWS if r["cmdCode"] in GRAPHITE]
    assert len(rows) == len(expected) == 80
    assert len({key(r) for r in rows}) == 80  # no duplicates
    assert sorted(rows, key=key) == sorted(expected, key=key)  # none lost
    requests = server.requests_for(PREVIEW_PATH)
    assert len(requests) == 30
    assert {r.query["reporterCode"][0] for r in requests} == {"842,156"}
    assert {r.query["flowCode"][0] for r in requests} == {"M", "X"}  # flow is split on
    codes = [r.query["cmdCode"][0] for r in requests]
    assert codes.count(",".join(GRAPHITE)) == 10 and len(codes) == 30
    assert all("partnerCode" not in r.query for r in requests)


def test_at_most_12_periods_per_call(client, server):
    server.route(DATA_PATH, comtrade_api(API_ROWS, cap=KEYED_RECORD_CAP))
    years = list(range(2000, 2025))  # 25 years: 12 + 12 + 1, however large the cap
    rows = client(api_key=KEY).fetch_flows([842], [156], ["811292"], years)
    periods = [r.query["period"][0].split(",") for r in server.requests_for(DATA_PATH)]
    assert [len(p) for p in periods] == [12, 12, 1]
    assert sorted(int(y) for p in periods for y in p) == years
    assert len(rows) == 10  # the fixture's 2020-2024 rows, none lost


def test_single_cell_still_capped_raises(client, server):
    # one reporter x one flow x one code x one year: two partners, at the cap of 2
    server.route(PREVIEW_PATH, comtrade_api(API_ROWS, cap=2))
    with pytest.raises(SourceDataError, match="cannot be split further"):
        client(record_cap=2).fetch_flows([842], [0, 156], ["250410"], [2020], flows=("M",))


def test_429_with_retry_after_waits_the_servers_time(client, server, sleeps):
    server.script(PREVIEW_PATH, [Fault.status(429, retry_after="3")])
    rows = client().fetch_flows([842], [156], ["811292"], [2020])
    assert sleeps == [3.0]
    assert len(rows) == 2 and len(server.requests_for(PREVIEW_PATH)) == 2


def test_429_with_only_a_json_message_waits_the_seconds_it_names(client, server, sleeps):
    body = {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds."}
    server.script(PREVIEW_PATH, [Fault.status(429, body=json.dumps(body).encode())])
    rows = client().fetch_flows([842], [156], ["811292"], [2020])
    assert sleeps == [7.0]
    assert len(rows) == 2


def test_error_body_with_zero_count_is_an_error_naming_the_parameter(client):
    with pytest.raises(SourceDataError) as exc:
        client().fetch_flows([842], [156], ["999999"], [2020])
    message = str(exc.value)
    assert exc.value.field == "cmdCode" and exc.value.source == "comtrade"
    assert PREVIEW_PATH in message and "999999 is not a valid commodity code" in message


def test_genuine_empty_result_is_no_trade(client, server):
    # 260200 (manganese ore) is a valid code with no rows in the fixture; partner 4 = Afghanistan.
    assert client().fetch_flows([842], [4], ["260200", "811292"], [2020]) == []
    assert len(server.requests_for(PREVIEW_PATH)) == 1


def test_keyed_endpoint_sends_the_key_as_header_never_in_the_url(client, server):
    server.route(DATA_PATH, comtrade_api(API_ROWS, cap=KEYED_RECORD_CAP))
    rows = client(api_key=KEY).fetch_flows([156], [842], ["811292"], YEARS)
    assert len(rows) == 10
    assert server.requests_for(PREVIEW_PATH) == []
    (request,) = server.requests_for(DATA_PATH)
    assert request.headers["ocp-apim-subscription-key"] == KEY
    assert KEY not in request.path and KEY not in json.dumps(request.query)
    assert request.query["maxRecords"] == [str(KEYED_RECORD_CAP)]


def test_conform_maps_codes_to_iso3_flags_aggregates_and_converts_kg_to_t():
    base = [r for r in API_ROWS if r["cmdCode"] == "250410" and r["period"] == 2020]
    us_imports_cn = next(r for r in base if (r["reporterCode"], r["partnerCode"]) == (842, 156))
    rows = [*base, {**us_imports_cn, "partnerCode": 490}, {**us_imports_cn, "partnerCode": 899}]
    df = conform_comtrade(rows)
    assert df.height == len(rows) and set(df["source"]) == {"comtrade"}
    by_partner = {p: d for (p,), d in df.group_by("partner_code")}
    assert set(by_partner[156]["partner_iso3"]) == {"CHN"}
    assert set(by_partner[842]["partner_iso3"]) == {"USA"}
    assert by_partner[490]["partner_iso3"].to_list() == ["TWN"]
    for aggregate in (0, 899):
        assert by_partner[aggregate]["partner_iso3"].is_null().all()
        assert by_partner[aggregate]["is_aggregate_partner"].all()
    assert not by_partner[156]["is_aggregate_partner"].any()
    first = df.row(base.index(us_imports_cn), named=True)
    assert first["reporter_iso3"] == "USA" and first["flow"] == us_imports_cn["flowCode"]
    assert first["hs6"] == "250410" and first["year"] == 2020
    assert first["quantity_t"] == pytest.approx(us_imports_cn["netWgt"] / 1000)
    assert first["value_usd"] == us_imports_cn["primaryValue"]
    # Real row: US imports from the World, 2020, $43.6m with netWgt 0 = weight not reported.
    world = by_partner[0].filter(pl.col("reporter_iso3") == "USA", pl.col("flow") == "M")
    assert world["value_usd"].item() > 0 and world["quantity_t"].is_null().all()
    with pytest.raises(SourceDataError, match="9999") as exc:
        conform_comtrade([*rows, {**us_imports_cn, "partnerCode": 9999}])
    assert exc.value.field == "partnerCode"
