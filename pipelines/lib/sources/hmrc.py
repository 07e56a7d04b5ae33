"""UK HMRC Overseas Trade Statistics: the keyless OData API, monthly, 8-digit commodity codes.

Evidence (checked 2026-12-07): the API documentation (https://www.uktradeinfo.com/api-documentation/)
as summarised by public clients: `GET https://api.uktradeinfo.com/OTS` with OData `$filter` on
`MonthId` (YYYYMM), `FlowTypeId` (1 EU imports, 2 EU exports, 3 non-EU imports, 4 non-EU
exports), `SuppressionIndex`, `CommodityId` (CN8 as a number), `CountryId`, `PortId`, and the
figures `Value` (GBP), `NetMass` (kg) and `SuppUnit`; linked tables through `$expand` and
`Table/Field` paths (`Country/CountryCodeAlpha`, `Commodity/Hs6Code`); pages chained by
`@odata.nextLink` (pvdmeulen/uktrade `load_ots`; sebasijan/uk-trade-info; the peer adapter
Varcolacus/critical-materials-atlas `pipeline/adapter_hmrc.py`, which also notes that the API
restricts `$select`/`$orderby` and answers a throttled request with a plain-text body, so only
`eq`/`and`/`or` filters and `$expand=Country` are used here).

One query per HS6 subheading (`Commodity/Hs6Code eq '850511'`) over the whole window; every
page is landed as its own JSON file through the landing layer (retries, resumable, index).
"""

import json
import logging
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep, SourceDownloadError
from pipelines.lib.sources.landing import LandedFile, land_file
from pipelines.lib.sources.monthly import lineage
from pipelines.lib.transforms.partner_monthly import RAW_SCHEMA

logger = logging.getLogger("pipelines.sources.hmrc")

SOURCE = "hmrc"
BASE_URL = "https://api.uktradeinfo.com"
FLOWS = {1: "M", 3: "M", 2: "X", 4: "X"}
MAX_PAGES = 200  # a nextLink chain longer than this is a server loop, not data


def query_url(base_url: str, hs6: str, first: date, last: date) -> str:
    filt = f"Commodity/Hs6Code eq '{hs6}' and MonthId ge {first:%Y%m} and MonthId le {last:%Y%m}"
    return f"{base_url.rstrip('/')}/OTS?$filter={quote(filt)}&$expand=Country"


def fetch(
    session: requests.Session,
    *,
    base_url: str,
    hs6_codes: list[str],
    first: date,
    last: date,
    landing_root: Path,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> list[LandedFile]:
    """Land every page of every HS6 query; returns the landed versions in order."""
    landed = []
    for hs6 in hs6_codes:
        url: str | None = query_url(base_url, hs6, first, last)
        page = 1
        while url:
            name = f"ots_{hs6}_{first:%Y%m}_{last:%Y%m}_p{page:03d}.json"
            got = _land_page(session, url, name, landing_root, policy, sleep)
            landed.append(got)
            url = _next_link(got, base_url)
            page += 1
            if page > MAX_PAGES:
                raise SourceDataError(SOURCE, name, f"more than {MAX_PAGES} pages of nextLink")
    return landed


def _land_page(session, url, name, landing_root, policy: RetryPolicy, sleep: Sleep) -> LandedFile:
    """One page, landed. HMRC answers a throttled request with a plain-text refusal, not a
    status (the peer adapter retries on it): a body that is not JSON is tried again with
    the policy's backoff, and only then is an error."""
    for n in range(1, policy.max_attempts + 1):
        try:
            return land_file(
                session,
                url,
                source=SOURCE,
                filename=name,
                landing_root=landing_root,
                expect="json",
                policy=policy,
                sleep=sleep,
            )
        except SourceDownloadError as exc:
            if not exc.reason.startswith("expected a json file") or n == policy.max_attempts:
                raise
            logger.warning("%s: %s was not JSON (throttled?); retrying", SOURCE, name)
            sleep(policy.backoff_s(n))
    raise AssertionError("unreachable: the last attempt returns or raises")


def _next_link(got: LandedFile, base_url: str) -> str | None:
    with reading(SOURCE, got.path.name):
        body = json.loads(Path(got.path).read_text(encoding="utf-8"))
    link = body.get("@odata.nextLink") if isinstance(body, dict) else None
    if link and link.startswith("/"):
        link = base_url.rstrip("/") + link
    return link


def parse(got: LandedFile, landing_root: Path) -> pl.DataFrame:
    """One landed OTS page -> RAW_SCHEMA rows (row = position in `value`, first = 1)."""
    where = lineage(SOURCE, got, landing_root)
    name = got.path.name
    with reading(SOURCE, name):
        body = json.loads(Path(got.path).read_text(encoding="utf-8"))
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise SourceDataError(
            SOURCE, name, f"not an OData answer (no 'value' list): {str(body)[:200]}"
        )
    rows = []
    for n, rec in enumerate(body["value"], start=1):

        def need(field, rec=rec, n=n):
            if rec.get(field) is None:
                raise SourceDataError(SOURCE, name, "missing value", rows=[n], field=field)
            return rec[field]

        flow = need("FlowTypeId")
        if flow not in FLOWS:
            raise SourceDataError(
                SOURCE,
                name,
                "FlowTypeId is not 1-4",
                rows=[n],
                field="FlowTypeId",
                values=[str(flow)],
            )
        country = rec.get("Country") or {}
        alpha = (country.get("CountryCodeAlpha") or "").strip()
        code = alpha if len(alpha) == 2 else f"n/a:{rec.get('CountryId')}"
        rows.append(
            {
                "period": str(need("MonthId")),
                "reporter": "GBR",
                "partner_code": code,
                "partner_name": country.get("CountryName"),
                "flow": FLOWS[flow],
                "national_code": f"{int(need('CommodityId')):08d}",
                "nomenclature": "CN8",
                "value": _number(need("Value"), name, n, "Value"),
                "currency": "GBP",
                "quantity_kg": _number(rec.get("NetMass"), name, n, "NetMass"),
                "supplementary_quantity": _number(rec.get("SuppUnit"), name, n, "SuppUnit"),
                "supplementary_unit": None,
                "confidential": bool(rec.get("SuppressionIndex")) or not alpha,
                "_source_row": n,
            }
        )
    frame = pl.DataFrame(rows, schema={k: RAW_SCHEMA[k] for k in rows[0]} if rows else None)
    if frame.is_empty():
        return pl.DataFrame(schema=RAW_SCHEMA)
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
