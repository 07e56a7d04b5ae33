"""Briefings analysts take away (issue 27 item 7), from the snapshot warehouse built once per
session: `minerals brief` (HTML and Markdown) and the exports' Excel workbook.

The browser half (the HTML at 390 and 1400 px) is tests/browser/test_brief.py."""

import json
import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from pipelines import cli

pytestmark = pytest.mark.e2e


@pytest.fixture
def brief(published, monkeypatch, capsys, tmp_path):
    """`minerals brief ARGS --out tmp` on the session's warehouse: (exit code or error
    message, stdout, {suffix: the Markdown or HTML text})."""
    _, _, root = published
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(root / "warehouse"))

    def minerals_brief(*argv: str):
        try:
            code = cli.main(["brief", *argv, "--out", str(tmp_path)])
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr().out
        files = {p.suffix: p.read_text() for p in tmp_path.glob("*.*")}
        return code, out, files

    return minerals_brief


def sections(markdown: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", markdown, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_brief_rare_earths_for_the_us_japan_bloc(brief, published, tmp_path):
    con, _, _ = published
    code, out, files = brief("REE", "--importer", "USA_JPN")
    assert code == 0, code
    assert out.splitlines() == [
        f"wrote {tmp_path / 'rare_earths_USA_JPN.html'}",
        f"wrote {tmp_path / 'rare_earths_USA_JPN.md'}",
    ]
    md = files[".md"]
    assert md.startswith("# Rare earths: situation report for United States and Japan\n")
    assert "members: JPN, USA; trade across the bloc's border only" in md
    parts = sections(md)
    assert list(parts) == [
        "Concentration of each stage",
        "Who supplies United States and Japan",
        "What the export controls did",
        "Stockpile cover",
        "Projects and the capacity outlook",
        "Prices",
        "Sources and licences",
    ]
    # every table states its scope, every chart its source; every chart file is written
    tables = re.findall(r"^\*\*(.+)\*\*\n\n(.*)$", md, re.M)
    assert len(tables) >= 7 and all(scope.startswith("*Scope: ") for _, scope in tables)
    charts = re.findall(r"^!\[(.+)\]\((.+\.svg)\)$", md, re.M)
    assert len(charts) >= 6
    for title, path in charts:
        assert re.search(r"USGS|IEA|BACI|Comtrade|press|capacity", title), title
        assert (tmp_path / path).read_text().startswith("<svg")

    # concentration: production only, the headline figures as the mart holds them
    lead = re.findall(r"^- (Mining|Refining): China ([\d.]+)% of world (.+?); top producer "
                      r".+, HHI ([\d,]+) .+; (USGS MCS\d{4}|IEA CMDE \d{4}), (\d{4})\.$",
                      parts["Concentration of each stage"], re.M)  # fmt: skip
    assert [r[0] for r in lead] == ["Mining", "Refining"]
    for stage, china, _, hhi, _, year in lead:
        rows = con.execute(
            "SELECT round(100 * china_share, 1), round(hhi) FROM marts.supply_concentration "
            "WHERE commodity = 'rare_earths' AND stage = ? AND year = ? AND basis = "
            "'production' AND NOT is_projection",
            [stage.lower(), int(year)],
        ).fetchall()
        assert (float(china), float(hhi.replace(",", ""))) in rows, (stage, rows)

    # trade sections speak of imports and suppliers, never of producers or stage output
    for title in ("Who supplies United States and Japan", "Stockpile cover"):
        assert not re.search(r"producer|production|mining|refining output", parts[title], re.I)
    (value,) = con.execute(
        "SELECT import_value_usd FROM marts.import_dependence WHERE importer_iso3 = 'USA_JPN' "
        "AND commodity = 'rare_earths' AND stage = 'manufacturing' ORDER BY year DESC LIMIT 1"
    ).fetchone()
    assert f"imported ${value / 1e6:,.1f}m" in parts["Who supplies United States and Japan"]

    # the press's figures are labelled press-reported wherever they show
    press = [t for t, _ in charts + tables if "China customs" in t or "the page it was" in t]
    assert len(press) >= 3 and all(t.startswith("Press-reported: ") for t in press), press
    licences = parts["Sources and licences"]
    assert "CEPII BACI" in licences and "Etalab Open Licence 2.0" in licences
    assert "IEA Critical Minerals Data Explorer: CC BY 4.0" in licences

    # the HTML opens offline: Vega inlined, no remote script or stylesheet
    html = files[".html"]
    assert "vegaEmbed" in html and not re.search(r"<(script|link)[^>]+(src|href)=", html)


def test_a_basket_code_is_named_in_words_wherever_its_figures_show(brief):
    """Gallium's trade is HS 811292, a basket of gallium, germanium and other metals: every
    line of the brief that shows it says it is a basket."""
    code, _, files = brief("gallium", "--importer", "USA", "--format", "md")
    assert code == 0
    md = files[".md"]
    shown = [line for line in md.splitlines() if "811292" in line]
    assert len(shown) >= 5
    for line in shown:
        assert "basket" in line or "upper bound" in line, line
        assert "gallium, germanium and other metals" in line or "HS 811292:" in line, line
    # the trade sections' figures on it say whose figures they are, even where no code shows
    parts = sections(md)
    for title in ("Who supplies United States", "Stockpile cover"):
        leads = [x for x in parts[title].splitlines() if x.startswith("- Refining")]
        assert leads and all("gallium, germanium and other metals" in x for x in leads), title
    assert "the basket's" in parts["Stockpile cover"]


def table_rows(section: str, caption: str) -> list[list[str]]:
    """The cells of the Markdown table under `caption` in a section."""
    rows = []
    for line in section.split(f"**{caption}**", 1)[1].splitlines():
        if line.startswith("|"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif rows:  # the table's end
            break
    return rows[2:]  # the header and its |---| line out


def test_the_prices_section_shows_usgs_series_and_screen_hits_as_the_marts_hold_them(
    brief, published
):
    """Rare earths: every USGS series of the commodity (product with its purity, basis, unit,
    edition, estimates marked) with its figures as marts.prices holds them; the flooding runs
    the screen finds, in the mart's own words; the rare-earth baskets named as baskets."""
    con, _, _ = published
    code, _, files = brief("rare_earths", "--importer", "USA", "--format", "md")
    assert code == 0
    prices = sections(files[".md"])["Prices"]
    rows = table_rows(prices, "USGS price series, the latest edition of each year from 2018")
    series = con.execute(
        "SELECT DISTINCT product, price_basis FROM marts.prices WHERE commodity_group = "
        "'rare_earths' AND is_latest_edition AND year >= 2018"
    ).fetchall()
    assert len(rows) == len(series) >= 15
    by_product = {(r[0], r[1].split(",")[0]): r for r in rows}
    assert set(by_product) == {(p, b.replace("_", " ")) for p, b in series}
    for product, year, price, edition, estimate in con.execute(
        "SELECT product, year, price_usd_per_kg, edition, is_estimate FROM marts.prices "
        "WHERE commodity_group = 'rare_earths' AND is_latest_edition AND year >= 2021 "
        "AND price_basis = 'market_quote' AND unit_read NOT ILIKE '%ton%'"
    ).fetchall():
        row = by_product[(product, "market quote")]
        shown = f"{price:,.0f}" if price >= 100 else f"{round(price, 2):g}"
        assert f"{year}{'e' if estimate else ''} {shown}" in row[4], (product, year, row[4])
        assert row[2] == "$/kg" and edition in row[6]
    dy = by_product[("dysprosium oxide, 99.5% minimum", "market quote")]
    assert dy[1:4] == ["market quote, FOB", "$/kg", "product as sold"] and dy[6] == "MCS2026"
    assert "2025e 239 [CN-2025-18" in dy[4]
    # the flooding runs on cerium compounds, once each, in the screen's own words
    runs = con.execute(
        "SELECT evidence FROM (SELECT *, lead(fires) OVER (PARTITION BY nomenclature, hs6 "
        "ORDER BY year) AS goes_on FROM marts.screen_flooding) WHERE commodity = 'rare_earths' "
        "AND fires AND NOT coalesce(goes_on, false)"
    ).fetchall()
    hits = table_rows(prices, "Price screens that fire, the latest first")
    assert runs and sorted(r[2] for r in hits) == sorted(e for (e,) in runs)
    assert f"flooding {len(runs)}" in prices
    for code_, words in (("284690", "rare-earth compounds other than cerium"),
                         ("280530", "rare-earth metals, scandium and yttrium")):  # fmt: skip
        basket = f"- HS {code_}: {words}; several elements, not one element's price: a basket"
        assert f"{basket} code, so no screen fires on it" in prices
    assert "price-changes.svg" in prices  # 19 series: each one's latest change, not 19 lines


def test_a_basket_code_in_the_prices_section_is_never_the_mineral(brief):
    """Gallium's only trade code is HS 811292, a basket: no screen fires on it and the brief
    says so in words; its USGS series is the US import unit value of gallium metal."""
    code, _, files = brief("gallium", "--importer", "USA", "--format", "md")
    assert code == 0
    prices = sections(files[".md"])["Prices"]
    assert "- No price screen fires on gallium" in prices
    assert (
        "- HS 811292: gallium, germanium and other metals; upper bound: a basket code, so no "
        "screen fires on it and its unit value is the mix's, not the price of gallium." in prices
    )
    (row,) = table_rows(prices, "USGS price series, the latest edition of each year from 2018")
    assert row[:4] == [
        "gallium metal, unwrought (HTS 8112.92.1000)", "import unit value", "$/kg",
        "product as sold",
    ]  # fmt: skip
    assert "2023 365 [CN-2023-23]" in row[4] and "2025e 580" in row[4]


def test_a_control_premium_on_chinas_declarations_is_worded_as_chinas_exports(brief, published):
    """China's declared exports of synthetic graphite to Germany (FOB) doubled in price after
    CN-2023-39: the brief says "China's declared exports to DEU", never DEU's unit value."""
    con, _, _ = published
    code, _, files = brief("graphite", "--importer", "DEU", "--format", "md")
    assert code == 0
    prices = sections(files[".md"])["Prices"]
    hits = table_rows(prices, "Price screens that fire, the latest first")
    (evidence,) = con.execute(
        "SELECT evidence FROM marts.screen_control_premium WHERE fires AND source = 'comtrade' "
        "AND hs6 = '380110' AND importer_iso3 = 'DEU' AND window_months = 12"
    ).fetchone()
    assert evidence.startswith(
        "HS 380110: artificial (synthetic) graphite: China's declared exports to DEU, unit value "
        "1,310 -> 2,630 USD/t (+101%)"
    )
    assert evidence in [r[2] for r in hits]
    assert "DEU's unit value" not in prices and "DEU's imports from China, unit value" in prices


def test_brief_refuses_pdf_and_an_unknown_commodity_in_words(brief):
    code, _, _ = brief("gallium", "--format", "pdf")
    assert code == 2
    code, _, _ = brief("unobtainium")
    assert isinstance(code, str) and "unobtainium" in code and "sql -f" in code


def _cell(value):
    """A warehouse value as openpyxl reads it back from the workbook (NaN and an empty text
    are empty cells; a float may lose its 17th digit: `_same` compares numbers to 12 digits)."""
    if (isinstance(value, float) and value != value) or value == "":
        return None
    if isinstance(value, datetime):  # in UTC, without a zone (Excel has none)
        return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return value


def _rows(rows, width: int) -> list[tuple]:
    """Rows padded to `width` (a read-only sheet drops trailing empty cells), in an order
    that does not depend on a float's last digits."""
    padded = [tuple(r) + (None,) * (width - len(r)) for r in rows]
    return sorted(
        padded, key=lambda r: repr([f"{v:.6g}" if isinstance(v, float) else v for v in r])
    )


def _number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _same(a: tuple, b: tuple) -> bool:
    """Equal, numbers to 12 digits (Excel reads 1.0000000000000002 back as the integer 1),
    times to the millisecond (Excel's precision)."""

    def same(x, y) -> bool:
        if _number(x) and _number(y):
            return math.isclose(x, y, rel_tol=1e-12)
        if isinstance(x, datetime) and isinstance(y, datetime):
            return abs(x - y) <= timedelta(milliseconds=1)
        return x == y

    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))


def test_the_workbook_opens_and_its_sheets_match_the_marts(published):
    from openpyxl import load_workbook

    con, _, root = published
    exports = root / "warehouse" / "exports"
    manifest = json.loads((exports / "manifest.json").read_text())
    book = manifest["workbook"]
    wb = load_workbook(exports / book["file"], read_only=True)
    assert wb.sheetnames[0] == "About" and wb.sheetnames[-2:] == ["Columns", "Sources"]
    assert {"supply_concentration", "import_dependence", "stockpile_cover", "alerts"} <= set(
        book["tables"]
    )
    for table, entry in book["tables"].items():
        rows = [r for name in entry["sheets"] for r in wb[name].iter_rows(values_only=True)]
        header, body = rows[0], [r for r in rows if r != rows[0]]
        assert len(body) == entry["rows"], table
        width = len(header)
        got = _rows(body, width)
        if entry["holds"] == "the whole table":
            mart = con.execute(f'SELECT * FROM marts."{table}"').fetchall()
        else:  # the latest year of each series: recomputed here without the file's QUALIFY
            keys = {
                "import_dependence": "importer_iso3, commodity, stage",
                "stockpile_cover": "importer_iso3, commodity, stage, basis",
            }[table]
            mart = con.execute(
                f'SELECT m.* FROM marts."{table}" AS m JOIN (SELECT {keys}, max(year) AS year '
                f'FROM marts."{table}" GROUP BY ALL) USING ({keys}, year)'
            ).fetchall()
            assert entry["rows"] < manifest["tables"][table]["rows"]
        want = _rows([[_cell(v) for v in r] for r in mart], width)
        assert len(got) == len(want), table
        differ = [(g, w) for g, w in zip(got, want, strict=True) if not _same(g, w)]
        assert differ == [], (table, differ[:2])
        assert entry["terms"] == manifest["tables"][table]["terms"] and entry["terms"], table
    # the column notes and the sources' licences are sheets of their own
    columns = {(t, c) for t, c, *_ in wb["Columns"].iter_rows(min_row=2, values_only=True)}
    for table in book["tables"]:
        assert {(table, c["name"]) for c in manifest["tables"][table]["columns"]} <= columns
    sources = {r[0]: r[3] for r in wb["Sources"].iter_rows(min_row=2, values_only=True)}
    assert set(sources) == set(book["sources"]) and "comtrade" in sources
    assert sources["comtrade"].endswith("no bulk redistribution")
    assert any("no bulk redistribution" in t for t in book["terms"])
    (refreshed,) = con.execute("SELECT refreshed_at FROM meta.refresh").fetchone()
    assert refreshed.isoformat() in next(wb["About"].iter_rows(values_only=True))[0]
