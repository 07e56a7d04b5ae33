"""BACI trade is partitioned by year: CEPII ships one CSV per year, so a backfill or a
correction of some years rewrites only their rows.

Every partitioned trade asset uses a single-run backfill policy: a range of years runs in one
process (DuckDB has one writer) and each asset deletes and re-inserts the rows of exactly the
years it was given. `make run` and the schedules run the whole range.
"""

import dagster as dg

BACI_FIRST_YEAR = 1995
# Newest year of the bundled BACI data. CEPII adds year Y in its release of early Y+2: extend
# this when a live refresh brings a new year.
BACI_LAST_YEAR = 2024

baci_years = dg.StaticPartitionsDefinition(
    [str(year) for year in range(BACI_FIRST_YEAR, BACI_LAST_YEAR + 1)]
)
single_run = dg.BackfillPolicy.single_run()

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"  # a run of one partition


def year_range_tags(first: int = BACI_FIRST_YEAR, last: int = BACI_LAST_YEAR) -> dict[str, str]:
    """Run tags that make one run cover the years first..last of every partitioned asset."""
    if not BACI_FIRST_YEAR <= first <= last <= BACI_LAST_YEAR:
        raise ValueError(
            f"years must lie within {BACI_FIRST_YEAR}-{BACI_LAST_YEAR}, not {first}-{last}"
        )
    return {RANGE_START_TAG: str(first), RANGE_END_TAG: str(last)}


def partition_years(context: dg.AssetExecutionContext) -> list[int]:
    return [int(key) for key in context.partition_keys]
