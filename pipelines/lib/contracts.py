"""Table contracts: `sql/<schema>/<table>.yml`, one per published table, the shape dbt users know.

A contract holds what a table promises: its description, its grain (the columns that identify a
row), and each column's description with optional `min`/`max`, `not_null` and `values`. From it
come the `COMMENT ON` statements applied at publish, Dagster's column schema, the generic checks
(grain unique over the whole table, ranges, not-null, accepted values) and the data dictionary.

    description: >-
      One row per (source, commodity, stage, basis, year): ...
    grain: [source, commodity, stage, basis, year]
    columns:
      source: Data source ...
      hhi: {description: HHI 0-10,000 ..., min: 0, max: 10000}

A seed table adds `seed: <name>` (built from `data/seeds/<name>.csv` by the seed factory) and a
`type` on each column that is not text. A SQL model whose rows of a year come only from its
inputs' rows of that year may add `build_by_year: [schema.table, ...]`: the model factory then
builds it one year at a time from those inputs, so DuckDB's aggregate holds one year's groups,
not every year's (`pipelines.lib.sql.restrict_to_year`).
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from pipelines.lib.paths import SQL_DIR

# Schemas whose tables carry contracts (raw tables are the sources as delivered).
CONTRACT_SCHEMAS = ("staging", "marts", "meta")
# Floating-point slack for range checks: a share summed from parts may be 1 + 2e-16.
RANGE_TOLERANCE = 1e-9
# Offending rows a failed check lists (a full list would be the table itself).
VIOLATION_LIMIT = 20


class ContractError(ValueError):
    """A contract file is malformed, or a table breaks the contract it declares."""


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    min: float | None = None
    max: float | None = None
    not_null: bool = False
    values: tuple[str, ...] = ()
    type: str | None = None  # DuckDB type; needed only where the builder casts (seed tables)


@dataclass(frozen=True)
class Contract:
    table: str  # schema.table
    description: str
    grain: tuple[str, ...]
    columns: tuple[Column, ...] = field(default=())
    group: str | None = None
    seed: str | None = None  # data/seeds/<seed>.csv when the table is a seed, built by the factory
    build_by_year: tuple[str, ...] = ()  # inputs a SQL model is built from one year at a time
    path: Path | None = None

    @property
    def schema(self) -> str:
        return self.table.split(".")[0]

    @property
    def name(self) -> str:
        return self.table.split(".")[1]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.table} contract has no column {name!r}")

    def comment_statements(self) -> list[tuple[str | None, str]]:
        """(column or None for the table, `COMMENT ON` statement), table first."""
        statements = [(None, f"COMMENT ON TABLE {self.table} IS {_quote(self.description)}")]
        statements += [
            (c.name, f"COMMENT ON COLUMN {self.table}.{c.name} IS {_quote(c.description)}")
            for c in self.columns
        ]
        return statements

    def violations_sql(self) -> dict[str, str]:
        """Check name -> a query returning the offending rows (empty when the contract holds)."""
        checks = {}
        if self.grain:
            key = ", ".join(self.grain)
            checks["grain_is_unique"] = (
                f"SELECT {key}, count(*) AS n FROM {self.table} GROUP BY ALL HAVING count(*) > 1 "
                f"ORDER BY n DESC LIMIT {VIOLATION_LIMIT}"
            )
        for c in self.columns:
            if c.min is not None or c.max is not None:
                tests = []
                if c.min is not None:
                    tests.append(f"{c.name} < {c.min} - {RANGE_TOLERANCE}")
                if c.max is not None:
                    tests.append(f"{c.name} > {c.max} + {RANGE_TOLERANCE} * greatest(1, {c.max})")
                checks[f"{c.name}_in_range"] = self._offending(c.name, " OR ".join(tests))
            if c.not_null:
                checks[f"{c.name}_not_null"] = self._offending(c.name, f"{c.name} IS NULL")
            if c.values:
                allowed = ", ".join(_quote(v) for v in c.values)
                checks[f"{c.name}_accepted_values"] = self._offending(
                    c.name, f"{c.name} IS NOT NULL AND {c.name}::VARCHAR NOT IN ({allowed})"
                )
        return checks

    def _offending(self, column: str, condition: str) -> str:
        shown = ", ".join(dict.fromkeys([*self.grain, column]))
        return f"SELECT {shown} FROM {self.table} WHERE {condition} LIMIT {VIOLATION_LIMIT}"


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def _column(name: str, spec, path: Path) -> Column:
    if isinstance(spec, str):
        return Column(name, spec)
    if not isinstance(spec, dict) or not isinstance(spec.get("description"), str):
        raise ContractError(f"{path}: column {name!r} needs a description")
    unknown = set(spec) - {"description", "min", "max", "not_null", "values", "type"}
    if unknown:
        raise ContractError(f"{path}: column {name!r} has unknown keys {sorted(unknown)}")
    return Column(
        name,
        spec["description"],
        min=spec.get("min"),
        max=spec.get("max"),
        not_null=bool(spec.get("not_null", False)),
        values=tuple(str(v) for v in spec.get("values", ())),
        type=spec.get("type"),
    )


def parse_contract(path: Path) -> Contract:
    """One contract file; its table is `<folder>.<stem>`."""
    # libyaml's safe loader (PyYAML's wheels ship it): the 74 contracts load in a tenth of the
    # time of the pure-Python one, at every process start
    doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(doc, dict) or not isinstance(doc.get("description"), str):
        raise ContractError(f"{path}: a contract needs a `description`")
    unknown = set(doc) - {"description", "grain", "columns", "group", "seed", "build_by_year"}
    if unknown:
        raise ContractError(f"{path}: unknown keys {sorted(unknown)}")
    columns = doc.get("columns") or {}
    if not isinstance(columns, dict) or not columns:
        raise ContractError(f"{path}: `columns` must map each column to its description")
    contract = Contract(
        table=f"{path.parent.name}.{path.stem}",
        description=doc["description"],
        grain=tuple(doc.get("grain") or ()),
        columns=tuple(_column(name, spec, path) for name, spec in columns.items()),
        group=doc.get("group"),
        seed=doc.get("seed"),
        build_by_year=tuple(doc.get("build_by_year") or ()),
        path=path,
    )
    missing = set(contract.grain) - {c.name for c in contract.columns}
    if missing:
        raise ContractError(f"{path}: grain names undeclared columns {sorted(missing)}")
    if contract.build_by_year and "year" not in contract.grain:
        raise ContractError(f"{path}: build_by_year needs `year` in the grain")
    return contract


@cache
def load_contracts(sql_dir: Path = SQL_DIR) -> dict[str, Contract]:
    """Every contract under `sql/<schema>/`, by `schema.table`."""
    contracts = {}
    for schema in CONTRACT_SCHEMAS:
        for path in sorted((sql_dir / schema).glob("*.yml")):
            contract = parse_contract(path)
            contracts[contract.table] = contract
    return contracts


def contract_for(table: str, sql_dir: Path = SQL_DIR) -> Contract:
    try:
        return load_contracts(sql_dir)[table]
    except KeyError:
        raise ContractError(
            f"no contract for {table}: add sql/{table.replace('.', '/')}.yml"
        ) from None
