"""Blocking asset checks that run a GX suite from `expectations/` on a warehouse table."""

from collections.abc import Callable

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.trade.partitions import PARTITION_TAG, RANGE_END_TAG, RANGE_START_TAG
from pipelines.lib import quality


def gx_suite_check(
    asset: dg.AssetKey,
    *,
    id_columns: list[str],
    parameters: Callable[[WarehouseResource], dict] | None = None,
    by_year: bool = False,
) -> dg.AssetChecksDefinition:
    """`gx_suite` check on `asset`: runs `expectations/<schema>.<table>.json` on its rows.

    `by_year` (a year-partitioned asset): only the years the run wrote are validated, in
    batches of whole years, so the cost follows the run, not the table's history.
    ERROR severity and blocking: a failure stops everything downstream, so nothing is published.
    """
    table = ".".join(asset.path)

    @dg.asset_check(
        asset=asset,
        name="gx_suite",
        blocking=True,
        description=f"Great Expectations suite expectations/{table}.json",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        years = run_years(context.run.tags) if by_year else None
        with warehouse.get().connect() as con:
            if years is None:
                df = con.sql(f"SELECT * FROM {table}").pl()
            else:
                df = con.sql(
                    f"SELECT * FROM {table} WHERE year IN (SELECT unnest(?::INT[])) ORDER BY year",
                    params=[years],
                ).pl()
        result = quality.validate(
            df,
            table,
            id_columns=id_columns,
            parameters=parameters(warehouse) if parameters else None,
            batch_by="year" if by_year else None,
        )
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=result.describe(),
            metadata={
                "rows": result.rows,
                "expectations": result.evaluated,
                "years": "all" if years is None else f"{years[0]}-{years[-1]}",
                "failed": [
                    {
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


def run_years(tags: dict[str, str]) -> list[int] | None:
    """The years a run of year-partitioned assets wrote, from its tags; None when it names no
    partition (then the whole table is checked)."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return list(range(int(tags[RANGE_START_TAG]), int(tags[RANGE_END_TAG]) + 1))
    if PARTITION_TAG in tags:
        return [int(tags[PARTITION_TAG])]
    return None


def known_iso3(warehouse: WarehouseResource) -> dict:
    codes = warehouse.get().read_table("staging.dim_country")["iso3"].to_list()
    return {"iso3_codes": codes}


def query_rows(warehouse: WarehouseResource, sql: str, params: list | None = None) -> list[dict]:
    """Rows of a check query as dicts, so a failure can show them."""
    with warehouse.get().connect() as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def rows_check_result(
    bad: list[dict], ok_text: str, bad_text: str, severity=dg.AssetCheckSeverity.ERROR
) -> dg.AssetCheckResult:
    """A native check's result: passes when the query found no offending rows, else lists them."""
    return dg.AssetCheckResult(
        passed=not bad,
        severity=severity,
        description=ok_text if not bad else f"{len(bad)} {bad_text}",
        metadata={"failing": len(bad), "examples": str(bad[:10])},
    )
