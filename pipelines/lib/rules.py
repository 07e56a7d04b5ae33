"""The rules a table contract declares, and the SQL that finds the rows breaking each.

One language, the shape dbt users know (dbt-labs/jaffle-shop `models/marts/orders.yml`:
`dbt_utils.expression_is_true: expression: "order_total = subtotal + tax_paid"` on the model,
`relationships: to: ref('stg_customers') field: customer_id` on a column):

    grain: [importer_iso3, year]             # one row per key, over the whole table
    columns:
      china_share: {description: ..., min: 0, max: 1, not_null: true}
      stage: {description: ..., values: [mining, refining, manufacturing]}
      hs6: {description: ..., regex: '^[0-9]{6}$'}
      iso3:
        description: ...
        relationships: {to: ref('staging.dim_country'), field: iso3}
    data_tests:
      - expression_is_true:
          name: china_share_within_top_supplier
          expression: china_share <= top_supplier_share + 1e-9
          config: {severity: warn, where: "year >= 2000"}
      - unique_combination_of_columns: {name: ..., combination_of_columns: [...]}
      - expect_table_row_count_to_be_between: {name: ..., min_value: 200, max_value: 300}

Semantics are dbt's, so the YAML means what a dbt user reads in it:
- `relationships`: every non-null value of the column is a `field` value of the `to` table
  (dbt's generic test: https://docs.getdbt.com/reference/resource-properties/data-tests
  #relationships; its SQL keeps `where child.column is not null`);
- `expression_is_true`: the rows where `not (expression)` holds break it, so a row where the
  expression is null does not (dbt-utils `macros/generic_tests/expression_is_true.sql`);
- `config: severity`: `error` (the default: a blocking check, nothing downstream runs) or `warn`
  (https://docs.getdbt.com/reference/resource-configs/severity); `config: where`: the rule sees
  only the rows matching it (https://docs.getdbt.com/reference/resource-configs/where);
- `unique_combination_of_columns` (dbt-utils) and `expect_table_row_count_to_be_between`
  (dbt-expectations, after GX's expectation of that name).
Column rules (`min`/`max`, `not_null`, `values`, `regex`) are blocking errors.

Each rule is run by one validator, never two: on a table whose contract says
`validator: great_expectations` (the staged tables), the column rules become that table's GX
suite (`pipelines/lib/quality.py`); every other rule, and every rule of other tables, is a SQL
query over the whole table in DuckDB (a key, another table or a SQL expression is what a
validator of row batches cannot see).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from pipelines.lib.sql import tables_read

# Floating-point slack for range checks: a share summed from parts may be 1 + 2e-16.
RANGE_TOLERANCE = 1e-9
# Offending rows a failed check lists (a full list would be the table itself).
VIOLATION_LIMIT = 20
SEVERITIES = ("error", "warn")
# The rule kinds a Great Expectations suite runs on a staged table, by their GX expectation
GX_EXPECTATIONS = {
    "not_null": "expect_column_values_to_not_be_null",
    "in_range": "expect_column_values_to_be_between",
    "accepted_values": "expect_column_values_to_be_in_set",
    "matches_regex": "expect_column_values_to_match_regex",
}
# data_tests names as written in a contract -> kind
TABLE_TEST_NAMES = {
    "expression_is_true": "expression_is_true",
    "unique_combination_of_columns": "unique_combination_of_columns",
    "expect_table_row_count_to_be_between": "row_count",
}
_REF = re.compile(r"""^ref\(\s*['"]([a-z_]+\.[a-z0-9_]+)['"]\s*\)$""")


class RuleError(ValueError):
    """A rule in a contract is malformed (the caller names the file)."""


@dataclass(frozen=True)
class Rule:
    """One rule of `table`; `name` is its check's name (`<column>_<kind>` for column rules)."""

    name: str
    kind: str  # grain | not_null | in_range | accepted_values | matches_regex | relationships
    # | expression_is_true | unique_combination_of_columns | row_count
    table: str
    column: str | None = None
    columns: tuple[str, ...] = ()  # grain / unique_combination_of_columns
    min: float | None = None  # in_range, row_count
    max: float | None = None
    values: tuple[str, ...] = ()
    regex: str | None = None
    to: str | None = None  # relationships: the parent table (schema.table) and its field
    field: str | None = None
    expression: str | None = None
    severity: str = "error"
    where: str | None = None
    note: str | None = None  # the contract's own words for a table rule

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    @property
    def gx_expectation(self) -> str | None:
        return GX_EXPECTATIONS.get(self.kind)

    def reads(self) -> tuple[str, ...]:
        """The other tables the rule reads (its `to`, and any in its SQL)."""
        tables = {self.to} if self.to else set()
        for sql in (self.where, self.expression):
            if sql:
                tables.update(tables_read(f"SELECT 1 FROM {self.table} WHERE {sql}"))
        return tuple(sorted(tables - {self.table, None}))

    def describe(self) -> str:
        if self.note:
            return " ".join(self.note.split())
        scope = f" (rows where {self.where})" if self.where else ""
        if self.kind == "grain":
            return f"One row per ({', '.join(self.columns)}) over the whole table."
        if self.kind == "in_range":
            low = "-inf" if self.min is None else self.min
            high = "inf" if self.max is None else self.max
            return f"{self.column} within [{low}, {high}]."
        if self.kind == "not_null":
            return f"{self.column} is never null."
        if self.kind == "accepted_values":
            return f"{self.column} is one of {', '.join(self.values)}."
        if self.kind == "matches_regex":
            return f"{self.column} matches {self.regex}."
        if self.kind == "relationships":
            return f"Every {self.column} is a {self.field} of {self.to}{scope}."
        if self.kind == "expression_is_true":
            return f"{self.expression}{scope}."
        if self.kind == "unique_combination_of_columns":
            return f"One row per ({', '.join(self.columns)}){scope}."
        low = "" if self.min is None else f"at least {self.min}"
        high = "" if self.max is None else f"at most {self.max}"
        return f"{' and '.join(filter(None, (low, high))).capitalize()} rows."

    def violations_sql(self, key: Sequence[str] = ()) -> str:
        """A query returning the rows that break the rule (none when it holds), each named by
        `key` (the table's grain) and the columns the rule reads."""
        rows = self._rows()
        limit = f"LIMIT {VIOLATION_LIMIT}"
        if self.kind in ("grain", "unique_combination_of_columns"):
            columns = ", ".join(self.columns)
            return (
                f"SELECT {columns}, count(*) AS n FROM {rows} GROUP BY ALL "
                f"HAVING count(*) > 1 ORDER BY n DESC {limit}"
            )
        if self.kind == "row_count":
            return f"SELECT count(*) AS n FROM {rows} HAVING NOT ({self._within('count(*)')})"
        shown = ", ".join(dict.fromkeys([*key, *self._columns_read()]))
        if self.kind == "relationships":
            shown = ", ".join(f"child.{c}" for c in dict.fromkeys([*key, self.column]))
            return (
                f"SELECT {shown} FROM {rows} ANTI JOIN {self.to} AS parent "
                f"ON child.{self.column} = parent.{self.field} "
                f"WHERE child.{self.column} IS NOT NULL {limit}"
            )
        return f"SELECT {shown} FROM {rows} WHERE {self._offending()} {limit}"

    def expectation(self) -> dict:
        """The rule as a GX 1.x expectation (column rules only)."""
        kwargs: dict = {"column": self.column}
        if self.kind == "in_range":
            kwargs |= {
                k: v for k, v in (("min_value", self.min), ("max_value", self.max)) if v is not None
            }
        elif self.kind == "accepted_values":
            kwargs["value_set"] = list(self.values)
        elif self.kind == "matches_regex":
            kwargs["regex"] = self.regex
        return {"type": self.gx_expectation, "kwargs": kwargs, "meta": {"contract_rule": self.name}}

    def _rows(self) -> str:
        alias = "child" if self.kind == "relationships" else "t"
        if self.where:
            return f"(SELECT * FROM {self.table} WHERE {self.where}) AS {alias}"
        return f"{self.table} AS {alias}"

    def _within(self, value: str, tolerance: float | None = None) -> str:
        tests = []
        if self.min is not None:
            slack = f" - {tolerance}" if tolerance else ""
            tests.append(f"{value} >= {self.min}{slack}")
        if self.max is not None:
            slack = f" + {tolerance} * greatest(1, {self.max})" if tolerance else ""
            tests.append(f"{value} <= {self.max}{slack}")
        return " AND ".join(tests)

    def _offending(self) -> str:
        c = self.column
        if self.kind == "in_range":
            return f"NOT ({self._within(c, RANGE_TOLERANCE)})"
        if self.kind == "not_null":
            return f"{c} IS NULL"
        if self.kind == "accepted_values":
            return f"{c} IS NOT NULL AND {c}::VARCHAR NOT IN ({', '.join(map(quote, self.values))})"
        if self.kind == "matches_regex":
            pattern = "'" + self.regex.replace("'", "''") + "'"  # as written: spaces count
            return f"{c} IS NOT NULL AND NOT regexp_matches({c}::VARCHAR, {pattern})"
        return f"NOT ({self.expression})"  # expression_is_true

    def _columns_read(self) -> list[str]:
        if self.expression:
            return expression_columns(self.expression)
        return [self.column] if self.column else []


def quote(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def expression_columns(sql: str) -> list[str]:
    """The column names a SQL expression reads of its own table (not those of a subquery's),
    in order of first use."""
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    return list(
        dict.fromkeys(
            c.name for c in tree.find_all(exp.Column) if c.find_ancestor(exp.Select) is None
        )
    )


# --- parsing ------------------------------------------------------------------------------------
def _config(spec: dict, where: str) -> tuple[str, str | None]:
    config = spec.get("config") or {}
    if not isinstance(config, dict) or set(config) - {"severity", "where"}:
        raise RuleError(f"{where}: `config` takes severity and where only")
    severity = str(config.get("severity", "error")).lower()
    if severity not in SEVERITIES:
        raise RuleError(f"{where}: severity must be error or warn, not {severity!r}")
    return severity, config.get("where")


def _check_sql(sql: str, columns: set[str], where: str) -> None:
    """`sql` parses, and the columns it names are the table's (a typo fails at load time)."""
    try:
        unknown = set(expression_columns(sql)) - columns
    except sqlglot.errors.ParseError as exc:
        raise RuleError(f"{where}: {sql!r} is not a SQL expression ({exc})") from None
    if unknown:
        raise RuleError(
            f"{where}: {sql!r} names columns the table does not have: {sorted(unknown)}"
        )


def parse_relationship(table: str, column: str, spec, columns: set[str]) -> Rule:
    where = f"column {column!r} relationships"
    if not isinstance(spec, dict) or set(spec) - {"to", "field", "config"}:
        raise RuleError(f"{where}: give `to: ref('schema.table')`, `field` and optional `config`")
    match = _REF.match(str(spec.get("to", "")))
    if not match or not spec.get("field"):
        raise RuleError(f"{where}: `to` must be ref('schema.table') and `field` a column of it")
    severity, condition = _config(spec, where)
    if condition:
        _check_sql(condition, columns, where)
    to = match.group(1)
    return Rule(
        f"{column}_in_{to.split('.')[1]}",
        "relationships",
        table,
        column=column,
        to=to,
        field=spec["field"],
        severity=severity,
        where=condition,
    )


def parse_table_rules(table: str, tests, columns: set[str]) -> list[Rule]:
    """The `data_tests:` list of a contract."""
    if not isinstance(tests, list):
        raise RuleError("`data_tests` must be a list")
    rules = []
    for entry in tests:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise RuleError(f"data_tests: each entry is one test, not {entry!r}")
        ((written, spec),) = entry.items()
        kind = TABLE_TEST_NAMES.get(written)
        if kind is None:
            raise RuleError(
                f"data_tests: unknown test {written!r} (known: {sorted(TABLE_TEST_NAMES)})"
            )
        allowed = {"name", "description", "config"} | {
            "expression_is_true": {"expression"},
            "unique_combination_of_columns": {"combination_of_columns"},
            "row_count": {"min_value", "max_value"},
        }[kind]
        if not isinstance(spec, dict) or not spec.get("name") or set(spec) - allowed:
            raise RuleError(f"data_tests {written}: give a `name` and {sorted(allowed - {'name'})}")
        where = f"data_tests {spec['name']!r}"
        severity, condition = _config(spec, where)
        if condition:
            _check_sql(condition, columns, where)
        common = dict(severity=severity, where=condition, note=spec.get("description"))
        if kind == "expression_is_true":
            if not spec.get("expression"):
                raise RuleError(f"{where}: an `expression` is needed")
            _check_sql(spec["expression"], columns, where)
            rule = Rule(spec["name"], kind, table, expression=spec["expression"], **common)
        elif kind == "unique_combination_of_columns":
            combination = tuple(spec.get("combination_of_columns") or ())
            if not combination or set(combination) - columns:
                raise RuleError(f"{where}: combination_of_columns must name the table's columns")
            rule = Rule(spec["name"], kind, table, columns=combination, **common)
        else:
            low, high = spec.get("min_value"), spec.get("max_value")
            if low is None and high is None:
                raise RuleError(f"{where}: give min_value and/or max_value")
            rule = Rule(spec["name"], kind, table, min=low, max=high, **common)
        rules.append(rule)
    return rules
