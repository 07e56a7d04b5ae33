"""MINERALS_EXECUTOR picks the executor; the Celery one reads the broker from the variables the
workers read too (deploy/celery.yaml)."""

import dagster as dg
import pytest

from pipelines.defs.serving.executors import configured_executor


def resolved(executor: dg.ExecutorDefinition) -> dict:
    """The config the executor gets in a run that sets none."""
    return executor.config_schema.resolve_config({}).value["config"]


def test_the_default_runs_in_process(monkeypatch):
    monkeypatch.delenv("MINERALS_EXECUTOR", raising=False)
    assert configured_executor() is dg.in_process_executor


def test_multiprocess_uses_every_core(monkeypatch):
    monkeypatch.setenv("MINERALS_EXECUTOR", "multiprocess")
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    executor = configured_executor()
    assert executor.name == "multiprocess"
    assert resolved(executor)["max_concurrent"] == 6


def test_celery_takes_the_broker_from_the_environment_variable_when_set(monkeypatch):
    monkeypatch.setenv("MINERALS_EXECUTOR", "celery")
    monkeypatch.setenv("MINERALS_CELERY_BROKER", "redis://:secret@redis:6379/0")
    monkeypatch.delenv("MINERALS_CELERY_BACKEND", raising=False)
    executor = configured_executor()
    assert executor.name == "celery"
    config = resolved(executor)
    assert config["broker"] == "redis://:secret@redis:6379/0"
    assert config["backend"] == "redis://localhost:6379/0"  # the registry default


def test_an_unknown_executor_is_named_with_the_choices(monkeypatch):
    monkeypatch.setenv("MINERALS_EXECUTOR", "dask")
    with pytest.raises(ValueError, match="in_process, multiprocess, celery, not 'dask'"):
        configured_executor()
