"""The curated export-control events seed, checked and split into measures and HS codes."""

import re

import polars as pl

from pipelines.lib.errors import SourceDataError

STATUSES = {"in_force", "suspended", "lifted"}
KINDS = {"control", "suspension"}
SEED = "export_controls.csv"


def conform_export_controls(
    seed: pl.DataFrame, hs92_known: set[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(measures, codes): one row per measure; one row per (measure, nomenclature, hs6).

    Codes come in every nomenclature the warehouse has: HS92 from `hs92_in_trade_data` (the
    annual BACI HS92 series), HS17 and HS22 from `hs6_announced` (the six-digit codes of the
    announcements, the same in HS2017 and HS2022 for these measures: BACI's HS2017 extract and
    China's monthly declarations). `is_shared` is true for a code listed in `shared_hs6`: it
    mixes the controlled items with others (280530 light and heavy rare earths, the 811292
    basket), so figures on it are upper bounds.

    Fails on a bad date, an unknown status or kind (a control, or the suspension of others), a
    malformed HS code, an HS92 code that the trade map (staging.dim_hs_mineral) does not know
    (exposure would silently be zero), or a shared code the measure does not name.
    """
    rows = seed.with_row_index("source_row", offset=2)
    for column in ("announced", "effective", "status_changed", "checked_on"):
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
    bad = rows.filter(~pl.col("kind").is_in(KINDS))
    if bad.height:
        raise SourceDataError(
            "seeds",
            SEED,
            f"kind must be one of {sorted(KINDS)}",
            rows=bad["source_row"].to_list(),
            field="kind",
            values=bad["kind"].to_list(),
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
        "kind",
        pl.col("checked_url").replace("", None),
        pl.col("checked_on").replace("", None).str.to_date("%Y-%m-%d"),
    )

    def split(column: str) -> pl.Expr:
        return pl.col(column).str.split(";").list.eval(pl.element().filter(pl.element() != ""))

    codes = (
        rows.select(
            "measure_id",
            HS92=split("hs92_in_trade_data"),
            HS17=split("hs6_announced"),
            HS22=split("hs6_announced"),
            shared=split("shared_hs6"),
        )
        .unpivot(
            ["HS92", "HS17", "HS22"], index=["measure_id", "shared"], variable_name="nomenclature"
        )
        .explode("value")
        .drop_nulls("value")
        .rename({"value": "hs6"})
    )
    malformed = sorted({c for c in codes["hs6"] if not re.fullmatch(r"\d{6}", c)})
    hs92 = codes.filter(pl.col("nomenclature") == "HS92")
    unknown = sorted(set(hs92["hs6"]) - hs92_known - set(malformed))
    if malformed or unknown:
        raise SourceDataError(
            "seeds",
            SEED,
            "HS codes malformed, or HS92 codes not in data/seeds/hs_mineral.csv",
            field="hs92_in_trade_data" if unknown else "hs6_announced",
            values=malformed + unknown,
        )
    stray = rows.select(
        "source_row",
        stray=split("shared_hs6").list.set_difference(
            pl.concat_list(split("hs6_announced"), split("hs92_in_trade_data"))
        ),
    ).filter(pl.col("stray").list.len() > 0)
    if stray.height:
        raise SourceDataError(
            "seeds",
            SEED,
            "shared code not among the measure's codes",
            rows=stray["source_row"].to_list(),
            field="shared_hs6",
            values=[c for cs in stray["stray"].to_list() for c in cs],
        )
    codes = codes.with_columns(is_shared=pl.col("hs6").is_in(pl.col("shared")).fill_null(False))
    return measures, codes.select("measure_id", "nomenclature", "hs6", "is_shared").sort(
        "measure_id", "nomenclature", "hs6"
    )
