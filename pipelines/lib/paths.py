"""The one place that knows where the project's files live."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
SNAPSHOT_DIR = PROJECT_ROOT / "data" / "snapshot"
SEEDS_DIR = PROJECT_ROOT / "data" / "seeds"
DEFAULT_LANDING_DIR = PROJECT_ROOT / "data" / "landing"
DEFAULT_WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
CACHE_DIR_SETTING = "MINERALS_CACHE_DIR"  # documented in the settings registry (sources/catalog.py)


def user_cache_dir() -> Path:
    """Where derived files that depend only on the installed packages are kept across
    warehouses (the dashboard's Vega bundle): `$MINERALS_CACHE_DIR`, else the XDG cache
    folder (`~/.cache/critical-minerals-warehouse`)."""
    if os.environ.get(CACHE_DIR_SETTING):
        return Path(os.environ[CACHE_DIR_SETTING])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "critical-minerals-warehouse"
    try:
        return Path.home() / ".cache" / "critical-minerals-warehouse"
    except RuntimeError:  # no HOME and no passwd entry (an arbitrary container UID)
        import tempfile

        return Path(tempfile.gettempdir()) / f"critical-minerals-warehouse-{os.getuid()}"
