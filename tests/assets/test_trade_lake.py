"""The trade partitions in the lake: each year its own file with exactly that year's rows, and the
DuckDB table loaded whole from the lake, so a run of some years leaves the others as they were; in
a local folder and on an object store (S3 on loopback, tests/support/s3.py)."""

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.trade.assets import BACI_HS92, raw_baci_flows
from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib.lake import Lake
from pipelines.lib.paths import SNAPSHOT_DIR
from tests.support.s3 import s3_server


@pytest.fixture(params=["local", "s3"])
def lake_url(request, tmp_path):
    if request.param == "local":
        yield str(tmp_path / "warehouse" / "lake")
    else:
        with s3_server() as (_, bucket):
            yield f"s3://{bucket}/lake"


def materialize_years(tmp_path, lake_url: str, first: int, last: int) -> None:
    resources = {
        "sources": SourcesResource(landing_dir=str(tmp_path / "landing")),
        "warehouse": WarehouseResource(directory=str(tmp_path / "warehouse"), lake_url=lake_url),
    }
    result = dg.materialize(
        [raw_baci_flows], resources=resources, tags=year_range_tags(first, last)
    )
    assert result.success


def test_each_lake_year_holds_that_years_rows_and_the_table_all_of_them(tmp_path, lake_url):
    extract = pl.read_parquet(SNAPSHOT_DIR / BACI_HS92)
    expected = dict(extract.group_by("year").len().iter_rows())
    materialize_years(tmp_path, lake_url, 2021, 2022)
    materialize_years(tmp_path, lake_url, 2024, 2024)  # a later run adds a year, keeps the rest
    lake = Lake(lake_url)
    assert lake.years("raw.baci_flows") == [2021, 2022, 2024]
    for year in (2021, 2022, 2024):
        part = lake.read_year("raw.baci_flows", year)
        assert part.height == expected[year], year
        assert part["value_kusd"].sum() == extract.filter(year=year)["value_kusd"].sum()
    if not lake.is_local:  # an object-store lake leaves nothing in the local folder
        assert not (tmp_path / "warehouse" / "lake").exists()
    con = duckdb.connect(str(tmp_path / "warehouse" / "build" / "minerals.duckdb"), read_only=True)
    by_year = dict(con.execute("SELECT year, count(*) FROM raw.baci_flows GROUP BY 1").fetchall())
    assert by_year == {y: expected[y] for y in (2021, 2022, 2024)}
    columns = [row[0] for row in con.execute("DESCRIBE raw.baci_flows").fetchall()]
    assert columns[: len(extract.columns)] == extract.columns  # the order as delivered
