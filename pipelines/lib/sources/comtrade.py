"""UN Comtrade v1 API client (annual or monthly HS flows) and the conform step to ISO3 codes.

Two endpoints, same query parameters and response shape `{"elements", "count", "data", "error"}`:

- keyless preview `GET /public/v1/preview/C/A/HS`: at most 500 records per call;
- keyed `GET /data/v1/get/C/A/HS` (header `Ocp-Apim-Subscription-Key`): at most 100,000.

The API silently truncates at the cap, so `ComtradeClient.fetch_flows` plans chunks expected to
stay under it (at most 12 periods per call; split by year, flow, commodity code, then reporter)
and treats a response holding exactly `cap` records as truncated: that chunk is split again,
down to one reporter x one flow x one code x one year. Requests go through `http.get_json`
(retries, backoff, `Retry-After`); a 429 that only says "Try again in N seconds" in its body
waits those N seconds.

`conform_comtrade` turns the raw rows into the warehouse's flow table, mapping Comtrade's
numeric area codes to ISO3 with the BACI country code table.
"""

import functools
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError, reading, register_secret
from pipelines.lib.inputs import check_csv
from pipelines.lib.seeds import country_codes
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep, get_json

logger = logging.getLogger("pipelines.sources.comtrade")

SOURCE = "comtrade"
BASE_URL = "https://comtradeapi.un.org"
PREVIEW_PATH = "/public/v1/preview/C/A/HS"
DATA_PATH = "/data/v1/get/C/A/HS"
PREVIEW_RECORD_CAP = 500
KEYED_RECORD_CAP = 100_000
KEY_HEADER = "Ocp-Apim-Subscription-Key"
# Planning guess for the partners of one reporter when partnerCode is omitted (~all areas).
ALL_PARTNERS_ESTIMATE = 250
FLOWS = frozenset({"M", "X"})
# freqCode in the URL path (/C/{freq}/HS): annual periods are YYYY, monthly periods YYYYMM.
FREQUENCIES = frozenset({"A", "M"})
# Periods per call: the API takes a comma-separated list, but clients keep to 12 at most (comtradr
# refuses more than one year of monthly periods, i.e. 12, in a query: ropensci/comtradr#63).
MAX_PERIODS = 12
# Dimensions a chunk is split along, in this order, when it may not fit the record cap.
_SPLIT_ORDER = ("years", "flows", "codes", "reporters")

COUNTRY_CODES_CSV = (
    Path(__file__).resolve().parents[3]
    / "data/snapshot/reference/baci_country_codes/country_codes_V202601.csv"
)
# Reviewed codes (data/seeds/country_codes.csv): aggregates (World, bunkers, free zones, areas
# n.e.s.) are flagged, never mapped to an ISO3 code; a few codes are fixed rather than trusted to
# BACI's table (490 is Taiwan) or missing from it; BACI's S19 is Taiwan.
AGGREGATE_AREAS = frozenset(int(c) for c in country_codes("comtrade", "aggregate"))
ISO3_OVERRIDES = {int(c): iso3 for c, iso3 in country_codes("comtrade", "iso3").items()}
_TABLE_ISO3_FIXES = country_codes("baci", "iso3")
_ISO3 = re.compile(r"[A-Z]{3}")
_HS6 = re.compile(r"\d{6}")
# Azure API Management's 429 body: "Rate limit is exceeded. Try again in 7 seconds."
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) ?sec", re.IGNORECASE)
_PARAM_ERROR = re.compile(r"invalid|not valid|parameter|error", re.IGNORECASE)
# Totals only: without these the API may add customs-procedure / transport-mode / partner2
# breakdown rows that would double count when summed.
_TOTALS_ONLY = {"partner2Code": "0", "customsCode": "C00", "motCode": "0"}
_QUERY_PARAMS = ("reporterCode", "partnerCode", "cmdCode", "flowCode", "period")

CONFORMED_SCHEMA = {
    "source": pl.String,
    "year": pl.Int32,
    "flow": pl.String,
    "reporter_code": pl.Int32,
    "reporter_iso3": pl.String,
    "partner_code": pl.Int32,
    "partner_iso3": pl.String,
    "hs6": pl.String,
    "value_usd": pl.Float64,
    "quantity_t": pl.Float64,
    "is_aggregate_partner": pl.Boolean,
}


@dataclass(frozen=True)
class _Chunk:
    """One API call's worth of query: every combination of these values."""

    reporters: tuple[int, ...]
    partners: tuple[int, ...] | None  # None: all partners
    codes: tuple[str, ...]
    years: tuple[int, ...]
    flows: tuple[str, ...]


class ComtradeClient:
    """Fetch annual HS trade flows from UN Comtrade, keyless (preview) or with a subscription key.

    `frequency` "M" asks for monthly data (`/C/M/HS`; periods YYYYMM, e.g. 202401) instead of
    annual ("A", periods YYYY); records then carry `period` "202401" and `refMonth` 1.
    `record_cap` overrides the endpoint's records-per-call cap (tests use a small one);
    `all_partners_estimate` is the planning guess of partners per reporter when `partners` is
    None (all partners).
    """

    def __init__(
        self,
        session: requests.Session,
        *,
        base_url: str = BASE_URL,
        api_key: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Sleep = time.sleep,
        record_cap: int | None = None,
        all_partners_estimate: int = ALL_PARTNERS_ESTIMATE,
        frequency: str = "A",
    ):
        if frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be among {sorted(FREQUENCIES)}, got {frequency!r}")
        self.path = (DATA_PATH if api_key else PREVIEW_PATH).replace("/C/A/", f"/C/{frequency}/")
        self.url = base_url.rstrip("/") + self.path
        self.record_cap = record_cap or (KEYED_RECORD_CAP if api_key else PREVIEW_RECORD_CAP)
        if self.record_cap < 2:
            raise ValueError(f"record_cap must be >= 2, got {self.record_cap}")
        self.all_partners_estimate = max(1, all_partners_estimate)
        self.policy, self.sleep = policy, sleep
        # The key travels in a header only, so it never shows up in URLs; an error body that
        # echoes it is masked (errors.redact)
        register_secret(api_key)
        headers = {KEY_HEADER: api_key} if api_key else {}
        self._session = _ComtradeSession(session, headers)

    def fetch_flows(
        self,
        reporters: Iterable[int],
        partners: Iterable[int] | None,
        hs6_codes: Iterable[str | int],
        years: Iterable[int],
        flows: Sequence[str] = ("M", "X"),
    ) -> list[dict[str, Any]]:
        """All raw records for the query, as the API returns them; [] when there is no trade.

        `partners=None` asks for every partner (including World, 0). Raises `SourceDataError`
        when the API rejects a parameter or a single-cell query still hits the record cap.
        """
        reporter_t = _unique(int(r) for r in reporters)
        partner_t = None if partners is None else _unique(int(p) for p in partners)
        code_t = _unique(_hs6(c) for c in hs6_codes)
        year_t = _unique(int(y) for y in years)
        flow_t = _unique(str(f).upper() for f in flows)
        for name, values in (
            ("reporters", reporter_t),
            ("partners", partner_t),
            ("hs6_codes", code_t),
            ("years", year_t),
            ("flows", flow_t),
        ):
            if values is not None and not values:
                raise ValueError(f"{name} must not be empty (an omitted API parameter means all)")
        if not set(flow_t) <= FLOWS:
            raise ValueError(f"flows must be among {sorted(FLOWS)}, got {list(flow_t)}")
        rows: list[dict[str, Any]] = []
        for chunk in self._plan(_Chunk(reporter_t, partner_t, code_t, year_t, flow_t)):
            rows.extend(self._fetch_chunk(chunk))
        return rows

    # --- chunking ---------------------------------------------------------------------------

    def _estimate(self, chunk: _Chunk) -> int:
        """Upper bound of records: at most one per reporter x partner x code x year x flow."""
        partners = self.all_partners_estimate if chunk.partners is None else len(chunk.partners)
        return (
            len(chunk.reporters) * partners * len(chunk.codes) * len(chunk.years) * len(chunk.flows)
        )

    def _plan(self, chunk: _Chunk) -> list[_Chunk]:
        """Split `chunk` (years, flows, codes, reporters) until each fits the cap.

        Never more than `MAX_PERIODS` years per call, whatever the estimate.
        """
        if len(chunk.years) > MAX_PERIODS:
            batches = [
                chunk.years[i : i + MAX_PERIODS] for i in range(0, len(chunk.years), MAX_PERIODS)
            ]
            return [c for b in batches for c in self._plan(replace(chunk, years=b))]
        estimate = self._estimate(chunk)
        if estimate < self.record_cap:
            return [chunk]
        for field in _SPLIT_ORDER:
            values = getattr(chunk, field)
            if len(values) > 1:
                # As many values per call as fit; one per call when a single value is too big.
                size = max(1, (self.record_cap - 1) // (estimate // len(values)))
                batches = [values[i : i + size] for i in range(0, len(values), size)]
                return [c for b in batches for c in self._plan(replace(chunk, **{field: b}))]
        return [chunk]  # one cell that may not fit: the truncation check decides

    def _fetch_chunk(self, chunk: _Chunk) -> list[dict[str, Any]]:
        params = self._params(chunk)
        body = get_json(
            self._session,
            self.url,
            source=SOURCE,
            params=params,
            policy=self.policy,
            sleep=self.sleep,
        )
        data = _checked_data(body, self.path, params)
        count = body.get("count")
        if len(data) < self.record_cap and not (
            isinstance(count, int) and count >= self.record_cap
        ):
            return data
        # Exactly `cap` records means the API probably cut the answer short: ask in halves.
        halves = _halves(chunk)
        if halves is None:
            raise SourceDataError(
                SOURCE,
                self.path,
                f"query returned the record cap ({self.record_cap}) and cannot be split further "
                f"(one reporter x one flow x one code x one year): {_describe(params)}",
            )
        logger.info(
            "%s: %s returned the cap of %d records; splitting", SOURCE, _describe(params), len(data)
        )
        return [row for half in halves for row in self._fetch_chunk(half)]

    def _params(self, chunk: _Chunk) -> dict[str, str]:
        params = {
            "reporterCode": _join(chunk.reporters),
            "cmdCode": _join(chunk.codes),
            "flowCode": _join(chunk.flows),
            "period": _join(chunk.years),
        }
        if chunk.partners is not None:
            params["partnerCode"] = _join(chunk.partners)
        params.update(_TOTALS_ONLY)
        params["maxRecords"] = str(self.record_cap)  # the keyed endpoint's default is far lower
        return params


class _ComtradeSession:
    """The slice of `requests.Session` that `http.get_json` uses, with Comtrade's extras.

    Adds the subscription-key header to each GET (never to the caller's shared session) and a
    response hook that turns a 429 body's "Try again in N seconds" into a `Retry-After` header,
    so get_json's retry loop waits what the server asked for instead of a random backoff.
    """

    def __init__(self, session: requests.Session, headers: dict[str, str]):
        self._session, self._headers = session, headers

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        headers = {**(kwargs.pop("headers", None) or {}), **self._headers}
        return self._session.get(
            url, headers=headers, hooks={"response": _retry_after_from_body}, **kwargs
        )


def _retry_after_from_body(resp: requests.Response, *args: Any, **kwargs: Any) -> None:
    if resp.status_code != 429 or resp.headers.get("Retry-After"):
        return
    if m := _TRY_AGAIN.search(resp.text[:2000]):
        resp.headers["Retry-After"] = m[1]


def _checked_data(body: Any, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """The records of a response; an API-reported error is raised, never read as "no trade"."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        shape = repr(body)[:200]
        raise SourceDataError(SOURCE, path, f"unexpected response (no 'data' list): {shape}")
    messages = []
    if body.get("error"):
        messages.append(str(body["error"]))
    elements = body.get("elements") or []
    if isinstance(elements, list):
        # Validation messages come back in `elements`; anything else there is left alone.
        texts = [str(e) for e in elements]
        messages.extend(t for t in texts if _PARAM_ERROR.search(t))
    if messages:
        text = "; ".join(messages)
        field = next((p for p in _QUERY_PARAMS if p.lower() in text.lower()), None)
        raise SourceDataError(
            SOURCE,
            path,
            f"API rejected the query ({_describe(params)}): {text}",
            field=field,
        )
    return body["data"]


def _halves(chunk: _Chunk) -> tuple[_Chunk, _Chunk] | None:
    for field in _SPLIT_ORDER:
        values = getattr(chunk, field)
        if len(values) > 1:
            mid = len(values) // 2
            return replace(chunk, **{field: values[:mid]}), replace(chunk, **{field: values[mid:]})
    return None


def _describe(params: dict[str, str]) -> str:
    return " ".join(f"{k}={params[k]}" for k in _QUERY_PARAMS if k in params)


def _join(values: Iterable[object]) -> str:
    return ",".join(str(v) for v in values)


def _unique(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def _hs6(code: str | int) -> str:
    # An integer code lost its leading zero (30110 is "030110").
    text = f"{code:06d}" if isinstance(code, int) else str(code).strip()
    if not _HS6.fullmatch(text):
        raise ValueError(f"HS6 code must be 6 digits, got {code!r}")
    return text


# --- conform -----------------------------------------------------------------------------------


def read_extract_csv(path: Path) -> pl.DataFrame:
    """The bundled extract (trimmed API columns), every field a string; a cut file is an error."""
    check_csv(SOURCE, path.name, path)
    with reading(SOURCE, path.name):  # an empty file: polars NoDataError
        return pl.read_csv(path, infer_schema=False)


@functools.cache
def _country_table(path: Path) -> dict[int, str | None]:
    """Comtrade/BACI numeric code -> ISO3, or None for areas that are not one country."""
    # infer_schema=False: Namibia's ISO2 "NA" must stay a string, not become null.
    table = pl.read_csv(path, infer_schema=False)
    mapping: dict[int, str | None] = {}
    for code, iso3 in table.select("country_code", "country_iso3").iter_rows():
        iso3 = _TABLE_ISO3_FIXES.get(iso3, iso3)
        # Letter+digit codes (R20 "Europe EFTA, nes") are BACI's placeholders for areas n.e.s.
        mapping[int(code)] = iso3 if iso3 and _ISO3.fullmatch(iso3) else None
    mapping.update(ISO3_OVERRIDES)
    mapping.update(dict.fromkeys(AGGREGATE_AREAS))
    return mapping


def conform_comtrade(
    rows: Sequence[dict[str, Any]], *, country_codes: Path = COUNTRY_CODES_CSV
) -> pl.DataFrame:
    """Raw Comtrade records -> one row per flow with ISO3 codes, USD values and tonnes.

    Partner aggregates (World, areas n.e.s., bunkers, free zones) keep `partner_code` with a null
    `partner_iso3` and `is_aggregate_partner` true. `quantity_t` is null when the net weight is
    missing, or 0 against a positive value (Comtrade's "not reported", see the graphite fixture).
    Row numbers in errors are 1-based positions in `rows`.
    """
    table = _country_table(Path(country_codes))
    unknown: dict[str, dict[int, list[int]]] = {"reporterCode": {}, "partnerCode": {}}
    out: dict[str, list[Any]] = {name: [] for name in CONFORMED_SCHEMA}
    for n, row in enumerate(rows, start=1):
        year = _int_field(row, n, "refYear", "period")
        flow = str(_field(row, n, "flowCode")).upper()
        if flow not in FLOWS:
            raise SourceDataError(
                SOURCE, "conform_comtrade", "flow is not M or X", rows=[n], field="flowCode"
            )
        reporter = _int_field(row, n, "reporterCode")
        partner = _int_field(row, n, "partnerCode")
        for field, code in (("reporterCode", reporter), ("partnerCode", partner)):
            if code not in table:
                unknown[field].setdefault(code, []).append(n)
        if reporter in table and table[reporter] is None:
            raise SourceDataError(
                SOURCE,
                "conform_comtrade",
                "reporter is an aggregate area, not a country",
                rows=[n],
                field="reporterCode",
                values=[str(reporter)],
            )
        value = _float(row, n, "primaryValue")
        if value is None:
            raise SourceDataError(
                SOURCE, "conform_comtrade", "missing value", rows=[n], field="primaryValue"
            )
        weight_kg = _float(row, n, "netWgt")
        if weight_kg == 0 and value > 0:
            weight_kg = None
        out["source"].append(SOURCE)
        out["year"].append(year)
        out["flow"].append(flow)
        out["reporter_code"].append(reporter)
        out["reporter_iso3"].append(table.get(reporter))
        out["partner_code"].append(partner)
        out["partner_iso3"].append(table.get(partner))
        out["hs6"].append(_conform_hs6(row, n))
        out["value_usd"].append(value)
        out["quantity_t"].append(None if weight_kg is None else weight_kg / 1000)
        out["is_aggregate_partner"].append(partner in table and table[partner] is None)
    for field, codes in unknown.items():
        if codes:
            raise SourceDataError(
                SOURCE,
                "conform_comtrade",
                f"unknown Comtrade area code (not in {Path(country_codes).name})",
                rows=sorted(r for rs in codes.values() for r in rs),
                field=field,
                values=[str(c) for c in codes],
            )
    return pl.DataFrame(out, schema=CONFORMED_SCHEMA)


def _field(row: dict[str, Any], n: int, *names: str) -> Any:
    for name in names:
        value = row.get(name)
        if value is not None and value != "":
            return value
    raise SourceDataError(SOURCE, "conform_comtrade", "missing value", rows=[n], field=names[0])


def _int_field(row: dict[str, Any], n: int, *names: str) -> int:
    value = _field(row, n, *names)
    try:
        return int(float(value)) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError):
        raise SourceDataError(
            SOURCE,
            "conform_comtrade",
            "not an integer",
            rows=[n],
            field=names[0],
            values=[str(value)],
        ) from None


def _float(row: dict[str, Any], n: int, field: str) -> float | None:
    value = row.get(field)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SourceDataError(
            SOURCE,
            "conform_comtrade",
            "not a number",
            rows=[n],
            field=field,
            values=[str(value)],
        ) from None
    return None if number != number else number  # NaN is missing too


def _conform_hs6(row: dict[str, Any], n: int) -> str:
    code = _field(row, n, "cmdCode")
    try:
        return _hs6(code)
    except ValueError:
        raise SourceDataError(
            SOURCE,
            "conform_comtrade",
            "not a 6-digit HS code",
            rows=[n],
            field="cmdCode",
            values=[str(code)],
        ) from None
