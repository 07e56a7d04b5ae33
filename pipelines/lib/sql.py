"""SQL files under sql/: one statement per file, file stem = table name = asset name."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.lib.paths import SQL_DIR

_DEPS = re.compile(r"^--\s*deps:\s*(?P<deps>.+)$", re.M)
_GROUP = re.compile(r"^--\s*group:\s*(?P<group>\w+)\s*$", re.M)


@dataclass(frozen=True)
class SqlModel:
    schema: str
    name: str
    sql: str
    deps: tuple[str, ...]  # "schema.table" it reads
    description: str
    group: str

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"


@cache
def load_models(layer: str, sql_dir: Path = SQL_DIR) -> tuple[SqlModel, ...]:
    """Every `sql/<layer>/*.sql`: its `-- deps:` and `-- group:` lines, comments as description."""
    models = []
    for path in sorted((sql_dir / layer).glob("*.sql")):
        text = path.read_text()
        match = _DEPS.search(text)
        deps = tuple(d.strip() for d in match["deps"].split(",")) if match else ()
        comment = [ln[2:].strip() for ln in text.splitlines() if ln.startswith("--")]
        description = " ".join(c for c in comment if not c.startswith(("deps:", "group:")))
        group = m["group"] if (m := _GROUP.search(text)) else layer
        models.append(
            SqlModel(layer, path.stem, text.strip().rstrip(";"), deps, description, group)
        )
    return tuple(models)


@cache
def load_query(relative: str, sql_dir: Path = SQL_DIR) -> str:
    """Any other SQL file (checks, examples) by path relative to sql/."""
    return (sql_dir / relative).read_text()
