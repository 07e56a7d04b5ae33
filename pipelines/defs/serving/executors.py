"""How a run's steps execute, chosen by MINERALS_EXECUTOR when the definitions load.

- `in_process` (default): every step in the run's own process, one after another.
- `multiprocess`: a process per step, as many at once as this machine has cores, each forked
  from a server that has imported Dagster once (FORKSERVER_PRELOAD).
- `celery`: each step is a Celery task (Redis broker) picked up by `dagster-celery` workers on
  any machine that has the same code, the same Dagster instance (Postgres: `deploy/dagster.yaml`)
  and the warehouse directory and lake (`deploy/README.md`).

Steps in other processes share the DuckDB build file through `Warehouse.connect`'s lock (DuckDB
has one writer per file); the trade partitions' Parquet files in the lake need no lock.

Whichever executor runs it, a run holds the warehouse's refresh lock (`lib/refresh_lock.py`) in
the process that orchestrates it, from its first step to its last (`one_writer`): a run that a
schedule, sensor, backfill or the UI launched while another refresh writes the warehouse waits
for it (MINERALS_WRITER_WAIT_S), saying so in its log, and a `minerals refresh` started while
such a run writes refuses, naming it. Dagster's run queue (`concurrency: runs:` in the
instance's dagster.yaml) only orders the runs submitted through it, not the CLI's.
"""

import os
from pathlib import Path

import dagster as dg

from pipelines.dagster_compat import SQLITE_STORAGE_MODULES
from pipelines.lib import settings
from pipelines.lib.refresh_lock import refresh_lock

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
    """The executor named by MINERALS_EXECUTOR (or `name`), holding the refresh lock."""
    name = name or executor_name()
    if name == "in_process":
        return one_writer(dg.in_process_executor)
    if name == "multiprocess":
        return one_writer(dg.multiprocess_executor).configured(
            {
                "max_concurrent": os.cpu_count() or 1,
                "start_method": {"forkserver": {"preload_modules": FORKSERVER_PRELOAD}},
            }
        )
    if name == "celery":
        from dagster_celery import celery_executor

        # the same settings the workers read from deploy/celery.yaml
        return one_writer(celery_executor).configured(
            {"broker": _config_source("broker"), "backend": _config_source("backend")}
        )
    raise ValueError(f"MINERALS_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {name!r}")


def one_writer(inner: dg.ExecutorDefinition) -> dg.ExecutorDefinition:
    """`inner`, its runs holding the warehouse's refresh lock while they execute."""
    return dg.ExecutorDefinition(
        name=inner.name,
        config_schema=inner.config_schema,
        requirements=inner.get_requirements,
        executor_creation_fn=lambda context: _OneWriter(inner.executor_creation_fn(context)),
        description=inner.description,
    )


def launched_by(tags: dict[str, str]) -> str:
    """Who started a run, in words, from Dagster's tags."""
    for tag, what in (
        ("dagster/schedule_name", "schedule"),
        ("dagster/sensor_name", "sensor"),
        ("dagster/backfill", "backfill"),
    ):
        if tags.get(tag):
            return f"{what} {tags[tag]}"
    return "launched from the Dagster UI or CLI"


def _warehouse_of(run_config: dict) -> Path:
    """The warehouse folder a run writes: its run config's (the CLI passes its own), else
    MINERALS_WAREHOUSE_DIR's, as the warehouse resource reads it."""
    config = run_config.get("resources", {}).get("warehouse", {}).get("config", {})
    directory = config.get("directory")
    return Path(directory) if isinstance(directory, str) else settings.warehouse_dir()


class _OneWriter(dg.Executor):
    def __init__(self, inner: dg.Executor):
        self._inner = inner

    def __getattr__(self, name: str):  # what an executor's own loop reads (Celery's app_args)
        return getattr(self._inner, name)

    @property
    def retries(self):
        return self._inner.retries

    @property
    def step_dependency_config(self):
        return self._inner.step_dependency_config

    def execute(self, plan_context, execution_plan):
        run = plan_context.dagster_run
        holder = f"Dagster run {run.run_id[:8]}, {launched_by(run.tags)}"
        wait_s = float(settings.read(_setting("writer_wait_s").env))

        def waiting(why: str) -> None:
            plan_context.log.warning(f"waiting up to {wait_s:g} s for the warehouse: {why}")

        directory = _warehouse_of(plan_context.run_config)
        with refresh_lock(directory, holder=holder, wait_s=wait_s, on_wait=waiting):
            yield from self._inner.execute(plan_context, execution_plan)
