"""The static dashboard renders in headless Chromium: every chart draws, no console errors.

Needs `/usr/bin/chromium` (Debian package `chromium`) and the Python package `playwright`; the
test never downloads a browser (`playwright install` is not used).
"""

from datetime import UTC, datetime
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


def _warehouse(path: Path, *, trade: bool) -> Path:
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
    db = _warehouse(tmp_path / "minerals.duckdb", trade=False)
    html = build_dashboard(db, tmp_path / "dashboard")
    manager, browser, page, errors, _ = _open(html)
    try:
        for chart in ["#bars-china", "#bars-hhi", "#lines-production"]:
            assert _drawn(page, chart) > 0, chart
        notes = page.locator(".missing").all_inner_texts()
        assert len(notes) == 2  # the trade lines and the heatmap
        assert all("marts.import_dependence is not in this warehouse yet" in n for n in notes)
        assert errors == []
    finally:
        browser.close()
        manager.stop()
