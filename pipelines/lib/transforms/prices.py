"""USGS prices of every bundled edition, conformed into `staging.usgs_prices`.

Three publications print prices, each in its own shape:
- MCS2026 data release: the `statistic = 'price'` rows of `staging.us_salient` (2021-2025);
- Minerals Yearbook 2022, rare earths tables (`usgs_myb/myb1-2022-raree_tables.xlsx`): sheet T3,
  average rare-earth oxide prices 2021-2022, and the two price rows of sheet T1 (2018-2022);
- DS-140 rare-earth statistics (`usgs_myb/ds140-rare-earths-2020.xlsx`): the US unit value of
  REO apparent consumption, 1900-2020.
The workbooks are read cell by cell as published (footnote digits glued to labels, years as text,
a unit that says "metric tons" where the figures are dollars per kilogram); what each series is
(product, stage, price basis, unit basis) comes from the reviewed rules in
`data/seeds/usgs_price_series.csv`, first match wins, and a series no rule covers stops the run
naming file, row and field.
"""

import re
import warnings
from datetime import date, datetime
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.transforms.values import parse_reported

MYB_TABLES = "myb1-2022-raree_tables.xlsx"
DS140 = "ds140-rare-earths-2020.xlsx"
# Editions and the day each was posted: the order revisions are read in. MYB and DS-140 print
# theirs in the workbook (read there); MCS2026's is in its version history ("First posted online
# February 6, 2026", data/snapshot/usgs_mcs/2026/MCS2026_version_history.txt).
MCS_POSTED = {"MCS2026": date(2026, 2, 6)}

RAW_SCHEMA = {
    "source": pl.String,  # usgs_myb (the yearbook tables) | usgs_ds140
    "edition": pl.String,
    "edition_posted": pl.Date,
    "source_file": pl.String,
    "sheet": pl.String,
    "source_row": pl.Int32,
    "cell": pl.String,
    "table_title": pl.String,
    "label_raw": pl.String,  # the row's label as printed, footnotes and markers glued
    "label": pl.String,  # the label without them
    "purity_raw": pl.String,
    "unit_raw": pl.String,
    "year": pl.Int32,
    "value_raw": pl.String,
    "marker_raw": pl.String,  # T1's cell beside the figure (e, r, a footnote number)
    "is_estimate": pl.Boolean,
    "footnotes": pl.String,  # "4, 5"
    "footnote_text": pl.String,  # what those footnotes say, in order
}

COLUMNS = {
    "source": pl.String,
    "edition": pl.String,
    "edition_posted": pl.Date,
    "commodity": pl.String,
    "element": pl.String,
    "product": pl.String,
    "stage": pl.String,
    "price_basis": pl.String,
    "terms": pl.String,
    "quoted_source": pl.String,
    "unit_basis": pl.String,
    "year": pl.Int32,
    "is_estimate": pl.Boolean,
    "price": pl.Float64,
    "unit_raw": pl.String,
    "unit_read": pl.String,
    "normalised_unit": pl.String,
    "price_normalised": pl.Float64,
    "price_usd_per_t": pl.Float64,
    "price_usd_per_kg": pl.Float64,
    "value_raw": pl.String,
    "value_flag": pl.String,
    "series_label": pl.String,
    "notes": pl.String,
    "rule_note": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
    "cell": pl.String,
}

_FOOTNOTE_ROW = re.compile(r"^(\d+)(\D.*)$")
_GLUED_FOOTNOTES = re.compile(r"^(?P<label>.*?\D)(?P<notes>\d+(?:,\s*\d+)*)$")
# USGS glues a superscript "e" (estimated) to a label; in T1 it follows "basis"
# ("Monazite concentrate, gross basise"). Only these words are read as carrying one, so a label
# that merely ends in "e" keeps it.
_GLUED_ESTIMATE = re.compile(r"^(?P<label>.*\bbasis)e$")
_POSTED = re.compile(r"posted:\s*(\w+ \d{1,2}, \d{4})", re.IGNORECASE)
_MODIFIED = re.compile(r"last modification:\s*(\w+ \d{1,2}, \d{4})", re.IGNORECASE)


def _text(value) -> str:
    """A cell as printed: integers without '.0', floats as Python prints them, None as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(pattern: re.Pattern, cells, source: str, file: str, what: str) -> date:
    for value in cells:
        if isinstance(value, str) and (m := pattern.search(value)):
            return datetime.strptime(m[1], "%B %d, %Y").date()
    raise SourceDataError(source, file, f"no {what} date found (looked for {pattern.pattern!r})")


def split_footnotes(label: str) -> tuple[str, str]:
    """'Terbium4, 5' -> ('Terbium', '4, 5'); 'OXIDE PRICES1' -> ('OXIDE PRICES', '1')."""
    label = label.strip()
    m = _GLUED_FOOTNOTES.match(label)
    return (m["label"].strip(), m["notes"]) if m else (label, "")


def _footnotes(rows: list[tuple]) -> dict[str, str]:
    """{'4': 'Source: Argus Media group – Argus Metals International.'} from a table's foot."""
    notes = {}
    for row in rows:
        first = _text(row[0].value) if row else ""
        if m := _FOOTNOTE_ROW.match(first):
            notes[m[1]] = m[2].strip()
    return notes


def _resolve(numbers: str, notes: dict[str, str]) -> str:
    return " ".join(notes[n.strip()] for n in numbers.split(",") if n.strip() in notes)


def _read_t3(ws, file: str, posted: date) -> list[dict]:
    """T3, average rare-earth oxide prices: one record per (product, year)."""
    rows = list(ws.iter_rows())
    cells = {c.coordinate: c.value for row in rows for c in row if c.value is not None}
    title, title_notes = split_footnotes(_text(cells.get("A2")))
    unit = _text(cells.get("A3")).strip("() ")
    header = next(
        (i for i, row in enumerate(rows) if _text(row[0].value).startswith("Product")), None
    )
    if header is None or not unit:
        raise SourceDataError(
            "usgs_myb", file, "sheet T3: no 'Product (oxide)' header row or no unit line (A3)"
        )
    years = {
        c.column_letter: int(_text(c.value))
        for c in rows[header]
        if _text(c.value).isdigit() and len(_text(c.value)) == 4
    }
    purity_col = next(
        (c.column_letter for c in rows[header - 1] if _text(c.value) == "Purity"), None
    )
    if not years or purity_col is None:
        raise SourceDataError(
            "usgs_myb",
            file,
            "sheet T3: the header rows name no years or no Purity column",
            rows=[header + 1],
        )
    notes = _footnotes(rows[header + 1 :])
    records = []
    for row in rows[header + 1 :]:
        label_raw = _text(row[0].value)
        if not label_raw or _FOOTNOTE_ROW.match(label_raw):
            break  # the data end where the footnotes begin
        label, numbers = split_footnotes(label_raw)
        by_col = {c.column_letter: c for c in row}
        for col, year in years.items():
            cell = by_col.get(col)
            records.append(
                {
                    "source": "usgs_myb",
                    "edition": "MYB2022",
                    "edition_posted": posted,
                    "source_file": file,
                    "sheet": "T3",
                    "source_row": row[0].row,
                    "cell": f"{col}{row[0].row}",
                    "table_title": f"Table 3, {title.lower()}",
                    "label_raw": label_raw,
                    "label": label,
                    "purity_raw": _text(by_col[purity_col].value) if purity_col in by_col else "",
                    "unit_raw": unit,
                    "year": year,
                    "value_raw": _text(cell.value if cell else None),
                    "marker_raw": "",
                    "is_estimate": False,
                    "footnotes": ", ".join(x for x in (title_notes, numbers) if x),
                    "footnote_text": _resolve(
                        ", ".join(x for x in (title_notes, numbers) if x), notes
                    ),
                }
            )
    return records


def _read_t1_prices(ws, file: str, posted: date) -> list[dict]:
    """T1, salient statistics: the rows under 'Prices, annual average:' (year columns D, F, ...,
    each followed by a marker column)."""
    rows = list(ws.iter_rows())
    title = split_footnotes(_text(rows[1][0].value))[0]
    header = next(
        (i for i, row in enumerate(rows) if sum(_text(c.value).isdigit() for c in row) >= 3), None
    )
    start = next(
        (i for i, row in enumerate(rows) if _text(row[0].value).startswith("Prices")), None
    )
    if header is None or start is None:
        raise SourceDataError(
            "usgs_myb", file, "sheet T1: no year header or no 'Prices, annual average:' row"
        )
    years = {
        c.column: int(_text(c.value))
        for c in rows[header]
        if _text(c.value).isdigit() and len(_text(c.value)) == 4
    }
    notes = _footnotes(rows[start + 1 :])
    records, unit_above = [], ""
    for row in rows[start + 1 :]:
        label_raw = _text(row[0].value)
        if not label_raw or _FOOTNOTE_ROW.match(label_raw) or label_raw.startswith("eEstimated"):
            break
        label, numbers = split_footnotes(label_raw)
        estimated = bool(m := _GLUED_ESTIMATE.match(label))
        label = m["label"] if m else label
        unit = _text(row[1].value)
        unit = unit_above if unit == "do." else unit  # "do." is ditto: the unit above
        unit_above = unit
        by_col = {c.column: c for c in row}
        for col, year in years.items():
            cell, marker = by_col.get(col), by_col.get(col + 1)
            records.append(
                {
                    "source": "usgs_myb",
                    "edition": "MYB2022",
                    "edition_posted": posted,
                    "source_file": file,
                    "sheet": "T1",
                    "source_row": row[0].row,
                    "cell": cell.coordinate if cell else "",
                    "table_title": f"Table 1, {title.lower()}",
                    "label_raw": label_raw,
                    "label": label,
                    "purity_raw": "",
                    "unit_raw": unit,
                    "year": year,
                    "value_raw": _text(cell.value if cell else None),
                    "marker_raw": _text(marker.value if marker else None),
                    "is_estimate": estimated or _text(marker.value if marker else None) == "e",
                    "footnotes": numbers,
                    "footnote_text": _resolve(numbers, notes),
                }
            )
    return records


def _workbook(path: Path):
    import openpyxl  # imported here: only the price asset pays for it

    with warnings.catch_warnings():  # "Print area cannot be set to Defined name": layout only
        warnings.filterwarnings("ignore", "Print area", UserWarning)
        return openpyxl.load_workbook(path, data_only=True)


def read_myb_tables(path: Path) -> pl.DataFrame:
    """The price rows of the 2022 Minerals Yearbook rare-earth tables (T3 and T1), as printed."""
    file = path.name
    with reading("usgs_myb", file):
        wb = _workbook(path)
        for sheet in ("Note", "T1", "T3"):
            if sheet not in wb.sheetnames:
                raise SourceDataError("usgs_myb", file, f"no sheet {sheet!r} ({wb.sheetnames})")
        note_cells = [c.value for row in wb["Note"].iter_rows() for c in row]
        posted = _date(_POSTED, note_cells, "usgs_myb", file, "'Posted:'")
        records = _read_t3(wb["T3"], file, posted) + _read_t1_prices(wb["T1"], file, posted)
    return pl.DataFrame(records, schema=RAW_SCHEMA)


def read_ds140(path: Path) -> pl.DataFrame:
    """DS-140 rare earths: the 'Unit value ($/t)' column, one record per year, as printed."""
    file = path.name
    with reading("usgs_ds140", file):
        wb = _workbook(path)
        ws = wb[wb.sheetnames[0]]
        rows = list(ws.iter_rows())
        posted = _date(
            _MODIFIED,
            [c.value for row in rows[:6] for c in row],
            "usgs_ds140",
            file,
            "'Last modification:'",
        )
        header = next((i for i, row in enumerate(rows) if _text(row[0].value) == "Year"), None)
        col = (
            None
            if header is None
            else next(
                (c.column for c in rows[header] if _text(c.value) == "Unit value ($/t)"), None
            )
        )
        if col is None:
            raise SourceDataError(
                "usgs_ds140", file, "no header row with 'Year' and 'Unit value ($/t)'"
            )
        records = []
        for row in rows[header + 1 :]:
            year = row[0].value
            if not isinstance(year, int | float) or isinstance(year, bool):
                break  # the notes under the table
            cell = row[col - 1]
            records.append(
                {
                    "source": "usgs_ds140",
                    "edition": f"DS140-{posted.year}",  # the year it was last modified
                    "edition_posted": posted,
                    "source_file": file,
                    "sheet": ws.title,
                    "source_row": row[0].row,
                    "cell": cell.coordinate,
                    "table_title": _text(rows[0][0].value).lower(),
                    "label_raw": "Unit value ($/t)",
                    "label": "Unit value ($/t)",
                    "purity_raw": "",
                    "unit_raw": "$/t",
                    "year": int(year),
                    "value_raw": _text(cell.value),
                    "marker_raw": "",
                    "is_estimate": False,
                    "footnotes": "",
                    "footnote_text": "",
                }
            )
    return pl.DataFrame(records, schema=RAW_SCHEMA)


# What a price's terms are, from USGS's notes and labels: (pattern, words), first match wins;
# then where, when the text names a place.
_TERMS = [
    (r"free on board|f\.o\.b\.", "FOB"),
    (r"cost, insurance, and freight|c\.i\.f\.", "CIF"),
    (r"free alongside ship|f\.a\.s\.", "FAS"),
    (r"landed[ -]duty[ -]paid", "landed duty-paid"),
    (r"duties unpaid", "duties unpaid"),
    (r"ex-works|ex-plant", "ex-works"),
    (r"in-warehouse|in warehouse", "in warehouse"),
    (r"at foreign ports|port of exportation", "at the foreign port"),
    (r"delivered", "delivered"),
    (r"\bat plant\b", "at plant"),
]
_PLACES = [
    (r"\bchina\b", "China"),
    (r"rotterdam", "Rotterdam"),
    (r"u\.s\. warehouse", "U.S. warehouse"),
    (r"gulf coast", "Gulf Coast"),
    (r"australia", "Australia"),
    (r"global ports", "global ports"),
]
# "Source: Argus Media group, Argus Non-Ferrous Markets." -> the words up to the sentence's end
# (a period not after a single capital, so "U.S. Census Bureau" stays whole).
_QUOTED = re.compile(r"\bSources?:\s*(.*?)(?:(?<!\b[A-Z])\.(?:\s|$)|\s--|$)")


def terms_of(text: str) -> str | None:
    low = text.lower()
    found = next((words for pattern, words in _TERMS if re.search(pattern, low)), None)
    if found is None:
        return None
    place = next((p for pattern, p in _PLACES if re.search(pattern, low)), None)
    return f"{found} {place}" if place else found


def quoted_source_of(text: str) -> str | None:
    m = _QUOTED.search(text or "")
    return m[1].strip(" ,;") or None if m else None


def classify(source: str, commodity: str | None, text: str, rules: pl.DataFrame) -> dict | None:
    """The first rule of `rules` whose source and commodity match (any commodity for the
    workbooks, whose rows name none) and whose regex finds `text`."""
    for rule in rules.iter_rows(named=True):
        if rule["source"] != source:
            continue
        if source == "usgs_mcs" and rule["commodity"] != commodity:
            continue
        if re.search(rule["match"], text):
            return rule
    return None


def _check_rules(rules: pl.DataFrame) -> None:
    for rule in rules.iter_rows(named=True):
        try:
            re.compile(rule["match"])
        except re.error as exc:
            raise SourceDataError(
                "seeds",
                "data/seeds/usgs_price_series.csv",
                f"bad regex ({exc})",
                field="match",
                values=[rule["match"]],
            ) from None


def _fail(df: pl.DataFrame, bad: pl.Expr, problem: str, field: str, column: str) -> None:
    rows = df.filter(bad)
    if rows.height:
        first = rows.row(0, named=True)
        raise SourceDataError(
            first["source"],
            first["source_file"],
            f"{problem} ({rows.height} row(s))",
            rows=rows["source_row"].to_list(),
            field=field,
            values=rows[column].unique(maintain_order=True).to_list(),
        )


def conform_prices(
    salient: pl.DataFrame, workbooks: pl.DataFrame, *, rules: pl.DataFrame, units: pl.DataFrame
) -> pl.DataFrame:
    """staging.us_salient rows and the workbooks' raw rows -> staging.usgs_prices rows."""
    _check_rules(rules)
    mcs = salient.filter(pl.col("statistic") == "price").select(
        "source",
        "edition",
        edition_posted=pl.col("edition").replace_strict(MCS_POSTED, return_dtype=pl.Date),
        commodity="commodity",
        usgs_product="product",
        series_label="statistic_detail",
        match_text=pl.concat_str(
            pl.col("statistic_detail").str.to_lowercase(), pl.lit(" | "), "product"
        ),
        notes=pl.col("notes").fill_null(""),
        year="year",
        is_estimate="is_estimate",
        unit_raw="unit_raw",
        value_raw="value_raw",
        source_file="source_file",
        source_row="source_row",
        cell=pl.lit(None, pl.String),
    )
    books = workbooks.select(
        "source",
        "edition",
        "edition_posted",
        commodity=pl.lit(None, pl.String),
        usgs_product=pl.lit("", pl.String),
        series_label=pl.when(pl.col("purity_raw") != "")
        .then(pl.format("{}: {}, purity {}%", "table_title", "label", "purity_raw"))
        .when(pl.col("sheet") == "T1")
        .then(pl.format("{}: {}", "table_title", "label"))
        .otherwise("label"),
        notes="footnote_text",
        year="year",
        is_estimate="is_estimate",
        unit_raw="unit_raw",
        value_raw="value_raw",
        source_file=pl.format("usgs_myb/{}", "source_file"),
        source_row="source_row",
        cell="cell",
    ).with_columns(match_text=pl.col("series_label").str.to_lowercase())
    df = pl.concat([mcs, books], how="diagonal_relaxed")

    keys = ["source", "commodity", "match_text"]
    found = []
    for source, commodity, text in df.select(keys).unique().iter_rows():
        rule = classify(source, commodity, text, rules)
        found.append((source, commodity, text, *(rule or {}).values()))
    rule_cols = [f"rule_{c}" for c in rules.columns]
    matched = pl.DataFrame(
        [f + (None,) * (len(keys) + len(rule_cols) - len(f)) for f in found],
        schema=[*keys, *rule_cols],
        orient="row",
    )
    df = df.join(matched, on=keys, how="left", nulls_equal=True)
    _fail(
        df,
        pl.col("rule_source").is_null(),
        "price series matches no rule in data/seeds/usgs_price_series.csv",
        "Statistics_detail",
        "series_label",
    )
    df = df.filter(pl.col("rule_price_basis") != "exclude")

    default_product = (
        pl.when(pl.col("usgs_product") != "")
        .then("usgs_product")
        .otherwise(pl.col("series_label").str.to_lowercase())
    )
    df = df.with_columns(
        commodity=pl.coalesce("commodity", "rule_commodity"),
        product=pl.when(pl.col("rule_product") == "")
        .then(default_product)
        .otherwise(pl.col("rule_product").str.replace("{product}", default_product, literal=True)),
        unit_used=pl.when(pl.col("rule_unit_override") != "")
        .then("rule_unit_override")
        .otherwise("unit_raw"),
    )
    df = df.with_columns(unit_key=pl.col("unit_used").str.strip_chars().str.to_lowercase()).join(
        units.select(unit_key="unit_raw", unit="unit", factor="factor"), on="unit_key", how="left"
    )
    _fail(
        df, pl.col("unit").is_null(), "price unit not in data/seeds/units.csv", "Unit", "unit_used"
    )
    amount, flag = parse_reported(pl.col("value_raw"))
    df = df.with_columns(price=amount, value_flag=flag)
    _fail(
        df,
        pl.col("value_flag") == "unrecognised",
        "price is neither a number nor a known flag",
        "Value",
        "value_raw",
    )
    normalised = pl.col("price") * pl.col("factor")
    per_t = pl.when(pl.col("unit") == "usd_per_t").then(normalised)
    context = pl.concat_str(pl.col("notes"), pl.lit(" "), pl.col("series_label"))
    return df.select(
        source="source",
        edition="edition",
        edition_posted="edition_posted",
        commodity="commodity",
        element=pl.col("rule_element").replace("", None),
        product="product",
        stage=pl.col("rule_stage").replace("", None),
        price_basis="rule_price_basis",
        terms=context.map_elements(terms_of, pl.String),
        quoted_source=pl.col("notes").map_elements(quoted_source_of, pl.String),
        unit_basis=pl.when(pl.col("rule_unit_basis") == "")
        .then(pl.lit("product as sold"))
        .otherwise("rule_unit_basis"),
        year="year",
        is_estimate="is_estimate",
        price="price",
        unit_raw="unit_raw",
        unit_read="unit_used",
        normalised_unit="unit",
        price_normalised=normalised,
        price_usd_per_t=per_t,
        price_usd_per_kg=pl.when(pl.col("unit") == "usd_per_t").then(
            pl.col("price") * (pl.col("factor") / 1000)
        ),
        value_raw="value_raw",
        value_flag="value_flag",
        series_label="series_label",
        notes=pl.col("notes").replace("", None),
        rule_note=pl.col("rule_note").replace("", None),
        source_file="source_file",
        source_row="source_row",
        cell="cell",
    ).cast(COLUMNS)
