"""Generic, robust HTTP download layer shared by every source client.

- `get_json` GETs an API endpoint and parses the JSON body.
- `land_file` streams a file into the immutable landing zone
  `<landing_root>/<source>/<YYYY-MM-DD>/<filename>`: resumable, size-verified, de-duplicated by
  sha256, published atomically, with `.sha256` and `.meta.json` sidecars.

Both retry connection errors, timeouts, truncated bodies and HTTP 429/500/502/503/504 according to
a `RetryPolicy` (honouring `Retry-After`); any other error status fails at once. What finally
fails is raised as `SourceDownloadError`, naming the source, the URL and the reason.
"""

import contextlib
import datetime
import email.utils
import hashlib
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

logger = logging.getLogger("pipelines.sources.http")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK_SIZE = 1024 * 1024
_HELPER_SUFFIXES = (".part", ".sha256", ".meta.json", ".tmp")
_DATE_DIR = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
# Query parameters whose values must never reach logs or error messages.
_SECRET_PARAM = re.compile(r"key|token|secret|password|signature", re.IGNORECASE)

T = TypeVar("T")
Sleep = Callable[[float], None]


class SourceDownloadError(RuntimeError):
    """A download failed for good (retries exhausted, or an error that retrying cannot fix)."""

    def __init__(self, source: str, url: str, reason: str):
        super().__init__(f"{source}: download of {url} failed: {reason}")
        self.source, self.url, self.reason = source, url, reason


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry. `timeout_s` applies to connect and to each read."""

    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    timeout_s: float = 30.0
    max_retry_after_s: float = 120.0

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
class LandedFile:
    """A landed file. `reused`: the content equalled the latest version, so nothing was written."""

    path: Path
    sha256: str
    size_bytes: int
    reused: bool
    url: str


class _Retryable(Exception):
    """One attempt failed in a way that another attempt may fix."""

    def __init__(self, reason: str, retry_after_s: float | None = None):
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
    shown = _display_url(url, params)

    def attempt() -> Any:
        resp = _get(
            session, url, source=source, shown=shown, policy=policy, stream=False, params=params
        )
        with resp:
            _check_status(resp, source, shown)
            try:
                return resp.json()
            except ValueError as exc:
                # Typically an HTML error or maintenance page served with status 200.
                raise SourceDownloadError(
                    source, shown, f"response is not valid JSON; body starts: {resp.text[:200]!r}"
                ) from exc

    return _with_retries(attempt, source=source, shown=shown, policy=policy, sleep=sleep)


def land_file(
    session: requests.Session,
    url: str,
    *,
    source: str,
    filename: str,
    landing_root: Path,
    today: datetime.date | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> LandedFile:
    """Download `url` into `landing_root/<source>/<date>/<filename>` (date defaults to UTC today).

    Streams into `<filename>.part`, resuming it with a Range request if an earlier attempt (or run
    the same day) was interrupted. If the content equals the latest landed version, nothing new is
    written and that version is returned with `reused=True`. Otherwise the file is published
    atomically and read-only; an existing different file of the same name is never overwritten:
    the new content lands as `<stem>.<n><suffix>`.
    """
    for what, name in (("source", source), ("filename", filename)):
        if not name or name in (".", "..") or Path(name).name != name:
            raise ValueError(f"{what} must be a plain file name, got {name!r}")
    landing_root = Path(landing_root)
    day = today or datetime.datetime.now(datetime.UTC).date()
    date_dir = landing_root / source / day.isoformat()
    date_dir.mkdir(parents=True, exist_ok=True)
    part = date_dir / f"{filename}.part"
    shown = _display_url(url)
    validators: dict[str, str] = {}  # ETag / Last-Modified of the body being assembled

    def attempt() -> None:
        offset = part.stat().st_size if part.exists() else 0
        # Identity encoding: land the bytes as served, so sizes and byte ranges mean the same thing.
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            # If-Range: if the file changed since our first bytes, the server sends it whole (200).
            if_range = _if_range(validators)
            if if_range:
                headers["If-Range"] = if_range
            logger.info("%s: resuming %s from byte %d", source, filename, offset)
        resp = _get(
            session, url, source=source, shown=shown, policy=policy, stream=True, headers=headers
        )
        with resp:
            if resp.status_code == 416 and offset:
                _, total = _parse_content_range(resp.headers.get("Content-Range", ""))
                if total == offset:
                    return  # the .part already holds the whole file
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
                    logger.info("%s: server sent all of %s; restarting from zero", source, filename)
                validators.clear()
                expected, mode = _content_length(resp), "wb"
            validators.update(
                (k, v) for k in ("ETag", "Last-Modified") if (v := resp.headers.get(k)) is not None
            )
            _stream_to(resp, part, mode, expected)

    try:
        _with_retries(attempt, source=source, shown=shown, policy=policy, sleep=sleep)
    except SourceDownloadError:
        _remove_if_empty(date_dir)  # a .part worth resuming stays; an empty folder does not
        raise

    size = part.stat().st_size
    digest = sha256_file(part)
    latest = latest_landed(landing_root, source, filename)
    if latest is not None and latest.stat().st_size == size and sha256_file(latest) == digest:
        part.unlink()
        _remove_if_empty(date_dir)
        logger.info("%s: %s unchanged (sha256 %s), reusing %s", source, filename, digest, latest)
        return LandedFile(path=latest, sha256=digest, size_bytes=size, reused=True, url=url)

    target = _free_version_path(date_dir, filename)
    os.replace(part, target)
    os.chmod(target, 0o444)
    _fsync_dir(date_dir)
    _write_sidecar(target.with_name(f"{target.name}.sha256"), f"{digest}  {target.name}\n")
    meta = {
        "url": shown,
        "fetched_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "size_bytes": size,
        "sha256": digest,
    }
    meta.update({k.lower().replace("-", "_"): v for k, v in validators.items()})
    _write_sidecar(target.with_name(f"{target.name}.meta.json"), json.dumps(meta, indent=2) + "\n")
    logger.info("%s: landed %s (%d bytes, sha256 %s)", source, target, size, digest)
    return LandedFile(path=target, sha256=digest, size_bytes=size, reused=False, url=url)


def latest_landed(landing_root: Path, source: str, filename: str) -> Path | None:
    """The newest landed version of `filename`: newest date folder, then highest `.<n>` suffix."""
    source_dir = Path(landing_root) / source
    if not source_dir.is_dir():
        return None
    date_dirs = [d for d in source_dir.iterdir() if d.is_dir() and _DATE_DIR.fullmatch(d.name)]
    for date_dir in sorted(date_dirs, key=lambda d: d.name, reverse=True):
        versions = [
            (n, p)
            for p in date_dir.iterdir()
            if p.is_file() and (n := _version_number(p.name, filename)) is not None
        ]
        if versions:
            return max(versions)[1]
    return None


# --- retries and requests -------------------------------------------------------------------


def _with_retries(
    attempt: Callable[[], T], *, source: str, shown: str, policy: RetryPolicy, sleep: Sleep
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
        # ChunkedEncodingError here is a body cut short while get_json reads it whole.
        raise _Retryable(_short(exc)) from exc
    except requests.RequestException as exc:
        raise SourceDownloadError(source, shown, _short(exc)) from exc  # e.g. a malformed URL


def _check_status(resp: requests.Response, source: str, shown: str) -> None:
    status = resp.status_code
    if status in RETRYABLE_STATUSES:
        retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        raise _Retryable(f"HTTP {status} {resp.reason}", retry_after)
    if not 200 <= status < 300:
        reason = f"HTTP {status} {resp.reason} (not retried); body starts: {_head(resp)!r}"
        raise SourceDownloadError(source, shown, reason)


def _stream_to(resp: requests.Response, part: Path, mode: str, expected: int | None) -> None:
    """Append or write the body to `part` chunk by chunk; a short body is retryable."""
    try:
        with open(part, mode) as fh:
            for chunk in _body_chunks(resp):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())  # durable before it is hashed and published
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        # What arrived stays in the .part file, so the next attempt resumes from there.
        received = part.stat().st_size
        got = f"got {received} bytes"
        if expected is not None:
            got = f"expected {expected} bytes, {got}"
        raise _Retryable(f"truncated body: {got} ({_short(exc)})") from exc
    received = part.stat().st_size
    if expected is not None and received != expected:
        if received > expected:
            part.unlink()  # more than announced: the partial file cannot be trusted
        raise _Retryable(f"truncated body: expected {expected} bytes, got {received}")


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


def _head(resp: requests.Response) -> str:
    """The first 200 characters of a (possibly streamed) body, for error messages."""
    try:
        return next(resp.iter_content(512), b"").decode("utf-8", "replace")[:200]
    except requests.RequestException:
        return ""


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _display_url(url: str, params: dict | None = None) -> str:
    """The full URL as requested, with secret-looking query values masked."""
    try:
        full = requests.Request("GET", url, params=params).prepare().url or url
    except requests.RequestException:
        return url
    parts = urlsplit(full)
    if not parts.query:
        return full
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    masked = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="*")))


# --- the landing zone -----------------------------------------------------------------------


def _version_number(name: str, filename: str) -> int | None:
    """0 for `filename` itself, n for `<stem>.<n><suffix>`, None for anything else."""
    if name == filename:
        return 0
    if name.endswith(_HELPER_SUFFIXES):
        return None
    base = Path(filename)
    m = re.fullmatch(re.escape(base.stem) + r"\.(\d+)" + re.escape(base.suffix), name)
    return int(m[1]) if m else None


def _free_version_path(date_dir: Path, filename: str) -> Path:
    target = date_dir / filename
    n = 0
    while target.exists():
        n += 1
        base = Path(filename)
        target = date_dir / f"{base.stem}.{n}{base.suffix}"
    return target


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks (landed files can be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _write_sidecar(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp")
    tmp.unlink(missing_ok=True)  # a read-only leftover from a crash would block open()
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o444)
    os.replace(tmp, path)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _remove_if_empty(directory: Path) -> None:
    # A reused download should leave no trace, not even an empty date folder.
    with contextlib.suppress(OSError):
        directory.rmdir()
