"""US Census Bureau International Trade API: monthly imports by HTS-10 line and country.

Evidence (checked 2026-12-07): `GET https://api.census.gov/data/timeseries/intltrade/imports/hs`
with `get=` variables (CTY_CODE, CTY_NAME, I_COMMODITY, GEN_VAL_MO general imports value in USD,
GEN_QY1_MO quantity 1 and its unit UNIT_QY1), predicates `COMM_LVL=HS10`, `SUMMARY_LVL=DET`
(countries, not groups), `I_COMMODITY=850511*` (a prefix) and `time=from 2024-01 to 2026-06`;
the answer is a JSON list of lists, header first, predicates appended as columns, an empty HTTP
204 when nothing matches, and CTY_CODE `-` for the total of all countries (public clients and
their recorded answers; the peer adapter Varcolacus/critical-materials-atlas
`pipeline/adapter_uscensus.py`). A key is optional: the Census Data API user guide allows 500
queries per IP address per day without one and takes `&key=` beyond that
(census.gov/data/developers/guidance/api-user-guide). The key is sent as a query parameter, which
the HTTP layer masks in every URL it logs, lands or reports.
"""

import json
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep
from pipelines.lib.sources.landing import LandedFile, land_file
from pipelines.lib.sources.monthly import lineage
from pipelines.lib.transforms.partner_monthly import RAW_SCHEMA

SOURCE = "uscensus"
BASE_URL = "https://api.census.gov"
PATH = "/data/timeseries/intltrade/imports/hs"
VARIABLES = ("CTY_CODE", "CTY_NAME", "I_COMMODITY", "GEN_VAL_MO", "GEN_QY1_MO", "UNIT_QY1")
# Census quantity units that are a mass, as kilograms per unit
MASS_UNITS = {"KG": 1.0, "T": 1000.0, "G": 0.001}


def query(hs6: str, first: date, last: date, key: str | None) -> dict[str, str]:
    params = {
        "get": ",".join(VARIABLES),
        "COMM_LVL": "HS10",
        "SUMMARY_LVL": "DET",
        "I_COMMODITY": f"{hs6}*",
        "time": f"from {first:%Y-%m} to {last:%Y-%m}",
    }
    if key:
        params["key"] = key
    return params


def fetch(
    session: requests.Session,
    *,
    base_url: str,
    hs6_codes: list[str],
    first: date,
    last: date,
    landing_root: Path,
    api_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> list[LandedFile]:
    """One query per HS6 prefix over the window, each answer landed as its own file."""
    landed = []
    for hs6 in hs6_codes:
        url = f"{base_url.rstrip('/')}{PATH}?{urlencode(query(hs6, first, last, api_key))}"
        name = f"imports_hs10_{hs6}_{first:%Y%m}_{last:%Y%m}.json"
        # expect=None: "no data" is an empty 204, which is not JSON; parse() checks the body
        landed.append(
            land_file(
                session,
                url,
                source=SOURCE,
                filename=name,
                landing_root=landing_root,
                policy=policy,
                sleep=sleep,
            )
        )
    return landed


def parse(got: LandedFile, landing_root: Path) -> pl.DataFrame:
    """One landed answer -> RAW_SCHEMA rows (row = position after the header, first = 1)."""
    where = lineage(SOURCE, got, landing_root)
    name = got.path.name
    text = Path(got.path).read_text(encoding="utf-8")
    if not text.strip():
        return pl.DataFrame(schema=RAW_SCHEMA)  # HTTP 204: no trade for that prefix
    with reading(SOURCE, name):
        body = json.loads(text)
    if not (isinstance(body, list) and body and all(isinstance(r, list) for r in body)):
        raise SourceDataError(
            SOURCE, name, f"not a Census answer (a list of lists): {text[:200]!r}"
        )
    header, records = body[0], body[1:]
    missing = [v for v in (*VARIABLES, "time") if v not in header]
    if missing:
        raise SourceDataError(SOURCE, name, "missing variables", values=missing)
    at = {v: header.index(v) for v in (*VARIABLES, "time")}
    rows = []
    for n, rec in enumerate(records, start=1):
        get = lambda v, rec=rec: rec[at[v]]  # noqa: E731
        month = str(get("time"))
        unit = (get("UNIT_QY1") or "").strip()
        quantity = _number(get("GEN_QY1_MO"), name, n, "GEN_QY1_MO")
        factor = MASS_UNITS.get(unit)
        rows.append(
            {
                "period": month.replace("-", ""),
                "reporter": "USA",
                "partner_code": str(get("CTY_CODE")),
                "partner_name": get("CTY_NAME"),
                "flow": "M",
                "national_code": str(get("I_COMMODITY")),
                "nomenclature": "HTS10",
                "value": _number(get("GEN_VAL_MO"), name, n, "GEN_VAL_MO"),
                "currency": "USD",
                "quantity_kg": quantity * factor if factor and quantity is not None else None,
                "supplementary_quantity": None if factor else quantity,
                "supplementary_unit": None if factor or unit in ("", "-") else unit,
                "confidential": False,
                "_source_row": n,
            }
        )
    if not rows:
        return pl.DataFrame(schema=RAW_SCHEMA)
    frame = pl.DataFrame(rows, schema={k: RAW_SCHEMA[k] for k in rows[0]})
    return frame.with_columns(**where.columns()).select(list(RAW_SCHEMA)).cast(RAW_SCHEMA)


def _number(value, name: str, n: int, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SourceDataError(
            SOURCE, name, "not a number", rows=[n], field=field, values=[str(value)]
        ) from None
