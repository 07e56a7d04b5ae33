"""Partner-side monthly trade on national tariff lines -> staging.partner_monthly. Pure Polars.

Every publisher's rows reach this module in one raw shape (RAW_SCHEMA: the publisher's codes,
names and figures as read, flow already M/X, values in the publisher's currency, with the file
and row they came from); `conform` maps reporters and partners to ISO3, converts to USD at the
month's ECB rate, sums the rows a publisher splits further (HMRC ports, Comext procedures) and
checks the grain. `reconcile` compares a new landing with what the warehouse published: revisions
are applied and recorded, a month that shrank by more than a threshold or vanished is held (the
published rows stay) and recorded too. `code_changes` lists lines that ended at a nomenclature
change. Any partner or reporter that does not map is an error naming source, file, row and field.
"""

import datetime
from collections.abc import Mapping

import polars as pl

from pipelines.lib.errors import SourceDataError
from pipelines.lib.transforms import countries

SOURCES = ("hmrc", "eurostat", "uscensus", "estat_japan", "comexstat")
# Publisher -> (nomenclature of its lines, valuation of imports, of exports)
PUBLISHER = {
    "hmrc": ("CN8", "CIF", "FOB"),
    "eurostat": ("CN8", "CIF", "FOB"),
    "uscensus": ("HTS10", "customs", "FAS"),
    "estat_japan": ("JP9", "CIF", "FOB"),
    "comexstat": ("NCM8", "FOB", "FOB"),
}
EDITION_PREFIX = {
    "CN8": "CN",
    "HTS10": "HTS",
    "SCHEDB10": "SCHEDB",
    "JP9": "JP",
    "NCM8": "NCM",
    "HS6": "HS",
}
# Codes in the publishers' partner lists that are no country (Comext Q*/X* codes: stores and
# provisions, high seas, countries not specified or confidential; HMRC's confidential country).
# Comext writes Greece EL and splits the United Kingdom into XU (Great Britain) and XI (Northern
# Ireland, Windsor Framework): both are GBR, kept apart by partner_code. Japan's "by commodity
# and country" files carry subtotal lines, S-TOTAL (Japan Customs' trade statistics FAQ).
ISO2_FIXES = {"EL": "GRC", "XU": "GBR", "XI": "GBR", "UK": "GBR"}
AGGREGATE_PARTNER_CODES = frozenset(
    {
        "n/a",
        "-",
        "S-TOTAL",
        "QP",
        "QQ",
        "QR",
        "QS",
        "QU",
        "QV",
        "QW",
        "QX",
        "QY",
        "QZ",
        "XX",
        "XC",
        "XL",
        "XM",
        "XO",
        "XR",
        "XZ",
    }
)

RAW_SCHEMA = {
    "period": pl.String,  # YYYYMM
    "reporter": pl.String,  # ISO3, or ISO2 (Comext live)
    "partner_code": pl.String,
    "partner_name": pl.String,
    "flow": pl.String,  # M | X
    "national_code": pl.String,
    "nomenclature": pl.String,
    "value": pl.Float64,  # publisher's currency units
    "currency": pl.String,
    "quantity_kg": pl.Float64,
    "supplementary_quantity": pl.Float64,
    "supplementary_unit": pl.String,
    "confidential": pl.Boolean,
    "_source": pl.String,  # snapshot | live
    "_source_file": pl.String,
    "_source_row": pl.Int64,
    "_sha256": pl.String,
    "_landed_at": pl.String,
}

STAGING_SCHEMA = {
    "source": pl.String,
    "reporter_iso3": pl.String,
    "partner_iso3": pl.String,
    "partner_code": pl.String,
    "partner_name": pl.String,
    "is_aggregate_partner": pl.Boolean,
    "flow": pl.String,
    "national_code": pl.String,
    "nomenclature": pl.String,
    "nomenclature_edition": pl.String,
    "hs6": pl.String,
    "hs_edition": pl.String,
    "period": pl.Date,
    "value": pl.Float64,
    "currency": pl.String,
    "valuation": pl.String,
    "fx_rate": pl.Float64,
    "fx_source": pl.String,
    "value_usd": pl.Float64,
    "quantity_kg": pl.Float64,
    "supplementary_quantity": pl.Float64,
    "supplementary_unit": pl.String,
    "is_confidential": pl.Boolean,
    "source_file": pl.String,
    "source_row": pl.Int64,
    "n_source_rows": pl.Int64,
    "landing_sha256": pl.String,
    "landed_at": pl.Datetime("us", "UTC"),
}
GRAIN = [
    "source",
    "reporter_iso3",
    "partner_code",
    "flow",
    "national_code",
    "nomenclature",
    "period",
]
MONTH_KEY = ["source", "reporter_iso3", "flow", "period"]

REVISION_SCHEMA = {
    "source": pl.String,
    "reporter_iso3": pl.String,
    "partner_code": pl.String,
    "flow": pl.String,
    "national_code": pl.String,
    "nomenclature": pl.String,
    "period": pl.Date,
    "change": pl.String,
    "status": pl.String,
    "currency": pl.String,
    "previous_value": pl.Float64,
    "new_value": pl.Float64,
    "value_change": pl.Float64,
    "value_change_pct": pl.Float64,
    "previous_quantity_kg": pl.Float64,
    "new_quantity_kg": pl.Float64,
    "month_total_change_pct": pl.Float64,
    "reason": pl.String,
    "previous_landing_sha256": pl.String,
    "new_landing_sha256": pl.String,
    "detected_at": pl.Datetime("us", "UTC"),
}
DEFAULT_SHRINK_THRESHOLD = 0.5


def empty_raw() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_SCHEMA)


def hs_edition(period: pl.Expr) -> pl.Expr:
    year = period.dt.year()
    return (
        pl.when(year >= 2027)
        .then(pl.lit("HS2027"))
        .when(year >= 2022)
        .then(pl.lit("HS2022"))
        .otherwise(pl.lit("HS2017"))
    )


def _fail(source: str, bad: pl.DataFrame, field: str, problem: str, hint: str = "") -> None:
    """Raise naming the first file with bad rows, and that file's rows (lines or positions)."""
    if bad.height:
        file = bad["_source_file"][0]
        bad = bad.filter(pl.col("_source_file") == file)
        raise SourceDataError(
            source,
            file,
            problem + hint,
            rows=bad["_source_row"].to_list(),
            field=field,
            values=bad[field].cast(pl.String).unique(maintain_order=True).to_list(),
        )


def _partner_iso3(
    source: str,
    raw: pl.DataFrame,
    iso2: Mapping[str, str],
    iso3: set[str],
    lookup: Mapping[str, str],
    codes: Mapping[str, str],
) -> pl.DataFrame:
    """raw + partner_iso3 and is_aggregate_partner, by the publisher's kind of partner code."""
    code = pl.col("partner_code")
    # HMRC rows with no alpha code (its confidential country) come as n/a:<CountryId>
    aggregate = code.is_in(list(AGGREGATE_PARTNER_CODES)) | code.str.starts_with("n/a")
    if source in ("hmrc", "eurostat") and raw["_source"].eq("live").any():
        mapped = code.replace_strict({**iso2, **ISO2_FIXES}, default=None)
        field, hint = "partner_code", " (an ISO 3166 alpha-2 code the reference does not list)"
    elif source == "estat_japan":
        mapped = code.replace_strict(dict(codes), default=None)
        field = "partner_code"
        hint = " (add the customs country code to data/seeds/country_codes.csv, source estat_japan)"
    elif source == "uscensus" and raw["_source"].eq("live").any():
        names = raw["partner_name"].unique().to_list()
        resolved = {n: countries.resolve(n, lookup) for n in names if n}
        mapped = pl.col("partner_name").replace_strict(resolved, default=None)
        field, hint = "partner_name", " (add the name to data/seeds/country_aliases.csv)"
    else:  # snapshot rows: the intermediary's ISO3 codes, checked against the reference
        mapped = pl.when(code.is_in(list(iso3))).then(code)
        field, hint = "partner_code", " (not an ISO3 code of staging.dim_country)"
    out = raw.with_columns(
        is_aggregate_partner=aggregate, partner_iso3=pl.when(~aggregate).then(mapped)
    )
    _fail(
        source,
        out.filter(~pl.col("is_aggregate_partner") & pl.col("partner_iso3").is_null()),
        field,
        "partner with no ISO3 mapping",
        hint,
    )
    return out


def conform(
    source: str,
    raw: pl.DataFrame,
    *,
    dim_country: pl.DataFrame,
    lookup: Mapping[str, str],
    fx: pl.DataFrame,
    country_codes: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """One publisher's raw rows -> staging.partner_monthly rows (summed to the grain).

    `fx`: (currency, period, fx_rate, fx_source) as `fx_table` builds it. Raises
    SourceDataError (source, file, row, field) on a bad month, reporter, partner or value.
    """
    if raw.is_empty():
        return pl.DataFrame(schema=STAGING_SCHEMA)
    nomenclature, import_valuation, export_valuation = PUBLISHER[source]
    iso2 = dict(dim_country.select("iso2", "iso3").drop_nulls().iter_rows())
    iso3 = set(dim_country["iso3"])
    period = pl.col("period").str.strptime(pl.Date, "%Y%m", strict=False)
    raw = raw.with_columns(period_date=period)
    _fail(source, raw.filter(pl.col("period_date").is_null()), "period", "not a YYYYMM month")
    _fail(source, raw.filter(~pl.col("flow").is_in(["M", "X"])), "flow", "flow is not M or X")
    _fail(
        source,
        raw.filter(pl.col("value").is_null() | (pl.col("value") < 0)),
        "value",
        "value missing or negative",
    )
    _fail(
        source,
        raw.filter(~pl.col("national_code").str.contains(r"^\d{6}[0-9A-Z]{0,4}$")),
        "national_code",
        "not a tariff line of 6 to 10 characters starting with the HS6 digits",
    )
    reporter = pl.col("reporter")
    raw = raw.with_columns(
        reporter_iso3=pl.when(reporter.is_in(list(iso3)))
        .then(reporter)
        .otherwise(reporter.replace_strict({**iso2, **ISO2_FIXES}, default=None))
    )
    _fail(
        source,
        raw.filter(pl.col("reporter_iso3").is_null()),
        "reporter",
        "reporter with no ISO3 mapping",
    )
    raw = _partner_iso3(source, raw, iso2, iso3, lookup, country_codes or {})
    raw = raw.join(
        fx.rename({"period": "period_date"}), on=["currency", "period_date"], how="left"
    ).with_columns(
        pl.col("fx_source").fill_null(pl.lit("ECB reference rate not published yet for this month"))
    )
    keys = ["reporter_iso3", "partner_code", "flow", "national_code", "nomenclature", "period_date"]
    summed = (
        raw.sort("_source_file", "_source_row")
        .group_by(keys, maintain_order=True)
        .agg(
            partner_iso3=pl.col("partner_iso3").first(),
            partner_name=pl.col("partner_name").first(),
            is_aggregate_partner=pl.col("is_aggregate_partner").first(),
            value=pl.col("value").sum(),
            currency=pl.col("currency").first(),
            fx_rate=pl.col("fx_rate").first(),
            fx_source=pl.col("fx_source").first(),
            # null only when no row gives a mass (a sum would turn "not published" into 0)
            quantity_kg=pl.when(pl.col("quantity_kg").is_not_null().any()).then(
                pl.col("quantity_kg").sum()
            ),
            supplementary_quantity=pl.when(
                pl.col("supplementary_quantity").is_not_null().any()
                & (pl.col("supplementary_unit").n_unique() == 1)
            ).then(pl.col("supplementary_quantity").sum()),
            supplementary_unit=pl.col("supplementary_unit").first(),
            is_confidential=pl.col("confidential").any(),
            # a key can span files (HMRC's pages cut anywhere): the first row's file is named
            source_file=pl.col("_source_file").first(),
            source_row=pl.col("_source_row").min(),
            n_source_rows=pl.len(),
            landing_sha256=pl.col("_sha256").first(),
            landed_at=pl.col("_landed_at").first(),
        )
    )
    family = pl.col("nomenclature").replace_strict(EDITION_PREFIX, default=pl.col("nomenclature"))
    return summed.select(
        source=pl.lit(source),
        reporter_iso3="reporter_iso3",
        partner_iso3="partner_iso3",
        partner_code="partner_code",
        partner_name="partner_name",
        is_aggregate_partner="is_aggregate_partner",
        flow="flow",
        national_code="national_code",
        nomenclature="nomenclature",
        nomenclature_edition=pl.when(pl.col("nomenclature") == "HS6")
        .then(hs_edition(pl.col("period_date")))
        .otherwise(family + pl.col("period_date").dt.year().cast(pl.String)),
        hs6=pl.col("national_code").str.slice(0, 6),
        hs_edition=hs_edition(pl.col("period_date")),
        period="period_date",
        value="value",
        currency="currency",
        valuation=pl.when(pl.col("flow") == "M")
        .then(pl.lit(import_valuation))
        .otherwise(pl.lit(export_valuation)),
        fx_rate="fx_rate",
        fx_source="fx_source",
        value_usd=pl.col("value") * pl.col("fx_rate"),
        quantity_kg="quantity_kg",
        supplementary_quantity="supplementary_quantity",
        supplementary_unit="supplementary_unit",
        is_confidential="is_confidential",
        source_file="source_file",
        source_row="source_row",
        n_source_rows="n_source_rows",
        landing_sha256="landing_sha256",
        landed_at=pl.col("landed_at").str.to_datetime(time_zone="UTC", strict=False),
    ).cast(STAGING_SCHEMA)


# --- the bundled snapshot ----------------------------------------------------------------------

SNAPSHOT_COLUMNS = (
    "period",
    "reporter",
    "partner",
    "partner_name",
    "flow",
    "native_code",
    "value",
    "currency",
    "qty_kg",
    "confidential",
)
SNAPSHOT_NOMENCLATURE = {"hmrc": "CN8", "eurostat": "CN8", "comexstat": "NCM8", "uscensus": "HS6"}


def read_snapshot_csv(path, source: str, file: str, sha256: str) -> pl.DataFrame:
    """A data/snapshot/partner_monthly CSV (scripts/import_partner_monthly.py) -> RAW_SCHEMA.

    Row numbers are CSV lines (header = 1). A file cut short is an error naming the row."""
    from pipelines.lib.errors import reading
    from pipelines.lib.inputs import check_csv

    check_csv(source, file, path)
    with reading(source, file):
        df = pl.read_csv(path, infer_schema=False, null_values=[""])
    missing = [c for c in SNAPSHOT_COLUMNS if c not in df.columns]
    if missing:
        raise SourceDataError(source, file, "missing columns", values=missing)
    df = df.with_row_index("_source_row", offset=2)
    number = lambda c: pl.col(c).cast(pl.Float64, strict=False)  # noqa: E731
    for column in ("value", "qty_kg"):
        bad = df.filter(pl.col(column).is_not_null() & number(column).is_null())
        if bad.height:
            raise SourceDataError(
                source,
                file,
                "not a number",
                rows=bad["_source_row"].to_list(),
                field=column,
                values=bad[column].to_list(),
            )
    flows = {"import": "M", "export": "X"}
    bad = df.filter(~pl.col("flow").is_in(list(flows)))
    if bad.height:
        raise SourceDataError(
            source,
            file,
            "flow is not import or export",
            rows=bad["_source_row"].to_list(),
            field="flow",
            values=bad["flow"].to_list(),
        )
    return df.select(
        period="period",
        reporter="reporter",
        partner_code="partner",
        partner_name="partner_name",
        flow=pl.col("flow").replace_strict(flows),
        national_code="native_code",
        nomenclature=pl.lit(SNAPSHOT_NOMENCLATURE[source]),
        value=number("value"),
        currency="currency",
        quantity_kg=number("qty_kg"),
        supplementary_quantity=pl.lit(None, pl.Float64),
        supplementary_unit=pl.lit(None, pl.String),
        confidential=pl.col("confidential") == "true",
        _source=pl.lit("snapshot"),
        _source_file=pl.lit(file),
        _source_row=pl.col("_source_row").cast(pl.Int64),
        _sha256=pl.lit(sha256),
        _landed_at=pl.lit(None, pl.String),
    ).cast(RAW_SCHEMA)


# --- exchange rates ----------------------------------------------------------------------------

ECB_SERIES = {
    "USD": "EXR.M.USD.EUR.SP00.A",
    "GBP": "EXR.M.GBP.EUR.SP00.A",
    "JPY": "EXR.M.JPY.EUR.SP00.A",
}


def read_ecb_csv(text: str, file: str) -> pl.DataFrame:
    """An ECB data API `format=csvdata` answer -> (currency, period, per_eur): units per euro."""
    import io

    from pipelines.lib.errors import reading

    with reading("ecb", file):
        df = pl.read_csv(io.StringIO(text), infer_schema=False)
    missing = [c for c in ("CURRENCY", "TIME_PERIOD", "OBS_VALUE") if c not in df.columns]
    if missing:
        raise SourceDataError(
            "ecb", file, "not an ECB csvdata file: missing columns", values=missing
        )
    return df.filter(pl.col("OBS_VALUE") != "").select(
        currency="CURRENCY",
        period=pl.col("TIME_PERIOD").str.strptime(pl.Date, "%Y-%m"),
        per_eur=pl.col("OBS_VALUE").cast(pl.Float64),
        file=pl.lit(file),
    )


def fx_table(per_eur: pl.DataFrame) -> pl.DataFrame:
    """US dollars per unit of each currency by month, crossed through the euro:
    USD per GBP = (USD per EUR) / (GBP per EUR). USD itself is 1."""
    usd = per_eur.filter(pl.col("currency") == "USD").select(
        "period", usd_per_eur="per_eur", usd_file="file"
    )
    eur = usd.select(
        currency=pl.lit("EUR"),
        period="period",
        fx_rate="usd_per_eur",
        fx_source=pl.lit("ECB reference rate, monthly average, ")
        + pl.lit(ECB_SERIES["USD"])
        + pl.lit(" (")
        + pl.col("usd_file")
        + pl.lit(")"),
    )
    crossed = per_eur.filter(pl.col("currency").is_in(["GBP", "JPY"])).join(usd, on="period")
    others = crossed.select(
        currency="currency",
        period="period",
        fx_rate=pl.col("usd_per_eur") / pl.col("per_eur"),
        fx_source=pl.lit("ECB reference rates, monthly averages, ")
        + pl.lit(ECB_SERIES["USD"])
        + pl.lit(" / EXR.M.")
        + pl.col("currency")
        + pl.lit(".EUR.SP00.A (")
        + pl.col("usd_file")
        + pl.lit(", ")
        + pl.col("file")
        + pl.lit(")"),
    )
    months = per_eur.select(pl.col("period").unique())
    dollars = months.select(
        currency=pl.lit("USD"),
        period="period",
        fx_rate=pl.lit(1.0),
        fx_source=pl.lit("as published"),
    )
    return pl.concat([eur, others, dollars]).sort("currency", "period")


def with_usd_everywhere(fx: pl.DataFrame, periods: pl.Series) -> pl.DataFrame:
    """fx plus a USD rate (1, as published) for every month in `periods`."""
    extra = pl.DataFrame({"period": periods.unique()}).select(
        currency=pl.lit("USD"),
        period="period",
        fx_rate=pl.lit(1.0),
        fx_source=pl.lit("as published"),
    )
    return pl.concat([fx.filter(pl.col("currency") != "USD"), extra]).unique(
        ["currency", "period"], keep="last"
    )


# --- revisions and holds -----------------------------------------------------------------------


def reconcile(
    new: pl.DataFrame,
    published: pl.DataFrame | None,
    *,
    threshold: float = DEFAULT_SHRINK_THRESHOLD,
    accepted: pl.DataFrame | None = None,
    detected_at: datetime.datetime | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to publish, revision rows) from a new landing and the published table.

    For every month already published (source, reporter, flow, period): its total value in the
    new landing is compared with the published total. A fall of more than `threshold` (a share,
    0.5 = half), or a month missing from the new landing, holds the month: the published rows are
    kept and the changes recorded with status held, unless `accepted` (source, reporter_iso3,
    flow, period) releases it (status accepted, new rows used). Otherwise every changed line is
    recorded (status applied) and the new rows are used. New months are simply added.
    """
    detected_at = detected_at or datetime.datetime.now(datetime.UTC)
    if published is None or published.is_empty():
        return new, pl.DataFrame(schema=REVISION_SCHEMA)
    published = published.select(list(STAGING_SCHEMA)).cast(STAGING_SCHEMA)
    totals = lambda df, name: df.group_by(MONTH_KEY).agg(pl.col("value").sum().alias(name))  # noqa: E731
    months = totals(published, "before").join(totals(new, "after"), on=MONTH_KEY, how="left")
    months = months.with_columns(
        month_change=pl.when(pl.col("after").is_null())
        .then(-1.0)
        .when(pl.col("before") > 0)
        .then(pl.col("after") / pl.col("before") - 1)
    )
    accepted_keys = (
        accepted.select(MONTH_KEY).with_columns(accepted=pl.lit(True))
        if accepted is not None and accepted.height
        else pl.DataFrame(
            schema={**{k: STAGING_SCHEMA[k] for k in MONTH_KEY}, "accepted": pl.Boolean}
        )
    )
    months = months.join(accepted_keys, on=MONTH_KEY, how="left").with_columns(
        shrank=pl.col("month_change").is_not_null() & (pl.col("month_change") < -threshold),
        accepted=pl.col("accepted").fill_null(False),
    )
    held = months.filter(pl.col("shrank") & ~pl.col("accepted"))
    line = [k for k in GRAIN]
    both = published.join(new, on=line, how="full", coalesce=True, suffix="_new")
    both = both.join(
        months.select(*MONTH_KEY, "month_change", "shrank", "accepted"), on=MONTH_KEY, how="inner"
    )
    changed = both.filter(
        pl.col("value").is_null()
        | pl.col("value_new").is_null()
        | (pl.col("value") != pl.col("value_new"))
        | (pl.col("quantity_kg").ne_missing(pl.col("quantity_kg_new")))
    )
    vanished_sha = (
        new["landing_sha256"].unique().sort().str.join(",") if new.height else pl.Series([""])
    )
    new_sha = pl.coalesce("landing_sha256_new", pl.lit(vanished_sha[0] or "none"))
    status = (
        pl.when(pl.col("shrank") & pl.col("accepted"))
        .then(pl.lit("accepted"))
        .when(pl.col("shrank"))
        .then(pl.lit("held"))
        .otherwise(pl.lit("applied"))
    )
    pct = pl.format("{}%", (pl.col("month_change") * 100).round(1))
    reason = (
        pl.when(pl.col("month_change") == -1.0)
        .then(pl.lit("the month vanished from the new landing"))
        .when(pl.col("shrank"))
        .then(
            pl.lit("the month's total fell ")
            + pct.str.replace("-", "")
            + pl.lit(f" (more than the {threshold:.0%} threshold)")
        )
        .otherwise(pl.lit("publisher revision; month total changed ") + pct)
    )
    revisions = changed.select(
        *line,
        change=pl.when(pl.col("value").is_null())
        .then(pl.lit("added"))
        .when(pl.col("value_new").is_null())
        .then(pl.lit("removed"))
        .otherwise(pl.lit("revised")),
        status=status,
        currency=pl.coalesce("currency", "currency_new"),
        previous_value="value",
        new_value="value_new",
        value_change=pl.col("value_new").fill_null(0) - pl.col("value").fill_null(0),
        value_change_pct=pl.when(pl.col("value") > 0).then(
            pl.col("value_new").fill_null(0) / pl.col("value") - 1
        ),
        previous_quantity_kg="quantity_kg",
        new_quantity_kg="quantity_kg_new",
        month_total_change_pct="month_change",
        reason=reason,
        previous_landing_sha256=pl.coalesce("landing_sha256", pl.lit("none")),
        new_landing_sha256=new_sha,
        detected_at=pl.lit(detected_at),
    ).cast(REVISION_SCHEMA)
    kept = published.join(held.select(MONTH_KEY), on=MONTH_KEY, how="semi")
    fresh = new.join(held.select(MONTH_KEY), on=MONTH_KEY, how="anti")
    return pl.concat([fresh, kept]).sort(GRAIN), revisions.sort(GRAIN)


def code_changes(rows: pl.DataFrame) -> pl.DataFrame:
    """Lines that traded in a December and not after, while a line of the same HS6 first traded
    in the January after: most likely a nomenclature change, not a collapse."""
    schema = {
        "source": pl.String,
        "reporter_iso3": pl.String,
        "flow": pl.String,
        "hs6": pl.String,
        "ended_code": pl.String,
        "ended_edition": pl.String,
        "last_month": pl.Date,
        "started_codes": pl.String,
        "first_month": pl.Date,
        "ended_value_last_year": pl.Float64,
        "started_value_first_month": pl.Float64,
    }
    traded = rows.filter(~pl.col("is_aggregate_partner") & (pl.col("value") > 0))
    if traded.is_empty():
        return pl.DataFrame(schema=schema)
    key = ["source", "reporter_iso3", "flow", "national_code"]
    span = traded.group_by(*key, "hs6").agg(
        first=pl.col("period").min(),
        last=pl.col("period").max(),
        edition=pl.col("nomenclature_edition").sort_by("period").last(),
    )
    latest = traded.group_by("source", "reporter_iso3", "flow").agg(end=pl.col("period").max())
    ended = span.join(latest, on=["source", "reporter_iso3", "flow"]).filter(
        (pl.col("last").dt.month() == 12) & (pl.col("last") < pl.col("end"))
    )
    started = span.filter(pl.col("first").dt.month() == 1)
    pairs = ended.join(started, on=["source", "reporter_iso3", "flow", "hs6"], suffix="_s").filter(
        pl.col("first_s") == pl.col("last").dt.offset_by("1mo")
    )
    if pairs.is_empty():
        return pl.DataFrame(schema=schema)
    year_value = (
        traded.join(pairs.select(*key, "last"), on=key)
        .filter(
            (pl.col("period") > pl.col("last").dt.offset_by("-12mo"))
            & (pl.col("period") <= pl.col("last"))
        )
        .group_by(key)
        .agg(ended_value_last_year=pl.col("value").sum())
    )
    first_value = (
        traded.join(
            pairs.select(
                "source",
                "reporter_iso3",
                "flow",
                national_code="national_code_s",
                first_month="first_s",
            ),
            on=["source", "reporter_iso3", "flow", "national_code"],
        )
        .filter(pl.col("period") == pl.col("first_month"))
        .group_by("source", "reporter_iso3", "flow", "first_month")
        .agg(started_value_first_month=pl.col("value").sum())
    )
    out = (
        pairs.group_by(*key, "hs6", "edition", "last", "first_s")
        .agg(started_codes=pl.col("national_code_s").sort().str.join(","))
        .join(year_value, on=key)
        .join(
            first_value,
            left_on=["source", "reporter_iso3", "flow", "first_s"],
            right_on=["source", "reporter_iso3", "flow", "first_month"],
        )
    )
    return (
        out.select(
            "source",
            "reporter_iso3",
            "flow",
            "hs6",
            ended_code="national_code",
            ended_edition="edition",
            last_month="last",
            started_codes="started_codes",
            first_month="first_s",
            ended_value_last_year="ended_value_last_year",
            started_value_first_month="started_value_first_month",
        )
        .cast(schema)
        .sort("source", "reporter_iso3", "flow", "ended_code")
    )
