"""One refresh at a time: an exclusive lock on `<warehouse dir>/.refresh.lock`.

The lock is an `fcntl.flock` held for the whole refresh, so the kernel releases it when the
process ends, however it ends (a killed refresh never leaves a stale lock). The file records who
holds it, so the next refresh can say who is running and since when.
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

LOCK_NAME = ".refresh.lock"


class RefreshRunning(RuntimeError):
    """Another refresh holds the lock."""


def _describe(holder: str, lock_path: Path) -> str:
    try:
        info = json.loads(holder)
        started = datetime.fromisoformat(info["started_at"]).astimezone()
        when = started.strftime(
            "%H:%M" if started.date() == datetime.now().date() else "%Y-%m-%d %H:%M"
        )
        who = f"a refresh started at {when} by PID {info['pid']}"
    except (ValueError, KeyError, TypeError):  # caught between its lock and its write
        who = "another refresh"
    return f"{who} is still running (lock {lock_path}); wait for it to finish, then try again"


@contextmanager
def refresh_lock(directory: Path | str) -> Iterator[Path]:
    """Hold the refresh lock of the warehouse in `directory`, or raise RefreshRunning."""
    path = Path(directory) / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            raise RefreshRunning(_describe(f.read(), path)) from None
        try:
            f.seek(0)
            f.truncate()
            f.write(
                json.dumps(
                    {"pid": os.getpid(), "started_at": datetime.now().astimezone().isoformat()}
                )
            )
            f.flush()
            yield path
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
