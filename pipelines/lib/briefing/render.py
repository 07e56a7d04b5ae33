"""The brief as HTML (one file: CSS, data and the Vega bundle inlined, so it opens offline and
prints) and as Markdown (tables, with the charts as SVG files beside it)."""

import copy
import html
import json
from datetime import date
from pathlib import Path

from pipelines.lib.briefing import Brief, Column, Table, month

HERE = Path(__file__).parent


def cell(value, fmt: str) -> str:
    """A value as printed: percent, thousands separators, USD millions; n/a for a gap."""
    if value is None or value == "":
        return "n/a"
    if fmt == "pct":
        return f"{100 * value:.1f}"
    if fmt in ("int", "num0"):
        return f"{value:,.0f}"
    if fmt == "usd_m":
        return f"{value / 1e6:,.1f}"
    if fmt == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if fmt == "month":
        return month(value)
    return str(value)


def _numeric(column: Column) -> bool:
    return column.fmt in ("pct", "int", "num0", "usd_m")


# --- HTML ----------------------------------------------------------------------------------


def _table_html(t: Table) -> str:
    head = "".join(
        f'<th{" class=num" if _numeric(c) else ""}>{html.escape(c.header)}</th>' for c in t.columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td{" class=num" if _numeric(c) else ""}>{html.escape(cell(r.get(c.key), c.fmt))}</td>'
            for c in t.columns
        )
        + "</tr>"
        for r in t.rows
    )
    return (
        f'<figure class="table"><figcaption><b>{html.escape(t.caption)}</b>'
        f'<span class="scope">Scope: {html.escape(t.scope)}</span></figcaption>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></figure>"
    )


def render_html(brief: Brief, vega_bundle: str) -> str:
    specs = {}
    parts = []
    for s in brief.sections:
        out = [f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>']
        if s.absent:
            out.append(f'<p class="absent">{html.escape(s.absent)}</p>')
        if s.lead:
            out.append("<ul class=lead>" + "".join(f"<li>{html.escape(x)}</li>" for x in s.lead) + "</ul>")
        for c in s.charts:
            specs[c["id"]] = c["spec"]
            out.append(
                f'<figure class="chart"><figcaption>{html.escape(c["title"])}</figcaption>'
                f'<div class="vega" id="chart-{c["id"]}"></div></figure>'
            )
        out.extend(_table_html(t) for t in s.tables)
        if s.notes:
            out.append("<ul class=notes>" + "".join(f"<li>{html.escape(x)}</li>" for x in s.notes) + "</ul>")
        out.append("</section>")
        parts.append("".join(out))
    sources = "".join(
        f"<li>{html.escape(name)}: {html.escape(terms)}</li>" for name, terms in brief.source_lines()
    )
    members = (
        f" (members: {', '.join(brief.members)}; trade across the bloc's border only)"
        if brief.members
        else ""
    )
    payload = json.dumps(specs, separators=(",", ":"), default=str)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = (HERE / "brief.html").read_text(encoding="utf-8")
    fill = {
        "__TITLE__": html.escape(brief.title),
        "__SUBTITLE__": html.escape(
            f"{brief.importer}{members}. Published warehouse refreshed {brief.refreshed}; "
            f"brief written {brief.generated}."
        ),
        "__SECTIONS__": "".join(parts),
        "__SOURCES__": sources,
        "/*BRIEF_CSS*/": (HERE / "brief.css").read_text(encoding="utf-8"),
        "__SPECS__": payload,
        "/*VEGA_BUNDLE*/": vega_bundle.replace("</script", "<\\/script"),  # last
    }
    for marker, text in fill.items():
        page = page.replace(marker, text, 1)
    return page


# --- Markdown ------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table_md(t: Table) -> list[str]:
    lines = [f"**{_md(t.caption)}**", "", f"*Scope: {_md(t.scope)}*", ""]
    lines.append("| " + " | ".join(_md(c.header) for c in t.columns) + " |")
    lines.append("|" + "|".join("---:" if _numeric(c) else "---" for c in t.columns) + "|")
    for r in t.rows:
        lines.append("| " + " | ".join(_md(cell(r.get(c.key), c.fmt)) for c in t.columns) + " |")
    return lines + [""]


def static_spec(spec: dict, width: int = 640) -> dict:
    """A chart spec at a fixed width (an SVG file has no container to fit)."""
    out = copy.deepcopy(spec)
    out["width"] = width
    out["autosize"] = {"type": "fit-x", "contains": "padding"}
    for layer in out.get("layer", []):
        layer.pop("width", None)
    return out


def render_markdown(brief: Brief, chart_dir: Path | None) -> tuple[str, dict[str, str]]:
    """The Markdown text and {file name: SVG} of its charts (`chart_dir`: the folder the
    Markdown links them from, relative to it; None: no charts)."""
    import vl_convert

    lines = [f"# {brief.title}", "", f"{brief.importer}"]
    if brief.members:
        lines[-1] += f" (members: {', '.join(brief.members)}; trade across the bloc's border only)"
    lines[-1] += f". Warehouse refreshed {brief.refreshed}; brief written {brief.generated}."
    lines.append("")
    svgs = {}
    for s in brief.sections:
        lines += [f"## {s.title}", ""]
        if s.absent:
            lines += [s.absent, ""]
        lines += [f"- {_md(x)}" for x in s.lead] + ([""] if s.lead else [])
        for c in s.charts:
            if chart_dir is None:
                continue
            name = f"{c['id']}.svg"
            svgs[name] = vl_convert.vegalite_to_svg(static_spec(c["spec"]))
            lines += [f"![{_md(c['title'])}]({chart_dir.as_posix()}/{name})", ""]
        for t in s.tables:
            lines += _table_md(t)
        lines += [f"- {_md(x)}" for x in s.notes] + ([""] if s.notes else [])
    lines += ["## Sources and licences", ""]
    lines += [f"- {_md(name)}: {_md(terms)}" for name, terms in brief.source_lines()]
    return "\n".join(lines) + "\n", svgs
