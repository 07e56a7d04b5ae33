"""CEPII BACI bilateral trade (HS92 extract) -> staging.trade_flows. Pure Polars, no Dagster."""

from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError

SOURCE = "baci"
NOMENCLATURE = "HS92"

# BACI codes that are not in ISO 3166 (staging.dim_country), each decided explicitly:
# - S19 (BACI 490, "Other Asia, nes") is Taiwan: mapped to TWN, as in every other source.
BACI_TO_ISO3 = {"S19": "TWN"}
# - Historical entities that BACI reports as one economy for the years they existed. They are
#   kept under their own (former ISO / BACI) code rather than split or dropped: ZA1 alone is
#   about USD 18 bn of exports 1995-1999 (South Africa's PGM, manganese, chromium), and
#   dropping it would misstate every importer's supplier shares for those years.
BACI_HISTORICAL = {
    "ZA1": "Southern African Customs Union (BACI 711, up to 1999)",
    "SCG": "Serbia and Montenegro (BACI 891, up to 2005)",
    "ANT": "Netherlands Antilles (BACI 530, up to 2010)",
    "PUS": "US Misc. Pacific Islands (BACI 849, up to 1999)",
}

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


def read_baci_extract(path: Path | str) -> pl.LazyFrame:
    """The bundled BACI extract (year, hs92_6, exporter/importer baci+iso3, value_kusd, qty_t)."""
    return pl.scan_parquet(path)


def conform_baci(
    lf: pl.LazyFrame | pl.DataFrame,
    hs_map: pl.DataFrame,
    known_iso3: set[str] | list[str],
    *,
    file: str = "baci_hs92_critical_1995_2024.parquet",
) -> pl.DataFrame:
    """BACI rows -> staging.trade_flows columns (USD, tonnes, ISO3, commodity and stage).

    Rows whose HS6 maps to stage `exclude` are dropped (`summarise` counts what happened).

    Raises SourceDataError for an HS6 code missing from the seed or a country code that is
    neither ISO3 (`known_iso3`), Taiwan's S19 nor a listed historical entity.
    """
    lf = lf.lazy()
    raw = lf.select(
        pl.col("year").cast(pl.Int32),
        pl.col("hs92_6").cast(pl.String).str.zfill(6).alias("hs6"),
        pl.col("exporter_iso3").cast(pl.String),
        pl.col("importer_iso3").cast(pl.String),
        pl.col("value_kusd").cast(pl.Float64),
        pl.col("qty_t").cast(pl.Float64),
    ).collect()

    hs = hs_map.filter(pl.col("nomenclature") == NOMENCLATURE).select(
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
            field="hs92_6",
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
            pl.lit(NOMENCLATURE).alias("nomenclature"),
            pl.col("exporter_iso3").replace(BACI_TO_ISO3),
            pl.col("importer_iso3").replace(BACI_TO_ISO3),
            (pl.col("value_kusd") * 1000).alias("value_usd"),  # BACI v is thousand USD
            pl.col("qty_t").alias("quantity_t"),  # null stays null: never zero
        )
        .select([pl.col(c).cast(t) for c, t in TRADE_FLOWS_SCHEMA.items()])
        .sort("year", "hs6", "exporter_iso3", "importer_iso3")
    )


def summarise(raw: pl.DataFrame, flows: pl.DataFrame, hs_map: pl.DataFrame) -> dict[str, int]:
    """Counts for asset metadata: rows in/out, excluded, Taiwan renamed, missing quantity."""
    excluded_codes = hs_map.filter(pl.col("stage") == "exclude")["hs6"].to_list()
    taiwan = list(BACI_TO_ISO3)
    return {
        "raw_rows": raw.height,
        "rows": flows.height,
        "excluded_rows": raw.filter(pl.col("hs92_6").is_in(excluded_codes)).height,
        "taiwan_s19_rows": raw.filter(
            pl.col("exporter_iso3").is_in(taiwan) | pl.col("importer_iso3").is_in(taiwan)
        ).height,
        "historical_entity_rows": flows.filter(
            pl.col("exporter_iso3").is_in(list(BACI_HISTORICAL))
            | pl.col("importer_iso3").is_in(list(BACI_HISTORICAL))
        ).height,
        "missing_quantity_rows": flows["quantity_t"].null_count(),
    }


def eu_membership(seed: pl.DataFrame) -> pl.DataFrame:
    """The seed typed: iso3, joined (year), left (year or null: member for years < left)."""
    return seed.select(
        "iso3",
        pl.col("joined").cast(pl.Int32),
        pl.when(pl.col("left") == "")
        .then(None)
        .otherwise(pl.col("left"))
        .cast(pl.Int32)
        .alias("left"),
        *([pl.col("note")] if "note" in seed.columns else []),
    )


def release_to_extract(filtered: pl.LazyFrame, country_codes: pl.DataFrame) -> pl.LazyFrame:
    """Rows filtered out of a BACI release (year, hs6, exporter/importer_code, value_kusd,
    quantity_t) -> the bundled extract's shape, numeric codes mapped through BACI's own table
    (`country_code, country_iso3`; Taiwan is `S19` there, as in the extract)."""
    codes = country_codes.select(
        code=pl.col("country_code").cast(pl.Int64), iso3=pl.col("country_iso3")
    )
    return (
        filtered.join(
            codes.lazy().rename({"code": "exporter_code", "iso3": "exporter_iso3"}),
            on="exporter_code",
            how="left",
        )
        .join(
            codes.lazy().rename({"code": "importer_code", "iso3": "importer_iso3"}),
            on="importer_code",
            how="left",
        )
        .select(
            year=pl.col("year").cast(pl.Int64),
            hs92_6=pl.col("hs6"),
            exporter_baci=pl.col("exporter_code").cast(pl.Int64),
            importer_baci=pl.col("importer_code").cast(pl.Int64),
            exporter_iso3="exporter_iso3",
            importer_iso3="importer_iso3",
            value_kusd="value_kusd",
            qty_t="quantity_t",
        )
    )
