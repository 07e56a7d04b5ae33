"""Errors that tell the user which source, file, row and field were wrong."""

import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl


class SourceDataError(ValueError):
    """Input that cannot be conformed. The message names source, file, row(s) and field."""

    def __init__(
        self,
        source: str,
        file: str,
        problem: str,
        *,
        rows: list[int] | None = None,
        field: str | None = None,
        values: list[str] | None = None,
    ):
        where = f"{source}: {file}"
        if rows:
            shown = ", ".join(str(r) for r in rows[:10])
            more = f" (+{len(rows) - 10} more)" if len(rows) > 10 else ""
            where += f", row {shown}{more}"
        if field:
            where += f", field {field!r}"
        detail = ""
        if values:
            detail = ": " + ", ".join(repr(v) for v in values[:10])
        super().__init__(f"{where}: {problem}{detail}")
        self.source, self.file, self.rows, self.field = source, file, rows or [], field
        self.problem = problem


# What libraries raise on a file that is not what it claims to be: a zip or xlsx that is an HTML
# page (BadZipFile), a cut Parquet file ("out of specification", a polars ComputeError), an empty
# CSV (StopIteration, polars NoDataError), bad bytes or JSON (ValueError), a missing key.
_LIBRARY_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    StopIteration,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    zipfile.BadZipFile,
    csv.Error,
    pl.exceptions.PolarsError,
)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return type(exc).__name__ + (f": {text.splitlines()[0][:300]}" if text else "")


@contextmanager
def reading(source: str, file: str) -> Iterator[None]:
    """Re-raise a library's error while reading `file` as a SourceDataError naming it (the
    library's error kept as its cause, for the event log).

    A SourceDataError raised inside (which already names row and field) passes through as is.
    """
    try:
        yield
    except SourceDataError:
        raise
    except _LIBRARY_ERRORS as exc:
        raise SourceDataError(source, file, f"cannot be read ({_describe(exc)})") from exc
    except Exception as exc:
        if not type(exc).__module__.startswith("openpyxl"):  # InvalidFileException
            raise
        raise SourceDataError(source, file, f"cannot be read ({_describe(exc)})") from exc
