"""Every resource, configured from the environment through `dg.EnvVar` where it is set."""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import dagster as dg

from pipelines.defs.serving.executors import executor_name
from pipelines.lib import settings
from pipelines.lib.paths import DEFAULT_LANDING_DIR, DEFAULT_WAREHOUSE_DIR, SNAPSHOT_DIR
from pipelines.lib.sources.catalog import DEFAULT_INBOX_DIR
from pipelines.lib.sources.http import RetryPolicy
from pipelines.lib.warehouse import Warehouse


def _default(field: str) -> str:
    return next(s.default for s in settings.all_settings() if s.field == field)


class WarehouseResource(dg.ConfigurableResource):
    """Where the DuckDB build and published files live (MINERALS_WAREHOUSE_DIR), and the lake of
    the trade partitions (MINERALS_LAKE_URL, default `<directory>/lake`)."""

    directory: str = str(DEFAULT_WAREHOUSE_DIR)
    lake_url: str | None = None
    # Keep the build open (and locked) while the resource is in use: a whole in-process run,
    # or one step in a step's own process. Each `connect` then costs about 1 ms instead of
    # 15-30 ms of opening the file, reading its catalogue and checkpointing on close (a
    # snapshot refresh opens it about 280 times). Off with the multiprocess and Celery
    # executors, whose steps must take turns per connection, not per step.
    hold_build_open: bool = True
    duckdb_memory_limit: str | None = None

    def get(self) -> Warehouse:
        return Warehouse(
            Path(self.directory), lake_url=self.lake_url, memory_limit=self.duckdb_memory_limit
        )

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseResource"]:
        # held: the run's own connects nest in this one, sharing its lock and DuckDB instance
        with self.get().connect() if self.hold_build_open else nullcontext():
            yield self


class SourcesResource(dg.ConfigurableResource):
    """Where source files come from: the bundled snapshot (default) or live HTTP downloads.

    Defaults and environment variables come from the settings (`pipelines/lib/settings.py`).
    """

    mode: str = _default("mode")  # MINERALS_SOURCE: snapshot | live
    snapshot_dir: str = str(SNAPSHOT_DIR)
    landing_dir: str = str(DEFAULT_LANDING_DIR)  # MINERALS_LANDING_DIR
    inbox_dir: str = str(DEFAULT_INBOX_DIR)  # MINERALS_INBOX_DIR: files that need a login (IEA)
    usgs_base_url: str = _default("usgs_base_url")  # MINERALS_USGS_BASE_URL (ScienceBase)
    comtrade_base_url: str = _default("comtrade_base_url")  # MINERALS_COMTRADE_BASE_URL
    comtrade_api_key: str | None = None  # COMTRADE_API_KEY: keyed endpoint; else the preview
    baci_release_url: str = _default("baci_release_url")  # MINERALS_BACI_RELEASE_URL
    worldbank_base_url: str = _default("worldbank_base_url")  # MINERALS_WORLDBANK_BASE_URL
    # partner-side monthly customs sources (pipelines/lib/sources/{hmrc,comext,uscensus,estat}.py)
    hmrc_base_url: str = _default("hmrc_base_url")  # MINERALS_HMRC_BASE_URL
    eurostat_base_url: str = _default("eurostat_base_url")  # MINERALS_EUROSTAT_BASE_URL
    census_base_url: str = _default("census_base_url")  # MINERALS_CENSUS_BASE_URL
    census_api_key: str | None = None  # CENSUS_API_KEY: optional (500 queries a day without)
    estat_base_url: str = _default("estat_base_url")  # MINERALS_ESTAT_BASE_URL
    estat_app_id: str | None = None  # ESTAT_APP_ID: Japan is skipped without it
    ecb_base_url: str = _default("ecb_base_url")  # MINERALS_ECB_BASE_URL
    # MINERALS_MONTHLY_SHRINK_THRESHOLD: a share, 0.5 = a month that loses half its value is held
    monthly_shrink_threshold: str = _default("monthly_shrink_threshold")
    timeout_s: float = 60.0
    # MINERALS_<SOURCE>_DEADLINE_S: one download or API call, every retry and wait included
    usgs_deadline_s: str = _default("usgs_deadline_s")
    baci_deadline_s: str = _default("baci_deadline_s")
    comtrade_deadline_s: str = _default("comtrade_deadline_s")
    worldbank_deadline_s: str = _default("worldbank_deadline_s")
    monthly_deadline_s: str = _default("monthly_deadline_s")  # HMRC, Eurostat, Census, e-Stat, ECB
    landing_keep: str = _default("landing_keep")  # MINERALS_LANDING_KEEP

    @property
    def is_live(self) -> bool:
        if self.mode not in ("snapshot", "live"):
            raise ValueError(f"MINERALS_SOURCE must be 'snapshot' or 'live', not {self.mode!r}")
        return self.mode == "live"

    @property
    def snapshot(self) -> Path:
        return Path(self.snapshot_dir)

    def policy(self, deadline_s: str) -> RetryPolicy:
        """The retry policy of a source's downloads, e.g. `policy(self.baci_deadline_s)`."""
        return RetryPolicy(timeout_s=self.timeout_s, deadline_s=float(deadline_s))


# Environment variables that configure the resources, from the settings.
ENV_SETTINGS = {s.env: (s.resource, s.field) for s in settings.all_settings()}


def resource_fields() -> dict[str, dict]:
    """Each resource's fields as the definitions set them: a field whose variable is set is
    that `dg.EnvVar` (only the variable's name is read here; Dagster resolves its value at run
    time), the others keep their defaults."""
    fields: dict[str, dict] = {"sources": {}, "warehouse": {}}
    for env, (resource, field) in ENV_SETTINGS.items():
        if settings.is_set(env) and resource in fields:  # "run" settings: the executor's
            fields[resource][field] = dg.EnvVar(env)
    fields["warehouse"]["hold_build_open"] = executor_name() == "in_process"
    return fields


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources with defaults, each field taken from its EnvVar when that variable is set."""
    fields = resource_fields()
    return {
        "sources": SourcesResource(**fields["sources"]),
        "warehouse": WarehouseResource(**fields["warehouse"]),
    }


def resources_run_config(overrides: dict[str, dict]) -> dict:
    """The run config of every resource, for a caller that decides some fields itself (the
    CLI's `--live`, its warehouse folder): `overrides` ({"sources": {"mode": "live"}}) on top
    of every field the definitions set. Whole, because a resource's run config replaces its
    definition's fields rather than adding to them; a variable goes by name (`{"env": ...}`),
    so a key stays out of the run's stored config."""
    out = {}
    for name, fields in resource_fields().items():
        config = {
            k: {"env": v.env_var_name} if isinstance(v, dg.EnvVar) else v for k, v in fields.items()
        }
        out[name] = {"config": {**config, **overrides.get(name, {})}}
    return out
