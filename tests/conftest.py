import os

import pytest

from pipelines.defs.resources import SourcesResource, WarehouseResource
from tests.support.snapshot import PublishedSnapshot, refresh

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# The slow kinds of module first (whole-graph builds in other processes, the Celery backfill):
# with `--no-loadscope-reorder` (make test) xdist hands out modules in this order, so the longest
# start at once and the many short ones fill in around them, and both workers finish together.
# xdist's own default orders modules by their number of tests, which left the one-test Celery
# module (about 2 minutes) to start last.
SLOW_FIRST = ("distributed", "e2e", "faults", "browser")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        marks = {m.name for m in item.iter_markers()}
        return min(
            (i for i, name in enumerate(SLOW_FIRST) if name in marks), default=len(SLOW_FIRST)
        )

    items.sort(key=rank)  # stable: a module's tests stay together and in their order


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory):
    """The per-user cache (the dashboard's Vega bundle) in one folder for the whole session,
    shared by the xdist workers (their base temp folders' parent), not in the tester's home."""
    session_root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # .../pytest-N/popen-gw0: share .../pytest-N
        session_root = session_root.parent
    os.environ["MINERALS_CACHE_DIR"] = str(session_root / "user_cache")


@pytest.fixture
def resources(tmp_path):
    """Resources pointing every output at tmp_path: tests never write into the working tree."""
    return {
        "sources": SourcesResource(landing_dir=str(tmp_path / "landing")),
        "warehouse": WarehouseResource(directory=str(tmp_path / "warehouse")),
    }


@pytest.fixture(scope="session")
def published_snapshot(tmp_path_factory) -> PublishedSnapshot:
    """The whole graph built ONCE per session on the bundled snapshot, published.

    Building it costs several seconds: any test that needs a real warehouse, the run's result or
    its check evaluations uses this fixture rather than materializing the graph again. It is
    shared, so it is read-only: open the files read-only, and a test that writes (a refresh into
    the same folder, a materialize, a kill mid-build) works on `published_snapshot.copy_to(
    tmp_path)`. The files are hashed at the end of the session: a test that wrote fails there.
    """
    root = tmp_path_factory.mktemp("published_snapshot")
    # a table a removed model left in the persistent build: it must not be published
    from pipelines.lib.warehouse import Warehouse

    with Warehouse(root / "warehouse").connect() as con:
        con.execute("CREATE TABLE staging.production_series AS SELECT 1 AS leftover")
    result = refresh(root)
    checks = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }
    assert result.success, [str(e.description) for e in checks.values() if not e.passed]
    snapshot = PublishedSnapshot(root, result, checks)
    before = snapshot.digests()
    yield snapshot
    assert snapshot.digests() == before, "a test wrote into published_snapshot: use copy_to()"
