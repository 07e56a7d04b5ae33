"""`minerals refresh`: run the Dagster graph and publish the warehouse, one refresh at a time.

The refresh lock is taken before Dagster is imported, so a second refresh says at once that one
is running. What the command decides (`--live`, the warehouse folder, the Dagster instance) goes
to Dagster as run configuration and instance, never through the environment.
"""

import argparse
import functools
import re
import sys
from pathlib import Path

from pipelines.cli import console
from pipelines.lib import settings


def years(text: str) -> tuple[int, int]:
    """--years: one year (2024) or a range (2022-2024) within the bundled trade years."""
    from pipelines.defs.trade.partitions import BACI_FIRST_YEAR, BACI_LAST_YEAR

    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a year or a range of years: write 2024, or 2022-2024"
        )
    first, last = int(match[1]), int(match[2] or match[1])
    within = f"trade years run from {BACI_FIRST_YEAR} to {BACI_LAST_YEAR}"
    if first > last:
        # suggest only what would be accepted: the reversed range, cut to the trade years
        low, high = max(last, BACI_FIRST_YEAR), min(first, BACI_LAST_YEAR)
        fix = f"write {low}-{high}" if low < high else f"write {low}" if low == high else within
        if low <= high and (low, high) != (last, first):
            fix += f" ({within})"
        raise argparse.ArgumentTypeError(f"{text!r}: the first year comes after the last; {fix}")
    if first < BACI_FIRST_YEAR or last > BACI_LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{text!r}: {within}")
    return first, last


def dagster_instance():
    """The project's Dagster instance (settings.dagster_home(): DAGSTER_HOME, else `.dagster`),
    so `dagster dev` shows CLI refreshes too; a throwaway one when there is none."""
    import dagster as dg

    home = settings.dagster_home()
    if home is None:
        return dg.DagsterInstance.ephemeral()
    if not home.is_dir():
        console.fail(
            f"DAGSTER_HOME={home} is not a folder: create it (a copy of the project's "
            ".dagster/dagster.yaml in it keeps telemetry off), or unset DAGSTER_HOME"
        )
    return dg.DagsterInstance.from_config(str(home.resolve()))


def file_state(path: Path) -> tuple[int, int, int] | None:
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
    name = console.shown(path)
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


def run_config(live: bool, warehouse_dir: Path) -> dict:
    """What this refresh tells Dagster: the progress logger, the warehouse folder the lock is
    held on and, with --live, the source mode (on top of the resources' other settings)."""
    from pipelines.defs.resources import resources_run_config

    overrides = {"warehouse": {"directory": str(warehouse_dir)}}
    if live:
        overrides["sources"] = {"mode": "live"}
    return {"loggers": {"progress": {}}, "resources": resources_run_config(overrides)}


def cmd_refresh(args: argparse.Namespace) -> int:
    from pipelines.lib.refresh_lock import RefreshRunning, refresh_lock

    warehouse_dir = settings.warehouse_dir()
    path = warehouse_dir / "minerals.duckdb"
    try:
        live = args.live or settings.source_mode() == "live"
    except ValueError as exc:  # MINERALS_SOURCE=typo
        console.fail(str(exc))
    before = file_state(path)
    try:
        with refresh_lock(warehouse_dir, holder="minerals refresh"):
            source = "live sources" if live else "bundled snapshot"
            print(f"Refreshing from the {source}...", flush=True)
            before = file_state(path)
            result = _run(args, live, warehouse_dir)
            after = file_state(path)
    except RefreshRunning as exc:
        console.fail(str(exc))
    except Exception as exc:  # what runs the run failed: its instance's database, the broker...
        what = f"{type(exc).__name__}: {exc}".splitlines()[0]
        outcome = publish_outcome(path, before, file_state(path), False)
        print(
            "\n"
            + outcome.replace("Refresh failed", f"Refresh failed: the run stopped ({what})", 1),
            "If Dagster still shows the run as started, terminate it (it is then marked "
            "canceled) and re-execute it from the failure.",
            sep="\n",
            file=sys.stderr,
        )
        return 1
    return _report(result, path, before, after)


def _run(args: argparse.Namespace, live: bool, warehouse_dir: Path):
    """Import the definitions and run the job (or its selection) on the configured executor."""
    import warnings

    import dagster as dg

    # Dagster flags its beta/preview APIs on every call: noise for someone running a refresh
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    from pipelines.definitions import defs

    # GX is imported by the first check that validates, not in a background thread: imports
    # hold the GIL, so the thread only slowed the run's own work (2026-12-03, alternating
    # refreshes: snapshot median 40.0 s with it, 37.8 s without; 1-year trade path 19.2 / 17.6 s)
    from pipelines.defs.serving.incremental import refresh_changed
    from pipelines.defs.trade.partitions import year_range_tags

    config = run_config(live, warehouse_dir)
    job = defs.resolve_job_def("refresh_job")
    if args.select:
        known = {k.to_user_string().replace("/", "."): k for k in defs.resolve_all_asset_keys()}
        names = [
            console.resolve(name, {k: [] for k in known}, "asset", "list them: show all tables")
            for name in args.select
        ]
        # a table built together with another (staging.production + iea_published_top3) brings it
        selection = dg.AssetSelection.assets(*(known[n] for n in names))
        keys = selection.required_multi_asset_neighbors().resolve(defs.resolve_asset_graph())
        job = job.get_subset(asset_selection=keys)
    tags = year_range_tags(*args.years) if args.years else year_range_tags()
    in_process = args.changed or settings.executor() == "in_process"
    if args.log_level and not in_process:
        print("note: --log-level applies to in-process runs; workers log to their own output")
    elif args.log_level:  # Dagster's full event log too, for debugging
        job = job.with_logger_defs({**job.loggers, "console": dg.colored_console_logger})
        config["loggers"]["console"] = {"config": {"log_level": args.log_level.upper()}}
    if args.changed:
        run = functools.partial(refresh_changed, job)
    elif in_process:
        run = job.execute_in_process
    else:  # steps in other processes or on Celery workers: they load the job themselves
        selection = sorted(job.asset_layer.executable_asset_keys) if args.select else None
        run = functools.partial(
            dg.execute_job, dg.reconstructable(refresh_job), asset_selection=selection
        )
    instance = dagster_instance()
    result = run(instance=instance, raise_on_error=False, run_config=config, tags=tags)
    if not result.success:  # from the event log: a run's own failure is not among its events
        from pipelines.defs.serving.progress import report_failures

        runs = getattr(result, "runs", [result])  # --changed: one run per phase
        events = [r.dagster_event for x in runs for r in instance.all_logs(x.run_id)]
        report_failures(sys.stdout, [e for e in events if e], steps_reported=in_process)
    return result


def _report(result, path: Path, before, after) -> int:
    """Failed checks, what happened to the published file and, after a publish, the headline."""
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    if failed_checks:
        print("\nChecks that did not pass:")
    for e in failed_checks:
        print(check_line(e))
    outcome = publish_outcome(path, before, after, result.success)
    if not result.success:
        print(f"\n{outcome}", file=sys.stderr)
        return 1
    print(f"\n{outcome}")
    if after is None or before == after:
        return 0
    print_headline(console.connect_readonly(), path)
    return 0


def check_line(evaluation) -> str:
    """One check that did not pass, as the refresh lists it: level, asset, check, description."""
    import dagster as dg

    level = "WARN" if evaluation.severity == dg.AssetCheckSeverity.WARN else "FAILED"
    name = evaluation.asset_key.to_user_string().replace("/", ".")
    return f"  {level}: {name} {evaluation.check_name}: {evaluation.description}"


def print_headline(con, path: Path) -> None:
    """What a publishing refresh ends with: the headline table and how to query the warehouse
    (the README's sample is compared with it)."""
    print(
        "\nCritical minerals: who mines, who refines (latest year per stage, projections "
        "excluded)\n"
    )
    console.print_relation(console.run(con, "headline"))
    (refreshed,) = console.run(con, "refresh_time").fetchone()
    minerals = console.typed("minerals")
    print(f"\nWarehouse: {console.shown(path)} (refreshed {refreshed:%Y-%m-%d %H:%M %Z})")
    print(f"Query it:  {console.typed('duckdb')} -readonly {console.shown(path)}")
    print(f'           {minerals} sql "show all tables"')
    if minerals != "minerals":
        print(f"           (or `source {console.typed('activate')}` once, then `minerals ...`)")


def add_parser(sub) -> None:
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
        type=years,
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
