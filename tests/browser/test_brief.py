"""`minerals brief`'s HTML from the session's real refresh, opened in headless Chromium at 1400
px (mouse) and 390 px (touch): offline, every chart drawn, nothing off the page's edge, a
table's figures readable on a phone, no chart label cut.

Needs `/usr/bin/chromium` and `playwright` (tests/browser/test_dashboard.py says how).
Screenshots go to the test's tmp dir and to tests/_artifacts/ to look at."""

import pytest

from pipelines import cli
from tests.browser.test_dashboard import Page, _shot, needs_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def briefs(published_snapshot, tmp_path_factory):
    """The briefs an analyst would take away: rare earths for the US-Japan bloc (every
    section), gallium for the US (a basket code, an event study with its chart)."""
    out = tmp_path_factory.mktemp("briefs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINERALS_WAREHOUSE_DIR", str(published_snapshot.warehouse_dir))
        for commodity, importer in (("rare_earths", "USA_JPN"), ("gallium", "USA")):
            argv = ["brief", commodity, "--importer", importer, "--out", str(out)]
            assert cli.main([*argv, "--format", "html"]) == 0
    return out


@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("name", ["rare_earths_USA_JPN", "gallium_USA"])
def test_brief_in_chromium(briefs, tmp_path, width, name):
    page = Page(briefs / f"{name}.html", width, touch=width < 600)
    p = page.page
    try:
        _shot(page, tmp_path, f"brief_{name}_{width}.png")
        assert page.errors == []
        assert {u.split(":")[0] for u in page.requests} <= {"file", "data"}  # offline
        charts = p.locator(".vega").count()
        assert charts >= 3 and p.locator(".vega svg").count() == charts

        # nothing off the right edge: the page does not scroll sideways, and no cell is cut
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        beyond = p.evaluate(
            """w => [...document.querySelectorAll('td, th, figcaption, li, h1, h2')]
                 .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > w)
                 .map(e => e.textContent.slice(0, 40))""",
            width,
        )
        assert beyond == [], beyond

        # every figure of a table is shown with what it is: the header above it (wide), or
        # the header beside it (phone: a row is a card of "header: value" lines)
        cells = p.eval_on_selector_all(
            "td",
            """els => els.map(e => [e.dataset.label,
                  getComputedStyle(e, '::before').content.replace(/^"|"$/g, ''),
                  e.closest('table').querySelector('thead').offsetParent !== null])""",
        )
        assert cells
        for label, before, header_shown in cells:
            assert label
            assert header_shown if width > 600 else (before == label and not header_shown)

        # no chart label is cut: a cut one ends in an ellipsis or crosses the chart's edge
        cut = p.evaluate(
            """() => [...document.querySelectorAll('.vega-embed')].flatMap(chart => {
                 const box = chart.getBoundingClientRect();
                 return [...chart.querySelectorAll('g.role-axis-label text, g.role-legend text')]
                   .filter(t => t.textContent.endsWith('…')
                             || t.getBoundingClientRect().right > box.right + 1
                             || t.getBoundingClientRect().left < box.left - 1)
                   .map(t => chart.id + ': ' + t.textContent);
               })"""
        )
        assert cut == [], cut
        sizes = p.eval_on_selector_all(
            ".vega-embed svg text", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(sizes) >= 10, min(sizes)
        footer = p.locator("footer").inner_text()
        assert "Sources and licences" in footer and "Etalab Open Licence 2.0" in footer
    finally:
        page.close()
