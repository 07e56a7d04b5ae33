"""Live sources failing during `minerals refresh --live`, against local replays of every publisher
(`tests/support/publishers.py`) and a copy of the published snapshot warehouse.

Each failed step prints one FAILED line in the project's words (source, URL or file, cause) and
the exceptions beneath it as `caused by` lines; Dagster's event log keeps the whole chain; nothing
is landed or published. These are the messages issue 32 found unclear: `_Retryable: HTTP 503
Service Unavailable` for USGS MCS2026 and monthly Comtrade, `JSONDecodeError: Expecting value`
for a ScienceBase item answered with an HTML page, none naming the URL; an HTML page left in the
IEA inbox landed as a version; a trickling server holding a refresh for an hour.
"""

import subprocess
import sys

import dagster as dg
import pytest

from pipelines.lib.sources.catalog import USGS_LIVE_FILES
from pipelines.lib.sources.landing import sha256_file, versions
from tests.support.comtrade_monthly import MONTHLY_PATH
from tests.support.publishers import WORKBOOK, publishers
from tests.support.replay_server import Fault

pytestmark = pytest.mark.faults

MCS2025, MCS2026 = USGS_LIVE_FILES  # (ScienceBase item, file) of each current USGS release


def refresh(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "refresh", "--live", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def failed_lines(stdout: str) -> dict[str, list[str]]:
    """{step: [FAILED line's message, caused-by lines...]} from the refresh's progress output."""
    out: dict[str, list[str]] = {}
    step = None
    for line in stdout.splitlines():
        if "  FAILED   " in line:
            step, message = line.split("  FAILED   ", 1)[1].split(": ", 1)
            out[step] = [message]
        elif step and line.strip().startswith("caused by "):
            out[step].append(line.strip().removeprefix("caused by "))
        else:
            step = None
    return out


@pytest.fixture
def live(published_snapshot, tmp_path):
    """(folder, replay server, environment) of a live refresh over a copy of the published
    snapshot warehouse; the published file's sha256 is checked unchanged afterwards."""
    tmp = published_snapshot.copy_to(tmp_path / "live")
    published = tmp / "warehouse" / "minerals.duckdb"
    before = sha256_file(published)
    with publishers(tmp) as (server, env):
        yield tmp, server, env
    assert sha256_file(published) == before


def the_run_failure_chain(env: dict[str, str], step: str) -> list[str]:
    """Class names of the step's error chain as Dagster's event log keeps it."""
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        (run,) = instance.get_runs(limit=1)
        (failure,) = [
            e
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            if e.step_key == step
        ]
    finally:
        instance.dispose()
    chain, error = [], failure.dagster_event.event_specific_data.error
    while error is not None:
        chain.append(error.cls_name)
        error = error.cause or error.context
    return chain


def test_503s_and_an_html_page_in_the_inbox_name_source_url_and_cause(live):
    tmp, server, env = live
    server.script(f"/{MCS2026.filename}", [Fault.status(503)] * 5)
    server.script(MONTHLY_PATH, [Fault.status(503)] * 5)
    page = tmp / "inbox" / "iea" / WORKBOOK.name
    page.write_text("<!DOCTYPE html><html><head><title>Sign in | IEA</title></head></html>\n")
    proc = refresh(env, "--select", "raw.usgs_mcs_production", "raw.comtrade_monthly",
                   "raw.iea_supply")  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = failed_lines(proc.stdout)
    assert failed["raw.usgs_mcs_production"] == [
        f"usgs_mcs: download of {server.url(MCS2026.filename)} failed: HTTP 503 Service "
        "Unavailable (gave up after 5 attempts)",
        "HTTP 503 Service Unavailable",
    ]
    monthly, cause = failed["raw.comtrade_monthly"]
    assert monthly.startswith(f"comtrade: download of {server.url(MONTHLY_PATH)}?reporterCode=156")
    assert monthly.endswith("failed: HTTP 503 Service Unavailable (gave up after 5 attempts)")
    assert cause == "HTTP 503 Service Unavailable"
    (inbox,) = failed["raw.iea_supply"][:1]
    assert inbox.startswith(f"iea: {page}: not landed: expected an xlsx file, got ")
    assert (
        "<!DOCTYPE html>" in inbox and "Download the IEA Critical Minerals Data Explorer" in inbox
    )
    assert "Refresh failed: nothing was published" in proc.stderr
    # the whole chain stays in Dagster's event log, the wrapper on top
    assert the_run_failure_chain(env, "raw__usgs_mcs_production") == [
        "DagsterExecutionStepExecutionError",
        "SourceDownloadError",
        "_Retryable",
    ]
    assert versions(tmp / "landing", "iea") == []  # the page never became a landed version
    assert versions(tmp / "landing", "usgs_mcs", MCS2026.filename) == []


def test_an_html_item_page_and_a_trickling_api_name_source_url_and_cause(live):
    tmp, server, env = live
    item = f"/catalog/item/{MCS2025.item_id}"
    server.script(item, [Fault.html_page("ScienceBase is down for maintenance")])
    # one byte every 50 ms: the annual Comtrade answer would take minutes; the source's own
    # deadline (2 s here, 10 minutes by default) fails it
    server.script("/data/v1/get/C/A/HS", [Fault.trickle(0.05)])
    env = dict(env, MINERALS_COMTRADE_DEADLINE_S="2")
    proc = refresh(env, "--select", "raw.usgs_mcs_production", "raw.comtrade_flows")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = failed_lines(proc.stdout)
    usgs, cause = failed["raw.usgs_mcs_production"]
    assert usgs.startswith(
        f"usgs_mcs: download of {server.url(item)}?format=json&fields=files failed: expected "
        "JSON, got text/html, not valid JSON; body starts: '<!DOCTYPE html>"
    )
    assert "ScienceBase is down for maintenance" in usgs
    assert cause == "JSONDecodeError: Expecting value: line 1 column 1 (char 0)"
    (comtrade,) = failed["raw.comtrade_flows"]
    assert comtrade.startswith(f"comtrade: download of {server.url('/data/v1/get/C/A/HS')}?")
    assert "failed: deadline passed after " in comtrade and "(the server sends too slowly)" in (
        comtrade
    )
    assert versions(tmp / "landing", "usgs_mcs") == []
