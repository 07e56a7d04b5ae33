"""Settings: every environment variable the project reads, and the one place that reads them.

`GENERAL_SETTINGS` are the project's own (source mode, folders, executor, caches, Dagster's
home); each source of the registry (`pipelines/lib/sources/catalog.py`) adds its own (base URLs,
API key). `all_settings()` is the list `.env.example` and docs/operations.md's configuration table
follow (a test keeps them in step). Code reads a value with `read(ENV)` or one of the typed
helpers below, never `os.environ` itself; Dagster's resources bind the same variables with
`dg.EnvVar` (`pipelines/defs/resources.py`), and the CLI passes what it decides (`--live`, the
warehouse folder, the instance) to Dagster as run configuration, never by editing the
environment.
"""

import os
import tempfile
from pathlib import Path

from pipelines.lib.paths import DEFAULT_LANDING_DIR, DEFAULT_WAREHOUSE_DIR, PROJECT_ROOT
from pipelines.lib.sources.catalog import SOURCES, Setting

# The project's own Dagster instance (run history the UI shows; telemetry off)
PROJECT_DAGSTER_HOME = PROJECT_ROOT / ".dagster"

GENERAL_SETTINGS = (
    Setting(
        "MINERALS_SOURCE",
        "mode",
        "snapshot",
        "`snapshot` reads `data/snapshot/`; `live` "
        "gets the current releases first (each source below says how)",
    ),
    Setting(
        "MINERALS_LANDING_DIR",
        "landing_dir",
        str(DEFAULT_LANDING_DIR.relative_to(PROJECT_ROOT)),
        "where live downloads land, `<source>/<date>/<sha>/<file>` + `index.jsonl`, immutable",
    ),
    Setting(
        "MINERALS_LANDING_KEEP",
        "landing_keep",
        "3",
        "landed versions kept per file after each publish: the last N, plus every version the "
        "published warehouse was built from; older ones are deleted with their index entries",
    ),
    Setting(
        "MINERALS_WAREHOUSE_DIR",
        "directory",
        str(DEFAULT_WAREHOUSE_DIR.relative_to(PROJECT_ROOT)),
        "where `minerals.duckdb` (published) and `build/` live",
        resource="warehouse",
    ),
    Setting(
        "MINERALS_LAKE_URL",
        "lake_url",
        None,
        "the year-partitioned Parquet of the trade partitions: a folder (default "
        "`<MINERALS_WAREHOUSE_DIR>/lake`) or an object-store URL through fsspec (`s3://bucket/"
        "lake` through s3fs; credentials and endpoint from the standard `AWS_*` settings)",
        resource="warehouse",
    ),
    Setting(
        "MINERALS_DUCKDB_MEMORY_LIMIT",
        "duckdb_memory_limit",
        None,
        "DuckDB's memory limit for the build (e.g. `512MB`; unset: DuckDB's own, 80% of RAM): "
        "a container's bound; bigger queries spill to disk",
        resource="warehouse",
    ),
    Setting(
        "MINERALS_MONTHLY_SHRINK_THRESHOLD",
        "monthly_shrink_threshold",
        "0.5",
        "a published month of a monthly customs source whose total value falls by more than "
        "this share in a new landing, or that vanishes, is held (the published rows stay) and "
        "warned about (`meta.monthly_revisions`)",
    ),
    Setting(
        "MINERALS_MONTHLY_DEADLINE_S",
        "monthly_deadline_s",
        "600",
        "seconds one download or API call of a monthly customs source (HMRC, Eurostat, US "
        "Census, e-Stat) or of the ECB's exchange rates may take, retries included, before the "
        "refresh fails saying so",
    ),
    Setting(
        "MINERALS_EXECUTOR",
        "executor",
        "in_process",
        "how a run's steps execute: `in_process`, `multiprocess` (this machine's cores) or "
        "`celery` (workers on other machines; `deploy/`)",
        resource="run",
    ),
    Setting(
        "MINERALS_CELERY_BROKER",
        "broker",
        "redis://localhost:6379/0",
        "the Celery broker when MINERALS_EXECUTOR=celery",
        resource="run",
    ),
    Setting(
        "MINERALS_CELERY_BACKEND",
        "backend",
        "redis://localhost:6379/0",
        "the Celery result backend when MINERALS_EXECUTOR=celery",
        resource="run",
    ),
    Setting(
        "MINERALS_WRITER_WAIT_S",
        "writer_wait_s",
        "3600",
        "how long a run Dagster launched (schedule, sensor, backfill, UI) waits for another "
        "refresh writing the warehouse before it fails saying so; `minerals refresh` refuses "
        "at once instead",
        resource="run",
    ),
    Setting(
        "MINERALS_CACHE_DIR",
        "cache_dir",
        None,
        "files derived from the installed packages alone, kept across warehouses (the "
        "dashboard's Vega bundle); unset: `$XDG_CACHE_HOME/critical-minerals-warehouse`, "
        "else `~/.cache/critical-minerals-warehouse`",
        resource="process",
    ),
    Setting(
        "DAGSTER_HOME",
        "dagster_home",
        None,
        "Dagster's instance (run history, schedules); unset: the project's `.dagster` (the "
        "project's `.venv` defaults it there too, so `dg` and `dagster` typed by hand use it)",
        resource="process",
    ),
)


def all_settings() -> tuple[Setting, ...]:
    """Every environment variable, general ones first, then each source's."""
    return GENERAL_SETTINGS + tuple(s for src in SOURCES.values() for s in src.settings)


def setting(env: str) -> Setting:
    for s in all_settings():
        if s.env == env:
            return s
    raise KeyError(f"{env} is not a setting (pipelines/lib/settings.py lists them)")


def is_set(env: str) -> bool:
    """Whether the variable is set to something (an empty value counts as unset)."""
    return bool(os.environ.get(setting(env).env))


def read(env: str) -> str | None:
    """The variable's value, or its registered default."""
    return os.environ.get(env) or setting(env).default


def source_mode() -> str:
    """MINERALS_SOURCE: `snapshot` or `live`."""
    mode = read("MINERALS_SOURCE")
    if mode not in ("snapshot", "live"):
        raise ValueError(f"MINERALS_SOURCE must be 'snapshot' or 'live', not {mode!r}")
    return mode


def warehouse_dir() -> Path:
    """MINERALS_WAREHOUSE_DIR: where `minerals.duckdb` is published."""
    value = os.environ.get("MINERALS_WAREHOUSE_DIR")
    return Path(value) if value else DEFAULT_WAREHOUSE_DIR


def landing_dir() -> Path:
    """MINERALS_LANDING_DIR: where live downloads land."""
    value = os.environ.get("MINERALS_LANDING_DIR")
    return Path(value) if value else DEFAULT_LANDING_DIR


def executor() -> str:
    """MINERALS_EXECUTOR: `in_process`, `multiprocess` or `celery`."""
    return read("MINERALS_EXECUTOR")


def dagster_home() -> Path | None:
    """DAGSTER_HOME, else the project's `.dagster` when it has its `dagster.yaml`; None (a
    throwaway instance) for an installed package without one."""
    if is_set("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"])
    return PROJECT_DAGSTER_HOME if (PROJECT_DAGSTER_HOME / "dagster.yaml").exists() else None


def cache_dir() -> Path:
    """Where derived files that depend only on the installed packages are kept across
    warehouses (the dashboard's Vega bundle): `$MINERALS_CACHE_DIR`, else the XDG cache
    folder (`~/.cache/critical-minerals-warehouse`)."""
    if is_set("MINERALS_CACHE_DIR"):
        return Path(os.environ["MINERALS_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "critical-minerals-warehouse"
    try:
        return Path.home() / ".cache" / "critical-minerals-warehouse"
    except RuntimeError:  # no HOME and no passwd entry (an arbitrary container UID)
        return Path(tempfile.gettempdir()) / f"critical-minerals-warehouse-{os.getuid()}"
