"""CEPII BACI bilateral trade (HS92 extract + HS17 2022/2024) -> staging.trade_flows. Pure Polars.

Two BACI nomenclatures feed staging.trade_flows (the `nomenclature` column tells them apart):
- HS92, 1995-2024: every series the HS92 extract's 48 codes can carry.
- HS17, 2022 and 2024 only: codes the HS92 extract lacks (permanent magnets 850511, copper
  cathodes 740311, unwrought nickel 750210, antimony 811010, the 811292 basket, ...).

Rule against double counting and series breaks: an HS17 code is used only when its
(commodity, stage) has no HS92 code in data/seeds/hs_mineral.csv. HS17 codes identical to an HS92
code, or whose (commodity, stage) HS92 already covers (e.g. 810194 unwrought tungsten: tungsten
refining is HS92 810110), are mapped to stage `exclude` in the seed. Otherwise 2022 and 2024 would
sum two nomenclatures for the same flow (double count) or switch code sets mid-series (a break).
So every (commodity, stage) series comes from exactly one nomenclature: `check_series_rule`
enforces it and `combine_nomenclatures` refuses a flow key present in both.
"""

import re
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.inputs import check_csv
from pipelines.lib.seeds import country_codes

SOURCE = "baci"
NOMENCLATURE = "HS92"  # the default nomenclature (the 1995-2024 extract)
HS17 = "HS17"
# Raw column that holds the six-digit code, per nomenclature (raw.baci_flows: hs92_6)
HS_COLUMN = {NOMENCLATURE: "hs92_6", HS17: "hs17_6"}
FLOW_KEY = ["year", "hs6", "exporter_iso3", "importer_iso3"]

# BACI codes that are not in ISO 3166 (staging.dim_country), each decided in the reviewed seed
# data/seeds/country_codes.csv: S19 ("Other Asia, nes") is Taiwan, mapped to TWN as in every
# other source; historical entities BACI reports as one economy (ZA1, SCG, ANT, PUS) are kept
# under their own code rather than split or dropped, which would misstate supplier shares.
BACI_TO_ISO3 = country_codes("baci", "iso3")
BACI_HISTORICAL = country_codes("baci", "historical")

TRADE_FLOWS_SCHEMA = {
    "source": pl.String,
    "nomenclature": pl.String,
    "year": pl.Int32,
    "hs6": pl.String,
    "commodity": pl.String,
    "stage": pl.String,
    "exclusivity": pl.String,
    "exporter_iso3": pl.String,
    "importer_iso3": pl.String,
    "value_usd": pl.Float64,
    "quantity_t": pl.Float64,
}


_EXTRACT_COLUMNS = ("year", "hs92_6", "exporter_iso3", "importer_iso3", "value_kusd", "qty_t")


def read_baci_extract(path: Path | str) -> pl.LazyFrame:
    """The bundled BACI extract (year, hs92_6, exporter/importer baci+iso3, value_kusd, qty_t).

    The footer and schema are read now, so a cut or non-Parquet file fails here, naming it.
    """
    with reading(SOURCE, Path(path).name):
        missing = sorted(set(_EXTRACT_COLUMNS) - set(pl.read_parquet_schema(path)))
    if missing:
        raise SourceDataError(SOURCE, Path(path).name, "missing columns", values=missing)
    return pl.scan_parquet(path)


# Raw shape of the HS17 files: the HS92 extract's columns with hs17_6 for hs92_6. The HS17 files
# carry ISO3 only (Taiwan as S19, as in the HS92 extract), so the BACI numeric codes are null.
HS17_RAW_SCHEMA = {
    "year": pl.Int64,
    "hs17_6": pl.String,
    "exporter_baci": pl.Int64,
    "importer_baci": pl.Int64,
    "exporter_iso3": pl.String,
    "importer_iso3": pl.String,
    "value_kusd": pl.Float64,
    "qty_t": pl.Float64,
}


def read_baci_hs17_parquet(path: Path | str) -> pl.DataFrame:
    """BACI HS17 matrix as Parquet (year, exporter, importer, hs6, value_kusd in thousand USD,
    qty_t in tonnes; `trade.parquet` = 2024) -> the raw HS17 shape."""
    with reading(SOURCE, Path(path).name):
        return (
            pl.read_parquet(path)
            .select(
                pl.col("year").cast(pl.Int64),
                pl.col("hs6").cast(pl.String).str.zfill(6).alias("hs17_6"),
                pl.lit(None, pl.Int64).alias("exporter_baci"),
                pl.lit(None, pl.Int64).alias("importer_baci"),
                pl.col("exporter").alias("exporter_iso3"),
                pl.col("importer").alias("importer_iso3"),
                pl.col("value_kusd").cast(pl.Float64),
                pl.col("qty_t").cast(pl.Float64),
            )
            .cast(HS17_RAW_SCHEMA)
        )


def read_baci_hs17_csv(path: Path | str, year: int | None = None) -> pl.DataFrame:
    """BACI HS17 value-only CSV (`i`, `j` ISO3, `cmd` HS6, `value` in USD; the year only in the
    file name, e.g. baci_2022.csv) -> the raw HS17 shape: value / 1000 to BACI's thousand-USD
    convention (conform_baci multiplies back), quantity null (the file has none).

    Raises SourceDataError when the year cannot be read from the name or a value is not a number.
    """
    path = Path(path)
    if year is None:
        found = re.search(r"(?<!\d)(\d{4})(?!\d)", path.stem)
        if not found:
            raise SourceDataError(SOURCE, path.name, "no year in the file name (baci_YYYY.csv)")
        year = int(found.group(1))
    check_csv(SOURCE, path.name, path)
    with reading(SOURCE, path.name):
        df = pl.read_csv(path, infer_schema=False)
    missing = sorted({"i", "j", "cmd", "value"} - set(df.columns))
    if missing:
        raise SourceDataError(SOURCE, path.name, "missing columns", values=missing)
    value = pl.col("value").str.strip_chars().cast(pl.Float64, strict=False)
    bad = df.with_row_index("row").filter(value.is_null())
    if bad.height:
        raise SourceDataError(
            SOURCE,
            path.name,
            "value is not a number",
            rows=[r + 1 for r in bad["row"].head(10).to_list()],
            field="value",
            values=bad["value"].head(10).to_list(),
        )
    return df.select(
        pl.lit(year, pl.Int64).alias("year"),
        pl.col("cmd").str.strip_chars().str.zfill(6).alias("hs17_6"),
        pl.lit(None, pl.Int64).alias("exporter_baci"),
        pl.lit(None, pl.Int64).alias("importer_baci"),
        pl.col("i").alias("exporter_iso3"),
        pl.col("j").alias("importer_iso3"),
        (value / 1000).alias("value_kusd"),  # the file is USD; raw convention is thousand USD
        pl.lit(None, pl.Float64).alias("qty_t"),
    ).cast(HS17_RAW_SCHEMA)


def check_series_rule(hs_map: pl.DataFrame) -> None:
    """The seed's rule against double counting: every (commodity, stage) that reaches the trade
    flows is mapped from one nomenclature only. Raises ValueError naming the offenders."""
    used = hs_map.filter(pl.col("stage") != "exclude")
    mixed = (
        used.group_by("commodity", "stage")
        .agg(pl.col("nomenclature").n_unique().alias("n"), pl.col("hs6").sort().alias("codes"))
        .filter(pl.col("n") > 1)
        .sort("commodity", "stage")
    )
    if mixed.height:
        offenders = [f"{r['commodity']}/{r['stage']} {r['codes']}" for r in mixed.to_dicts()]
        raise ValueError(
            "data/seeds/hs_mineral.csv maps one (commodity, stage) from several nomenclatures "
            f"(double count / series break): {offenders}; set the newer codes to 'exclude'"
        )


def conform_baci(
    lf: pl.LazyFrame | pl.DataFrame,
    hs_map: pl.DataFrame,
    known_iso3: set[str] | list[str],
    *,
    file: str = "baci_hs92_critical_1995_2024.parquet",
    nomenclature: str = NOMENCLATURE,
) -> pl.DataFrame:
    """BACI rows -> staging.trade_flows columns (USD, tonnes, ISO3, commodity and stage).

    `nomenclature` (HS92 or HS17) picks the raw code column (hs92_6 / hs17_6) and the seed rows:
    the HS map is looked up by (nomenclature, hs6). Rows whose HS6 maps to stage `exclude` are
    dropped (`summarise` counts what happened).

    Raises SourceDataError for an HS6 code missing from the seed or a country code that is
    neither ISO3 (`known_iso3`), Taiwan's S19 nor a listed historical entity.
    """
    hs_col = HS_COLUMN[nomenclature]
    lf = lf.lazy()
    raw = lf.select(
        pl.col("year").cast(pl.Int32),
        pl.col(hs_col).cast(pl.String).str.zfill(6).alias("hs6"),
        pl.col("exporter_iso3").cast(pl.String),
        pl.col("importer_iso3").cast(pl.String),
        pl.col("value_kusd").cast(pl.Float64),
        pl.col("qty_t").cast(pl.Float64),
    ).collect()

    hs = hs_map.filter(pl.col("nomenclature") == nomenclature).select(
        "hs6", "commodity", "stage", "exclusivity"
    )
    unknown_hs = sorted(set(raw["hs6"].unique().to_list()) - set(hs["hs6"].to_list()))
    if unknown_hs:
        rows = (
            raw.with_row_index("row")
            .filter(pl.col("hs6").is_in(unknown_hs))["row"]
            .head(10)
            .to_list()
        )
        raise SourceDataError(
            SOURCE,
            file,
            "HS6 code(s) not in data/seeds/hs_mineral.csv; map them (or stage 'exclude')",
            rows=[r + 1 for r in rows],
            field=hs_col,
            values=unknown_hs,
        )

    allowed = set(known_iso3) | set(BACI_TO_ISO3) | set(BACI_HISTORICAL)
    for side in ("exporter_iso3", "importer_iso3"):
        bad = sorted(set(raw[side].drop_nulls().unique().to_list()) - allowed)
        nulls = raw[side].null_count()
        if bad or nulls:
            rows = (
                raw.with_row_index("row")
                .filter(pl.col(side).is_null() | pl.col(side).is_in(bad))["row"]
                .head(10)
                .to_list()
            )
            raise SourceDataError(
                SOURCE,
                file,
                "country code(s) not in staging.dim_country nor a known BACI pseudo code",
                rows=[r + 1 for r in rows],
                field=side,
                values=bad + (["<null>"] if nulls else []),
            )

    return (
        raw.join(hs, on="hs6", how="left")
        .filter(pl.col("stage") != "exclude")
        .with_columns(
            pl.lit(SOURCE).alias("source"),
            pl.lit(nomenclature).alias("nomenclature"),
            pl.col("exporter_iso3").replace(BACI_TO_ISO3),
            pl.col("importer_iso3").replace(BACI_TO_ISO3),
            (pl.col("value_kusd") * 1000).alias("value_usd"),  # BACI v is thousand USD
            pl.col("qty_t").alias("quantity_t"),  # null stays null: never zero
        )
        .select([pl.col(c).cast(t) for c, t in TRADE_FLOWS_SCHEMA.items()])
        .sort("year", "hs6", "exporter_iso3", "importer_iso3")
    )


def combine_nomenclatures(*flows: pl.DataFrame) -> pl.DataFrame:
    """Conformed frames of several nomenclatures -> one, sorted. Raises ValueError when a flow
    key (year, hs6, exporter, importer) appears in more than one: the seed's exclusions
    (`check_series_rule`) must keep an HS17 code out wherever HS92 carries the flow."""
    combined = pl.concat(flows, how="vertical")
    dupes = combined.filter(pl.struct(FLOW_KEY).is_duplicated())
    if dupes.height:
        raise ValueError(
            f"{dupes.height} trade flows appear twice across nomenclatures, e.g. "
            f"{dupes.head(3).select(['nomenclature', *FLOW_KEY]).to_dicts()}"
        )
    return combined.sort("year", "hs6", "exporter_iso3", "importer_iso3", "nomenclature")


def summarise(
    raw: pl.DataFrame,
    flows: pl.DataFrame,
    hs_map: pl.DataFrame,
    *,
    nomenclature: str = NOMENCLATURE,
) -> dict[str, int]:
    """Counts for asset metadata: rows in/out, excluded, Taiwan renamed, missing quantity."""
    excluded_codes = hs_map.filter(
        pl.col("nomenclature") == nomenclature, pl.col("stage") == "exclude"
    )["hs6"].to_list()
    taiwan = list(BACI_TO_ISO3)
    return {
        "raw_rows": raw.height,
        "rows": flows.height,
        "excluded_rows": raw.filter(pl.col(HS_COLUMN[nomenclature]).is_in(excluded_codes)).height,
        "taiwan_s19_rows": raw.filter(
            pl.col("exporter_iso3").is_in(taiwan) | pl.col("importer_iso3").is_in(taiwan)
        ).height,
        "historical_entity_rows": flows.filter(
            pl.col("exporter_iso3").is_in(list(BACI_HISTORICAL))
            | pl.col("importer_iso3").is_in(list(BACI_HISTORICAL))
        ).height,
        "missing_quantity_rows": flows["quantity_t"].null_count(),
    }


def with_iso3(flows: pl.LazyFrame, country_codes: pl.DataFrame) -> pl.LazyFrame:
    """Add exporter_iso3 / importer_iso3 to rows keyed by BACI's numeric exporter_code and
    importer_code, through BACI's own table (`country_code, country_iso3`; Taiwan is `S19`)."""
    codes = country_codes.lazy().select(
        code=pl.col("country_code").cast(pl.Int64), iso3=pl.col("country_iso3")
    )
    for side in ("exporter", "importer"):
        flows = flows.with_columns(pl.col(f"{side}_code").cast(pl.Int64)).join(
            codes.rename({"code": f"{side}_code", "iso3": f"{side}_iso3"}),
            on=f"{side}_code",
            how="left",
        )
    return flows


def release_to_extract(filtered: pl.LazyFrame, country_codes: pl.DataFrame) -> pl.LazyFrame:
    """Rows filtered out of a BACI release (year, hs6, exporter/importer_code, value_kusd,
    quantity_t) -> the bundled extract's shape."""
    return with_iso3(filtered, country_codes).select(
        year=pl.col("year").cast(pl.Int64),
        hs92_6=pl.col("hs6"),
        exporter_baci="exporter_code",
        importer_baci="importer_code",
        exporter_iso3="exporter_iso3",
        importer_iso3="importer_iso3",
        value_kusd="value_kusd",
        qty_t="quantity_t",
    )
