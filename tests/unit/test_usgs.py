"""USGS parsers and conform step on tiny real excerpts, with planted defects (each commented)."""

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.transforms import countries, production, usgs

FIXTURES = Path(__file__).parents[1] / "fixtures" / "usgs"


@pytest.fixture(scope="module")
def lookup():
    ref = countries.load_reference(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv"
    )
    return countries.build_lookup(ref, load_seed("country_aliases"))


def conform(raw, lookup):
    return production.conform_usgs(
        raw,
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_series_rules"),
        units=units(),
        country_lookup=lookup,
    )


def copy_fixture(tmp_path, name, edition_dir):
    target = tmp_path / edition_dir / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    return target


def test_mcs2024_glued_estimate_marker_and_world_total(tmp_path, lookup):
    path = copy_fixture(tmp_path, "mcs2024-perli_world.csv", "2024")
    df = conform(usgs.read_usgs_files([path]), lookup)
    china = df.filter(pl.col("iso3") == "CHN", pl.col("year") == 2023).row(0, named=True)
    # "Chinae": the glued e marks an estimate; kt converted to t
    assert china["amount"] == 1_500_000 and china["is_estimate"]
    assert china["commodity"] == "perlite" and china["stage"] == "mining"
    # "Other countriese" and "World total (rounded)" are aggregates, not countries
    aggregates = set(df.filter(pl.col("aggregate").is_not_null())["aggregate"])
    assert aggregates == {"other_countries", "world_total"}
    assert df.filter(pl.col("aggregate").is_null())["iso3"].null_count() == 0


def test_mcs2025_stray_space_column_and_units(tmp_path, lookup):
    path = copy_fixture(tmp_path, "MCS2025_World_Data.csv", "2025")
    raw = usgs.read_usgs_files([path])
    # `PROD_EST_ 2024` (stray space) is read as an estimated 2024 column
    assert set(raw["year"]) == {2023, 2024}
    assert raw.filter(pl.col("year") == 2024)["is_estimate"].all()
    df = conform(raw, lookup)
    row = df.filter(pl.col("iso3") == "CHN", pl.col("year") == 2024).row(0, named=True)
    assert (row["amount"], row["unit"], row["commodity"]) == (270_000, "t", "rare_earths")
    # "Canada " (trailing space) resolves, and its blank production stays missing, not 0
    canada = df.filter(pl.col("iso3") == "CAN", pl.col("year") == 2023).row(0, named=True)
    assert canada["amount"] is None and canada["value_flag"] == "missing"


def test_mcs2026_cp1252_em_dash_is_none(tmp_path, lookup):
    path = copy_fixture(tmp_path, "MCS2026_Commodities_Data.csv", "2026")
    assert b"\x97" in path.read_bytes()  # the real file's em dash byte
    df = conform(usgs.read_usgs_files([path]), lookup)
    canada = df.filter(pl.col("iso3") == "CAN", pl.col("year") == 2025).row(0, named=True)
    assert canada["amount"] == 0.0 and canada["value_flag"] == "none"
    us = df.filter(pl.col("iso3") == "USA", pl.col("year") == 2024).row(0, named=True)
    assert us["amount"] == 45_500 and not us["is_estimate"]  # "Reported." in Notes


def test_unmapped_country_names_the_name_and_file(tmp_path, lookup):
    path = copy_fixture(tmp_path, "mcs2024-perli_world.csv", "2024")
    # planted: a country spelling no seed knows
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace("Greecee", "Atlantis"), encoding="utf-8"
    )
    with pytest.raises(SourceDataError, match=r"Atlantis.*2024/mcs2024-perli_world\.csv"):
        conform(usgs.read_usgs_files([path]), lookup)


def test_unrecognised_value_names_file_row_and_field(tmp_path, lookup):
    path = copy_fixture(tmp_path, "mcs2024-perli_world.csv", "2024")
    # planted: a word where a number belongs, in data row 3 (file line 4, Greece)
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace(",1100,1100,", ",lots,1100,"), encoding="utf-8"
    )
    with pytest.raises(SourceDataError) as err:
        conform(usgs.read_usgs_files([path]), lookup)
    message = str(err.value)
    assert "mcs2024-perli_world.csv" in message and "row 4" in message
    assert "'value'" in message and "'lots'" in message


def test_unknown_measure_fails_rather_than_guessing(tmp_path, lookup):
    path = copy_fixture(tmp_path, "mcs2024-perli_world.csv", "2024")
    # planted: a Type no rule in usgs_series_rules.csv covers
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace(
            "Mine production, perlite", "Stockpile releases"
        ),
        encoding="utf-8",
    )
    with pytest.raises(SourceDataError, match="matches no rule"):
        conform(usgs.read_usgs_files([path]), lookup)


def test_whole_snapshot_conforms_with_unique_keys(lookup):
    df = conform(usgs.read_usgs_files(usgs.snapshot_files(SNAPSHOT_DIR / "usgs_mcs")), lookup)
    assert production.duplicate_keys(df).height == 0
    assert set(df["edition"]) == {"MCS2022", "MCS2023", "MCS2024", "MCS2025", "MCS2026"}
    # withheld values are flagged and never become numbers
    assert (
        df.filter(pl.col("value_flag") == "withheld")["amount"].null_count()
        == df.filter(pl.col("value_flag") == "withheld").height
        > 0
    )


def test_latest_edition_is_chosen_per_series():
    df = pl.DataFrame(
        {
            "source": ["usgs_mcs"] * 3,
            "commodity": ["x"] * 3,
            "stage": ["mining"] * 3,
            "year": [2023, 2023, 2022],
            "edition": ["MCS2024", "MCS2025", "MCS2024"],
        }
    )
    marked = production.mark_latest_edition(df)
    assert marked["is_latest_edition"].to_list() == [False, True, True]
