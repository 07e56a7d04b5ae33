"""The whole graph on the bundled snapshot, in process, every output under one folder.

`refresh()` is the one way tests build it; `tests/conftest.py::published_snapshot` builds it once
per test session and hands the same result to every test that needs a real warehouse.
"""

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg


def refresh(tmp: Path, **sources) -> dg.ExecuteInProcessResult:
    """Every asset and check in process (every BACI year in one run), outputs under `tmp`."""
    from pipelines.definitions import defs
    from pipelines.defs.resources import SourcesResource, WarehouseResource
    from pipelines.defs.trade.partitions import year_range_tags

    resources = {
        "sources": SourcesResource(landing_dir=str(tmp / "landing"), **sources),
        "warehouse": WarehouseResource(directory=str(tmp / "warehouse")),
    }
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        tags=year_range_tags(),  # trade assets are partitioned by year: every year, one run
    )


@dataclass(frozen=True)
class PublishedSnapshot:
    root: Path  # refresh(root): landing/ and warehouse/ below it
    checks: dict  # (asset key string, check name) -> AssetCheckEvaluation

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def published(self) -> Path:
        return self.warehouse_dir / "minerals.duckdb"

    @property
    def build(self) -> Path:
        return self.warehouse_dir / "build" / "minerals.duckdb"

    def copy_to(self, dest: Path) -> Path:
        """A private copy of the whole output folder, for a test that writes; returns `dest`."""
        shutil.copytree(self.root, dest, dirs_exist_ok=True)
        return dest

    def digests(self) -> dict[str, str]:
        return {
            str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in (self.published, self.build)
        }
