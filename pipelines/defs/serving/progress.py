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
            error = event.event_specific_data.error
            while error is not None and error.cause is not None:
                error = error.cause  # the user's exception, not Dagster's wrapper
            message = error.message.strip() if error else "failed"
            self.stream.write(f"{elapsed}  FAILED   {event.step_key}: {message}\n")
        self.stream.flush()


@dg.logger(description="One line per built asset, failing check and failed step.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("minerals.progress")
    logger.setLevel(logging.DEBUG)
    logger.handlers = [ProgressHandler()]
    logger.propagate = False
    return logger
