"""When the warehouse refreshes itself, and how fresh each source is expected to be.

The schedules and the sensor start RUNNING when MINERALS_SOURCE=live (a scheduler host that
downloads the real releases) and STOPPED otherwise: on the bundled snapshot a scheduled refresh
would only rebuild the same figures. Turn one on by hand in the UI (Automation) or with
`dagster schedule start usgs_annual_february -w workspace.yaml`.
"""

from datetime import timedelta

import dagster as dg

from pipelines.defs.serving.executors import configured_executor
from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib import settings
from pipelines.lib.sources.catalog import freshness_days

ALERTS_KEY = dg.AssetKey(["marts", "alerts"])


def default_status() -> dg.DefaultScheduleStatus:
    """RUNNING on a live deployment, STOPPED on the bundled snapshot (read when defs load)."""
    live = settings.read("MINERALS_SOURCE") == "live"
    return dg.DefaultScheduleStatus.RUNNING if live else dg.DefaultScheduleStatus.STOPPED


refresh_job = dg.define_asset_job(
    "refresh_job",
    selection=dg.AssetSelection.all(),
    description="Every source, staging table, mart and the atomic publish.",
    executor_def=configured_executor(),  # MINERALS_EXECUTOR
)


@dg.schedule(
    name="usgs_annual_february",
    job=refresh_job,
    cron_schedule="0 6 15 2 *",
    execution_timezone="America/New_York",
    default_status=default_status(),
    description="Full refresh on 15 February, after USGS releases the Mineral Commodity "
    "Summaries (early February). Run with MINERALS_SOURCE=live on the scheduler host.",
)
def usgs_annual_february(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    # trade assets are partitioned by year: every year in one run (system tags, so set here)
    return dg.RunRequest(tags=year_range_tags())


trade_job = dg.define_asset_job(
    "trade_job",
    selection=dg.AssetSelection.groups("trade").downstream().required_multi_asset_neighbors(),
    description="Trade sources (BACI, Comtrade) and everything built from them, then publish.",
    executor_def=configured_executor(),
)


@dg.schedule(
    name="trade_monthly",
    job=trade_job,
    cron_schedule="0 5 2 * *",
    execution_timezone="UTC",
    default_status=default_status(),
    description="Monthly trade refresh on the 2nd at 05:00 UTC: picks up a new BACI release "
    "(CEPII publishes yearly, usually in January) and the Comtrade declarations of the past "
    "month. An unchanged BACI zip is not landed again (same sha256).",
)
def trade_monthly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(tags=year_range_tags())


@dg.sensor(
    name="new_alerts_sensor",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus(default_status().value),
    description="After each refresh, reports the alerts it saw first (marts.alerts) in plain "
    "words in the sensor's tick log; it starts no run.",
)
def new_alerts_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    event = context.instance.get_latest_materialization_event(ALERTS_KEY)
    if event is None or event.run_id == context.cursor:
        return dg.SkipReason("no refresh since the last report")
    context.update_cursor(event.run_id)
    metadata = event.asset_materialization.metadata
    count = metadata["new_alerts"].value if "new_alerts" in metadata else 0
    latest = metadata["latest_new"].value if "latest_new" in metadata else ""
    context.log.info(f"{count} new alert(s) in run {event.run_id}:\n{latest}")
    return dg.SkipReason(f"{count} new alert(s): {latest[:900]}")


def source_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Raw (source) assets carry their source's freshness window from the source registry."""
    days = freshness_days(".".join(spec.key.path)) if spec.key.path[0] == "raw" else None
    if days is None:
        return spec
    warn, fail = days
    policy = dg.FreshnessPolicy.time_window(
        fail_window=timedelta(days=fail), warn_window=timedelta(days=warn)
    )
    return spec.replace_attributes(freshness_policy=policy)


schedules = [usgs_annual_february, trade_monthly]
sensors = [new_alerts_sensor]
