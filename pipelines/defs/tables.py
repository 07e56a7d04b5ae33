"""One shape for every table: its contract (`sql/<schema>/<table>.yml`) makes its asset spec, its
materialization metadata and its generic checks.

- `table_spec` / `table_asset`: key `[schema, table]`, description and group from the contract,
  for Python-built tables (`multi_asset(specs=[table_spec(...), ...])` for paired tables).
- `table_result`: the `MaterializeResult` every table asset returns: `dagster/row_count` and
  `dagster/column_schema` (DuckDB types + contract descriptions). It fails when the built table's
  columns and its contract's columns differ, so documentation cannot drift from the data.
- `contract_checks`: per contract, one multi-check of the rules it runs as SQL (grain, column
  rules, relationships, `data_tests`: `pipelines/lib/rules.py`), each blocking unless its
  `severity` is warn. The column rules of a table GX validates are its suite instead
  (`pipelines/defs/quality.py`). Checks that need code stay in Python beside their asset.
"""

from collections.abc import Iterable

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.lib.contracts import Contract, ContractError, contract_for, load_contracts
from pipelines.lib.rules import VIOLATION_LIMIT, Rule


def table_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("."))


def table_spec(
    table: str, *, deps: Iterable = (), kinds: Iterable[str] = ("duckdb",), **kwargs
) -> dg.AssetSpec:
    contract = contract_for(table)
    return dg.AssetSpec(
        key=table_key(table),
        deps=list(deps),
        description=contract.description,
        group_name=contract.group or contract.schema,
        kinds=set(kinds),
        **kwargs,
    )


def table_asset(table: str, *, deps: Iterable = (), kinds: Iterable[str] = ("duckdb",), **kwargs):
    """`@dg.asset` for a Python-built table, its key, description and group from the contract."""
    spec = table_spec(table, deps=deps, kinds=kinds)
    return dg.asset(
        key=spec.key,
        deps=[d.asset_key for d in spec.deps],
        description=spec.description,
        group_name=spec.group_name,
        kinds=spec.kinds,
        **kwargs,
    )


def column_schema(con: duckdb.DuckDBPyConnection, contract: Contract) -> dg.TableSchema:
    """The built table's columns (DuckDB types) with the contract's descriptions.

    Raises ContractError when the table has a column the contract lacks, or lacks one it declares.
    """
    built = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [contract.schema, contract.name],
    ).fetchall()
    declared = {c.name: c for c in contract.columns}
    undocumented = [name for name, _ in built if name not in declared]
    absent = [name for name in declared if name not in {n for n, _ in built}]
    if undocumented or absent:
        raise ContractError(
            f"{contract.table} does not match {contract.path}: "
            + "; ".join(
                part
                for part in (
                    f"columns not in the contract: {undocumented}" if undocumented else "",
                    f"declared but not built: {absent}" if absent else "",
                )
                if part
            )
        )
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, dtype.lower(), description=declared[name].description)
            for name, dtype in built
        ]
    )


def table_result(
    con: duckdb.DuckDBPyConnection, table: str, *, partial_rows: int | None = None, **metadata
) -> dg.MaterializeResult:
    """Row count and column schema of `table` as built, plus the asset's own metadata.

    `partial_rows`: rows this run wrote, for a partitioned run that rewrote only some years.
    """
    contract = contract_for(table)
    ((rows,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    extra = {"rows_written": partial_rows} if partial_rows is not None else {}
    return dg.MaterializeResult(
        asset_key=table_key(table),
        metadata={
            "dagster/row_count": rows,
            "dagster/column_schema": column_schema(con, contract),
            **extra,
            **metadata,
        },
    )


def contract_check(contract: Contract) -> dg.AssetChecksDefinition | None:
    """The checks of one contract's SQL rules, evaluated in one step."""
    rules = {r.name: r for r in contract.sql_rules}
    if not rules:
        return None
    queries = contract.violations_sql()
    key = table_key(contract.table)
    specs = [
        dg.AssetCheckSpec(
            name,
            asset=key,
            blocking=rule.blocking,
            description=rule.describe(),
            additional_deps=[table_key(t) for t in rule.reads()],
        )
        for name, rule in rules.items()
    ]

    @dg.multi_asset_check(
        specs=specs, name=f"{contract.schema}_{contract.name}_contract", can_subset=True
    )
    def _contract(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        selected = {k.name for k in context.selected_asset_check_keys}
        with warehouse.get().connect() as con:
            for name, rule in rules.items():
                if name not in selected:
                    continue
                cur = con.execute(queries[name])
                columns = [d[0] for d in cur.description]
                bad = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name=name,
                    passed=not bad,
                    severity=dg.AssetCheckSeverity.ERROR
                    if rule.blocking
                    else dg.AssetCheckSeverity.WARN,
                    description=_failure(rule, bad) if bad else rule.describe(),
                    metadata={"failing": len(bad), "examples": str(bad[:10])},
                )

    return _contract


def _failure(rule: Rule, bad: list[dict]) -> str:
    if rule.kind == "row_count":
        return f"{rule.table} has {bad[0]['n']} rows: {rule.describe()}"
    more = "+" if len(bad) == VIOLATION_LIMIT else ""
    return f"{len(bad)}{more} offending rows in {rule.table} ({rule.describe()}), e.g. {bad[0]}"


contract_checks = [
    check for c in load_contracts().values() if (check := contract_check(c)) is not None
]
