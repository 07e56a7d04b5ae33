"""The static dashboard renders in headless Chromium: every chart draws, no console errors.

Needs `/usr/bin/chromium` (Debian package `chromium`) and the Python package `playwright`; the
test never downloads a browser (`playwright install` is not used).
"""

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.dashboard import build_dashboard

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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    ),
]

# (commodity, stage, source, year, china_share, hhi, top1_iso3, top1_share, n_countries)
CONCENTRATION = [
    ("rare_earths", "mining", "usgs_mcs", 2024, 0.69, 5054, "CHN", 0.69, 12),
    ("rare_earths", "mining", "usgs_mcs", 2025, 0.69, 5054, "CHN", 0.69, 12),
    ("rare_earths", "refining", "iea", 2023, 0.90, 8200, "CHN", 0.90, 6),
    ("rare_earths", "refining", "iea", 2024, 0.91, 8353, "CHN", 0.91, 6),
    ("lithium", "mining", "usgs_mcs", 2024, 0.18, 2100, "AUS", 0.37, 10),
    ("lithium", "mining", "usgs_mcs", 2025, 0.21, 2024, "AUS", 0.30, 10),
    ("lithium", "refining", "iea", 2024, 0.70, 5381, "CHN", 0.70, 5),
    ("cobalt", "mining", "usgs_mcs", 2025, 0.01, 5554, "COD", 0.74, 11),
    ("cobalt", "refining", "iea", 2024, 0.78, 6220, "CHN", 0.78, 7),
    ("gallium", "refining", "usgs_mcs", 2025, 0.99, 9804, "CHN", 0.99, 4),
]
# (importer_iso3, commodity, stage, year, china_share, import_value_usd, top, top_share)
IMPORTS = [
    (imp, com, stg, year, share * (0.6 + 0.02 * (year - 2015)), value, "CHN", 0.8)
    for year in range(2015, 2025)
    for imp, com, stg, share, value in [
        ("USA", "rare_earths", "refining", 0.7, 1.6e8),
        ("JPN", "rare_earths", "refining", 0.6, 1.1e8),
        ("EU27", "rare_earths", "refining", 0.5, 9e7),
        ("USA", "graphite", "mining", 0.4, 5e7),
        ("JPN", "graphite", "mining", 0.8, 6e7),
        ("EU27", "graphite", "mining", 0.5, 8e7),
        ("DEU", "graphite", "mining", 0.5, 4e7),
        ("USA", "cobalt", "refining", 0.1, 3e8),
    ]
]
# (measure_id, effective, status, base covered share, years with trade)
MEASURES = [
    ("CN-2023-39", date(2023, 12, 1), "in_force", 0.5, range(2015, 2025)),
    ("CN-2025-18", date(2025, 4, 4), "suspended", 0.2, range(2018, 2025)),
    ("CN-1999-01", date(1999, 1, 1), "in_force", 0.3, range(1995, 2001)),  # before 2015: left out
]
EXPOSURE = [
    (
        mid,
        imp,
        year,
        "after" if year > eff.year else "before",
        share * k * 1e8,
        1e8,
        share * k,
        mid == "CN-2025-18",
        f"Export licensing {mid}",
        status,
        eff,
    )
    for mid, eff, status, share, years in MEASURES
    for year in years
    for imp, k in [("WORLD", 1 + 0.02 * (year - 2015)), ("USA", 1.2), ("JPN", 1.5), ("KOR", 0.4)]
]
KINDS = ["became_highly_concentrated", "china_share_up_5pts", "new_eu_65pct_breach"]
# (alert_key, kind, year, message): 18 alerts, years 2007-2024
ALERTS = [
    (f"k{i}", KINDS[i % 3], 2007 + i, f"commodity {i:02d}: alert message for {2007 + i}")
    for i in range(18)
]


def _warehouse(path: Path, *, trade: bool, risk: bool = True) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA meta")
        con.execute(
            "CREATE TABLE meta.refresh AS SELECT ?::TIMESTAMPTZ AS refreshed_at",
            [datetime(2026, 2, 15, 11, 0, tzinfo=UTC)],
        )
        con.execute(
            """CREATE TABLE marts.supply_concentration (commodity VARCHAR, stage VARCHAR,
               source VARCHAR, year INTEGER, china_share DOUBLE, hhi DOUBLE, top1_iso3 VARCHAR,
               top1_share DOUBLE, n_countries BIGINT, basis VARCHAR DEFAULT 'production',
               is_projection BOOLEAN DEFAULT false, concentration_band VARCHAR)"""
        )
        con.executemany(
            "INSERT INTO marts.supply_concentration (commodity, stage, source, year, "
            "china_share, hhi, top1_iso3, top1_share, n_countries) VALUES (?,?,?,?,?,?,?,?,?)",
            CONCENTRATION,
        )
        con.execute(
            """UPDATE marts.supply_concentration SET concentration_band = CASE
               WHEN hhi > 2500 THEN 'highly concentrated' WHEN hhi >= 1500
               THEN 'moderately concentrated' ELSE 'unconcentrated' END"""
        )
        if trade:
            con.execute(
                """CREATE TABLE marts.import_dependence (importer_iso3 VARCHAR,
                   commodity VARCHAR, stage VARCHAR, year INTEGER, china_share DOUBLE,
                   import_value_usd DOUBLE, top_supplier_iso3 VARCHAR,
                   top_supplier_share DOUBLE)"""
            )
            con.executemany("INSERT INTO marts.import_dependence VALUES (?,?,?,?,?,?,?,?)", IMPORTS)
        if risk:
            con.execute(
                """CREATE TABLE marts.export_control_exposure (measure_id VARCHAR,
                   importer_iso3 VARCHAR, year INTEGER, period VARCHAR, covered_value_usd DOUBLE,
                   total_value_usd DOUBLE, covered_share DOUBLE, includes_shared_codes BOOLEAN,
                   measure VARCHAR, status VARCHAR, effective DATE)"""
            )
            con.executemany(
                "INSERT INTO marts.export_control_exposure VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                EXPOSURE,
            )
            con.execute(
                """CREATE TABLE marts.alerts (alert_key VARCHAR PRIMARY KEY, kind VARCHAR,
                   source VARCHAR, commodity VARCHAR, stage VARCHAR, basis VARCHAR,
                   year INTEGER, importer_iso3 VARCHAR, previous_value DOUBLE, value DOUBLE,
                   message VARCHAR, first_seen_at TIMESTAMPTZ DEFAULT now(),
                   first_seen_run_id VARCHAR DEFAULT 'run-1')"""
            )
            con.executemany(
                "INSERT INTO marts.alerts (alert_key, kind, year, message) VALUES (?,?,?,?)",
                ALERTS,
            )
    return path


def _open(html: Path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    manager = sync_api.sync_playwright().start()
    browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return manager, browser, page, errors, requests


def _drawn(page, selector: str) -> int:
    return page.locator(f"{selector} svg").locator("rect, path, circle").count()


def test_every_chart_draws_and_the_page_is_self_contained(tmp_path):
    db = _warehouse(tmp_path / "minerals.duckdb", trade=True)
    html = build_dashboard(db, tmp_path / "dashboard")
    assert "<script src" not in html.read_text() and "https://cdn" not in html.read_text()
    manager, browser, page, errors, requests = _open(html)
    try:
        for chart in ["#bars-china", "#bars-hhi", "#lines-production", "#lines-trade", "#heatmap"]:
            assert _drawn(page, chart) > 0, chart
        assert page.locator("#top-table tr").count() == 1 + 7  # header + latest of each stage
        # export controls: a panel per measure with 2015-2024 trade, effective date marked
        panels = page.locator("#export-controls .panel")
        assert panels.count() == 2
        assert "CN-1999-01" not in page.locator("#chart-export-controls").inner_text()
        assert page.locator("#export-controls svg path").count() == 2
        assert page.locator("#export-controls svg circle").count() == 10 + 7
        assert page.locator("#export-controls svg line.effective").count() == 2
        first = panels.nth(0).inner_text()
        assert "in force" in first and "effective 2023-12" in first
        assert "Latest (2024): $59.0M covered, 59.0% of world exports" in first
        second = panels.nth(1).inner_text()
        assert "suspended" in second and "CN-2025-18 *" in second
        rows = page.locator("#export-table tr")
        assert rows.count() == 1 + 2
        assert rows.nth(0).inner_text().split() == [
            "Measure",
            "Effective",
            "Status",
            "Year",
            "World",
            "USA",
            "JPN",
            "KOR",
            "DEU",
        ]
        assert rows.nth(1).locator("td").all_inner_texts()[1:] == [
            "2023-12-01",
            "in force",
            "2024",
            "59.0%",
            "60.0%",
            "75.0%",
            "20.0%",
            "n/a",
        ]
        # alerts: the 15 most recent by data year, a kind badge each, counts by kind
        items = page.locator("#alerts li")
        assert items.count() == 15
        assert items.nth(0).inner_text().startswith("2024")
        assert "commodity 17: alert message for 2024" in items.nth(0).inner_text()
        assert items.nth(14).inner_text().startswith("2010")
        assert page.locator("#alerts li .kind").count() == 15
        counts = page.locator("#alerts .counts").inner_text()
        assert "All alerts: 18" in counts and "china share up 5pts 6" in counts
        assert page.locator(".missing").count() == 0
        assert page.locator("#refreshed").inner_text() == "2026-02-15 11:00 UTC"
        footer = page.locator("footer").inner_text()
        assert "CC BY 4.0" in footer and "Etalab" in footer and "public domain" in footer
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        assert errors == []
        assert all(u.startswith("file://") for u in requests), requests  # no network
    finally:
        browser.close()
        manager.stop()


def test_without_import_dependence_the_trade_charts_say_so(tmp_path):
    db = _warehouse(tmp_path / "minerals.duckdb", trade=False, risk=False)
    html = build_dashboard(db, tmp_path / "dashboard")
    manager, browser, page, errors, requests = _open(html)
    try:
        for chart in ["#bars-china", "#bars-hhi", "#lines-production"]:
            assert _drawn(page, chart) > 0, chart
        notes = page.locator(".missing").all_inner_texts()
        assert len(notes) == 4  # the trade lines, the heatmap, export controls and alerts
        assert all("marts.import_dependence is not in this warehouse yet" in n for n in notes[:2])
        exposure = page.locator("#export-controls .missing").inner_text()
        assert "marts.export_control_exposure is not in this warehouse yet" in exposure
        alerts = page.locator("#alerts .missing").inner_text()
        assert "marts.alerts is not in this warehouse yet" in alerts
        assert page.locator("#export-controls svg, #export-table table, #alerts li").count() == 0
        assert page.locator("#chart-export-controls h2").inner_text() == "Export-control exposure"
        assert errors == []
        assert all(u.startswith("file://") for u in requests), requests
    finally:
        browser.close()
        manager.stop()
