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
            first, *causes = failure_lines(event.event_specific_data.error) or ["failed"]
            self.stream.write(f"{elapsed}  FAILED   {step_name(event.step_key)}: {first}\n")
            for cause in causes:
                self.stream.write(f"{'':8}  caused by {cause}\n")
        self.stream.flush()


def step_name(step_key: str) -> str:
    """A step as the user names the asset: the op of asset `raw/x` is `raw__x`, shown `raw.x`
    (a multi-asset's op keeps its own name)."""
    return step_key.replace("__", ".")


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
    qualified, _, message = error.message.strip().partition(": ")
    if not qualified.endswith(error.cls_name):
        return error.message.strip()
    return message if qualified.startswith("pipelines.") else f"{error.cls_name}: {message}"


@dg.logger(description="One line per built asset, failing check and failed step.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("minerals.progress")
    logger.setLevel(logging.DEBUG)
    logger.handlers = [ProgressHandler()]
    logger.propagate = False
    return logger
