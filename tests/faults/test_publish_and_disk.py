"""The classes of fault the outside suite of issue 32 tried, kept here so they stay covered:
`kill -9` in the middle of a publish, two refreshes at once, and a full disk under the publish
and under a download, each on a copy of the published snapshot, through `minerals refresh`.
(Live-server faults: test_live_faults.py; a daemon-launched run against a CLI refresh:
test_one_writer.py; the distributed path: tests/distributed/test_faults.py.)

A full disk is a small tmpfs mounted over the folder (root with CAP_SYS_ADMIN, as `.ci/run`
runs; elsewhere the test skips, and fails when MINERALS_REQUIRE_SERVICES is set).
"""

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.support import services
from tests.support.publishers import publishers
from tests.support.warehouse import marts_contents, same_rows

pytestmark = pytest.mark.faults
MINERALS = str(Path(sys.executable).parent / "minerals")
PUBLISH = ["refresh", "--select", "serving.published_warehouse"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def copy(published_snapshot, tmp_path):
    """(the copy's warehouse folder, the environment of a refresh of it)."""
    tmp = published_snapshot.copy_to(tmp_path / "copy")
    (tmp / "dagster_home").mkdir()
    env = dict(os.environ, MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"))
    env["DAGSTER_HOME"] = str(tmp / "dagster_home")
    return tmp / "warehouse", env


def test_kill_9_mid_publish_leaves_the_published_file_and_the_next_publish_cleans_up(copy):
    warehouse, env = copy
    published = warehouse / "minerals.duckdb"
    before, marts = sha256(published), marts_contents(published)
    reader = duckdb.connect(str(published), read_only=True)  # an analyst, reading throughout
    proc = subprocess.Popen([MINERALS, *PUBLISH], env=env, stdout=subprocess.DEVNULL)
    temp = warehouse / f".minerals.duckdb.{proc.pid}.tmp"
    deadline = time.monotonic() + 600
    while not (temp.exists() and temp.stat().st_size > 0) and proc.poll() is None:
        assert time.monotonic() < deadline, "the publish never started copying"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # half-way through writing the new warehouse
    proc.wait()
    assert temp.exists()  # what the kill left
    assert sha256(published) == before
    assert reader.execute("SELECT count(*) FROM marts.country_share").fetchone()[0] > 0
    again = subprocess.run([MINERALS, *PUBLISH], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "Published:" in again.stdout, again.stdout + again.stderr
    assert not list(warehouse.glob(".minerals.duckdb.*.tmp"))  # the dead publish's copy: gone
    after = marts_contents(published)
    assert all(same_rows(after[t], rows) for t, rows in marts.items())
    reader.close()


def test_two_refreshes_at_once_the_second_refuses_in_words(copy):
    warehouse, env = copy
    first = subprocess.Popen([MINERALS, *PUBLISH], env=env, stdout=subprocess.PIPE, text=True)
    lock = warehouse / ".refresh.lock"
    deadline = time.monotonic() + 600
    while not (lock.exists() and str(first.pid) in lock.read_text()):
        assert time.monotonic() < deadline and first.poll() is None, "the first never locked"
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGSTOP)  # holding the lock, whatever this machine's speed
    try:
        second = subprocess.run([MINERALS, *PUBLISH], env=env, capture_output=True, text=True)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert second.returncode == 1
    assert second.stderr.startswith("error: a refresh started at ")
    assert f"by PID {first.pid} (minerals refresh) is still running" in second.stderr
    out, _ = first.communicate(timeout=600)
    assert first.returncode == 0 and "Published:" in out


@contextlib.contextmanager
def full_disk(folder: Path, free_mb: int):
    """`folder` on a tmpfs with its present contents and about `free_mb` MB left."""
    used = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    aside = folder.with_name(folder.name + ".aside")
    folder.rename(aside)
    folder.mkdir()
    size = used // 2**20 + free_mb
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}m", "tmpfs", str(folder)],
                           capture_output=True, text=True)  # fmt: skip
    if mount.returncode:
        folder.rmdir()
        aside.rename(folder)
        message = f"cannot mount a tmpfs to fill ({mount.stderr.strip()}): run as root"
        if os.environ.get(services.REQUIRE_ENV):
            pytest.fail(message)
        pytest.skip(message)
    try:
        shutil.copytree(aside, folder, dirs_exist_ok=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
        folder.rmdir()
        aside.rename(folder)


def test_a_full_disk_under_the_publish_leaves_the_published_file_and_says_so(copy):
    warehouse, env = copy
    shutil.rmtree(warehouse / "exports")  # not needed here: less to copy onto the tmpfs
    shutil.rmtree(warehouse / "dashboard")
    with full_disk(warehouse, free_mb=30):  # the new copy needs about 75 MB
        published = warehouse / "minerals.duckdb"
        before = sha256(published)
        proc = subprocess.run([MINERALS, *PUBLISH], env=env, capture_output=True, text=True)
        assert proc.returncode == 1
        assert sha256(published) == before
        assert not list(warehouse.glob(".minerals.duckdb.*.tmp"))  # its partial copy removed
        failed = [
            line for line in proc.stdout.splitlines() if "FAILED   published_warehouse" in line
        ]
    assert failed, proc.stdout + proc.stderr
    assert f"cannot write the new warehouse beside {published}" in failed[0]
    assert "No space left on device" in failed[0]
    assert "the published warehouse is unchanged; the copy needs about " in failed[0]
    assert "nothing was published" in proc.stderr


def test_a_full_disk_under_a_download_names_source_url_and_file(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    with publishers(tmp_path) as (server, env), full_disk(landing, free_mb=1):
        proc = subprocess.run(
            [MINERALS, "refresh", "--select", "raw.usgs_mcs_production"],
            env=env,
            capture_output=True,
            text=True,
        )
        partial = list(landing.rglob("*.part"))
    (failed,) = [line for line in proc.stdout.splitlines() if "  FAILED   " in line]
    url = server.url("MCS2026_Commodities_Data.csv")  # 3.2 MB: the one that does not fit
    assert f"raw.usgs_mcs_production: usgs_mcs: download of {url} failed: cannot write " in failed
    assert "MCS2026_Commodities_Data.csv.part (No space left on device); what arrived is kept" in (
        failed
    )
    assert [p.name for p in partial] == ["MCS2026_Commodities_Data.csv.part"]
