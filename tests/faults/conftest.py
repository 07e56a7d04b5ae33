"""Fixtures of the fault suite: the session's baseline refresh, a fresh copy of it per fault."""

import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib.inputs import write_manifest
from pipelines.lib.paths import SNAPSHOT_DIR

ALL_ASSETS = [k for a in defs.assets for k in a.keys]


def run(tmp: Path, snapshot: Path, *keys: dg.AssetKey) -> dg.ExecuteInProcessResult:
    """Refresh `keys` and everything downstream of them (the publish step included)."""
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        selection=dg.AssetSelection.assets(*keys).downstream().required_multi_asset_neighbors(),
        resources={
            "sources": SourcesResource(
                snapshot_dir=str(snapshot), landing_dir=str(tmp / "landing")
            ),
            "warehouse": WarehouseResource(directory=str(tmp / "warehouse")),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        tags=year_range_tags(),
    )


@pytest.fixture(scope="session")
def baseline(published_snapshot) -> Path:
    """The session's one whole-graph build of the real snapshot (`tests/conftest.py`), read-only:
    each fault works on a copy of it (`copy`), so the suite builds the graph once, not once
    per module."""
    return published_snapshot.warehouse_dir


@dataclass
class Copy:
    tmp: Path
    snapshot: Path

    @property
    def published(self) -> Path:
        return self.tmp / "warehouse" / "minerals.duckdb"

    def refresh(self, *keys: dg.AssetKey) -> dg.ExecuteInProcessResult:
        return run(self.tmp, self.snapshot, *keys)

    def repin(self) -> None:
        """Regenerate the copy's manifest: as if the broken file had been reviewed in."""
        write_manifest(self.snapshot)


@pytest.fixture
def copy(baseline, tmp_path) -> Copy:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, snapshot)
    shutil.copytree(
        baseline, tmp_path / "warehouse", ignore=shutil.ignore_patterns("exports", "dashboard")
    )
    return Copy(tmp_path, snapshot)
