"""The offline dashboard (`dashboard/index.html`), built from the published warehouse.

Python reads the data (`dashboard_data`, plain rows) and builds Vega-Lite specs with Altair
(`chart_specs`); `template.html`, `dashboard.css` and `dashboard.js` beside this file lay them
out. The Vega, Vega-Lite and vega-embed scripts come from the `vl-convert-python` package
(`javascript_bundle`, the bundle Altair itself inlines for offline HTML) and are inlined, so
the page opens from disk with no network request.
"""

import contextlib
import json
import logging
import os
from pathlib import Path

import altair as alt
import duckdb

from pipelines.lib import settings
from pipelines.lib.dashboard import data as d
from pipelines.lib.dashboard.panels import PAGE_QUERIES, PANELS, query_tables
from pipelines.lib.exports import SOURCES

HERE = Path(__file__).parent
log = logging.getLogger(__name__)


def dashboard_data(con: duckdb.DuckDBPyConnection) -> dict:
    """Every present panel's rows (e.g. `data["concentration"]`: one row per focus
    (commodity, stage) with source, year, china_share, hhi), plus what the page needs around
    them: focus minerals, importers, stages, which panels are absent and why."""
    page = d.Reader(con, PAGE_QUERIES)
    have = d.tables(page)
    focus = d.focus_commodities(page) if "staging.focus_commodities" in have else []
    importers = d.importers(page) if "marts.import_dependence" in have else []
    ctx = {"tables": have, "focus": focus, "importers": importers}
    out: dict = {
        **d.meta(page, have),
        "focus": [{"commodity": c, "label": d.label(c)} for c in focus],
        "importers": importers,
        "stages": d.STAGES,
        "sources": SOURCES,
        "panels": [],
        "absent": [],
    }
    for panel in PANELS:
        missing = [t for t in panel.needs if t not in have]
        if missing:
            out["absent"].append({"id": panel.id, "title": panel.title, "needs": missing})
            continue
        optional = [n for n in panel.optional if set(query_tables((n,))) <= have]
        out.update(panel.data(d.Reader(con, panel.queries + tuple(optional)), ctx))
        out["panels"].append({"id": panel.id, "title": panel.title, "note": panel.note})
    return out


def chart_specs(data: dict) -> dict[str, dict[str, dict]]:
    """{panel id: {chart id: Vega-Lite spec}} for the panels present in `data`."""
    present = {p["id"] for p in data["panels"]}
    defaults = {
        "commodity": data["focus"][0]["commodity"] if data["focus"] else "",
        "importer": data["importers"][0] if data["importers"] else "",
    }
    return {p.id: p.charts(data, defaults) if p.charts else {} for p in PANELS if p.id in present}


def _script_safe(text: str) -> str:
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def vega_bundle(cache_dir: Path | None = None) -> str:
    """vega, vega-lite (the version Altair's specs are written for, e.g. v6_4) and vega-embed
    as one script that defines window.vegaEmbed.

    Bundling takes vl-convert 1.4-2.8 s and gives the same script for the same versions, so
    it is kept in `cache_dir` (default: the per-user cache, `settings.cache_dir()`) under a name
    holding both versions (written atomically); a cache that cannot be written is skipped with
    a warning.
    """
    import vl_convert

    vl_version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])  # "v6.4.1" -> "v6_4"
    cache_dir = cache_dir or settings.cache_dir()
    cached = cache_dir / f"vega-bundle-{vl_version}-vl-convert-{vl_convert.__version__}.js"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle(vl_version=vl_version)
    tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, cached)
    except OSError as exc:  # a read-only home in a container: bundle again next time
        log.warning(
            "could not keep the Vega bundle in %s (%s): set MINERALS_CACHE_DIR", cache_dir, exc
        )
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return bundle


def _columnar(value):
    """A list of rows as {"columns": [...], "rows": [[...]]}: a third of the size in the page;
    dashboard.js turns it back into rows."""
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        columns = list(value[0])
        return {"columns": columns, "rows": [[r.get(c) for c in columns] for r in value]}
    return value


def render_html(data: dict) -> str:
    packed = {k: _columnar(v) for k, v in data.items()}
    payload = json.dumps(
        {"data": packed, "charts": chart_specs(data)}, default=str, separators=(",", ":")
    )
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = (HERE / "template.html").read_text(encoding="utf-8")
    parts = {
        "/*DASHBOARD_CSS*/": (HERE / "dashboard.css").read_text(encoding="utf-8"),
        "/*DASHBOARD_JS*/": _script_safe((HERE / "dashboard.js").read_text(encoding="utf-8")),
        "__DASHBOARD_DATA__": payload,
        # last: nothing is searched inside it
        "/*VEGA_BUNDLE*/": _script_safe(vega_bundle()),
    }
    for marker, text in parts.items():
        page = page.replace(marker, text, 1)
    return page


def build_dashboard(published: Path | str, out_dir: Path | str) -> Path:
    """Write `<out_dir>/index.html` from the published DuckDB file (temp file + rename)."""
    with duckdb.connect(str(published), read_only=True) as con:
        data = dashboard_data(con)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    tmp = out_dir / f".index.html.{os.getpid()}.tmp"
    tmp.write_text(render_html(data), encoding="utf-8")
    os.replace(tmp, target)
    return target
