"""Live trade path: a BACI-format release served locally, landed, streamed and conformed."""

import hashlib

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.defs.reference.assets import dim_country, seed_assets
from pipelines.defs.resources import SourcesResource
from pipelines.defs.trade.assets import raw_baci_flows, staging_trade_flows
from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib.paths import SNAPSHOT_DIR
from tests.support.replay_server import Fault, ReplayServer
from tests.unit.test_baci_source import _write_release

BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"


def test_live_release_is_landed_filtered_and_conformed(resources, tmp_path):
    # real rows in BACI's own release format: two years, mineral codes plus one that is not
    sample = pl.read_parquet(BACI).filter(
        pl.col("year").is_in([2022, 2023]),
        pl.col("hs92_6").is_in(["250410", "261710"]),
        pl.col("importer_iso3").is_in(["JPN", "USA"]),
    )
    release = tmp_path / "serve" / "BACI_HS92_V202601.zip"
    release.parent.mkdir()
    _write_release(release, sample)
    with ReplayServer(release.parent) as server:
        server.script("/BACI_HS92_V202601.zip", [Fault.truncate(2000)])  # a dropped download
        resources["sources"] = SourcesResource(
            mode="live",
            landing_dir=str(tmp_path / "landing"),
            baci_release_url=server.url("BACI_HS92_V202601.zip"),
            timeout_s=5,
        )
        result = dg.materialize(
            [dim_country, *seed_assets, raw_baci_flows, staging_trade_flows],
            resources=resources,
            instance=dg.DagsterInstance.ephemeral(),
            tags=year_range_tags(2022, 2023),  # trade assets are partitioned by year
        )
    assert result.success
    landed = list((tmp_path / "landing/baci").rglob("*.zip"))
    assert [p.read_bytes() for p in landed] == [release.read_bytes()]
    con = duckdb.connect(str(tmp_path / "warehouse/build/minerals.duckdb"), read_only=True)
    got = con.sql(
        "SELECT year, hs6, sum(value_usd) AS usd, count(*) AS n "
        "FROM staging.trade_flows GROUP BY ALL ORDER BY ALL"
    ).pl()
    expected = (
        sample.group_by(pl.col("year").cast(pl.Int32), hs6=pl.col("hs92_6"))
        .agg(usd=(pl.col("value_kusd") * 1000).sum(), n=pl.len())
        .sort("year", "hs6")
    )
    assert got["n"].to_list() == expected["n"].to_list()
    assert got["usd"].to_list() == pytest.approx(expected["usd"].to_list())
    # raw.baci_flows records the sha256 of the zip it read: the one the server served
    (read,) = con.execute("SELECT DISTINCT _sha256 FROM raw.baci_flows").fetchall()[0]
    assert read == hashlib.sha256(release.read_bytes()).hexdigest()


def test_a_year_missing_from_the_release_fails_the_run_naming_release_and_year(resources, tmp_path):
    sample = pl.read_parquet(BACI).filter(
        pl.col("year").is_in([2022, 2023]), pl.col("hs92_6") == "250410"
    )
    release = tmp_path / "serve" / "BACI_HS92_V202601.zip"
    release.parent.mkdir()
    _write_release(release, sample)  # 2022 and 2023 only
    with ReplayServer(release.parent) as server:
        resources["sources"] = SourcesResource(
            mode="live",
            landing_dir=str(tmp_path / "landing"),
            baci_release_url=server.url("BACI_HS92_V202601.zip"),
            timeout_s=5,
        )
        result = dg.materialize(
            [raw_baci_flows],
            resources=resources,
            instance=dg.DagsterInstance.ephemeral(),
            tags=year_range_tags(2022, 2024),
            raise_on_error=False,
        )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error
    message = error.cause.message if error.cause else error.message
    assert "BACI_HS92_V202601.zip" in message and "no data for 2024" in message
