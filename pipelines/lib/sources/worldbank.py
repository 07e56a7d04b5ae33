"""World Bank Indicators API v2 client for the Worldwide Governance Indicators (WGI).

`GET {base_url}/country/all/indicator/{code}?format=json&source=3&per_page=N&page=P` answers
`[meta, rows]`: meta holds `page`, `pages`, `per_page`, `total`; each row holds `indicator`
(`id`, `value`), `country` (`id` ISO2, `value`), `countryiso3code`, `date` ("2022") and `value`
(a number or null). An API error is `[{"message": [{"id", "key", "value"}]}]` with status 200.

WGI is source 3. Its indicator codes are `CC.EST` / `CC.PER.RNK` in older releases and
`GOV_WGI_CC.EST` / `GOV_WGI_CC.PER.RNK` in newer ones: `INDICATOR_CODES` holds the old ones and
can be overridden per call. `fetch_wgi` pages through all twelve indicators (six dimensions x
estimate and percentile rank) and returns the same columns as `governance.read_wgi_bulk`:
iso3, dimension, year, estimate, percentile_rank. Null values are dropped; aggregates (regions,
income groups) are left out.
"""

import logging
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep, get_json
from pipelines.lib.transforms.governance import DIMENSIONS

logger = logging.getLogger("pipelines.sources.worldbank")

SOURCE = "worldbank"
BASE_URL = "https://api.worldbank.org/v2"
WGI_SOURCE_ID = 3
DEFAULT_PER_PAGE = 20000
# Output column -> statistic suffix of the indicator code.
STATISTICS = {"estimate": "EST", "percentile_rank": "PER.RNK"}
# (dimension code, output column) -> API indicator code. Newer WGI releases on the API use
# f"GOV_WGI_{dim}.{stat}": pass `indicator_codes=indicator_codes("GOV_WGI_")` for those.


def indicator_codes(prefix: str = "") -> dict[tuple[str, str], str]:
    """The twelve WGI indicator codes, `{prefix}{dim}.EST` and `{prefix}{dim}.PER.RNK`."""
    return {
        (dim, column): f"{prefix}{dim}.{stat}"
        for dim in DIMENSIONS
        for column, stat in STATISTICS.items()
    }


INDICATOR_CODES: dict[tuple[str, str], str] = indicator_codes()

# World Bank aggregate "countries" (regions, income and lending groups, World): never a country.
WB_AGGREGATES = frozenset(
    "AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX INX LAC "  # noqa: SIM905
    "LCN LDC LIC LMC LMY LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA "
    "TMN TSA TSS UMC WLD".split()
)
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
    codes: Mapping[tuple[str, str], str] | None = None,
) -> pl.DataFrame:
    """All WGI estimates and percentile ranks: iso3, dimension, year, estimate, percentile_rank.

    `known_iso3`, when given, keeps only those countries; otherwise rows whose
    `countryiso3code` is not three letters or is a World Bank aggregate are left out.
    `codes` overrides `INDICATOR_CODES` (keys: (dimension code, "estimate"|"percentile_rank")).
    """
    if per_page < 1:
        raise ValueError(f"per_page must be >= 1, got {per_page}")
    codes = dict(INDICATOR_CODES if codes is None else codes)
    missing = set(INDICATOR_CODES) - set(codes)
    if missing:
        raise ValueError(f"indicator codes missing for {sorted(missing)}")
    known = None if known_iso3 is None else frozenset(known_iso3)
    frames = []
    for dim, name in DIMENSIONS.items():
        per_stat = [
            _fetch_indicator(
                session,
                codes[(dim, column)],
                column,
                base_url=base_url,
                policy=policy,
                sleep=sleep,
                per_page=per_page,
                known=known,
            )
            for column in STATISTICS
        ]
        both = per_stat[0].join(per_stat[1], on=["iso3", "year"], how="full", coalesce=True)
        frames.append(both.with_columns(dimension=pl.lit(name)))
    return (
        pl.concat(frames)
        .select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
        .sort("iso3", "dimension", "year")
    )


def _fetch_indicator(
    session: requests.Session,
    code: str,
    column: str,
    *,
    base_url: str,
    policy: RetryPolicy,
    sleep: Sleep,
    per_page: int,
    known: frozenset[str] | None,
) -> pl.DataFrame:
    """One indicator, all pages -> iso3, year, <column>."""
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
            if not _is_country(iso3, known):
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
    return pl.DataFrame(
        {
            "iso3": [k[0] for k in values],
            "year": [k[1] for k in values],
            column: list(values.values()),
        },
        schema={"iso3": pl.String, "year": pl.Int32, column: pl.Float64},
    )


def _split_response(body: Any, code: str, page: int) -> tuple[dict, list]:
    """`[meta, rows]` -> (meta, rows); the API's error shape and anything else raise."""
    where = f"indicator {code}"
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict) and "message" in first:
        raise SourceDataError(SOURCE, where, f"API error: {_error_text(first['message'])}")
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


def _is_country(iso3: str, known: frozenset[str] | None) -> bool:
    if known is not None:
        return iso3 in known
    return bool(_ISO3.fullmatch(iso3)) and iso3 not in WB_AGGREGATES
