"""Live USGS path, and what Dagster's data versions make of an unchanged or a revised file.

The replay serves the two current USGS files behind ScienceBase item JSON; the IEA workbook
waits in the inbox. Raw assets report the sha256 of what they read as their data version, so
Dagster's own staleness says whether anything downstream must re-run.
"""

import hashlib
import shutil

import dagster as dg
import duckdb

from pipelines.dagster_compat import stale_status
from pipelines.defs.production.assets import (
    raw_iea_supply,
    raw_usgs_mcs_production,
    staging_production,
)
from pipelines.defs.reference.assets import dim_country
from pipelines.defs.resources import SourcesResource
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources.catalog import USGS_LIVE_FILES
from pipelines.lib.sources.landing import versions
from tests.support.replay_server import ReplayServer

MCS2025 = "MCS2025_World_Data.csv"
CHINA_GRAPHITE_2024 = "MCS2025,Graphite,China,Mine production,metric tons,1210000,1270000,"
ASSETS = [dim_country, raw_usgs_mcs_production, raw_iea_supply, staging_production]


def status(instance, resources, key: str) -> str:
    graph = dg.Definitions(assets=ASSETS, resources=resources).resolve_asset_graph()
    return stale_status(instance, graph, dg.AssetKey(key.split(".")))


def test_unchanged_file_leaves_downstream_fresh_a_revised_one_makes_it_stale(resources, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    for f in USGS_LIVE_FILES:
        shutil.copy(next((SNAPSHOT_DIR / "usgs_mcs").rglob(f.filename)), www / f.filename)
    (tmp_path / "inbox" / "iea").mkdir(parents=True)
    shutil.copy(SNAPSHOT_DIR / "iea/CM_Data_Explorer_May2024.xlsx", tmp_path / "inbox" / "iea")
    instance = dg.DagsterInstance.ephemeral()
    with ReplayServer(www) as server:
        for f in USGS_LIVE_FILES:
            server.sciencebase_item(f.item_id, [f.filename])
        resources["sources"] = SourcesResource(
            mode="live",
            landing_dir=str(tmp_path / "landing"),
            inbox_dir=str(tmp_path / "inbox"),
            usgs_base_url=server.url("/catalog"),
            timeout_s=5,
        )

        def run(assets):
            result = dg.materialize(assets, resources=resources, instance=instance)
            assert result.success

        run(ASSETS)
        assert status(instance, resources, "staging.production") == "FRESH"
        # Nothing changed: the source is asked again (304), lands nothing, downstream is fresh.
        run([raw_usgs_mcs_production])
        assert server.requests_for(f"/{MCS2025}")[-1].headers["if-none-match"]
        assert len(versions(tmp_path / "landing", "usgs_mcs", MCS2025)) == 1
        assert status(instance, resources, "staging.production") == "FRESH"
        # USGS revises the file: China's 2024 graphite 1,270,000 t -> 1,280,000 t.
        text = (www / MCS2025).read_text(encoding="utf-8")
        assert text.count(CHINA_GRAPHITE_2024) == 1
        revised = text.replace(CHINA_GRAPHITE_2024, CHINA_GRAPHITE_2024[:-8] + "1280000,")
        (www / MCS2025).write_text(revised, encoding="utf-8")
        run([raw_usgs_mcs_production])
        assert len(versions(tmp_path / "landing", "usgs_mcs", MCS2025)) == 2
        assert status(instance, resources, "staging.production") == "STALE"
        run([staging_production])
        assert status(instance, resources, "staging.production") == "FRESH"

    con = duckdb.connect(str(tmp_path / "warehouse/build/minerals.duckdb"), read_only=True)
    (read,) = con.execute(
        "SELECT DISTINCT _sha256 FROM raw.usgs_mcs_production WHERE source_file = ?",
        [f"2025/{MCS2025}"],
    ).fetchall()
    assert read == (hashlib.sha256((www / MCS2025).read_bytes()).hexdigest(),)  # what was served
    china = con.execute(
        "SELECT amount FROM staging.production WHERE edition = 'MCS2025' AND iso3 = 'CHN' "
        "AND commodity = 'graphite' AND stage = 'mining' AND year = 2024"
    ).fetchall()
    assert china == [(1_280_000.0,)]  # the served figure, not the snapshot's
