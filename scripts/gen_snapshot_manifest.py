"""Pin the bundled snapshot after a reviewed change: data/snapshot/MANIFEST.json (every file's
size and sha256, per source folder) and data/snapshot/expected_series.csv (every production
series those files hold). A refresh refuses a snapshot that differs from them.

    .venv/bin/python scripts/gen_snapshot_manifest.py
"""

from pathlib import Path

import polars as pl

from pipelines.lib.inputs import EXPECTED_SERIES, SERIES_KEY, write_manifest
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.transforms import countries, iea, production, usgs


def production_series(snapshot_dir: Path) -> pl.DataFrame:
    """Every (source, edition, commodity, stage, year) series the bundled files hold: committed
    as expected_series.csv, and a refresh must find every one of them again."""
    snapshot_dir = Path(snapshot_dir)
    reference = countries.load_reference(
        snapshot_dir / "reference/country_codes_datahub/country-codes.csv"
    )
    lookup = countries.build_lookup(reference, load_seed("country_aliases"))
    usgs_rows = production.conform_usgs(
        usgs.read_usgs_files(usgs.snapshot_files(snapshot_dir / "usgs_mcs")),
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_series_rules"),
        units=units(),
        country_lookup=lookup,
    )
    raw_iea = pl.concat(
        [
            iea.read_workbook(snapshot_dir / "iea/CM_Data_Explorer_May2024.xlsx"),
            iea.read_json_2025(snapshot_dir / "iea/iea_cm_data_explorer_2025ed_derived.json"),
        ]
    )
    iea_rows = production.conform_iea(raw_iea, country_lookup=lookup)
    return (
        pl.concat([usgs_rows.select(SERIES_KEY), iea_rows.select(SERIES_KEY)])
        .unique()
        .sort(SERIES_KEY)
    )


if __name__ == "__main__":
    series = production_series(SNAPSHOT_DIR)
    series.write_csv(SNAPSHOT_DIR / EXPECTED_SERIES)
    print(f"{write_manifest(SNAPSHOT_DIR)}; {series.height} series in {EXPECTED_SERIES}")
