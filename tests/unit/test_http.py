"""Transport (`http.py`) and landing (`landing.py`) against a local replay server (127.0.0.1
only; no real sleeping)."""

import datetime
import hashlib
import json
import re
import shutil
import socket
import stat
from pathlib import Path

import pytest

from pipelines.lib.sources.http import (
    RetryPolicy,
    SourceDownloadError,
    get_json,
    make_session,
    parse_retry_after,
)
from pipelines.lib.sources.landing import INDEX, land_file, latest_version, versions
from tests.support.replay_server import Fault, ReplayServer

FIXTURE = Path(__file__).parents[1] / "fixtures" / "http" / "mcs2024-raree_world.csv"
NAME = FIXTURE.name
SOURCE = "usgs_mcs"
DAY1 = datetime.date(2024, 3, 6)
DAY2 = datetime.date(2024, 3, 7)
# Waits are recorded, not slept; the timeout is generous for a local server yet keeps tests fast.
POLICY = RetryPolicy(max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05, timeout_s=5.0)


class Sleeps(list):
    """Fake `sleep` that records each requested wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def www(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(FIXTURE, root / NAME)
    return root


@pytest.fixture
def server(www: Path):
    with ReplayServer(www) as srv:
        yield srv


@pytest.fixture
def session():
    with make_session() as s:
        yield s


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def land(session, server, landing, sleeps):
    """land_file for the fixture CSV, with the test's server, landing root and fake sleep."""

    def _land(today=DAY1, policy=POLICY, path=f"/{NAME}", expect="csv"):
        url = server.url(path)
        return land_file(
            session,
            url,
            source=SOURCE,
            filename=NAME,
            landing_root=landing,
            expect=expect,
            today=today,
            policy=policy,
            sleep=sleeps,
        )

    return _land


def landed_files(landing: Path) -> list[str]:
    return sorted(str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file())


def part_file(landing: Path) -> Path:
    return landing / SOURCE / ".incoming" / f"{NAME}.part"


def test_happy_path_lands_readonly_file_under_its_name_and_indexes_it(land, server, landing):
    landed = land()
    source_bytes = FIXTURE.read_bytes()
    digest = hashlib.sha256(source_bytes).hexdigest()
    assert not landed.reused and landed.sha256 == digest
    assert landed.path == landing / SOURCE / "2024-03-06" / digest[:12] / NAME
    assert landed.path.read_bytes() == source_bytes
    assert landed.size_bytes == len(source_bytes)
    assert stat.S_IMODE(landed.path.stat().st_mode) == 0o444
    (entry,) = versions(landing, SOURCE, NAME)
    assert entry["path"] == f"2024-03-06/{digest[:12]}/{NAME}" and entry["sha256"] == digest
    assert entry["url"] == server.url(NAME) and entry["size_bytes"] == len(source_bytes)
    assert entry["etag"] and entry["last_modified"] and entry["origin"] == "download"
    assert datetime.datetime.fromisoformat(entry["fetched_at"]).tzinfo is not None
    assert not part_file(landing).exists()
    assert len(server.requests_for(f"/{NAME}")) == 1


def test_unchanged_file_is_a_304_and_lands_nothing_new(land, landing, server):
    first = land(DAY1)
    before = landed_files(landing)
    again_same_day = land(DAY1)
    next_day = land(DAY2)
    assert again_same_day.reused and next_day.reused
    assert again_same_day.path == first.path == next_day.path
    assert landed_files(landing) == before  # no new version, no stray .part, no DAY2 folder
    assert not (landing / SOURCE / "2024-03-07").exists()
    later = server.requests_for(f"/{NAME}")[1:]
    assert [r.headers["if-none-match"] for r in later] == [first.etag, first.etag]
    assert all(r.headers["if-modified-since"] == first.last_modified for r in later)
    assert len(versions(landing, SOURCE, NAME)) == 1


def test_same_bytes_without_validators_are_reused_by_sha256(land, server, landing):
    # A server that sends neither ETag nor Last-Modified: the body comes, its sha256 matches.
    server.route(
        "/plain.csv", lambda query: (200, {"Content-Type": "text/csv"}, FIXTURE.read_bytes())
    )
    first = land(path="/plain.csv")
    second = land(path="/plain.csv", today=DAY2)
    assert second.reused and second.path == first.path
    assert len(versions(landing, SOURCE, NAME)) == 1


def test_changed_content_next_day_lands_new_version_and_keeps_old_one(land, www, landing):
    old = land(DAY1)
    # Fault: the publisher revised the file overnight.
    (www / NAME).write_bytes(FIXTURE.read_bytes() + b"MCS2024,Nowhere,revised,1,2,,3,,\n")
    new = land(DAY2)
    assert not new.reused and new.sha256 != old.sha256
    assert new.path.parent.parent.name == "2024-03-07" and new.path.name == NAME
    assert old.path.read_bytes() == FIXTURE.read_bytes()  # the old version is untouched
    assert latest_version(landing, SOURCE, NAME).path == new.path


def test_changed_content_same_day_keeps_the_real_name_and_the_index_finds_it(land, www, landing):
    old = land(DAY1)
    # Fault: the file changes between two runs on the same day (was landed as NAME.1.csv,
    # which the readers did not recognise).
    (www / NAME).write_bytes(b"Source,Country\nMCS2024,Revised\n")
    new = land(DAY1)
    assert new.path.name == NAME and new.path != old.path
    assert new.path.parent.parent == old.path.parent.parent  # same day, another version
    assert old.path.read_bytes() == FIXTURE.read_bytes()
    assert latest_version(landing, SOURCE, NAME).path == new.path
    assert [e["sha256"] for e in versions(landing, SOURCE, NAME)] == [old.sha256, new.sha256]
    assert land(DAY1).reused  # the new version is now the latest one


def test_html_page_with_status_200_is_an_error_and_never_lands(land, server, landing, sleeps):
    good = land(DAY1)
    # Fault: a maintenance page answered with 200 where the CSV was expected.
    server.script(f"/{NAME}", [Fault.html_page("Down for maintenance")])
    with pytest.raises(SourceDownloadError) as err:
        land(DAY2, expect="csv")
    message = str(err.value)
    assert server.url(NAME) in message and SOURCE in message
    assert "expected a csv file, got text/html" in message and "Down for maintenance" in message
    assert latest_version(landing, SOURCE, NAME).path == good.path  # not shadowed
    assert not part_file(landing).exists() and not (landing / SOURCE / "2024-03-07").exists()
    assert len(versions(landing, SOURCE, NAME)) == 1 and sleeps == []


def test_html_where_a_zip_was_expected_names_what_came_back(session, server, landing):
    server.route("/r.zip", lambda query: (200, {"Content-Type": "text/html"}, "<html>login</html>"))
    with pytest.raises(SourceDownloadError, match=r"expected a zip file, got text/html"):
        land_file(
            session,
            server.url("/r.zip"),
            source="baci",
            filename="r.zip",
            landing_root=landing,
            expect="zip",
            policy=POLICY,
        )
    assert versions(landing, "baci") == []


def test_index_not_name_patterns_decides_the_latest_version(tmp_path):
    src = tmp_path / SOURCE
    for rel in ["2024-03-06/aaa/x.csv", "2024-03-07/bbb/x.csv", "2024-03-07/x.2.csv"]:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(rel)
    entries = [
        {"filename": "x.csv", "path": "2024-03-06/aaa/x.csv", "sha256": "a", "size_bytes": 1},
        {"filename": "x.csv", "path": "2024-03-07/bbb/x.csv", "sha256": "b", "size_bytes": 1},
        {"filename": "x.csv", "path": "2024-03-08/ccc/x.csv", "sha256": "c", "size_bytes": 1},
        {"filename": "y.csv", "path": "2024-03-09/ddd/y.csv", "sha256": "d", "size_bytes": 1},
    ]
    lines = [json.dumps(e) for e in entries] + ['{"filename": "x.csv", "pa']  # a torn last line
    (src / INDEX).write_text("\n".join(lines))
    # the newest entry's file is gone: the one before it; x.2.csv is no version at all
    assert latest_version(tmp_path, SOURCE, "x.csv").path == src / "2024-03-07/bbb/x.csv"
    assert latest_version(tmp_path, SOURCE, "z.csv") is None
    assert latest_version(tmp_path, "other", "x.csv") is None


def test_dns_failure_fails_once_in_one_line(land, server, sleeps, monkeypatch, landing):
    # Fault: offline; the resolver cannot resolve the host (as getaddrinfo fails without DNS).
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(SourceDownloadError) as err:
        land(path="/x.csv")
    message = str(err.value)
    assert "DNS lookup failed" in message and "\n" not in message
    assert sleeps == [] and server.requests_for("/x.csv") == []
    assert versions(landing, SOURCE) == []


def test_connection_refused_fails_once_in_one_line(session, landing, sleeps):
    with socket.socket() as s:  # a port nothing listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceDownloadError) as err:
        land_file(
            session,
            f"http://127.0.0.1:{port}/{NAME}",
            source=SOURCE,
            filename=NAME,
            landing_root=landing,
            policy=POLICY,
            sleep=sleeps,
        )
    assert "connection refused" in str(err.value) and "\n" not in str(err.value)
    assert sleeps == []


def test_a_server_trickling_bytes_hits_the_total_deadline(land, server, landing):
    # Fault: one byte every 50 ms: no read ever times out, the download never ends by itself.
    server.script(f"/{NAME}", [Fault.trickle(0.05)])
    policy = RetryPolicy(max_attempts=3, timeout_s=5.0, deadline_s=0.5)
    with pytest.raises(SourceDownloadError, match="deadline passed after"):
        land(policy=policy)
    assert len(server.requests_for(f"/{NAME}")) == 1  # the deadline is for all attempts
    assert versions(landing, SOURCE) == []
    assert 0 < part_file(landing).stat().st_size < FIXTURE.stat().st_size  # kept to resume


def test_429_with_retry_after_waits_exactly_that_long(land, server, sleeps):
    # Fault: rate limited, asked to come back in 7 s.
    server.script(f"/{NAME}", [Fault.status(429, retry_after="7")])
    landed = land()
    assert sleeps == [7.0]
    assert len(server.requests_for(f"/{NAME}")) == 2
    assert landed.path.read_bytes() == FIXTURE.read_bytes()


def test_retry_after_is_capped_by_policy(land, server, sleeps):
    # Fault: an overloaded server asks for an absurd wait.
    server.script(f"/{NAME}", [Fault.status(503, retry_after="86400")])
    land(policy=RetryPolicy(max_attempts=2, max_retry_after_s=2.0, timeout_s=5.0))
    assert sleeps == [2.0]


def test_retry_after_http_date_is_seconds_from_now():
    now = datetime.datetime(2024, 3, 6, 12, 0, 0, tzinfo=datetime.UTC)
    assert parse_retry_after("Wed, 06 Mar 2024 12:00:42 GMT", now=now) == 42.0
    assert parse_retry_after("Wed, 06 Mar 2024 11:00:00 GMT", now=now) == 0.0  # already past
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


def test_500_then_ok_is_retried_with_jittered_backoff(land, server, sleeps):
    # Fault: one transient internal server error.
    server.script(f"/{NAME}", [Fault.status(500)])
    landed = land()
    assert len(sleeps) == 1 and 0.0 <= sleeps[0] <= POLICY.backoff_base_s
    assert len(server.requests_for(f"/{NAME}")) == 2
    assert landed.sha256 == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()


def test_read_timeout_is_retried_then_succeeds(land, server, sleeps):
    # Fault: the server stalls 5 s before answering; the client gives up after 0.5 s.
    server.script(f"/{NAME}", [Fault.delay(5.0)])
    landed = land(policy=RetryPolicy(max_attempts=3, backoff_base_s=0.01, timeout_s=0.5))
    assert len(sleeps) == 1
    assert len(server.requests_for(f"/{NAME}")) == 2
    assert landed.path.read_bytes() == FIXTURE.read_bytes()


def test_truncated_body_is_resumed_with_a_range_request(land, server, landing):
    # Fault: the connection closes after 1000 of the announced bytes.
    server.script(f"/{NAME}", [Fault.truncate(1000)])
    landed = land()
    first, second = server.requests_for(f"/{NAME}")
    assert "range" not in first.headers
    assert second.headers["range"] == "bytes=1000-"
    assert second.headers["if-range"].startswith('"')  # resumes only the same version
    assert landed.path.read_bytes() == FIXTURE.read_bytes()
    assert not part_file(landing).exists()


def test_persistent_truncation_reports_expected_and_received_bytes_then_resumes_next_run(
    land, server, landing
):
    # Fault: every attempt (the full body, then each resumed range) stops after 100 bytes.
    server.script(f"/{NAME}", [Fault.truncate(100)] * POLICY.max_attempts)
    with pytest.raises(SourceDownloadError) as err:
        land()
    assert f"expected {FIXTURE.stat().st_size} bytes, got 400" in str(err.value)
    assert part_file(landing).stat().st_size == 400  # kept for the next run
    landed = land()  # a later run on the same day picks up where it stopped
    assert server.requests_for(f"/{NAME}")[-1].headers["range"] == "bytes=400-"
    assert landed.path.read_bytes() == FIXTURE.read_bytes()


def test_server_ignoring_range_restarts_from_zero(land, server, landing):
    # Fault: a stale .part holds garbage, and the endpoint ignores Range (always 200, whole file).
    part_file(landing).parent.mkdir(parents=True)
    part_file(landing).write_bytes(b"garbage")
    server.route("/no-ranges.csv", lambda query: (200, {}, FIXTURE.read_bytes()))
    landed = land(path="/no-ranges.csv")
    assert server.requests_for("/no-ranges.csv")[0].headers["range"] == "bytes=7-"
    assert landed.path.read_bytes() == FIXTURE.read_bytes()


def test_persistent_500_exhausts_attempts_and_names_source_and_url(land, server, sleeps):
    # Fault: the server is down for every attempt.
    server.script(f"/{NAME}", [Fault.status(500)] * POLICY.max_attempts)
    with pytest.raises(SourceDownloadError) as err:
        land()
    message = str(err.value)
    assert SOURCE in message and server.url(NAME) in message and "HTTP 500" in message
    assert len(server.requests_for(f"/{NAME}")) == POLICY.max_attempts
    assert len(sleeps) == POLICY.max_attempts - 1
    assert all(0.0 <= s <= POLICY.backoff_max_s for s in sleeps)


def test_404_fails_at_once_with_a_clear_message(land, server, sleeps, landing):
    # Fault: the publisher moved the file.
    with pytest.raises(SourceDownloadError) as err:
        land(path="/moved.csv")
    message = str(err.value)
    assert SOURCE in message and server.url("moved.csv") in message
    assert "HTTP 404" in message and "not retried" in message
    assert len(server.requests_for("/moved.csv")) == 1 and sleeps == []
    assert landed_files(landing) == [] and not (landing / SOURCE / "2024-03-06").exists()


def test_get_json_retries_429_then_parses(server, session, sleeps):
    server.route("/api/data", lambda query: (200, {}, {"count": 1, "echo": query}))
    # Fault: rate limited once.
    server.script("/api/data", [Fault.status(429, retry_after="1")])
    url = server.url("/api/data")
    body = get_json(session, url, source="comtrade", params={"year": 2023}, sleep=sleeps)
    assert body == {"count": 1, "echo": {"year": ["2023"]}}
    assert sleeps == [1.0]
    assert len(server.requests_for("/api/data")) == 2


def test_get_json_invalid_json_names_source_url_and_body(server, session, sleeps):
    # Fault: a maintenance page served with status 200.
    page = "<html><body>Service under maintenance</body></html>"
    server.route("/api/data", lambda query: (200, {"Content-Type": "text/html"}, page))
    with pytest.raises(SourceDownloadError) as err:
        get_json(session, server.url("/api/data"), source="comtrade", sleep=sleeps)
    message = str(err.value)
    assert "comtrade" in message and server.url("/api/data") in message
    assert "expected JSON, got text/html" in message and "Service under maintenance" in message
    assert sleeps == []


def test_secret_query_parameters_are_masked_in_errors(server, session, sleeps):
    server.route("/api/data", lambda query: (403, {}, "forbidden"))
    with pytest.raises(SourceDownloadError) as err:
        params = {"subscription-key": "s3cret", "year": 2023}
        get_json(session, server.url("/api/data"), source="comtrade", params=params, sleep=sleeps)
    assert "s3cret" not in str(err.value) and "year=2023" in str(err.value)
    assert "HTTP 403" in str(err.value)


def test_an_api_answer_trickling_in_hits_the_deadline(server, session, sleeps):
    # Fault: the JSON answer sent one byte every 50 ms: no read times out, and the whole answer
    # would take minutes; the API call used to wait for all of it, whatever the deadline.
    answer = {"data": [{"value": 1}] * 400}
    server.route("/api/data", lambda query: (200, {}, answer))
    server.script("/api/data", [Fault.trickle(0.05)])
    policy = RetryPolicy(max_attempts=3, timeout_s=5.0, deadline_s=0.5)
    with pytest.raises(SourceDownloadError, match="deadline passed after") as err:
        get_json(session, server.url("/api/data"), source="wgi", policy=policy, sleep=sleeps)
    received = int(re.search(r"after (\d+) bytes of the answer", str(err.value))[1])
    assert 0 < received < len(json.dumps(answer)) / 10  # gave up early, not at the end
    assert len(server.requests_for("/api/data")) == 1


SECRET = "fake-estat-appid-9c1f27"


def chain_texts(exc: BaseException) -> list[str]:
    """str() of an exception and of every exception it was raised from or while handling: what
    Dagster's event log keeps of a failed step."""
    out, todo = [], [exc]
    while todo:
        e = todo.pop()
        if e is not None:
            out.append(f"{type(e).__name__}: {e}")
            todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, Exception))]
    return out


def test_a_key_sent_as_a_query_parameter_is_in_no_error_chain_or_log(session, sleeps, caplog):
    """e-Stat's `appId=` and Census's `key=` travel in the URL, which urllib3 writes into its
    own exception ("Max retries exceeded with url: /rest/...?appId=..."), below ours."""
    with socket.socket() as s:  # a port nothing listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    params = {"appId": SECRET, "statsDataId": "0003313180"}
    with caplog.at_level("DEBUG"), pytest.raises(SourceDownloadError) as err:
        url = f"http://127.0.0.1:{port}/rest/3.0/app/json/getStatsData"
        get_json(session, url, source="estat", params=params, policy=POLICY, sleep=sleeps)
    texts = chain_texts(err.value)
    assert len(texts) > 2 and "appId=***" in texts[0]  # our error, urllib3's beneath it
    assert any("Max retries exceeded with url" in t for t in texts)  # the chain is kept
    assert not [t for t in texts if SECRET in t]
    assert SECRET not in caplog.text


def test_a_key_echoed_in_an_error_body_is_masked(server, session, sleeps, monkeypatch):
    """APIs echo the request in their errors (e-Stat's PARAMETER block; a proxy's 403 page):
    the message quoting the body must not carry the key, in the URL or out of it."""
    monkeypatch.setenv("COMTRADE_API_KEY", SECRET)  # a setting the registry marks secret
    server.route("/api/data", lambda query: (403, {}, f"invalid key {SECRET} for {query}"))
    with pytest.raises(SourceDownloadError) as err:
        params = {"subscription-key": SECRET, "year": 2023}
        get_json(session, server.url("/api/data"), source="comtrade", params=params, sleep=sleeps)
    message = str(err.value)
    assert "HTTP 403" in message and "invalid key ***" in message and "year=2023" in message
    assert not [t for t in chain_texts(err.value) if SECRET in t]
