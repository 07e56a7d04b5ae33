"""Scope lineage: a SQL model may not join, divide or compare figures of two different scopes.

Each contract's `scope` section (`pipelines.lib.contracts.parse_scope`) says what its measures
count: basis (production, exports, imports, consumption...), measured by (quantity, value, a
share), unit basis (content, gross weight, value) and, where fixed, commodity and stage. For every
measure of a model, sqlglot traces the input columns it is computed from (`sqlglot.lineage`);
those that are measures of their own tables bring their scopes. The inputs of one figure must agree
on every compared dimension, and with the figure's own declared scope, unless the figure declares
`cross_scope` naming each side, and then each input must be one of the named sides.

Two values agree when they are equal; `flows` (a bilateral trade flow) agrees with `exports` and
`imports` (a flow is both); `mixed` and `none` (no unit basis) agree with anything. A dimension read
from a column (`{column: unit_basis}`) varies by row: the SQL cannot show which rows a filter
keeps, so it agrees here, and the data checks hold it (`contracts.scope_violations_sql`: one scope
per series; the published-label checks). `measured_by` is compared between inputs only, and only
quantity against value: a share or an index is derived from figures of its scope, but a share of
value applied to tonnes is not.
"""

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.lineage import lineage

from pipelines.lib.contracts import ColumnRef, Contract, MeasureScope
from pipelines.lib.sql import SqlModel

# Dimensions two inputs of one figure must agree on (unit and source may differ: t against kt is
# arithmetic, a USGS figure against an IEA one of the same scope is a comparison of sources).
COMPARED = ("commodity", "stage", "basis", "measured_by", "unit_basis")
# Values that agree with others beside themselves.
_ALSO_AGREES = {"flows": {"exports", "imports"}}
_AGREE_WITH_ALL = {"mixed", "none"}
# measured_by: only these two are two scopes (a share or an index is derived from either)
_MEASURED = {"quantity", "value"}


@dataclass(frozen=True)
class Input:
    """One input measure of a figure: `schema.table.column` and its scope."""

    table: str
    column: str
    scope: MeasureScope

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


def _agree(dimension: str, a, b, *, between_inputs: bool) -> bool:
    if a is None or b is None or isinstance(a, ColumnRef) or isinstance(b, ColumnRef):
        return True  # not stated, or varies by row (held by the data checks)
    if dimension == "measured_by":
        return not between_inputs or a == b or not {a, b} <= _MEASURED
    if {a, b} & _AGREE_WITH_ALL:
        return True
    return a == b or b in _ALSO_AGREES.get(a, ()) or a in _ALSO_AGREES.get(b, ())


def disagreements(
    a: MeasureScope | dict, b: MeasureScope | dict, *, between_inputs: bool = True
) -> list[str]:
    """The compared dimensions on which two scopes differ, in words."""
    da = dict(a.dims) if isinstance(a, MeasureScope) else a
    db = dict(b.dims) if isinstance(b, MeasureScope) else b
    return [
        f"{d} {da.get(d)} vs {db.get(d)}"
        for d in COMPARED
        if not _agree(d, da.get(d), db.get(d), between_inputs=between_inputs)
    ]


def schema_of(contracts: dict[str, Contract]) -> dict:
    """sqlglot's schema: every contract's columns (types do not matter for lineage)."""
    schema: dict = {}
    for table, contract in contracts.items():
        db, name = table.split(".")
        schema.setdefault(db, {})[name] = {c.name: "VARCHAR" for c in contract.columns}
    return schema


def _value_columns(expression: exp.Expression) -> set[str]:
    """Names of the columns an expression computes with, leaving out those it only tests
    (`FILTER (WHERE quantity_t IS NOT NULL)`, `CASE WHEN basis = ... THEN`, `nullif(x, 0)` keeps
    x): a condition picks rows, it does not bring its scope into the figure."""
    tree = expression.copy()
    for node in list(tree.find_all(exp.Filter)):
        node.replace(node.this)
    for node in list(tree.find_all(exp.If)):
        node.set("this", exp.true())
    return {c.name for c in tree.find_all(exp.Column)}


def _output_name(node) -> str:
    expression = node.expression
    if isinstance(expression, exp.Table):
        return node.name.split(".")[-1]
    return expression.alias_or_name


def inputs_of(
    model: SqlModel, column: str, contracts: dict[str, Contract], schema: dict
) -> tuple[list[Input], set[str]]:
    """The input measures one output column of `model` is computed from, and the tables it
    reads that declare no scope (their figures cannot be checked)."""
    found, unscoped = {}, set()
    stack = [lineage(column, model.sql, schema, dialect="duckdb")]
    while stack:
        node = stack.pop()
        if node.downstream:
            used = _value_columns(node.expression)
            stack += [d for d in node.downstream if _output_name(d) in used]
            continue
        if not isinstance(node.source, exp.Table):
            continue
        table = f"{node.source.db}.{node.source.name}"
        contract = contracts.get(table)
        if contract is None or contract.scope is None:
            unscoped.add(table)
            continue
        name = node.name.split(".")[-1]
        measure = contract.scope.measure(name)
        if measure is not None and not measure.cross_scope:
            found[(table, name)] = Input(table, name, measure)
    return sorted(found.values(), key=str), unscoped


def violations(model: SqlModel, contracts: dict[str, Contract]) -> list[str]:
    """Every figure of `model` whose inputs cross scopes without saying so, in words."""
    contract = contracts.get(model.table)
    if contract is None or contract.scope is None:
        return []
    schema = schema_of(contracts)
    problems = []
    for measure in contract.scope.measures:
        inputs, unscoped = inputs_of(model, measure.column, contracts, schema)
        where = f"{model.table}.{measure.column}"
        if measure.cross_scope:
            sides = dict(measure.cross_scope)
            used = set()
            for i in inputs:
                matching = [
                    side for side, dims in sides.items() if not disagreements(i.scope, dict(dims))
                ]
                if not matching:
                    problems.append(
                        f"{where}: input {i} matches none of its declared cross_scope sides "
                        f"{sorted(sides)}"
                    )
                used.update(matching)
            if inputs and len(used) < 2 and not unscoped:
                problems.append(
                    f"{where}: declared cross_scope, but its inputs "
                    f"({', '.join(map(str, inputs))}) are all on one side: drop the declaration"
                )
            continue
        for i in inputs:
            if diff := disagreements(i.scope, measure, between_inputs=False):
                problems.append(
                    f"{where} is declared {_describe(measure)} but reads {i} ({'; '.join(diff)}): "
                    "a figure crossing scopes declares cross_scope with both sides"
                )
        # a dimension the figure reads from a column may differ between its inputs: the row says
        # which one it is (export_share.amount: value or tonnes, by basis)
        per_row = {d for d, v in measure.dims if isinstance(v, ColumnRef)}
        for k, a in enumerate(inputs):
            for b in inputs[k + 1 :]:
                diff = [x for x in disagreements(a.scope, b.scope) if x.split()[0] not in per_row]
                if diff:
                    problems.append(
                        f"{where} combines {a} and {b} ({'; '.join(diff)}): declare "
                        "cross_scope with both sides, or compute it on one scope"
                    )
    return problems


def _describe(measure: MeasureScope) -> str:
    dims = dict(measure.dims)
    return ", ".join(f"{d} {dims[d]}" for d in COMPARED if d in dims) or "without a scope"
