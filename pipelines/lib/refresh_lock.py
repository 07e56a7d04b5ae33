"""One writer at a time: an exclusive lock on `<warehouse dir>/.refresh.lock`.

Every run that writes the warehouse holds it for its whole length, whatever started it:
`minerals refresh` takes it before it runs anything, and the runs Dagster launches (schedules,
sensors, backfills, the UI) take it in the process that orchestrates them, through the executor
(`pipelines/defs/serving/executors.py`). A refresh that finds it held refuses at once, naming the
one running; a launched run waits for it, saying so in its log, up to a bound.

The lock is an `fcntl.flock` held for the whole run, so the kernel releases it when the process
ends, however it ends (a killed refresh never leaves a stale lock). The file records who holds
it, so the next one can say who is running and since when. Nested holds in one process (the CLI,
then the executor of the run it starts) share it.
"""

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

LOCK_NAME = ".refresh.lock"
# lock path -> [open lock file, depth]: the holds of this process
_held: dict[Path, list] = {}


class RefreshRunning(RuntimeError):
    """Another refresh holds the lock."""


def _describe(holder: str, lock_path: Path) -> str:
    try:
        info = json.loads(holder)
        started = datetime.fromisoformat(info["started_at"]).astimezone()
        when = started.strftime(
            "%H:%M" if started.date() == datetime.now().date() else "%Y-%m-%d %H:%M"
        )
        what = f" ({info['holder']})" if info.get("holder") else ""
        who = f"a refresh started at {when} by PID {info['pid']}{what}"
    except (ValueError, KeyError, TypeError):  # caught between its lock and its write
        who = "another refresh"
    return f"{who} is still running (lock {lock_path}); wait for it to finish, then try again"


@contextmanager
def refresh_lock(
    directory: Path | str,
    *,
    holder: str = "",
    wait_s: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the refresh lock of the warehouse in `directory`, or raise RefreshRunning.

    `holder` says who holds it (shown to whoever finds it held). With `wait_s`, wait that long
    for it (calling `on_wait` once with who holds it) before raising.
    """
    path = Path(directory).resolve() / LOCK_NAME
    if path in _held:  # this process holds it already
        _held[path][1] += 1
        try:
            yield path
        finally:
            _held[path][1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                f.seek(0)
                why = _describe(f.read(), path)
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait_s:g} s)" if wait_s else ""
                    raise RefreshRunning(why + waited) from None
                if on_wait is not None:
                    on_wait(why)
                    on_wait = None
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        _held[path] = [f, 1]
        try:
            f.seek(0)
            f.truncate()
            started = datetime.now().astimezone().isoformat()
            f.write(json.dumps({"pid": os.getpid(), "started_at": started, "holder": holder}))
            f.flush()
            yield path
        finally:
            del _held[path]
            fcntl.flock(f, fcntl.LOCK_UN)
