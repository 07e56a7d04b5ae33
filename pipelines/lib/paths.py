"""The one place that knows where the project's files live."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
SNAPSHOT_DIR = PROJECT_ROOT / "data" / "snapshot"
SEEDS_DIR = PROJECT_ROOT / "data" / "seeds"
DEFAULT_LANDING_DIR = PROJECT_ROOT / "data" / "landing"
DEFAULT_WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
