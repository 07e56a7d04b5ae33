"""IEA readers on the real files, with planted defects (each commented)."""

import json

import openpyxl
import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.transforms import iea

WORKBOOK = SNAPSHOT_DIR / "iea/CM_Data_Explorer_May2024.xlsx"
JSON_2025 = SNAPSHOT_DIR / "iea/iea_cm_data_explorer_2025ed_derived.json"


def test_workbook_blocks_read_as_published():
    raw = iea.read_workbook(WORKBOOK)
    cobalt = raw.filter(
        pl.col("mineral_label") == "Cobalt",
        pl.col("stage_label") == "Refining",
        pl.col("year") == 2023,
    )
    got = dict(zip(cobalt["country_raw"], cobalt["value"], strict=True))
    # sheet "2 Total supply for key minerals", right-hand block, column 2023
    assert got["China"] == 171.7 and got["Total clean technologies"] == 223.8
    assert got["Top 3 share"] == pytest.approx(0.8820375335120644)
    assert not cobalt["is_projection"].any()
    assert raw.filter(pl.col("year") == 2030)["is_projection"].all()
    labelled = iea.canonical_labels(raw)
    # "Chemicals" (lithium) and "Battery grade" (graphite) are refining
    assert set(
        labelled.filter(pl.col("stage_label").is_in(["Chemicals", "Battery grade"]))["stage"]
    ) == {"refining"}


def test_workbook_text_in_a_number_cell_names_row_and_year(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = iea.SUPPLY_SHEET
    sheet.append([None, 2023, 2030, 2035, 2040])
    sheet.append(["Cobalt - Mining", None, None, None, None])
    sheet.append(["China", 10.0, 11.0, 12.0, 13.0])
    sheet.append(["Russia", "n/a", 1.0, 1.0, 1.0])  # planted: text where a number belongs
    path = tmp_path / "planted.xlsx"
    book.save(path)
    with pytest.raises(SourceDataError, match=r"planted.xlsx, row 4, field '2023'.*'n/a'"):
        iea.read_workbook(path)


def test_json_nulls_are_skipped_and_unknown_labels_fail(tmp_path):
    data = json.loads(JSON_2025.read_text())
    # planted: a null figure (the conversion writes null where IEA shows none)
    data["supply"]["Cobalt"]["refining"]["countries"]["China"]["2024"] = None
    # planted: a stage label the map does not know
    data["supply"]["Nickel"]["smelting"] = data["supply"]["Nickel"]["refining"]
    path = tmp_path / "planted.json"
    path.write_text(json.dumps(data))
    raw = iea.read_json_2025(path)
    china = raw.filter(
        pl.col("mineral_label") == "Cobalt",
        pl.col("stage_label") == "refining",
        pl.col("country_raw") == "China",
    )
    assert 2024 not in set(china["year"])  # skipped, never 0
    with pytest.raises(SourceDataError, match="Nickel - smelting"):
        iea.canonical_labels(raw)
