"""The lake on an object store: s3fs against an S3 API on loopback (tests/support/s3.py), the
way a deployment's steps on several machines share it."""

import polars as pl
import pytest
import s3fs

from pipelines.lib.lake import Lake
from pipelines.lib.warehouse import Warehouse
from tests.support.s3 import s3_server


@pytest.fixture(scope="module")
def bucket():
    with s3_server() as (_, name):
        yield name


def test_an_s3_lake_writes_objects_and_the_build_loads_them(tmp_path, bucket):
    wh = Warehouse(tmp_path, lake_url=f"s3://{bucket}/{tmp_path.name}")
    assert not wh.lake.is_local
    wh.lake.write_year("raw.flows", 2024, pl.DataFrame({"year": [2024], "value_usd": [3.0]}))
    wh.lake.write_year("raw.flows", 2023, pl.DataFrame({"year": [2023], "value_usd": [9.0]}))
    store = s3fs.S3FileSystem(skip_instance_cache=True)  # what another machine would see
    assert sorted(store.ls(f"{bucket}/{tmp_path.name}/raw/flows")) == [
        f"{bucket}/{tmp_path.name}/raw/flows/year={y}" for y in (2023, 2024)
    ]
    with wh.connect() as con:
        assert wh.lake.load_table(con, "raw.flows", ["year", "value_usd"]) == 2
        got = con.execute("SELECT year, value_usd FROM raw.flows ORDER BY 1").fetchall()
    assert got == [(2023, 9.0), (2024, 3.0)]
    assert not (tmp_path / "lake").exists()  # nothing went to the local folder


def test_years_another_machine_wrote_or_replaced_are_seen_at_once(tmp_path, bucket):
    url = f"s3://{bucket}/{tmp_path.name}"
    lake = Lake(url)
    lake.write_year("raw.flows", 2022, pl.DataFrame({"year": [2022]}))
    assert lake.years("raw.flows") == [2022]  # listed: a listings cache would now hold it
    other = Lake(url)
    other.fs = s3fs.S3FileSystem(skip_instance_cache=True)  # another process, its own client
    other.write_year("raw.flows", 2023, pl.DataFrame({"year": [2023]}))
    replaced = pl.DataFrame({"year": [2022] * 1000, "value_usd": [float(i) for i in range(1000)]})
    other.write_year("raw.flows", 2022, replaced)
    assert lake.years("raw.flows") == [2022, 2023]
    # with s3fs's listings cache the old size and ETag were kept: FileExpired on this read
    assert lake.read_year("raw.flows", 2022).equals(replaced)
