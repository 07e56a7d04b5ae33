"""USGS Mineral Commodity Summaries: every edition read as published, into one long raw shape.

Raw long shape (one row per published production cell, strings untouched):
    edition, source_file, source_row, chapter_label, country_raw, measure_raw, unit_raw,
    year, is_estimate, value_raw, notes

Editions differ: MCS2022-2024 ship one wide CSV per chapter (`Prod_t_2021`, `Prod_kt_est_2023`,
unit in the column name, sometimes no `Type` header); MCS2025 one wide CSV for all chapters
(`PROD_EST_ 2024`, a stray space); MCS2026 one long cp1252 CSV for everything.
"""

import re
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.inputs import check_not_utf16, csv_records

RAW_SCHEMA = {
    "edition": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
    "chapter_label": pl.String,
    "country_raw": pl.String,
    "measure_raw": pl.String,
    "unit_raw": pl.String,
    "year": pl.Int32,
    "is_estimate": pl.Boolean,
    "value_raw": pl.String,
    "notes": pl.String,
}

# `Prod_t_2021`, `Prod_kt_est_2023`, `Prod_Sponge_t_Est_2022`, `PROD_EST_ 2024`, `PROD_2023`
_WIDE_PROD = re.compile(
    r"^prod_(?:sponge_)?(?:(?P<unit>[a-z]+)_)?(?P<est>est_ ?)?(?P<year>\d{4})$", re.I
)
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
# Wide columns with a year that are not production: capacity and reserves (`Cap_kt_est_2023`)
_OTHER_YEAR_COLUMN = re.compile(r"^(cap|reserves)_", re.I)
_FILE_CODE = re.compile(r"mcs ?(?P<ed>\d{4})-(?P<code>[a-z-]+)_world\.csv$", re.I)


def source_label(path: Path) -> str:
    """How rows name their file: `<edition year>/<file name>`, wherever the file lies."""
    if path.name == "MCS2025_World_Data.csv":
        return f"2025/{path.name}"
    if path.name == "MCS2026_Commodities_Data.csv":
        return f"2026/{path.name}"
    match = _FILE_CODE.search(path.name)
    return f"{match['ed']}/{path.name}" if match else path.name


def decode(path: Path) -> str:
    """UTF-8 (with or without BOM) when it is; otherwise Windows-1252, as USGS often publishes."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, fields), header = row 1; a file cut short is an error."""
    label = source_label(path)
    check_not_utf16("usgs_mcs", label, path, expected="UTF-8 or Windows-1252")
    with reading("usgs_mcs", label):
        text = decode(path)
    header, body = csv_records("usgs_mcs", label, text)
    return [h.strip() for h in header], body


def _production_columns(path: Path, header: list[str]) -> list[tuple[int, re.Match]]:
    """The production-year columns of a wide table, each a name the reader knows.

    A column carrying a year that is neither production, capacity nor reserves
    (`Production_t_2023`) is an error, never skipped; so is a file whose production columns
    are not exactly the edition's two years (MCS2025: 2023 and 2024).
    """
    edition = int(source_label(path)[:4])
    found, unknown = [], []
    for i, name in enumerate(header):
        if m := _WIDE_PROD.match(name):
            found.append((i, m))
        elif _YEAR.search(name) and not _OTHER_YEAR_COLUMN.match(name):
            unknown.append(name)
    if unknown:
        raise SourceDataError(
            "usgs_mcs",
            source_label(path),
            "column with a year that is not a known production, capacity or reserves column "
            "(expected e.g. Prod_t_2023, Prod_kt_est_2024)",
            rows=[1],
            field=unknown[0],
            values=unknown,
        )
    years = sorted(int(m["year"]) for _, m in found)
    if found and years != [edition - 2, edition - 1]:
        raise SourceDataError(
            "usgs_mcs",
            source_label(path),
            f"production columns cover years {years}, expected {[edition - 2, edition - 1]}",
            rows=[1],
            field=", ".join(header[i] for i, _ in found),
        )
    return found


def _frame(records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(records, schema=RAW_SCHEMA)


def read_mcs_chapter_csv(path: Path) -> pl.DataFrame:
    """One MCS2022-2024 world table (one chapter, wide, unit in the column name)."""
    match = _FILE_CODE.search(path.name)
    if not match:
        raise SourceDataError("usgs_mcs", path.name, "file name is not mcsYYYY-<code>_world.csv")
    header, body = _rows(path)
    lower = [h.lower() for h in header]
    if "country" not in lower:
        raise SourceDataError("usgs_mcs", path.name, "no Country column", rows=[1])
    i_country = lower.index("country")
    # MCS2024 fluorspar has no `Type` header: the third column's header *is* the type.
    i_type = lower.index("type") if "type" in lower else None
    fixed_type = None if i_type is not None else header[i_country + 1]
    # Capacity-only chapters (abrasives) publish no production columns: nothing to read.
    prod_cols = _production_columns(path, header)
    i_notes = lower.index("prod_notes") if "prod_notes" in lower else None
    records = []
    for line, row in body:
        row = row + [""] * (len(header) - len(row))
        for i, m in prod_cols:
            records.append(
                {
                    # the file's own `Source` cell is sometimes "MCS 2024": trust the name
                    "edition": "MCS" + match["ed"],
                    "source_file": source_label(path),
                    "source_row": line,
                    "chapter_label": match["code"].lower(),
                    "country_raw": row[i_country],
                    "measure_raw": row[i_type] if i_type is not None else fixed_type,
                    "unit_raw": (m["unit"] or "t").lower(),
                    "year": int(m["year"]),
                    "is_estimate": bool(m["est"]),
                    "value_raw": row[i],
                    "notes": row[i_notes] if i_notes is not None else None,
                }
            )
    return _frame(records)


def read_mcs2025_world(path: Path) -> pl.DataFrame:
    """MCS2025_World_Data.csv: all chapters, wide, unit in UNIT_MEAS."""
    header, body = _rows(path)
    col = {h.upper(): i for i, h in enumerate(header)}
    for needed in ("COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS"):
        if needed not in col:
            raise SourceDataError("usgs_mcs", path.name, f"missing column {needed}", rows=[1])
    prod_cols = _production_columns(path, header)
    records = []
    for line, row in body:
        row = row + [""] * (len(header) - len(row))
        for i, m in prod_cols:
            records.append(
                {
                    "edition": row[col.get("SOURCE", 0)].strip() or "MCS2025",
                    "source_file": source_label(path),
                    "source_row": line,
                    "chapter_label": row[col["COMMODITY"]],
                    "country_raw": row[col["COUNTRY"]],
                    "measure_raw": row[col["TYPE"]],
                    "unit_raw": row[col["UNIT_MEAS"]],
                    "year": int(m["year"]),
                    "is_estimate": bool(m["est"]),
                    "value_raw": row[i],
                    "notes": row[col["PROD_NOTES"]] if "PROD_NOTES" in col else None,
                }
            )
    return _frame(records)


def read_mcs2026_commodities(path: Path) -> pl.DataFrame:
    """MCS2026_Commodities_Data.csv (cp1252, long): world production rows only."""
    header, body = _rows(path)
    col = {h: i for i, h in enumerate(header)}
    needed = (
        "MCS chapter",
        "Section",
        "Country",
        "Statistics",
        "Statistics_detail",
        "Unit",
        "Year",
        "Value",
        "Notes",
    )
    for name in needed:
        if name not in col:
            raise SourceDataError("usgs_mcs", path.name, f"missing column {name!r}", rows=[1])
    records = []
    for line, row in body:
        row = row + [""] * (len(header) - len(row))
        if not row[col["Section"]].startswith("World") or row[col["Statistics"]] != "Production":
            continue
        year = row[col["Year"]].strip()
        if not year.isdigit():
            raise SourceDataError(
                "usgs_mcs",
                source_label(path),
                "year is not a number",
                rows=[line],
                field="Year",
                values=[year],
            )
        notes = row[col["Notes"]]
        records.append(
            {
                "edition": "MCS2026",
                "source_file": source_label(path),
                "source_row": line,
                "chapter_label": row[col["MCS chapter"]],
                "country_raw": row[col["Country"]],
                "measure_raw": row[col["Statistics_detail"]],
                "unit_raw": row[col["Unit"]],
                "year": int(year),
                "is_estimate": notes.strip().lower().startswith("estimated"),
                "value_raw": row[col["Value"]],
                "notes": notes,
            }
        )
    return _frame(records)


def read_usgs_files(paths: list[Path]) -> pl.DataFrame:
    """Every USGS file given (snapshot or landed), dispatched on its published file name."""
    frames = []
    for path in sorted(paths):
        if path.name == "MCS2025_World_Data.csv":
            frames.append(read_mcs2025_world(path))
        elif path.name == "MCS2026_Commodities_Data.csv":
            frames.append(read_mcs2026_commodities(path))
        elif _FILE_CODE.search(path.name):
            frames.append(read_mcs_chapter_csv(path))
    if not frames:
        raise SourceDataError(
            "usgs_mcs", ", ".join(p.name for p in paths[:5]), "no USGS MCS file among these"
        )
    return pl.concat(frames)


def snapshot_files(usgs_dir: Path) -> list[Path]:
    """The bundled editions: MCS2022-2024 chapter tables, MCS2025 and MCS2026 releases."""
    return sorted(
        p
        for p in usgs_dir.rglob("*.csv")
        if p.name in ("MCS2025_World_Data.csv", "MCS2026_Commodities_Data.csv")
        or _FILE_CODE.search(p.name)
    )


SALIENT_SCHEMA = {
    "edition": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
    "chapter_label": pl.String,
    "subject_raw": pl.String,
    "section": pl.String,
    "country_raw": pl.String,
    "statistics_raw": pl.String,
    "detail_raw": pl.String,
    "unit_raw": pl.String,
    "year_raw": pl.String,
    "value_raw": pl.String,
    "notes": pl.String,
    "is_critical_raw": pl.String,
    "data_note": pl.String,
}
SALIENT_SECTIONS = ("Salient Statistics", "Import Sources")


def read_mcs2026_salient(path: Path) -> pl.DataFrame:
    """MCS2026_Commodities_Data.csv: the US salient-statistics and import-source rows, as printed.

    `Year` stays a string: import sources cover a period (`2021–24`).
    """
    header, body = _rows(path)
    col = {h: i for i, h in enumerate(header)}
    names = {
        "chapter_label": "MCS chapter",
        "subject_raw": "Commodity",
        "section": "Section",
        "country_raw": "Country",
        "statistics_raw": "Statistics",
        "detail_raw": "Statistics_detail",
        "unit_raw": "Unit",
        "year_raw": "Year",
        "value_raw": "Value",
        "notes": "Notes",
        "is_critical_raw": "Is critical mineral 2025",
    }
    for name in names.values():
        if name not in col:
            raise SourceDataError("usgs_mcs", path.name, f"missing column {name!r}", rows=[1])
    records = []
    for line, row in body:
        row = row + [""] * (len(header) - len(row))
        if not row[col["Section"]].startswith(SALIENT_SECTIONS):
            continue
        record = {key: row[col[name]] for key, name in names.items()}
        # the chapter's "(Data in metric tons, antimony content, ...)": the unit basis
        record["data_note"] = row[col["Other notes"]] if "Other notes" in col else ""
        record.update(edition="MCS2026", source_file=source_label(path), source_row=line)
        records.append(record)
    return pl.DataFrame(records, schema=SALIENT_SCHEMA)
