"""`minerals refresh --live` when no publisher can be reached: each source is named in one line,
and the published warehouse is left byte for byte as it was."""

import hashlib
import os
import shutil
import subprocess
import sys

import pytest

from pipelines.lib.paths import PROJECT_ROOT

pytestmark = pytest.mark.faults

CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, every connection is refused
# the asset of each live source and the words its one line must hold
SOURCES = {
    "raw.usgs_mcs_production": "usgs_mcs",
    "raw.baci_flows": "baci",
    "raw.comtrade_flows": "comtrade",
    "raw.comtrade_monthly": "comtrade",
    "raw.iea_supply": "iea",
    "raw.partner_monthly_hmrc": "hmrc: download of http://127.0.0.1:9/OTS",
    "raw.partner_monthly_eurostat": "eurostat: download of http://127.0.0.1:9/eurostat",
    "raw.partner_monthly_uscensus": "uscensus: download of http://127.0.0.1:9/data/timeseries",
    "raw.partner_monthly_estat_japan": "estat_japan: download of http://127.0.0.1:9/rest",
    "raw.ecb_fx_monthly": "ecb: download of http://127.0.0.1:9/service/data/EXR",
}


def test_offline_live_refresh_names_each_source_and_keeps_the_warehouse(baseline, tmp_path):
    shutil.copytree(
        baseline, tmp_path / "warehouse", ignore=shutil.ignore_patterns("exports", "dashboard")
    )
    published = tmp_path / "warehouse" / "minerals.duckdb"
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    (tmp_path / "inbox" / "iea").mkdir(parents=True)
    (tmp_path / "dagster_home").mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster/dagster.yaml", tmp_path / "dagster_home")
    env = dict(
        os.environ,
        MINERALS_WAREHOUSE_DIR=str(tmp_path / "warehouse"),
        MINERALS_LANDING_DIR=str(tmp_path / "landing"),
        MINERALS_INBOX_DIR=str(tmp_path / "inbox"),
        MINERALS_USGS_BASE_URL=f"{CLOSED}/catalog",
        MINERALS_BACI_RELEASE_URL=f"{CLOSED}/BACI_HS92_V202601.zip",
        MINERALS_COMTRADE_BASE_URL=CLOSED,
        MINERALS_WORLDBANK_BASE_URL=CLOSED,
        MINERALS_HMRC_BASE_URL=CLOSED,
        MINERALS_EUROSTAT_BASE_URL=CLOSED,
        MINERALS_CENSUS_BASE_URL=CLOSED,
        MINERALS_ESTAT_BASE_URL=CLOSED,
        MINERALS_ECB_BASE_URL=CLOSED,
        ESTAT_APP_ID="offline-test-id",
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "refresh", "--live"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    failed = [line for line in proc.stdout.splitlines() if " FAILED " in line]
    for asset, words in SOURCES.items():
        lines = [line for line in failed if f" {asset}:" in line]
        assert len(lines) == 1, (asset, failed)
        assert words in lines[0], lines[0]
    # every line of an unreachable source says so (the IEA inbox line says what to download)
    assert all("connection refused" in line or "iea" in line for line in failed), failed
    assert "nothing was published" in proc.stderr
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
