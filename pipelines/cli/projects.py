"""`minerals projects [COMMODITY]`: the cited project pipeline outside China and the 2030 outlook
per scenario beside IEA's own projection (docs/projects.md).

Both tables are files, `sql/reports/projects_pipeline.sql` and `projects_outlook.sql`; this
module matches the commodity and says in words what the tables cannot: that capacity is not
production, and which rows the outlook leaves out.
"""

import argparse

from pipelines.cli import console

PIPELINE = (
    "Projects outside China: one line per capacity step (a later step replaces the earlier one, "
    "never adds to it), with public funding and the page each figure was read from. Nameplate "
    "capacity, not production."
)
OUTLOOK = (
    "Outlook 2030 per scenario: output = today's production + the pipeline's added nameplate x "
    "utilisation, China on IEA's base-case path; beside IEA's own 2030 China share. Shortfalls "
    "are output tonnes on the series' unit."
)
LEFT_OUT = (
    "Left out of the outlook: rows marked unverified (no public page of standing found), rows "
    "with no dated start, and scopes with no production series by country (magnets, antimony "
    "metal, germanium)."
)


def cmd_projects(args: argparse.Namespace) -> int:
    con = console.connect_readonly()
    commodity = None
    if args.commodity:
        commodity = console.resolve_key(
            con, args.commodity, "projects_commodities", "commodity with projects", "commodity"
        )
    print(PIPELINE + "\n")
    console.print_relation(console.run(con, "projects_pipeline", commodity=commodity))
    print("\n" + OUTLOOK + "\n")
    console.print_relation(console.run(con, "projects_outlook", commodity=commodity))
    print("\n" + LEFT_OUT)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("projects", help="projects outside China, their sources and the outlook")
    p.add_argument("commodity", nargs="?", help="e.g. rare_earths (or REE), graphite, gallium")
    p.set_defaults(func=cmd_projects)
