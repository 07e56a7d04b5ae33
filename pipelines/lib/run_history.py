"""Dagster's SQLite event log (the local run history), at a fraction of its per-event cost.

A snapshot refresh writes about 1,050 events (every step start, output, materialization and check
evaluation). Dagster 1.13's `SqliteEventLogStorage` builds a new SQLAlchemy engine for every
write, inspects the index shard's schema for every asset event (`has_table`) and commits with
SQLite's default `synchronous=FULL`. Replaying the 1,042 events of a real refresh through it
took 15.1 s on this machine kind (14.5 ms an event, median of 5) against 7.3 s here (7.0 ms)
before connections were kept, and less again since (`python benchmarks/event_log.py`).

What changes, and why it is safe:
- one engine per shard, kept for the most recently used `MAX_ENGINES` shards (a refresh uses
  two: the index and its run; a webserver browsing thousands of runs keeps no more than that);
- each engine keeps its SQLite connection open between writes (a pool of one) instead of
  opening and closing one per write. Closing the last connection to a WAL database checkpoints
  the WAL into the file and deletes it, so every close cost about 0.7 ms and every open ran
  its PRAGMAs again: 5.7 -> 1.7 ms an event. An idle connection holds no lock (the pool rolls
  back on return), so the webserver, the daemon and other runs read and write the same files
  as before and see each commit at once (WAL); `tests/unit/test_run_history.py` writes from
  another process while one is held;
- `has_table` remembers the tables it found: a process never drops an event-log table;
- `PRAGMA synchronous=NORMAL`: every shard is in WAL mode (Dagster creates them so), where
  NORMAL keeps the database consistent on a crash and can only lose the last commits on a power
  failure; acceptable for a local run history, and the warehouse itself is published by
  os.replace after an fsync (pipelines/lib/warehouse.py), not through this log.

Configured in `.dagster/dagster.yaml` (the local instance); a deployment keeps Postgres
(`deploy/dagster.yaml`). Everything else is Dagster's own class; the private parts of it this
relies on (the `_connect` seam, Dagster's lock and schema set-up) are in
`pipelines/dagster_compat.py`.
"""

import os
from collections import OrderedDict

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.pool import QueuePool

from pipelines.dagster_compat import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    ConfigurableClassData,
    SqliteEventLogWithEngines,
)


class RunHistoryEventLogStorage(SqliteEventLogWithEngines):
    """`SqliteEventLogStorage` with one engine (and connection) per shard, its schema checks
    remembered."""

    MAX_ENGINES = 64  # shards whose engine is kept; the least recently used one is disposed

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        self._config_data = inst_data
        self._root_known = bool(base_dir)
        if base_dir:
            super().__init__(base_dir, inst_data)

    def register_instance(self, instance) -> None:
        # Without a base_dir, the folder Dagster's default storage uses: <instance root>/history/
        # runs. Only the instance knows its root (DagsterInstance.from_config(dir) need not be
        # DAGSTER_HOME), and it registers itself before anything reads or writes an event.
        if not self._root_known:
            root = os.path.join(instance.root_directory, "history", "runs")
            super().__init__(root, self._config_data)
            self._root_known = True
        super().register_instance(instance)

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._config_data

    @classmethod
    def config_type(cls):
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def shard_engine(self, shard: str) -> sa.Engine:
        # called under Dagster's lock (SqliteEventLogWithEngines._connect): no other thread
        # holds an engine it evicts
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            # one connection kept; writes take turns under Dagster's lock, and a nested one
            # (none is known) gets an overflow connection, closed when it is returned
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=2,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        sa.event.listen(engine, "connect", _synchronous_normal)
        self._engines[shard] = engine
        while len(self._engines) > self.MAX_ENGINES:
            _, evicted = self._engines.popitem(last=False)
            evicted.dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def upgrade(self) -> None:
        super().upgrade()
        self._tables_found.clear()

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def _synchronous_normal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
