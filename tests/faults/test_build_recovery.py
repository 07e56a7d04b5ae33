"""The build file is a cache: a refresh after it was deleted or cut short rebuilds it, keeps the
alert history (first_seen_at) and publishes."""

import pytest

from pipelines.lib import warehouse
from tests.faults.conftest import ALL_ASSETS, Copy
from tests.support.warehouse import alert_history

pytestmark = pytest.mark.faults


def test_truncated_build_is_rebuilt_and_keeps_every_first_seen_at(copy: Copy, caplog):
    before = alert_history(copy.published)
    assert len(before) > 100
    build = copy.tmp / "warehouse/build/minerals.duckdb"
    build.write_bytes(build.read_bytes()[: build.stat().st_size // 2])
    warehouse._checked_builds.discard(build)  # as a new refresh process would
    with caplog.at_level("WARNING"):
        result = copy.refresh(*ALL_ASSETS)
    assert result.success
    assert [
        r for r in caplog.records if "damaged" in r.getMessage() and "restored" in r.getMessage()
    ]
    after = alert_history(copy.published)
    # nothing lost, nothing re-dated: the re-run finds the same alerts and adds none
    assert after == before
