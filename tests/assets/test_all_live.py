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
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from pipelines.lib.sources.catalog import USGS_LIVE_FILES
from pipelines.lib.sources.landing import versions
from tests.support.publishers import (
    BACI,
    CENSUS_KEY,
    ESTAT_APP_ID,
    KEY,
    RELEASE,
    WORKBOOK,
    comtrade_rows,
    publishers,
)
from tests.support.replay_server import Fault
from tests.unit.test_worldbank import VINTAGE

pytestmark = pytest.mark.e2e


def refresh(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "refresh", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def live_refresh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    with publishers(tmp) as (server, env):
        proc = refresh(env)
        requests = list(server.requests)
        # The same again with nothing changed, only what changed: a 304 per file, no new
        # landed version, and Dagster finds nothing stale.
        again = refresh(env, "--changed")
        again_requests = server.requests[len(requests) :]
        # Comtrade refuses the key and echoes it in its answer, as a proxy's error page may
        server.script("/data/v1/get/C/A/HS", [Fault.status(401, body=DENIED.encode())])
        denied = refresh(env, "--select", "raw.comtrade_flows")
    con = duckdb.connect(str(tmp / "warehouse" / "minerals.duckdb"), read_only=True)
    extract = pl.read_parquet(BACI)
    yield proc, con, tmp, tmp / "www", requests, extract, again, again_requests, denied
    con.close()


DENIED = f'{{"statusCode": 401, "message": "Access denied: invalid subscription key {KEY}"}}'


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_live_refresh_succeeds_and_says_it_is_live(live_refresh):
    proc, *_ = live_refresh
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    assert proc.stdout.startswith("Refreshing from the live sources...")
    assert "bundled snapshot" not in proc.stdout


def test_usgs_rows_come_from_the_files_served(live_refresh):
    _, con, _, www, requests, *_ = live_refresh
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
    _, _, tmp, www, _, extract, *_ = live_refresh
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


def test_a_second_refresh_with_nothing_changed_reruns_nothing_downstream(live_refresh):
    _, _, tmp, _, requests, _, again, again_requests, _ = live_refresh
    assert again.returncode == 0, again.stderr[-3000:] + again.stdout[-3000:]
    built = [line.split()[2] for line in again.stdout.splitlines() if " built " in line]
    assert built and all(name.startswith("raw.") for name in built), built
    for source, name in (("usgs_mcs", "MCS2025_World_Data.csv"), ("baci", RELEASE)):
        assert len(versions(tmp / "landing", source, name)) == 1
    files = [r for r in again_requests if r.path.endswith((".csv", ".zip"))]
    assert files and all("if-none-match" in r.headers for r in files)


def key_places(root, key: str) -> list[str]:
    """Every place under `root` that holds `key`: file bytes (logs, Dagster's SQLite event log
    and compute logs, landing indexes and files, manifests), and the text columns of DuckDB
    and Parquet files, whose compression would hide it from a byte search."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if key.encode() in path.read_bytes():
            found.append(str(path.relative_to(root)))
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            text = frame.select(pl.col(pl.String)).write_csv()
            found += [f"{path.relative_to(root)} (a value)"] if key in text else []
        if path.suffix == ".duckdb":
            with duckdb.connect(str(path), read_only=True) as db:
                for schema, table, column in db.execute(
                    "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                    "WHERE data_type = 'VARCHAR' AND NOT internal"
                ).fetchall():
                    (hits,) = db.execute(
                        f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains("{column}", ?)',
                        [key],
                    ).fetchone()
                    if hits:
                        found.append(f"{path.relative_to(root)}: {schema}.{table}.{column}")
    return found


def test_the_api_keys_appear_nowhere(live_refresh):
    """COMTRADE_API_KEY (a header), CENSUS_API_KEY and ESTAT_APP_ID (query parameters, so in
    every URL those clients call) were sent with every call, and are nowhere after three live
    refreshes (one refused by an answer that echoes the Comtrade key): not in what they
    printed, the logs, Dagster's event log and compute logs, the raw and meta tables, the
    exports and their manifest, the landing index, nor the error message."""
    proc, _, tmp, www, requests, _, again, _, denied = live_refresh
    comtrade = [r for r in requests if r.path.startswith("/data/v1/get/")]
    assert comtrade and all(r.headers["ocp-apim-subscription-key"] == KEY for r in comtrade)
    census = [r for r in requests if r.path.startswith("/data/timeseries/intltrade/")]
    assert census and all(r.query["key"] == [CENSUS_KEY] for r in census)
    estat = [r for r in requests if r.path.startswith("/rest/3.0/app/json/")]
    assert estat and all(r.query["appId"] == [ESTAT_APP_ID] for r in estat)
    assert denied.returncode == 1 and "HTTP 401" in denied.stdout  # the refusal was reported
    assert "invalid subscription key ***" in denied.stdout
    printed = [p.stdout + p.stderr for p in (proc, again, denied)]
    assert (tmp / "warehouse" / "exports" / "manifest.json").exists()
    assert (tmp / "dagster_home" / "history").exists()  # the event log is among the files
    for key in (KEY, CENSUS_KEY, ESTAT_APP_ID):
        assert [key in text for text in printed] == [False, False, False], key
        assert key_places(tmp, key) == [], key
