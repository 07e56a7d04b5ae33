"""Every private Dagster API the project uses, in this one module (verified on dagster==1.13.27).

Dagster's public API is `import dagster as dg` and what its API docs list; names under
`dagster._*` and attributes starting with `_` are private and may change in any release. Where
1.13 has no public way to do what the project needs, the private name is imported or touched
here, and only here, with why:

- run history (`pipelines/lib/run_history.py`): Dagster's SQLite event log builds an engine per
  write; the project keeps one per shard. That is a subclass of `SqliteEventLogStorage` (listed
  under "Internals" in Dagster's API docs, which says APIs from submodules are not stable) whose
  `_connect` takes the shard's engine from `shard_engine(shard)`: `SqliteEventLogWithEngines`.
- staleness (`pipelines/defs/serving/incremental.py`): "Materialize stale" has no public Python
  API; `RunRequest(stale_assets_only=True)` exists only for schedules and sensors run by the
  daemon. `stale_or_missing` asks Dagster's own resolver (the one the UI and the daemon use).
- the forkserver preload (`pipelines/defs/serving/executors.py`): the SQLite storage modules a
  step imports, preloaded once: `SQLITE_STORAGE_MODULES`.

`problems()` lists what an installed Dagster no longer has (import paths, attributes, the
signatures called, and the source of the one method `SqliteEventLogWithEngines` repeats);
`tests/unit/test_dagster_compat.py` fails with that list on an upgrade that breaks any of them.
An import that fails here raises `DagsterCompatError` naming the API and this file.
"""

import hashlib
import importlib
import inspect
import textwrap
from collections.abc import Callable, Iterable
from contextlib import contextmanager

import dagster as dg

VERIFIED_ON = "1.13.27"


class DagsterCompatError(ImportError):
    """A private Dagster API this project relies on is missing from the installed Dagster."""


def _missing(api: str, error: Exception) -> DagsterCompatError:
    return DagsterCompatError(
        f"dagster {dg.__version__} has no {api} (used by the project, verified on dagster "
        f"{VERIFIED_ON}; see pipelines/dagster_compat.py): {error}"
    )


def _private(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise _missing(f"{module}.{name}", exc) from exc


# --- the SQLite event log -----------------------------------------------------------------------
_EVENT_LOG_MODULE = "dagster._core.storage.event_log.sqlite.sqlite_event_log"
SqliteEventLogStorage = _private(_EVENT_LOG_MODULE, "SqliteEventLogStorage")
INDEX_SHARD_NAME = _private(_EVENT_LOG_MODULE, "INDEX_SHARD_NAME")
SQLITE_BUSY_TIMEOUT_SECONDS = _private(
    "dagster._core.storage.sqlite", "SQLITE_BUSY_TIMEOUT_SECONDS"
)
ConfigurableClassData = _private("dagster._serdes", "ConfigurableClassData")

# sha256 of Dagster's `SqliteEventLogStorage._connect` source (dedented) as verified: the
# override below repeats its steps, so a change there must be read before this is updated
CONNECT_SOURCE_SHA256 = "32c43750d4b7e288923a00303419c0c83280972c04630c8e575b54afd5eef880"


class SqliteEventLogWithEngines(SqliteEventLogStorage):
    """Dagster's SQLite event log whose connections come from `shard_engine(shard)` (a subclass
    keeps engines) instead of a new engine per call. Every other step of Dagster's `_connect` is
    kept: its lock, its schema set-up once per shard, one transaction per use."""

    def shard_engine(self, shard: str):
        """The SQLAlchemy engine of a shard; called under Dagster's lock."""
        raise NotImplementedError

    @contextmanager
    def _connect(self, shard: str):
        with self._db_lock:
            engine = self.shard_engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn


# --- staleness ----------------------------------------------------------------------------------
_DATA_VERSION_MODULE = "dagster._core.definitions.data_version"
CachingStaleStatusResolver = _private(_DATA_VERSION_MODULE, "CachingStaleStatusResolver")
StaleStatus = _private(_DATA_VERSION_MODULE, "StaleStatus")
# a loading context for one instance outside a webserver request; Dagster names it "ForTest"
# but it is the only one that needs no workspace
LoadingContextForTest = _private("dagster._core.loader", "LoadingContextForTest")


def asset_graph(job: dg.JobDefinition):
    """The job's asset graph (`JobDefinition.asset_layer` is not in the API docs)."""
    return job.asset_layer.asset_graph


def job_asset_keys(job: dg.JobDefinition) -> list[dg.AssetKey]:
    """The assets the job materializes."""
    return sorted(job.asset_layer.executable_asset_keys)


def stale_or_missing(
    instance: dg.DagsterInstance, graph, keys: Iterable[dg.AssetKey]
) -> list[dg.AssetKey]:
    """The `keys` Dagster reports STALE or MISSING in `graph` (any partition, for partitioned
    assets): what the UI's "Materialize stale" would run."""
    resolver = CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance))
    out = []
    for key in keys:
        node = graph.get(key)
        partitions = (
            node.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
            if node.is_partitioned
            else [None]
        )
        if any(
            resolver.get_status(key, p) in (StaleStatus.STALE, StaleStatus.MISSING)
            for p in partitions
        ):
            out.append(key)
    return out


def stale_status(instance: dg.DagsterInstance, graph, key: dg.AssetKey) -> str:
    """Dagster's staleness of one unpartitioned asset: "FRESH", "STALE" or "MISSING"."""
    resolver = CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance))
    return resolver.get_status(key).name


# --- the forkserver preload ---------------------------------------------------------------------
# What a step's process imports to open the instance's SQLite storages (run, event log, schedule)
SQLITE_STORAGE_MODULES = (
    "dagster._core.storage.runs.sqlite.sqlite_run_storage",
    _EVENT_LOG_MODULE,
    "dagster._core.storage.schedules.sqlite.sqlite_schedule_storage",
)


# --- verification -------------------------------------------------------------------------------
def _parameters(function: Callable) -> list[str]:
    return [p for p in inspect.signature(function).parameters if p != "self"]


def connect_source_sha256() -> str:
    source = textwrap.dedent(inspect.getsource(SqliteEventLogStorage._connect))
    return hashlib.sha256(source.encode()).hexdigest()


def problems() -> list[str]:
    """What the installed Dagster lacks of the private APIs above (empty when all is there)."""
    found = []

    def expect(ok: bool, api: str, what: str) -> None:
        if not ok:
            found.append(f"{api}: {what}")

    for module in SQLITE_STORAGE_MODULES:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            found.append(f"{module}: cannot be imported ({exc})")

    # attributes SqliteEventLogWithEngines uses, set by Dagster's __init__
    try:
        with _temporary_event_log() as storage:
            for attribute in ("_db_lock", "_initialized_dbs"):
                expect(
                    hasattr(storage, attribute),
                    f"SqliteEventLogStorage.{attribute}",
                    "no longer set by __init__",
                )
    except Exception as exc:  # report it with the rest, not instead of the rest
        found.append(f"SqliteEventLogStorage(base_dir): raised {exc!r}")
    for method, parameters in {
        "_connect": ["shard"],
        "_initdb": ["engine", "for_index_shard"],
        "conn_string_for_shard": ["shard_name"],
        "has_table": ["table_name"],
        "register_instance": ["instance"],
        "upgrade": [],
        "dispose": [],
    }.items():
        function = getattr(SqliteEventLogStorage, method, None)
        api = f"SqliteEventLogStorage.{method}"
        expect(function is not None, api, "no longer exists")
        if function is not None:
            got = _parameters(function)
            expect(got == parameters, api, f"takes {got}, not {parameters}")
    expect(
        connect_source_sha256() == CONNECT_SOURCE_SHA256,
        "SqliteEventLogStorage._connect",
        "its source changed: read it against SqliteEventLogWithEngines._connect, which repeats "
        "its steps, then update CONNECT_SOURCE_SHA256",
    )

    expect(
        _parameters(CachingStaleStatusResolver.__init__)[:3]
        == ["instance", "asset_graph", "loading_context"],
        "CachingStaleStatusResolver.__init__",
        f"takes {_parameters(CachingStaleStatusResolver.__init__)}",
    )
    expect(
        _parameters(CachingStaleStatusResolver.get_status) == ["key", "partition_key"],
        "CachingStaleStatusResolver.get_status",
        f"takes {_parameters(CachingStaleStatusResolver.get_status)}",
    )
    expect(
        {"STALE", "MISSING", "FRESH"} <= set(StaleStatus.__members__),
        "StaleStatus",
        f"members are {sorted(StaleStatus.__members__)}",
    )
    expect(
        _parameters(LoadingContextForTest.__init__) == ["instance"],
        "LoadingContextForTest.__init__",
        f"takes {_parameters(LoadingContextForTest.__init__)}",
    )
    expect(
        hasattr(dg.JobDefinition, "asset_layer"), "JobDefinition.asset_layer", "no longer exists"
    )
    return found


@contextmanager
def _temporary_event_log():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        storage = SqliteEventLogStorage(folder)
        try:
            yield storage
        finally:
            storage.dispose()
