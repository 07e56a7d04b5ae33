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
