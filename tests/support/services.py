"""Real Redis and Postgres servers from Debian's packages, on loopback, for the distributed test.

Each is started in a folder of its own on a free port and stopped (and its folder removed) when the
context ends. Postgres refuses to run as root, so as root its files belong to, and it runs as, the
`postgres` user the Debian package creates.
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
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


class RedisServer:
    """A Redis on loopback with nothing saved to disk (a restart loses every queued message and
    stored result, as a broker without persistence does)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.work = Path(tempfile.mkdtemp(prefix="minerals-redis-"))
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.work)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port, "redis-server")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


@contextlib.contextmanager
def redis_server(handle: bool = False) -> Iterator:
    """A Redis on loopback; yields its URL (the RedisServer with `handle`, to restart it)."""
    server = RedisServer()
    server.start()
    try:
        yield server if handle else server.url
    finally:
        server.stop()
        shutil.rmtree(server.work, ignore_errors=True)


class PostgresServer:
    """A Postgres cluster on loopback (trust auth); `env` holds the DAGSTER_PG_* variables
    deploy/dagster.yaml reads. Postgres refuses to run as root: as root its files belong to,
    and it runs as, the `postgres` user the Debian package creates."""

    def __init__(self, user: str = "dagster", db: str = "dagster"):
        self.bin_dir = postgres_bin()
        self.port = free_port()
        self.work = Path(tempfile.mkdtemp(prefix="minerals-pg-"))
        self.data = self.work / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.work, "postgres")
            self.work.chmod(0o700)
        self.run("initdb", "-D", str(self.data), "-U", user, "--auth=trust", "-E", "UTF8")
        self.user, self.db = user, db
        self.env = {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": db,
            "DAGSTER_PG_USERNAME": user,
            "DAGSTER_PG_PASSWORD": "unused-with-trust-auth",
        }

    def run(self, program: str, *args: str) -> None:
        command = [*self.as_postgres, str(self.bin_dir / program), *args]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.work} -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.work / "log"),
                 "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextlib.contextmanager
def postgres_server(user: str = "dagster", db: str = "dagster", handle: bool = False) -> Iterator:
    """A Postgres cluster on loopback with database `db`; yields the DAGSTER_PG_* variables
    deploy/dagster.yaml reads (the PostgresServer with `handle`, to stop and start it)."""
    server = PostgresServer(user, db)
    server.start()
    try:
        server.run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", user, db)
        yield server if handle else server.env
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped by the test
            server.stop()
        shutil.rmtree(server.work, ignore_errors=True)


@contextlib.contextmanager
def celery_workers(
    names: tuple[str, ...], env: dict[str, str], log_dir: Path, timeout_s: float = 120.0
) -> Iterator[dict[str, subprocess.Popen]]:
    """`dagster-celery` workers (one process each, deploy/celery.yaml), ready when yielded;
    yields {name: its process, the leader of its process group}. A worker that exits before it
    is ready fails with its log (`<log_dir>/<name>.log`)."""
    bin_dir = Path(sys.executable).parent
    config = Path(__file__).resolve().parents[2] / "deploy" / "celery.yaml"
    env = dict(env, PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")  # it runs `celery`
    logs = [log_dir / f"{name}.log" for name in names]
    workers = [
        subprocess.Popen(
            [
                str(bin_dir / "dagster-celery"),
                "worker",
                "start",
                "-A",
                "dagster_celery.app",
                "-y",
                str(config),
                "--name",
                name,
                "--",
                "--concurrency=1",
            ],
            cwd=log_dir,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the CLI does not pass signals on to its celery child
        )  # fmt: skip
        for name, log in zip(names, logs, strict=True)
    ]
    try:
        deadline = time.monotonic() + timeout_s
        # Celery prints `<name>@<host> ready.` once it listens to the broker
        while not all(" ready." in log.read_text() for log in logs):
            for worker, log in zip(workers, logs, strict=True):
                if worker.poll() is not None:
                    raise RuntimeError(
                        f"Celery worker exited ({worker.returncode}):\n{log.read_text()[-3000:]}"
                    )
            if time.monotonic() > deadline:
                raise TimeoutError(f"Celery workers not ready in {timeout_s:.0f} s: see {logs}")
            time.sleep(0.5)
        yield dict(zip(names, workers, strict=True))
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)


def pool_process(worker: subprocess.Popen) -> int:
    """The PID of the process a Celery worker runs its task in (its pool's child): under the
    `dagster-celery` command (the group's leader) runs `celery worker`, and under it the pool."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == worker.pid:  # in the worker's process group
                parents[int(stat.parent.name)] = int(fields[1])
    master = [pid for pid, parent in parents.items() if parent == worker.pid]
    (child,) = [pid for pid, parent in parents.items() if parent in master]
    return child


@contextlib.contextmanager
def dagster_daemon(env: dict[str, str], log: Path, timeout_s: float = 120.0) -> Iterator[None]:
    """`dagster-daemon run` on the project's workspace (the run queue, schedules, sensors), ready
    when yielded: it launches queued runs as a deployment's daemon does."""
    bin_dir = Path(sys.executable).parent
    root = Path(__file__).resolve().parents[2]
    with open(log, "w") as out:
        daemon = subprocess.Popen(
            [str(bin_dir / "dagster-daemon"), "run", "-w", str(root / "workspace.yaml")],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its code server and run workers stop with it
        )
    try:
        deadline = time.monotonic() + timeout_s
        while "QueuedRunCoordinatorDaemon" not in log.read_text():
            if daemon.poll() is not None:
                raise RuntimeError(f"dagster-daemon exited:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"dagster-daemon not ready in {timeout_s:.0f} s: see {log}")
            time.sleep(0.5)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
