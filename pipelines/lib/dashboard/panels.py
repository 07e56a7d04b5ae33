"""The dashboard's panels: what each shows, the queries it reads, its data and its charts.

A panel's queries are files, `sql/dashboard/<name>.sql`; the tables it needs are what those files
read (parsed with sqlglot like the models), never typed by hand, and it renders only when every
one is in the published warehouse. `optional` queries add to a panel when their tables are
there (the trade lines of "China's share over time"). A file taking `$importers` needs the
page's importer list too (`page_importers.sql`).

To add a panel (docs/adding.md): a SQL file, and an entry here whose `data(q, ctx)` returns
named row lists from `q.rows("<file stem>", **params)` and whose `charts(data, defaults)`
returns `{chart_id: vega_lite_spec}` (see charts.py); dashboard.js draws every chart of a panel,
follows the pickers through the specs' `commodity` / `importer` params, and shows
`data["<panel id>_notes"]` rows (commodity, note) for the picked commodity.
"""

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.lib.dashboard import charts, data
from pipelines.lib.sql import load_report

# what the page itself reads, and the panel parameters it provides
PAGE_QUERIES = ("page_tables", "page_focus", "page_importers", "page_refreshed")
PAGE_PARAMS = {"importers": "page_importers"}


def query_tables(names: tuple[str, ...]) -> tuple[str, ...]:
    """Every table `sql/dashboard/<name>.sql` of `names` reads, with the tables of the page
    queries that provide their parameters."""
    tables: set[str] = set()
    for name in names:
        query = load_report(f"dashboard/{name}.sql")
        tables.update(query.tables)
        for param in query.params:
            if param in PAGE_PARAMS:
                tables.update(load_report(f"dashboard/{PAGE_PARAMS[param]}.sql").tables)
    return tuple(sorted(tables))


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    note: str
    queries: tuple[str, ...]  # sql/dashboard/<name>.sql
    data: Callable[..., dict]
    charts: Callable[[dict, dict], dict[str, dict]] | None = None
    optional: tuple[str, ...] = ()  # read when their tables are published

    @property
    def needs(self) -> tuple[str, ...]:
        """The tables the panel cannot render without: what its queries read."""
        return query_tables(self.queries)

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table the panel may read (its optional queries' too)."""
        return query_tables(self.queries + self.optional)


PANELS = [
    Panel(
        "concentration",
        "Mining vs refining concentration",
        "China's share of world output and the Herfindahl-Hirschman index (HHI, 0-10,000; "
        "above 2,500 = highly concentrated, dashed lines at 1,500 and 2,500) of each stage, "
        "latest year of the series the headline uses: USGS for mining, IEA for refining where "
        "it publishes it, else USGS. The picked mineral is drawn solid.",
        ("concentration",),
        data.concentration,
        charts.concentration_charts,
    ),
    Panel(
        "trend",
        "China's share over time",
        "China's share of world output (USGS / IEA, no projections), and China's share of "
        "the picked importer's imports by value (CEPII BACI). A year without data is a gap, "
        "not a line across it.",
        ("trend_production",),
        data.trend,
        charts.trend_charts,
        optional=("trend_imports", "trend_codes", "trend_trade_years"),
    ),
    Panel(
        "heatmap",
        "Importer dependence on China",
        "China's share of each importer's imports by value, latest year (EU27 = imports from "
        "outside the EU). Columns: USA, Japan, EU27 and any bloc, plus the picked importer; "
        "'none' = no imports recorded. The picked mineral's rows are outlined.",
        ("heatmap_year", "heatmap"),
        data.heatmap,
        charts.heatmap_charts,
    ),
    Panel(
        "most_concentrated",
        "Most concentrated supply stages",
        "Highest HHI of any mineral, latest year of its headline series; series listing fewer "
        "than three countries are left out.",
        ("most_concentrated",),
        data.most_concentrated,
    ),
    Panel(
        "export_controls",
        "Export controls",
        "China's curated export-control measures. Charts: China's share of the trade in each "
        "measure's HS codes (CEPII BACI), for the world and the picked importer, with the date "
        "the measure takes effect (red dashed line). Shown for the measures that cover the "
        "picked mineral; the table lists every measure.",
        ("export_controls_last_year", "export_controls", "export_controls_series"),
        data.export_controls,
        charts.export_control_chart,
    ),
    Panel(
        "export_control_monthly",
        "China's monthly exports under each export control",
        "For the measures covering the picked mineral: China's exports (value, USD) of each "
        "of the measure's HS codes, month by month, to the USA, Japan and every other partner "
        "(UN Comtrade, China's declarations), each on its own scale; the red dashed line is "
        "the date the measure takes effect. A month with no recorded exports is a gap. Below "
        "each chart: 12 months before against 12 from the effective month, the months the "
        "data cover in each, and a change only where both windows are complete.",
        ("export_control_monthly", "export_control_monthly_series", "export_control_event_study"),
        data.export_control_monthly,
        charts.export_control_monthly_charts,
    ),
    Panel(
        "import_monthly",
        "Monthly imports by origin, current to the month",
        "Importers' own monthly declarations of the controlled national tariff lines (UK HMRC, "
        "Eurostat, US Census, Brazil Comex Stat): value by origin, China in red, for the picked "
        "mineral. A basket line is an upper bound for each element it holds; a publisher's "
        "extract may hold only some partners (said under the chart). Above them, China's own "
        "2025 magnet exports as the press reported them, each month linked to its page.",
        ("import_monthly_series", "import_monthly_by_origin", "press_china_exports"),
        data.import_monthly,
        charts.import_monthly_charts,
    ),
    Panel(
        "net_import_reliance",
        "US net import reliance",
        "USGS's net import reliance of the United States, latest year: (imports - exports +/- "
        "stock changes) / apparent consumption (USGS Mineral Commodity Summaries 2026). Where "
        "USGS prints a flag (E = net exporter, >50, W = withheld) it is written, not drawn.",
        ("net_import_reliance",),
        data.net_import_reliance,
        charts.net_import_reliance_charts,
    ),
    Panel(
        "stockpile_cover",
        "Stockpile cover",
        "If one of the picked importer's own five largest suppliers stopped: six months of "
        "what it ships (BACI, USD; tonnes gross weight of the products named). The supply at "
        "risk says its basis, unit basis and source: imports (BACI gross weight) or, for US "
        "series on USGS's own product, USGS consumption x net import reliance x USGS's "
        "import-source share. Tap a bar for the stockpile in tonnes and the months a 6-month "
        "stockpile covers (docs/stockpile.md).",
        ("stockpile_cover",),
        data.stockpile_cover,
        charts.stockpile_charts,
    ),
    Panel(
        "project_capacity",
        "New capacity outside China by year",
        "Nameplate capacity of the cited projects outside China on each scope, per scenario: as "
        "announced; delayed two years (every project not yet operating); committed only "
        "(operating, under construction or financed). Capacity is what a plant could make, not "
        "what it makes; rows found only on pages of doubtful standing are left out "
        "(docs/projects.md).",
        ("project_capacity_by_year",),
        data.project_capacity,
        charts.project_capacity_charts,
    ),
    Panel(
        "project_outlook",
        "China vs the rest, per scenario",
        "China's share of world output of each series the pipeline adds to, 2024-2030: observed "
        "output up to the latest year, then every other country's output plus its projects' "
        "nameplate times the utilisation assumption, with China on IEA's base-case path. "
        "Scenarios as above (committed only: operating, under construction or financed). The "
        "red diamond is IEA's own 2030 projection; dashed lines at 50% and at the EU's 65% "
        "single-supplier benchmark.",
        ("china_vs_rest_by_scenario",),
        data.project_outlook,
        charts.project_outlook_charts,
    ),
    Panel(
        "project_pipeline",
        "Project pipeline",
        "The picked mineral's projects outside China: status, expected start, nameplate "
        "capacity, public funding and the pages each figure was read from (links open in a new "
        "tab). Unverified rows are kept here and left out of the charts above.",
        ("project_pipeline",),
        data.project_pipeline,
    ),
    Panel(
        "prices",
        "Prices and unit values",
        "USGS's prices of the picked mineral by product (MCS2026, the 2022 Minerals Yearbook, "
        "DS-140; the latest edition of each year; a hollow point is USGS's estimate; a market "
        "quote is not a unit value: hover for the basis and the source USGS cites), and the "
        "trade unit values of its HS codes (CEPII BACI, value over tonnes gross weight, outliers "
        "left out), one dash per code: China's exports, the code's world median and the picked "
        "importer's imports. A basket code's unit value is the mix's, not one mineral's price. "
        "Red dashed lines: export controls taking effect. "
        "In the notes above the charts, the price screens that fire (docs/prices.md).",
        ("prices_usgs", "prices_unit_values", "prices_measures", "prices_screens"),
        data.prices,
        charts.prices_charts,
    ),
    Panel(
        "alerts",
        "Latest alerts",
        "A series turning highly concentrated, China's share up 5 points or more, a new breach "
        "of the EU's 65% single-supplier benchmark, China's monthly exports of an "
        "export-controlled code down by half or more, a price screen's new hit (panel above): the "
        "latest by data year, for the picked mineral and for all.",
        ("alerts_latest", "alerts_by_commodity", "alerts_counts"),
        data.alerts,
    ),
]
