"""China's monthly exports by destination -> staging.trade_monthly. Pure Polars.

Two inputs, one shape (TRADE_MONTHLY_SCHEMA):
- snapshot: `deep_dive_hs6_monthly.csv`, a UN Comtrade-derived series (reporter China, exports,
  2017-01 to 2024-12, 39 partners by short English name, value USD, quantity kg);
- live: UN Comtrade API v1 monthly records (`freqCode=M`, reporter 156, flow X, all partners),
  already through `conform_comtrade` (numeric area codes -> ISO3).

Partners go through the project's one country crosswalk (countries.resolve): an unmapped name
fails naming file, row and field. A zero quantity against a positive value is Comtrade's "not
reported" (the file's `uv` is inf there): quantity is null, never 0.
"""

import re
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.inputs import check_csv
from pipelines.lib.transforms import countries

SOURCE = "comtrade"
CHINA = "CHN"
UNIT = "kg"
# China declares in the HS edition in force: HS2017 for 2017-2021, HS2022 from January 2022.
HS2022_FROM = 2022
# Comtrade's classificationCode -> the nomenclature names used across the warehouse
CLASSIFICATIONS = {"H4": "HS12", "H5": "HS17", "H6": "HS22"}
SNAPSHOT_COLUMNS = ("period_dt", "partner_name", "hs6", "val", "qty")

TRADE_MONTHLY_SCHEMA = {
    "reporter_iso3": pl.String,
    "partner_iso3": pl.String,
    "partner_code": pl.Int32,
    "partner_name": pl.String,
    "is_aggregate_partner": pl.Boolean,
    "flow": pl.String,
    "hs6": pl.String,
    "nomenclature": pl.String,
    "period": pl.Date,
    "value_usd": pl.Float64,
    "quantity": pl.Float64,
    "quantity_unit": pl.String,
    "source": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def read_china_monthly_csv(path: Path | str) -> pl.DataFrame:
    """The snapshot file as strings, with `source_row`: the line in the file (header = line 1)."""
    path = Path(path)
    check_csv(SOURCE, path.name, path)  # a file cut short is an error naming the row
    with reading(SOURCE, path.name):
        df = pl.read_csv(path, infer_schema=False)
    missing = [c for c in SNAPSHOT_COLUMNS if c not in df.columns]
    if missing:
        raise SourceDataError(SOURCE, path.name, "missing columns", values=missing)
    return df.with_row_index("source_row", offset=2).with_columns(pl.col("source_row").cast(int))


def _fail(file: str, bad: pl.DataFrame, field: str, problem: str) -> None:
    if bad.height:
        raise SourceDataError(
            SOURCE,
            file,
            problem,
            rows=bad["source_row"].to_list(),
            field=field,
            values=bad[field].cast(pl.String).to_list(),
        )


def conform_china_monthly(raw: pl.DataFrame, lookup: dict[str, str], *, file: str) -> pl.DataFrame:
    """The snapshot rows -> staging.trade_monthly. Fails naming file, row and field on an
    unmapped partner, a bad month, a non-6-digit code or a value that is not a number."""
    period = pl.col("period_dt").str.to_date("%Y-%m-%d", strict=False)
    value = pl.col("val").cast(pl.Float64, strict=False)
    quantity = pl.col("qty").cast(pl.Float64, strict=False)
    _fail(
        file, raw.filter(period.is_null() | (period.dt.day() != 1)), "period_dt", "not YYYY-MM-01"
    )
    _fail(file, raw.filter(~pl.col("hs6").str.contains(r"^\d{6}$")), "hs6", "not a 6-digit HS code")
    _fail(file, raw.filter(value.is_null() | (value < 0)), "val", "not a number >= 0")
    _fail(
        file,
        raw.filter((pl.col("qty") != "") & (quantity.is_null() | (quantity < 0))),
        "qty",
        "not a number >= 0",
    )
    names = {n: countries.resolve(n, lookup) for n in raw["partner_name"].unique().to_list()}
    _fail(
        file,
        raw.filter(pl.col("partner_name").replace_strict(names, default=None).is_null()),
        "partner_name",
        "partner with no ISO3 mapping (add it to data/seeds/country_aliases.csv)",
    )
    return raw.select(
        reporter_iso3=pl.lit(CHINA),
        partner_iso3=pl.col("partner_name").replace_strict(names),
        partner_code=pl.lit(None, pl.Int32),
        partner_name="partner_name",
        is_aggregate_partner=pl.lit(False),
        flow=pl.lit("X"),
        hs6="hs6",
        nomenclature=pl.when(period.dt.year() >= HS2022_FROM)
        .then(pl.lit("HS22"))
        .otherwise(pl.lit("HS17")),
        period=period,
        value_usd=value,
        quantity=pl.when(quantity > 0).then(quantity).when(value == 0).then(quantity),
        quantity_unit=pl.lit(UNIT),
        source=pl.lit(SOURCE),
        source_file=pl.lit(file),
        source_row="source_row",
    ).cast(TRADE_MONTHLY_SCHEMA)


_PERIOD = re.compile(r"\d{6}")


def conform_live_monthly(
    records: list[dict[str, Any]], conformed: pl.DataFrame, *, file: str = "comtrade_api"
) -> pl.DataFrame:
    """API records and their `conform_comtrade` rows (same order) -> staging.trade_monthly.

    The month and nomenclature come from each record's `period` (YYYYMM) and
    `classificationCode`; the World row (partner 0) is kept as an aggregate partner, so the
    table's country rows can be checked against it. `file`: the landed answers (under the
    landing folder), named in errors and as every row's source_file.
    """
    periods, nomenclatures = [], []
    for n, rec in enumerate(records, start=1):
        period = str(rec.get("period") or "")
        if not _PERIOD.fullmatch(period) or not 1 <= int(period[4:]) <= 12:
            raise SourceDataError(
                SOURCE,
                file,
                "not a YYYYMM month",
                rows=[n],
                field="period",
                values=[period],
            )
        code = str(rec.get("classificationCode") or "")
        if code not in CLASSIFICATIONS:
            raise SourceDataError(
                SOURCE,
                file,
                f"classification not among {sorted(CLASSIFICATIONS)}",
                rows=[n],
                field="classificationCode",
                values=[code],
            )
        periods.append(f"{period[:4]}-{period[4:]}-01")
        nomenclatures.append(CLASSIFICATIONS[code])
    return (
        conformed.with_row_index("source_row", offset=2)
        .select(
            reporter_iso3="reporter_iso3",
            partner_iso3="partner_iso3",
            partner_code="partner_code",
            partner_name=pl.lit(None, pl.String),
            is_aggregate_partner="is_aggregate_partner",
            flow="flow",
            hs6="hs6",
            nomenclature=pl.Series(nomenclatures, dtype=pl.String),
            period=pl.Series(periods, dtype=pl.String).str.to_date("%Y-%m-%d"),
            value_usd="value_usd",
            quantity=pl.col("quantity_t") * 1000,  # conform_comtrade: netWgt kg / 1000
            quantity_unit=pl.lit(UNIT),
            source=pl.lit(SOURCE),
            source_file=pl.lit(file),
            source_row="source_row",
        )
        .cast(TRADE_MONTHLY_SCHEMA)
    )


def check_grain(df: pl.DataFrame, file: str) -> None:
    """One row per (reporter, partner, flow, hs6, nomenclature, period): a duplicate would be
    summed twice by every window."""
    key = ["reporter_iso3", "partner_iso3", "partner_code", "flow", "hs6", "nomenclature", "period"]
    dupes = df.filter(pl.struct(key).is_duplicated())
    if dupes.height:
        raise SourceDataError(
            SOURCE,
            file,
            "more than one row for the same (partner, flow, hs6, month)",
            rows=dupes["source_row"].to_list(),
            field="period",
            values=dupes["period"].cast(pl.String).to_list(),
        )
