"""What the dashboard shows, as plain rows read from the published warehouse.

`dashboard_data(con)` returns a dict of lists of dicts (JSON-ready). Each panel (see
`panels.py`) reads only the tables it needs; a panel whose table is missing is left out.
"""

from datetime import UTC, datetime

import duckdb

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
ALERTS_PER_COMMODITY = 8
ALERTS_LATEST = 12
EXPORT_CONTROL_FROM = 2010
MEASURABLE_TRADE_USD = 10_000_000  # world trade in a measure's codes below this: not read


def rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database()"
        ).fetchall()
    }


def focus_commodities(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The seed `data/seeds/focus_commodities.csv`, in its order (the headline's minerals)."""
    return [
        c
        for (c,) in con.execute(
            "SELECT commodity FROM staging.focus_commodities ORDER BY position"
        ).fetchall()
    ]


def label(commodity: str) -> str:
    return commodity.replace("_", " ").capitalize()


# --- panels' data -------------------------------------------------------------------------

# Each (commodity, stage, year) of the series the headline uses (staging.representative_series:
# USGS for mining, IEA for refining where it publishes it, else USGS; is_headline = the row
# `make run` prints).
_SERIES = """
    SELECT c.commodity, c.stage, c.source, c.year, r.is_headline,
           CASE WHEN c.china_listed THEN c.china_share END AS china_share,
           c.china_listed, c.hhi, c.top1_iso3, c.top1_share, c.n_countries,
           c.concentration_band AS band
    FROM marts.supply_concentration c
    JOIN staging.representative_series r USING (commodity, stage, source, basis, year)"""


def concentration(con, ctx: dict) -> dict:
    """The headline figure per focus (commodity, stage), and in words what is not measured."""
    focus = ctx["focus"]
    marks = ", ".join("?" for _ in focus)
    latest = rows(
        con,
        f"""SELECT * EXCLUDE (is_headline) FROM ({_SERIES})
            WHERE is_headline AND commodity IN ({marks}) ORDER BY commodity, stage""",
        focus,
    )
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


def most_concentrated(con, ctx: dict) -> dict:
    """The most concentrated stages of any mineral (headline series, three or more countries)."""
    top = rows(
        con,
        f"""SELECT * EXCLUDE (is_headline) FROM ({_SERIES})
            WHERE is_headline AND n_countries >= 3 ORDER BY hhi DESC, commodity LIMIT 15""",
    )
    return {"top_concentrated": _label(top)}


def trend(con, ctx: dict) -> dict:
    """Every year of each headline series (a null row for a year the source skipped, drawn as
    a gap) and, with trade, China's share of each picked importer's imports."""
    focus = ctx["focus"]
    marks = ", ".join("?" for _ in focus)
    history = rows(
        con,
        f"""WITH s AS ({_SERIES} WHERE c.commodity IN ({marks})),
            span AS (SELECT commodity, stage, unnest(range(min(year), max(year) + 1)) AS year
                     FROM s GROUP BY commodity, stage)
            SELECT span.commodity, span.stage, s.source, span.year, s.china_share,
                   s.china_listed, s.hhi
            FROM span LEFT JOIN s USING (commodity, stage, year)
            ORDER BY commodity, stage, year""",
        focus,
    )
    out = {"production_series": _label(history)}
    if "marts.import_dependence" in ctx["tables"]:
        out.update(import_series(con, ctx))
    return out


def _label(items: list[dict]) -> list[dict]:
    for r in items:
        r["label"] = label(r["commodity"])
        if "source" in r:
            r["source_label"] = SOURCE_LABELS.get(r["source"], r["source"])
    return items


def importers(con) -> list[str]:
    present = {
        i
        for (i,) in con.execute(
            "SELECT DISTINCT importer_iso3 FROM marts.import_dependence"
        ).fetchall()
    }
    blocs = sorted(i for i in present if len(i) > 3)
    return [i for i in IMPORTERS if i in present] + [b for b in blocs if b not in IMPORTERS]


def _trade_notes(con, focus: list[str]) -> list[dict]:
    """In words, per focus (commodity, stage): what trade data can and cannot measure."""
    marks = ", ".join("?" for _ in focus)
    codes = rows(
        con,
        f"""SELECT commodity, stage, string_agg(DISTINCT nomenclature, ', ') AS nomenclature,
                   string_agg(hs6, ', ' ORDER BY hs6) AS codes,
                   bool_or(exclusivity = 'shared') AS shared
            FROM staging.dim_hs_mineral WHERE commodity IN ({marks}) AND stage <> 'exclude'
            GROUP BY ALL""",
        focus,
    )
    years = {
        (r["commodity"], r["stage"]): r
        for r in rows(
            con,
            f"""SELECT commodity, stage, list(DISTINCT year ORDER BY year) AS years
                FROM marts.import_dependence WHERE commodity IN ({marks}) GROUP BY ALL""",
            focus,
        )
    }
    (last,) = con.execute("SELECT max(year) FROM marts.import_dependence").fetchone()
    mapped = {(c["commodity"], c["stage"]): c for c in codes}
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
        parts.append("a basket code shared with other metals, so it overstates")
    return "; ".join(parts) + "."


def import_series(con, ctx: dict) -> dict:
    """China's share of each picked importer's imports, every year (a null row where a series
    skips a year), and in words what trade cannot measure."""
    focus, importers = ctx["focus"], ctx["importers"]
    fm = ", ".join("?" for _ in focus)
    im = ", ".join("?" for _ in importers)
    series = rows(
        con,
        f"""WITH s AS (
                SELECT importer_iso3 AS importer, commodity, stage, year,
                       round(china_share, 4) AS china_share,
                       round(import_value_usd, -3) AS import_value_usd,
                       top_supplier_iso3 AS top_supplier,
                       round(top_supplier_share, 3) AS top_share
                FROM marts.import_dependence
                WHERE commodity IN ({fm}) AND importer_iso3 IN ({im})),
            span AS (SELECT importer, commodity, stage,
                            unnest(range(min(year), max(year) + 1)) AS year
                     FROM s GROUP BY importer, commodity, stage)
            SELECT * FROM span LEFT JOIN s USING (importer, commodity, stage, year)
            ORDER BY importer, commodity, stage, year""",
        [*focus, *importers],
    )
    return {"trade_series": _label(series), "trend_notes": _trade_notes(con, focus)}


def heatmap(con, ctx: dict) -> dict:
    """China's share of imports in the latest year, every focus (commodity, stage) with trade
    by every picked importer; a cell with no imports has china_share null."""
    focus, importers = ctx["focus"], ctx["importers"]
    fm = ", ".join("?" for _ in focus)
    im = ", ".join("?" for _ in importers)
    (year,) = con.execute("SELECT max(year) FROM marts.import_dependence").fetchone()
    cells = rows(
        con,
        f"""WITH k AS (SELECT DISTINCT commodity, stage FROM marts.import_dependence
                       WHERE year = ? AND commodity IN ({fm}) AND importer_iso3 IN ({im})),
            i AS (SELECT unnest(?::VARCHAR[]) AS importer)
            SELECT i.importer, k.commodity, k.stage, round(d.china_share, 4) AS china_share,
                   round(d.import_value_usd) AS import_value_usd,
                   d.top_supplier_iso3 AS top_supplier,
                   round(d.top_supplier_share, 4) AS top_share, d.includes_shared_codes
            FROM k CROSS JOIN i
            LEFT JOIN marts.import_dependence d ON d.importer_iso3 = i.importer
                 AND d.commodity = k.commodity AND d.stage = k.stage AND d.year = ?
            ORDER BY k.commodity, k.stage, i.importer""",
        [year, *focus, *importers, importers, year],
    )
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


def export_controls(con, ctx: dict) -> dict:
    """Each curated measure, and the share of the covered trade China supplies, for the
    world and the picked importers, EXPORT_CONTROL_FROM on."""
    importers = ["WORLD", *(ctx["importers"] or IMPORTERS)]
    marks = ", ".join("?" for _ in importers)
    (last,) = con.execute("SELECT max(year) FROM marts.export_control_exposure").fetchone()
    # one nomenclature per measure (the grain includes it): the one reaching the latest year,
    # HS92's long series when both do
    chosen = """SELECT measure_id, nomenclature FROM marts.export_control_exposure
                WHERE importer_iso3 = 'WORLD' AND nomenclature IS NOT NULL
                QUALIFY row_number() OVER (PARTITION BY measure_id
                    ORDER BY year DESC, nomenclature = 'HS92' DESC) = 1"""
    measures = rows(
        con,
        f"""WITH notes AS (SELECT measure_id, any_value(coverage_note) AS coverage_note
                           FROM marts.export_control_exposure GROUP BY measure_id)
            SELECT m.measure_id, m.measure, m.commodities, m.status,
                   strftime(m.effective, '%Y-%m-%d') AS effective, m.target_iso3,
                   year(m.effective) + (month(m.effective) - 1) / 12 AS effective_year,
                   w.nomenclature, w.year AS last_year, w.covered_share, w.covered_value_usd,
                   w.total_value_usd,
                   coalesce(w.includes_shared_codes, false) AS includes_shared_codes,
                   n.coverage_note
            FROM staging.export_controls m
            LEFT JOIN (SELECT e.* FROM marts.export_control_exposure e
                       JOIN ({chosen}) USING (measure_id, nomenclature)
                       WHERE importer_iso3 = 'WORLD'
                       QUALIFY year = max(year) OVER (PARTITION BY measure_id)) w
                 USING (measure_id)
            LEFT JOIN notes n USING (measure_id)
            ORDER BY m.effective, m.measure_id""",
    )
    for m in measures:
        m["labels"] = [label(c) for c in m["commodities"] or []]
        m["note"] = " ".join(_measure_notes(m, last))
        m["measurable"] = (m["total_value_usd"] or 0) >= MEASURABLE_TRADE_USD
    # a null row for a year the chosen series skips (HS2017: 2022 and 2024), drawn as a gap
    series = rows(
        con,
        f"""WITH s AS (
                SELECT measure_id, importer_iso3 AS importer, year,
                       round(covered_share, 4) AS covered_share,
                       round(covered_value_usd) AS covered_value_usd
                FROM marts.export_control_exposure
                JOIN ({chosen}) USING (measure_id, nomenclature)
                WHERE importer_iso3 IN ({marks}) AND year >= ?),
            span AS (SELECT measure_id, importer, unnest(range(min(year), max(year) + 1)) AS year
                     FROM s GROUP BY measure_id, importer)
            SELECT * FROM span LEFT JOIN s USING (measure_id, importer, year)
            ORDER BY measure_id, importer, year""",
        [*importers, EXPORT_CONTROL_FROM],
    )
    return {
        "export_controls": measures,
        "export_control_series": series,
        "export_control_last_year": last,
        "export_control_from": EXPORT_CONTROL_FROM,
    }


def alerts(con, ctx: dict) -> dict:
    """The latest alerts overall and per focus commodity (by data year), counts by kind."""
    focus = ctx["focus"]
    marks = ", ".join("?" for _ in focus)
    cols = "alert_key, year, kind, commodity, stage, importer_iso3, message"
    latest = rows(
        con,
        f"SELECT {cols} FROM marts.alerts ORDER BY year DESC NULLS LAST, message "
        f"LIMIT {ALERTS_LATEST}",
    )
    per = rows(
        con,
        f"""SELECT {cols} FROM marts.alerts WHERE commodity IN ({marks})
            QUALIFY row_number() OVER (PARTITION BY commodity
                                       ORDER BY year DESC NULLS LAST, message)
                    <= {ALERTS_PER_COMMODITY}
            ORDER BY commodity, year DESC, message""",
        focus,
    )
    counts = rows(con, "SELECT kind, count(*) AS n FROM marts.alerts GROUP BY kind ORDER BY kind")
    return {"alerts_latest": latest, "alerts_by_commodity": per, "alert_counts": counts}


def meta(con, have: set[str]) -> dict:
    refreshed = None
    if "meta.refresh" in have:
        row = con.execute("SELECT max(refreshed_at) FROM meta.refresh").fetchone()
        if row and row[0]:
            refreshed = row[0].astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "refreshed_at": refreshed,
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


def net_import_reliance(con, ctx: dict) -> dict:
    """USGS's US net import reliance, latest year of each focus commodity and product; a flag
    USGS prints instead of a number (E, >50, W) is kept in words."""
    focus = ctx["focus"]
    marks = ", ".join("?" for _ in focus)
    out = rows(
        con,
        f"""SELECT commodity, product, year, nir_pct, nir_flag, nir_raw,
                   china_import_source_share, top_import_sources
            FROM marts.us_net_import_reliance WHERE commodity IN ({marks})
            QUALIFY year = max(year) OVER (PARTITION BY commodity, product)
            ORDER BY commodity, product""",
        focus,
    )
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


def stockpile_cover(con, ctx: dict) -> dict:
    """Per picked importer and focus commodity, latest year: the stockpile that covers six
    months of what each of the five largest suppliers ships, and in words where there is none."""
    focus, importers = ctx["focus"], ctx["importers"]
    fm = ", ".join("?" for _ in focus)
    im = ", ".join("?" for _ in importers)
    out = rows(
        con,
        f"""SELECT importer_iso3 AS importer, commodity, stage, year, supplier_iso3 AS supplier,
                   basis, round(supplier_share_quantity, 3) AS supplier_share,
                   round(annual_at_risk_t) AS annual_at_risk_t,
                   round(stockpile_3m_t) AS stockpile_3m_t,
                   round(stockpile_6m_t) AS stockpile_6m_t,
                   round(stockpile_12m_t) AS stockpile_12m_t,
                   round(stockpile_6m_value_usd, -3) AS stockpile_6m_value_usd,
                   round(government_stocks_months, 1) AS government_stocks_months,
                   round(industry_stocks_months, 1) AS industry_stocks_months
            FROM marts.stockpile_cover
            WHERE commodity IN ({fm}) AND importer_iso3 IN ({im})
            QUALIFY year = max(year) OVER (PARTITION BY importer_iso3, commodity)
            ORDER BY importer, commodity, stage, stockpile_6m_value_usd DESC""",
        [*focus, *importers],
    )
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


def export_control_monthly(con, ctx: dict) -> dict:
    """China's monthly exports of each (measure, hs6) to USA, JPN and OTHERS (every partner but
    those two), every month of the series' span: a month the mart has no row for (no recorded
    exports) is a null value, drawn as a gap, never as 0. One summary row per (measure, hs6)
    gives what the charts' fixed axes need (first and last month, largest value per
    destination) and whether the code is shared (figures are upper bounds)."""
    marks = ", ".join("?" for _ in MONTHLY_DESTINATIONS)
    monthly = rows(
        con,
        f"""WITH s AS (SELECT measure_id, hs6, destination, period, value_usd
                       FROM marts.export_control_monthly WHERE destination IN ({marks})),
            span AS (SELECT measure_id, hs6,
                            unnest(range(min(period), max(period) + INTERVAL 1 MONTH,
                                         INTERVAL 1 MONTH))::DATE AS period
                     FROM s GROUP BY measure_id, hs6),
            d AS (SELECT unnest(?::VARCHAR[]) AS destination)
            SELECT span.measure_id, span.hs6, d.destination,
                   strftime(span.period, '%Y-%m-%d') AS period, round(s.value_usd) AS value_usd
            FROM span CROSS JOIN d
            LEFT JOIN s USING (measure_id, hs6, destination, period)
            ORDER BY measure_id, hs6, destination, period""",
        [*MONTHLY_DESTINATIONS, list(MONTHLY_DESTINATIONS)],
    )
    series = rows(
        con,
        f"""SELECT c.measure_id, c.hs6, m.measure, m.commodities, m.status,
                   strftime(m.effective, '%Y-%m-%d') AS effective,
                   strftime(min(c.period), '%Y-%m-%d') AS first_month,
                   strftime(max(c.period), '%Y-%m-%d') AS last_month,
                   bool_or(c.is_shared_code) AS is_shared_code,
                   max(c.value_usd) FILTER (WHERE c.destination = 'USA') AS max_usa,
                   max(c.value_usd) FILTER (WHERE c.destination = 'JPN') AS max_jpn,
                   max(c.value_usd) FILTER (WHERE c.destination = 'OTHERS') AS max_others
            FROM marts.export_control_monthly c
            JOIN staging.export_controls m USING (measure_id)
            WHERE c.destination IN ({marks})
            GROUP BY c.measure_id, c.hs6, m.measure, m.commodities, m.status, m.effective
            ORDER BY m.effective, c.measure_id, c.hs6""",
        list(MONTHLY_DESTINATIONS),
    )
    for r in series:
        r["labels"] = [label(c) for c in r["commodities"] or []]
        # the largest month per destination, for a fixed, finite y axis (None: no exports)
        r["max_value_usd"] = {d: r.pop(f"max_{d.lower()}") for d in MONTHLY_DESTINATIONS}
        r["note"] = _monthly_note(r, monthly)
    return {"export_control_monthly": monthly, "export_control_monthly_series": series}


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
