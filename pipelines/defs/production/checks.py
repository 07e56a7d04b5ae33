"""Checks on staging.production: the GX contract suite and native invariants."""

import dagster as dg

from pipelines.defs.quality import gx_suite_check, known_iso3, query_rows, rows_check_result
from pipelines.defs.resources import WarehouseResource

PRODUCTION = dg.AssetKey(["staging", "production"])

production_suite = gx_suite_check(
    PRODUCTION, id_columns=["source_file", "source_row"], parameters=known_iso3
)


@dg.asset_check(
    asset=PRODUCTION,
    blocking=True,
    description="A value reported as a number (or as none, 0) has an amount; a "
    "withheld or missing value never has one.",
)
def amount_matches_flag(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(
        warehouse,
        """
        SELECT source_file, source_row, country, year, value_flag, value_raw, amount
        FROM staging.production
        WHERE (value_flag IN ('reported', 'estimated', 'none')) <> (amount IS NOT NULL)
        LIMIT 20""",
    )
    return rows_check_result(bad, "consistent", "rows whose amount contradicts their flag")
