"""The export-control seed: dates, statuses and HS codes checked before anything joins them."""

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms.export_controls import conform_export_controls

TRADE_CODES = set(load_seed("hs_mineral")["hs6"])


def test_seed_conforms_and_every_trade_code_is_mapped():
    measures, codes = conform_export_controls(load_seed("export_controls"), TRADE_CODES)
    assert measures["measure_id"].is_unique().all()
    graphite = measures.filter(pl.col("measure_id") == "CN-2023-39").row(0, named=True)
    assert str(graphite["effective"]) == "2023-12-01" and graphite["status"] == "in_force"
    us_ban = measures.filter(pl.col("measure_id") == "CN-2024-46").row(0, named=True)
    assert us_ban["target_iso3"] == "USA" and us_ban["status"] == "suspended"
    assert set(codes.filter(pl.col("measure_id") == "CN-2023-39")["hs6"]) == {"250410", "250490"}


def test_bad_date_names_the_row_and_field():
    seed = load_seed("export_controls").with_columns(
        # planted: a day-first date in the third measure (file line 4)
        effective=pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("21/12/2023"))
        .otherwise(pl.col("effective"))
    )
    with pytest.raises(SourceDataError, match=r"row 4, field 'effective'.*21/12/2023"):
        conform_export_controls(seed, TRADE_CODES)


def test_hs_code_missing_from_the_trade_map_is_an_error():
    # planted: a code the HS->mineral seed does not know would silently cover nothing
    with pytest.raises(SourceDataError, match="250490"):
        conform_export_controls(load_seed("export_controls"), TRADE_CODES - {"250490"})
