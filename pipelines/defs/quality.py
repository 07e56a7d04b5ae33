"""Blocking asset checks that run a staged table's GX suite (made from its contract) on it."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.trade.partitions import PARTITION_TAG, RANGE_END_TAG, RANGE_START_TAG
from pipelines.lib import quality
from pipelines.lib.contracts import GREAT_EXPECTATIONS, ContractError, contract_for


def _run_tags(context: dg.AssetCheckExecutionContext) -> dict:
    """The run's tags; none when the check is invoked directly (a test): the whole table."""
    try:
        return context.run.tags
    except dg.DagsterError:  # DagsterInvalidPropertyError is not public
        return {}


def gx_suite_check(
    asset: dg.AssetKey,
    *,
    id_columns: list[str] | None = None,
    by_year: bool = False,
    batch_rows: int = 500_000,
) -> dg.AssetChecksDefinition:
    """`gx_suite` check on `asset`: its contract's column rules as a GX suite, on its rows;
    failures named by `id_columns` (default: the grain).

    `by_year` (a year-partitioned asset): only the years the run wrote are validated, in
    batches of whole years, so the cost follows the run, not the table's history.
    ERROR severity and blocking: a failure stops everything downstream, so nothing is published.
    """
    table = ".".join(asset.path)
    contract = contract_for(table)
    if contract.validator != GREAT_EXPECTATIONS:
        raise ContractError(f"{contract.path}: add `validator: {GREAT_EXPECTATIONS}` for GX")
    spec = quality.suite_spec(contract)
    id_columns = id_columns or list(contract.grain)

    @dg.asset_check(
        asset=asset,
        name="gx_suite",
        blocking=True,
        description=f"Great Expectations suite of the column rules in {table}'s contract: "
        + ", ".join(r.name for r in contract.gx_rules),
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        years = None
        if not by_year:
            result = quality.validate(
                warehouse.get().read_table(table),
                spec,
                id_columns=id_columns,
                batch_rows=batch_rows,
            )
        else:  # read from DuckDB one batch of whole years at a time (a run's years, else all)
            years = run_years(_run_tags(context)) or _all_years(warehouse, table)
            result = quality.validate_batches(
                _year_batches(warehouse, table, years, batch_rows), spec, id_columns=id_columns
            )
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=result.describe(),
            metadata={
                "rows": result.rows,
                "expectations": result.evaluated,
                "years": f"{years[0]}-{years[-1]}" if years else "all",
                "failed": [
                    {
                        "rule": f.rule,
                        "expectation": f.expectation,
                        "column": f.column,
                        "unexpected_count": f.unexpected_count,
                        "examples": str(f.examples[:5]),
                    }
                    for f in result.failures
                ],
            },
        )

    return _check


def year_batches(con, table: str, years: list[int], batch_rows: int) -> list[list[int]]:
    """`years` in consecutive groups of at most `batch_rows` rows of `table` (a bigger year
    alone); always one group at least."""
    counts = dict(
        con.execute(
            f"SELECT year, count(*) FROM {table} WHERE year IN (SELECT unnest(?::INT[])) "
            "GROUP BY year",
            [years],
        ).fetchall()
    )
    groups = quality.pack_groups([(y, counts.get(y, 0)) for y in years], batch_rows)
    return [[y for y, _ in group] for group in groups]


def _all_years(warehouse: WarehouseResource, table: str) -> list[int]:
    with warehouse.get().connect() as con:
        return [
            y for (y,) in con.execute(f"SELECT DISTINCT year FROM {table} ORDER BY 1").fetchall()
        ]


def _year_batches(warehouse: WarehouseResource, table: str, years: list[int], batch_rows: int):
    with warehouse.get().connect() as con:
        groups = year_batches(con, table, years, batch_rows)
    for group in groups:
        with warehouse.get().connect() as con:
            yield con.sql(
                f"SELECT * FROM {table} WHERE year IN (SELECT unnest(?::INT[])) ORDER BY year",
                params=[group],
            ).pl()


def run_years(tags: dict[str, str]) -> list[int] | None:
    """The years a run of year-partitioned assets wrote, from its tags; None when it names no
    partition (then every year of the table is checked)."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return list(range(int(tags[RANGE_START_TAG]), int(tags[RANGE_END_TAG]) + 1))
    if PARTITION_TAG in tags:
        return [int(tags[PARTITION_TAG])]
    return None


def query_rows(
    warehouse: WarehouseResource, sql: str, params: list | None = None, **frames
) -> list[dict]:
    """Rows of a check query as dicts, so a failure can show them; `frames` (seed or reference
    tables) are readable in the query under their names."""
    with warehouse.get().connect() as con:
        for name, frame in frames.items():
            con.register(name, frame)
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def rows_check_result(
    bad: list[dict],
    ok_text: str,
    bad_text: str,
    severity=dg.AssetCheckSeverity.ERROR,
    messages: list[str] | None = None,
) -> dg.AssetCheckResult:
    """A native check's result: passes when the query found no offending rows, else lists them
    (as `messages` in plain words where the check words each row, e.g. "270,000 t -> 27 t")."""
    description = f"{len(bad)} {bad_text}"
    metadata = {"failing": len(bad), "examples": str(bad[:10])}
    if messages is not None:
        description += ": " + "; ".join(messages[:8])
        metadata["figures"] = "\n".join(messages[:200])
    return dg.AssetCheckResult(
        passed=not bad,
        severity=severity,
        description=ok_text if not bad else description,
        metadata=metadata,
    )
