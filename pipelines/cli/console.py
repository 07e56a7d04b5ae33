"""What every `minerals` command shares: the published warehouse opened read-only and sealed,
results printed as a table, CSV or JSON, and names matched to keys with suggestions.

Everything here is public: command modules import these names, never each other's.
"""

import csv
import difflib
import json
import re
import shutil
import sys
from pathlib import Path

from pipelines.lib import settings
from pipelines.lib.sql import SqlReport, load_report


def fail(message: str):
    """Exit with `error: message` (the one way a command refuses)."""
    sys.exit(f"error: {message}")


def published_path() -> Path:
    return settings.warehouse_dir() / "minerals.duckdb"


def shown(path: Path) -> str:
    """A path as the user would type it here: relative to the current directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def typed(command: str) -> str:
    """How to type one of this environment's commands: bare when it is on PATH, else its path."""
    path = Path(sys.executable).parent / command
    found = shutil.which(command)
    return command if found and Path(found).resolve() == path.resolve() else shown(path)


def connect_readonly():
    """The published warehouse, read-only and sealed: no query can read or write a file
    (COPY TO, EXPORT DATABASE, ATTACH, INSTALL, read_csv...), nor switch that back on."""
    import duckdb

    path = published_path()
    if not path.exists():
        fail(
            f"no published warehouse at {shown(path)}. Run `make run` (or "
            f"`{typed('minerals')} refresh`) first."
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


def report(name: str) -> SqlReport:
    """`sql/reports/<name>.sql`, parsed (its tables and named parameters)."""
    return load_report(f"reports/{name}.sql")


def run(con, name: str, **params):
    """Execute `sql/reports/<name>.sql` with its parameters; a table the published warehouse
    lacks (built by an older version) is a plain error saying what to do."""
    import duckdb

    query = report(name)
    try:
        return query.run(con, **params)
    except duckdb.CatalogException:
        have = {f"{s}.{t}" for s, t in con.execute(TABLES).fetchall()}
        missing = [t for t in query.tables if t not in have]
        if not missing:
            raise
        fail(
            f"the published warehouse has no {', '.join(missing)} (sql/{query.path} reads it): "
            f"it was built by an older version; run `{typed('minerals')} refresh`"
        )


# the tables of the attached warehouse (a system view, not a table of the warehouse)
TABLES = (
    "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()"
)


def columns_of(result) -> list[str]:
    """Column names of a DuckDB relation or of a connection holding an executed statement."""
    columns = getattr(result, "columns", None)
    return list(columns) if columns is not None else [d[0] for d in result.description]


def print_relation(result, fmt: str = "table") -> int:
    """Print a relation (or an executed statement's rows) as a table, CSV or JSON; returns the
    number of rows."""
    columns = columns_of(result)
    rows = result.fetchall()
    if fmt == "json":
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, indent=1))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        cells = [[("" if v is None else str(v)) for v in r] for r in rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
        print("  ".join("-" * w for w in widths))
        for r in cells:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
        print(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return len(rows)


# --- names -----------------------------------------------------------------------------------


def normal(text: str) -> str:
    """Names compare without case, spaces, hyphens or dots: "Rare Earths" = rare_earths."""
    return re.sub(r"[\s\-_.]+", "_", text.strip()).strip("_").casefold()


def _closeness(wanted: str, names: list[str]) -> float:
    """How close a typed name is to a key's names: 1 for an exact name, just under for a name
    it starts (the code US of USA), else difflib's ratio."""
    scores = [0.0]
    for name in map(normal, names):
        if name == wanted:
            return 1.0
        if len(wanted) >= 2 and name.startswith(wanted):
            scores.append(0.95 if len(wanted) >= 3 else 0.9)
        scores.append(difflib.SequenceMatcher(None, wanted, name).ratio())
    return max(scores)


def resolve(value: str, candidates: dict[str, list[str]], what: str, listing: str) -> str:
    """The key `value` names: a key or one of its names (case, spaces and hyphens ignored).

    An unknown value exits with the closest keys first, scored against the key and every name
    (so "Japn" suggests JPN (Japan), not PAN); `listing` says how to list them all.
    """
    wanted = normal(value)
    for key, names in candidates.items():
        if wanted in {normal(n) for n in [key, *names]}:
            return key
    score = {k: _closeness(wanted, [k, *names]) for k, names in candidates.items()}
    ranked = sorted(candidates, key=lambda k: (-score[k], k))
    close = [k for k in ranked if score[k] >= 0.5][:5]
    labels = [
        f"{k} ({candidates[k][0]})"
        if candidates[k] and normal(candidates[k][0]) != normal(k)
        else k
        for k in close
    ]
    hint = f" Did you mean: {', '.join(labels)}?" if close else ""
    fail(f"unknown {what} {value!r}.{hint} ({listing})")


# what a country (or bloc) and a commodity can be called: (key, name) rows
NAMES = {"country": "names_country", "commodity": "names_commodity"}


def resolve_key(
    con, value: str, keys: str, what: str, names_of: str | None = None, listing: str = "", **params
) -> str:
    """The key `value` names among those `sql/reports/<keys>.sql` lists (its first column, run
    with `params`), matched on the key and, for `names_of` (a kind of `NAMES`), its names; an
    unknown value exits saying how to list them (`listing`, else the query file to run)."""
    known = [k for (k, *_) in run(con, keys, **params).fetchall()]
    candidates = names(con, names_of, known) if names_of else {k: [] for k in known}
    listing = listing or f"list them: {typed('minerals')} sql -f sql/reports/{keys}.sql"
    return resolve(value, candidates, what, listing)


def names(con, kind: str, keys: list[str]) -> dict[str, list[str]]:
    """{key: its names, display name first} for `keys` (kind: country, commodity; `NAMES`);
    a key without names maps to []."""
    found: dict[str, list[str]] = {k: [] for k in keys}
    for key, name in run(con, NAMES[kind]).fetchall():
        if key in found and name and name not in found[key]:
            found[key].append(name)
    return found
