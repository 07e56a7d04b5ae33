"""Conform USGS and IEA production rows into `staging.production`.

Every mapping comes from a reviewed seed in `data/seeds/`; anything a seed does not cover is a
`SourceDataError` naming the source, file, row and field, so a new edition's surprises stop the
run instead of slipping into the marts.
"""

import re

import polars as pl

from pipelines.lib.errors import SourceDataError
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms.countries import conform_countries, strip_estimate_marker
from pipelines.lib.transforms.values import parse_reported

STAGES = ["mining", "refining", "manufacturing"]

STAGING_COLUMNS = {
    "source": pl.String,
    "edition": pl.String,
    "commodity": pl.String,
    "stage": pl.String,
    "measure": pl.String,
    "year": pl.Int32,
    "is_estimate": pl.Boolean,
    "is_projection": pl.Boolean,
    "iso3": pl.String,
    "country": pl.String,
    "aggregate": pl.String,
    "amount": pl.Float64,
    "unit": pl.String,
    "value_flag": pl.String,
    "value_raw": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
}

_ROUNDED = re.compile(r"(:\s*rounded|,\s*rounded|\s*\(rounded\))", re.I)


def normalise_measure(text: str | None) -> str:
    text = _ROUNDED.sub("", text or "")
    return re.sub(r"\s+", " ", text).strip().rstrip(".").casefold()


def classify_series(chapter: str, measure: str, rules: pl.DataFrame) -> tuple[str, str] | None:
    """First matching rule wins: (commodity, stage); commodity blank in a rule = the chapter."""
    for rule_chapter, pattern, commodity, stage in rules.select(
        "chapter", "measure_regex", "commodity", "stage"
    ).iter_rows():
        if rule_chapter in ("*", chapter) and re.search(pattern, measure):
            return (commodity or chapter), stage
    return None


def _fail_rows(
    df: pl.DataFrame, mask: pl.Expr, source: str, problem: str, field: str, value_col: str
) -> None:
    bad = df.filter(mask)
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceDataError(
            source,
            first["source_file"],
            f"{problem} ({bad.height} row(s) in {bad['source_file'].n_unique()} file(s))",
            rows=bad.filter(pl.col("source_file") == first["source_file"])["source_row"].to_list(),
            field=field,
            values=bad[value_col].unique(maintain_order=True).to_list(),
        )


def conform_usgs(
    raw: pl.DataFrame,
    *,
    chapters: pl.DataFrame,
    rules: pl.DataFrame,
    units: pl.DataFrame,
    country_lookup: dict[str, str],
    unit_corrections: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """USGS raw long rows -> staging.production rows (source `usgs_mcs`)."""
    if unit_corrections is None:
        unit_corrections = load_seed("usgs_unit_corrections")
    df = raw.with_columns(
        chapter_key=pl.col("chapter_label").str.strip_chars().str.to_lowercase(),
        measure=pl.col("measure_raw").map_elements(normalise_measure, return_dtype=pl.String),
    ).join(
        chapters.select(chapter_key=pl.col("chapter_label"), chapter=pl.col("chapter")),
        on="chapter_key",
        how="left",
    )
    _fail_rows(
        df,
        pl.col("chapter").is_null(),
        "usgs_mcs",
        "chapter not in data/seeds/usgs_chapters.csv",
        "chapter",
        "chapter_label",
    )

    pairs = df.select("chapter", "measure").unique()
    series = [(c, m, *(classify_series(c, m, rules) or (None, None))) for c, m in pairs.iter_rows()]
    series_df = pl.DataFrame(
        series, schema=["chapter", "measure", "commodity", "stage"], orient="row"
    )
    df = df.join(series_df, on=["chapter", "measure"], how="left")
    _fail_rows(
        df,
        pl.col("stage").is_null(),
        "usgs_mcs",
        "measure matches no rule in data/seeds/usgs_series_rules.csv",
        "measure",
        "measure_raw",
    )
    df = df.filter(pl.col("stage") != "exclude")

    # MCS2025 leaves UNIT_MEAS blank on one rutile row: take the unit its block uses.
    df = df.with_columns(unit_raw=pl.col("unit_raw").str.strip_chars().str.to_lowercase())
    df = df.with_columns(
        unit_raw=pl.when(pl.col("unit_raw") == "")
        .then(
            pl.col("unit_raw")
            .replace("", None)
            .drop_nulls()
            .first()
            .over("edition", "source_file", "commodity", "measure")
        )
        .otherwise(pl.col("unit_raw"))
    )
    # A unit an edition mislabels (reviewed in data/seeds/usgs_unit_corrections.csv)
    df = (
        df.join(
            unit_corrections.select(
                "edition", "commodity", unit_raw="unit_raw_published", corrected="unit_raw"
            ),
            on=["edition", "commodity", "unit_raw"],
            how="left",
        )
        .with_columns(unit_raw=pl.coalesce("corrected", "unit_raw"))
        .drop("corrected")
        .join(units.select("unit_raw", "unit", "factor"), on="unit_raw", how="left")
    )
    _fail_rows(
        df,
        pl.col("unit").is_null(),
        "usgs_mcs",
        "unit not in data/seeds/units.csv",
        "unit",
        "unit_raw",
    )

    amount, flag = parse_reported(pl.col("value_raw"))
    df = df.with_columns(amount=amount * pl.col("factor"), value_flag=flag)
    _fail_rows(
        df,
        pl.col("value_flag") == "unrecognised",
        "usgs_mcs",
        "production value is neither a number nor a known flag",
        "value",
        "value_raw",
    )

    names = [(n, *strip_estimate_marker(n, country_lookup)) for n in df["country_raw"].unique()]
    marker = pl.DataFrame(
        names, schema=["country_raw", "country_clean", "name_estimated"], orient="row"
    )
    df = (
        df.join(marker, on="country_raw", how="left", nulls_equal=True)
        .with_columns(is_estimate=pl.col("is_estimate") | pl.col("name_estimated"))
        .drop("country_raw")
        .rename({"country_clean": "country_raw"})
    )
    df = conform_countries(
        df, "country_raw", country_lookup, source="usgs_mcs", file_column="source_file"
    )
    return df.select(
        source=pl.lit("usgs_mcs"),
        edition="edition",
        commodity="commodity",
        stage="stage",
        measure="measure",
        year="year",
        is_estimate=pl.col("is_estimate") | (pl.col("value_flag") == "estimated"),
        is_projection=pl.lit(False),
        iso3="iso3",
        country=pl.col("country_raw").str.strip_chars(),
        aggregate="aggregate",
        amount="amount",
        unit="unit",
        value_flag="value_flag",
        value_raw="value_raw",
        source_file="source_file",
        source_row="source_row",
    ).cast(STAGING_COLUMNS)


def mark_latest_edition(df: pl.DataFrame) -> pl.DataFrame:
    """Flag the newest edition of each (source, commodity, stage, year) series.

    A whole series is taken from one edition: mixing a country from an old edition into a newer
    one would double-count what the newer edition folded into "Other countries".
    """
    return df.with_columns(
        is_latest_edition=pl.col("edition")
        == pl.col("edition").max().over("source", "commodity", "stage", "year")
    )


def duplicate_keys(df: pl.DataFrame) -> pl.DataFrame:
    """Rows that share (source, edition, commodity, stage, year, country or aggregate name)."""
    key = ["source", "edition", "commodity", "stage", "year", "iso3", "aggregate", "country"]
    return df.filter(pl.len().over(key) > 1).sort(key)


def conform_iea(raw: pl.DataFrame, *, country_lookup: dict[str, str]) -> pl.DataFrame:
    """IEA raw rows -> staging.production rows (source `iea`), amounts in tonnes.

    The published "Top 3 share" rows are ratios, not amounts: see `iea_published_top3`.
    """
    from pipelines.lib.transforms.iea import MEASURES, canonical_labels

    df = canonical_labels(raw)
    df = conform_countries(
        df, "country_raw", country_lookup, source="iea", file_column="source_file"
    )
    df = df.filter(pl.col("aggregate").fill_null("") != "top3_share")
    return df.select(
        source=pl.lit("iea"),
        edition="edition",
        commodity="commodity",
        stage="stage",
        measure=pl.col("commodity").replace_strict(MEASURES, default="contained metal, kt"),
        year="year",
        is_estimate=pl.lit(False),
        is_projection="is_projection",
        iso3="iso3",
        country=pl.col("country_raw"),
        aggregate="aggregate",
        amount=pl.col("value") * 1000.0,  # kt -> t
        unit=pl.lit("t"),
        value_flag=pl.lit("reported"),
        value_raw=pl.col("value").cast(pl.String),
        source_file="source_file",
        source_row="source_row",
    ).cast(STAGING_COLUMNS)


def iea_published_top3(raw: pl.DataFrame) -> pl.DataFrame:
    """The workbook's own "Top 3 share" per (edition, commodity, stage, year), 0-1."""
    from pipelines.lib.transforms.iea import canonical_labels

    return (
        canonical_labels(raw)
        .filter(pl.col("country_raw").str.to_lowercase().str.starts_with("top 3 share"))
        .select(
            "edition",
            "commodity",
            "stage",
            "year",
            published_top3_share="value",
            source_file="source_file",
            source_row="source_row",
        )
    )
