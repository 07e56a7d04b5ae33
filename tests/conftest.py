import fcntl
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.resources import SourcesResource, WarehouseResource
from tests.support.snapshot import PublishedSnapshot, refresh

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# The slow kinds of module first (whole-graph builds in other processes, the Celery backfill):
# with `--no-loadscope-reorder` (make test) xdist hands out modules in this order, so the longest
# start at once and the many short ones fill in around them, and both workers finish together.
# xdist's own default orders modules by their number of tests, which left the one-test Celery
# module (about 2 minutes) to start last.
SLOW_FIRST = ("soak", "distributed", "e2e", "faults", "browser")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        marks = {m.name for m in item.iter_markers()}
        return min(
            (i for i, name in enumerate(SLOW_FIRST) if name in marks), default=len(SLOW_FIRST)
        )

    items.sort(key=rank)  # stable: a module's tests stay together and in their order


def _session_root(tmp_path_factory) -> Path:
    """A folder of this test session shared by its xdist workers (their base temp folders'
    parent, .../pytest-N), or the base temp folder itself without xdist."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory):
    """The per-user cache (the dashboard's Vega bundle) in one folder for the whole session,
    shared by the xdist workers, not in the tester's home."""
    os.environ["MINERALS_CACHE_DIR"] = str(_session_root(tmp_path_factory) / "user_cache")


@pytest.fixture
def resources(tmp_path):
    """Resources pointing every output at tmp_path: tests never write into the working tree."""
    return {
        "sources": SourcesResource(landing_dir=str(tmp_path / "landing")),
        "warehouse": WarehouseResource(directory=str(tmp_path / "warehouse")),
    }


CHECKS_FILE = "check_evaluations.json"  # the session build's check evaluations, Dagster-serialized


def _build_published_snapshot(root: Path) -> None:
    """The whole graph into `root`, its check evaluations saved beside it (`CHECKS_FILE`)."""
    from pipelines.lib.warehouse import Warehouse

    shutil.rmtree(root, ignore_errors=True)  # what a worker whose build failed left
    root.mkdir(parents=True)
    # a table a removed model left in the persistent build: it must not be published
    with Warehouse(root / "warehouse").connect() as con:
        con.execute("CREATE TABLE staging.production_series AS SELECT 1 AS leftover")
    result = refresh(root)
    evaluations = result.get_asset_check_evaluations()
    failed = [str(e.description) for e in evaluations if not e.passed]
    assert result.success, failed
    (root / CHECKS_FILE).write_text(dg.serialize_value(evaluations))


@pytest.fixture(scope="session")
def published_snapshot(tmp_path_factory) -> PublishedSnapshot:
    """The whole graph built ONCE per session on the bundled snapshot, published.

    Building it costs 25-40 s: any test that needs a real warehouse or the run's check
    evaluations uses this fixture rather than materializing the graph again. The xdist workers
    share it: the first to need it builds it under a file lock, the others wait and read it. It
    is shared, so it is read-only: open the files read-only, and a test that writes (a refresh
    into the same folder, a materialize, a kill mid-build) works on `published_snapshot.copy_to(
    tmp_path)`. The files are hashed at the end of each worker's session: a test that wrote
    fails there.
    """
    root = _session_root(tmp_path_factory) / "published_snapshot"
    with open(f"{root}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if not (root / CHECKS_FILE).exists():
            _build_published_snapshot(root)
        evaluations = dg.deserialize_value((root / CHECKS_FILE).read_text(), list)
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in evaluations}
    snapshot = PublishedSnapshot(root, checks)
    before = snapshot.digests()
    yield snapshot
    assert snapshot.digests() == before, "a test wrote into published_snapshot: use copy_to()"
