"""The brief as HTML (one file: CSS, data and the Vega bundle inlined, so it opens offline and
prints) and as Markdown (tables, with the charts as SVG files beside it)."""

import copy
import html
import json
from datetime import date
from pathlib import Path

from pipelines.lib.briefing import Brief, Chart, Column, Table, month

HERE = Path(__file__).parent


def cell(value, fmt: str) -> str:
    """A value as printed: percent, thousands separators, USD millions; n/a for a gap."""
    if value is None or value == "":
        return "n/a"
    if fmt == "pct":
        return f"{100 * value:.1f}"
    if fmt in ("int", "num0"):
        return f"{value:,.0f}"
    if fmt == "num1":
        return f"{value:,.1f}"
    if fmt == "usd_m":
        return f"{value / 1e6:,.1f}"
    if fmt == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if fmt == "month":
        return month(value)
    return str(value)


def _numeric(column: Column) -> bool:
    return column.fmt in ("pct", "int", "num0", "num1", "usd_m")


def _class(column: Column) -> str:
    """Numbers right-aligned; dates kept on one line."""
    if _numeric(column):
        return " class=num"
    return " class=nowrap" if column.fmt in ("date", "month") else ""


# --- HTML ----------------------------------------------------------------------------------


def _table_html(t: Table) -> str:
    head = "".join(f"<th{_class(c)}>{html.escape(c.header)}</th>" for c in t.columns)
    # each cell carries its header: on a phone a row is a card of "header: value" lines
    body = "".join(
        "<tr>"
        + "".join(
            f'<td{_class(c)} data-label="{html.escape(c.header)}">'
            f"{html.escape(cell(r.get(c.key), c.fmt))}</td>"
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
            out.append(
                "<ul class=lead>" + "".join(f"<li>{html.escape(x)}</li>" for x in s.lead) + "</ul>"
            )
        charts: list[str] = []  # charts in a row sit side by side on a wide page
        for item in [*s.items, None]:
            if isinstance(item, Chart):
                specs[item.id] = item.spec
                charts.append(
                    f'<figure class="chart"><figcaption>{html.escape(item.title)}</figcaption>'
                    f'<div class="vega" id="chart-{item.id}"></div></figure>'
                )
                continue
            if charts:
                out.append('<div class="charts">' + "".join(charts) + "</div>")
                charts = []
            if item is not None:
                out.append(_table_html(item))
        if s.notes:
            out.append(
                "<ul class=notes>"
                + "".join(f"<li>{html.escape(x)}</li>" for x in s.notes)
                + "</ul>"
            )
        out.append("</section>")
        parts.append("".join(out))
    sources = "".join(
        f"<li>{html.escape(name)}: {html.escape(terms)}</li>"
        for name, terms in brief.source_lines()
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
        page = page.replace(marker, text)
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
        for item in s.items:
            if isinstance(item, Table):
                lines += _table_md(item)
            elif chart_dir is not None:
                name = f"{item.id}.svg"
                svgs[name] = vl_convert.vegalite_to_svg(static_spec(item.spec))
                lines += [f"![{_md(item.title)}]({chart_dir.as_posix()}/{name})", ""]
        lines += [f"- {_md(x)}" for x in s.notes] + ([""] if s.notes else [])
    lines += ["## Sources and licences", ""]
    lines += [f"- {_md(name)}: {_md(terms)}" for name, terms in brief.source_lines()]
    return "\n".join(lines) + "\n", svgs
