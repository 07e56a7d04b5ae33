"""Every resource, configured from the environment through `dg.EnvVar` where it is set."""

import os
from pathlib import Path

import dagster as dg

from pipelines.lib.paths import DEFAULT_LANDING_DIR, DEFAULT_WAREHOUSE_DIR, SNAPSHOT_DIR
from pipelines.lib.warehouse import Warehouse


class WarehouseResource(dg.ConfigurableResource):
    """Where the DuckDB build and published files live (MINERALS_WAREHOUSE_DIR)."""

    directory: str = str(DEFAULT_WAREHOUSE_DIR)

    def get(self) -> Warehouse:
        return Warehouse(Path(self.directory))


class SourcesResource(dg.ConfigurableResource):
    """Where source files come from: the bundled snapshot (default) or live HTTP downloads."""

    mode: str = "snapshot"  # MINERALS_SOURCE: snapshot | live
    snapshot_dir: str = str(SNAPSHOT_DIR)
    landing_dir: str = str(DEFAULT_LANDING_DIR)  # MINERALS_LANDING_DIR
    usgs_base_url: str = "https://www.sciencebase.gov/catalog/file/get"  # MINERALS_USGS_BASE_URL
    iea_base_url: str = (
        "https://www.iea.org/data-and-statistics/data-tools"  # MINERALS_IEA_BASE_URL
    )
    comtrade_base_url: str = "https://comtradeapi.un.org"  # MINERALS_COMTRADE_BASE_URL
    comtrade_api_key: str | None = None  # COMTRADE_API_KEY: keyed endpoint; else the preview
    baci_release_url: str = (  # MINERALS_BACI_RELEASE_URL
        "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS92_V202501.zip"
    )
    worldbank_base_url: str = "https://api.worldbank.org/v2"  # MINERALS_WORLDBANK_BASE_URL
    timeout_s: float = 60.0

    @property
    def is_live(self) -> bool:
        if self.mode not in ("snapshot", "live"):
            raise ValueError(f"MINERALS_SOURCE must be 'snapshot' or 'live', not {self.mode!r}")
        return self.mode == "live"

    @property
    def snapshot(self) -> Path:
        return Path(self.snapshot_dir)


# Environment variables that configure the resources (README "Configuration" mirrors this).
ENV_SETTINGS = {
    "MINERALS_SOURCE": ("sources", "mode"),
    "MINERALS_LANDING_DIR": ("sources", "landing_dir"),
    "MINERALS_USGS_BASE_URL": ("sources", "usgs_base_url"),
    "MINERALS_IEA_BASE_URL": ("sources", "iea_base_url"),
    "MINERALS_COMTRADE_BASE_URL": ("sources", "comtrade_base_url"),
    "COMTRADE_API_KEY": ("sources", "comtrade_api_key"),
    "MINERALS_BACI_RELEASE_URL": ("sources", "baci_release_url"),
    "MINERALS_WORLDBANK_BASE_URL": ("sources", "worldbank_base_url"),
    "MINERALS_WAREHOUSE_DIR": ("warehouse", "directory"),
}


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources with defaults, each field taken from its EnvVar when that variable is set.

    Only the variables' names are read here; Dagster resolves their values at run time.
    """
    fields: dict[str, dict] = {"sources": {}, "warehouse": {}}
    for env, (resource, field) in ENV_SETTINGS.items():
        if env in os.environ:
            fields[resource][field] = dg.EnvVar(env)
    return {
        "sources": SourcesResource(**fields["sources"]),
        "warehouse": WarehouseResource(**fields["warehouse"]),
    }
