"""SQL under sql/: models (one SELECT per file, file stem = table = asset name) and queries.

A model's inputs are read from its SQL with sqlglot, never typed by hand: every `schema.table`
it references is an upstream asset. Names without a schema must be the query's own CTEs.
The queries the product prints (`sql/reports/*.sql` for the CLI, `sql/dashboard/*.sql` for the
dashboard's panels) are parsed the same way (`load_report`): the tables they read and the named
parameters (`$commodity`) they take, so a panel's inputs are derived from its files and user
input is always bound, never interpolated.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlglot
from sqlglot import exp

from pipelines.lib.paths import SQL_DIR

MODEL_LAYERS = ("staging", "marts")


class SqlLineageError(ValueError):
    """A model references a table without its schema that is not one of its CTEs."""


@dataclass(frozen=True)
class SqlModel:
    schema: str
    name: str
    sql: str
    deps: tuple[str, ...]  # every "schema.table" the SQL reads, sorted
    path: Path

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"


def tables_read(sql: str, *, where: str = "query") -> tuple[str, ...]:
    """`schema.table` of every table the statement reads (CTE names excluded)."""
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables = set()
    for table in tree.find_all(exp.Table):
        if table.db:
            tables.add(f"{table.db}.{table.name}")
        elif table.name and table.name not in ctes:
            raise SqlLineageError(
                f"{where}: table {table.name!r} has no schema and is not a CTE; "
                "write it as schema.table so its lineage is known"
            )
    return tuple(sorted(tables))


def restrict_to_year(sql: str, tables: Iterable[str]) -> str:
    """`sql` reading one year's rows of each of `tables` (`schema.table`, each with a `year`
    column), the year a named parameter: `con.execute(restricted, {"year": 2020})`. Every
    reference to one becomes `(SELECT * FROM it WHERE year = $year)` under the name it had, so
    the rest of the query is unchanged."""
    wanted = set(tables)
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    found = set()

    def one_year(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and f"{node.db}.{node.name}" in wanted:
            found.add(f"{node.db}.{node.name}")
            rows = exp.select("*").from_(exp.table_(node.name, db=node.db))
            rows = rows.where(exp.column("year").eq(exp.Placeholder(this="year")))
            return rows.subquery(node.alias_or_name)
        return node

    rewritten = tree.transform(one_year).sql(dialect="duckdb")
    if found != wanted:
        raise SqlLineageError(f"the query does not read {sorted(wanted - found)}")
    return rewritten


@cache
def load_models(layer: str, sql_dir: Path = SQL_DIR) -> tuple[SqlModel, ...]:
    """Every `sql/<layer>/*.sql` model with the tables it reads."""
    models = []
    for path in sorted((sql_dir / layer).glob("*.sql")):
        sql = path.read_text().strip().rstrip(";")
        deps = tables_read(sql, where=str(path.relative_to(sql_dir.parent)))
        models.append(SqlModel(layer, path.stem, sql, deps, path))
    return tuple(models)


def all_models(sql_dir: Path = SQL_DIR) -> tuple[SqlModel, ...]:
    return tuple(m for layer in MODEL_LAYERS for m in load_models(layer, sql_dir))


@cache
def load_query(relative: str, sql_dir: Path = SQL_DIR) -> str:
    """Any other SQL file (reports, alerts, examples) by path relative to sql/."""
    return (sql_dir / relative).read_text()


@dataclass(frozen=True)
class SqlReport:
    """A query the product prints: `sql/<folder>/<name>.sql`, one statement."""

    path: str  # relative to sql/, e.g. "reports/show_concentration.sql"
    sql: str
    tables: tuple[str, ...]  # every "schema.table" it reads, sorted
    params: tuple[str, ...]  # its named parameters ($name), sorted

    def run(self, con, **params):
        """Execute with exactly the parameters the query names (a missing one is an error)."""
        missing = set(self.params) - set(params)
        if missing:
            raise TypeError(f"sql/{self.path} needs the parameters {sorted(missing)}")
        return con.execute(self.sql, {p: params[p] for p in self.params})


def query_params(sql: str, *, where: str = "query") -> tuple[str, ...]:
    """The named parameters (`$name`) of a statement; a positional `?` is refused, so every
    value a file takes is named where it is used."""
    names = set()
    for node in sqlglot.parse_one(sql, dialect="duckdb").find_all(exp.Placeholder):
        if not node.name or node.name == "?":
            raise SqlLineageError(f"{where}: write parameters as $name, not ?")
        names.add(node.name)
    return tuple(sorted(names))


@cache
def load_report(relative: str, sql_dir: Path = SQL_DIR) -> SqlReport:
    """A report or dashboard query by path relative to sql/ (`reports/headline.sql`)."""
    sql = (sql_dir / relative).read_text().strip().rstrip(";")
    where = f"sql/{relative}"
    return SqlReport(relative, sql, tables_read(sql, where=where), query_params(sql, where=where))


def report_files(folder: str, sql_dir: Path = SQL_DIR) -> list[str]:
    """Every `sql/<folder>/*.sql`, as paths relative to sql/."""
    return [f"{folder}/{p.name}" for p in sorted((sql_dir / folder).glob("*.sql"))]
