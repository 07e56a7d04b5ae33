"""`minerals projects [COMMODITY]`: the cited project pipeline and the 2030 outlook per scenario.

Its queries are files (sql/reports/projects_pipeline.sql, projects_outlook.sql) with bound
parameters; it registers itself on the CLI's parser like `minerals scenario`.
"""

from pipelines.lib.sql import load_query


def add_parser(sub) -> None:
    p = sub.add_parser("projects", help="projects outside China, their sources and the outlook")
    p.add_argument("commodity", nargs="?", help="e.g. rare_earths, graphite, gallium (or all)")
    p.set_defaults(func=cmd_projects)


def cmd_projects(args) -> int:
    from pipelines.cli import _connect_readonly, _print_relation, _require_known

    con = _connect_readonly()
    commodity = None
    if args.commodity:
        known = [
            c
            for (c,) in con.execute(
                "SELECT DISTINCT commodity FROM staging.capacity_scopes ORDER BY 1"
            ).fetchall()
        ]
        listing = "select distinct commodity from staging.capacity_scopes"
        commodity = _require_known(args.commodity, known, "commodity", listing)
    params = {"commodity": commodity}
    print(
        "Projects outside China: one line per capacity step (later steps replace earlier "
        "ones), with public funding and the page each figure was read from\n"
    )
    _print_relation(con.sql(load_query("reports/projects_pipeline.sql"), params=params))
    print(
        "\nOutlook 2030 per scenario (output = nameplate x utilisation; China on IEA's path) "
        "beside IEA's own projection; shortfalls in output tonnes\n"
    )
    _print_relation(con.sql(load_query("reports/projects_outlook.sql"), params=params))
    return 0
