"""Live governance path: staging.governance built from a local replay of the World Bank API."""

from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from pipelines.defs.reference.assets import dim_country
from pipelines.defs.resources import SourcesResource
from pipelines.defs.risk.assets import staging_governance
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources.worldbank import INDICATOR_CODES
from pipelines.lib.transforms.governance import DIMENSIONS, read_wgi_bulk
from tests.support.replay_server import ReplayServer
from tests.unit.test_worldbank import VINTAGE, api_rows, row, serve

COUNTRIES = ["CHN", "COD"]


def test_live_governance_comes_from_the_api(resources, tmp_path: Path):
    bulk = read_wgi_bulk(SNAPSHOT_DIR / "wgi/WGIData.csv").filter(
        pl.col("iso3").is_in(COUNTRIES), pl.col("year").is_between(2020, 2022)
    )
    rows = api_rows(bulk)
    for code in INDICATOR_CODES.values():  # an aggregate and Kosovo: neither is staged
        rows[code] += [row(code, "WLD", 2022, 0.5, name="World"), row(code, "XKX", 2022, 0.5)]
    # production runs to 2023 (2024 is a projection): WGI 2022 is carried forward to 2023
    production = pl.DataFrame({"year": [2022, 2023, 2024], "is_projection": [False, False, True]})
    wh = resources["warehouse"].get()
    with wh.connect() as con:
        wh.write_table(con, "staging.production", production)

    with ReplayServer() as server:
        serve(server, rows)
        resources["sources"] = SourcesResource(
            mode="live",
            landing_dir=str(tmp_path / "landing"),
            worldbank_base_url=server.base_url,
            timeout_s=5,
        )
        instance = dg.DagsterInstance.ephemeral()
        result = dg.materialize(
            [dim_country, staging_governance], resources=resources, instance=instance
        )
        assert result.success
        assert len(server.requests) == len(INDICATOR_CODES) == 6

    con = duckdb.connect(str(tmp_path / "warehouse/build/minerals.duckdb"), read_only=True)
    got = con.sql("SELECT * FROM staging.governance ORDER BY iso3, dimension, year").pl()
    assert got.height == len(COUNTRIES) * len(DIMENSIONS) * 4  # 2020-2023
    published = got.filter(~pl.col("is_carried_forward"))
    assert_frame_equal(
        published.select("iso3", "dimension", "year", "estimate"),
        bulk.select("iso3", "dimension", "year", "estimate").sort("iso3", "dimension", "year"),
        check_exact=True,
        check_dtypes=False,
    )
    # two countries scored: the better one ranks 100, the other 0 (Kosovo is ranked too: 50)
    assert set(published["percentile_rank"]) <= {0.0, 50.0, 100.0}
    assert set(got["source"]) == {f"worldbank_api:{VINTAGE}"}  # the live vintage
    carried = got.filter(pl.col("is_carried_forward"))
    assert set(carried["year"]) == {2023} and set(carried["source_year"]) == {2022}
    logs = [e.user_message for e in instance.all_logs(result.run_id)]
    assert any(m.startswith("WGI from the World Bank API (http://127.0.0.1:") for m in logs)
