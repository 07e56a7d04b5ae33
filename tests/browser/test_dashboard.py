"""The dashboard built from a real refresh of the bundled snapshot, driven in headless Chromium
at 1400 px (mouse) and 390 px (touch): pickers, tooltips, gaps, stage colours, layout.

Needs `/usr/bin/chromium` (Debian package `chromium`, `make browser`) and the Python package
`playwright`; the test never downloads a browser (`playwright install` is not used).
Screenshots go to the test's tmp dir and to tests/_artifacts/ (git-ignored) to look at.
"""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.dashboard import build_dashboard, dashboard_data
from pipelines.lib.dashboard.charts import STAGE_COLOURS
from pipelines.lib.paths import SQL_DIR

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs /usr/bin/chromium (make browser)"
)
pytestmark = pytest.mark.browser


@pytest.fixture
def published(published_snapshot):
    """The session's real refresh (read-only): serving.dashboard wrote dashboard/index.html."""
    return published_snapshot.warehouse_dir


class Page:
    def __init__(self, html: Path, width: int, touch: bool):
        sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
        self.manager = sync_api.sync_playwright().start()
        self.browser = self.manager.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = self.browser.new_context(
            viewport={"width": width, "height": 900}, has_touch=touch, is_mobile=touch
        )
        self.page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else 0)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(html.as_uri())
        self.settle()

    def settle(self):
        """Wait until every chart container holds its SVG and Vega has drawn."""
        self.page.wait_for_function(
            "document.querySelectorAll('.vega-embed').length > 0 && "
            "[...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('svg'))"
        )
        self.page.wait_for_timeout(300)

    def labels(self, chart: str, mark: str = "symbol") -> list[str]:
        """The aria-labels (its tooltip's fields) Vega gives each point or cell of a chart."""
        return self.page.eval_on_selector_all(
            f"#chart-{chart} svg g.mark-{mark} path[aria-label]",
            "els => els.map(e => e.getAttribute('aria-label'))",
        )

    def pick(self, picker: str, value: str):
        self.page.select_option(f"#pick-{picker}", value)
        self.settle()

    def close(self):
        self.browser.close()
        self.manager.stop()


def _shot(page: Page, tmp_path: Path, name: str, full_page: bool = True):
    page.page.screenshot(path=str(tmp_path / name), full_page=full_page)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / name, ARTIFACTS / name)


def test_dashboard_matches_the_headline_for_every_focus_stage(published):
    """The figure drawn for each (commodity, stage) is the one `make run` prints."""
    headline = (SQL_DIR / "reports" / "headline.sql").read_text()
    with duckdb.connect(str(published / "minerals.duckdb"), read_only=True) as con:
        data = dashboard_data(con)
        printed = con.execute(headline).fetchall()
    shown = {(r["commodity"], r["stage"]): r for r in data["concentration"]}
    compared = 0
    for commodity, m_year, m_china, _, m_hhi, r_year, _, r_china, _, r_hhi in printed:
        for stage, year, china, hhi in [
            ("mining", m_year, m_china, m_hhi),
            ("refining", r_year, r_china, r_hhi),
        ]:
            if year is None:
                assert (commodity, stage) not in shown
                continue
            row = shown[(commodity, stage)]
            assert row["year"] == year and round(row["hhi"]) == hhi, (commodity, stage)
            assert (
                None if row["china_share"] is None else round(100 * row["china_share"], 1)
            ) == china, (commodity, stage)
            compared += 1
    assert compared == len(shown) > 20  # every figure the dashboard draws was compared


@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
def test_dashboard_in_chromium(published, tmp_path, width):
    touch = width < 600
    html = published / "dashboard" / "index.html"
    assert "<script src" not in html.read_text()
    page = Page(html, width, touch)
    p = page.page
    try:
        _shot(page, tmp_path, f"dashboard_{width}.png")
        for panel in [
            "concentration",
            "trend",
            "heatmap",
            "export_controls",
            "net_import_reliance",
            "stockpile_cover",
        ]:
            assert p.locator(f"#panel-{panel} svg").count() > 0, panel
        assert p.locator("#panel-most_concentrated tr").count() == 1 + 15
        assert p.locator("#panel-alerts li").count() > 0
        footer = p.locator("footer").inner_text()
        assert "CC BY 4.0" in footer and "Etalab" in footer  # sources and licences

        # fits the width, and chart text is legible
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        sizes = p.eval_on_selector_all(
            ".vega-embed svg text", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert sizes and min(sizes) >= 11, min(sizes)

        # stage: the magnets series (HS 8505.11) is drawn as manufacturing, in its colour
        magnets = [a for a in page.labels("trend-imports") if "manufacturing" in a]
        assert magnets and all("Year: 2022" in a or "Year: 2024" in a for a in magnets)
        fills = p.eval_on_selector_all(
            "#chart-trend-imports svg g.mark-symbol path[aria-label*='manufacturing']",
            "els => els.map(e => e.getAttribute('fill'))",
        )
        assert set(fills) == {STAGE_COLOURS["manufacturing"]}
        # a gap is a gap: HS2017 has no 2023, so no line joins 2022 to 2024
        lines = p.eval_on_selector_all(
            f"#chart-trend-imports g.mark-line path[stroke='{STAGE_COLOURS['manufacturing']}']",
            "els => els.map(e => e.getAttribute('d') || '')",
        )
        assert lines and all("L" not in d for d in lines), lines
        refining = p.eval_on_selector_all(
            f"#chart-trend-imports g.mark-line path[stroke='{STAGE_COLOURS['refining']}']",
            "els => els.map(e => e.getAttribute('d') || '')",
        )
        assert refining and refining[0].count("L") >= 20  # 1995-2024 is one unbroken line

        # heatmap: white text on dark cells, dark text on light ones
        cells = p.eval_on_selector_all(
            "#chart-heatmap g.mark-text.role-mark text",
            "els => els.map(e => [e.textContent, e.getAttribute('fill')])",
        )
        for text, fill in cells:
            if text.endswith("%") and int(text[:-1]) >= 60:
                assert fill == "#ffffff", (text, fill)
            if text.endswith("%") and int(text[:-1]) <= 40:
                assert fill != "#ffffff", (text, fill)
        # a zero reads as zero: white, not the salmon the "reds" scheme starts at
        zero = p.eval_on_selector_all(
            "#chart-heatmap g.mark-rect path[aria-label*='China share: 0%;']",
            "els => els.map(e => e.getAttribute('fill'))",
        )
        channels = [int(c) for fill in zero for c in fill[4:-1].split(",")]
        assert zero and min(channels) >= 250, set(zero)  # "0%" is under 0.5%: near white
        # no axis label is cut at the chart's edge ("$150M" was, at 390 px)
        cut = p.evaluate(
            """() => [...document.querySelectorAll('.vega-embed')].flatMap(chart => {
                 const box = chart.getBoundingClientRect();
                 return [...chart.querySelectorAll('g.role-axis-label text')]
                   .filter(t => t.getBoundingClientRect().right > box.right + 1
                             || t.getBoundingClientRect().left < box.left - 1)
                   .map(t => chart.parentElement.id + ': ' + t.textContent);
               })"""
        )
        assert cut == [], cut
        # alert kinds in words (staging.alert_kinds), never the identifiers
        alerts = p.locator("#panel-alerts").inner_text()
        assert "China's share up 5 points or more" in alerts and "_" not in alerts

        # a tooltip never says "null": what is missing is said in words
        def nulls() -> list[str]:
            return p.eval_on_selector_all(
                "svg [aria-label]",
                "els => els.map(e => e.getAttribute('aria-label'))"
                ".filter(a => /\\b(null|undefined|NaN)\\b/.test(a))",
            )

        assert nulls() == []
        unlisted = p.eval_on_selector_all(
            "#chart-concentration-china svg [aria-label*='Palladium; stage: mining']",
            "els => els.map(e => e.getAttribute('aria-label'))",
        )  # USGS lists no China for palladium mining: its "China not listed" text says so
        assert unlisted and all("China share: not listed by the source" in a for a in unlisted)

        # the commodity picker changes what the charts and notes show
        before = page.labels("trend-production")
        assert any("Rare earths" in a for a in before)
        page.pick("commodity", "gallium")
        after = page.labels("trend-production")
        assert after and all("Rare earths" not in a for a in after)
        assert any("Gallium" in a and "refining" in a for a in after)
        assert "Gallium: China's share of world output" in p.locator("#panel-trend").inner_text()
        notes = p.locator("#panel-concentration .notes").inner_text()
        assert "neither USGS nor IEA publishes mining output of gallium" in notes
        assert "overstates" in p.locator("#panel-trend .notes").inner_text()  # 8112.92 basket
        ec = p.locator("#panel-export_controls").inner_text()
        assert "CN-2023-23" in ec and "Not measurable on annual HS92 trade" in ec
        _shot(page, tmp_path, f"dashboard_{width}_gallium.png")

        # USGS's "E" for rare-earth concentrates is written, not drawn as 0
        nir = p.eval_on_selector_all(
            "#chart-net-import-reliance g.mark-text.role-mark text",
            "els => els.map(e => e.textContent)",
        )
        assert "net exporter (E)" in nir and "0%" not in nir

        # the importer picker too: the import line, its title and the heatmap's columns
        page.pick("commodity", "graphite")
        stock_usa = page.labels("stockpile-cover", "rect")
        assert stock_usa  # USA's graphite suppliers; KOR's differ below
        usa = page.labels("trend-imports")
        assert usa and all("Importer: USA" in a for a in usa)
        page.pick("importer", "KOR")
        kor = page.labels("trend-imports")
        assert kor and all("Importer: KOR" in a for a in kor) and kor != usa
        assert "China's share of KOR's imports" in p.locator("#panel-trend").inner_text()
        assert any("KOR" in a for a in page.labels("heatmap", "rect"))
        assert "KOR" in p.locator("#panel-export_controls th").all_inner_texts()
        stock_kor = page.labels("stockpile-cover", "rect")
        assert stock_kor and stock_kor != stock_usa
        assert nulls() == []

        # a tooltip on tap (touch) or hover (mouse)
        point = p.locator("#chart-trend-production g.mark-symbol.role-mark path").first
        point.scroll_into_view_if_needed()
        box = point.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        if touch:
            p.touchscreen.tap(x, y)
        else:
            p.mouse.move(x, y)
        tip = p.locator("#vg-tooltip-element.visible")
        tip.wait_for(timeout=5000)
        assert "China share" in tip.inner_text() and "Graphite" in tip.inner_text()
        tip_box = tip.bounding_box()
        assert tip_box["x"] >= 0 and tip_box["x"] + tip_box["width"] <= width + 1
        _shot(page, tmp_path, f"dashboard_{width}_tooltip.png", full_page=False)

        assert page.errors == []
        assert all(u.startswith(("file://", "data:")) for u in page.requests), page.requests
    finally:
        page.close()


@needs_chromium
def test_a_panel_whose_table_is_missing_is_left_out(published, tmp_path):
    db = tmp_path / "minerals.duckdb"
    shutil.copy(published / "minerals.duckdb", db)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE marts.import_dependence; DROP TABLE marts.alerts")
    html = build_dashboard(db, tmp_path / "dashboard")
    page = Page(html, 1400, touch=False)
    p = page.page
    try:
        assert p.locator("#panel-heatmap, #panel-alerts, #chart-trend-imports").count() == 0
        assert p.locator("#pick-importer").count() == 0
        absent = p.locator("#absent").inner_text()
        assert "marts.import_dependence" in absent and "marts.alerts" in absent
        assert p.locator("#panel-concentration svg").count() > 0
        assert p.locator("#panel-export_controls th").all_inner_texts()[-1] == "World"
        assert page.errors == []
    finally:
        page.close()


def _runs(months: list[date]) -> int:
    """How many unbroken runs of consecutive months a sorted list of months makes."""
    return sum(
        1
        for i, m in enumerate(months)
        if i == 0 or (m.year - months[i - 1].year) * 12 + m.month - months[i - 1].month > 1
    )


def _check_monthly(page: Page, series: dict, measures: set[str], measure: str) -> int:
    """The picked mineral's monthly charts against the mart; returns how many gaps were drawn."""
    p = page.page
    panel = p.locator("#panel-export_control_monthly")
    expected = {(m, h) for m, h, _ in series if m in measures}
    assert expected and measure in {m for m, _ in expected}
    shown = set(panel.locator(".measure").evaluate_all("els => els.map(e => e.id)"))
    assert shown == {f"monthly-{m}-{h}" for m, h in expected}
    gaps = 0
    for (m, h, d), (months, eff, shared) in series.items():
        if (m, h) not in expected:
            continue
        chart = f"#chart-monthly-{m}-{h}-{d}"
        assert len(page.labels(f"monthly-{m}-{h}-{d}")) == len(months), (m, h, d)
        paths = p.eval_on_selector_all(
            f"{chart} g.mark-line path", "els => els.map(e => e.getAttribute('d') || '')"
        )
        assert [d_.count("M") for d_ in paths] == [_runs(months)], (m, h, d)
        # the rule sits at the effective date on the time axis (labels every 2nd January)
        rule = p.eval_on_selector(
            f"{chart} g.mark-rule line[aria-roledescription='rule mark']",
            "e => e.transform.baseVal.getItem(0).matrix.e",
        )
        ticks = dict(
            p.eval_on_selector_all(
                f"{chart} g.role-axis-label text",
                "els => els.filter(e => /^20\\d\\d$/.test(e.textContent))"
                ".map(e => [e.textContent, e.transform.baseVal.getItem(0).matrix.e])",
            )
        )
        (y0, x0), (y1, x1) = sorted(ticks.items())[:2]
        start = date(int(y0), 1, 1)
        per_day = (x1 - x0) / (date(int(y1), 1, 1) - start).days
        assert abs(rule - (x0 + (eff - start).days * per_day)) < 2, (m, h, d, rule)
        box = panel.locator(f"#monthly-{m}-{h}").inner_text()
        assert ("Upper bounds: HS " + h in box) == shared, (m, h)
        gaps += _runs(months) - 1
    return gaps


@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
def test_monthly_exports_under_each_export_control(published, tmp_path, width):
    """Per measure and code, China's monthly exports to USA, JPN and the rest: one point per
    month the mart has, a gap (a new line segment) for a month it has not, the effective date
    a rule where the time axis puts it, the upper-bound sentence for a shared code; a mineral
    without a monthly series gets a sentence and no chart, with no console error."""
    with duckdb.connect(str(published / "minerals.duckdb"), read_only=True) as con:
        mart = con.execute(
            """SELECT measure_id, hs6, destination, list(period ORDER BY period),
                      any_value(effective), bool_or(is_shared_code)
               FROM marts.export_control_monthly
               WHERE destination IN ('USA', 'JPN', 'OTHERS') GROUP BY ALL"""
        ).fetchall()
        covering = {
            c: {
                m
                for (m,) in con.execute(
                    "SELECT measure_id FROM staging.export_controls "
                    "WHERE list_contains(commodities, ?)",
                    [c],
                ).fetchall()
            }
            for c in ("graphite", "gallium", "rare_earths")
        }
    series = {(m, h, d): (months, eff, shared) for m, h, d, months, eff, shared in mart}
    page = Page(published / "dashboard" / "index.html", width, touch=width < 600)
    p = page.page
    panel = p.locator("#panel-export_control_monthly")
    try:
        gaps = 0
        for commodity, measure in [("gallium", "CN-2023-23"), ("graphite", "CN-2023-39")]:
            page.pick("commodity", commodity)
            gaps += _check_monthly(page, series, covering[commodity], measure)
        assert gaps > 0  # gallium's 811292 skips months to the US and Japan: drawn as gaps
        # the US ban: the months each 12-month window covers, and no change over 12 vs 1 month
        page.pick("commodity", "gallium")
        ban = panel.locator("#monthly-CN-2024-46-811292").inner_text()
        assert (
            "USA: before 2023-12 to 2024-11, 12 of 12 months; after 2024-12, 1 of 12 months; "
            "no change measured: after window incomplete: 1 of 12 months in the data." in ban
        )
        assert page.errors == []
        _shot(page, tmp_path, f"dashboard_{width}_monthly.png", full_page=False)
        panel.screenshot(path=str(tmp_path / f"monthly_{width}_graphite.png"))
        shutil.copy(tmp_path / f"monthly_{width}_graphite.png", ARTIFACTS)

        # rare earths: measures, but none of their codes has a monthly series
        assert covering["rare_earths"] and not covering["rare_earths"] & {m for m, _, _ in series}
        p.select_option("#pick-commodity", "rare_earths")
        p.wait_for_timeout(300)
        assert panel.locator("svg").count() == 0
        assert "No monthly series for rare earths" in panel.locator(".missing").inner_text()
        panel.screenshot(path=str(tmp_path / f"monthly_{width}_rare_earths.png"))
        shutil.copy(tmp_path / f"monthly_{width}_rare_earths.png", ARTIFACTS)

        assert p.evaluate("document.documentElement.scrollWidth") <= width
        assert page.errors == []
        assert all(u.startswith(("file://", "data:")) for u in page.requests), page.requests
    finally:
        page.close()


def _pipeline_truth(db: Path, commodity: str) -> tuple[list[tuple], set[str], list[tuple]]:
    """From the warehouse: the mineral's project lines, every page they cite (capacity, status,
    funding) and its capacity scopes with a project (scope, stage, unit)."""
    with duckdb.connect(str(db), read_only=True) as con:
        lines = con.execute(
            "SELECT p.project, p.verified FROM staging.projects p "
            "JOIN staging.capacity_scopes s USING (scope) WHERE s.commodity = ?",
            [commodity],
        ).fetchall()
        pages = {
            u
            for (u,) in con.execute(
                "SELECT unnest([p.source_url, p.status_source_url]) FROM staging.projects p "
                "JOIN staging.capacity_scopes s USING (scope) WHERE s.commodity = ? "
                "UNION SELECT f.source_url FROM staging.project_funding f "
                "JOIN staging.projects p USING (project_id) "
                "JOIN staging.capacity_scopes s USING (scope) WHERE s.commodity = ?",
                [commodity, commodity],
            ).fetchall()
        }
        scopes = con.execute(
            "SELECT DISTINCT scope, stage, capacity_unit FROM marts.project_capacity "
            "WHERE commodity = ? AND capacity > 0",
            [commodity],
        ).fetchall()
    return lines, pages, scopes


@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
def test_project_panels_in_chromium(published, tmp_path, width):
    """Capacity by year, China vs the rest per scenario, and the pipeline table: the picked
    mineral's charts only, titles that name scope, stage and unit and say capacity is not
    production, IEA's projection drawn, every cited page a real anchor opening a new tab."""
    db = published / "minerals.duckdb"
    page = Page(published / "dashboard" / "index.html", width, touch=width < 600)
    p = page.page
    try:
        for commodity in ("rare_earths", "gallium", "graphite"):
            page.pick("commodity", commodity)
            lines, pages, scopes = _pipeline_truth(db, commodity)
            # capacity by year: one chart per scope with a project, its title says what it counts
            titles = p.locator("#panel-project_capacity h3.chart-title").all_inner_texts()
            assert len(titles) == len(scopes) > 0, (commodity, titles)
            for scope, stage, unit in scopes:
                assert any(stage in t and unit in t for t in titles), (scope, titles)
            assert all("capacity, not production" in t for t in titles), titles
            # China vs the rest: stage, series unit, capacity is not production, IEA's diamond
            outlook = p.locator("#panel-project_outlook h3.chart-title").all_inner_texts()
            assert outlook and all(
                "capacity is not production" in t and "t of " in t for t in outlook
            ), outlook
            with duckdb.connect(str(db), read_only=True) as con:
                (projected,) = con.execute(
                    "SELECT count(DISTINCT (stage, source)) FILTER "
                    "(WHERE iea_china_share_2030 IS NOT NULL) FROM marts.capacity_outlook "
                    "WHERE commodity = ?",
                    [commodity],
                ).fetchone()
            diamonds = p.locator(
                "#panel-project_outlook g.mark-symbol path[aria-label*='IEA 2030, base case']"
            )
            assert diamonds.count() == projected, commodity
            # the title promises the diamond only where it is drawn
            assert sum("red diamond: IEA's 2030 projection" in t for t in outlook) == projected
            assert sum("IEA projects nothing" in t for t in outlook) == len(outlook) - projected
            # the pipeline: one row per line, every page a real anchor in a new tab
            rows = p.locator("#panel-project_pipeline table.pipeline tr")
            assert rows.count() == 1 + len(lines), commodity
            unverified = sum(1 for _, v in lines if v == "unverified")
            assert p.locator("#panel-project_pipeline tr.unverified").count() == unverified
            anchors = p.eval_on_selector_all(
                "#panel-project_pipeline a",
                "els => els.map(a => [a.getAttribute('href'), a.target, a.rel])",
            )
            assert {h for h, _, _ in anchors} == pages, commodity
            assert all(t == "_blank" and "noopener" in r for _, t, r in anchors)
            shot = f"projects_{width}_{commodity}.png"
            for panel in ("project_capacity", "project_outlook", "project_pipeline"):
                p.locator(f"#panel-{panel}").screenshot(path=str(tmp_path / f"{panel}.png"))
            p.locator("#panels").screenshot(path=str(tmp_path / shot))
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(tmp_path / shot, ARTIFACTS / shot)
            for panel in ("project_capacity", "project_outlook", "project_pipeline"):
                shutil.copy(
                    tmp_path / f"{panel}.png", ARTIFACTS / f"{panel}_{width}_{commodity}.png"
                )
        # a mineral without projects: a sentence, no empty chart
        page.pick("commodity", "copper")
        for panel in ("project_capacity", "project_outlook", "project_pipeline"):
            box = p.locator(f"#panel-{panel}")
            assert box.locator("svg, table").count() == 0, panel
            assert "Copper has no" in box.locator(".notes").inner_text(), panel
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        assert page.errors == []
        assert all(u.startswith(("file://", "data:")) for u in page.requests), page.requests
    finally:
        page.close()


@needs_chromium
def test_pipeline_cells_are_text_and_links_only_http(published, tmp_path):
    """A project name holding markup is shown as text, never run; a page that is not an http(s)
    address is not made a link."""
    db = tmp_path / "minerals.duckdb"
    shutil.copy(published / "minerals.duckdb", db)
    markup = '<img src=x onerror="window.hacked=1"></script><script>window.hacked=2</script>'
    with duckdb.connect(str(db)) as con:
        (project_id,) = con.execute(
            "UPDATE staging.projects SET project = ?, source_url = 'javascript:window.hacked=3' "
            "WHERE project_id = (SELECT min(project_id) FROM staging.projects p JOIN "
            "staging.capacity_scopes s USING (scope) WHERE s.commodity = 'gallium') "
            "RETURNING project_id",
            [markup],
        ).fetchone()
    html = build_dashboard(db, tmp_path / "dashboard")
    page = Page(html, 1400, touch=False)
    p = page.page
    try:
        page.pick("commodity", "gallium")
        table = p.locator("#panel-project_pipeline table.pipeline")
        assert markup in table.inner_text()
        assert p.evaluate("window.hacked === undefined")
        assert table.locator("img, script").count() == 0
        assert p.locator("a[href^='javascript']").count() == 0
        assert "capacity: (not a web address)" in table.inner_text(), project_id
        assert page.errors == []
    finally:
        page.close()


@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
def test_prices_panel_in_chromium(published, tmp_path, width):
    """What an analyst could misread in the prices panel: every legend label readable inside its
    chart (a product's purity, a code's stage and "basket" never cut off), each HS code's dash
    drawn in its legend (not a grey dot), no two products of a mineral in one colour, a USGS
    estimate (2025e) a hollow point that says so, and the screens' notes in words."""
    with duckdb.connect(str(published / "minerals.duckdb"), read_only=True) as con:
        products = {
            c: n
            for c, n in con.execute(
                "SELECT commodity_group, count(DISTINCT product) FROM marts.prices "
                "WHERE is_latest_edition AND price_usd_per_kg > 0 AND year >= 2015 GROUP BY 1"
            ).fetchall()
        }
        (n_estimates,) = con.execute(
            "SELECT count(*) FROM marts.prices WHERE is_latest_edition AND price_usd_per_kg > 0 "
            "AND year >= 2015 AND commodity_group = 'rare_earths' AND is_estimate"
        ).fetchone()
    page = Page(published / "dashboard" / "index.html", width, touch=width < 600)
    p = page.page
    panel = p.locator("#panel-prices")
    try:
        page.pick("commodity", "rare_earths")
        assert products["rare_earths"] > 10  # more than one colour scheme of 10 holds

        def legend(chart: str) -> list[tuple[str, float, float]]:
            """Each legend label of a chart: its text, how far its right end lies past the
            chart's, and whether Vega truncated it (the ellipsis)."""
            return p.evaluate(
                """chart => {
                     const box = document.querySelector('#chart-' + chart).getBoundingClientRect();
                     return [...document.querySelectorAll(
                         '#chart-' + chart + ' g.role-legend-label text')]
                       .map(t => [t.textContent, t.getBoundingClientRect().right - box.right]);
                   }""",
                chart,
            )

        usgs = legend("prices-usgs")
        assert len(usgs) == products["rare_earths"]
        assert all(past <= 1 for _, past in usgs), usgs
        names = [text for text, _ in usgs]
        # the purities that tell two products apart are read whole where a phone has room
        assert "gadolinium oxide, 99.999% minimum" in names, names
        assert "gadolinium oxide, 99.99% minimum" in names, names
        colours = p.eval_on_selector_all(
            "#chart-prices-usgs g.role-legend-symbol path",
            "els => els.map(e => e.getAttribute('fill'))",
        )
        assert len(set(colours)) == len(usgs), colours  # no two products in one colour

        codes = legend("prices-unit-values")
        assert all(past <= 1 for _, past in codes), codes
        labels = [text for text, _ in codes]
        assert any(t.startswith("HS 284690 (refining, basket)") for t in labels), labels
        assert any(t.startswith("HS 850511 (manufacturing, basket)") for t in labels), labels
        assert any(t.startswith("HS 284610 (refining) cerium") for t in labels), labels
        dashes = p.eval_on_selector_all(
            "#chart-prices-unit-values g.role-legend-symbol path",
            "els => els.map(e => [e.getAttribute('stroke-dasharray') || '', "
            "e.getAttribute('d') || ''])",
        )
        strokes = [dash for dash, path in dashes if path.startswith("M-10,0L10,0")]  # lines
        codes_shown = [t for t in labels if t.startswith("HS ")]
        assert len(set(strokes)) == len(strokes) == len(codes_shown) == 4, dashes

        # a USGS estimate: a hollow point whose tooltip says it is an estimate
        estimates = p.eval_on_selector_all(
            "#chart-prices-usgs g.mark-symbol path[aria-label*='estimated by USGS']",
            "els => els.map(e => [e.getAttribute('aria-label'), e.getAttribute('fill')])",
        )
        assert estimates and all(f == "#ffffff" for _, f in estimates), estimates
        assert len(estimates) == n_estimates, estimates  # each one the mart marks, no other
        assert any("terbium oxide" in a and "Year: 2025" in a for a, _ in estimates)
        reported = p.eval_on_selector_all(
            "#chart-prices-usgs g.mark-symbol path[aria-label*='Figure: reported']",
            "els => els.map(e => e.getAttribute('fill'))",
        )
        assert reported and "#ffffff" not in reported

        notes = panel.locator(".notes").inner_text()
        assert "flooding screen fires" in notes and "(all of them: minerals prices" in notes
        page.pick("commodity", "gallium")
        (code,) = [t for t, _ in legend("prices-unit-values") if t.startswith("HS ")]
        assert code.startswith("HS 811292 (refining, basket) gallium"), code
        panel.screenshot(path=str(tmp_path / f"prices_{width}_gallium.png"))
        shutil.copy(tmp_path / f"prices_{width}_gallium.png", ARTIFACTS)
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        assert page.errors == []
    finally:
        page.close()
