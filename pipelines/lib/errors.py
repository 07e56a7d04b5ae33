"""Errors that tell the user which source, file, row and field were wrong."""


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
