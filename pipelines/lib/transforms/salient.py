"""Conform USGS US salient statistics and import sources into `staging.us_salient`.

Every mapping is a reviewed seed: chapters (`usgs_chapters`), statistics
(`usgs_salient_statistics`: first rule whose Statistics and detail regex match wins) and units
(`units`). Anything a seed does not cover fails naming the file, row and field. Values go
through the same parser as production, so `E` (net exporter), `>50`, `<25`, `W`, `NA` stay flags
with a null amount, never numbers.
"""

import re

import polars as pl

from pipelines.lib.transforms.countries import conform_countries
from pipelines.lib.transforms.production import _fail_rows
from pipelines.lib.transforms.values import parse_reported

COLUMNS = {
    "source": pl.String,
    "edition": pl.String,
    "commodity": pl.String,
    "subject": pl.String,
    "statistic": pl.String,
    "product": pl.String,
    "statistic_detail": pl.String,
    "country_iso3": pl.String,
    "country": pl.String,
    "period_start": pl.Int32,
    "year": pl.Int32,
    "is_estimate": pl.Boolean,
    "amount": pl.Float64,
    "unit": pl.String,
    "value_flag": pl.String,
    "value_raw": pl.String,
    "unit_raw": pl.String,
    "is_critical_2025": pl.Boolean,
    "notes": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
    "unit_basis": pl.String,
    "data_note": pl.String,
}

# Cells MCS2026 fills with words, or with a character lost in its cp1252 export ("?1" is
# "-1": a stockpile release with its minus sign gone). Kept as text; any other word fails.
TEXT_VALUES = {
    "Small",
    "Variable, depending on type of product",
    "Variable, depending on size, type, and quality",
    "?1",
    "?10",
}
# A detail that opens with a qualifier names the product before the colon, not after it.
PRODUCT_PREFIXES = ("granite only",)
_PERIOD = re.compile(r"^(\d{4})\s*[\u2013-]\s*(\d{2,4})$")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


def classify(
    statistics: str, detail: str, subject: str, chapter: str, rules: pl.DataFrame
) -> tuple[str, str] | None:
    """(statistic, product) by the first seed rule matching; product from the rule or detail."""
    key = detail.casefold()
    for stat, pattern, statistic, product in rules.select(
        "statistics", "detail_regex", "statistic", "product"
    ).iter_rows():
        if stat in ("*", statistics) and re.search(pattern, key):
            return statistic, product or product_of(statistics, detail, subject, chapter)
    return None


# The words that name the statistic, so what follows them names the product.
_STATISTIC_WORDS = re.compile(
    r"^(net import reliance ?as a percentage of (total )?(apparent|estimated|reported) "
    r"consumption|consumption( \([^)]*\))?|imports( for consumption)?( total)?|exports"
    r"|production|stocks|shipments|employment)(?=[\s,:]|$)[,:]?\s*((apparent|reported|estimated)\b)?",
)


def product_of(statistics: str, detail: str, subject: str, chapter: str) -> str:
    """The product a row is about, lower case; "" when the row is about the whole chapter.

    Import-source rows name it in the detail; other details after the statistic's own words
    ("Imports for consumption: Metal" -> "metal"); a chapter that repeats a detail for several
    products (bauxite and alumina, mica sheet and scrap) names them in the Commodity column.
    """
    text = _clean(detail).casefold()
    if statistics.startswith("Import sources"):
        return text
    head, sep, tail = text.partition(":")
    if sep and head in PRODUCT_PREFIXES:
        return head
    if _STATISTIC_WORDS.match(text):
        rest = _STATISTIC_WORDS.sub("", text, count=1).strip(" ,:")
    else:
        rest = tail.strip()
    if not rest and _clean(subject).casefold() != _clean(chapter).casefold():
        rest = _clean(subject).casefold()
    return rest


def unit_basis() -> pl.Expr:
    """What a row's amount weighs, as USGS says it: the row's own words first ("Gross weight.",
    "(gross weight)", "Arsenic content calculated from..."), then the chapter's data note
    ("(Data in metric tons, antimony content, unless otherwise specified)"); a tonnage the chapter
    does not qualify is the product's gross weight. Null for shares, prices and counts of people."""
    own = pl.concat_str(pl.col("detail_raw"), pl.col("notes"), separator=" ").str.to_lowercase()
    # the note's parentheses nest: "(Data in metric tons, rare-earth-oxide (REO) equivalent, ..."
    chapter = (
        pl.col("data_note")
        .str.to_lowercase()
        .str.extract(r"^\(data in ((?:[^()]|\([^()]*\))*)\)", 1)
    )
    content = r"\bcontent\b|equivalent|elemental"
    return (
        pl.when(pl.col("unit") == "usd")
        .then(pl.lit("value"))
        .when(pl.col("unit") == "carat")
        .then(pl.lit("count"))
        .when(pl.col("unit") == "m3")
        .then(pl.lit("volume"))
        .when(pl.col("unit") != "t")
        .then(pl.lit(None, pl.String))
        .when(own.str.contains("gross weight"))
        .then(pl.lit("gross_weight"))
        .when(own.str.contains(content))
        .then(pl.lit("content"))
        .when(chapter.fill_null("").str.contains(content))
        .then(pl.lit("content"))
        .otherwise(pl.lit("gross_weight"))
    )


def _period(year_raw: str) -> tuple[int | None, int | None]:
    text = _clean(year_raw)
    if text.isdigit():
        return int(text), int(text)
    if m := _PERIOD.match(text):
        end = m[2] if len(m[2]) == 4 else m[1][:2] + m[2]
        return int(m[1]), int(end)
    return None, None


def conform_salient(
    raw: pl.DataFrame,
    *,
    chapters: pl.DataFrame,
    rules: pl.DataFrame,
    units: pl.DataFrame,
    country_lookup: dict[str, str],
) -> pl.DataFrame:
    """Raw salient rows (usgs.read_mcs2026_salient) -> staging.us_salient rows."""
    df = raw.with_columns(
        chapter_key=pl.col("chapter_label").str.strip_chars().str.to_lowercase()
    ).join(
        chapters.select(chapter_key=pl.col("chapter_label"), commodity=pl.col("chapter")),
        on="chapter_key",
        how="left",
    )
    src = "usgs_mcs"
    _fail_rows(
        df,
        pl.col("commodity").is_null(),
        src,
        "chapter not in data/seeds/usgs_chapters.csv",
        "MCS chapter",
        "chapter_label",
    )

    keys = ["statistics_raw", "detail_raw", "subject_raw", "chapter_label"]
    found = [
        (*k, *(classify(*k, rules) or (None, None))) for k in df.select(keys).unique().iter_rows()
    ]
    df = df.join(
        pl.DataFrame(found, schema=[*keys, "statistic", "product"], orient="row"),
        on=keys,
        how="left",
    )
    _fail_rows(
        df,
        pl.col("statistic").is_null(),
        src,
        "statistic matches no rule in data/seeds/usgs_salient_statistics.csv",
        "Statistics",
        "statistics_raw",
    )

    periods = [(y, *_period(y)) for y in df["year_raw"].unique()]
    df = df.join(
        pl.DataFrame(periods, schema=["year_raw", "period_start", "year"], orient="row"),
        on="year_raw",
        how="left",
    )
    _fail_rows(
        df, pl.col("year").is_null(), src, "year is not a year or period", "Year", "year_raw"
    )

    is_text = pl.col("value_raw").str.strip_chars().is_in(list(TEXT_VALUES))
    df = (
        df.with_columns(unit_key=pl.col("unit_raw").str.strip_chars().str.to_lowercase())
        .join(
            units.select(unit_key="unit_raw", unit="unit", factor="factor"),
            on="unit_key",
            how="left",
        )
        .with_columns(
            unit=pl.when(pl.col("unit").is_null() & (pl.col("unit_key") == "") & is_text)
            .then(pl.lit("text"))
            .otherwise("unit"),
        )
    )
    _fail_rows(
        df, pl.col("unit").is_null(), src, "unit not in data/seeds/units.csv", "Unit", "unit_raw"
    )

    amount, flag = parse_reported(pl.col("value_raw"))
    df = df.with_columns(
        amount=amount * pl.col("factor"),
        value_flag=pl.when(is_text).then(pl.lit("text")).otherwise(flag),
    )
    _fail_rows(
        df,
        pl.col("value_flag") == "unrecognised",
        src,
        "value is neither a number nor a known flag",
        "Value",
        "value_raw",
    )
    critical = pl.col("is_critical_raw").str.strip_chars().str.to_lowercase()
    _fail_rows(
        df,
        ~critical.is_in(["yes", "no", ""]),
        src,
        "critical-mineral flag is not Yes, No or blank",
        "Is critical mineral 2025",
        "is_critical_raw",
    )

    df = df.with_columns(country_clean=pl.col("country_raw").map_elements(_clean, pl.String))
    df = conform_countries(
        df, "country_clean", country_lookup, source=src, file_column="source_file"
    )
    return df.select(
        source=pl.lit(src),
        edition="edition",
        commodity="commodity",
        subject=pl.col("subject_raw").str.strip_chars(),
        statistic="statistic",
        product="product",
        statistic_detail=pl.col("detail_raw").map_elements(_clean, pl.String),
        country_iso3="iso3",
        country="country_clean",
        period_start="period_start",
        year="year",
        is_estimate=pl.col("notes")
        .str.strip_chars()
        .str.to_lowercase()
        .str.starts_with("estimated"),
        amount="amount",
        unit="unit",
        value_flag="value_flag",
        value_raw="value_raw",
        unit_raw="unit_raw",
        is_critical_2025=pl.when(critical != "").then(critical == "yes"),
        notes="notes",
        source_file="source_file",
        source_row="source_row",
        unit_basis=unit_basis(),
        data_note=pl.col("data_note").fill_null("").map_elements(_clean, pl.String),
    ).cast(COLUMNS)
