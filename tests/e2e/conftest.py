"""The end-to-end tests' view of the session's one whole-graph build.

The build itself is `tests/conftest.py::published_snapshot` (built once, shared read-only);
`refresh` builds the graph again into another folder, for tests that need a different run.
"""

import duckdb
import pytest

from tests.support.snapshot import refresh

__all__ = ["refresh"]


@pytest.fixture(scope="session")
def published(published_snapshot):
    """(read-only connection to the published file, check evaluations, the build's folder).

    Read-only, like `published_snapshot`: a test that writes copies it first
    (`published_snapshot.copy_to(tmp_path)`)."""
    con = duckdb.connect(str(published_snapshot.published), read_only=True)
    yield con, published_snapshot.checks, published_snapshot.root
    con.close()
