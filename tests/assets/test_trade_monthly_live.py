"""staging.trade_monthly in live mode: the monthly Comtrade endpoint replayed on 127.0.0.1."""

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.defs.reference.assets import dim_country
from pipelines.defs.resources import SourcesResource
from pipelines.defs.trade.monthly import raw_comtrade_monthly, staging_trade_monthly
from pipelines.lib.sources.comtrade import DATA_PATH
from pipelines.lib.sources.landing import versions
from tests.support.comtrade_monthly import api_records, monthly_api, raw_rows
from tests.support.replay_server import ReplayServer


def test_live_monthly_exports_land_in_the_same_table(resources, tmp_path):
    records = api_records()  # the snapshot's real 2024 rows in the API's record shape
    path = DATA_PATH.replace("/C/A/", "/C/M/")
    with ReplayServer() as server:
        server.route(path, monthly_api(records))
        resources["sources"] = SourcesResource(
            mode="live",
            landing_dir=str(tmp_path / "landing"),
            comtrade_base_url=server.base_url,
            comtrade_api_key="test-key",
            timeout_s=5,
        )
        result = dg.materialize(
            [dim_country, raw_comtrade_monthly, staging_trade_monthly],
            resources=resources,
            instance=dg.DagsterInstance.ephemeral(),
        )
        requests = server.requests_for(path)
    assert result.success
    # reporter 156, exports, every partner (no partnerCode), at most 12 months per call
    assert all(
        r.query["reporterCode"] == ["156"] and r.query["flowCode"] == ["X"] for r in requests
    )
    assert all("partnerCode" not in r.query for r in requests)
    assert all(len(r.query["period"][0].split(",")) <= 12 for r in requests)
    assert "811292" in requests[0].query["cmdCode"][0].split(",")
    con = duckdb.connect(str(tmp_path / "warehouse/build/minerals.duckdb"), read_only=True)
    got = con.execute(
        "SELECT sum(value_usd) FROM staging.trade_monthly WHERE partner_iso3 = 'JPN' "
        "AND hs6 = '380110' AND year(period) = 2024"
    ).fetchone()[0]
    by_hand = sum(
        float(r["val"])
        for r in raw_rows()
        if r["partner_name"] == "Japan" and r["hs6"] == "380110" and r["period_dt"] < "2025"
        and r["period_dt"] >= "2024"
    )  # fmt: skip
    assert got == pytest.approx(by_hand)
    (source,) = con.execute("SELECT DISTINCT source_file FROM staging.trade_monthly").fetchone()
    # the API's answers were landed as one file, with its index entry
    (entry,) = versions(tmp_path / "landing", "comtrade", "china_exports_monthly_api.json")
    assert source == f"comtrade/{entry['path']}" and entry["origin"] == "comtrade_api"


def test_the_monthly_trade_schedule_refreshes_the_monthly_series():
    job = defs.resolve_job_def("trade_job")
    keys = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert {"staging/trade_monthly", "marts/export_control_event_study"} <= keys
