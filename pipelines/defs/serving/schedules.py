"""When the warehouse refreshes itself, and how fresh each source is expected to be."""

from datetime import timedelta

import dagster as dg

# USGS publishes the Mineral Commodity Summaries in late January / early February; the IEA
# explorer follows its outlook in May. A year and a month without a new landing is overdue.
ANNUAL_SOURCE_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=400), warn_window=timedelta(days=370)
)

refresh_job = dg.define_asset_job(
    "refresh_job",
    selection=dg.AssetSelection.all(),
    description="Every source, staging table, mart and the atomic publish.",
    # DuckDB has one writer: run the steps one after another in one process.
    executor_def=dg.in_process_executor,
)

usgs_annual_february = dg.ScheduleDefinition(
    name="usgs_annual_february",
    job=refresh_job,
    cron_schedule="0 6 15 2 *",
    execution_timezone="America/New_York",
    description="Full refresh on 15 February, after USGS releases the Mineral Commodity "
    "Summaries (early February). Run with MINERALS_SOURCE=live on the scheduler host.",
)


def source_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Raw (source) assets carry the annual freshness policy; the rest follow their sources."""
    if spec.key.path[0] == "raw":
        return spec.replace_attributes(freshness_policy=ANNUAL_SOURCE_FRESHNESS)
    return spec


schedules = [usgs_annual_february]
