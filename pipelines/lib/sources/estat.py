"""Japan's customs trade statistics through e-Stat: the yearly "by commodity and country" CSVs.

Evidence (checked 2026-12-07): Japan's Trade Statistics (statistics code 00350300, Ministry of
Finance) are published on e-Stat as CSV files, one per year and flow, updated month by month,
with the columns `Exp or Imp` (1 exports, 2 imports), `Year`, `HS` (the 9-digit statistical
code, quoted like '848610000'), `Country` (Japan Customs' 3-digit country code, e.g. 105 China,
103 Korea, 304 United States), `Unit1`, `Unit2`, then `Quantity1-<Mon>`, `Quantity2-<Mon>`,
`Value-<Mon>` per month and for the year, values in thousands of yen (public e-Stat clients and
the layout shown by pedrocondor/oec-etl `etl/countries/japan/README.md`). The files are found
through the e-Stat API's data catalogue, `GET https://api.e-stat.go.jp/rest/3.0/app/json/
getDataCatalog` (`statsCode`, `searchWord`, `dataType=CSV`, `surveyYears`), which needs an
application id (`appId`, free registration at https://www.e-stat.go.jp/api/): each
`GET_DATA_CATALOG.DATA_CATALOG_LIST_INF.DATA_CATALOG_INF[].RESOURCES.RESOURCE[]` has `TITLE.NAME`
and `URL`, the file's download address. Without an id this source is skipped, saying so.

Japan's country codes are mapped to ISO3 by data/seeds/country_codes.csv (source estat_japan): a
code missing there is an error naming file, row and field, never a silent drop.
"""

import time
from datetime import date
from pathlib import Path

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.inputs import csv_records
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep, get_json
from pipelines.lib.sources.landing import LandedFile, land_file
from pipelines.lib.sources.monthly import lineage
from pipelines.lib.transforms.partner_monthly import RAW_SCHEMA

SOURCE = "estat_japan"
BASE_URL = "https://api.e-stat.go.jp"
CATALOG_PATH = "/rest/3.0/app/json/getDataCatalog"
STATS_CODE = "00350300"
SEARCH_WORD = "品別国別表"  # "by commodity and country": the tables with a Country column
IMPORTS = "輸入"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MASS_UNITS = {"KG": 1.0, "MT": 1000.0, "GR": 0.001}
COLUMNS = ("Exp or Imp", "Year", "HS", "Country", "Unit1", "Unit2")


def catalog_files(
    session: requests.Session,
    *,
    base_url: str,
    app_id: str,
    year: int,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> list[tuple[str, str]]:
    """(title, URL) of the import CSVs the catalogue lists for `year`."""
    params = {
        "appId": app_id,
        "lang": "J",
        "statsCode": STATS_CODE,
        "searchWord": SEARCH_WORD,
        "dataType": "CSV",
        "surveyYears": str(year),
    }
    body = get_json(
        session,
        base_url.rstrip("/") + CATALOG_PATH,
        source=SOURCE,
        params=params,
        policy=policy,
        sleep=sleep,
    )
    root = body.get("GET_DATA_CATALOG") if isinstance(body, dict) else None
    result = (root or {}).get("RESULT") or {}
    if str(result.get("STATUS")) not in ("0", "1"):  # 1: nothing found
        raise SourceDataError(
            SOURCE, CATALOG_PATH, f"e-Stat refused the catalogue query: {result.get('ERROR_MSG')}"
        )
    found = []
    for inf in _as_list(((root or {}).get("DATA_CATALOG_LIST_INF") or {}).get("DATA_CATALOG_INF")):
        for res in _as_list((inf.get("RESOURCES") or {}).get("RESOURCE")):
            title = str((res.get("TITLE") or {}).get("NAME") or "")
            url = res.get("URL")
            if url and IMPORTS in title and str(res.get("FORMAT", "CSV")).upper() == "CSV":
                found.append((title, str(url)))
    return found


def _as_list(value) -> list:
    # e-Stat sends a single element as an object, several as a list
    return value if isinstance(value, list) else [value] if value else []


def fetch(
    session: requests.Session,
    *,
    base_url: str,
    app_id: str,
    months: list[date],
    landing_root: Path,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> list[LandedFile]:
    landed = []
    for year in sorted({m.year for m in months}):
        files = catalog_files(
            session, base_url=base_url, app_id=app_id, year=year, policy=policy, sleep=sleep
        )
        if not files:
            raise SourceDataError(
                SOURCE,
                CATALOG_PATH,
                f"the catalogue lists no import CSV '{SEARCH_WORD}' for {year}",
            )
        for n, (_title, url) in enumerate(files, start=1):
            landed.append(
                land_file(
                    session,
                    url,
                    source=SOURCE,
                    filename=f"imports_{year}_{n:03d}.csv",
                    landing_root=landing_root,
                    expect="csv",
                    policy=policy,
                    sleep=sleep,
                )
            )
    return landed


def parse(got: LandedFile, landing_root: Path, hs6_codes: list[str]) -> pl.DataFrame:
    """One landed CSV -> RAW_SCHEMA rows: one per code, country and month with trade."""
    where = lineage(SOURCE, got, landing_root)
    name = got.path.name
    with reading(SOURCE, name):
        text = Path(got.path).read_bytes().decode("utf-8-sig")
    header, records = csv_records(SOURCE, name, text)
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SourceDataError(SOURCE, name, "missing columns", values=missing)
    at = {h: i for i, h in enumerate(header)}
    wanted = set(hs6_codes)
    rows = []
    for line, rec in records:
        code = rec[at["HS"]].strip().strip("'\"")
        if code[:6] not in wanted:
            continue
        if rec[at["Exp or Imp"]].strip() != "2":
            continue  # imports only (2); the catalogue search already chose import files
        unit2 = rec[at["Unit2"]].strip()
        unit1 = rec[at["Unit1"]].strip()
        for i, mon in enumerate(MONTHS, start=1):
            if f"Value-{mon}" not in at:
                continue
            value = _number(rec[at[f"Value-{mon}"]], name, line, f"Value-{mon}")
            q1 = _number(rec[at[f"Quantity1-{mon}"]], name, line, f"Quantity1-{mon}")
            q2 = _number(rec[at[f"Quantity2-{mon}"]], name, line, f"Quantity2-{mon}")
            if not value and not q1 and not q2:
                continue  # no trade, or a month not published yet
            factor = MASS_UNITS.get(unit2)
            rows.append(
                {
                    "period": f"{rec[at['Year']].strip()}{i:02d}",
                    "reporter": "JPN",
                    "partner_code": rec[at["Country"]].strip(),
                    "partner_name": None,
                    "flow": "M",
                    "national_code": code,
                    "nomenclature": "JP9",
                    "value": (value or 0.0) * 1000,  # published in thousands of yen
                    "currency": "JPY",
                    "quantity_kg": q2 * factor if factor and q2 is not None else None,
                    "supplementary_quantity": q1 if unit1 else None,
                    "supplementary_unit": unit1 or None,
                    "confidential": False,
                    "_source_row": line,
                }
            )
    if not rows:
        return pl.DataFrame(schema=RAW_SCHEMA)
    frame = pl.DataFrame(rows, schema={k: RAW_SCHEMA[k] for k in rows[0]})
    return frame.with_columns(**where.columns()).select(list(RAW_SCHEMA)).cast(RAW_SCHEMA)


def _number(value: str, name: str, line: int, field: str) -> float | None:
    text = (value or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise SourceDataError(
            SOURCE, name, "not a number", rows=[line], field=field, values=[value]
        ) from None
