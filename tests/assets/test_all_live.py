"""`MINERALS_SOURCE=live minerals refresh` against local replays of every publisher.

The replay server answers in each publisher's real shape, from the bundled real files:
ScienceBase item JSON and the two current USGS CSVs; CEPII's release zip
(`BACI_HS92_V202601.zip`, one `BACI_HS92_Y<year>_V202601.csv` per year 1995-2024, written from
the snapshot extract in BACI's format); UN Comtrade's keyed API; the World Bank API under the
2026 `GOV_WGI_*` codes. The IEA workbook waits in the inbox, as a user would leave it. The
refresh runs as the `minerals` command in its own process, configured only through the
environment, and each raw table must hold the sha256 of exactly what was served.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile

import duckdb
import polars as pl
import pytest

from pipelines.defs.trade.comtrade import COMTRADE_SNAPSHOT, SNAPSHOT_FIELDS
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources.catalog import USGS_LIVE_FILES
from pipelines.lib.transforms.governance import read_wgi_bulk
from tests.support.replay_server import ReplayServer
from tests.unit.test_worldbank import VINTAGE, api_rows, serve

pytestmark = pytest.mark.e2e

BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
RELEASE = "BACI_HS92_V202601.zip"
WORKBOOK = SNAPSHOT_DIR / "iea/CM_Data_Explorer_May2024.xlsx"
KEY = "replay-key"


def write_release(path, extract: pl.DataFrame) -> None:
    """The extract in CEPII's release layout: t,i,j,k,v,q; k without its leading zero."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for (year,), part in extract.group_by("year", maintain_order=True):
            csv = part.select(
                t="year",
                i="exporter_baci",
                j="importer_baci",
                k=pl.col("hs92_6").cast(pl.Int64),
                v="value_kusd",
                q="qty_t",
            ).write_csv(null_value="NA")
            zf.writestr(f"BACI_HS92_Y{year}_V202601.csv", csv)
        zf.writestr("country_codes_V202601.csv", "country_code,country_name\n")


def comtrade_rows() -> list[dict]:
    raw = pl.read_csv(SNAPSHOT_DIR / COMTRADE_SNAPSHOT, infer_schema=False).rename(SNAPSHOT_FIELDS)
    rows = []
    for r in raw.iter_rows(named=True):
        row = {k: (float(v) if k in ("primaryValue", "netWgt") and v else v) for k, v in r.items()}
        row.update(period=r["refYear"], refYear=int(r["refYear"]))
        rows.append(row)
    return rows


def comtrade_handler(rows: list[dict]):
    def handler(query):
        wanted = {
            k: set(query[k][0].split(","))
            for k in ("reporterCode", "cmdCode", "flowCode", "period")
        }
        hits = [r for r in rows if all(str(r[k]) in v for k, v in wanted.items())]
        return 200, {}, {"elements": [], "count": len(hits), "data": hits, "error": ""}

    return handler


@pytest.fixture(scope="module")
def live_refresh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    www = tmp / "www"
    www.mkdir()
    for f in USGS_LIVE_FILES:
        shutil.copy(next((SNAPSHOT_DIR / "usgs_mcs").rglob(f.filename)), www / f.filename)
    extract = pl.read_parquet(BACI)
    write_release(www / RELEASE, extract)
    (tmp / "inbox" / "iea").mkdir(parents=True)
    shutil.copy(WORKBOOK, tmp / "inbox" / "iea" / WORKBOOK.name)
    bulk = read_wgi_bulk(SNAPSHOT_DIR / "wgi/WGIData.csv").filter(pl.col("estimate").is_not_null())
    with ReplayServer(www) as server:
        for f in USGS_LIVE_FILES:
            server.sciencebase_item(f.item_id, [f.filename])
        server.route("/data/v1/get/C/A/HS", comtrade_handler(comtrade_rows()))
        serve(server, api_rows(bulk))
        env = dict(
            os.environ,
            MINERALS_SOURCE="live",
            MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"),
            MINERALS_LANDING_DIR=str(tmp / "landing"),
            MINERALS_INBOX_DIR=str(tmp / "inbox"),
            MINERALS_USGS_BASE_URL=server.url("/catalog"),
            MINERALS_BACI_RELEASE_URL=server.url(RELEASE),
            MINERALS_COMTRADE_BASE_URL=server.base_url,
            COMTRADE_API_KEY=KEY,
            MINERALS_WORLDBANK_BASE_URL=server.base_url,
        )
        env.pop("DAGSTER_HOME", None)
        proc = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "refresh"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        requests = list(server.requests)
    con = duckdb.connect(str(tmp / "warehouse" / "minerals.duckdb"), read_only=True)
    yield proc, con, tmp, www, requests, extract
    con.close()


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_live_refresh_succeeds_and_says_it_is_live(live_refresh):
    proc, *_ = live_refresh
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    assert proc.stdout.startswith("Refreshing from the live sources...")
    assert "bundled snapshot" not in proc.stdout


def test_usgs_rows_come_from_the_files_served(live_refresh):
    _, con, _, www, requests, _ = live_refresh
    got = dict(
        con.execute(
            "SELECT source_file, sha256 FROM meta.source_files "
            "WHERE source = 'usgs_mcs' AND mode = 'live'"
        ).fetchall()
    )
    assert got == {
        "2025/MCS2025_World_Data.csv": sha(www / "MCS2025_World_Data.csv"),
        "2026/MCS2026_Commodities_Data.csv": sha(www / "MCS2026_Commodities_Data.csv"),
    }
    assert {r.path for r in requests if r.path.startswith("/catalog/item/")} == {
        f"/catalog/item/{f.item_id}" for f in USGS_LIVE_FILES
    }


def test_iea_rows_come_from_the_inbox_workbook(live_refresh):
    _, con, tmp, *_ = live_refresh
    (mode, digest) = con.execute(
        "SELECT mode, sha256 FROM meta.source_files WHERE source_file = ?", [WORKBOOK.name]
    ).fetchall()[0]
    assert (mode, digest) == ("live", sha(WORKBOOK))
    landed = list((tmp / "landing" / "iea").rglob(WORKBOOK.name))
    assert len(landed) == 1 and sha(landed[0]) == sha(WORKBOOK)


def test_baci_rows_come_from_the_release_served_every_year(live_refresh):
    _, _, tmp, www, _, extract = live_refresh
    build = duckdb.connect(str(tmp / "warehouse" / "build" / "minerals.duckdb"), read_only=True)
    rows = build.execute(
        "SELECT _sha256, _source_file, count(*), min(year), max(year) FROM raw.baci_flows "
        "GROUP BY ALL"
    ).fetchall()
    build.close()
    assert rows == [(sha(www / RELEASE), RELEASE, extract.height, 1995, 2024)]


def test_governance_is_the_api_vintage_and_comtrade_is_live(live_refresh):
    tmp = live_refresh[2]
    build = duckdb.connect(str(tmp / "warehouse" / "build" / "minerals.duckdb"), read_only=True)
    (source,) = build.execute("SELECT DISTINCT source FROM staging.governance").fetchall()
    assert source == (f"worldbank_api:{VINTAGE}",)
    modes = build.execute("SELECT DISTINCT _source FROM raw.comtrade_flows").fetchall()
    snapshot_rows = len(comtrade_rows())
    (n,) = build.execute("SELECT count(*) FROM raw.comtrade_flows").fetchone()
    build.close()
    assert modes == [("live",)] and n == snapshot_rows
