"""`minerals show`, `exposure`, `status` and `sql`: reports printed from the published warehouse.

A report is an entry of `REPORTS`: its arguments (each matched to a key the warehouse holds,
with suggestions) and its sections (a heading and a `sql/reports/*.sql` file taking the
arguments as named parameters); a `Switch` (`exposure --look-through`) adds the sections that
name it. Adding one is a SQL file and an entry (docs/adding.md).
"""

import argparse
from dataclasses import dataclass
from pathlib import Path

from pipelines.cli import console
from pipelines.lib import settings


@dataclass(frozen=True)
class Arg:
    """One argument of a report: `name` is also its SQL parameter (`$name`)."""

    name: str
    help: str
    keys: str  # sql/reports/<keys>.sql: the keys the report has data for (first column)
    what: str  # how an error names it
    names: str | None = None  # match country or commodity names too (names_<kind>.sql)
    flag: bool = False  # --name instead of a positional argument (flags are optional)
    optional: bool = False  # a positional argument that may be left out
    listing: str | None = None  # how to list the keys, if not `minerals sql -f <keys file>`


@dataclass(frozen=True)
class Section:
    heading: str  # formatted with the arguments' keys, e.g. "{importer}: ..."
    query: str  # sql/reports/<query>.sql
    note: str = ""  # printed under the table
    switch: str | None = None  # printed only when this Switch is given


@dataclass(frozen=True)
class Switch:
    """An on/off option (`--look-through`) adding the sections that name it; `covers` is the
    sql/reports/*.sql file listing the keys of the report's first argument it has data for."""

    name: str  # its attribute: --look-through -> look_through
    help: str
    covers: str

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Report:
    command: str
    help: str
    args: tuple[Arg, ...]
    sections: tuple[Section, ...]
    switches: tuple[Switch, ...] = ()

    def add_parser(self, sub) -> None:
        p = sub.add_parser(self.command, help=self.help)
        for a in self.args:
            if a.flag:
                p.add_argument(f"--{a.name}", help=a.help)
            else:
                p.add_argument(a.name, nargs="?" if a.optional else None, help=a.help)
        for s in self.switches:
            p.add_argument(s.option, dest=s.name, action="store_true", help=s.help)
        p.set_defaults(func=self.run)

    def resolve(self, con, args: argparse.Namespace) -> dict[str, str | None]:
        """Each argument's key (None where an optional one is not given), in order: a keys
        query may take the arguments before it (an importer's commodities)."""
        keys: dict[str, str | None] = {}
        for a in self.args:
            value = getattr(args, a.name)
            if value is None:
                keys[a.name] = None
                continue
            keys[a.name] = console.resolve_key(
                con, value, a.keys, a.what, a.names, a.listing or "", **keys
            )
        return keys

    def run(self, args: argparse.Namespace) -> int:
        con = console.connect_readonly()
        keys = self.resolve(con, args)
        on = {s.name for s in self.switches if getattr(args, s.name)}
        first = self.args[0].name
        for s in (s for s in self.switches if s.name in on):
            covered = [k for (k, *_) in console.run(con, s.covers).fetchall()]
            if keys[first] not in covered:
                console.fail(f"{s.option} covers {', '.join(covered)}, not {keys[first]}")
        shown = {k: v or "" for k, v in keys.items()}
        sections = [s for s in self.sections if s.switch is None or s.switch in on]
        for i, s in enumerate(sections):
            print(("\n" if i else "") + s.heading.format(**shown) + "\n")
            console.print_relation(console.run(con, s.query, **keys))
            if s.note:
                print(f"\n{s.note}")
        return 0


def _path(query: str) -> str:
    """sql/reports/<query>.sql as typed from the repository root."""
    return f"sql/reports/{query}.sql"


COMMODITY_NAMES = "e.g. rare_earths (or 'rare earths', REE), lithium, Ga, graphite"
REPORTS = (
    Report(
        "show",
        "mining vs refining concentration of one commodity",
        (
            Arg(
                "commodity",
                COMMODITY_NAMES,
                keys="show_commodities",
                what="commodity",
                names="commodity",
            ),
        ),
        (
            Section(
                "{commodity}: concentration by stage, source and year",
                "show_concentration",
                note="(China % is blank where the source does not list China: it may be in "
                '"Other".)',
            ),
        ),
    ),
    Report(
        "exposure",
        "an importer's dependence and what is at risk",
        (
            Arg(
                "importer",
                "ISO3 code (JPN, USA...), country name (Japan) or bloc (EU27, USA_JPN)",
                keys="exposure_importers",
                what="importer (ISO3 code, country name or bloc)",
                names="country",
            ),
            Arg(
                "commodity",
                COMMODITY_NAMES,
                keys="exposure_commodities",
                what="commodity for this importer",
                names="commodity",
                flag=True,
                listing="the report without --commodity lists them",
            ),
        ),
        (
            Section(
                "{importer}: import dependence, latest year of each series "
                "(BACI imports; shares of import value; a basket's figures are an upper bound)",
                "exposure_dependence",
            ),
            Section(
                "If one of the world's five largest exporters stopped: what {importer} would "
                "lose (latest year of each series; BACI imports by value, USD; others' exports "
                "/ loss by value; its own largest suppliers: minerals scenario, "
                "marts.stockpile_cover)",
                "exposure_at_risk",
                note="A year marked * is the last year that series has trade: it has none in "
                "the data's latest year (the code stopped being traded or reported).",
            ),
            Section(
                "{importer}: refined imports traced to the origins of each exporter's feed, "
                "latest year (marts.refined_origin; tonnes of content on both sides)",
                "exposure_lookthrough",
                note="Look-through: each exporter's shipments split in proportion to its own mine "
                "output and its feed imports by origin, one level deep (docs/projects.md). A "
                "commodity whose trade codes have no content factor is not traced.",
                switch="look_through",
            ),
        ),
        (
            Switch(
                "look_through",
                "also trace refined imports to the origins of each exporter's feed",
                covers="exposure_lookthrough_importers",
            ),
        ),
    ),
)


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import UTC, date, datetime

    from pipelines.lib.sources.catalog import next_release_due, release_hints

    con = console.connect_readonly()
    refreshed, run_id, mode = console.run(con, "status_refresh").fetchone()
    age = datetime.now(UTC) - refreshed
    print(
        f"Warehouse {console.shown(console.published_path())}\n  refreshed "
        f"{refreshed:%Y-%m-%d %H:%M %Z} ({age.days} days ago) from the {mode}, run {run_id}\n"
    )
    print("Sources")
    today = date.today()
    for source, files, editions in console.run(con, "status_sources").fetchall():
        latest = max(int(e[-4:]) for e in editions)
        due, what = next_release_due(source, latest)  # from the source registry
        state = (
            "no release date known"
            if due is None
            else f"STALE: a newer edition was due by {due}"
            if today > due
            else f"current until {due}"
        )
        print(f"  {source:9} {files:4} file(s), editions {', '.join(editions)}; {state} ({what})")
    for hint in release_hints(today, settings.read("MINERALS_BACI_RELEASE_URL")):
        print(f"  hint: {hint}")
    _print_disk()
    print("\nChecks in the refresh that produced this warehouse")
    rows = console.run(con, "status_checks").fetchall()
    passed = sum(1 for r in rows if r[2])
    print(f"  {passed} of {len(rows)} passed")
    for asset, check, ok, severity, description in rows:
        if not ok:
            print(f"  {severity}: {asset} {check}: {description or ''}")
    return 0


def _print_disk() -> None:
    """Disk used per source (landed versions, kept by MINERALS_LANDING_KEEP) and by the
    warehouse's files."""
    from pipelines.lib.sources.landing import disk_usage

    def mb(n: int) -> str:
        return f"{n / 1e6:,.1f} MB"

    landing = settings.landing_dir()
    print(f"\nDisk (landed versions in {console.shown(landing)})")
    for d in disk_usage(landing):
        partial = f" + {mb(d.partial_bytes)} of unfinished downloads" if d.partial_bytes else ""
        print(f"  {d.source:9} {d.versions:4} landed file(s), {mb(d.version_bytes)}{partial}")
    folder = console.published_path().parent
    parts = {"published": folder / "minerals.duckdb", "build": folder / "build"}
    parts["lake"] = folder / "lake"
    sizes = {
        name: sum(f.stat().st_size for f in (p.rglob("*") if p.is_dir() else [p]) if f.is_file())
        for name, p in parts.items()
        if p.exists()
    }
    print("  warehouse " + ", ".join(f"{name} {mb(n)}" for name, n in sizes.items()))


def _read_query(file: str) -> str:
    """The text of `-f FILE`, or a plain error naming what is wrong with the path."""
    path = Path(file)
    if path.is_dir():
        console.fail(f"{file} is a folder; -f takes one .sql file (e.g. {_path('headline')})")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        console.fail(f"no file {file} (looked for {path.resolve()})")
    except (OSError, UnicodeDecodeError) as exc:
        console.fail(f"cannot read {file}: {exc}")


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    query = _read_query(args.file) if args.file else args.query
    if not query or not query.strip():
        console.fail("give a query, or -f FILE")
    con = console.connect_readonly()
    try:
        statements = con.extract_statements(query)
        if len(statements) > 1 and args.format != "table":
            console.fail(
                f"{len(statements)} statements: --format {args.format} writes one result; "
                "run them one at a time"
            )
        for i, statement in enumerate(statements):
            if len(statements) > 1:
                print(("\n" if i else "") + f"-- statement {i + 1} of {len(statements)}")
            con.execute(statement)
            if con.description is not None:
                console.print_relation(con, args.format)
    except duckdb.PermissionException as exc:
        console.fail(
            f"minerals sql only reads the warehouse; it cannot read or write files "
            f"(COPY, EXPORT, ATTACH, INSTALL, read_csv...). To save a result: "
            f'minerals sql --format csv "..." > result.csv\n({exc})'
        )
    except duckdb.Error as exc:
        console.fail(str(exc))
    return 0


def add_parser(sub) -> None:
    """Register show and exposure (the REPORTS entries), status and sql."""
    p = sub.add_parser("sql", help="run a read-only query on the published warehouse")
    p.add_argument("query", nargs="?", help="SQL; to save the result: --format csv > file.csv")
    p.add_argument("-f", "--file", help="read the query from a .sql file")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_sql)
    for report in REPORTS:
        report.add_parser(sub)
    p = sub.add_parser("status", help="when each source was refreshed, which checks passed")
    p.set_defaults(func=cmd_status)
