"""`minerals`: refresh the warehouse, query it, and read the headline figures."""

import argparse
import difflib
import functools
import json
import os
import re
import shutil
import sys
from pathlib import Path

from pipelines.lib.paths import DEFAULT_WAREHOUSE_DIR, PROJECT_ROOT
from pipelines.lib.sql import load_query


def _warehouse_dir() -> Path:
    return Path(os.environ.get("MINERALS_WAREHOUSE_DIR", DEFAULT_WAREHOUSE_DIR))


def _published_path() -> Path:
    return _warehouse_dir() / "minerals.duckdb"


def _shown(path: Path) -> str:
    """A path as the user would type it here: relative to the current directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _typed(command: str) -> str:
    """How to type one of this environment's commands: bare when it is on PATH, else its path."""
    path = Path(sys.executable).parent / command
    found = shutil.which(command)
    return command if found and Path(found).resolve() == path.resolve() else _shown(path)


def _connect_readonly():
    """The published warehouse, read-only and sealed: no query can read or write a file
    (COPY TO, EXPORT DATABASE, ATTACH, INSTALL, read_csv...), nor switch that back on."""
    import duckdb

    path = _published_path()
    if not path.exists():
        sys.exit(
            f"error: no published warehouse at {_shown(path)}. Run `make run` (or "
            f"`{_typed('minerals')} refresh`) first."
        )
    # a private in-memory DuckDB attaches the file, then seals itself: other connections to
    # the file in this process (a notebook, a test) keep their own settings
    con = duckdb.connect(":memory:")
    quoted = str(path).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS minerals (READ_ONLY)")
    con.execute("USE minerals")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


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


def _years(text: str) -> tuple[int, int]:
    """--years: one year (2024) or a range (2022-2024) within the bundled trade years."""
    from pipelines.defs.trade.partitions import BACI_FIRST_YEAR, BACI_LAST_YEAR

    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a year or a range of years: write 2024, or 2022-2024"
        )
    first, last = int(match[1]), int(match[2] or match[1])
    if first > last:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the first year comes after the last; write {last}-{first}"
        )
    if first < BACI_FIRST_YEAR or last > BACI_LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"{text!r}: trade years run from {BACI_FIRST_YEAR} to {BACI_LAST_YEAR}"
        )
    return first, last


def _dagster_instance():
    """The project's Dagster instance (.dagster), so `dagster dev` shows CLI refreshes too.

    `make` sets DAGSTER_HOME; run by hand, the CLI falls back to the project's .dagster folder
    when it exists, and to a throwaway instance only when it does not (an installed package).
    """
    import dagster as dg

    home = PROJECT_ROOT / ".dagster"
    if not os.environ.get("DAGSTER_HOME") and (home / "dagster.yaml").exists():
        os.environ["DAGSTER_HOME"] = str(home)
    return (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )


def _file_state(path: Path) -> tuple[int, int, int] | None:
    """What identifies one version of the published file: a publish os.replaces it, so the
    inode changes even when size and mtime happen to match."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def publish_outcome(path: Path, before, after, succeeded: bool) -> str:
    """One sentence saying what a refresh did to the published file, from its state before
    and after the run (never from what the run was expected to do)."""
    name = _shown(path)
    if before == after:
        what = "no warehouse is published yet" if after is None else f"{name} is unchanged"
        return ("" if succeeded else "Refresh failed: ") + f"nothing was published; {what}."
    if succeeded:
        return f"Published: {name} was replaced by this refresh."
    return f"Refresh failed, but {name} was replaced during the run: check `minerals status`."


def refresh_job():
    """The refresh job, for executors whose steps run elsewhere (`dg.reconstructable`)."""
    from pipelines.definitions import defs

    return defs.resolve_job_def("refresh_job")


def cmd_refresh(args: argparse.Namespace) -> int:
    import warnings

    import dagster as dg

    from pipelines.lib.refresh_lock import RefreshRunning, refresh_lock

    # Dagster flags its beta/preview APIs on every call: noise for someone running a refresh
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)

    if args.live:
        os.environ["MINERALS_SOURCE"] = "live"
    from pipelines.definitions import defs

    # GX is imported by the first check that validates, not in a background thread: imports
    # hold the GIL, so the thread only slowed the run's own work (2026-12-03, alternating
    # refreshes: snapshot median 40.0 s with it, 37.8 s without; 1-year trade path 19.2 / 17.6 s)
    from pipelines.defs.serving.incremental import refresh_changed
    from pipelines.defs.trade.partitions import year_range_tags

    job = defs.resolve_job_def("refresh_job")
    if args.select:
        known = {k.to_user_string().replace("/", "."): k for k in defs.resolve_all_asset_keys()}
        names = [
            _resolve(name, {k: [k] for k in known}, "asset", "show all tables")
            for name in args.select
        ]
        # a table built together with another (staging.production + iea_published_top3) brings it
        selection = dg.AssetSelection.assets(*(known[n] for n in names))
        keys = selection.required_multi_asset_neighbors().resolve(defs.resolve_asset_graph())
        job = job.get_subset(asset_selection=keys)
    tags = year_range_tags(*args.years) if args.years else year_range_tags()
    run_config = {"loggers": {"progress": {}}}
    in_process = args.changed or job.executor_def is dg.in_process_executor
    if args.log_level and not in_process:
        print("note: --log-level applies to in-process runs; workers log to their own output")
    elif args.log_level:  # Dagster's full event log too, for debugging
        job = job.with_logger_defs({**job.loggers, "console": dg.colored_console_logger})
        run_config["loggers"]["console"] = {"config": {"log_level": args.log_level.upper()}}
    path = _published_path()
    try:
        with refresh_lock(_warehouse_dir()):
            before = _file_state(path)
            source = "live sources" if _is_live() else "bundled snapshot"
            print(f"Refreshing from the {source}...", flush=True)
            if args.changed:
                run = functools.partial(refresh_changed, job)
            elif in_process:
                run = job.execute_in_process
            else:  # steps in other processes or on Celery workers: they load the job themselves
                selection = sorted(job.asset_layer.executable_asset_keys) if args.select else None
                run = functools.partial(
                    dg.execute_job, dg.reconstructable(refresh_job), asset_selection=selection
                )
            result = run(
                instance=_dagster_instance(), raise_on_error=False, run_config=run_config, tags=tags
            )
            after = _file_state(path)
    except RefreshRunning as exc:
        sys.exit(f"error: {exc}")
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    if failed_checks:
        print("\nChecks that did not pass:")
    for e in failed_checks:
        level = "WARN" if e.severity == dg.AssetCheckSeverity.WARN else "FAILED"
        name = e.asset_key.to_user_string().replace("/", ".")
        print(f"  {level}: {name} {e.check_name}: {e.description}")
    outcome = publish_outcome(path, before, after, result.success)
    if not result.success:
        print(f"\n{outcome}", file=sys.stderr)
        return 1
    print(f"\n{outcome}")
    if after is None or before == after:
        return 0
    con = _connect_readonly()
    print(
        "\nCritical minerals: who mines, who refines (latest year per stage, projections "
        "excluded)\n"
    )
    _print_relation(con.sql(load_query("reports/headline.sql")))
    refreshed = con.execute("SELECT refreshed_at FROM meta.refresh").fetchone()[0]
    print(f"\nWarehouse: {_shown(path)} (refreshed {refreshed:%Y-%m-%d %H:%M %Z})")
    print(f"Query it:  {_typed('duckdb')} -readonly {_shown(path)}")
    print(f'           {_typed("minerals")} sql "show all tables"')
    if _typed("minerals") != "minerals":
        print(f"           (or `source {_typed('activate')}` once, then `minerals ...`)")
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
    except duckdb.PermissionException as exc:
        sys.exit(
            f"error: minerals sql only reads the warehouse; it cannot read or write files "
            f"(COPY, EXPORT, ATTACH, INSTALL, read_csv...). To save a result: "
            f'minerals sql --format csv "..." > result.csv\n({exc})'
        )
    except duckdb.Error as exc:
        sys.exit(f"error: {exc}")
    return 0


def _normal(text: str) -> str:
    """Names compare without case, spaces or hyphens: "Rare Earths" = rare_earths."""
    return re.sub(r"[\s\-]+", "_", text.strip()).casefold()


def _resolve(value: str, candidates: dict[str, list[str]], what: str, listing_sql: str) -> str:
    """The key `value` names: a key or one of its names, compared case-insensitively.

    An unknown value exits with the closest keys first, scored against the key and every name
    (so "Japn" suggests JPN (Japan), not PAN).
    """
    wanted = _normal(value)
    for key, names in candidates.items():
        if wanted in {_normal(n) for n in [key, *names]}:
            return key

    def closeness(key: str) -> float:
        scores = [0.0]
        for name in map(_normal, [key, *candidates[key]]):
            scores.append(difflib.SequenceMatcher(None, wanted, name).ratio())
            if len(wanted) >= 3 and name.startswith(wanted):
                scores.append(0.95)
        return max(scores)

    ranked = sorted(candidates, key=lambda k: (-closeness(k), k))
    close = [k for k in ranked if closeness(k) >= 0.5][:5]
    labels = [
        f"{k} ({candidates[k][0]})" if candidates[k] and candidates[k][0] != k else k for k in close
    ]
    hint = f" Did you mean: {', '.join(labels)}?" if close else ""
    sys.exit(f'error: unknown {what} {value!r}.{hint} (list them: `minerals sql "{listing_sql}"`)')


def _require_known(value: str, known: list[str], what: str, listing_sql: str) -> str:
    """The one of `known` that `value` names (case, spaces and hyphens ignored), or exit."""
    return _resolve(value, {k: [] for k in known}, what, listing_sql)


def cmd_show(args: argparse.Namespace) -> int:
    con = _connect_readonly()
    known = con.execute(
        "SELECT DISTINCT commodity FROM marts.supply_concentration ORDER BY 1"
    ).fetchall()
    commodity = _resolve(
        args.commodity,
        {c: [] for (c,) in known},
        "commodity",
        "select distinct commodity from marts.supply_concentration",
    )
    print(f"{commodity}: concentration by stage, source and year\n")
    _print_relation(
        con.sql(
            """
        SELECT stage, source, year, is_projection AS proj,
               CASE WHEN china_listed THEN round(100 * china_share, 1) END AS "China %",
               top1_iso3 AS top1,
               round(100 * top1_share, 1) AS "top1 %", round(100 * top3_share, 1) AS "top3 %",
               round(hhi) AS hhi, round(effective_suppliers, 1) AS eff_suppliers,
               concentration_band AS band, round(100 * unallocated_share, 1) AS "unallocated %"
        FROM marts.supply_concentration
        WHERE commodity = ? AND basis = 'production'
        ORDER BY stage, source, year""",
            params=[commodity],
        )
    )
    print('\n(China % is blank where the source does not list China: it may be in "Other".)')
    return 0


def cmd_exposure(args: argparse.Namespace) -> int:
    con = _connect_readonly()
    importers = {
        code: [name] if name else []
        for code, name in con.execute(
            """SELECT DISTINCT d.importer_iso3,
                      CASE d.importer_iso3 WHEN 'EU27' THEN 'European Union' ELSE c.name END
               FROM marts.import_dependence d
               LEFT JOIN staging.dim_country c ON c.iso3 = d.importer_iso3 ORDER BY 1"""
        ).fetchall()
    }
    importer = _resolve(
        args.importer,
        importers,
        "importer (ISO3 code, country name or EU27)",
        "select distinct importer_iso3 from marts.import_dependence",
    )
    commodity = None
    if args.commodity:
        commodities = con.execute(
            "SELECT DISTINCT commodity FROM marts.import_dependence WHERE importer_iso3 = ? "
            "ORDER BY 1",
            [importer],
        ).fetchall()
        commodity = _resolve(
            args.commodity,
            {c: [] for (c,) in commodities},
            f"commodity for {importer}",
            "select distinct commodity from marts.import_dependence",
        )
    where = "AND commodity = ?" if commodity else ""
    params = [importer, *([commodity] if commodity else [])]
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
        f"Warehouse {_shown(_published_path())}\n  refreshed {refreshed:%Y-%m-%d %H:%M %Z} "
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
        print(f"  {source:9} {files:4} file(s), editions {editions}; {state} ({what})")
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
            print(f"  {severity}: {asset} {check}: {description or ''}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minerals",
        description="Critical Minerals Warehouse: refresh it, query it, read its headlines.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    # one block per subcommand: add_parser, its arguments, set_defaults(func=cmd_<name>)
    p = sub.add_parser("refresh", help="run the Dagster graph and publish the warehouse")
    p.add_argument("--live", action="store_true", help="download the live sources (needs network)")
    p.add_argument(
        "--select",
        nargs="+",
        metavar="SCHEMA.TABLE",
        help="only these assets, e.g. staging.production (publishes only if "
        "serving.published_warehouse is one of them)",
    )
    p.add_argument(
        "--years",
        metavar="FIRST-LAST",
        type=_years,
        help="trade years to rebuild, e.g. 2022-2024 (default: all); other years are kept",
    )
    p.add_argument(
        "--changed",
        action="store_true",
        help="only what changed: the sources, then what Dagster finds stale (needs DAGSTER_HOME)",
    )
    p.add_argument(
        "--log-level",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="also print Dagster's own event log at this level (e.g. INFO, DEBUG)",
    )
    p.set_defaults(func=cmd_refresh)
    p = sub.add_parser("sql", help="run a read-only query on the published warehouse")
    p.add_argument("query", nargs="?", help="SQL; to save the result: --format csv > file.csv")
    p.add_argument("-f", "--file", help="read the query from a .sql file")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_sql)
    p = sub.add_parser("show", help="mining vs refining concentration of one commodity")
    p.add_argument("commodity", help="e.g. rare_earths (or 'rare earths'), lithium, graphite")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("exposure", help="an importer's dependence and what is at risk")
    p.add_argument("importer", help="ISO3 code (JPN, USA...), country name (Japan) or EU27")
    p.add_argument("--commodity", help="e.g. graphite, rare_earths")
    p.set_defaults(func=cmd_exposure)
    from pipelines.lib import scenario  # issue 9: its own module, registered here

    scenario.add_parser(sub)
    p = sub.add_parser("status", help="when each source was refreshed, which checks passed")
    p.set_defaults(func=cmd_status)
    from pipelines.lib import controls_report

    p = sub.add_parser("controls", help="China's export controls and what each did to trade")
    p.add_argument("measure_id", nargs="?", help="e.g. CN-2023-39 (default: every measure)")
    p.set_defaults(func=controls_report.main)
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
