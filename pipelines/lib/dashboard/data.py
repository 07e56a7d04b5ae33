"""What the dashboard shows, as plain rows read from the published warehouse.

`dashboard_data(con)` returns a dict of lists of dicts (JSON-ready). Each panel (see
`panels.py`) reads its own `sql/dashboard/*.sql` files through a `Reader`, and Python adds
labels and notes in words; a panel whose tables are missing is left out.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import duckdb

from pipelines.lib.sql import load_report

# Importers in the picker and the heatmap; any bloc code in marts.import_dependence (longer than
# an ISO3 code: EU27, USA_JPN) is added after them.
IMPORTERS = ("USA", "JPN", "EU27", "KOR", "DEU")
HEATMAP_IMPORTERS = ("USA", "JPN", "EU27")
STAGES = [
    {
        "stage": "mining",
        "label": "Mining",
        "what": "mine output, ores and concentrates",
    },
    {
        "stage": "refining",
        "label": "Refining",
        "what": "refined metal, oxides, salts and chemicals (separated rare-earth oxides, "
        "lithium carbonate, cobalt metal)",
    },
    {
        "stage": "manufacturing",
        "label": "Manufacturing",
        "what": "articles made from the refined material, e.g. rare-earth permanent magnets "
        "(HS 8505.11) or semi-manufactured platinum",
    },
]
SOURCE_LABELS = {"usgs_mcs": "USGS", "iea": "IEA", "baci": "BACI"}
EXPORT_CONTROL_FROM = 2010
MEASURABLE_TRADE_USD = 10_000_000  # world trade in a measure's codes below this: not read


class Reader:
    """Runs the `sql/dashboard/<name>.sql` files one panel declares, and no other: a panel's
    inputs are what its files read (`Panel.needs`), so it cannot read a table it does not
    declare."""

    def __init__(self, con: duckdb.DuckDBPyConnection, names: Iterable[str]):
        self.con = con
        self.names = frozenset(names)

    def rows(self, name: str, **params) -> list[dict]:
        if name not in self.names:
            raise KeyError(f"sql/dashboard/{name}.sql is not one of this panel's queries")
        cur = load_report(f"dashboard/{name}.sql").run(self.con, **params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def value(self, name: str, **params):
        """The first column of the first row."""
        (row,) = self.rows(name, **params)
        return next(iter(row.values()))


def rows_of(name: str) -> Callable[[Reader, dict], dict]:
    """The data function of a panel that shows one file's rows as they are: `{name: rows}`,
    with `$importers` bound to the page's importers when the file takes it."""

    def read(q: Reader, ctx: dict) -> dict:
        takes = load_report(f"dashboard/{name}.sql").params
        params = {"importers": ctx["importers"]} if "importers" in takes else {}
        return {name: q.rows(name, **params)}

    return read


def tables(q: Reader) -> set[str]:
    return {f"{r['schema_name']}.{r['table_name']}" for r in q.rows("page_tables")}


def focus_commodities(q: Reader) -> list[str]:
    """The seed `data/seeds/focus_commodities.csv`, in its order (the headline's minerals)."""
    return [r["commodity"] for r in q.rows("page_focus")]


def label(commodity: str) -> str:
    return commodity.replace("_", " ").capitalize()


# --- panels' data -------------------------------------------------------------------------


def concentration(q: Reader, ctx: dict) -> dict:
    """The headline figure per focus (commodity, stage), and in words what is not measured."""
    focus = ctx["focus"]
    latest = q.rows("concentration")
    _label(latest)
    have = {(r["commodity"], r["stage"]) for r in latest}
    notes = []
    for commodity in focus:
        for stage in ("mining", "refining"):
            if (commodity, stage) not in have:
                notes.append(
                    {
                        "commodity": commodity,
                        "stage": stage,
                        "note": f"{stage}: neither USGS nor IEA publishes {stage} output of "
                        f"{label(commodity).lower()} by country, so it is not measured.",
                    }
                )
    for r in latest:
        if not r["china_listed"]:
            notes.append(
                {
                    "commodity": r["commodity"],
                    "stage": r["stage"],
                    "note": f"{r['stage']}: {r['source_label']} {r['year']} does not list China "
                    "(it may sit in 'Other countries'), so no China share is shown.",
                }
            )
    return {"concentration": latest, "concentration_notes": notes}


def most_concentrated(q: Reader, ctx: dict) -> dict:
    """The most concentrated stages of any mineral (headline series, three or more countries)."""
    return {"top_concentrated": _label(q.rows("most_concentrated"))}


def trend(q: Reader, ctx: dict) -> dict:
    """Every year of each headline series (a null row for a year the source skipped, drawn as
    a gap) and, with trade, China's share of each picked importer's imports."""
    out = {"production_series": _label(q.rows("trend_production"))}
    if "marts.import_dependence" in ctx["tables"]:
        out.update(import_series(q, ctx))
    return out


def _label(items: list[dict]) -> list[dict]:
    for r in items:
        r["label"] = label(r["commodity"])
        if "source" in r:
            r["source_label"] = SOURCE_LABELS.get(r["source"], r["source"])
    return items


def importers(q: Reader) -> list[str]:
    present = {r["importer_iso3"] for r in q.rows("page_importers")}
    blocs = sorted(i for i in present if len(i) > 3)
    return [i for i in IMPORTERS if i in present] + [b for b in blocs if b not in IMPORTERS]


def _trade_notes(q: Reader, focus: list[str]) -> list[dict]:
    """In words, per focus (commodity, stage): what trade data can and cannot measure."""
    mapped = {(c["commodity"], c["stage"]): c for c in q.rows("trend_codes")}
    years = {(r["commodity"], r["stage"]): r for r in q.rows("trend_trade_years")}
    last = max((r["data_last_year"] for r in years.values()), default=None)
    notes = []
    for commodity in focus:
        for stage in ("mining", "refining", "manufacturing"):
            c = mapped.get((commodity, stage))
            ys = years.get((commodity, stage), {}).get("years") or []
            note = _trade_note(commodity, stage, c, ys, last)
            if note:
                notes.append({"commodity": commodity, "stage": stage, "note": note})
    return notes


def _trade_note(commodity: str, stage: str, codes: dict | None, ys: list[int], last: int):
    if codes is None:  # no manufacturing code is normal; a missing mining/refining code is not
        if stage == "manufacturing":
            return None
        return (
            f"{stage}: no HS code in BACI's HS92 or HS2017 extract is "
            f"{label(commodity).lower()} {stage} alone, so trade cannot measure it."
        )
    nomenclature = codes["nomenclature"].replace("HS17", "HS2017")
    parts = [f"{stage}: HS {codes['codes']} ({nomenclature})"]
    if not ys:
        parts.append("no recorded trade")
    elif len(ys) < ys[-1] - ys[0] + 1:
        gaps = sorted(set(range(ys[0], ys[-1] + 1)) - set(ys))
        parts.append(
            f"{', '.join(map(str, ys))} only; no data for "
            f"{', '.join(map(str, gaps))} (shown as a gap)"
        )
    else:
        parts.append(f"{ys[0]}-{ys[-1]}")
    if ys and ys[-1] < last:
        parts.append(f"the code has no trade after {ys[-1]}")
    if codes["shared"]:
        parts.append(f"{codes['product_label']}: a basket, so it overstates")
    return "; ".join(parts) + "."


def import_series(q: Reader, ctx: dict) -> dict:
    """China's share of each picked importer's imports, every year (a null row where a series
    skips a year), and in words what trade cannot measure."""
    series = q.rows("trend_imports", importers=ctx["importers"])
    return {"trade_series": _label(series), "trend_notes": _trade_notes(q, ctx["focus"])}


def heatmap(q: Reader, ctx: dict) -> dict:
    """China's share of imports in the latest year, every focus (commodity, stage) with trade
    by every picked importer; a cell with no imports has china_share null."""
    importers = ctx["importers"]
    year = q.value("heatmap_year")
    cells = q.rows("heatmap", year=year, importers=importers)
    for r in _label(cells):
        r["row"] = f"{r['label']} · {r['stage']}"
    shown = [i for i in importers if i in HEATMAP_IMPORTERS or i not in IMPORTERS]
    return {"heatmap": cells, "heatmap_year": year, "heatmap_importers": shown}


def _measure_notes(m: dict, last: int) -> list[str]:
    """In words, what the trade data can and cannot say about a measure: the mart's own
    coverage note (which codes, which years), then what follows for the chart."""
    notes = [m["coverage_note"]] if m["coverage_note"] else []
    if m["last_year"] is None:
        return notes or ["No trade to measure."]
    if (m["total_value_usd"] or 0) < MEASURABLE_TRADE_USD:
        notes.append(
            f"World trade in its codes was only ${m['total_value_usd'] or 0:,.0f} in "
            f"{m['last_year']}: too little to read China's share from."
        )
    if m["effective_year"] >= last + 1:
        notes.append(
            f"Takes effect {m['effective'][:7]}; trade data end in {last}, so there "
            "is no year after it to measure yet."
        )
    if m["target_iso3"]:
        notes.append(
            f"It targets {m['target_iso3']}: only China's exports to "
            f"{m['target_iso3']} count as covered."
        )
    return notes


def export_controls(q: Reader, ctx: dict) -> dict:
    """Each curated measure, and the share of the covered trade China supplies, for the
    world and the picked importers, EXPORT_CONTROL_FROM on."""
    destinations = ["WORLD", *(ctx["importers"] or IMPORTERS)]
    last = q.value("export_controls_last_year")
    measures = q.rows("export_controls")
    for m in measures:
        m["labels"] = [label(c) for c in m["commodities"] or []]
        m["note"] = " ".join(_measure_notes(m, last))
        m["measurable"] = (m["total_value_usd"] or 0) >= MEASURABLE_TRADE_USD
    series = q.rows(
        "export_controls_series", destinations=destinations, **{"from": EXPORT_CONTROL_FROM}
    )
    return {
        "export_controls": measures,
        "export_control_series": series,
        "export_control_last_year": last,
        "export_control_from": EXPORT_CONTROL_FROM,
    }


def alerts(q: Reader, ctx: dict) -> dict:
    """The latest alerts overall and per focus commodity (by data year), counts by kind."""
    return {
        "alerts_latest": q.rows("alerts_latest"),
        "alerts_by_commodity": q.rows("alerts_by_commodity"),
        "alert_counts": q.rows("alerts_counts"),
    }


def meta(q: Reader, have: set[str]) -> dict:
    refreshed = q.value("page_refreshed") if "meta.refresh" in have else None
    return {
        "refreshed_at": refreshed.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if refreshed
        else None,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


NIR_FLAGS = {
    "net_exporter": "net exporter (E)",
    "greater_than": "more than {raw_tail}%",
    "less_than": "less than {raw_tail}%",
    "withheld": "withheld (W)",
    "not_available": "not available (NA)",
    "none": "none",
}


def net_import_reliance(q: Reader, ctx: dict) -> dict:
    """USGS's US net import reliance, latest year of each focus commodity and product; a flag
    USGS prints instead of a number (E, >50, W) is kept in words."""
    out = q.rows("net_import_reliance")
    for r in _label(out):
        r["row"] = r["label"] + (f" ({r['product']})" if r["product"] else "")
        r["nir"] = None if r["nir_pct"] is None else r["nir_pct"] / 100
        flag = NIR_FLAGS.get(r["nir_flag"], r["nir_flag"])
        r["shown"] = (
            f"{r['nir_pct']:.0f}%"
            if r["nir_pct"] is not None
            else flag.format(raw_tail=r["nir_raw"].lstrip("<>"))
        )
    return {"net_import_reliance": out}


def stockpile_cover(q: Reader, ctx: dict) -> dict:
    """Per picked importer and focus commodity, latest year: the stockpile that covers six
    months of what each of the five largest suppliers ships, and in words where there is none."""
    focus, importers = ctx["focus"], ctx["importers"]
    out = q.rows("stockpile_cover", importers=importers)
    for r in _label(out):
        r["row"] = f"{r['supplier']} · {r['stage']}"
    have = {(r["importer"], r["commodity"]) for r in out}
    notes = [
        {
            "commodity": c,
            "importer": i,
            "note": f"has no stockpile figure for {i}: no imports by quantity from its "
            "largest suppliers in the trade data.",
        }
        for i in importers
        for c in focus
        if (i, c) not in have
    ]
    return {"stockpile_cover": out, "stockpile_cover_notes": notes}


MONTHLY_DESTINATIONS = ("USA", "JPN", "OTHERS")


def export_control_monthly(q: Reader, ctx: dict) -> dict:
    """China's monthly exports of each (measure, hs6) to USA, JPN and OTHERS (every partner but
    those two), every month of the series' span: a month the mart has no row for (no recorded
    exports) is a null value, drawn as a gap, never as 0. One summary row per (measure, hs6)
    gives what the charts' fixed axes need (first and last month, largest value per
    destination) and whether the code is shared (figures are upper bounds)."""
    destinations = list(MONTHLY_DESTINATIONS)
    monthly = q.rows("export_control_monthly", destinations=destinations)
    series = q.rows("export_control_monthly_series", destinations=destinations)
    for r in series:
        r["labels"] = [label(c) for c in r["commodities"] or []]
        # the largest month per destination, for a fixed, finite y axis (None: no exports)
        r["max_value_usd"] = {d: r.pop(f"max_{d.lower()}") for d in MONTHLY_DESTINATIONS}
        r["note"] = _monthly_note(r, monthly)
    # the months each 12-month window covers; a change only where both are complete
    events = q.rows("export_control_event_study", destinations=destinations)
    return {
        "export_control_monthly": monthly,
        "export_control_monthly_series": series,
        "export_control_event_study": events,
    }


def _monthly_note(s: dict, monthly: list[dict]) -> str:
    """In words: months with no recorded exports, and an effective date after the series."""
    parts = []
    for dest in MONTHLY_DESTINATIONS:
        gaps = sum(
            1
            for r in monthly
            if r["measure_id"] == s["measure_id"]
            and r["hs6"] == s["hs6"]
            and r["destination"] == dest
            and r["value_usd"] is None
        )
        if gaps:
            parts.append(
                f"{dest}: {gaps} month{'s' if gaps > 1 else ''} with no recorded exports "
                "(gaps in the line)"
            )
    if s["effective"][:7] > s["last_month"][:7]:
        parts.append(
            f"Takes effect {s['effective']}, after the monthly series ends "
            f"({s['last_month'][:7]}): no month after it to see yet"
        )
    return ". ".join(parts) + ("." if parts else "")


def import_monthly(q: Reader, ctx: dict) -> dict:
    """The watched importers' monthly imports of the controlled lines by origin (China, the
    next three origins of the series, all others), one series row per (importer, line) with its
    scope in words; and China's 2025 magnet exports as the press reported them (labelled so,
    each month with its page)."""
    series = q.rows("import_monthly_series")
    for s in series:
        s["id"] = f"imports-{s['source']}-{s['importer_iso3']}-{s['code']}"
    return {
        "import_monthly_series": series,
        "import_monthly_by_origin": q.rows("import_monthly_by_origin"),
        "press_china_exports": q.rows("press_china_exports"),
    }


# --- the project pipeline (docs/projects.md) ------------------------------------------------

SCENARIOS = {
    "as_announced": "as announced",
    "delayed_2y": "delayed two years",
    "committed_only": "committed only",
}


def _no_projects(have: set[str], focus: list[str], what: str) -> list[dict]:
    """A note per focus mineral without rows ("<Mineral> <what>"): words, not an empty chart."""
    return [{"commodity": c, "note": what} for c in focus if c not in have]


def project_capacity(q: Reader, ctx: dict) -> dict:
    """Nameplate capacity of the cited pipeline per scope, scenario and year."""
    rows = q.rows("project_capacity_by_year")
    for r in rows:
        r["label"] = label(r["commodity"])
        r["scenario_label"] = SCENARIOS[r["scenario"]]
    notes = _no_projects(
        {r["commodity"] for r in rows},
        ctx["focus"],
        "has no project outside China with a dated start in the cited pipeline.",
    )
    return {"project_capacity": rows, "project_capacity_notes": notes}


def project_outlook(q: Reader, ctx: dict) -> dict:
    """China's share of each series' output per scenario and year, and what is not modelled."""
    rows = q.rows("china_vs_rest_by_scenario")
    notes = []
    for r in rows:
        r["label"] = label(r["commodity"])
        r["scenario_label"] = SCENARIOS[r["scenario"]]
        r["source_label"] = SOURCE_LABELS.get(r["source"], r["source"])
    for (commodity, stage, source), on_iea in {
        (r["commodity"], r["stage"], r["source_label"]): r["china_on_iea_projection"]
        for r in rows
        if r["year"] == 2030
    }.items():
        if not on_iea:
            notes.append(
                {
                    "commodity": commodity,
                    "note": f"{stage} ({source}): the series has no projection, so China is "
                    "held at its latest observed output.",
                }
            )
    notes += _no_projects(
        {r["commodity"] for r in rows},
        ctx["focus"],
        "has no outlook: no project, or no production series by country on its scopes.",
    )
    return {"project_outlook": rows, "project_outlook_notes": notes}


def project_pipeline(q: Reader, ctx: dict) -> dict:
    """The project lines with their pages (dashboard.js draws them as links)."""
    rows = q.rows("project_pipeline")
    for r in rows:
        r["funding"] = r["funding"] or []
    notes = _no_projects(
        {r["commodity"] for r in rows}, ctx["focus"], "has no project in the cited pipeline."
    )
    return {"project_pipeline": rows, "project_pipeline_notes": notes}


def prices(q: Reader, ctx: dict) -> dict:
    """USGS's price lines and the trade unit-value lines of the focus minerals, each measure's
    effective date, and in words for each mineral: one note per screen that fires (its hits as
    the panel's query keeps them, the latest in words), or why its charts are empty."""
    usgs = q.rows("prices_usgs")
    unit_values = q.rows("prices_unit_values", importers=ctx["importers"])
    hits: dict[tuple[str, str], list[dict]] = {}
    for h in q.rows("prices_screens"):
        hits.setdefault((h["commodity"], h["screen"]), []).append(h)
    notes = [
        {
            "commodity": commodity,
            "note": f"{screen} screen fires: {len(rows)} hit{'s' if len(rows) > 1 else ''} "
            f"(all of them: minerals prices {commodity}); the latest, {rows[0]['when']}: "
            f"{rows[0]['evidence']}",
        }
        for (commodity, screen), rows in hits.items()
    ]
    priced, traded = {r["commodity"] for r in usgs}, {r["commodity"] for r in unit_values}
    for c in ctx["focus"]:
        if c not in priced:
            notes.append({"commodity": c, "note": "has no USGS price in a mass unit in the bundled "
                          "editions (MCS2026, MYB2022, DS-140)."})  # fmt: skip
        if c not in traded:
            notes.append({"commodity": c, "note": "has no trade unit value: no code of it reports "
                          "quantities in BACI."})  # fmt: skip
    return {
        "prices_usgs": usgs,
        "prices_unit_values": unit_values,
        "prices_measures": q.rows("prices_measures"),
        "prices_notes": notes,
    }
