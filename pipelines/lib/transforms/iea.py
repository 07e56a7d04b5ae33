"""IEA Critical Minerals Data Explorer: supply by country, mining and refining, in kt.

Two editions, two shapes: the May 2024 workbook (sheet "2 Total supply for key minerals", side
by side blocks titled "<Mineral> - <Stage>", base year 2023) and a JSON conversion of the 2025
edition (base year 2024). Years after the base year are projections. Both name only the top
producers; "Rest of world", "Total" and "Top 3 share" are kept as aggregate rows.
"""

import json
import re
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError, reading

RAW_SCHEMA = {
    "edition": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
    "mineral_label": pl.String,
    "stage_label": pl.String,
    "country_raw": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "is_projection": pl.Boolean,
}
SUPPLY_SHEET = "2 Total supply for key minerals"
EDITION_2024 = "IEA CMDE 2024"
EDITION_2025 = "IEA CMDE 2025"

# IEA mineral and stage labels -> canonical (commodity, stage)
MINERALS = {
    "copper": "copper",
    "cobalt": "cobalt",
    "lithium": "lithium",
    "nickel": "nickel",
    "graphite": "graphite",
    "magnet rare earth elements": "rare_earths",
    "rare earth elements": "rare_earths",
}
STAGES = {
    "mining": "mining",
    "mining (natural)": "mining",
    "refining": "refining",
    "chemicals": "refining",  # lithium chemicals
    "battery grade": "refining",  # battery-grade graphite
}
MEASURES = {
    "rare_earths": "magnet rare earth elements (nd, pr, dy, tb), kt",
    "lithium": "lithium content, kt",
    "graphite": "graphite, kt",
}
_TITLE = re.compile(r"^(?P<mineral>.+?)\s+-\s+(?P<stage>.+)$")


def read_workbook(path: Path) -> pl.DataFrame:
    """Sheet 2 of the May 2024 workbook, every block, every row, as published."""
    import openpyxl  # imported here: only the IEA asset pays for it

    with reading("iea", path.name):  # an HTML page or a cut download is not a zip
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        if SUPPLY_SHEET not in book.sheetnames:
            raise SourceDataError("iea", path.name, f"sheet {SUPPLY_SHEET!r} not found")
        rows = list(book[SUPPLY_SHEET].iter_rows(values_only=True))
        book.close()
    year_row = next((r for r in rows if sum(isinstance(c, int) for c in r) >= 4), None)
    if year_row is None:
        raise SourceDataError("iea", path.name, "no header row of years in the supply sheet")
    base_year = min(c for c in year_row if isinstance(c, int))
    records = []
    for start in (
        i
        for i, c in enumerate(year_row)
        if isinstance(c, int) and (i == 0 or not isinstance(year_row[i - 1], int))
    ):
        label_col = start - 1
        years = []
        for c in year_row[start:]:
            if not isinstance(c, int):
                break
            years.append(c)
        block = None  # (mineral, stage) of the block being read; a new title starts the next
        for line, row in enumerate(rows, start=1):
            label = row[label_col] if label_col < len(row) else None
            values = [row[start + k] if start + k < len(row) else None for k in range(len(years))]
            if all(v is None for v in values):
                if isinstance(label, str) and (m := _TITLE.match(label.strip())):
                    block = (m["mineral"], m["stage"])
                continue  # a title, a blank row or the notes under the table
            if block is None or label is None:
                continue
            for year, value in zip(years, values, strict=True):
                if value is None:
                    continue
                if not isinstance(value, int | float):
                    raise SourceDataError(
                        "iea",
                        path.name,
                        "value is not a number",
                        rows=[line],
                        field=str(year),
                        values=[str(value)],
                    )
                records.append(
                    {
                        "edition": EDITION_2024,
                        "source_file": path.name,
                        "source_row": line,
                        "mineral_label": block[0],
                        "stage_label": block[1],
                        "country_raw": str(label).strip(),
                        "year": year,
                        "value": float(value),
                        "is_projection": year > base_year,
                    }
                )
    if not records:
        raise SourceDataError("iea", path.name, "no supply blocks found")
    return pl.DataFrame(records, schema=RAW_SCHEMA)


def read_json_2025(path: Path) -> pl.DataFrame:
    """The 2025-edition JSON: supply[mineral][stage] = {countries, total, top3Share}."""
    with reading("iea", path.name):
        data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "supply" not in data:
        raise SourceDataError("iea", path.name, "no 'supply' object", field="supply")
    with reading("iea", path.name):  # a block without countries or total, a year not a number
        return pl.DataFrame(_json_records(path.name, data["supply"]), schema=RAW_SCHEMA)


def _json_records(file: str, supply: dict) -> list[dict]:
    records = []
    for mineral, stages in supply.items():
        for stage, block in stages.items():
            years = sorted({int(y) for c in block["countries"].values() for y in c})
            base_year = years[0]
            series = dict(block["countries"])
            series["Total"] = block["total"]
            series["Top 3 share"] = block.get("top3Share", {})
            for position, (country, by_year) in enumerate(series.items(), start=1):
                for year, value in by_year.items():
                    if value is None:  # the conversion writes null where IEA shows no figure
                        continue
                    records.append(
                        {
                            "edition": EDITION_2025,
                            "source_file": file,
                            "source_row": position,  # order of the rows within the block
                            "mineral_label": mineral,
                            "stage_label": stage,
                            "country_raw": country,
                            "year": int(year),
                            "value": float(value),
                            "is_projection": int(year) > base_year,
                        }
                    )
    return records


def canonical_labels(raw: pl.DataFrame) -> pl.DataFrame:
    """Add commodity and stage; a label outside the maps is an error naming it."""
    df = raw.with_columns(
        commodity=pl.col("mineral_label")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(MINERALS, default=None),
        stage=pl.col("stage_label")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(STAGES, default=None),
    )
    bad = df.filter(pl.col("commodity").is_null() | pl.col("stage").is_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceDataError(
            "iea",
            first["source_file"],
            "unknown mineral or stage label",
            rows=[first["source_row"]] if first["source_row"] else None,
            field="mineral - stage",
            values=[f"{first['mineral_label']} - {first['stage_label']}"],
        )
    return df
