"""Table contracts: `sql/<schema>/<table>.yml`, one per published table, the shape dbt users know.

A contract holds what a table promises: its description, its grain (the columns that identify a
row), each column's description, and its rules: on a column `min`/`max`, `not_null`, `values`,
`regex` and `relationships`; on the table `data_tests` (`expression_is_true`, ...). The rule
language is `pipelines/lib/rules.py`. From a contract come the `COMMENT ON` statements applied
at publish, Dagster's column schema, the checks (`pipelines/defs/tables.py`; on a table with
`validator: great_expectations` its column rules are a GX suite instead) and the data dictionary.

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
from pipelines.lib.rules import (
    Rule,
    RuleError,
    parse_relationship,
    parse_table_rules,
    quote,
)

# Schemas whose tables carry contracts (raw tables are the sources as delivered).
CONTRACT_SCHEMAS = ("staging", "marts", "meta")
# The validator that runs the column rules of a table whose contract names it
GREAT_EXPECTATIONS = "great_expectations"


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
    regex: str | None = None
    relationship: Rule | None = None  # `relationships:` (its check is among the contract's rules)

    def rules(self, table: str) -> list[Rule]:
        """The column's rules, in the order checks are listed."""
        c, found = self.name, []
        if self.min is not None or self.max is not None:
            found.append(Rule(f"{c}_in_range", "in_range", table, c, min=self.min, max=self.max))
        if self.not_null:
            found.append(Rule(f"{c}_not_null", "not_null", table, c))
        if self.values:
            found.append(
                Rule(f"{c}_accepted_values", "accepted_values", table, c, values=self.values)
            )
        if self.regex:
            found.append(Rule(f"{c}_matches_regex", "matches_regex", table, c, regex=self.regex))
        if self.relationship:
            found.append(self.relationship)
        return found


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
    data_tests: tuple[Rule, ...] = ()  # the table's own rules (`data_tests:`)
    validator: str | None = None  # great_expectations: its column rules run as a GX suite

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
        statements = [(None, f"COMMENT ON TABLE {self.table} IS {quote(self.description)}")]
        statements += [
            (c.name, f"COMMENT ON COLUMN {self.table}.{c.name} IS {quote(c.description)}")
            for c in self.columns
        ]
        return statements

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule: the grain, each column's, then the table's `data_tests`."""
        grain = (
            [Rule("grain_is_unique", "grain", self.table, columns=self.grain)] if self.grain else []
        )
        return (*grain, *(r for c in self.columns for r in c.rules(self.table)), *self.data_tests)

    @property
    def gx_rules(self) -> tuple[Rule, ...]:
        """The rules its Great Expectations suite runs (none unless GX validates the table)."""
        if self.validator != GREAT_EXPECTATIONS:
            return ()
        return tuple(r for r in self.rules if r.gx_expectation)

    @property
    def sql_rules(self) -> tuple[Rule, ...]:
        """The rules run as SQL over the whole table: all of them but the GX suite's."""
        return tuple(r for r in self.rules if r not in self.gx_rules)

    def violations_sql(self) -> dict[str, str]:
        """Check name -> a query returning the offending rows (empty when the rule holds), for
        the rules run as SQL."""
        return {r.name: r.violations_sql(self.grain) for r in self.sql_rules}


def _column(name: str, spec, path: Path, table: str, names: set[str]) -> Column:
    if isinstance(spec, str):
        return Column(name, spec)
    if not isinstance(spec, dict) or not isinstance(spec.get("description"), str):
        raise ContractError(f"{path}: column {name!r} needs a description")
    unknown = set(spec) - {
        "description", "min", "max", "not_null", "values", "type", "regex", "relationships"
    }  # fmt: skip
    if unknown:
        raise ContractError(f"{path}: column {name!r} has unknown keys {sorted(unknown)}")
    try:
        relationship = (
            parse_relationship(table, name, spec["relationships"], names)
            if "relationships" in spec
            else None
        )
    except RuleError as exc:
        raise ContractError(f"{path}: {exc}") from None
    return Column(
        name,
        spec["description"],
        min=spec.get("min"),
        max=spec.get("max"),
        not_null=bool(spec.get("not_null", False)),
        values=tuple(str(v) for v in spec.get("values", ())),
        type=spec.get("type"),
        regex=spec.get("regex"),
        relationship=relationship,
    )


def parse_contract(path: Path) -> Contract:
    """One contract file; its table is `<folder>.<stem>`."""
    # libyaml's safe loader (PyYAML's wheels ship it): the 74 contracts load in a tenth of the
    # time of the pure-Python one, at every process start
    doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(doc, dict) or not isinstance(doc.get("description"), str):
        raise ContractError(f"{path}: a contract needs a `description`")
    unknown = set(doc) - {
        "description", "grain", "columns", "group", "seed", "build_by_year", "data_tests",
        "validator",
    }  # fmt: skip
    if unknown:
        raise ContractError(f"{path}: unknown keys {sorted(unknown)}")
    columns = doc.get("columns") or {}
    if not isinstance(columns, dict) or not columns:
        raise ContractError(f"{path}: `columns` must map each column to its description")
    if doc.get("validator") not in (None, GREAT_EXPECTATIONS):
        raise ContractError(f"{path}: validator can only be {GREAT_EXPECTATIONS}")
    table = f"{path.parent.name}.{path.stem}"
    try:
        data_tests = parse_table_rules(table, doc.get("data_tests") or [], set(columns))
    except RuleError as exc:
        raise ContractError(f"{path}: {exc}") from None
    contract = Contract(
        table=table,
        description=doc["description"],
        grain=tuple(doc.get("grain") or ()),
        columns=tuple(
            _column(name, spec, path, table, set(columns)) for name, spec in columns.items()
        ),
        group=doc.get("group"),
        seed=doc.get("seed"),
        build_by_year=tuple(doc.get("build_by_year") or ()),
        path=path,
        data_tests=tuple(data_tests),
        validator=doc.get("validator"),
    )
    missing = set(contract.grain) - {c.name for c in contract.columns}
    if missing:
        raise ContractError(f"{path}: grain names undeclared columns {sorted(missing)}")
    if contract.build_by_year and "year" not in contract.grain:
        raise ContractError(f"{path}: build_by_year needs `year` in the grain")
    names = [r.name for r in contract.rules]
    if len(names) != len(set(names)):
        raise ContractError(
            f"{path}: two rules named {sorted({n for n in names if names.count(n) > 1})}"
        )
    return contract


@cache
def load_contracts(sql_dir: Path = SQL_DIR) -> dict[str, Contract]:
    """Every contract under `sql/<schema>/`, by `schema.table`."""
    contracts = {}
    for schema in CONTRACT_SCHEMAS:
        for path in sorted((sql_dir / schema).glob("*.yml")):
            contract = parse_contract(path)
            contracts[contract.table] = contract
    for contract in contracts.values():  # a relationship names a table and column that exist
        for rule in contract.rules:
            if rule.to and rule.field not in {c.name for c in _parent(contracts, rule).columns}:
                raise ContractError(
                    f"{contract.path}: {rule.name}: {rule.to} has no column {rule.field!r}"
                )
    return contracts


def _parent(contracts: dict[str, Contract], rule: Rule) -> Contract:
    try:
        return contracts[rule.to]
    except KeyError:
        raise ContractError(f"{rule.table}: {rule.name}: no contract for {rule.to}") from None


def contract_for(table: str, sql_dir: Path = SQL_DIR) -> Contract:
    try:
        return load_contracts(sql_dir)[table]
    except KeyError:
        raise ContractError(
            f"no contract for {table}: add sql/{table.replace('.', '/')}.yml"
        ) from None
