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
    graphite_codes = codes.filter(pl.col("measure_id") == "CN-2023-39")
    hs92 = graphite_codes.filter(pl.col("nomenclature") == "HS92")
    assert set(hs92["hs6"]) == {"250410", "250490"}
    # the announced codes measure the HS2017 extract and the monthly HS2017/HS2022 series
    for nomenclature in ("HS17", "HS22"):
        announced = graphite_codes.filter(pl.col("nomenclature") == nomenclature)
        assert set(announced["hs6"]) == set(graphite["hs6_announced"])
    assert codes.filter(pl.col("measure_id") == "CN-2023-TECH").height == 0


def test_the_2025_2026_measures_and_their_status():
    measures, codes = conform_export_controls(load_seed("export_controls"), TRADE_CODES)
    by_id = {r["measure_id"]: r for r in measures.iter_rows(named=True)}
    # the October 2025 measures are suspended by No. 70 (a suspension, itself in force) ...
    for measure in ("CN-2025-57", "CN-2025-58", "CN-2025-61", "CN-2025-62"):
        row = by_id[measure]
        assert (row["status"], str(row["status_changed"])) == ("suspended", "2025-11-07")
    suspension = by_id["CN-2025-70"]
    assert (suspension["kind"], suspension["status"]) == ("suspension", "in_force")
    # ... the April 2025 one is not; the Japan measure targets Japan from 2026-01-06
    assert by_id["CN-2025-18"]["status"] == "in_force"
    japan = by_id["CN-2026-01"]
    assert (japan["target_iso3"], str(japan["effective"]), japan["kind"]) == (
        "JPN",
        "2026-01-06",
        "control",
    )
    assert codes.filter(pl.col("measure_id").is_in(["CN-2025-70", "CN-2026-01"])).height == 0
    assert all(r["source_document"] and r["source_url"] for r in by_id.values())


def test_unknown_kind_names_the_row():
    seed = load_seed("export_controls").with_columns(
        kind=pl.when(pl.col("measure_id") == "CN-2025-70").then(pl.lit("pause")).otherwise("kind")
    )
    with pytest.raises(SourceDataError, match=r"field 'kind'.*'pause'"):
        conform_export_controls(seed, TRADE_CODES)


def shared(codes, measure_id, nomenclature):
    rows = codes.filter(pl.col("measure_id") == measure_id, pl.col("nomenclature") == nomenclature)
    return dict(rows.select("hs6", "is_shared").iter_rows())


def test_shared_codes_are_flagged_per_measure():
    _, codes = conform_export_controls(load_seed("export_controls"), TRADE_CODES)
    # light and heavy rare earths share 280530 and 284690: both heavy-rare-earth measures say so
    for measure in ("CN-2025-18", "CN-2025-57"):
        assert shared(codes, measure, "HS92") == {"280530": True, "284690": True}
    assert shared(codes, "CN-2023-23", "HS17")["811292"] is True  # Ga/Ge/In/Nb/V/Hf basket
    assert shared(codes, "CN-2023-23", "HS92") == {"811230": False}  # germanium only
    assert not any(shared(codes, "CN-2024-33", "HS17").values())  # antimony codes are its own


def test_shared_code_the_measure_does_not_name_is_an_error():
    seed = load_seed("export_controls").with_columns(
        # planted: a shared code on the antimony measure (file line 5) that it does not list
        shared_hs6=pl.when(pl.col("measure_id") == "CN-2024-33")
        .then(pl.lit("850511"))
        .otherwise(pl.col("shared_hs6"))
    )
    with pytest.raises(SourceDataError, match=r"row 5, field 'shared_hs6'.*850511"):
        conform_export_controls(seed, TRADE_CODES)


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
