"""The private Dagster APIs the project uses are all in pipelines/dagster_compat.py, and an
upgrade that moves or changes one fails here naming it."""

import ast
from contextlib import contextmanager

import pytest

from pipelines import dagster_compat
from pipelines.lib.paths import PROJECT_ROOT

# Dagster's private attributes the compat module touches: nowhere else may
PRIVATE_ATTRIBUTES = {"_connect", "_initdb", "_db_lock", "_initialized_dbs", "_base_dir"}


def test_the_installed_dagster_has_every_private_api_the_project_uses():
    found = dagster_compat.problems()
    assert not found, "Dagster upgrade broke private APIs:\n" + "\n".join(found)


def test_a_changed_connect_is_named(monkeypatch):
    original = dagster_compat.SqliteEventLogStorage._connect

    @contextmanager
    def _connect(self, shard):  # Dagster rewrote the method the compat subclass repeats
        with original(self, shard) as conn:
            yield conn

    monkeypatch.setattr(dagster_compat.SqliteEventLogStorage, "_connect", _connect)
    (problem,) = dagster_compat.problems()
    assert problem.startswith("SqliteEventLogStorage._connect: its source changed")


def test_a_removed_method_is_named(monkeypatch):
    monkeypatch.delattr(dagster_compat.SqliteEventLogStorage, "_initdb")
    assert "SqliteEventLogStorage._initdb: no longer exists" in dagster_compat.problems()


def test_a_moved_private_name_fails_at_import_naming_it():
    with pytest.raises(dagster_compat.DagsterCompatError, match=r"no dagster\._core\.nowhere\.X"):
        dagster_compat._private("dagster._core.nowhere", "X")
    with pytest.raises(dagster_compat.DagsterCompatError, match="LoadingContextForTest_v2"):
        dagster_compat._private("dagster._core.loader", "LoadingContextForTest_v2")


def python_files():
    for folder in ("pipelines", "tests", "benchmarks", "scripts"):
        yield from (PROJECT_ROOT / folder).rglob("*.py")


def test_no_other_module_imports_dagster_internals():
    offenders = []
    for path in python_files():
        if path.name in ("dagster_compat.py", "test_dagster_compat.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dagster._"):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}: from {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{path.relative_to(PROJECT_ROOT)}: import {a.name}"
                    for a in node.names
                    if a.name.startswith("dagster._")
                ]
            elif isinstance(node, ast.Constant) and str(node.value).startswith("dagster._"):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}: {node.value!r}")
            elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}: .{node.attr}")
    assert offenders == []
