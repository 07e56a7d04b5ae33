"""The landing zone: immutable copies of every source file live mode read, and their index.

Layout under `<landing_root>/<source>/`:

- `<YYYY-MM-DD>/<sha256[:12]>/<filename>`: one landed version, under the publisher's own file
  name (readers recognise it), read-only, never overwritten;
- `index.jsonl`: one line per landed version (filename, path, sha256, size, URL, ETag,
  Last-Modified, fetched_at, origin), appended atomically. Versions are found through the index,
  never by guessing file names; the newest entry for a file name is the version live mode reads.
- `.incoming/<filename>.part`: a download in progress, resumed by the next attempt or run.

`land_file` asks the server with the newest version's ETag / Last-Modified first: a 304, or a
body whose sha256 equals the newest version, lands nothing new. A body that fails its check
(an HTML page where a zip was expected) is deleted and never lands under the real name.

Landed versions are immutable but not kept forever: after a publish, `retain` keeps the last N
versions of each file (MINERALS_LANDING_KEEP) and every version the published warehouse was
built from, and deletes the others with their index entries. `disk_usage` says what each
source holds.
"""

import contextlib
import datetime
import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError
from pipelines.lib.sources.http import (
    DEFAULT_POLICY,
    RetryPolicy,
    Sleep,
    body_problem,
    display_url,
    download,
)

logger = logging.getLogger("pipelines.sources.landing")

INDEX = "index.jsonl"
INCOMING = ".incoming"
CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class LandedFile:
    """A landed version. `reused`: nothing new was written (304, or the same sha256)."""

    path: Path
    sha256: str
    size_bytes: int
    reused: bool
    url: str
    etag: str | None = None
    last_modified: str | None = None


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks (landed files can be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def combined_version(digests) -> str:
    """One version string for a set of inputs: the sha256 of their sorted sha256s. A raw asset
    reports it as its Dagster data version, so what is downstream of unchanged inputs is not
    stale."""
    return hashlib.sha256("\n".join(sorted(set(digests))).encode()).hexdigest()


def frame_version(frame: pl.DataFrame) -> str:
    """The version of records an API returned (no file to hash): the sha256 of the frame as CSV,
    rows and columns sorted, so the same answer in another order is the same version."""
    ordered = frame.select(sorted(frame.columns))
    return hashlib.sha256(ordered.sort(ordered.columns).write_csv().encode()).hexdigest()


def versions(landing_root: Path, source: str, filename: str | None = None) -> list[dict]:
    """Index entries of `source` (only `filename`'s when given), oldest first."""
    index = Path(landing_root) / source / INDEX
    if not index.exists():
        return []
    entries = []
    for n, line in enumerate(index.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            # Only a crash in the middle of an append can leave this: the entry never counted.
            logger.warning("%s: %s line %d is not JSON; ignored", source, index, n)
            continue
        if filename is None or entry.get("filename") == filename:
            entries.append(entry)
    return entries


def latest_version(landing_root: Path, source: str, filename: str) -> LandedFile | None:
    """The newest landed version of `filename` whose file is still there, or None."""
    root = Path(landing_root) / source
    for entry in reversed(versions(landing_root, source, filename)):
        path = root / entry["path"]
        if path.is_file():
            return LandedFile(
                path=path,
                sha256=entry["sha256"],
                size_bytes=entry["size_bytes"],
                reused=True,
                url=entry.get("url", ""),
                etag=entry.get("etag"),
                last_modified=entry.get("last_modified"),
            )
        logger.warning("%s: landed version %s is missing; looking further back", source, path)
    return None


def land_file(
    session: requests.Session,
    url: str,
    *,
    source: str,
    filename: str,
    landing_root: Path,
    expect: str | None = None,
    today: datetime.date | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> LandedFile:
    """Download `url` as a new version of `filename` unless it did not change.

    `expect` ("csv", "zip", "xlsx", "json") is the kind of file the body must be.
    """
    _check_names(source, filename)
    landing_root = Path(landing_root)
    latest = latest_version(landing_root, source, filename)
    shown = display_url(url)
    conditional = None
    if latest is not None and latest.url == shown:
        conditional = {"etag": latest.etag, "last_modified": latest.last_modified}
    part = landing_root / source / INCOMING / f"{filename}.part"
    got = download(
        session,
        url,
        part,
        source=source,
        expect=expect,
        conditional=conditional,
        policy=policy,
        sleep=sleep,
    )
    if got.not_modified:
        assert latest is not None  # conditional headers are only sent when there is one
        logger.info("%s: %s not modified (HTTP 304), reusing %s", source, filename, latest.path)
        return latest
    return _publish(
        part,
        source=source,
        filename=filename,
        landing_root=landing_root,
        latest=latest,
        today=today,
        url=shown,
        etag=got.etag,
        last_modified=got.last_modified,
        origin="download",
    )


def land_local(
    path: Path,
    *,
    source: str,
    landing_root: Path,
    origin: str,
    expect: str | None = None,
    today: datetime.date | None = None,
) -> LandedFile:
    """Land a file the user put somewhere (an inbox) the same way as a download: `expect`
    ("csv", "zip", "xlsx", "json") is checked first, as a download's body is, so an HTML page
    saved under the workbook's name is an error and never becomes a landed version."""
    path = Path(path)
    _check_names(source, path.name)
    if expect is not None and (problem := body_problem(path, expect)):
        raise SourceDataError(source, str(path), f"not landed: {problem}")
    part = Path(landing_root) / source / INCOMING / f"{path.name}.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, part)
    latest = latest_version(landing_root, source, path.name)
    return _publish(
        part,
        source=source,
        filename=path.name,
        landing_root=Path(landing_root),
        latest=latest,
        today=today,
        url=path.resolve().as_uri(),
        etag=None,
        last_modified=None,
        origin=origin,
    )


def _publish(
    part: Path,
    *,
    source: str,
    filename: str,
    landing_root: Path,
    latest: LandedFile | None,
    today: datetime.date | None,
    url: str,
    etag: str | None,
    last_modified: str | None,
    origin: str,
) -> LandedFile:
    size = part.stat().st_size
    digest = sha256_file(part)
    entry = {
        "filename": filename,
        "sha256": digest,
        "size_bytes": size,
        "url": url,
        "etag": etag,
        "last_modified": last_modified,
        "fetched_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "origin": origin,
    }
    source_dir = landing_root / source
    if latest is not None and latest.sha256 == digest:
        part.unlink()
        logger.info(
            "%s: %s unchanged (sha256 %s), reusing %s", source, filename, digest, latest.path
        )
        if (etag, last_modified) != (latest.etag, latest.last_modified):
            # Same bytes, new validators: remember them so the next check can be a 304.
            _append(source_dir / INDEX, {**entry, "path": _rel(latest.path, source_dir)})
        return LandedFile(latest.path, digest, size, True, url, etag, last_modified)
    day = today or datetime.datetime.now(datetime.UTC).date()
    target = source_dir / day.isoformat() / digest[:12] / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # the same bytes landed earlier today, then an older version came back
        part.unlink()
    else:
        os.replace(part, target)
        os.chmod(target, 0o444)
        _fsync_dir(target.parent)
    _append(source_dir / INDEX, {**entry, "path": _rel(target, source_dir)})
    logger.info("%s: landed %s (%d bytes, sha256 %s)", source, target, size, digest)
    return LandedFile(target, digest, size, False, url, etag, last_modified)


def _check_names(source: str, filename: str) -> None:
    for what, name in (("source", source), ("filename", filename)):
        if not name or name in (".", "..") or Path(name).name != name or name == INDEX:
            raise ValueError(f"{what} must be a plain file name, got {name!r}")


def _rel(path: Path, source_dir: Path) -> str:
    return path.relative_to(source_dir).as_posix()


def _append(index: Path, entry: dict) -> None:
    # One write of one line with O_APPEND: a crash leaves at most a partial last line.
    line = (json.dumps(entry, sort_keys=True) + "\n").encode()
    fd = os.open(index, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


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


def retain(landing_root: Path, *, keep_last: int, keep_sha256: set[str]) -> list[Path]:
    """Delete every landed version that is neither among the last `keep_last` of its file name
    nor one of `keep_sha256` (those the published warehouse was built from); their index entries
    go with them (the index is rewritten atomically). Returns the files deleted."""
    if keep_last < 1:
        raise ValueError(f"keep_last must be >= 1 (the newest version is always kept): {keep_last}")
    deleted = []
    for index in sorted(Path(landing_root).glob(f"*/{INDEX}")):
        source_dir = index.parent
        entries = versions(landing_root, source_dir.name)
        newest_first: dict[str, list[str]] = {}  # file name -> its distinct paths, newest first
        for entry in reversed(entries):
            paths = newest_first.setdefault(entry["filename"], [])
            if entry["path"] not in paths:
                paths.append(entry["path"])
        keep = {e["path"] for e in entries if e["sha256"] in keep_sha256}
        keep |= {p for paths in newest_first.values() for p in paths[:keep_last]}
        gone = [p for paths in newest_first.values() for p in paths if p not in keep]
        if not gone:
            continue
        kept = [e for e in entries if e["path"] in keep]
        tmp = index.with_name(f".{INDEX}.{os.getpid()}.tmp")
        tmp.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in kept))
        os.replace(tmp, index)  # the index first: it never names a deleted file
        for rel in gone:
            path = source_dir / rel
            path.unlink(missing_ok=True)
            for folder in (path.parent, path.parent.parent):  # <date>/<sha>/, then <date>/
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty
            deleted.append(path)
            logger.info("%s: deleted landed version %s (retention)", source_dir.name, path)
    return deleted


@dataclass(frozen=True)
class SourceDisk:
    source: str
    versions: int  # landed files
    version_bytes: int
    partial_bytes: int  # downloads in progress or cut off, in .incoming/ (resumed next time)


def disk_usage(landing_root: Path) -> list[SourceDisk]:
    """What each source's landing folder holds on disk."""
    out = []
    for source_dir in sorted(p for p in Path(landing_root).glob("*") if p.is_dir()):
        files = [p for p in source_dir.rglob("*") if p.is_file() and p.name != INDEX]
        partial = [p for p in files if INCOMING in p.relative_to(source_dir).parts]
        landed = [p for p in files if p not in partial]
        out.append(
            SourceDisk(
                source_dir.name,
                len(landed),
                sum(p.stat().st_size for p in landed),
                sum(p.stat().st_size for p in partial),
            )
        )
    return out
