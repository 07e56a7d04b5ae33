"""A Dagster logger that prints one line per materialized asset and per failing check.

`minerals refresh` uses it instead of the console logger, whose every-event output buries what
a person wants to see: what was built, how big it is, what failed and why.
"""

import logging
import sys
import time

import dagster as dg


class ProgressHandler(logging.Handler):
    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream or sys.stdout
        self.started = time.monotonic()
        self.reported: set[str] = set()  # a year-partitioned asset reports once per year

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event") if isinstance(meta, dict) else None
        if event is None:
            return
        elapsed = f"{time.monotonic() - self.started:6.1f}s"
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            rows = materialization.metadata.get("dagster/row_count")
            size = f"{rows.value:>12,} rows" if rows is not None else ""
            name = materialization.asset_key.to_user_string().replace("/", ".")
            if name in self.reported:
                return
            self.reported.add(name)
            self.stream.write(f"{elapsed}  built    {name:<36}{size}\n")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                name = evaluation.asset_key.to_user_string().replace("/", ".")
                level = evaluation.severity.value.lower()
                self.stream.write(f"{elapsed}  {level:<8} {name} {evaluation.check_name}\n")
        elif kind == "STEP_FAILURE":
            write_failure(self.stream, event, elapsed)
        self.stream.flush()


def step_name(step_key: str) -> str:
    """A step as the user names the asset: the op of asset `raw/x` is `raw__x`, shown `raw.x`
    (a multi-asset's op keeps its own name)."""
    return step_key.replace("__", ".")


def write_failure(stream, event, elapsed: str = "") -> None:
    """A STEP_FAILURE or RUN_FAILURE event as a FAILED line and its `caused by` lines."""
    first, *causes = failure_lines(getattr(event.event_specific_data, "error", None)) or ["failed"]
    if event.event_type == dg.DagsterEventType.STEP_FAILURE:
        where = step_name(event.step_key)
    else:
        where = "run"
    if event.event_type == dg.DagsterEventType.ENGINE_EVENT:
        first = f"{event.message} {first}"
    stream.write(f"{elapsed:>7}  FAILED   {where}: {first}\n")
    for cause in causes:
        stream.write(f"{'':7}  caused by {cause}\n")


def report_failures(stream, events, steps_reported: bool) -> None:
    """After a failed run, what the progress lines could not say: the failed steps of a run
    whose steps ran in other processes (their events reach the progress logger there, not
    here), and why a run with no failed step failed (the machinery under it: a Celery worker
    lost mid-step, the broker or the instance's database unreachable)."""
    steps = [e for e in events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    # the run's failure, or the engine's error that ended it (Celery's loop records a broker it
    # cannot reach as an engine event and ends with no run failure event)
    under = [
        e
        for e in events
        if e.event_type in (dg.DagsterEventType.RUN_FAILURE, dg.DagsterEventType.ENGINE_EVENT)
        and getattr(e.event_specific_data, "error", None)
    ]
    for event in ([] if steps_reported else steps) + ([] if steps else under[:1]):
        write_failure(stream, event)
    stream.flush()


def failure_lines(error) -> list[str]:
    """A step's error as the user should read it: the first error below Dagster's wrappers (the
    project's own, which names source, URL or file and the cause), then each exception it was
    raised from, one line each. The whole chain, stack traces included, stays in Dagster's
    event log."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause or error.context
    while len(chain) > 1 and chain[0].cls_name.startswith("Dagster"):
        chain.pop(0)  # "Error occurred while executing op ...": says nothing the next one doesn't
    return [_in_words(e) for e in chain]


def _in_words(error) -> str:
    """`package.module.Class: message` -> the message alone for the project's errors (they say
    what went wrong in words), `Class: message` for a library's."""
    text = error.message.split("\n\nStack Trace:")[0].strip()  # a worker's error, quoted whole
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    qualified, _, message = text.partition(": ")
    if not qualified.endswith(error.cls_name):
        return text
    return message if qualified.startswith("pipelines.") else f"{error.cls_name}: {message}"


@dg.logger(description="One line per built asset, failing check and failed step.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("minerals.progress")
    logger.setLevel(logging.DEBUG)
    logger.handlers = [ProgressHandler()]
    logger.propagate = False
    return logger
