"""The whole graph on the bundled snapshot, built once per test session into a temp folder."""

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.defs.trade.partitions import year_range_tags


def everything():
    return [*defs.assets, *defs.asset_checks]


def refresh(tmp, **sources):
    """The whole graph in process, every output under `tmp`."""
    from pipelines.defs.resources import SourcesResource, WarehouseResource

    resources = {
        "sources": SourcesResource(landing_dir=str(tmp / "landing"), **sources),
        "warehouse": WarehouseResource(directory=str(tmp / "warehouse")),
    }
    return dg.materialize(
        everything(),
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        tags=year_range_tags(),  # trade assets are partitioned by year: every year, one run
    )


@pytest.fixture(scope="session")
def published(tmp_path_factory):
    """(read-only connection to the published file, check evaluations, temp folder)."""

    tmp = tmp_path_factory.mktemp("e2e")
    # a table a removed model left in the persistent build: it must not be published
    from pipelines.lib.warehouse import Warehouse

    with Warehouse(tmp / "warehouse").connect() as con:
        con.execute("CREATE TABLE staging.production_series AS SELECT 1 AS leftover")
    result = refresh(tmp)
    checks = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }
    assert result.success, [str(e.description) for e in checks.values() if not e.passed]
    con = duckdb.connect(str(tmp / "warehouse" / "minerals.duckdb"), read_only=True)
    yield con, checks, tmp
    con.close()
