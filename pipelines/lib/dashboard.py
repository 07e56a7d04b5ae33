"""A static, self-contained dashboard (`dashboard/index.html`) from the published warehouse.

One HTML file: data embedded as JSON, charts drawn as inline SVG by a small hand-written script,
no CDN and no network. Charts for a mart the warehouse does not have show a note instead.
"""

import html
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.exports import SOURCES

# Minerals shown in the time-series chart (and always in the mining-vs-refining chart).
FOCUS = (
    "rare_earths",
    "lithium",
    "cobalt",
    "nickel",
    "graphite",
    "copper",
    "gallium",
    "germanium",
    "manganese",
    "tungsten",
    "antimony",
)
IMPORTERS = ("USA", "JPN", "EU27")
# Importers in the export-control table (EU27 is not an importer in marts.export_control_exposure).
EXPOSURE_IMPORTERS = ("USA", "JPN", "KOR", "DEU")
EXPOSURE_YEARS = (2015, 2024)
ALERT_KINDS = ("became_highly_concentrated", "china_share_up_5pts", "new_eu_65pct_breach")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database()"
        ).fetchall()
    }


_LATEST = """
    SELECT * FROM (
        SELECT *, row_number() OVER (
            PARTITION BY commodity, stage ORDER BY year DESC, source) AS _rn
        FROM marts.supply_concentration
        WHERE NOT is_projection AND basis = 'production' AND hhi IS NOT NULL)
    WHERE _rn = 1"""


def _concentration(con) -> list[dict]:
    """(a) Latest year per (commodity, stage): China share and HHI, mining vs refining."""
    marks = ", ".join("?" for _ in FOCUS)
    return _rows(
        con,
        f"""WITH latest AS ({_LATEST}),
            shown AS (
                SELECT commodity FROM latest WHERE stage IN ('mining', 'refining')
                GROUP BY commodity
                HAVING count(DISTINCT stage) = 2 OR commodity IN ({marks}))
            SELECT commodity, stage, source, year, china_share, hhi, top1_iso3, top1_share,
                   concentration_band
            FROM latest JOIN shown USING (commodity)
            WHERE stage IN ('mining', 'refining')
            ORDER BY commodity, stage""",
        list(FOCUS),
    )


def _production_trend(con) -> list[dict]:
    """(b) China's share per year, 2020 on, one source per series (the one with most years)."""
    marks = ", ".join("?" for _ in FOCUS)
    return _rows(
        con,
        f"""WITH s AS (
                SELECT source, commodity, stage, year, china_share
                FROM marts.supply_concentration
                WHERE NOT is_projection AND basis = 'production' AND year >= 2020
                  AND commodity IN ({marks}) AND stage IN ('mining', 'refining')),
            pick AS (
                SELECT commodity, stage, arg_max(source, n) AS source FROM (
                    SELECT commodity, stage, source, count(*) + max(year) / 10000 AS n
                    FROM s GROUP BY ALL) GROUP BY ALL)
            SELECT s.commodity, s.stage, s.source, s.year, s.china_share
            FROM s JOIN pick USING (commodity, stage, source)
            ORDER BY commodity, stage, year""",
        list(FOCUS),
    )


def _trade_trend(con) -> list[dict]:
    """(b) China's share of world imports (all importers but EU27, no double counting)."""
    marks = ", ".join("?" for _ in FOCUS)
    return _rows(
        con,
        f"""SELECT commodity, stage, year,
                   sum(china_share * import_value_usd) / nullif(sum(import_value_usd), 0)
                       AS china_share
            FROM marts.import_dependence
            WHERE importer_iso3 <> 'EU27' AND commodity IN ({marks})
            GROUP BY commodity, stage, year
            HAVING sum(import_value_usd) > 0
            ORDER BY commodity, stage, year""",
        list(FOCUS),
    )


def _heatmap(con) -> dict:
    """(c) China's share of imports for USA, JPN, EU27 by commodity and stage, latest year."""
    (year,) = con.execute(
        "SELECT max(year) FROM marts.import_dependence WHERE importer_iso3 = 'USA'"
    ).fetchone()
    marks = ", ".join("?" for _ in IMPORTERS)
    cells = _rows(
        con,
        f"""SELECT importer_iso3, commodity, stage, china_share, import_value_usd,
                   top_supplier_iso3, top_supplier_share
            FROM marts.import_dependence
            WHERE year = ? AND importer_iso3 IN ({marks}) AND import_value_usd > 0
            ORDER BY commodity, stage, importer_iso3""",
        [year, *IMPORTERS],
    )
    return {"year": year, "importers": list(IMPORTERS), "cells": cells}


def _top_concentrated(con, limit: int = 15) -> list[dict]:
    """(d) The most concentrated stages: latest year per (commodity, stage), highest HHI."""
    return _rows(
        con,
        f"""SELECT commodity, stage, source, year, top1_iso3, top1_share, china_share, hhi,
                   concentration_band, n_countries
            FROM ({_LATEST})
            WHERE n_countries >= 3
            ORDER BY hhi DESC, commodity LIMIT {int(limit)}""",
    )


def _export_controls(con) -> dict:
    """(e) Per measure with trade coverage: the measure country's share of world exports of the
    covered HS codes over EXPOSURE_YEARS, the latest covered value and, for a few importers,
    the latest year's covered share. Measures without WORLD rows in the window are left out."""
    y0, y1 = EXPOSURE_YEARS
    world = _rows(
        con,
        """SELECT measure_id, year, covered_share, covered_value_usd, total_value_usd,
                  includes_shared_codes, measure, status, effective
           FROM marts.export_control_exposure
           WHERE importer_iso3 = 'WORLD' AND year BETWEEN ? AND ?
           ORDER BY effective, measure_id, year""",
        [y0, y1],
    )
    marks = ", ".join("?" for _ in EXPOSURE_IMPORTERS)
    by_importer = _rows(
        con,
        f"""SELECT measure_id, importer_iso3, covered_share FROM marts.export_control_exposure
            WHERE importer_iso3 IN ({marks}) AND year BETWEEN ? AND ?
            QUALIFY year = max(year) OVER (PARTITION BY measure_id)""",
        [*EXPOSURE_IMPORTERS, y0, y1],
    )
    measures: dict[str, dict] = {}
    for r in world:
        m = measures.setdefault(
            r["measure_id"],
            {
                "measure_id": r["measure_id"],
                "measure": r["measure"],
                "status": r["status"],
                "effective": r["effective"],
                "includes_shared_codes": False,
                "series": [],
                "importers": {},
            },
        )
        m["includes_shared_codes"] = m["includes_shared_codes"] or bool(r["includes_shared_codes"])
        m["series"].append(
            {"year": r["year"], "share": r["covered_share"], "value": r["covered_value_usd"]}
        )
    for m in measures.values():
        m["latest"] = m["series"][-1]
    for r in by_importer:
        if r["measure_id"] in measures:
            measures[r["measure_id"]]["importers"][r["importer_iso3"]] = r["covered_share"]
    return {
        "years": list(EXPOSURE_YEARS),
        "importers": list(EXPOSURE_IMPORTERS),
        "measures": list(measures.values()),
    }


def _alerts(con, limit: int = 15) -> dict:
    """(f) The most recent alerts by data year (then message), and counts by kind."""
    recent = _rows(
        con,
        f"""SELECT year, kind, commodity, stage, importer_iso3, message FROM marts.alerts
            ORDER BY year DESC NULLS LAST, message LIMIT {int(limit)}""",
    )
    counts = dict(con.execute("SELECT kind, count(*) FROM marts.alerts GROUP BY kind").fetchall())
    kinds = [*ALERT_KINDS, *sorted(set(counts) - set(ALERT_KINDS))]
    return {
        "recent": recent,
        "counts": [{"kind": k, "n": counts.get(k, 0)} for k in kinds],
        "total": sum(counts.values()),
    }


def dashboard_data(con: duckdb.DuckDBPyConnection) -> dict:
    tables = _tables(con)
    data: dict = {"tables": sorted(t for t in tables if t.startswith("marts."))}
    refreshed = None
    if "meta.refresh" in tables:
        row = con.execute("SELECT refreshed_at FROM meta.refresh").fetchone()
        refreshed = row[0].astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if row else None
    data["refreshed_at"] = refreshed
    data["generated_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if "marts.supply_concentration" in tables:
        data["concentration"] = _concentration(con)
        data["production_trend"] = _production_trend(con)
        data["top_concentrated"] = _top_concentrated(con)
    if "marts.import_dependence" in tables:
        data["trade_trend"] = _trade_trend(con)
        data["heatmap"] = _heatmap(con)
    if "marts.export_control_exposure" in tables:
        data["export_controls"] = _export_controls(con)
    if "marts.alerts" in tables:
        data["alerts"] = _alerts(con)
    data["sources"] = SOURCES
    return data


def render_html(data: dict) -> str:
    payload = json.dumps(data, default=str, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    footer = "".join(
        f"<li><b>{html.escape(s['name'])}</b> ({html.escape(s['publisher'])}), "
        f"licence: {html.escape(s['licence'])}. {html.escape(s['citation'])}"
        + (" DOI: " + ", ".join(html.escape(d) for d in s["doi"]) if s.get("doi") else "")
        + "</li>"
        for s in SOURCES
    )
    return (
        _TEMPLATE.replace("/*CSS*/", _CSS)
        .replace("/*JS*/", _JS)
        .replace("__DATA__", payload)
        .replace("__SOURCES__", footer)
    )


def build_dashboard(published: Path | str, out_dir: Path | str) -> Path:
    """Write `<out_dir>/index.html` from the published DuckDB file (temp file + rename)."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        data = dashboard_data(con)
    finally:
        con.close()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    tmp = out_dir / f".index.html.{os.getpid()}.tmp"
    tmp.write_text(render_html(data), encoding="utf-8")
    os.replace(tmp, target)
    return target


_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Critical minerals: who mines, who refines</title>
<style>/*CSS*/</style>
</head>
<body>
<header>
  <h1>Critical minerals: who mines, who refines</h1>
  <p class="sub">Supply concentration from the Critical Minerals Warehouse.
  Warehouse refreshed <b id="refreshed"></b>.</p>
</header>
<main>
  <section class="card" id="chart-concentration">
    <h2>Mining vs refining concentration, latest year</h2>
    <p class="note">China's share of world output and the Herfindahl-Hirschman index (0-10,000;
    above 2,500 = highly concentrated), latest non-projected year of each stage
    (USGS or IEA).</p>
    <div class="legend" id="legend-concentration"></div>
    <div class="row"><div class="chart" id="bars-china"></div>
    <div class="chart" id="bars-hhi"></div></div>
  </section>
  <section class="card" id="chart-trend">
    <h2>China's share over time</h2>
    <div class="row">
      <div class="chart half"><h3>Production share (USGS / IEA, 2020 on, no projections)</h3>
        <div id="lines-production"></div></div>
      <div class="chart half"><h3>Share of world imports (CEPII BACI trade)</h3>
        <div id="lines-trade"></div></div>
    </div>
    <div class="legend" id="legend-trend"></div>
    <p class="note">Solid line: mining; dashed: refining. Hover a point for its value.</p>
  </section>
  <section class="card" id="chart-heatmap">
    <h2>Import dependence on China: USA, Japan, EU27</h2>
    <div id="heatmap"></div>
  </section>
  <section class="card" id="table-concentrated">
    <h2>Most concentrated supply stages</h2>
    <p class="note">Highest HHI, latest non-projected year of each commodity and stage; series
    listing fewer than three producing countries are left out.</p>
    <div id="top-table"></div>
  </section>
  <section class="card" id="chart-export-controls">
    <h2>Export-control exposure</h2>
    <p class="note">For each curated export-control measure with trade coverage: the measure
    country's share of world exports of the HS codes it covers (CEPII BACI), with the year the
    measure takes effect marked. * = shared (basket) codes, which overstate what a measure
    covers.</p>
    <div id="export-controls"></div>
    <h3>Latest-year covered share by importer</h3>
    <div id="export-table"></div>
  </section>
  <section class="card" id="list-alerts">
    <h2>Latest alerts</h2>
    <p class="note">Alerts history: a series turning highly concentrated, China's share up 5
    points or more, a new breach of the EU 65% single-supplier benchmark. The 15 most recent by
    data year.</p>
    <div id="alerts"></div>
  </section>
</main>
<footer>
  <h2>Sources and licences</h2>
  <ul>__SOURCES__</ul>
  <p>Shares are fractions of the world total shown in percent; HHI 0-10,000 (US 2010 merger
  guidelines bands). Generated <span id="generated"></span> from
  <code>warehouse/minerals.duckdb</code>.</p>
</footer>
<script id="dashboard-data" type="application/json">__DATA__</script>
<script>/*JS*/</script>
</body>
</html>
"""

_CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --grid:#e4e7eb; --mining:#1f77b4; --refining:#e8710a; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
  color:var(--ink); background:#f5f7fa; }
header { background:#102a43; color:#fff; padding:18px 28px; }
header h1 { margin:0 0 4px; font-size:22px; }
header .sub { margin:0; color:#bcccdc; }
main { max-width:1280px; margin:0 auto; padding:16px; }
.card { background:#fff; border:1px solid var(--grid); border-radius:8px; padding:14px 18px;
  margin-bottom:16px; }
.card h2 { margin:0 0 6px; font-size:17px; }
.card h3 { margin:4px 0; font-size:13px; color:var(--muted); font-weight:600; }
.note { color:var(--muted); margin:4px 0 8px; font-size:13px; }
.missing { padding:18px; background:#fffbea; border:1px dashed #f0b429; color:#8d2b0b;
  border-radius:6px; }
.row { display:flex; flex-wrap:wrap; gap:18px; }
.chart { flex:1 1 480px; min-width:0; }
.chart.half { flex:1 1 560px; }
svg { display:block; max-width:100%; height:auto; font-size:12px; }
svg text { fill:var(--ink); }
svg .axis text { fill:var(--muted); font-size:11px; }
svg .grid line { stroke:var(--grid); }
.legend { display:flex; flex-wrap:wrap; gap:6px 16px; margin:6px 0; font-size:12px; }
.legend span { display:inline-flex; align-items:center; gap:6px; }
.legend i { display:inline-block; width:22px; height:0; border-top:3px solid; }
.legend i.box { width:12px; height:12px; border:none; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { padding:5px 8px; border-bottom:1px solid var(--grid); text-align:left; }
th { background:#f0f4f8; }
td.nowrap { white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.band { padding:1px 6px; border-radius:9px; font-size:11px; white-space:nowrap; }
.band-high { background:#fde0dd; color:#9b1c1c; }
.band-mod { background:#fff1c2; color:#7a4d00; }
.band-low { background:#e3f8e8; color:#1c6b34; }
.multiples { display:grid; grid-template-columns:repeat(auto-fill, minmax(290px, 1fr));
  gap:12px; margin-bottom:10px; }
.panel { border:1px solid var(--grid); border-radius:6px; padding:8px 10px; }
.panel .head { display:flex; justify-content:space-between; align-items:center; gap:6px; }
.panel .head b { font-size:13px; }
.panel .what { color:var(--muted); font-size:12px; margin:2px 0 4px; min-height:34px; }
.panel .latest { font-size:12px; margin-top:2px; }
.status { padding:1px 6px; border-radius:9px; font-size:11px; white-space:nowrap; }
.status-in_force { background:#fde0dd; color:#9b1c1c; }
.status-suspended { background:#e4e7eb; color:#3e4c59; }
.counts { display:flex; flex-wrap:wrap; gap:8px 18px; margin:4px 0 10px; font-size:13px; }
.counts b { font-variant-numeric:tabular-nums; }
ul.alerts { list-style:none; margin:0; padding:0; }
ul.alerts li { display:flex; gap:10px; align-items:baseline; padding:4px 0;
  border-bottom:1px solid var(--grid); font-size:13px; }
ul.alerts .yr { font-variant-numeric:tabular-nums; color:var(--muted); width:3em; flex:none; }
.kind { padding:1px 6px; border-radius:9px; font-size:11px; white-space:nowrap; flex:none;
  width:17em; text-align:center; }
.kind-became_highly_concentrated { background:#fde0dd; color:#9b1c1c; }
.kind-china_share_up_5pts { background:#fff1c2; color:#7a4d00; }
.kind-new_eu_65pct_breach { background:#dceefb; color:#0b4f8a; }
footer { max-width:1280px; margin:0 auto; padding:4px 20px 30px; color:var(--muted);
  font-size:12px; }
footer h2 { font-size:14px; color:var(--ink); }
footer li { margin-bottom:4px; }
"""

_JS = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("dashboard-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var STAGE_COLOUR = { mining: "#1f77b4", refining: "#e8710a" };
  var PALETTE = ["#1f77b4", "#e8710a", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) { node.setAttribute(k, attrs[k]); }
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function svg(container, w, h, label) {
    var s = el("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, role: "img",
      "aria-label": label });
    container.appendChild(s);
    return s;
  }
  function tip(node, text) { el("title", {}, node, text); }
  function pretty(name) { return String(name).replace(/_/g, " "); }
  function pct(v, digits) { return v === null || v === undefined ? "n/a"
    : (100 * v).toFixed(digits === undefined ? 0 : digits) + "%"; }
  function fmt(v) { return v === null || v === undefined ? "n/a"
    : Math.round(v).toLocaleString("en-US"); }
  function missing(id, table) {
    var box = document.getElementById(id);
    box.innerHTML = "";
    var div = document.createElement("div");
    div.className = "missing";
    div.textContent = table + " is not in this warehouse yet: this chart appears once a " +
      "refresh has built it.";
    box.appendChild(div);
  }
  function legend(id, items) {
    var box = document.getElementById(id);
    items.forEach(function (it) {
      var span = document.createElement("span");
      var i = document.createElement("i");
      if (it.box) { i.className = "box"; i.style.background = it.colour; }
      else {
        i.style.borderTopColor = it.colour;
        if (it.dash) { i.style.borderTopStyle = "dashed"; }
      }
      span.appendChild(i);
      span.appendChild(document.createTextNode(it.label));
      box.appendChild(span);
    });
  }

  // (a) grouped horizontal bars: one group per mineral, a bar per stage
  function groupedBars(container, groups, key, opts) {
    var rowH = 34, top = 40, left = 110, right = 92, w = 600;
    var h = top + groups.length * rowH + 28;
    var s = svg(container, w, h, opts.title);
    el("text", { x: left, y: 14, "font-weight": 600 }, s, opts.title);
    var x = function (v) { return left + (w - left - right) * v / opts.max; };
    var grid = el("g", { "class": "grid axis" }, s);
    opts.ticks.forEach(function (t) {
      el("line", { x1: x(t), x2: x(t), y1: top - 4, y2: h - 22 }, grid);
      el("text", { x: x(t), y: h - 8, "text-anchor": "middle" }, grid, opts.tickLabel(t));
    });
    (opts.refs || []).forEach(function (r) {
      el("line", { x1: x(r.v), x2: x(r.v), y1: top - 4, y2: h - 22, stroke: r.colour,
        "stroke-dasharray": "4 3", "stroke-width": 1.5 }, s);
      el("text", { x: x(r.v), y: top - 7, fill: r.colour, "font-size": 10,
        "text-anchor": r.anchor || "middle" }, s, r.label);
    });
    groups.forEach(function (g, i) {
      var y0 = top + i * rowH;
      el("text", { x: left - 8, y: y0 + rowH / 2 + 4, "text-anchor": "end" }, s,
        pretty(g.commodity));
      ["mining", "refining"].forEach(function (stage, j) {
        var d = g[stage];
        var y = y0 + 4 + j * 13;
        if (!d || d[key] === null || d[key] === undefined) {
          el("text", { x: left + 4, y: y + 10, "font-size": 10, fill: "#9aa5b1" }, s,
            stage + ": no data");
          return;
        }
        var r = el("rect", { x: left, y: y, height: 12, rx: 2,
          width: Math.max(1, x(Math.min(d[key], opts.max)) - left),
          fill: STAGE_COLOUR[stage] }, s);
        tip(r, pretty(g.commodity) + " " + stage + " (" + (d.source === "iea" ? "IEA" : "USGS") +
          " " + d.year + "): China " + pct(d.china_share, 1) + ", HHI " + fmt(d.hhi) +
          ", top producer " + d.top1_iso3 + " " + pct(d.top1_share));
        el("text", { x: x(Math.min(d[key], opts.max)) + 4, y: y + 10, "font-size": 10,
          fill: "#52606d" }, s, opts.valueLabel(d[key]) + " · " + d.year);
      });
    });
  }

  function drawConcentration() {
    var rows = DATA.concentration;
    if (!rows) { missing("chart-concentration", "marts.supply_concentration"); return; }
    var by = {};
    rows.forEach(function (r) {
      by[r.commodity] = by[r.commodity] || { commodity: r.commodity };
      by[r.commodity][r.stage] = r;
    });
    var groups = Object.keys(by).map(function (k) { return by[k]; });
    var key = function (g) { return Math.max(g.refining ? g.refining.china_share : -1,
      g.mining ? g.mining.china_share : -1); };
    groups.sort(function (a, b) { return key(b) - key(a); });
    legend("legend-concentration", [
      { label: "mining", colour: STAGE_COLOUR.mining, box: true },
      { label: "refining", colour: STAGE_COLOUR.refining, box: true }]);
    groupedBars(document.getElementById("bars-china"), groups, "china_share", {
      title: "China's share of world output", max: 1, ticks: [0, 0.25, 0.5, 0.75, 1],
      tickLabel: function (t) { return pct(t); }, valueLabel: function (v) { return pct(v); } });
    groupedBars(document.getElementById("bars-hhi"), groups, "hhi", {
      title: "HHI (0-10,000)", max: 10000, ticks: [0, 2500, 5000, 7500, 10000],
      tickLabel: function (t) { return fmt(t); }, valueLabel: function (v) { return fmt(v); },
      refs: [{ v: 1500, colour: "#b7950b", label: "1,500", anchor: "end" },
             { v: 2500, colour: "#c0392b", label: "2,500", anchor: "start" }] });
  }

  // (b) line chart of shares by year, colour per commodity, dash per stage
  function lineChart(container, rows, colours, title) {
    var w = 600, h = 320, left = 46, right = 16, top = 14, bottom = 30;
    var years = rows.map(function (r) { return r.year; });
    var y0 = Math.min.apply(null, years), y1 = Math.max.apply(null, years);
    if (y0 === y1) { y0 -= 1; y1 += 1; }
    var s = svg(container, w, h, title);
    var x = function (v) { return left + (w - left - right) * (v - y0) / (y1 - y0); };
    var y = function (v) { return top + (h - top - bottom) * (1 - v); };
    var grid = el("g", { "class": "grid axis" }, s);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
      el("line", { x1: left, x2: w - right, y1: y(t), y2: y(t) }, grid);
      el("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end" }, grid, pct(t));
    });
    var step = Math.max(1, Math.ceil((y1 - y0) / 8));
    for (var t = y0; t <= y1; t += step) {
      el("text", { x: x(t), y: h - 10, "text-anchor": "middle" }, grid, String(t));
    }
    var series = {};
    rows.forEach(function (r) {
      var k = r.commodity + "|" + r.stage;
      (series[k] = series[k] || []).push(r);
    });
    Object.keys(series).forEach(function (k) {
      var pts = series[k].filter(function (r) { return r.china_share !== null; });
      if (!pts.length) { return; }
      var c = colours[pts[0].commodity];
      var dash = pts[0].stage === "refining" ? "6 4" : null;
      var d = pts.map(function (r, i) { return (i ? "L" : "M") + x(r.year).toFixed(1) + "," +
        y(r.china_share).toFixed(1); }).join("");
      var attrs = { d: d, fill: "none", stroke: c, "stroke-width": 2.2 };
      if (dash) { attrs["stroke-dasharray"] = dash; }
      tip(el("path", attrs, s), pretty(pts[0].commodity) + " " + pts[0].stage);
      pts.forEach(function (r) {
        tip(el("circle", { cx: x(r.year), cy: y(r.china_share), r: pts.length > 12 ? 1.8 : 3,
          fill: c }, s), pretty(r.commodity) + " " + r.stage + " " + r.year + ": China " +
          pct(r.china_share, 1) +
          (r.source ? " (" + (r.source === "iea" ? "IEA" : "USGS") + ")" : ""));
      });
    });
  }

  function drawTrend() {
    var prod = DATA.production_trend, trade = DATA.trade_trend;
    if (!prod && !trade) { missing("chart-trend", "marts.supply_concentration"); return; }
    var names = [];
    (prod || []).concat(trade || []).forEach(function (r) {
      if (names.indexOf(r.commodity) < 0) { names.push(r.commodity); } });
    names.sort();
    var colours = {};
    names.forEach(function (n, i) { colours[n] = PALETTE[i % PALETTE.length]; });
    if (prod && prod.length) {
      lineChart(document.getElementById("lines-production"), prod, colours, "production share");
    } else { missing("lines-production", "marts.supply_concentration"); }
    if (trade && trade.length) {
      lineChart(document.getElementById("lines-trade"), trade, colours, "import share");
    } else { missing("lines-trade", "marts.import_dependence"); }
    legend("legend-trend", names.map(function (n) {
      return { label: pretty(n), colour: colours[n] }; })
      .concat([{ label: "mining", colour: "#52606d" },
               { label: "refining", colour: "#52606d", dash: true }]));
  }

  // (c) heatmap: rows commodity-stage, columns importers
  function drawHeatmap() {
    var hm = DATA.heatmap;
    if (!hm) { missing("heatmap", "marts.import_dependence"); return; }
    var keys = [];
    hm.cells.forEach(function (c) { var k = c.commodity + "|" + c.stage;
      if (keys.indexOf(k) < 0) { keys.push(k); } });
    var byKey = {};
    hm.cells.forEach(function (c) {
      byKey[c.commodity + "|" + c.stage + "|" + c.importer_iso3] = c; });
    var maxShare = function (k) { return Math.max.apply(null, hm.importers.map(function (i) {
      var c = byKey[k + "|" + i]; return c ? c.china_share : 0; })); };
    keys.sort(function (a, b) { return maxShare(b) - maxShare(a); });
    var all = keys.length;
    keys = keys.filter(function (k) { return maxShare(k) >= 0.005; });
    var box = document.getElementById("heatmap");
    var note = document.createElement("p");
    note.className = "note";
    note.textContent = "China's share of each importer's import value, " + hm.year +
      " (EU27 = extra-EU imports). Darker = more dependent; grey = no imports. " +
      (all - keys.length ? (all - keys.length) + " commodity-stages where China supplies " +
      "under 0.5% to all three are left out." : "");
    box.appendChild(note);
    var cols = hm.importers.length, cw = 92, rh = 20, left = 270, top = 26;
    var w = left + cols * cw + 130, h = Math.max(top + keys.length * rh, top + 5 * 18) + 10;
    var s = svg(box, w, h, "China share of imports heatmap");
    hm.importers.forEach(function (imp, j) {
      el("text", { x: left + j * cw + cw / 2, y: 16, "text-anchor": "middle", "font-weight": 600 },
        s, imp);
    });
    function colour(v) {  // white -> dark red
      var t = Math.max(0, Math.min(1, v));
      var r = Math.round(255 - t * (255 - 153)), g = Math.round(245 - t * 245),
        b = Math.round(240 - t * (240 - 13));
      return "rgb(" + r + "," + g + "," + b + ")";
    }
    keys.forEach(function (k, i) {
      var parts = k.split("|"), yy = top + i * rh;
      el("text", { x: left - 8, y: yy + rh / 2 + 4, "text-anchor": "end" }, s,
        pretty(parts[0]) + " · " + parts[1]);
      hm.importers.forEach(function (imp, j) {
        var c = byKey[k + "|" + imp];
        var rect = el("rect", { x: left + j * cw + 1, y: yy + 1, width: cw - 2, height: rh - 2,
          fill: c ? colour(c.china_share) : "#e4e7eb" }, s);
        if (c) {
          tip(rect, imp + " " + pretty(parts[0]) + " " + parts[1] + ": China " +
            pct(c.china_share, 1) + " of $" + fmt(c.import_value_usd) + "; top supplier " +
            c.top_supplier_iso3 + " " + pct(c.top_supplier_share));
          el("text", { x: left + j * cw + cw / 2, y: yy + rh / 2 + 4, "text-anchor": "middle",
            "font-size": 11, fill: c.china_share > 0.55 ? "#fff" : "#1f2933" }, s,
            pct(c.china_share));
        }
      });
    });
    var lx = left + cols * cw + 24;
    for (var q = 0; q <= 4; q++) {
      el("rect", { x: lx, y: top + q * 18, width: 16, height: 16, fill: colour(q / 4) }, s);
      el("text", { x: lx + 22, y: top + q * 18 + 12, "font-size": 11 }, s, pct(q / 4));
    }
  }

  // (d) table
  function drawTable() {
    var rows = DATA.top_concentrated;
    if (!rows) { missing("top-table", "marts.supply_concentration"); return; }
    var t = document.createElement("table");
    var head = ["Commodity", "Stage", "Source", "Year", "Top producer", "Top share",
      "China share", "HHI", "Band"];
    var tr = document.createElement("tr");
    head.forEach(function (hd) {
      var th = document.createElement("th"); th.textContent = hd; tr.appendChild(th); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = document.createElement("tr");
      var band = r.concentration_band || "";
      var cells = [[pretty(r.commodity)], [r.stage], [r.source === "iea" ? "IEA" : "USGS"],
        [r.year, "num"], [r.top1_iso3], [pct(r.top1_share), "num"], [pct(r.china_share), "num"],
        [fmt(r.hhi), "num"], [band, "band"]];
      cells.forEach(function (c) {
        var td = document.createElement("td");
        if (c[1] === "band") {
          var sp = document.createElement("span");
          sp.className = "band " + (band.indexOf("highly") === 0 ? "band-high"
            : band.indexOf("moderately") === 0 ? "band-mod" : "band-low");
          sp.textContent = band; td.appendChild(sp);
        } else { td.textContent = c[0]; if (c[1]) { td.className = c[1]; } }
        row.appendChild(td);
      });
      t.appendChild(row);
    });
    document.getElementById("top-table").appendChild(t);
  }

  function node(tag, cls, parent, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined) { n.textContent = text; }
    if (parent) { parent.appendChild(n); }
    return n;
  }
  function money(v) {
    if (v === null || v === undefined) { return "n/a"; }
    var a = Math.abs(v);
    return a >= 1e9 ? "$" + (v / 1e9).toFixed(2) + "B" : a >= 1e6 ? "$" + (v / 1e6).toFixed(1) + "M"
      : a >= 1e3 ? "$" + (v / 1e3).toFixed(0) + "k" : "$" + fmt(v);
  }
  function statusBadge(parent, status) {
    return node("span", "status status-" + status, parent, pretty(status || "unknown"));
  }

  function effYear(date) {  // "2025-04-04" -> 2025.25 (the month's start)
    var d = String(date || "");
    return parseInt(d.slice(0, 4), 10) + ((parseInt(d.slice(5, 7), 10) || 1) - 1) / 12;
  }

  // (e) export-control exposure: small multiples of world covered share, effective year marked
  function exposurePanel(box, m, y0, y1) {
    var panel = node("div", "panel", box);
    var head = node("div", "head", panel);
    node("b", "", head, m.measure_id + (m.includes_shared_codes ? " *" : ""));
    statusBadge(head, m.status);
    node("div", "what", panel, m.measure);
    var w = 300, h = 140, left = 40, right = 16, top = 16, bottom = 22;
    var top1 = Math.max.apply(null, m.series.map(function (p) { return p.share || 0; }));
    var max = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1].filter(function (v) { return v >= top1; })[0] || 1;
    var s = svg(panel, w, h, m.measure_id + " share of world exports");
    var x = function (v) { return left + (w - left - right) * (v - y0) / (y1 - y0); };
    var y = function (v) { return top + (h - top - bottom) * (1 - v / max); };
    var grid = el("g", { "class": "grid axis" }, s);
    [0, max / 2, max].forEach(function (t) {
      el("line", { x1: left, x2: w - right, y1: y(t), y2: y(t) }, grid);
      el("text", { x: left - 4, y: y(t) + 4, "text-anchor": "end" }, grid,
        pct(t, max < 0.1 ? 1 : 0));
    });
    for (var t = y0; t <= y1; t += 2) {
      el("text", { x: x(t), y: h - 6, "text-anchor": "middle" }, grid, String(t));
    }
    var eff = String(m.effective || ""), ey = parseInt(eff.slice(0, 4), 10);
    if (ey >= y0 && ey <= y1) {
      var ex = x(effYear(eff));
      el("line", { "class": "effective", x1: ex, x2: ex, y1: top - 4, y2: h - bottom,
        stroke: "#c0392b", "stroke-width": 1.5, "stroke-dasharray": "4 3" }, s);
      var early = ex < left + (w - left - right) / 2;
      el("text", { x: early ? ex + 3 : ex - 3, y: top - 2, "text-anchor": early ? "start" : "end",
        "font-size": 10, fill: "#c0392b" }, s, "effective " + eff.slice(0, 7));
    } else if (ey < y0) {
      el("text", { x: left + 3, y: top - 2, "font-size": 10, fill: "#c0392b" }, s,
        "in effect since " + eff.slice(0, 7));
    }
    var pts = m.series.filter(function (p) { return p.share !== null; });
    var d = pts.map(function (p, i) { return (i ? "L" : "M") + x(p.year).toFixed(1) + "," +
      y(p.share).toFixed(1); }).join("");
    tip(el("path", { d: d, fill: "none", stroke: "#102a43", "stroke-width": 2 }, s),
      m.measure_id + ": share of world exports");
    pts.forEach(function (p) {
      tip(el("circle", { cx: x(p.year), cy: y(p.share), r: 2.6, fill: "#102a43" }, s),
        m.measure_id + " " + p.year + ": " + pct(p.share, 1) + " of world exports, " +
        money(p.value) + " covered");
    });
    var last = m.latest;
    node("div", "latest", panel, "Latest (" + last.year + "): " + money(last.value) +
      " covered, " + pct(last.share, 1) + " of world exports");
  }

  function exposureTable(ec) {
    var t = node("table", "", document.getElementById("export-table"));
    var tr = node("tr", "", t);
    ["Measure", "Effective", "Status", "Year", "World"].concat(ec.importers)
      .forEach(function (hd) { node("th", "", tr, hd); });
    ec.measures.forEach(function (m) {
      var row = node("tr", "", t);
      var first = node("td", "", row);
      node("b", "", first, m.measure_id + " ");
      first.appendChild(document.createTextNode(m.measure));
      node("td", "nowrap", row, String(m.effective).slice(0, 10));
      statusBadge(node("td", "", row), m.status);
      node("td", "num", row, m.latest.year);
      node("td", "num", row, pct(m.latest.share, 1));
      ec.importers.forEach(function (imp) {
        node("td", "num", row, pct(m.importers[imp], 1));
      });
    });
  }

  function drawExportControls() {
    var ec = DATA.export_controls;
    if (!ec) {
      missing("export-controls", "marts.export_control_exposure");
      document.getElementById("export-table").previousElementSibling.remove();
      return;
    }
    var box = document.getElementById("export-controls");
    if (!ec.measures.length) {
      node("p", "note", box, "No measure has trade in " + ec.years.join("-") + ".");
      return;
    }
    var y0 = ec.years[0], y1 = ec.years[1];  // x axis runs on to the latest effective date
    ec.measures.forEach(function (m) { y1 = Math.max(y1, effYear(m.effective) || y1); });
    y1 = Math.min(y1, ec.years[1] + 2);
    var grid = node("div", "multiples", box);
    ec.measures.forEach(function (m) { exposurePanel(grid, m, y0, y1); });
    exposureTable(ec);
  }

  // (f) latest alerts: counts by kind and the most recent by data year
  function drawAlerts() {
    var al = DATA.alerts;
    if (!al) { missing("alerts", "marts.alerts"); return; }
    var box = document.getElementById("alerts");
    var counts = node("div", "counts", box);
    node("span", "", counts, "All alerts: ").appendChild(node("b", "", null, fmt(al.total)));
    al.counts.forEach(function (c) {
      var sp = node("span", "", counts);
      node("span", "kind kind-" + c.kind, sp, pretty(c.kind));
      sp.appendChild(document.createTextNode(" "));
      node("b", "", sp, fmt(c.n));
    });
    if (!al.recent.length) { node("p", "note", box, "No alerts recorded yet."); return; }
    var ul = node("ul", "alerts", box);
    al.recent.forEach(function (a) {
      var li = node("li", "", ul);
      node("span", "yr", li, a.year === null ? "n/a" : String(a.year));
      node("span", "kind kind-" + a.kind, li, pretty(a.kind));
      node("span", "msg", li, a.message);
    });
  }

  document.getElementById("refreshed").textContent = DATA.refreshed_at || "(unknown)";
  document.getElementById("generated").textContent = DATA.generated_at;
  drawConcentration();
  drawTrend();
  drawHeatmap();
  drawTable();
  drawExportControls();
  drawAlerts();
})();
"""
