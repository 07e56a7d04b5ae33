"""Production assets materialized in process on tmp_path, from the snapshot and in live mode."""

import shutil

import dagster as dg
import duckdb
import pytest

from pipelines.defs.production.assets import (
    raw_iea_supply,
    raw_usgs_mcs_production,
    staging_production,
)
from pipelines.defs.production.checks import (
    expected_series_present,
    no_collapse_between_editions,
    production_suite,
    year_on_year_moves,
)
from pipelines.defs.reference.assets import dim_country, dim_country_suite
from pipelines.defs.resources import SourcesResource
from pipelines.defs.tables import contract_check
from pipelines.lib.contracts import contract_for
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources.catalog import USGS_LIVE_FILES
from tests.support.replay_server import Fault, ReplayServer

PRODUCTION_GRAPH = [
    dim_country,
    dim_country_suite,
    raw_usgs_mcs_production,
    raw_iea_supply,
    staging_production,
    production_suite,
    contract_check(contract_for("staging.production")),  # grain, iso3, amount_matches_flag
    contract_check(contract_for("staging.dim_country")),
    expected_series_present,
    no_collapse_between_editions,
    year_on_year_moves,
]


def materialize(assets, resources):
    return dg.materialize(
        assets, resources=resources, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def metadata(result, table):
    key = dg.AssetKey(table.split("."))
    (mat,) = [
        e.event_specific_data.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key == key
    ]
    return {k: v.value for k, v in mat.metadata.items()}


def test_staging_production_from_snapshot(resources, tmp_path):
    result = materialize(PRODUCTION_GRAPH, resources)
    assert result.success
    failed = {e.check_name: e for e in result.get_asset_check_evaluations() if not e.passed}
    # the real data has a few large year-on-year moves (Burma rare earths 2022 -> 2023): a WARN
    assert list(failed) == ["year_on_year_moves"]
    assert failed["year_on_year_moves"].severity == dg.AssetCheckSeverity.WARN
    staged = metadata(result, "staging.production")
    assert staged["dagster/row_count"] > 9000 and staged["commodities"] > 80
    con = duckdb.connect(str(tmp_path / "warehouse/build/minerals.duckdb"), read_only=True)
    editions = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT edition FROM staging.production WHERE is_latest_edition"
        ).fetchall()
    }
    # older editions stay queryable; the newest wins where editions overlap
    assert {"MCS2026", "IEA CMDE 2025"} <= editions
    (newest_2024,) = con.execute("""SELECT max(edition) FROM staging.production
        WHERE source = 'usgs_mcs' AND commodity = 'rare_earths' AND year = 2024""").fetchone()
    (latest_2024,) = con.execute("""SELECT DISTINCT edition FROM staging.production
        WHERE source = 'usgs_mcs' AND commodity = 'rare_earths' AND year = 2024
          AND is_latest_edition""").fetchone()
    assert newest_2024 == latest_2024 == "MCS2026"
    sha = con.execute("SELECT count(DISTINCT _sha256) FROM raw.usgs_mcs_production").fetchone()
    assert sha[0] > 100  # one hash per source file


@pytest.fixture
def usgs_server(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    for item in USGS_LIVE_FILES:
        edition = item.filename[3:7]  # MCS2025_... -> 2025
        shutil.copy(SNAPSHOT_DIR / "usgs_mcs" / edition / item.filename, www / item.filename)
    with ReplayServer(www) as server:
        for item in USGS_LIVE_FILES:  # links come from each ScienceBase item's JSON
            server.sciencebase_item(item.item_id, [item.filename])
        yield server


def test_live_mode_lands_files_once_and_reads_them(resources, tmp_path, usgs_server):
    resources["sources"] = SourcesResource(
        mode="live",
        landing_dir=str(tmp_path / "landing"),
        usgs_base_url=usgs_server.url("/catalog"),
        timeout_s=5,
    )
    first = materialize([raw_usgs_mcs_production], resources)
    assert first.success
    landed = sorted(p.name for p in (tmp_path / "landing/usgs_mcs").rglob("*.csv"))
    assert landed == sorted(f.filename for f in USGS_LIVE_FILES)
    # a second refresh with unchanged files makes no new version
    second = materialize([raw_usgs_mcs_production], resources)
    assert second.success
    assert len(list((tmp_path / "landing/usgs_mcs").rglob("*.csv"))) == len(landed)
    con = duckdb.connect(str(tmp_path / "warehouse/build/minerals.duckdb"), read_only=True)
    sources = dict(
        con.execute(
            "SELECT source_file, any_value(_source) FROM raw.usgs_mcs_production GROUP BY 1"
        ).fetchall()
    )
    live = {k for k, v in sources.items() if v == "live"}
    assert live == {f"{f.filename[3:7]}/{f.filename}" for f in USGS_LIVE_FILES}
    assert set(sources.values()) == {"live", "snapshot"}  # archived editions, said so


def test_live_mode_source_outage_fails_and_keeps_nothing_half_landed(resources, tmp_path):
    with ReplayServer(tmp_path / "empty") as server:
        for item in USGS_LIVE_FILES:  # every request answers 404
            server.script(f"/catalog/item/{item.item_id}", [Fault.status(404)] * 3)
        resources["sources"] = SourcesResource(
            mode="live",
            usgs_base_url=server.url("/catalog"),
            landing_dir=str(tmp_path / "landing"),
        )
        result = materialize([raw_usgs_mcs_production], resources)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "404" in str(failure.event_specific_data.error)
    assert not list((tmp_path / "landing").rglob("*.csv"))
