"""How a run's steps execute, chosen by MINERALS_EXECUTOR when the definitions load.

- `in_process` (default): every step in the run's own process, one after another.
- `multiprocess`: a process per step, as many at once as this machine has cores, each forked
  from a server that has imported Dagster once (FORKSERVER_PRELOAD).
- `celery`: each step is a Celery task (Redis broker) picked up by `dagster-celery` workers on
  any machine that has the same code, the same Dagster instance (Postgres: `deploy/dagster.yaml`)
  and the warehouse directory and lake (`deploy/README.md`).

Steps in other processes share the DuckDB build file through `Warehouse.connect`'s lock (DuckDB
has one writer per file); the trade partitions' Parquet files in the lake need no lock.
"""

import os

import dagster as dg

from pipelines.dagster_compat import SQLITE_STORAGE_MODULES
from pipelines.lib import settings

EXECUTORS = ("in_process", "multiprocess", "celery")

# The multiprocess executor forks each step's process from a server that imported these once
# (Dagster's `forkserver` start method), instead of spawning a fresh interpreter that imports
# them per step. Not the definitions: importing Polars starts threads (jemalloc's, its
# out-of-core cleaner) and Polars is not fork-safe; a step forked after it hung in its first read.
FORKSERVER_PRELOAD = [
    "dagster",
    *SQLITE_STORAGE_MODULES,  # private module names: pipelines/dagster_compat.py
    "alembic.runtime.migration",
    "pipelines.lib.run_history",
]


def _setting(field: str):
    return next(s for s in settings.all_settings() if s.resource == "run" and s.field == field)


def _config_source(field: str) -> str | dict:
    """The variable itself when set, so a broker password stays out of the run's config."""
    setting = _setting(field)
    return {"env": setting.env} if settings.is_set(setting.env) else setting.default


def executor_name() -> str:
    """MINERALS_EXECUTOR, else the registry's default (`in_process`)."""
    return settings.executor()


def configured_executor(name: str | None = None) -> dg.ExecutorDefinition:
    """The executor named by MINERALS_EXECUTOR (or `name`)."""
    name = name or executor_name()
    if name == "in_process":
        return dg.in_process_executor
    if name == "multiprocess":
        return dg.multiprocess_executor.configured(
            {
                "max_concurrent": os.cpu_count() or 1,
                "start_method": {"forkserver": {"preload_modules": FORKSERVER_PRELOAD}},
            }
        )
    if name == "celery":
        from dagster_celery import celery_executor

        # the same settings the workers read from deploy/celery.yaml
        return celery_executor.configured(
            {"broker": _config_source("broker"), "backend": _config_source("backend")}
        )
    raise ValueError(f"MINERALS_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {name!r}")
