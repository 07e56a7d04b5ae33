"""Run a staged table's Great Expectations 1.x suite on Polars frames.

The suite is made from the table's contract (`suite_spec`): its column rules (not null, ranges,
accepted values, regex), one expectation each, so nothing is declared twice; the contract's
other rules run as SQL (`pipelines/lib/rules.py`).
GX has no Polars engine, and its DuckDB route fails every expectation with IndexError (GX issues
#10738, #11579; checked with GX 1.24), so frames cross into
pandas at this one boundary, in batches for big tables. The result names the failing rows by the
table's identifying columns, so a failed check says where to look.
"""

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
import polars.selectors as cs

from pipelines.lib.contracts import Contract

log = logging.getLogger(__name__)


@dataclass
class ExpectationFailure:
    expectation: str
    column: str | None
    unexpected_count: int
    examples: list[dict]
    rule: str | None = None  # the contract rule it runs


@dataclass
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    rows: int
    failures: list[ExpectationFailure] = field(default_factory=list)

    def describe(self) -> str:
        if self.success:
            return f"{self.suite}: {self.evaluated} expectations passed on {self.rows} rows"
        lines = [f"{self.suite}: {len(self.failures)} of {self.evaluated} expectations failed"]
        for f in self.failures:
            lines.append(
                f"- {f.rule or f.expectation} ({f.expectation}): {f.unexpected_count} rows, "
                f"e.g. {f.examples[:3]}"
            )
        return "\n".join(lines)


def suite_spec(contract: Contract) -> dict:
    """The GX suite of a table GX validates, as GX's JSON: one expectation per column rule."""
    return {
        "name": contract.table,
        "meta": {"notes": f"Made from {contract.table}'s contract (pipelines/lib/quality.py)."},
        "expectations": [rule.expectation() for rule in contract.gx_rules],
    }


def _context():
    import great_expectations as gx  # 5-6 s to import: only where validation runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def validate(
    df: pl.DataFrame, spec: dict, *, id_columns: list[str], batch_rows: int = 500_000
) -> SuiteResult:
    """Validate `df` against the suite `spec` (GX's JSON shape), `batch_rows` rows at a time:
    the column rules it holds read one row each, so batches change no outcome."""
    frames = (df.slice(o, batch_rows) for o in range(0, max(df.height, 1), batch_rows))
    return validate_batches(frames, spec, id_columns=id_columns)


def validate_batches(
    frames: Iterable[pl.DataFrame], spec: dict, *, id_columns: list[str]
) -> SuiteResult:
    """Validate frames one at a time (e.g. read batch by batch from DuckDB), as one result."""
    gx, context = _context()
    suite_name = spec["name"]
    # a copy: GX's suite takes the dicts over
    suite = context.suites.add(gx.ExpectationSuite(**json.loads(json.dumps(spec))))
    if len(suite.expectations) != len(spec.get("expectations", [])):
        # GX logs and drops an expectation type it does not know: refuse to run a partial suite
        raise ValueError(
            f"suite {suite_name}: {len(spec['expectations'])} expectations in the "
            f"file but {len(suite.expectations)} loaded (misspelled type?)"
        )
    batch_def = (
        context.data_sources.add_pandas("frames")
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("whole")
    )
    run = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch_def, suite=suite)
    )
    result_format = {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": id_columns,
        "partial_unexpected_count": 5,
    }
    failures: dict[tuple[str, str | None], ExpectationFailure] = {}
    rows = 0
    needed = suite_columns(spec, id_columns)
    for frame in frames:
        rows += frame.height
        if needed is not None:  # GX copies the frame per metric: hand it only what it reads
            frame = frame.select(c for c in frame.columns if c in needed)
        batch = _for_gx(frame).to_pandas()
        outcome = run.run(batch_parameters={"dataframe": batch}, result_format=result_format)
        for r in outcome.results:
            if r.success:
                continue
            config = r.expectation_config
            column = config.kwargs.get("column") or ",".join(config.kwargs.get("column_list", []))
            key = (config.type, column)
            res = r.result or {}
            examples = (res.get("unexpected_index_list") or [])[:5]
            if not examples and res.get("partial_unexpected_list"):
                examples = [{"value": v} for v in res["partial_unexpected_list"][:5]]
            if not examples and r.exception_info:
                examples = [{"exception": str(r.exception_info)[:300]}]
            rule = (config.meta or {}).get("contract_rule")
            failure = failures.setdefault(key, ExpectationFailure(config.type, column, 0, [], rule))
            failure.unexpected_count += int(res.get("unexpected_count") or 0)
            failure.examples.extend(examples[: 5 - len(failure.examples)])
    result = SuiteResult(
        suite_name, not failures, len(suite.expectations), rows, list(failures.values())
    )
    log.info(result.describe())
    return result


def _for_gx(frame: pl.DataFrame) -> pl.DataFrame:
    """Narrow numeric columns widened to 64 bits, the only dtypes GX's pandas `between`
    vectorizes (`column.dtype in [int, float]` in GX 1.x's column_values_between.py): an Int32
    year fell to a Python call per row (the trade suite on the snapshot's 664k rows: 2.31 s, 1.48 s
    widened). The values, and so every expectation's outcome, are the same."""
    narrow_ints = cs.integer() - cs.by_dtype(pl.Int64, pl.UInt64)
    return frame.with_columns(narrow_ints.cast(pl.Int64), cs.by_dtype(pl.Float32).cast(pl.Float64))


# Table-level expectations that read no column: a frame of fewer columns has the same result.
ROW_COUNT_EXPECTATIONS = {"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"}


def suite_columns(spec: dict, id_columns: list[str]) -> set[str] | None:
    """The columns a suite's expectations read, plus `id_columns` (to name failing rows); None
    (every column) when an expectation reads the whole table or filters on a row condition."""
    needed = set(id_columns)
    for e in spec.get("expectations", []):
        kwargs = e.get("kwargs", {})
        if e["type"].startswith("expect_table_") and e["type"] not in ROW_COUNT_EXPECTATIONS:
            return None
        if kwargs.get("row_condition"):
            return None
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                needed.add(kwargs[key])
        needed.update(kwargs.get("column_list", []))
    return needed


def pack_groups(sizes: list[tuple], limit: int) -> list[list[tuple]]:
    """Consecutive (key, rows) groups packed into batches of at most `limit` rows (a bigger
    group alone); always at least one batch."""
    batches: list[list[tuple]] = [[]]
    total = 0
    for key, n in sizes:
        if batches[-1] and total + n > limit:
            batches.append([])
            total = 0
        batches[-1].append((key, n))
        total += n
    return batches
