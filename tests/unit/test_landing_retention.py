"""Bounded disk: after a publish the landing keeps the last N versions of each file and those the
published warehouse was built from; `disk_usage` says what each source holds."""

import datetime
import json

import pytest

from pipelines.lib.sources.http import make_session
from pipelines.lib.sources.landing import (
    INDEX,
    disk_usage,
    land_file,
    latest_version,
    retain,
    versions,
)
from tests.support.replay_server import ReplayServer

SOURCE = "usgs_mcs"


@pytest.fixture
def landed(tmp_path):
    """Five versions of x.csv landed on five days (v1 oldest), one of y.csv; a cut-off download
    waiting in .incoming/."""
    www, landing = tmp_path / "www", tmp_path / "landing"
    www.mkdir()
    shas = []
    with ReplayServer(www) as server:
        for day in range(1, 6):
            (www / "x.csv").write_text(f"year,value\n2024,{day}\n")
            got = land_file(
                make_session(),
                server.url("x.csv"),
                source=SOURCE,
                filename="x.csv",
                landing_root=landing,
                today=datetime.date(2026, 1, day),
            )
            shas.append(got.sha256)
        (www / "y.csv").write_text("year,value\n2024,9\n")
        land_file(make_session(), server.url("y.csv"), source=SOURCE, filename="y.csv",
                  landing_root=landing)  # fmt: skip
    (landing / SOURCE / ".incoming").mkdir(exist_ok=True)
    (landing / SOURCE / ".incoming" / "z.zip.part").write_bytes(b"PK" + b"\0" * 98)
    return landing, shas


def test_retention_keeps_the_last_n_and_the_published_versions(landed):
    landing, shas = landed
    files = sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*.csv"))
    assert len(files) == 6
    deleted = retain(landing, keep_last=2, keep_sha256={shas[0]})  # v1 built the warehouse
    assert sorted(p.parent.name for p in deleted) == sorted(s[:12] for s in shas[1:3])
    left = {e["sha256"] for e in versions(landing, SOURCE, "x.csv")}
    assert left == {shas[0], shas[3], shas[4]}
    assert all((landing / SOURCE / e["path"]).is_file() for e in versions(landing, SOURCE))
    for day in (2, 3):  # the deleted versions' empty day folders went with them
        assert not (landing / SOURCE / f"2026-01-0{day}").exists()
    assert latest_version(landing, SOURCE, "x.csv").sha256 == shas[4]
    assert len(versions(landing, SOURCE, "y.csv")) == 1  # a single version is never deleted
    lines = (landing / SOURCE / INDEX).read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line) for line in lines)
    assert retain(landing, keep_last=2, keep_sha256={shas[0]}) == []  # nothing more to do
    with pytest.raises(ValueError, match="keep_last must be >= 1"):
        retain(landing, keep_last=0, keep_sha256=set())


def test_disk_usage_counts_landed_versions_and_unfinished_downloads(landed):
    landing, _ = landed
    (usage,) = disk_usage(landing)
    assert (usage.source, usage.versions, usage.partial_bytes) == (SOURCE, 6, 100)
    assert usage.version_bytes == sum(p.stat().st_size for p in landing.rglob("*.csv"))
