import os

import pytest

from pipelines.defs.resources import SourcesResource, WarehouseResource

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def resources(tmp_path):
    """Resources pointing every output at tmp_path: tests never write into the working tree."""
    return {
        "sources": SourcesResource(landing_dir=str(tmp_path / "landing")),
        "warehouse": WarehouseResource(directory=str(tmp_path / "warehouse")),
    }
