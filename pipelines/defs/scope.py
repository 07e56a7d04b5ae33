"""The data side of the scope model (issue 26): a table whose contract names a series key in its
`scope` section gets a blocking check that no series mixes two scopes (two unit bases, units or
bases among the dimensions read from rows). The lineage side is a test over the parsed SQL
(`pipelines.lib.scope`, tests/unit/test_scope.py)."""

import dagster as dg

from pipelines.defs.quality import query_rows, rows_check_result
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import table_key
from pipelines.lib.contracts import Contract, load_contracts, scope_violations_sql


def scope_check(contract: Contract) -> dg.AssetChecksDefinition | None:
    queries = scope_violations_sql(contract)
    if not queries:
        return None
    ((name, sql),) = queries.items()
    series = ", ".join(contract.scope.series)

    @dg.asset_check(
        asset=table_key(contract.table),
        name=name,
        blocking=True,
        description=f"One scope per series ({series}): no series of {contract.table} mixes "
        "two unit bases, units or bases (its contract's scope section).",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        bad = query_rows(warehouse, sql)
        return rows_check_result(bad, "one scope per series", "series mixing two scopes")

    return _check


scope_checks = [check for c in load_contracts().values() if (check := scope_check(c)) is not None]
