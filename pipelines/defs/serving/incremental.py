"""Refresh only what changed, with Dagster's own data versions and staleness.

Phase 1 runs the raw (source) assets: each asks its source again (live: conditional requests, so
an unchanged file costs a 304 and lands nothing; snapshot: the bundled file) and reports the
sha256 of what it read as its data version. Phase 2 runs, with their checks, only the assets
Dagster reports STALE or MISSING, i.e. whose upstream data versions differ from the ones they were
built from (the staleness the UI's "Materialize stale" uses). With nothing changed, phase 2 is
empty: no transform, mart or publish re-runs, and the published warehouse stays as it is.

Limits: seeds and code are not versioned here (a changed seed or model needs a full refresh), and
in live mode `staging.governance` (which calls the World Bank API itself) only re-runs when its
upstream changed.
"""

from dataclasses import dataclass, field

import dagster as dg
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.loader import LoadingContextForTest


@dataclass
class IncrementalResult:
    """The phases' results, answering like one run for the CLI."""

    runs: list = field(default_factory=list)
    rerun: list[dg.AssetKey] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(r.success for r in self.runs)

    def get_asset_check_evaluations(self):
        return [e for r in self.runs for e in r.get_asset_check_evaluations()]


def stale_or_missing(
    instance: dg.DagsterInstance, job: dg.JobDefinition, keys: list[dg.AssetKey]
) -> list[dg.AssetKey]:
    """The `keys` Dagster reports STALE or MISSING (any partition, for partitioned assets)."""
    graph = job.asset_layer.asset_graph
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


def refresh_changed(
    job: dg.JobDefinition, instance: dg.DagsterInstance, **execute: object
) -> IncrementalResult:
    """Run the raw assets, then only what is stale or missing; `execute` goes to each run."""
    keys = list(job.asset_layer.executable_asset_keys)
    raw = [k for k in keys if k.path[0] == "raw"]
    result = IncrementalResult()
    result.runs.append(
        job.get_subset(asset_selection=set(raw)).execute_in_process(instance=instance, **execute)
    )
    if not result.success:
        return result
    result.rerun = stale_or_missing(instance, job, [k for k in keys if k not in raw])
    if result.rerun:
        # tables built together (a multi_asset) re-run together
        selection = dg.AssetSelection.assets(*result.rerun).required_multi_asset_neighbors()
        subset = selection.resolve(job.asset_layer.asset_graph)
        result.runs.append(
            job.get_subset(asset_selection=subset).execute_in_process(instance=instance, **execute)
        )
    return result
