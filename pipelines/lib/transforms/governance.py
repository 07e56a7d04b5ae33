"""World Bank Worldwide Governance Indicators: six dimensions per country and year.

The bulk file (2023 update, 1996-2022) gives every dimension up to 2022. Political stability,
the one dimension GeoPolRisk weighs suppliers by, continues with the year's own estimates from
the newer 1996-2024 file for the years after it (2023-2024; `source` names the file). That file
agrees with the bulk file up to 2022 (checked), but its 2023-2024 estimates come from a later
WGI vintage (China's percentile rank 28 in 2022, 63 in 2023): each year is a cross-section on
its own scale, so a year-on-year change across 2022-2023 is partly the vintage. A year a
country still lacks (WGI skipped 1997, 1999 and 2001; the other dimensions after 2022) is
carried forward from its last published year, with `is_carried_forward` and `source_year`.
"""

import re
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.inputs import check_csv

DIMENSIONS = {
    "CC": "control_of_corruption",
    "GE": "government_effectiveness",
    "PV": "political_stability",
    "RQ": "regulatory_quality",
    "RL": "rule_of_law",
    "VA": "voice_and_accountability",
}
# WGI economies with no ISO 3166 code of their own: left out, on purpose.
NOT_ISO_COUNTRIES = {"ANT": "Netherlands Antilles (dissolved 2010)", "XKX": "Kosovo"}


def read_wgi_bulk(path: Path) -> pl.DataFrame:
    """WGIData.csv (wide: one column per year) -> iso3, dimension, year, estimate, rank."""
    check_csv("wgi", path.name, path)
    with reading("wgi", path.name):
        df = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", null_values=[""])
    df = df.select([c for c in df.columns if c])  # the file ends every line with a comma
    years = [c for c in df.columns if c.isdigit()]
    # a renamed year column ("2021 [YR2021]") must not be skipped and then carried forward over
    unknown = [c for c in df.columns if re.search(r"(19|20)\d\d", c) and not c.isdigit()]
    if unknown:
        raise SourceDataError(
            "wgi", path.name, "column with a year that is not a plain year column",
            rows=[1], field=unknown[0], values=unknown,
        )  # fmt: skip
    gaps = sorted(set(range(2002, max(map(int, years), default=2002) + 1)) - set(map(int, years)))
    if gaps:
        raise SourceDataError(
            "wgi", path.name, f"year columns missing (WGI is annual since 2002): {gaps}", rows=[1]
        )
    if not years or "Indicator Code" not in df.columns:
        raise SourceDataError(
            "wgi", path.name, "not the WGI bulk layout (year columns, 'Indicator Code')", rows=[1]
        )
    long = (
        df.with_row_index("source_row", offset=2)
        .unpivot(
            index=["source_row", "Country Code", "Indicator Code"],
            on=years,
            variable_name="year",
            value_name="value",
        )
        .with_columns(
            dimension_code=pl.col("Indicator Code").str.extract(r"^(\w\w)\."),
            statistic=pl.col("Indicator Code").str.extract(r"^\w\w\.(.+)$"),
        )
        .filter(pl.col("statistic").is_in(["EST", "PER.RNK"]))
    )
    bad = long.filter(
        pl.col("value").is_not_null() & pl.col("value").cast(pl.Float64, strict=False).is_null()
    )
    if bad.height:
        r = bad.row(0, named=True)
        raise SourceDataError(
            "wgi",
            path.name,
            "value is not a number",
            rows=[r["source_row"]],
            field=r["year"],
            values=[r["value"]],
        )
    return (
        long.with_columns(pl.col("value").cast(pl.Float64))
        .pivot(on="statistic", index=["Country Code", "dimension_code", "year"], values="value")
        .select(
            iso3=pl.col("Country Code"),
            dimension=pl.col("dimension_code").replace_strict(DIMENSIONS),
            year=pl.col("year").cast(pl.Int32),
            estimate=pl.col("EST"),
            percentile_rank=pl.col("PER.RNK"),
        )
    )


def conform_governance(
    wgi: pl.DataFrame,
    known_iso3: set[str],
    through_year: int,
    *,
    source: str = "wgi_2023_update",
) -> pl.DataFrame:
    """Known countries only, every year up to `through_year`, gaps carried forward and flagged.

    `source` names where the estimates came from (the bundled bulk file, or `worldbank_api`),
    unless the rows carry their own `source` column (political_stability_after).
    """
    if "source" not in wgi.columns:
        wgi = wgi.with_columns(source=pl.lit(source))
    unknown = set(wgi["iso3"]) - known_iso3 - set(NOT_ISO_COUNTRIES)
    if unknown:
        raise SourceDataError(
            "wgi",
            "WGIData.csv",
            "country codes not in ISO 3166",
            field="Country Code",
            values=sorted(unknown),
        )
    published = wgi.filter(pl.col("iso3").is_in(known_iso3), pl.col("estimate").is_not_null())
    if published.is_empty():
        raise SourceDataError("wgi", source, "no governance estimate for any known country")
    first_year = int(published["year"].min())
    grid = (
        published.select("iso3", "dimension")
        .unique()
        .join(
            pl.DataFrame({"year": range(first_year, through_year + 1)}, schema={"year": pl.Int32}),
            how="cross",
        )
    )
    return (
        grid.join(
            published.with_columns(source_year=pl.col("year")),
            on=["iso3", "dimension", "year"],
            how="left",
        )
        .sort("iso3", "dimension", "year")
        .with_columns(
            pl.col("estimate", "percentile_rank", "source_year", "source")
            .forward_fill()
            .over("iso3", "dimension")
        )
        .filter(pl.col("estimate").is_not_null())
        .with_columns(is_carried_forward=pl.col("source_year") != pl.col("year"))
        .select(
            "iso3",
            "year",
            "dimension",
            "estimate",
            "percentile_rank",
            "is_carried_forward",
            "source_year",
            "source",
        )
    )


PV_FILE_SOURCE = "wgi_pv_1996_2024"


def read_wgi_political_stability(path: Path) -> pl.DataFrame:
    """The 1996-2024 political-stability file: source_row, iso3, year, estimate, percentile_rank."""
    check_csv("wgi", path.name, path)
    with reading("wgi", path.name):
        df = pl.read_csv(path, infer_schema=False).with_row_index("source_row", offset=2)
    number = {c: pl.col(c).cast(pl.Float64, strict=False) for c in ("estimate", "rank")}
    bad = df.filter(
        pl.any_horizontal(pl.col(c).is_not_null() & v.is_null() for c, v in number.items())
    )
    if bad.height:
        r = bad.row(0, named=True)
        raise SourceDataError(
            "wgi", path.name, "estimate or rank is not a number", rows=[r["source_row"]],
            field="estimate", values=[r["estimate"], r["rank"]],
        )  # fmt: skip
    return df.select(
        "source_row",
        iso3="iso3",
        year=pl.col("year").cast(pl.Int32),
        estimate=number["estimate"],
        percentile_rank=number["rank"],
    )


def political_stability_after(bulk: pl.DataFrame, newer: pl.DataFrame) -> pl.DataFrame:
    """Rows in `read_wgi_bulk`'s shape, with `source`: the newer file's political stability for
    the years after the bulk file's last (the year's own estimate, not the bulk's last year
    carried forward), for the economies WGI's bulk file lists: the newer file, packaged with
    BACI's country list, also has rows such as R20 "Europe EFTA, nes" that WGI does not score."""
    last = bulk["year"].max()
    rows = newer.filter(
        pl.col("year") > last,
        pl.col("estimate").is_not_null(),
        pl.col("iso3").is_in(bulk["iso3"].unique().to_list()),
    )
    # the file repeats Guyana: identical rows are one, two different estimates are an error
    rows = rows.unique(["iso3", "year", "estimate", "percentile_rank"], keep="first")
    twice = rows.filter(pl.len().over("iso3", "year") > 1)
    if twice.height:
        raise SourceDataError(
            "wgi", "wgi_pv_1996_2024.csv", "two different estimates for one country and year",
            rows=twice["source_row"].to_list(), field="estimate", values=twice["iso3"].to_list(),
        )  # fmt: skip
    return rows.sort("source_row").select(
        "iso3",
        dimension=pl.lit("political_stability"),
        year="year",
        estimate="estimate",
        percentile_rank="percentile_rank",
        source=pl.lit(PV_FILE_SOURCE),
    )
