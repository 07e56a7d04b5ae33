"""Every publisher live mode talks to, replayed locally in its real shape from the bundled files.

`publishers(tmp)` starts a `ReplayServer` answering like ScienceBase (item JSON + the two current
USGS CSVs), CEPII (`BACI_HS92_V202601.zip`, one `BACI_HS92_Y<year>_V202601.csv` per year
1995-2024, written from the snapshot extract in BACI's format), UN Comtrade's keyed API and the
World Bank API under the 2026 `GOV_WGI_*` codes, the monthly customs publishers and the ECB
(tests/support/partner_monthly.py), puts the IEA workbook in an inbox, and yields
the server with the environment that points `minerals refresh` at all of it.
"""

import contextlib
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from pipelines.defs.trade.comtrade import COMTRADE_SNAPSHOT, SNAPSHOT_FIELDS
from pipelines.lib.paths import PROJECT_ROOT, SNAPSHOT_DIR
from pipelines.lib.sources.catalog import USGS_LIVE_FILES
from pipelines.lib.transforms.governance import read_wgi_bulk
from tests.support import partner_monthly
from tests.support.comtrade_monthly import MONTHLY_PATH, api_records, monthly_api
from tests.support.replay_server import ReplayServer

BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
RELEASE = "BACI_HS92_V202601.zip"
WORKBOOK = SNAPSHOT_DIR / "iea/CM_Data_Explorer_May2024.xlsx"
# grepped for everywhere after a live refresh
KEY = "fake-comtrade-key-7c3e91d2"
CENSUS_KEY = "fake-census-key-51a8e0f3"  # sent as the query parameter `key`
ESTAT_APP_ID = "fake-estat-app-id-9d24b6c7"  # sent as the query parameter `appId`


def write_release(path: Path, extract: pl.DataFrame) -> None:
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
    """The bundled declarations with the API's field names and types."""
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


@contextlib.contextmanager
def publishers(tmp: Path) -> Iterator[tuple[ReplayServer, dict[str, str]]]:
    from tests.unit.test_worldbank import api_rows, serve

    www = tmp / "www"
    www.mkdir(exist_ok=True)
    for f in USGS_LIVE_FILES:
        shutil.copy(next((SNAPSHOT_DIR / "usgs_mcs").rglob(f.filename)), www / f.filename)
    if not (www / RELEASE).exists():
        write_release(www / RELEASE, pl.read_parquet(BACI))
    (tmp / "inbox" / "iea").mkdir(parents=True, exist_ok=True)
    shutil.copy(WORKBOOK, tmp / "inbox" / "iea" / WORKBOOK.name)
    bulk = read_wgi_bulk(SNAPSHOT_DIR / "wgi/WGIData.csv").filter(pl.col("estimate").is_not_null())
    with ReplayServer(www) as server:
        for f in USGS_LIVE_FILES:
            server.sciencebase_item(f.item_id, [f.filename])
        server.route("/data/v1/get/C/A/HS", comtrade_handler(comtrade_rows()))
        server.route(MONTHLY_PATH, monthly_api(api_records()))
        serve(server, api_rows(bulk))
        partner_monthly.serve(server, partner_monthly.initial_rows())
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
            **partner_monthly.env(server),
            CENSUS_API_KEY=CENSUS_KEY,
            ESTAT_APP_ID=ESTAT_APP_ID,
            DAGSTER_HOME=str(tmp / "dagster_home"),
        )
        (tmp / "dagster_home").mkdir(exist_ok=True)  # run history: staleness needs it
        shutil.copy(PROJECT_ROOT / ".dagster/dagster.yaml", tmp / "dagster_home")
        yield server, env
