"""Errors that tell the user which source, file, row and field were wrong, and never an API key.

Secrets (the values of the registry's settings marked `secret`, such as COMTRADE_API_KEY, and
any value a client registers with `register_secret`) are masked in every message these errors
carry, in every exception of a chain raised through the HTTP layer (`secrets_masked`; Dagster's
event log keeps whole chains) and in the values of secret-looking query parameters (`key=`,
`appId=`, `token=`...) wherever a URL is printed.
"""

import csv
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import polars as pl

MASK = "***"
# a query parameter whose name says it holds a secret: Census `key`, e-Stat `appId`, tokens...
_SECRET_QUERY = re.compile(
    r"(?i)([?&;][^=&\s'\"]*(?:key|token|secret|password|signature|appid)[^=&\s'\"]*=)"
    r"([^&\s'\"#]+)"
)
_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask `value` (an API key a client was given) wherever `redact` runs, from now on."""
    if value and len(value) >= 4:  # shorter values would mask ordinary text
        _registered.add(value)


def _secret_values() -> list[str]:
    from pipelines.lib import settings  # the registry says which settings are secret

    values = set(_registered)
    values.update(v for s in settings.all_settings() if s.secret and (v := settings.read(s.env)))
    values = {v for v in values if len(v) >= 4}
    values |= {quote(v, safe="") for v in values}  # as it appears inside a URL
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with every secret value and secret-looking query value replaced by ***."""
    for value in _secret_values():
        text = text.replace(value, MASK)
    return _SECRET_QUERY.sub(rf"\1{MASK}", text)


def redact_exception(exc: BaseException) -> BaseException:
    """Mask secrets in the message of `exc` and of every exception it was raised from or while
    handling, in place: Dagster serializes the whole chain into its event log."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        e.args = tuple(redact(a) if isinstance(a, str) else a for a in e.args)
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
    return exc


@contextmanager
def secrets_masked() -> Iterator[None]:
    """Whatever is raised inside leaves with secrets masked in its whole chain."""
    try:
        yield
    except BaseException as exc:
        redact_exception(exc)
        raise


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
        super().__init__(redact(f"{where}: {problem}{detail}"))
        self.source, self.file, self.rows, self.field = source, file, rows or [], field
        self.problem = redact(problem)


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
