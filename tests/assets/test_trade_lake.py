"""The trade partitions in the lake: each year its own file with exactly that year's rows, and the
DuckDB table loaded whole from the lake, so a run of some years leaves the others as they were."""

import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.trade.assets import BACI_HS92, raw_baci_flows
from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib.paths import SNAPSHOT_DIR


def materialize_years(tmp_path, first: int, last: int) -> None:
    resources = {
        "sources": SourcesResource(landing_dir=str(tmp_path / "landing")),
        "warehouse": WarehouseResource(directory=str(tmp_path / "warehouse")),
    }
    result = dg.materialize(
        [raw_baci_flows], resources=resources, tags=year_range_tags(first, last)
    )
    assert result.success


def test_each_lake_year_holds_that_years_rows_and_the_table_all_of_them(tmp_path):
    extract = pl.read_parquet(SNAPSHOT_DIR / BACI_HS92)
    expected = dict(extract.group_by("year").len().iter_rows())
    materialize_years(tmp_path, 2021, 2022)
    materialize_years(tmp_path, 2024, 2024)  # a later run of one year adds it, keeps the rest
    lake = tmp_path / "warehouse" / "lake" / "raw" / "baci_flows"
    for year in (2021, 2022, 2024):
        part = pl.read_parquet(lake / f"year={year}" / "part-0.parquet")
        assert part.height == expected[year], year
        assert part["value_kusd"].sum() == extract.filter(year=year)["value_kusd"].sum()
    assert not (lake / "year=2023").exists()
    con = duckdb.connect(str(tmp_path / "warehouse" / "build" / "minerals.duckdb"), read_only=True)
    by_year = dict(con.execute("SELECT year, count(*) FROM raw.baci_flows GROUP BY 1").fetchall())
    assert by_year == {y: expected[y] for y in (2021, 2022, 2024)}
    columns = [row[0] for row in con.execute("DESCRIBE raw.baci_flows").fetchall()]
    assert columns[: len(extract.columns)] == extract.columns  # the order as delivered
