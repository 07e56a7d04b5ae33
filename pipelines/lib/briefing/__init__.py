"""A one-page situation report on one commodity for one importer, from the published warehouse.

`compose(rows, meta)` turns the rows of the `sql/reports/brief_*.sql` files (run by
`pipelines/cli/brief.py`; None for a file whose tables the warehouse lacks) into sections: a
lead in words, tables whose headers carry their units, a scope line per table (commodity,
stage, basis, unit and unit basis, source) and charts. `render.py` writes them as HTML (charts
drawn by the inlined Vega bundle, so it opens offline) and Markdown (charts as SVG files).

Rules kept here, once: production and trade are never mixed in one figure (concentration is
production; the importer's figures are its imports); a basket HS code is called a basket with
its own words wherever it appears; an event-study change is shown only on complete windows;
China's customs figures reported by the press are labelled "press-reported".
"""

import re
from dataclasses import dataclass, field
from datetime import date

from pipelines.lib.briefing import charts
from pipelines.lib.sources.catalog import SOURCES as REGISTRY

STAGE_WORDS = {
    "mining": "mining (ore, concentrate, mine output)",
    "refining": "refining (separated oxides and compounds, chemicals, refined metal)",
    "manufacturing": "manufacturing (magnets, anodes, semi-manufactures)",
}
SOURCE_WORDS = {k: v.name.split(" (")[0] for k, v in REGISTRY.items()}
# sources that are not in the registry: curated seeds citing their own pages, and the press
OTHER_SOURCES = {
    "export_controls": (
        "Export-control measures (curated seed data/seeds/export_controls.csv)",
        "each measure cites its official document",
    ),
    "project_pipeline": (
        "Project pipeline (data/seeds/projects.csv, project_funding.csv)",
        "each row cites the public page it was read from (docs/projects.md)",
    ),
    "press": (
        "China's customs figures as reported by the press (staging.china_customs_press)",
        "press-reported: each figure links the page it was read from; not the warehouse's data",
    ),
}


@dataclass
class Column:
    key: str
    header: str  # carries the unit: "China share of world output (%)"
    fmt: str = "text"  # text | pct | int | t | usd_m | usd | num1 | date | month | bool


@dataclass
class Table:
    caption: str
    scope: str  # what every figure in it counts, and its source
    columns: list[Column]
    rows: list[dict]


@dataclass
class Chart:
    id: str
    title: str  # names what is drawn, its unit and its source
    spec: dict  # Vega-Lite


@dataclass
class Section:
    id: str
    title: str
    lead: list[str] = field(default_factory=list)  # sentences in words, each with its scope
    items: list = field(default_factory=list)  # Table or Chart, in the order shown
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # keys of REGISTRY / OTHER_SOURCES
    absent: str | None = None  # one line when the section's tables are not in the warehouse


@dataclass
class Brief:
    commodity: str
    importer: str
    importer_name: str
    members: list[str]
    refreshed: str
    generated: str
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{label(self.commodity)}: situation report for {self.importer_name}"

    def source_lines(self) -> list[tuple[str, str]]:
        """(name, licence or terms) of every source a section cites, in order of first use."""
        keys = list(dict.fromkeys(k for s in self.sections for k in s.sources))
        out = []
        for k in keys:
            if k in REGISTRY:
                out.append((REGISTRY[k].name, REGISTRY[k].licence))
            elif k in OTHER_SOURCES:
                out.append(OTHER_SOURCES[k])
        return out


def label(commodity: str) -> str:
    return commodity.replace("_", " ").capitalize()


def pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def tonnes(x) -> str:
    return "n/a" if x is None else f"{x:,.0f} t"


def usd_m(x) -> str:
    return "n/a" if x is None else f"${x / 1e6:,.1f}m"


def month(d) -> str:
    return d.strftime("%Y-%m") if isinstance(d, date) else str(d)


def absent_line(what: str, missing: list[str]) -> str:
    return f"{what}: not in this warehouse (it has no {', '.join(missing)})."


# --- sections ----------------------------------------------------------------------------


def concentration(rows: dict, commodity: str) -> Section:
    s = Section("concentration", "Concentration of each stage", sources=["usgs_mcs", "iea"])
    series, producers = rows["brief_concentration"], rows["brief_producers"]
    if series is None:
        s.absent = absent_line("Production concentration", ["marts.supply_concentration"])
        return s
    if not series:
        s.absent = (
            f"Neither USGS nor IEA publishes {label(commodity).lower()} production by country, "
            "so no stage's concentration is measured."
        )
        return s
    for r in series:
        if not r["is_headline"]:
            continue
        china = (
            f"China {pct(r['china_share'])}"
            if r["china_listed"]
            else "China not listed by the source (it may sit in 'Other countries')"
        )
        s.lead.append(
            f"{r['stage'].capitalize()}: {china} of world {measured(r)}; "
            f"top producer {r['top1_country'] or r['top1_iso3']} {pct(r['top1_share'])}, "
            f"HHI {r['hhi']:,.0f} ({r['concentration_band']}); "
            f"{series_label(r['source'], r['edition'])}, {r['year']}."
        )
    stages = {r["stage"] for r in series}
    for stage in ("mining", "refining"):
        if stage not in stages:
            s.notes.append(
                f"{stage.capitalize()}: neither USGS nor IEA publishes {stage} output of "
                f"{label(commodity).lower()} by country, so it is not measured here (trade in "
                "refined products is not refining output)."
            )
    s.items.append(
        Table(
            "Every production series, latest observed year (projections left out); "
            "the headline series of each stage first",
            f"{label(commodity)}; basis: production (never exports); unit and unit basis as "
            "each source words it (column 'measured as'); shares of the world total; "
            "HHI 0-10,000 (US 2010 merger guidelines bands).",
            [
                Column("stage", "Stage"),
                Column("source_label", "Source, edition"),
                Column("year", "Year"),
                Column("measured", "Measured as (unit basis, unit)"),
                Column("world_total", "World total (in that unit)", "num0"),
                Column("china_share", "China share (%)", "pct"),
                Column("top1", "Top producer (%)"),
                Column("top3_share", "Top 3 (%)", "pct"),
                Column("hhi", "HHI", "int"),
                Column("unallocated_share", "Not allocated to a country (%)", "pct"),
            ],
            [
                {
                    **r,
                    "source_label": series_label(r["source"], r["edition"])
                    + (" (headline)" if r["is_headline"] else ""),
                    "measured": measured(r),
                    "top1": f"{r['top1_iso3']} {pct(r['top1_share'])}",
                }
                for r in series
            ],
        )
    )
    if producers:
        for stage in dict.fromkeys(r["stage"] for r in producers):
            part = [r for r in producers if r["stage"] == stage]
            first = part[0]
            title = (
                f"{stage.capitalize()}: five largest producers' share of world "
                f"{measured(first)}, "
                f"{series_label(first['source'], first['edition'])}, {first['year']}"
            )
            s.items.append(
                Chart(
                    f"producers-{stage}",
                    title,
                    charts.share_bars(part, "country", "share", "Share of world total"),
                )
            )
    return s


def dependence(rows: dict, commodity: str, importer: str, importer_name: str) -> Section:
    s = Section("dependence", f"Who supplies {importer_name}", sources=["baci"])
    dep, sup, nir = rows["brief_dependence"], rows["brief_suppliers"], rows["brief_reliance"]
    if dep is None:
        s.absent = absent_line("Import dependence", ["marts.import_dependence"])
        return s
    if not dep:
        s.absent = (
            f"CEPII BACI records no imports of {label(commodity).lower()} products by "
            f"{importer_name}."
        )
        return s
    bloc = " (trade across the bloc's border only)" if len(importer) > 3 else ""
    for r in dep:
        basket = (
            " A basket code: these are the basket's figures, not the mineral's alone."
            if r["includes_basket"]
            else ""
        )
        s.lead.append(
            f"{r['stage'].capitalize()}-stage products ({r['product_label']}), {r['year']}: "
            f"{importer_name}{bloc} imported {usd_m(r['import_value_usd'])}; China "
            f"{pct(r['china_share'])} by value"
            + (
                f", {pct(r['china_share_quantity'])} by gross weight"
                if r["china_share_quantity"] is not None
                else ""
            )
            + f"; top supplier {r['top_supplier'] or r['top_supplier_iso3']} "
            f"{pct(r['top_supplier_share'])}"
            + (
                " (above the EU's 65% single-supplier benchmark)"
                if r["exceeds_eu_65pct_cap"]
                else ""
            )
            + "."
            + basket
            + (
                f" Its {tonnes(r['import_quantity_t'])} exceed the world's production of "
                f"{r['world_production_scope']} that year ({tonnes(r['world_production_t'])}): "
                "the codes hold more than the mineral."
                if r["imports_exceed_world_production"]
                else ""
            )
        )
        if r["basket_note"]:
            s.notes.append(r["basket_note"] + ".")
    s.items.append(
        Table(
            "Imports by stage of the traded products, latest year",
            f"{label(commodity)} products; basis: imports of {importer}{bloc}; value in USD "
            "(CEPII BACI, FOB values), weight in tonnes gross weight (flows reporting a "
            "quantity); shares of the importer's own imports.",
            [
                Column("stage", "Stage of the traded products"),
                Column("product_label", "Products (HS codes)"),
                Column("year", "Year"),
                Column("import_value_usd", "Imports (USD m)", "usd_m"),
                Column("import_quantity_t", "Imports (t gross weight)", "num0"),
                Column("china_share", "China, by value (%)", "pct"),
                Column("china_share_quantity", "China, by weight (%)", "pct"),
                Column("top", "Top supplier, by value (%)"),
                Column("supplier_hhi", "Supplier HHI", "int"),
                Column("basket", "Basket code?"),
            ],
            [
                {
                    **r,
                    "top": f"{r['top_supplier_iso3']} {pct(r['top_supplier_share'])}",
                    "basket": "yes: the basket's figures" if r["includes_basket"] else "no",
                }
                for r in dep
            ],
        )
    )
    if sup:
        for stage in dict.fromkeys(r["stage"] for r in sup):
            part = [r for r in sup if r["stage"] == stage]
            s.items.append(
                Chart(
                    f"suppliers-{stage}",
                    f"{stage.capitalize()}-stage products: {importer}'s five largest "
                    f"suppliers, share of its imports by value (USD), CEPII BACI {part[0]['year']}",
                    charts.share_bars(part, "supplier", "share_value", "Share of imports"),
                )
            )
    if nir:
        s.sources.append("usgs_mcs")
        member = "" if importer == "USA" else f" (the United States, a member of {importer})"
        for r in nir:
            product = r["product"] or "the whole commodity"
            if r["nir_pct"] is not None:
                figure = f"{r['nir_pct']:.0f}% of apparent consumption"
            else:
                figure = {"net_exporter": "a net exporter (E)"}.get(
                    r["nir_flag"], f"printed as {r['nir_raw']}"
                )
            sources = (
                f"; USGS's import sources: {r['top_import_sources']}"
                if r["top_import_sources"]
                else ""
            )
            s.lead.append(
                f"US net import reliance{member}, {product}, {r['year']}: {figure} "
                f"(USGS MCS2026, tonnes){sources}."
            )
    return s


def controls(rows: dict, commodity: str, importer: str) -> Section:
    s = Section("controls", "What the export controls did", sources=["export_controls"])
    measures = rows["brief_measures"]
    if measures is None:
        s.absent = absent_line("Export controls", ["staging.export_controls"])
        return s
    if not measures:
        s.absent = f"No curated export-control measure covers {label(commodity).lower()}."
        return s
    s.items.append(
        Table(
            "China's measures on the commodity",
            "Curated from the official notices (seed data/seeds/export_controls.csv).",
            [
                Column("measure_id", "Measure"),
                Column("measure", "What it does"),
                Column("effective", "Effective", "date"),
                Column("status", "Status now"),
                Column("target", "Target"),
                Column("hs6_announced", "HS codes named"),
            ],
            [
                {
                    **m,
                    "target": m["target_iso3"] or "every destination",
                    "status": (m["status"] or "").replace("_", " "),
                }
                for m in measures
            ],
        )
    )
    study, left_out = rows["brief_event_study"], rows["brief_event_left_out"]
    if study is None:
        s.notes.append(absent_line("China's monthly exports", ["marts.export_control_event_study"]))
    elif not study and not left_out:
        s.notes.append(
            "China's monthly exports: the warehouse's UN Comtrade extract has no monthly series "
            "of China's exports of this commodity's controlled codes, so no event study."
        )
    else:
        s.sources.append("comtrade")
        if study:
            s.items.append(
                Table(
                    "China's exports before vs after each measure, complete windows only",
                    "China's monthly export declarations (UN Comtrade), value in USD (m), "
                    "equal windows before the effective month and from it on; 'change' only "
                    "where both windows are covered month by month; a basket code's change is "
                    "the code's, not the mineral's (upper bound).",
                    [
                        Column("measure_id", "Measure"),
                        Column("hs6_label", "HS code"),
                        Column("destination", "To"),
                        Column("window_months", "Window (months)", "int"),
                        Column("before", "Before: months covered"),
                        Column("after", "After: months covered"),
                        Column("value_before_usd", "Before (USD m)", "usd_m"),
                        Column("value_after_usd", "After (USD m)", "usd_m"),
                        Column("value_change", "Change (%)", "pct"),
                    ],
                    [
                        {
                            **r,
                            "hs6_label": basket_label(r),
                            "destination": "every partner"
                            if r["destination"] == "ALL"
                            else r["destination"],
                            "before": window(r, "before"),
                            "after": window(r, "after"),
                        }
                        for r in study
                    ],
                )
            )
            for note, hs6, words in dict.fromkeys(
                (r["shared_code_note"], r["hs6"], r["basket_words"])
                for r in study
                if r["shared_code_note"]
            ):
                s.notes.append(f"{note} (HS {hs6}: {words or 'a basket'}).")
            s.items.append(
                Chart(
                    "event-study",
                    "Change in China's exports, after vs before"
                    + (
                        f" {study[0]['measure_id']}, HS {basket_label(study[0])}"
                        if len({(r["measure_id"], r["hs6"]) for r in study}) == 1
                        else ""
                    )
                    + " (complete windows; UN Comtrade, USD)",
                    charts.event_bars(study),
                )
            )
        if left_out:
            reasons = dict.fromkeys(
                r["change_null_reason"] for r in left_out if r["change_null_reason"]
            )
            s.notes.append(
                f"{len(left_out)} window(s) left out as incomplete ("
                + "; ".join(list(reasons)[:3])
                + ")."
            )
    monthly, partner_study = rows["brief_partner_monthly"], rows["brief_partner_event_study"]
    if monthly is None:
        s.notes.append(absent_line("Importers' own monthly declarations", ["marts.import_monthly"]))
    elif monthly:
        keys = sorted({r["source"] for r in monthly})
        s.sources.extend(keys + ["ecb"])
        lines = dict.fromkeys((r["importer_iso3"], r["code"], r["scope_label"]) for r in monthly)
        for imp, code, scope in lines:
            part = [r for r in monthly if (r["importer_iso3"], r["code"]) == (imp, code)]
            months = f"{month(part[0]['period'])}..{month(part[-1]['period'])}"
            s.notes.append(
                f"{imp}'s own monthly imports, {scope} ({months}, {len(part)} month(s), "
                f"USD, {part[0]['valuation']} value)."
            )
            if len(part) >= 3:  # one or two months are said in words, not drawn
                s.items.append(
                    Chart(
                        f"partner-{imp}-{code}",
                        f"{imp}'s monthly imports, {scope}: from China and from every origin "
                        f"(USD, {part[0]['valuation']} value; "
                        f"{SOURCE_WORDS.get(part[0]['source'], part[0]['source'])})",
                        charts.partner_lines(part),
                    )
                )
        if partner_study:
            s.items.append(
                Table(
                    "The importer's own imports from China around each measure, complete windows",
                    "The importer's monthly declarations (national tariff lines), value in USD.",
                    [
                        Column("measure_id", "Measure"),
                        Column("importer_iso3", "Importer"),
                        Column("scope_label", "Line"),
                        Column("window_name", "Window (months)"),
                        Column("value_before_usd", "From China before (USD m)", "usd_m"),
                        Column("value_after_usd", "From China after (USD m)", "usd_m"),
                        Column("value_change", "Change (%)", "pct"),
                        Column("china_share_before", "China share before (%)", "pct"),
                        Column("china_share_after", "China share after (%)", "pct"),
                    ],
                    partner_study,
                )
            )
        else:
            s.notes.append(
                "No measure on the commodity has a complete window in the importer's own "
                "monthly data yet, so no before/after change is given from it."
            )
    press = rows["brief_press"]
    if press:
        s.sources.append("press")
        for series in dict.fromkeys(r["series"] for r in press):
            part = [r for r in press if r["series"] == series]
            first = part[0]
            s.items.append(
                Chart(
                    f"press-{series}",
                    f"Press-reported: China's exports of {product_words(first['product'])} "
                    f"({first['stage']}) by month, {first['unit']}, to the world and to "
                    f"{importer} or its members (China customs as the press reported them)",
                    charts.press_lines(part),
                )
            )
        latest = {}
        for r in press:  # the latest month of each series and destination, with its page
            latest[(r["series"], r["partner_iso3"])] = r
        s.items.append(
            Table(
                "Press-reported: the latest month of each series, with the page it was read from",
                "China's customs figures on the commodity as outlets reported them "
                "(staging.china_customs_press): press-reported, not the warehouse's data, never "
                "compared with it; every month's page: `minerals monitor`.",
                [
                    Column("product", "Product"),
                    Column("to", "To"),
                    Column("month", "Month", "month"),
                    Column("amount", "Exports (unit)"),
                    Column("outlet", "Reported by"),
                    Column("url", "Page"),
                ],
                [
                    {
                        **r,
                        "product": product_words(r["product"]),
                        "to": "the world" if r["partner_iso3"] == "WLD" else r["partner_iso3"],
                        "amount": f"{r['quantity']:,.0f} {r['unit']}",
                    }
                    for r in latest.values()
                ],
            )
        )
    return s


def basket_label(r: dict) -> str:
    """An event-study row's HS code, a basket named in words: "811292 (a basket: gallium,
    germanium and other metals; upper bound)"."""
    if not r["is_shared_code"]:
        return r["hs6"]
    words = r["basket_words"] or "holds more than the controlled items"
    return f"{r['hs6']} (a basket: {words}; upper bound)"


def window(r: dict, side: str) -> str:
    """The months an event-study window covers: "2023-02 to 2023-07 (6)"."""
    return (
        f"{month(r[f'{side}_covered_from'])} to {month(r[f'{side}_covered_to'])} "
        f"({r[f'months_{side}']})"
    )


def stockpile(rows: dict, commodity: str, importer: str) -> Section:
    s = Section("stockpile", "Stockpile cover", sources=["baci"])
    cover = rows["brief_stockpile"]
    if cover is None:
        s.absent = absent_line("Stockpile cover", ["marts.stockpile_cover"])
        return s
    if not cover:
        s.absent = f"No stockpile-cover figure for {importer} and {label(commodity).lower()}."
        return s
    if any(r["basis"] == "usgs_nir" for r in cover):
        s.sources.append("usgs_mcs")
    for stage in dict.fromkeys(r["stage"] for r in cover):
        top = next(r for r in cover if r["stage"] == stage)
        products = f" ({top['product_label']})" if top["product_label"] else ""
        s.lead.append(
            f"{stage.capitalize()}-stage products{products}, {top['year']}: if "
            f"{top['supplier'] or top['supplier_iso3']} stopped, {importer} would lose "
            f"{tonnes(top['annual_at_risk_t'])} a year "
            f"({basis_words(top['basis'])}); six months of cover is "
            f"{tonnes(top['stockpile_6m_t'])}, about {usd_m(top['stockpile_6m_value_usd'])} at "
            f"{importer}'s import unit value."
        )
    s.items.append(
        Table(
            "If one of the five largest exporters it buys from stopped, latest year",
            f"{label(commodity)} products, {importer}"
            + (
                " (a basket code: its trade figures, tonnes, shares and unit values, are "
                "the basket's)"
                if any(r["includes_basket"] for r in cover)
                else ""
            )
            + "; tonnes: "
            + "; ".join(basis_words(b) for b in dict.fromkeys(r["basis"] for r in cover))
            + "; value at the importer's own import unit value (BACI, USD).",
            [
                Column("stage", "Stage"),
                Column("supplier", "Supplier stops"),
                Column("supplier_share_quantity", "Its share of import tonnes (%)", "pct"),
                Column("annual_at_risk_t", "Lost a year (t)", "num0"),
                Column("stockpile_6m_t", "6-month stockpile (t)", "num0"),
                Column("stockpile_6m_value_usd", "6-month stockpile (USD m)", "usd_m"),
                Column("stocks", "Stocks held (months of the loss)"),
            ],
            [
                {
                    **r,
                    "supplier": r["supplier"] or r["supplier_iso3"],
                    "basis_words": basis_words(r["basis"]),
                    "stocks": stocks_words(r),
                }
                for r in cover
            ],
        )
    )
    if len({r["basis"] for r in cover}) > 1:  # rows on two bases: each says its own
        s.items[-1].columns.insert(2, Column("basis_words", "Tonnes measured as"))
    return s


def basis_words(basis: str) -> str:
    return {
        "net_imports": "net imports, t gross weight (BACI)",
        "usgs_nir": "US consumption x net import reliance, t (USGS)",
    }.get(basis, basis)


def stocks_words(r: dict) -> str:
    parts = []
    if r["government_stocks_months"] is not None:
        parts.append(f"government {r['government_stocks_months']:.1f}")
    if r["industry_stocks_months"] is not None:
        parts.append(f"industry {r['industry_stocks_months']:.1f}")
    return ", ".join(parts) or "not published"


def projects(rows: dict, commodity: str, importer: str) -> Section:
    s = Section("projects", "Projects and the capacity outlook", sources=["project_pipeline"])
    capacity, outlook, origin = (
        rows["brief_project_capacity"],
        rows["brief_outlook"],
        rows["brief_refined_origin"],
    )
    if capacity is None and outlook is None and origin is None:
        s.absent = absent_line(
            "Projects and outlook",
            ["marts.project_capacity", "marts.capacity_outlook", "marts.refined_origin"],
        )
        return s
    if capacity is None:
        s.notes.append(absent_line("Project capacity", ["marts.project_capacity"]))
    elif not capacity:
        s.notes.append(f"No cited project outside China adds {label(commodity).lower()} capacity.")
    else:
        for scope in dict.fromkeys(r["scope"] for r in capacity):
            part = [r for r in capacity if r["scope"] == scope]
            first = part[0]
            s.items.append(
                Chart(
                    f"capacity-{scope}",
                    f"{first['product']} ({first['stage']}): nameplate capacity outside "
                    f"China, {first['capacity_unit']} per year, by scenario (capacity, not "
                    "production)",
                    charts.capacity_lines(part, first["capacity_unit"]),
                )
            )
            last = {r["scenario"]: r for r in part if r["year"] == 2030}
            if "as_announced" in last:
                a, c = last["as_announced"], last.get("committed_only")
                s.lead.append(
                    f"{first['product']} ({first['stage']}): {a['capacity']:,.0f} "
                    f"{first['capacity_unit']} a year of nameplate capacity outside China by "
                    "2030 as announced"
                    + (f", {c['capacity']:,.0f} counting committed projects only" if c else "")
                    + " (cited project pipeline)."
                )
    if outlook is None:
        s.notes.append(absent_line("Capacity outlook", ["marts.capacity_outlook"]))
    elif outlook:
        s.sources.extend(sorted({r["source"] for r in outlook}))
        s.items.append(
            Table(
                "China's share of world output in 2030 per scenario, beside IEA's projection",
                "Production on each series' own unit (column 'unit'): observed output to the "
                "base year, then the pipeline's nameplate x utilisation; China on IEA's "
                "base-case path.",
                [
                    Column("stage", "Stage"),
                    Column("unit", "Unit of output"),
                    Column("scenario", "Scenario"),
                    Column("china_share", "China 2030 (%)", "pct"),
                    Column("iea_china_share_2030", "IEA's own 2030 (%)", "pct"),
                    Column("pipeline_output_added_t", "Output added (that unit)", "num0"),
                    Column("shortfall_50pct_output_t", "Short of China < 50% (that unit)", "num0"),
                    Column("shortfall_65pct_output_t", "Short of China < 65% (that unit)", "num0"),
                ],
                [{**r, "scenario": r["scenario"].replace("_", " ")} for r in outlook],
            )
        )
    if origin is None:
        s.notes.append(absent_line("Look-through of refined imports", ["marts.refined_origin"]))
    elif origin:
        s.sources.extend(["baci", "usgs_mcs"])
        first = origin[0]
        s.items.append(
            Table(
                f"Where {importer}'s refined imports come from upstream, {first['year']}",
                f"Refined imports in {first['content_unit']} (content): {first['refined_basis']}. "
                f"Look-through: the exporters' feed, own output ({first['own_feed_basis']}) plus "
                f"feed imports ({first['feed_import_basis']}), in proportion."
                + (
                    " Includes a basket HS code: upper bound."
                    if first["includes_shared_codes"]
                    else ""
                ),
                [
                    Column("origin", "Origin"),
                    Column("direct_share", "Direct exporter (%)", "pct"),
                    Column("lookthrough_share", "Origin of the feed (%)", "pct"),
                    Column("lookthrough_t", f"Look-through ({first['content_unit']})", "num0"),
                ],
                [{**r, "origin": r["origin"] or r["origin_iso3"]} for r in origin],
            )
        )
    return s


SCREEN_SOURCES = {  # the sources a screen's figures come from (docs/prices.md)
    "flooding": ["baci"],
    "price discrimination": ["baci", "comtrade"],
    "control premium": ["baci", "comtrade"],
    "USGS price vs unit value": ["usgs_mcs", "baci"],
}
MANY_SERIES = 6  # more price lines than this: draw each line's latest change, not the lines


def prices(rows: dict, commodity: str) -> Section:
    s = Section("prices", "Prices", sources=["usgs_mcs"])
    series, lines = rows["prices_usgs"], rows["brief_prices"]
    if series is None:
        s.absent = absent_line("Prices", ["marts.prices"])
        s.sources = []
        return s
    name = label(commodity).lower()
    if not series:
        s.notes.append(f"USGS prints no price of {name} in the bundled editions.")
    else:
        if any("MYB" in r["USGS edition"] or "DS140" in r["USGS edition"] for r in series):
            s.sources.append("usgs_myb")
        bases = {}
        for r in series:
            basis = r["basis"].split(",")[0]
            bases[basis] = bases.get(basis, 0) + 1
        s.lead.append(
            f"USGS prints {len(series)} price series of {name} ("
            + ", ".join(f"{basis} {n}" for basis, n in bases.items())
            + "): each is one product at its stated purity, on its own basis and unit; a market "
            "quote is not a unit value."
        )
        s.items.append(
            Table(
                "USGS price series, the latest edition of each year from 2018",
                f"{label(commodity)}: one row per product (purity as USGS prints it), price basis "
                "and unit; unit basis: the product as sold or its content; e = estimated; "
                "[measure] = an export control on it took effect that year; source: USGS "
                "(the edition column), citing the publisher of the quote.",
                [
                    Column("product", "Product (purity)"),
                    Column("basis", "Price basis, terms"),
                    Column("unit", "Unit"),
                    Column("unit basis", "Unit basis"),
                    Column("by year (latest edition)", "By year"),
                    Column("last change %", "Last change (%)", "num1"),
                    Column("USGS edition", "USGS edition"),
                    Column("source USGS cites", "Source USGS cites"),
                ],
                series,
            )
        )
    priced = [r for r in lines or [] if r["price_usd_per_kg"] is not None]
    keys = list(dict.fromkeys((r["product"], r["price_basis"]) for r in priced))
    if 0 < len(keys) <= MANY_SERIES:
        s.items.append(
            Chart(
                "prices",
                "USGS price lines, US dollars per kilogram of each product's unit "
                "basis (log scale)",
                charts.price_lines(priced),
            )
        )
    elif keys:
        changes = latest_changes(lines)
        if changes:
            year = changes[0]["year"]
            s.items.append(
                Chart(
                    "price-changes",
                    f"USGS prices: change {year - 1} to {year}"
                    + ("e (estimated)" if any(r["is_estimate"] for r in changes) else "")
                    + " of each series printed for both years, % of its own price (USGS)",
                    charts.change_bars(changes),
                )
            )
    screens, baskets = rows["prices_screens"], rows["brief_price_baskets"] or []
    if screens is None:
        s.notes.append(absent_line("Price screens", ["marts.screen_*"]))
        return s
    for r in baskets:
        s.notes.append(
            f"{basket_words(r)}: a basket code, so no screen fires on it and its unit value is "
            f"the mix's, not the price of {name}."
        )
    if not screens:
        s.lead.append(
            f"No price screen fires on {name} (flooding, price discrimination, control premium, "
            "USGS price vs unit value; docs/prices.md)."
        )
        return s
    counts = {k: sum(r["screen"] == k for r in screens) for k in dict.fromkeys(SCREEN_SOURCES)}
    s.lead.append(
        f"Price screens that fire on {name}: "
        + ", ".join(f"{k} {n}" for k, n in counts.items() if n)
        + ". A screen says where to look, never what happened (docs/prices.md)."
    )
    for k, n in counts.items():
        if n:
            s.sources.extend(x for x in SCREEN_SOURCES[k] if x not in s.sources)
    if any("(importer (" in r["evidence"] for r in screens):  # an importer's own lines
        s.sources.extend(
            k
            for k in ("hmrc", "comex", "uscensus", "eurostat")
            if any(f"(importer ({k})" in r["evidence"] for r in screens)
        )
    s.items.append(
        Table(
            "Price screens that fire, the latest first",
            f"The HS codes and national lines of {name}, each named in the evidence with "
            "its scope: unit values in USD per tonne gross weight of what is declared (BACI: FOB, "
            "reconciled; China's declarations: FOB; an importer's own lines: CIF); every "
            "importer and destination the screens test, not only this brief's.",
            [
                Column("screen", "Screen"),
                Column("when", "When (measure, window)"),
                Column("evidence", "Evidence (scope, figures, basis)"),
            ],
            screens,
        )
    )
    return s


def basket_words(r: dict) -> str:
    """A basket code in words: "HS 811292: gallium, germanium and other metals; upper bound"
    (several minerals), "HS 284690: rare-earth compounds other than cerium; several elements,
    not one element's price"."""
    if r["basket"] == "commodity":
        return f"HS {r['hs6']}: {r['product']}; upper bound"
    return f"HS {r['hs6']}: {r['product']}; several elements, not one element's price"


def latest_changes(lines: list[dict]) -> list[dict]:
    """Each series printed for the latest year: its change from the year before, in its own
    unit (the normalised price, so a $/mtu series compares with itself)."""
    last = max(r["year"] for r in lines)
    out = []
    for key in dict.fromkeys((r["product"], r["price_basis"]) for r in lines):
        part = {r["year"]: r for r in lines if (r["product"], r["price_basis"]) == key}
        now, before = part.get(last), part.get(last - 1)
        if now and before and now["price_normalised"] and before["price_normalised"]:
            out.append(
                {
                    **now,
                    "change": now["price_normalised"] / before["price_normalised"] - 1,
                }
            )
    return sorted(out, key=lambda r: r["change"])


def source_name(key: str) -> str:
    return {"usgs_mcs": "USGS MCS", "iea": "IEA", "baci": "CEPII BACI"}.get(key, key)


def product_words(product: str) -> str:
    """The press table's product: "terbium (product as the page names it)" reads "terbium
    (as each page names it)"."""
    return product.replace("(product as the page names it)", "(as each page names it)")


def series_label(source: str, edition: str) -> str:
    """ "USGS MCS2026", "IEA CMDE 2025": the edition names the source once."""
    return f"USGS {edition}" if source == "usgs_mcs" else edition


UNIT_BASIS_WORDS = {"content": "content", "gross_weight": "gross weight"}


def measured(r: dict) -> str:
    """What a production series measures and its unit: the reviewed product and unit basis
    (data/seeds/production_scope.csv), "mined rare earths, all elements (REO equivalent),
    tonnes (content)"; without them the source's words, IEA's "(nd, pr, dy, tb), kt" (figures
    already converted to t) read "(Nd, Pr, Dy, Tb), tonnes"."""
    unit = "tonnes" if r["unit"] == "t" else r["unit"]
    if r.get("product"):
        basis = UNIT_BASIS_WORDS.get(r.get("unit_basis"), r.get("unit_basis"))
        return f"{r['product']}, {unit}" + (f" ({basis})" if basis else "")
    words = re.sub(r",\s*(kt|t)$", "", (r.get("measure") or "production").strip())
    words = re.sub(
        r"\(([a-z]{1,2}(?:, [a-z]{1,2})+)\)",
        lambda m: "(" + ", ".join(e.capitalize() for e in m.group(1).split(", ")) + ")",
        words,
    )
    return f"{words}, {unit}"


def compose(rows: dict, meta: dict) -> Brief:
    """The brief from `rows` ({query name: list of dict rows, or None when its tables are not
    in the warehouse}) and `meta` (commodity, importer, importer_name, members, refreshed)."""
    c, i, name = meta["commodity"], meta["importer"], meta["importer_name"]
    sections = [
        concentration(rows, c),
        dependence(rows, c, i, name),
        controls(rows, c, i),
        stockpile(rows, c, i),
        projects(rows, c, i),
        prices(rows, c),
    ]
    return Brief(
        commodity=c,
        importer=i,
        importer_name=name,
        members=meta.get("members", []),
        refreshed=meta["refreshed"],
        generated=meta["generated"],
        sections=sections,
    )
