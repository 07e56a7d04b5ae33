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

A table whose columns are figures declares their scope in a `scope` section (`parse_scope`,
below): what each measure counts, so a test can refuse a join of two scopes.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from pipelines.lib.paths import SQL_DIR
from pipelines.lib.rules import (
    VIOLATION_LIMIT,
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
    scope: "Scope | None" = None  # what its measures count (parse_scope)

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
        "validator", "scope",
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
        scope=parse_scope(doc["scope"], path) if "scope" in doc else None,
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
    if contract.scope:
        check_scope_columns(contract)
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


# --- Scope: what each figure counts (issue 26) ------------------------------------------------
#
#     scope:
#       series: [source, commodity, stage, basis, year]  # one scope per series (a data check)
#       dimensions:                                       # every measure's scope...
#         commodity: {column: commodity}                  # ...read from a column of the row
#         basis: production                               # ...or the same for every row
#       measures:                                         # the figures, each with its overrides
#         amount: {}
#         value_usd: {measured_by: value, unit: USD, unit_basis: value}
#         rest_of_world_per_lost_t:                        # a figure that crosses scopes on
#           cross_scope:                                  # purpose names the scope of each side
#             numerator: {basis: production, unit_basis: content}
#             denominator: {basis: imports, unit_basis: gross_weight}
#
# basis: production | exports | imports | consumption | flows (a bilateral flow, both an export
# and an import) | stocks | reliance; measured_by: quantity | value | share (a ratio of two
# figures of this scope) | index; unit_basis: gross_weight | content | value | count | volume |
# mixed (varies by row with no column to say it: a stated gap).
SCOPE_DIMENSIONS = (
    "commodity", "element", "stage", "basis", "measured_by", "unit", "unit_basis", "source"
)  # fmt: skip
SCOPE_VALUES = {
    "stage": {"mining", "refining", "manufacturing"},
    "basis": {"production", "exports", "imports", "consumption", "flows", "stocks", "reliance"},
    "measured_by": {"quantity", "value", "share", "index"},
    "unit_basis": {"gross_weight", "content", "value", "count", "volume", "none", "mixed"},
}


@dataclass(frozen=True)
class ColumnRef:
    """A scope dimension read from a column of each row (it varies by row)."""

    column: str

    def __str__(self) -> str:
        return f"column {self.column}"


@dataclass(frozen=True)
class MeasureScope:
    column: str
    dims: tuple[tuple[str, "str | ColumnRef"], ...]  # the table's dimensions with its overrides
    cross_scope: tuple[tuple[str, tuple[tuple[str, "str | ColumnRef"], ...]], ...] = ()

    def get(self, dimension: str):
        return dict(self.dims).get(dimension)


@dataclass(frozen=True)
class Scope:
    dims: tuple[tuple[str, "str | ColumnRef"], ...]
    measures: tuple[MeasureScope, ...]
    series: tuple[str, ...] = ()

    def measure(self, column: str) -> MeasureScope | None:
        return next((m for m in self.measures if m.column == column), None)

    def column_dimensions(self) -> dict[str, str]:
        """dimension -> the column holding it, for the dimensions read from rows."""
        found = {d: v.column for d, v in self.dims if isinstance(v, ColumnRef)}
        for m in self.measures:
            found.update({d: v.column for d, v in m.dims if isinstance(v, ColumnRef)})
        return found


def _scope_dims(spec, path: Path, where: str) -> tuple[tuple[str, str | ColumnRef], ...]:
    if not isinstance(spec, dict):
        raise ContractError(f"{path}: scope {where} must map dimensions to values")
    dims = []
    for dim, value in spec.items():
        if dim not in SCOPE_DIMENSIONS:
            raise ContractError(
                f"{path}: scope {where}: unknown dimension {dim!r} (one of {SCOPE_DIMENSIONS})"
            )
        if isinstance(value, dict) and set(value) == {"column"}:
            dims.append((dim, ColumnRef(value["column"])))
            continue
        if not isinstance(value, str):
            raise ContractError(f"{path}: scope {where}: {dim} must be a value or {{column: x}}")
        allowed = SCOPE_VALUES.get(dim)
        if allowed and value not in allowed:
            raise ContractError(
                f"{path}: scope {where}: {dim} {value!r} is not one of {sorted(allowed)}"
            )
        dims.append((dim, value))
    return tuple(dims)


def parse_scope(spec, path: Path) -> Scope:
    """The `scope` section of a contract: the dimensions every measure shares, each measure's
    overrides, the cross-scope figures with the scope of each side, and the series key."""
    if not isinstance(spec, dict) or not spec.get("measures"):
        raise ContractError(f"{path}: scope needs `measures` (the columns that are figures)")
    unknown = set(spec) - {"dimensions", "measures", "series"}
    if unknown:
        raise ContractError(f"{path}: scope has unknown keys {sorted(unknown)}")
    base = _scope_dims(spec.get("dimensions") or {}, path, "dimensions")
    measures = spec["measures"]
    if isinstance(measures, list):
        measures = {name: {} for name in measures}
    parsed = []
    for name, override in measures.items():
        override = dict(override or {})
        sides = override.pop("cross_scope", None)
        dims = dict(base) | dict(_scope_dims(override, path, f"of {name}"))
        cross = ()
        if sides is not None:
            if not isinstance(sides, dict) or len(sides) < 2:
                raise ContractError(f"{path}: {name}: cross_scope names at least two sides")
            cross = tuple(
                (side, _scope_dims(d, path, f"of {name} ({side})")) for side, d in sides.items()
            )
        parsed.append(MeasureScope(name, tuple(dims.items()), cross))
    return Scope(base, tuple(parsed), tuple(spec.get("series") or ()))


def check_scope_columns(contract: Contract) -> None:
    """Every column a scope names (measures, per-row dimensions, series) is a column of the
    table. Raises ContractError naming the contract and the columns."""
    names = {c.name for c in contract.columns}
    scope = contract.scope
    named = {m.column for m in scope.measures} | set(scope.column_dimensions().values())
    missing = sorted((named | set(scope.series)) - names)
    if missing:
        raise ContractError(f"{contract.path}: scope names undeclared columns {missing}")


def scope_violations_sql(contract: Contract) -> dict[str, str]:
    """Check name -> a query returning the rows that break the scope (empty when it holds):
    `scope_one_per_series`, no series (the scope's `series` key) mixes two values of a
    dimension read from rows (two units, two unit bases, two bases)."""
    scope = contract.scope
    if scope is None or not scope.series:
        return {}
    varying = sorted(set(scope.column_dimensions().values()) - set(scope.series))
    if not varying:
        return {}
    key = ", ".join(scope.series)
    counts = ", ".join(f"count(DISTINCT {c}) AS {c}_values" for c in varying)
    mixed = " OR ".join(f"count(DISTINCT {c}) > 1" for c in varying)
    return {
        "scope_one_per_series": f"SELECT {key}, {counts} FROM {contract.table} GROUP BY {key} "
        f"HAVING {mixed} LIMIT {VIOLATION_LIMIT}"
    }
