"""Every staging/marts/meta table and column carries a comment; the data dictionary renders.

The coverage test reads the real tables (the session's whole-graph build on the bundled
snapshot, tests/conftest.py::published_snapshot) and checks them generically through
duckdb_columns(): a column added anywhere without its line in the table's contract
(sql/<schema>/<table>.yml) fails it.
"""

import subprocess
import sys

import duckdb
import pytest

from pipelines.lib import catalog_docs
from pipelines.lib.contracts import ContractError
from pipelines.lib.paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def real_shapes(published_snapshot):
    """In-memory DuckDB with every staging/marts/meta table of a real build (no rows)."""
    published = published_snapshot.published  # the session's one real build (read-only)
    con = duckdb.connect()
    con.execute(f"ATTACH '{published}' AS src (READ_ONLY)")
    for schema, table in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'src' "
        "AND schema_name IN ('staging', 'marts', 'meta')"
    ).fetchall():
        con.execute(f"CREATE SCHEMA IF NOT EXISTS memory.{schema}")
        con.execute(f"CREATE TABLE memory.{schema}.{table} AS FROM src.{schema}.{table} LIMIT 0")
    con.execute("DETACH src")
    yield con, published
    con.close()


def test_every_table_and_column_of_a_real_build_has_a_comment(real_shapes):
    con, _ = real_shapes
    tables = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name IN ('staging', 'marts')"
    ).fetchone()[0]
    assert tables >= 10  # the build really produced the tables
    applied = catalog_docs.apply_comments(con, strict=True)  # strict: no stale column comments
    assert applied > 100
    missing = catalog_docs.undocumented(con)
    assert not missing, "describe these in their contract sql/<schema>/<table>.yml: " + ", ".join(
        missing
    )


def test_comments_survive_into_the_published_file_when_applied_before_publish(
    real_shapes, tmp_path
):
    _, published = real_shapes
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(published.read_bytes())
    with duckdb.connect(str(copy)) as con:
        catalog_docs.apply_comments(con)
    with duckdb.connect(str(copy), read_only=True) as con:
        (comment,) = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = 'supply_concentration' AND column_name = 'hhi'"
        ).fetchone()
        assert "0-10,000" in comment
        assert catalog_docs.undocumented(con) == []


@pytest.fixture
def small():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts; CREATE SCHEMA meta")
    con.execute(
        "CREATE TABLE meta.refresh (refreshed_at TIMESTAMPTZ, run_id VARCHAR, "
        "source_mode VARCHAR, x INT)"
    )
    con.execute("CREATE TABLE staging.country_alias (alias VARCHAR, iso3 VARCHAR, note VARCHAR)")
    yield con
    con.close()


def test_missing_tables_are_skipped_and_new_columns_are_caught(small):
    # only the tables that exist are commented; no import_dependence here and that is fine
    assert catalog_docs.apply_comments(small) == 8
    assert catalog_docs.undocumented(small) == ["meta.refresh.x"]


def test_a_comment_for_a_missing_column_is_an_error_when_strict(small):
    small.execute("ALTER TABLE staging.country_alias RENAME COLUMN note TO remark")
    with pytest.raises(ContractError, match=r"country_alias has no column\(s\) \['note'\]"):
        catalog_docs.apply_comments(small, strict=True)
    commented = "SELECT count(*) FROM duckdb_columns() WHERE comment IS NOT NULL AND comment <> ''"
    assert small.execute(commented).fetchone() == (0,)  # all or none: rolled back
    assert catalog_docs.apply_comments(small) > 0  # lenient mode skips it


def test_data_dictionary_replaces_only_the_text_between_the_markers(small):
    catalog_docs.apply_comments(small)
    generated = catalog_docs.data_dictionary(small)
    assert "### `staging.country_alias`" in generated
    assert "| `alias` | VARCHAR | Country name as a source prints it" in generated
    readme = (
        f"# Title\n\nintro\n\n{catalog_docs.START_MARKER}\nold text\n"
        f"{catalog_docs.END_MARKER}\n\n## After\n"
    )
    new = catalog_docs.render_document(readme, generated)
    assert new.startswith("# Title\n\nintro\n\n") and new.endswith("\n\n## After\n")
    assert "old text" not in new and "staging.country_alias" in new
    assert catalog_docs.render_document(new, generated) == new  # idempotent


def test_script_check_exits_1_when_the_target_is_out_of_date(real_shapes, tmp_path):
    _, published = real_shapes
    target = tmp_path / "dictionary.md"
    script = str(PROJECT_ROOT / "scripts" / "gen_data_dictionary.py")
    base = [sys.executable, script, str(target), "--warehouse", str(published)]
    base.append("--apply-comments")
    assert subprocess.run(base, check=False).returncode == 0
    assert "marts.supply_concentration" in target.read_text()
    assert subprocess.run([*base, "--check"], check=False).returncode == 0
    target.write_text(target.read_text().replace("HHI", "hhi"))
    assert subprocess.run([*base, "--check"], check=False).returncode == 1
