"""`minerals brief COMMODITY [--importer X] [--out DIR] [--format html,md]`: a one-page
situation report on one commodity for one importer, from the published warehouse, offline.

Every figure is read by a file `sql/reports/brief_*.sql` (`QUERIES`, bound parameters); a file
whose tables the warehouse lacks is not run and its section says so in one line.
`pipelines/lib/briefing` words and draws the rows. docs/briefings.md says what is in it.
"""

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from pipelines.cli import console
from pipelines.lib import settings

QUERIES = (
    "brief_concentration",
    "brief_producers",
    "brief_dependence",
    "brief_suppliers",
    "brief_reliance",
    "brief_measures",
    "brief_event_study",
    "brief_event_left_out",
    "brief_partner_monthly",
    "brief_partner_event_study",
    "brief_press",
    "brief_stockpile",
    "brief_project_capacity",
    "brief_outlook",
    "brief_refined_origin",
    "brief_prices",
    "prices_usgs",  # the `minerals prices` report's own queries: one place for each
    "prices_screens",
    "brief_price_baskets",
)
FORMATS = ("html", "md")
NO_PDF = (
    "PDF is not written: no PDF route works on a fresh machine with Python and pip alone "
    "(docs/briefings.md). Open the HTML and print it to PDF (it has a print layout)."
)


def formats(text: str) -> tuple[str, ...]:
    """--format: html, md or both (comma-separated)."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    if "pdf" in chosen:
        raise argparse.ArgumentTypeError(NO_PDF)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"{', '.join(unknown) or text!r}: choose html, md or html,md"
        )
    return chosen


def read(con, commodity: str, importer: str) -> dict:
    """{query name: rows as dicts, or None when a table it reads is not in the warehouse}."""
    have = {f"{s}.{t}" for s, t in con.execute(console.TABLES).fetchall()}
    out = {}
    for name in QUERIES:
        query = console.report(name)
        if not set(query.tables) <= have:
            out[name] = None
            continue
        params = {"commodity": commodity, "importer": importer}
        cur = console.run(con, name, **{p: params[p] for p in query.params})
        columns = console.columns_of(cur)
        out[name] = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
    return out


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_brief(con, commodity: str, importer: str, out_dir: Path, fmts) -> list[Path]:
    """Write the brief's files into `out_dir`; returns their paths."""
    from pipelines.lib.briefing import compose
    from pipelines.lib.briefing.render import render_html, render_markdown

    names = console.names(con, "country", [importer])[importer]
    members = [m for (m,) in console.run(con, "brief_members", importer=importer).fetchall()]
    (refreshed,) = console.run(con, "refresh_time").fetchone()
    meta = {
        "commodity": commodity,
        "importer": importer,
        "importer_name": names[0] if names else importer,
        "members": members,
        "refreshed": f"{refreshed:%Y-%m-%d %H:%M} UTC" if refreshed else "unknown",
        "generated": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    }
    brief = compose(read(con, commodity, importer), meta)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{commodity}_{importer}"
    written = []
    if "html" in fmts:
        from pipelines.lib.dashboard import vega_bundle

        path = out_dir / f"{stem}.html"
        _write(path, render_html(brief, vega_bundle()))
        written.append(path)
    if "md" in fmts:
        charts = Path(f"{stem}_charts")
        text, svgs = render_markdown(brief, charts)
        (out_dir / charts).mkdir(exist_ok=True)
        for name, svg in svgs.items():
            _write(out_dir / charts / name, svg)
        path = out_dir / f"{stem}.md"
        _write(path, text)
        written.append(path)
    return written


def cmd_brief(args: argparse.Namespace) -> int:
    con = console.connect_readonly()
    commodity = console.resolve_key(
        con, args.commodity, "brief_commodities", "commodity", "commodity"
    )
    importer = console.resolve_key(con, args.importer, "brief_importers", "importer", "country")
    out_dir = Path(args.out) if args.out else settings.warehouse_dir() / "briefs"
    for path in write_brief(con, commodity, importer, out_dir, args.format):
        print(f"wrote {console.shown(path)}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser(
        "brief",
        help="a one-page situation report on a commodity for an importer (HTML, Markdown)",
        description="Write a situation report on COMMODITY for an importer from the published "
        "warehouse, offline: concentration of each stage, who the importer depends on, what "
        "the export controls did, stockpile cover, projects and prices, each figure with its "
        "scope and source.",
    )
    p.add_argument("commodity", help="e.g. rare_earths (or REE), gallium, graphite")
    p.add_argument(
        "--importer",
        default="USA",
        help="ISO3 code, country name or bloc (EU27, USA_JPN); default USA",
    )
    p.add_argument("--out", help="folder to write into (default: the warehouse's briefs/)")
    p.add_argument(
        "--format",
        type=formats,
        default=FORMATS,
        help="html, md or html,md (default both). " + NO_PDF,
    )
    p.set_defaults(func=cmd_brief)
