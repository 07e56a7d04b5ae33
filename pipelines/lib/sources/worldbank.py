"""World Bank Indicators API v2 client for the Worldwide Governance Indicators (WGI).

`GET {base_url}/country/all/indicator/{code}?format=json&source=3&per_page=N&page=P` answers
`[meta, rows]`: meta holds `page`, `pages`, `per_page`, `total`, `sourceid`, `lastupdated`;
each row holds `indicator` (`id`, `value`), `country` (`id` ISO2, `value`), `countryiso3code`,
`date` ("2022") and `value` (a number or null). An API error is
`[{"message": [{"id", "key", "value"}]}]` with status 200.

WGI is source 3. In 2026 the API renamed the series to `GOV_WGI_{CC,GE,PV,RQ,RL,VA}.EST` (plus
`.SC`, `.SE`, ...) and dropped the percentile ranks; the old codes (`CC.EST`, `CC.PER.RNK`)
answer HTTP 200 with message id 175 "The indicator was not found. It may have been deleted or
archived." (seen in public clients and their tests). `fetch_wgi` pages through the six
estimates and computes each percentile rank locally, per dimension and year, as WGI defines it
(0 lowest to 100 highest among the economies scored that year):

    percentile_rank = 100 * (number of economies with a lower estimate) / (economies - 1)

On the bundled 2023 bulk file this reproduces the published 2022 ranks exactly for over 95% of
country-years, within 1 point for 99% and within 3 points for all (over 1996-2022: exactly for
94%, within 1 point for 97%; the early years differ most, probably because WGI ranks unrounded
estimates).
Ranks are computed over every economy the API scores (before keeping known countries), as WGI
does; aggregates (regions, income groups) are never ranked.
"""

import logging
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError
from pipelines.lib.seeds import country_codes
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep, get_json
from pipelines.lib.transforms.governance import DIMENSIONS

logger = logging.getLogger("pipelines.sources.worldbank")

SOURCE = "worldbank"
BASE_URL = "https://api.worldbank.org/v2"
WGI_SOURCE_ID = 3
DEFAULT_PER_PAGE = 20000
OLD_CODE_MESSAGE_ID = "175"  # "The indicator was not found": a pre-2026 code


def indicator_codes(prefix: str = "GOV_WGI_") -> dict[str, str]:
    """Dimension code -> API indicator code of its estimate, `{prefix}{dim}.EST`."""
    return {dim: f"{prefix}{dim}.EST" for dim in DIMENSIONS}


INDICATOR_CODES: dict[str, str] = indicator_codes()

# World Bank aggregate "countries" (regions, income and lending groups, World): never a country
# (reviewed list in data/seeds/country_codes.csv).
WB_AGGREGATES = frozenset(country_codes("worldbank", "aggregate"))
_ISO3 = re.compile(r"[A-Z]{3}")
_YEAR = re.compile(r"\d{4}")

SCHEMA = {
    "iso3": pl.String,
    "dimension": pl.String,
    "year": pl.Int32,
    "estimate": pl.Float64,
    "percentile_rank": pl.Float64,
}


def fetch_wgi(
    session: requests.Session,
    *,
    base_url: str = BASE_URL,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
    per_page: int = DEFAULT_PER_PAGE,
    known_iso3: Iterable[str] | None = None,
    codes: Mapping[str, str] | None = None,
) -> tuple[pl.DataFrame, str]:
    """All WGI estimates with locally computed percentile ranks, and the API's vintage.

    Returns (iso3, dimension, year, estimate, percentile_rank) and the `lastupdated` date the API
    gave (the WGI vintage). `known_iso3`, when given, keeps only those countries (after ranking);
    rows whose `countryiso3code` is not three letters or is a World Bank aggregate are never
    kept. `codes` overrides `INDICATOR_CODES` (dimension code -> indicator code).
    """
    if per_page < 1:
        raise ValueError(f"per_page must be >= 1, got {per_page}")
    codes = dict(INDICATOR_CODES if codes is None else codes)
    missing = set(INDICATOR_CODES) - set(codes)
    if missing:
        raise ValueError(f"indicator codes missing for {sorted(missing)}")
    frames, vintages = [], set()
    for dim, name in DIMENSIONS.items():
        frame, vintage = _fetch_indicator(
            session,
            codes[dim],
            base_url=base_url,
            policy=policy,
            sleep=sleep,
            per_page=per_page,
        )
        frames.append(frame.with_columns(dimension=pl.lit(name)))
        vintages.add(vintage)
    ranked = with_percentile_rank(pl.concat(frames))
    if known_iso3 is not None:
        ranked = ranked.filter(pl.col("iso3").is_in(list(known_iso3)))
    vintage = ", ".join(sorted(v for v in vintages if v)) or "unknown"
    return ranked.select([pl.col(c).cast(t) for c, t in SCHEMA.items()]).sort(
        "iso3", "dimension", "year"
    ), vintage


def with_percentile_rank(wgi: pl.DataFrame) -> pl.DataFrame:
    """Add `percentile_rank`: 100 x economies with a lower estimate / (economies - 1), per
    (dimension, year); 100 when only one economy is scored."""
    lower = pl.col("estimate").rank("min").over("dimension", "year") - 1
    n = pl.len().over("dimension", "year")
    return wgi.with_columns(
        percentile_rank=pl.when(n > 1).then(100 * lower / (n - 1)).otherwise(100.0)
    )


def _fetch_indicator(
    session: requests.Session,
    code: str,
    *,
    base_url: str,
    policy: RetryPolicy,
    sleep: Sleep,
    per_page: int,
) -> tuple[pl.DataFrame, str | None]:
    """One indicator, all pages -> (iso3, year, estimate), and the meta's `lastupdated`."""
    column = "estimate"
    vintage = None
    url = f"{base_url.rstrip('/')}/country/all/indicator/{code}"
    values: dict[tuple[str, int], float] = {}
    received = dropped_null = dropped_aggregate = 0
    page, pages, total = 1, 1, None
    while page <= pages:
        params = {"format": "json", "source": WGI_SOURCE_ID, "per_page": per_page, "page": page}
        body = get_json(session, url, source=SOURCE, params=params, policy=policy, sleep=sleep)
        meta, rows = _split_response(body, code, page)
        pages = _meta_int(meta, "pages", code)
        total = _meta_int(meta, "total", code)
        got_page = _meta_int(meta, "page", code)
        vintage = vintage or meta.get("lastupdated")
        if rows and got_page != page:
            raise SourceDataError(
                SOURCE, f"indicator {code}", f"asked for page {page}, got {got_page}"
            )
        logger.info("%s: %s page %d/%d (%d rows)", SOURCE, code, page, pages, len(rows))
        for i, row in enumerate(rows):
            received += 1
            iso3, year, value = _parse_row(row, code, page, i)
            if value is None:
                dropped_null += 1
                continue
            if not _is_country(iso3):
                dropped_aggregate += 1
                continue
            if (iso3, year) in values:
                raise SourceDataError(
                    SOURCE,
                    f"indicator {code}",
                    "country and year served twice (did the data change while paging?)",
                    values=[f"{iso3} {year}"],
                )
            values[(iso3, year)] = value
        page += 1
    if total is not None and received != total:
        logger.warning(
            "%s: %s: meta says %d rows in total, %d received", SOURCE, code, total, received
        )
    logger.info(
        "%s: %s: %d values kept, %d null and %d aggregate/unknown rows dropped",
        SOURCE,
        code,
        len(values),
        dropped_null,
        dropped_aggregate,
    )
    frame = pl.DataFrame(
        {
            "iso3": [k[0] for k in values],
            "year": [k[1] for k in values],
            column: list(values.values()),
        },
        schema={"iso3": pl.String, "year": pl.Int32, column: pl.Float64},
    )
    return frame, vintage


def _split_response(body: Any, code: str, page: int) -> tuple[dict, list]:
    """`[meta, rows]` -> (meta, rows); the API's error shape and anything else raise."""
    where = f"indicator {code}"
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict) and "message" in first:
        text = _error_text(first["message"])
        if text.startswith(OLD_CODE_MESSAGE_ID + " "):
            text += " (WGI codes were renamed in 2026 to GOV_WGI_<dim>.EST; is this an old code?)"
        raise SourceDataError(SOURCE, where, f"API error: {text}")
    if not (isinstance(body, list) and len(body) == 2 and isinstance(body[0], dict)):
        raise SourceDataError(
            SOURCE, where, f"page {page}: expected [meta, rows], got {str(body)[:200]!r}"
        )
    meta, rows = body
    if rows is None:  # how the API answers an indicator without data
        rows = []
    if not isinstance(rows, list):
        raise SourceDataError(SOURCE, where, f"page {page}: rows are not a list: {rows!r:.200}")
    return meta, rows


def _error_text(message: Any) -> str:
    items = message if isinstance(message, list) else [message]
    parts = []
    for item in items:
        if isinstance(item, dict):
            parts.append(
                " ".join(str(item[k]) for k in ("id", "key", "value") if item.get(k) is not None)
            )
        else:
            parts.append(str(item))
    return "; ".join(parts) or "(no message)"


def _meta_int(meta: dict, key: str, code: str) -> int:
    try:
        return int(meta[key])  # per_page comes as a string in some API answers
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceDataError(
            SOURCE, f"indicator {code}", f"response meta lacks a numeric {key!r}: {meta!r:.200}"
        ) from exc


def _parse_row(row: Any, code: str, page: int, i: int) -> tuple[str, int, float | None]:
    where = f"indicator {code}, page {page} row {i + 1}"
    if not isinstance(row, dict):
        raise SourceDataError(SOURCE, where, f"row is not an object: {row!r:.200}")
    iso3 = str(row.get("countryiso3code") or "").strip().upper()
    date = str(row.get("date") or "")
    if not _YEAR.fullmatch(date):
        raise SourceDataError(SOURCE, where, "date is not a year", field="date", values=[date])
    value = row.get("value")
    if value is None:
        return iso3, int(date), None
    try:
        if isinstance(value, bool):
            raise TypeError(value)
        number = float(value)  # numbers; numeric strings too, should the API quote them
    except (TypeError, ValueError) as exc:
        raise SourceDataError(
            SOURCE, where, "value is not a number", field="value", values=[str(value)]
        ) from exc
    return iso3, int(date), number


def _is_country(iso3: str) -> bool:
    return bool(_ISO3.fullmatch(iso3)) and iso3 not in WB_AGGREGATES
