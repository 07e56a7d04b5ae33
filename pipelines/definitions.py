"""The one entry point: everything under `pipelines/defs/` loaded as it is, plus policy.

Policy applied here, and only here: the publish step (downstream of every table's asset key,
so any failed step or blocking check skips it), the exports (each table's sources from the
graph's lineage), the sources' freshness, resources, the progress logger and the executor. No
other module imports this one (a test asserts it).
"""

import warnings
from pathlib import Path

import dagster as dg

from pipelines.defs.resources import default_resources
from pipelines.defs.serving.executors import configured_executor
from pipelines.defs.serving.outputs import exports_asset
from pipelines.defs.serving.progress import progress_logger
from pipelines.defs.serving.publish import published_warehouse_asset
from pipelines.defs.serving.schedules import source_freshness
from pipelines.lib.warehouse import SCHEMAS


def build_definitions() -> dg.Definitions:
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    specs = [spec for a in loaded.assets for spec in a.specs]
    tables = sorted((spec.key for spec in specs), key=lambda k: k.to_user_string())
    publish = published_warehouse_asset([k for k in tables if k.path[0] in SCHEMAS])
    # the exports name each table's sources from this lineage
    upstream = {
        ".".join(spec.key.path): {".".join(d.asset_key.path) for d in spec.deps} for spec in specs
    }
    merged = dg.Definitions.merge(
        loaded,
        dg.Definitions(
            assets=[publish, exports_asset(upstream)],
            resources=default_resources(),
            loggers={"progress": progress_logger},
            executor=configured_executor(),
        ),
    )
    # map_asset_specs is a preview API in 1.13: its warning is noise for every CLI user
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return merged.map_asset_specs(func=source_freshness)


defs = build_definitions()
