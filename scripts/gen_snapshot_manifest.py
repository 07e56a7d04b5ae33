"""Pin the bundled snapshot after a reviewed change: data/snapshot/MANIFEST.json (every file's
size and sha256, per source folder) and data/snapshot/expected_series.csv (every production
series those files hold). A refresh refuses a snapshot that differs from them.

    .venv/bin/python scripts/gen_snapshot_manifest.py
"""

from pipelines.lib.inputs import EXPECTED_SERIES, production_series, write_manifest
from pipelines.lib.paths import SNAPSHOT_DIR

if __name__ == "__main__":
    series = production_series(SNAPSHOT_DIR)
    series.write_csv(SNAPSHOT_DIR / EXPECTED_SERIES)
    print(f"{write_manifest(SNAPSHOT_DIR)}; {series.height} series in {EXPECTED_SERIES}")
