"""The curated export-control events seed, checked and split into measures and HS codes."""

import re

import polars as pl

from pipelines.lib.errors import SourceDataError

STATUSES = {"in_force", "suspended", "lifted"}
SEED = "export_controls.csv"


def conform_export_controls(
    seed: pl.DataFrame, hs92_known: set[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(measures, codes): one row per measure; one row per (measure, HS92 code in trade data).

    Fails on a bad date, an unknown status, a malformed HS code, or an HS92 code that the trade
    map (staging.dim_hs_mineral) does not know: exposure would silently be zero.
    """
    rows = seed.with_row_index("source_row", offset=2)
    for column in ("announced", "effective", "status_changed"):
        bad = rows.filter(
            (pl.col(column) != "") & pl.col(column).str.to_date("%Y-%m-%d", strict=False).is_null()
        )
        if bad.height:
            raise SourceDataError(
                "seeds",
                SEED,
                "not a YYYY-MM-DD date",
                rows=bad["source_row"].to_list(),
                field=column,
                values=bad[column].to_list(),
            )
    bad = rows.filter(~pl.col("status").is_in(STATUSES))
    if bad.height:
        raise SourceDataError(
            "seeds",
            SEED,
            f"status must be one of {sorted(STATUSES)}",
            rows=bad["source_row"].to_list(),
            field="status",
            values=bad["status"].to_list(),
        )
    measures = rows.select(
        "measure_id",
        "country_iso3",
        "measure",
        pl.col("commodities").str.split(";").alias("commodities"),
        pl.col("hs6_announced")
        .str.split(";")
        .list.eval(pl.element().filter(pl.element() != ""))
        .alias("hs6_announced"),
        pl.col("announced").str.to_date("%Y-%m-%d"),
        pl.col("effective").str.to_date("%Y-%m-%d"),
        "status",
        pl.col("status_changed").replace("", None).str.to_date("%Y-%m-%d"),
        pl.col("target_iso3").replace("", None),
        "source_document",
        "source_url",
        "note",
    )
    codes = (
        rows.select("source_row", "measure_id", hs6=pl.col("hs92_in_trade_data").str.split(";"))
        .explode("hs6")
        .filter(pl.col("hs6") != "")
    )
    malformed = [c for c in codes["hs6"] if not re.fullmatch(r"\d{6}", c)]
    unknown = sorted(set(codes["hs6"]) - hs92_known - set(malformed))
    if malformed or unknown:
        raise SourceDataError(
            "seeds",
            SEED,
            "HS92 codes malformed or not in data/seeds/hs_mineral.csv",
            field="hs92_in_trade_data",
            values=malformed + unknown,
        )
    return measures, codes.drop("source_row")
