"""HTTP transport shared by every source client: sessions, retries, deadlines, body checks.

- `get_json` GETs an API endpoint and parses the JSON body.
- `download` streams one URL into a `.part` file: resumable (`Range` + `If-Range`),
  size-verified, conditional (`If-None-Match` / `If-Modified-Since`, a 304 downloads nothing),
  and checked to be what was expected (a 200 HTML error page where a CSV, zip, xlsx or JSON was
  expected is an error naming the URL and what came back). Where the bytes land for good is
  `landing.py`'s business.

Connection errors, timeouts, truncated bodies and HTTP 429/500/502/503/504 are retried according
to a `RetryPolicy` (honouring `Retry-After`); every download also has a total deadline, so a
server that trickles bytes forever cannot hang a refresh. A host that does not resolve or
refuses connections fails at once, in one line: retrying cannot fix it. Any other error status
fails at once. What finally fails is raised as `SourceDownloadError`, naming the source, the URL
and the reason. API keys never leave in a message: URLs are shown with secret query values
masked, and every error (its whole chain) passes through `errors.redact`.
"""

import datetime
import email.utils
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3

from pipelines.lib.errors import MASK, redact, secrets_masked

logger = logging.getLogger("pipelines.sources.http")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK_SIZE = 1024 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
# Query parameters whose values must never reach logs or error messages (appId: e-Stat's).
_SECRET_PARAM = re.compile(r"key|token|secret|password|signature|appid", re.IGNORECASE)
# What a body must look like, by the kind of file expected (checked on the first bytes).
EXPECTED_KINDS = ("csv", "zip", "xlsx", "json")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

T = TypeVar("T")
Sleep = Callable[[float], None]


class SourceDownloadError(RuntimeError):
    """A download failed for good (retries exhausted, or an error that retrying cannot fix)."""

    def __init__(self, source: str, url: str, reason: str):
        url, reason = redact(url), redact(reason)
        super().__init__(f"{source}: download of {url} failed: {reason}")
        self.source, self.url, self.reason = source, url, reason


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    `timeout_s` applies to connect and to each read; `deadline_s` to the whole download, every
    attempt and wait included.
    """

    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    timeout_s: float = 30.0
    max_retry_after_s: float = 120.0
    deadline_s: float = 600.0  # sources set their own (MINERALS_<SOURCE>_DEADLINE_S)

    def __post_init__(self):
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")

    def backoff_s(self, failed_attempts: int) -> float:
        """Wait after the n-th failed attempt: exponential backoff with full jitter."""
        # Full jitter spreads the retries of concurrent clients instead of synchronising them.
        ceiling = self.backoff_base_s * 2 ** min(failed_attempts - 1, 30)
        return random.uniform(0.0, min(self.backoff_max_s, ceiling))


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class Download:
    """What `download` got: the body in the `.part` file, or `not_modified` (HTTP 304)."""

    not_modified: bool
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None


class _Retryable(Exception):
    """One attempt failed in a way that another attempt may fix."""

    def __init__(self, reason: str, retry_after_s: float | None = None):
        reason = redact(reason)
        super().__init__(reason)
        self.reason, self.retry_after_s = reason, retry_after_s


def make_session(user_agent: str = "critical-minerals-warehouse/0.1") -> requests.Session:
    """A session with an identifying User-Agent; retries are ours, not urllib3's (it does none)."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    return session


def parse_retry_after(value: str | None, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            logger.warning("ignoring unparseable Retry-After %r", value)
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        seconds = (when - (now or datetime.datetime.now(datetime.UTC))).total_seconds()
    # A date in the past (clock skew) means "now"; NaN compares false and also becomes 0.
    return seconds if seconds > 0 else 0.0


def get_json(
    session: requests.Session,
    url: str,
    *,
    source: str,
    params: dict | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> Any:
    """GET `url` with retries and return the parsed JSON body."""
    shown = display_url(url, params)
    deadline = time.monotonic() + policy.deadline_s

    def attempt() -> Any:
        resp = _get(
            session, url, source=source, shown=shown, policy=policy, stream=True, params=params
        )
        with resp:
            _check_status(resp, source, shown)
            body = _read_body(resp, deadline, source, shown)
        try:
            return json.loads(body)
        except ValueError as exc:
            # Typically an HTML error or maintenance page served with status 200.
            raise SourceDownloadError(
                source,
                shown,
                f"expected JSON, got {_content_type(resp) or 'no Content-Type'}, "
                f"not valid JSON; body starts: {body[:200].decode('utf-8', 'replace')!r}",
            ) from exc

    with secrets_masked():
        return _with_retries(
            attempt, source=source, shown=shown, policy=policy, sleep=sleep, deadline=deadline
        )


def download(
    session: requests.Session,
    url: str,
    part: Path,
    *,
    source: str,
    expect: str | None = None,
    conditional: dict[str, str] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> Download:
    """Stream `url` into `part`, resuming what an earlier attempt or run left there.

    `expect` ("csv", "zip", "xlsx", "json") checks the finished body; one that is not of that
    kind (an HTML page, typically) is deleted and raised as `SourceDownloadError`.
    `conditional` holds the `ETag` / `Last-Modified` of the version already landed: sent as
    `If-None-Match` / `If-Modified-Since` when starting afresh, so an unchanged file costs one
    304 and no body.
    """
    if expect is not None and expect not in EXPECTED_KINDS:
        raise ValueError(f"expect must be one of {EXPECTED_KINDS}, got {expect!r}")
    shown = display_url(url)
    deadline = time.monotonic() + policy.deadline_s
    validators: dict[str, str] = {}  # ETag / Last-Modified of the body being assembled
    got: dict[str, Any] = {}

    def attempt() -> bool:
        offset = part.stat().st_size if part.exists() else 0
        # Identity encoding: land the bytes as served, so sizes and byte ranges mean the same thing.
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            # If-Range: if the file changed since our first bytes, the server sends it whole (200).
            if_range = _if_range(validators)
            if if_range:
                headers["If-Range"] = if_range
            logger.info("%s: resuming %s from byte %d", source, part.name, offset)
        elif conditional:
            if conditional.get("etag"):
                headers["If-None-Match"] = conditional["etag"]
            if conditional.get("last_modified"):
                headers["If-Modified-Since"] = conditional["last_modified"]
        resp = _get(
            session, url, source=source, shown=shown, policy=policy, stream=True, headers=headers
        )
        with resp:
            if resp.status_code == 304 and not offset:
                return True
            if resp.status_code == 416 and offset:
                _, total = _parse_content_range(resp.headers.get("Content-Range", ""))
                if total == offset:
                    return False  # the .part already holds the whole file
                # The partial file does not fit the server's file any more: start over.
                part.unlink()
                raise _Retryable(f"HTTP 416 resuming at byte {offset}; restarting")
            _check_status(resp, source, shown)
            if resp.status_code == 206:
                start, expected = _parse_content_range(resp.headers.get("Content-Range", ""))
                if start != offset:
                    part.unlink()
                    raise _Retryable(f"server resumed at byte {start}, not {offset}; restarting")
                mode = "ab"
            else:
                if offset:
                    logger.info("%s: server sent all of %s; restarting from zero", source, shown)
                validators.clear()
                expected, mode = _content_length(resp), "wb"
                got["content_type"] = _content_type(resp)
            validators.update(
                (k, v) for k in ("ETag", "Last-Modified") if (v := resp.headers.get(k)) is not None
            )
            _stream_to(resp, part, mode, expected, deadline, source, shown)
        return False

    part.parent.mkdir(parents=True, exist_ok=True)
    with secrets_masked():
        not_modified = _with_retries(
            attempt, source=source, shown=shown, policy=policy, sleep=sleep, deadline=deadline
        )
    if not_modified:
        return Download(not_modified=True, **_lower(conditional or {}))
    if expect is not None:
        problem = body_problem(part, expect, got.get("content_type"))
        if problem:
            part.unlink(missing_ok=True)  # never resumed, never landed
            raise SourceDownloadError(source, shown, problem)
    return Download(
        not_modified=False,
        etag=validators.get("ETag"),
        last_modified=validators.get("Last-Modified"),
        content_type=got.get("content_type"),
    )


def body_problem(path: Path, expect: str, content_type: str | None = None) -> str | None:
    """Why the file at `path` is not a `expect` file (None when it looks like one)."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    size = f"{path.stat().st_size} bytes"
    what = f"{content_type}, {size}" if content_type else size
    article = "an" if expect[0] in "ax" else "a"
    came_back = f"expected {article} {expect} file, got {what} starting {text[:120]!r}"
    looks_html = text[:15].lower().startswith(("<!doctype", "<html", "<?xml", "<head", "<body"))
    if expect in ("zip", "xlsx"):
        return None if head.startswith(_ZIP_MAGIC) else came_back
    if expect == "json":
        try:
            with open(path, "rb") as fh:
                json.load(fh)
        except ValueError:
            return came_back
        return None
    # csv
    if looks_html or (content_type or "").startswith("text/html") or not text:
        return came_back
    return None


# --- retries and requests -------------------------------------------------------------------


def _with_retries(
    attempt: Callable[[], T],
    *,
    source: str,
    shown: str,
    policy: RetryPolicy,
    sleep: Sleep,
    deadline: float,
) -> T:
    for n in range(1, policy.max_attempts + 1):
        logger.info("%s: GET %s (attempt %d/%d)", source, shown, n, policy.max_attempts)
        try:
            return attempt()
        except _Retryable as exc:
            if n == policy.max_attempts:
                raise SourceDownloadError(
                    source, shown, f"{exc.reason} (gave up after {n} attempts)"
                ) from exc
            if exc.retry_after_s is not None:
                wait, why = min(exc.retry_after_s, policy.max_retry_after_s), "Retry-After"
            else:
                wait, why = policy.backoff_s(n), "backoff"
            if time.monotonic() + wait > deadline:
                raise SourceDownloadError(
                    source,
                    shown,
                    f"{exc.reason}; no time left for another attempt within the "
                    f"{policy.deadline_s:g} s deadline",
                ) from exc
            logger.warning(
                "%s: %s: %s; retrying in %.2f s (%s)", source, shown, exc.reason, wait, why
            )
            sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _get(
    session: requests.Session,
    url: str,
    *,
    source: str,
    shown: str,
    policy: RetryPolicy,
    stream: bool,
    **kwargs: Any,
) -> requests.Response:
    try:
        return session.get(url, timeout=policy.timeout_s, stream=stream, **kwargs)
    except requests.Timeout as exc:
        raise _Retryable(f"timeout after {policy.timeout_s} s ({type(exc).__name__})") from exc
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        if unreachable := _unreachable(exc):
            # Offline, or a wrong host name: one line, no retries that cannot succeed.
            raise SourceDownloadError(source, shown, unreachable) from exc
        # ChunkedEncodingError here is a body cut short while get_json reads it whole.
        raise _Retryable(_short(exc)) from exc
    except requests.RequestException as exc:
        raise SourceDownloadError(source, shown, _short(exc)) from exc  # e.g. a malformed URL


def _unreachable(exc: BaseException) -> str | None:
    """A reason when the host cannot be reached at all (DNS failure, connection refused)."""
    host = None
    seen: BaseException | None = exc
    chain = []
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        nxt = getattr(seen, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = nxt or seen.__cause__ or seen.__context__
    for e in chain:
        if isinstance(e, urllib3.exceptions.NameResolutionError):
            host = getattr(e, "host", None) or "the host"
            return f"cannot resolve {host} (DNS lookup failed: offline or wrong host name)"
        if isinstance(e, ConnectionRefusedError) or (
            isinstance(e, urllib3.exceptions.NewConnectionError) and "refused" in str(e).lower()
        ):
            return "connection refused (nothing listens at that address)"
    return None


def _check_status(resp: requests.Response, source: str, shown: str) -> None:
    status = resp.status_code
    if status in RETRYABLE_STATUSES:
        retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        raise _Retryable(f"HTTP {status} {resp.reason}", retry_after)
    if not 200 <= status < 300:
        reason = f"HTTP {status} {resp.reason} (not retried); body starts: {_head(resp)!r}"
        raise SourceDownloadError(source, shown, reason)


def _stream_to(
    resp: requests.Response,
    part: Path,
    mode: str,
    expected: int | None,
    deadline: float,
    source: str,
    shown: str,
) -> None:
    """Append or write the body to `part` chunk by chunk; a short body is retryable."""
    try:
        with open(part, mode) as fh:
            for chunk in _body_chunks(resp):
                fh.write(chunk)
                if time.monotonic() > deadline:
                    fh.flush()
                    raise SourceDownloadError(
                        source,
                        shown,
                        f"download deadline passed after {part.stat().st_size} bytes "
                        "(the server sends too slowly); what arrived is kept to resume",
                    )
            fh.flush()
            os.fsync(fh.fileno())  # durable before it is hashed and published
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        # What arrived stays in the .part file, so the next attempt resumes from there.
        received = part.stat().st_size
        got = f"got {received} bytes"
        if expected is not None:
            got = f"expected {expected} bytes, {got}"
        raise _Retryable(f"truncated body: {got} ({_short(exc)})") from exc
    except OSError as exc:  # the disk, not the server (full, read-only): retrying cannot help
        raise SourceDownloadError(
            source,
            shown,
            f"cannot write {part} ({exc.strerror or exc}); what arrived is kept, to resume "
            "once it can be written",
        ) from exc
    received = part.stat().st_size
    if expected is not None and received != expected:
        if received > expected:
            part.unlink()  # more than announced: the partial file cannot be trusted
        raise _Retryable(f"truncated body: expected {expected} bytes, got {received}")


def _read_body(resp: requests.Response, deadline: float, source: str, shown: str) -> bytes:
    """A whole (decoded) API answer, within the deadline: a server that trickles its answer
    fails when the deadline passes, not when it finally ends."""
    chunks: list[bytes] = []
    try:
        # read1: whatever has arrived, so the deadline is checked as bytes come in
        while chunk := resp.raw.read1(CHUNK_SIZE, decode_content=True):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                received = sum(map(len, chunks))
                raise SourceDownloadError(
                    source,
                    shown,
                    f"deadline passed after {received} bytes of the answer (the server sends "
                    "too slowly)",
                )
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise _Retryable(f"truncated answer ({_short(exc)})") from exc
    return b"".join(chunks)


def _body_chunks(resp: requests.Response) -> Iterator[bytes]:
    if resp.headers.get("Content-Encoding", "identity") != "identity":
        # The server compressed despite Accept-Encoding: identity; requests decodes it.
        yield from resp.iter_content(CHUNK_SIZE)
        return
    # read1 hands over whatever has arrived, so the bytes before a cut-off are kept for resuming;
    # iter_content buffers up to a whole chunk and drops it when the connection breaks.
    while chunk := resp.raw.read1(CHUNK_SIZE, decode_content=False):
        yield chunk


def _content_length(resp: requests.Response) -> int | None:
    if resp.headers.get("Content-Encoding", "identity") != "identity":
        return None  # requests decodes the body, so the header does not give the landed size
    try:
        return int(resp.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _content_type(resp: requests.Response) -> str | None:
    value = resp.headers.get("Content-Type")
    return value.split(";", 1)[0].strip().lower() if value else None


def _parse_content_range(value: str) -> tuple[int | None, int | None]:
    """(first byte, total size) from `bytes a-b/total` or `bytes */total`; None where unknown."""
    if m := _CONTENT_RANGE.fullmatch(value.strip()):
        return int(m[1]), None if m[3] == "*" else int(m[3])
    if m := re.fullmatch(r"bytes \*/(\d+)", value.strip()):
        return None, int(m[1])
    return None, None


def _if_range(validators: dict[str, str]) -> str | None:
    etag = validators.get("ETag")
    if etag and not etag.startswith("W/"):  # If-Range needs a strong validator
        return etag
    return validators.get("Last-Modified")


def _lower(conditional: dict[str, str]) -> dict[str, str | None]:
    return {"etag": conditional.get("etag"), "last_modified": conditional.get("last_modified")}


def _head(resp: requests.Response) -> str:
    """The first 200 characters of a (possibly streamed) body, for error messages."""
    try:
        return next(resp.iter_content(512), b"").decode("utf-8", "replace")[:200]
    except requests.RequestException:
        return ""


def _short(exc: Exception) -> str:
    return redact(f"{type(exc).__name__}: {exc}".replace("\n", " "))[:300]


def display_url(url: str, params: dict | None = None) -> str:
    """The full URL as requested, with secrets and secret-looking query values masked."""
    try:
        full = requests.Request("GET", url, params=params).prepare().url or url
    except requests.RequestException:
        return redact(url)
    parts = urlsplit(full)
    if not parts.query:
        return redact(full)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    masked = [(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in pairs]
    return redact(urlunsplit(parts._replace(query=urlencode(masked, safe="*"))))
