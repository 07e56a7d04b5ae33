"""Reviewed seed tables in data/seeds/ (mappings people check, not code)."""

from functools import cache

import polars as pl

from pipelines.lib.paths import SEEDS_DIR


@cache
def load_seed(name: str) -> pl.DataFrame:
    """A seed CSV, every column a string (empty cells ""), so "NA" stays Namibia's code."""
    df = pl.read_csv(SEEDS_DIR / f"{name}.csv", infer_schema=False, null_values=[])
    return df.with_columns(pl.all().fill_null(""))


def units() -> pl.DataFrame:
    return load_seed("units").with_columns(pl.col("factor").cast(pl.Float64))


# Contract column types -> Polars dtypes, for seeds published as tables.
_SEED_TYPES = {
    None: pl.String,
    "VARCHAR": pl.String,
    "INTEGER": pl.Int32,
    "BIGINT": pl.Int64,
    "DOUBLE": pl.Float64,
    "BOOLEAN": pl.Boolean,
}


def typed_seed(name: str, types: dict[str, str | None]) -> pl.DataFrame:
    """A seed with exactly the columns `types` names, in that order; typed columns cast (an
    empty cell is null; BOOLEAN cells are true or false, anything else an error), text columns
    kept as written ("" stays "")."""
    seed = load_seed(name)
    missing = [c for c in types if c not in seed.columns]
    if missing:
        raise ValueError(f"data/seeds/{name}.csv has no column(s) {missing}")

    def typed(c: str, t: str | None) -> pl.Expr:
        if _SEED_TYPES[t] == pl.String:
            return pl.col(c)
        if _SEED_TYPES[t] == pl.Boolean:  # Polars does not cast text to booleans
            return pl.col(c).replace_strict({"true": True, "false": False, "": None}).alias(c)
        return (
            pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).cast(_SEED_TYPES[t]).alias(c)
        )

    return seed.select(typed(c, t) for c, t in types.items())


def country_codes(source: str, kind: str) -> dict[str, str]:
    """Reviewed source codes that are not plain ISO 3166 (data/seeds/country_codes.csv): code ->
    iso3 for `kind` iso3 (S19 -> TWN), historical (kept under their own code) or aggregate
    (not one country: iso3 empty)."""
    seed = load_seed("country_codes")
    rows = seed.filter((pl.col("source") == source) & (pl.col("kind") == kind))
    return dict(rows.select("code", "iso3").iter_rows())
