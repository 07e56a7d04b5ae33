"""A Dagster logger that prints one line per materialized asset and per failing check.

`minerals refresh` uses it instead of the console logger, whose every-event output buries what
a person wants to see: what was built, how big it is, what failed and why.
"""

import logging
import re
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
            error = event.event_specific_data.error
            while error is not None and error.cause is not None:
                error = error.cause  # the user's exception, not Dagster's wrapper
            message = failure_message(error) if error else "failed"
            self.stream.write(f"{elapsed}  FAILED   {step_name(event.step_key)}: {message}\n")
        self.stream.flush()


def step_name(step_key: str) -> str:
    """A step as the user names the asset: the op of asset `raw/x` is `raw__x`, shown `raw.x`
    (a multi-asset's op keeps its own name)."""
    return step_key.replace("__", ".")


def failure_message(error) -> str:
    """The exception's own words, without the module path of its class Dagster puts first."""
    return re.sub(rf"^[\w.]*\b{re.escape(error.cls_name or '')}: ", "", error.message.strip())


@dg.logger(description="One line per built asset, failing check and failed step.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("minerals.progress")
    logger.setLevel(logging.DEBUG)
    logger.handlers = [ProgressHandler()]
    logger.propagate = False
    return logger
