"""The one entry point: every domain's definitions, plus cross-cutting policy.

Domain modules that export a `defs` object are imported as modules (`reference.defs`): Dagster
refuses a second Definitions object at this module's scope.
"""

import warnings

import dagster as dg

from pipelines.defs.marts.assets import mart_assets, staging_sql_assets
from pipelines.defs.marts.checks import mart_checks
from pipelines.defs.production.assets import (
    raw_iea_supply,
    raw_usgs_mcs_production,
    staging_production,
)
from pipelines.defs.production.checks import production_checks
from pipelines.defs.reference import assets as reference
from pipelines.defs.resources import default_resources
from pipelines.defs.risk import assets as risk
from pipelines.defs.serving import outputs as serving_outputs
from pipelines.defs.serving.progress import progress_logger
from pipelines.defs.serving.publish import published_warehouse
from pipelines.defs.serving.schedules import (
    refresh_job,
    schedules,
    sensors,
    source_freshness,
    trade_job,
)
from pipelines.defs.supply import assets as supply
from pipelines.defs.trade import assets as trade


def _with_policy(definitions: dg.Definitions) -> dg.Definitions:
    # map_asset_specs is a preview API in 1.13: its warning is noise for every CLI user
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return definitions.map_asset_specs(func=source_freshness)


defs = _with_policy(
    dg.Definitions.merge(
        reference.defs,
        risk.defs,
        serving_outputs.serving_outputs_defs,
        trade.defs,
        supply.defs,
        dg.Definitions(
            assets=[
                raw_usgs_mcs_production,
                raw_iea_supply,
                staging_production,
                *staging_sql_assets,
                *mart_assets,
                published_warehouse,
            ],
            asset_checks=[*production_checks, *mart_checks],
            jobs=[refresh_job, trade_job],
            schedules=schedules,
            sensors=sensors,
            resources=default_resources(),
            loggers={"progress": progress_logger},
            executor=dg.in_process_executor,
        ),
    )
)
