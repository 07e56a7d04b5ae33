"""`minerals`: refresh the warehouse, query it, and read the headline figures."""

import argparse
import difflib
import functools
import json
import os
import sys
from pathlib import Path

from pipelines.lib.paths import DEFAULT_WAREHOUSE_DIR
from pipelines.lib.sql import load_query


def _published_path() -> Path:
    return Path(os.environ.get("MINERALS_WAREHOUSE_DIR", DEFAULT_WAREHOUSE_DIR)) / "minerals.duckdb"


def _connect_readonly():
    import duckdb

    path = _published_path()
    if not path.exists():
        sys.exit(
            f"error: no published warehouse at {path}. Run `make run` (or `minerals refresh`)"
            " first."
        )
    return duckdb.connect(str(path), read_only=True)


def _print_relation(rel, fmt: str = "table") -> None:
    columns = rel.columns
    rows = rel.fetchall()
    if fmt == "json":
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, indent=1))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        cells = [[("" if v is None else str(v)) for v in r] for r in rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
        print("  ".join("-" * w for w in widths))
        for r in cells:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
        print(f"({len(rows)} rows)")


def cmd_refresh(args: argparse.Namespace) -> int:
    import warnings

    import dagster as dg

    # Dagster flags its beta/preview APIs on every call: noise for someone running a refresh
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)

    if args.live:
        os.environ["MINERALS_SOURCE"] = "live"
    from pipelines.definitions import defs
    from pipelines.defs.serving.incremental import refresh_changed
    from pipelines.defs.trade.partitions import year_range_tags

    job = defs.resolve_job_def("refresh_job")
    if args.select:
        known = {k.to_user_string().replace("/", "."): k for k in defs.resolve_all_asset_keys()}
        for name in args.select:
            _require_known(name, sorted(known), "asset", "show all tables")
        # a table built together with another (staging.production + iea_published_top3) brings it
        selection = dg.AssetSelection.assets(*(known[n] for n in args.select))
        keys = selection.required_multi_asset_neighbors().resolve(defs.resolve_asset_graph())
        job = job.get_subset(asset_selection=keys)
    try:  # trade assets are partitioned by year: one run covers the whole range, or --years
        first, _, last = (args.years or "").partition("-")
        tags = year_range_tags(int(first), int(last or first)) if args.years else year_range_tags()
    except ValueError as exc:
        sys.exit(f"error: --years {args.years!r}: {exc}")
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else (dg.DagsterInstance.ephemeral())
    )
    print(
        f"Refreshing from the {'live sources' if _is_live() else 'bundled snapshot'}...", flush=True
    )
    loggers = {"progress": {}}
    if args.log_level:  # the full Dagster event log, for debugging
        loggers["console"] = {"config": {"log_level": args.log_level}}
    run = functools.partial(refresh_changed, job) if args.changed else job.execute_in_process
    result = run(
        instance=instance, raise_on_error=False, run_config={"loggers": loggers}, tags=tags
    )
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    if failed_checks:
        print("\nChecks that did not pass:")
    for e in failed_checks:
        level = "WARN" if e.severity == dg.AssetCheckSeverity.WARN else "FAILED"
        name = e.asset_key.to_user_string().replace("/", ".")
        print(f"  {level}: {name} {e.check_name}: {e.description}")
    if not result.success:
        print(
            f"\nRefresh failed: nothing was published; the last good warehouse at "
            f"{_published_path()} is unchanged.",
            file=sys.stderr,
        )
        return 1
    if args.select:
        return 0
    con = _connect_readonly()
    print(
        "\nCritical minerals: who mines, who refines (latest year per stage, projections "
        "excluded)\n"
    )
    _print_relation(con.sql(load_query("reports/headline.sql")))
    refreshed = con.execute("SELECT refreshed_at FROM meta.refresh").fetchone()[0]
    print(f"\nWarehouse: {_published_path()} (refreshed {refreshed:%Y-%m-%d %H:%M %Z})")
    print('Query it: duckdb -readonly warehouse/minerals.duckdb  |  minerals sql "..."')
    return 0


def _is_live() -> bool:
    return os.environ.get("MINERALS_SOURCE") == "live"


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    query = Path(args.file).read_text() if args.file else args.query
    if not query:
        sys.exit("error: give a query, or -f FILE")
    con = _connect_readonly()
    try:
        _print_relation(con.sql(query), args.format)
    except duckdb.Error as exc:
        sys.exit(f"error: {exc}")
    return 0


def _require_known(value: str, known: list[str], what: str, listing_sql: str) -> None:
    """Exit with a clear error naming close matches when `value` is not a known key."""
    if value in known:
        return
    close = difflib.get_close_matches(value, known, n=5, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    sys.exit(f'error: unknown {what} {value!r}.{hint} (list them: `minerals sql "{listing_sql}"`)')


def cmd_show(args: argparse.Namespace) -> int:
    con = _connect_readonly()
    known = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT commodity FROM marts.supply_concentration ORDER BY 1"
        ).fetchall()
    ]
    _require_known(
        args.commodity,
        known,
        "commodity",
        "select distinct commodity from marts.supply_concentration",
    )
    print(f"{args.commodity}: concentration by stage, source and year\n")
    _print_relation(
        con.sql(
            """
        SELECT stage, source, year, is_projection AS proj,
               round(100 * china_share, 1) AS "China %", top1_iso3 AS top1,
               round(100 * top1_share, 1) AS "top1 %", round(100 * top3_share, 1) AS "top3 %",
               round(hhi) AS hhi, round(effective_suppliers, 1) AS eff_suppliers,
               concentration_band AS band, round(100 * unallocated_share, 1) AS "unallocated %"
        FROM marts.supply_concentration
        WHERE commodity = ? AND basis = 'production'
        ORDER BY stage, source, year""",
            params=[args.commodity],
        )
    )
    return 0


def cmd_exposure(args: argparse.Namespace) -> int:
    con = _connect_readonly()
    importer = args.importer.upper()
    importers = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT importer_iso3 FROM marts.import_dependence ORDER BY 1"
        ).fetchall()
    ]
    _require_known(
        importer,
        importers,
        "importer (ISO3 code or EU27)",
        "select distinct importer_iso3 from marts.import_dependence",
    )
    commodities = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT commodity FROM marts.import_dependence WHERE importer_iso3 = ? "
            "ORDER BY 1",
            [importer],
        ).fetchall()
    ]
    if args.commodity:
        _require_known(
            args.commodity,
            commodities,
            f"commodity for {importer}",
            "select distinct commodity from marts.import_dependence",
        )
    where = "AND commodity = ?" if args.commodity else ""
    params = [importer, *([args.commodity] if args.commodity else [])]
    print(f"{importer}: import dependence, latest year (BACI; shares of import value)\n")
    _print_relation(
        con.sql(
            f"""
        SELECT commodity, stage, year, round(import_value_usd / 1e6, 1) AS "imports $m",
               n_suppliers AS suppliers, top_supplier_iso3 AS top,
               round(100 * top_supplier_share, 1) AS "top %",
               round(100 * china_share, 1) AS "China %", round(supplier_hhi) AS hhi,
               exceeds_eu_65pct_cap AS "over 65%"
        FROM marts.import_dependence
        WHERE importer_iso3 = ? {where}
        QUALIFY year = max(year) OVER (PARTITION BY commodity, stage)
        ORDER BY china_share DESC, import_value_usd DESC""",
            params=params,
        )
    )
    print(
        f"\nIf one of the five largest exporters stopped: what {importer} would lose "
        "(latest year)\n"
    )
    _print_relation(
        con.sql(
            f"""
        SELECT commodity, stage, year, supplier_iso3 AS supplier,
               round(value_at_risk_usd / 1e6, 1) AS "at risk $m",
               round(100 * share_at_risk, 1) AS "share at risk %",
               round(alternative_supply_ratio, 1) AS "others' exports / loss",
               round(100 * partner_group_share, 1) AS "from partners %"
        FROM marts.disruption_exposure
        WHERE importer_iso3 = ? {where}
        QUALIFY year = max(year) OVER (PARTITION BY commodity, stage)
            AND share_at_risk >= 0.05
        ORDER BY share_at_risk DESC
        LIMIT 25""",
            params=params,
        )
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import UTC, date, datetime

    from pipelines.lib.sources.catalog import next_release_due, release_hints

    con = _connect_readonly()
    refreshed, run_id, mode = con.execute(
        "SELECT refreshed_at, run_id, source_mode FROM meta.refresh"
    ).fetchone()
    age = datetime.now(UTC) - refreshed
    print(
        f"Warehouse {_published_path()}\n  refreshed {refreshed:%Y-%m-%d %H:%M %Z} "
        f"({age.days} days ago) from the {mode}, run {run_id}\n"
    )
    print("Sources")
    today = date.today()
    for source, files, editions in con.execute(
        "SELECT source, count(*), string_agg(DISTINCT editions, ', ') FROM meta.source_files "
        "GROUP BY source ORDER BY source"
    ).fetchall():
        latest = max(int(e[-4:]) for e in editions.split(", "))
        due, what = next_release_due(source, latest)  # from the source registry
        state = (
            "no release date known"
            if due is None
            else f"STALE: a newer edition was due by {due}"
            if today > due
            else f"current until {due}"
        )
        print(f"  {source:9} {files:4} files, editions {editions}; {state} ({what})")
    for hint in release_hints(today, os.environ.get("MINERALS_BACI_RELEASE_URL", "")):
        print(f"  hint: {hint}")
    print("\nChecks in the refresh that produced this warehouse")
    rows = con.execute(
        "SELECT asset, check_name, passed, severity, description "
        "FROM meta.check_results ORDER BY passed, asset"
    ).fetchall()
    passed = sum(1 for r in rows if r[2])
    print(f"  {passed} of {len(rows)} passed")
    for asset, check, ok, severity, description in rows:
        if not ok:
            print(f"  {severity}: {asset} {check}: {(description or '')[:160]}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minerals",
        description="Critical Minerals Warehouse: refresh it, query it, read its headlines.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("refresh", help="run the Dagster graph and publish the warehouse")
    p.add_argument("--live", action="store_true", help="download the live sources (needs network)")
    p.add_argument(
        "--select",
        nargs="+",
        metavar="SCHEMA.TABLE",
        help="only these assets, e.g. staging.production (publishes nothing)",
    )
    p.add_argument(
        "--years",
        metavar="FIRST-LAST",
        help="trade years to rebuild, e.g. 2022-2024 (default: all); other years are kept",
    )
    p.add_argument(
        "--changed",
        action="store_true",
        help="only what changed: the sources, then what Dagster finds stale (needs DAGSTER_HOME)",
    )
    p.add_argument(
        "--log-level",
        default=None,
        help="also print Dagster's own event log at this level (e.g. INFO, DEBUG)",
    )
    p.set_defaults(func=cmd_refresh)
    p = sub.add_parser("sql", help="run a read-only query on the published warehouse")
    p.add_argument("query", nargs="?")
    p.add_argument("-f", "--file", help="read the query from a .sql file")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_sql)
    p = sub.add_parser("show", help="mining vs refining concentration of one commodity")
    p.add_argument("commodity", help="e.g. rare_earths, lithium, graphite")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("exposure", help="an importer's dependence and what is at risk")
    p.add_argument("importer", help="ISO3 code (JPN, USA, DEU...) or EU27")
    p.add_argument("--commodity", help="e.g. graphite, rare_earths")
    p.set_defaults(func=cmd_exposure)
    from pipelines.lib import scenario  # issue 9: its own module, registered here

    scenario.add_parser(sub)
    p = sub.add_parser("status", help="when each source was refreshed, which checks passed")
    p.set_defaults(func=cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `minerals sql ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
