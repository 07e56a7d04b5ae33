"""One shape for every table: its contract (`sql/<schema>/<table>.yml`) makes its asset spec, its
materialization metadata and its generic checks.

- `table_spec` / `table_asset`: key `[schema, table]`, description and group from the contract,
  for Python-built tables (`multi_asset(specs=[table_spec(...), ...])` for paired tables).
- `table_result`: the `MaterializeResult` every table asset returns: `dagster/row_count` and
  `dagster/column_schema` (DuckDB types + contract descriptions). It fails when the built table's
  columns and its contract's columns differ, so documentation cannot drift from the data.
- `contract_checks`: per contract, one blocking multi-check (grain unique over the whole table,
  min/max, not-null, accepted values); bespoke checks stay in Python beside their asset.
"""

from collections.abc import Iterable

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.lib.contracts import (
    VIOLATION_LIMIT,
    Contract,
    ContractError,
    contract_for,
    load_contracts,
)


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


def _column_of(contract: Contract, check_name: str) -> str:
    for suffix in ("_in_range", "_not_null", "_accepted_values"):
        if check_name.endswith(suffix):
            return check_name.removesuffix(suffix)
    raise KeyError(check_name)


def describe_check(contract: Contract, check_name: str) -> str:
    if check_name == "grain_is_unique":
        return f"One row per ({', '.join(contract.grain)}) over the whole table."
    column = contract.column(_column_of(contract, check_name))
    if check_name.endswith("_in_range"):
        low = "-inf" if column.min is None else column.min
        high = "inf" if column.max is None else column.max
        return f"{column.name} within [{low}, {high}]."
    if check_name.endswith("_not_null"):
        return f"{column.name} is never null."
    return f"{column.name} is one of {', '.join(column.values)}."


def contract_check(contract: Contract) -> dg.AssetChecksDefinition | None:
    """The blocking generic checks of one contract, evaluated in one step."""
    queries = contract.violations_sql()
    if not queries:
        return None
    key = table_key(contract.table)
    specs = [
        dg.AssetCheckSpec(
            name, asset=key, blocking=True, description=describe_check(contract, name)
        )
        for name in queries
    ]

    @dg.multi_asset_check(
        specs=specs, name=f"{contract.schema}_{contract.name}_contract", can_subset=True
    )
    def _contract(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        selected = {k.name for k in context.selected_asset_check_keys}
        with warehouse.get().connect() as con:
            for name, sql in queries.items():
                if name not in selected:
                    continue
                cur = con.execute(sql)
                columns = [d[0] for d in cur.description]
                bad = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name=name,
                    passed=not bad,
                    severity=dg.AssetCheckSeverity.ERROR,
                    description=describe_check(contract, name)
                    if not bad
                    else f"{len(bad)}{'+' if len(bad) == VIOLATION_LIMIT else ''} offending "
                    f"rows in {contract.table}, e.g. {bad[0]}",
                    metadata={"failing": len(bad), "examples": str(bad[:10])},
                )

    return _contract


contract_checks = [
    check for c in load_contracts().values() if (check := contract_check(c)) is not None
]
