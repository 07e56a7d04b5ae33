"""Real Redis and Postgres servers from Debian's packages, on loopback, for the distributed test.

Each is started in a folder of its own on a free port and stopped (and its folder removed) when the
context ends. Postgres refuses to run as root, so as root its files belong to, and it runs as, the
`postgres` user the Debian package creates.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REQUIRE_ENV = "MINERALS_REQUIRE_SERVICES"  # set by .ci/run: a missing server fails, not skips


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not listen on 127.0.0.1:{port} within {timeout_s:.0f} s")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def missing_servers() -> list[str]:
    missing = [] if shutil.which("redis-server") else ["redis-server (Debian's redis-server)"]
    if postgres_bin() is None:
        missing.append("pg_ctl (Debian's postgresql)")
    return missing


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A Redis on loopback with nothing saved to disk; yields its URL."""
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="minerals-redis-"))
    proc = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, "redis-server")
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(user: str = "dagster", db: str = "dagster") -> Iterator[dict[str, str]]:
    """A Postgres cluster on loopback (trust auth) with database `db`; yields the DAGSTER_PG_*
    variables deploy/dagster.yaml reads."""
    bin_dir = postgres_bin()
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="minerals-pg-"))
    data = work / "data"
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(work, "postgres")
        work.chmod(0o700)

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, text=True)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {work} -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(work / "log"), "-w",
        "start")  # fmt: skip
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, db)
        yield {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(port),
            "DAGSTER_PG_DB": db,
            "DAGSTER_PG_USERNAME": user,
            "DAGSTER_PG_PASSWORD": "unused-with-trust-auth",
        }
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(work, ignore_errors=True)
