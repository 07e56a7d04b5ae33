"""Every query the product prints is a file (`sql/reports/` for the CLI, `sql/dashboard/` for
the panels), parsed like the models: each parses, names its parameters, and reads the tables
DuckDB's own parser finds; each panel reads exactly its files, and renders from its tables."""

import re

import duckdb
import pytest

from pipelines.lib.dashboard import dashboard_data
from pipelines.lib.dashboard import data as d
from pipelines.lib.dashboard.panels import PAGE_QUERIES, PANELS, query_tables
from pipelines.lib.paths import PROJECT_ROOT
from pipelines.lib.sql import SqlLineageError, load_report, query_params, report_files
from tests.support.sql import tables_duckdb_parses

FILES = report_files("reports") + report_files("dashboard") + report_files("exports")


@pytest.mark.parametrize("path", FILES)
def test_every_read_query_parses_and_reads_what_duckdb_finds(path):
    query = load_report(path)
    assert set(query.tables) == tables_duckdb_parses(query.sql), path
    assert query.sql.lstrip().startswith("--"), f"{path}: say what it is for in a comment"


def test_a_positional_parameter_is_refused():
    with pytest.raises(SqlLineageError, match=r"write parameters as \$name"):
        query_params("SELECT * FROM marts.x WHERE commodity = ?", where="sql/reports/x.sql")
    assert query_params("SELECT $b, $a, $b") == ("a", "b")


def test_a_report_runs_only_with_its_parameters():
    query = load_report("reports/show_concentration.sql")
    with pytest.raises(TypeError, match=r"needs the parameters \['commodity'\]"):
        query.run(duckdb.connect())


def test_every_file_is_used():
    """No orphan: each dashboard file is a panel's or the page's, each report file is named by
    a CLI module, each exports file by the exports module."""
    panels = {f"dashboard/{n}.sql" for p in PANELS for n in p.queries + p.optional}
    page = {f"dashboard/{n}.sql" for n in PAGE_QUERIES}
    assert set(report_files("dashboard")) == panels | page
    cli = "".join(p.read_text() for p in (PROJECT_ROOT / "pipelines" / "cli").glob("*.py"))
    named = set(re.findall(r'"([a-z_]+)"', cli))
    unused = [
        f for f in report_files("reports") if f.removesuffix(".sql").split("/")[1] not in named
    ]
    assert unused == []
    exports = (PROJECT_ROOT / "pipelines" / "lib" / "exports.py").read_text()
    assert all(f'"{f}"' in exports for f in report_files("exports"))


def test_panel_needs_are_derived_from_their_files():
    heatmap = next(p for p in PANELS if p.id == "heatmap")
    # its files read import_dependence and the focus list; $importers brings the page's list
    assert heatmap.needs == ("marts.import_dependence", "staging.focus_commodities")
    trend = next(p for p in PANELS if p.id == "trend")
    assert "marts.import_dependence" not in trend.needs  # only its optional trade lines read it
    assert "marts.import_dependence" in trend.tables
    for panel in PANELS:
        assert panel.needs == query_tables(panel.queries), panel.id


@pytest.fixture(scope="module")
def published(published_snapshot):
    return published_snapshot.published


def test_each_panel_reads_exactly_its_files(published, monkeypatch):
    ran: dict[frozenset, set[str]] = {}
    rows = d.Reader.rows

    def recording(self, name, **params):
        ran.setdefault(self.names, set()).add(name)
        return rows(self, name, **params)

    monkeypatch.setattr(d.Reader, "rows", recording)
    with duckdb.connect(str(published), read_only=True) as con:
        out = dashboard_data(con)
    assert out["absent"] == [] and len(out["panels"]) == len(PANELS)
    for panel in PANELS:
        declared = frozenset(panel.queries + panel.optional)
        assert ran[declared] == set(declared), panel.id  # every file it declares, no other


def test_a_panel_renders_from_its_own_tables_alone(published):
    """Each panel, in a warehouse holding only the tables it declares: it renders (no query
    reads anything else); without one of its needs it is absent, naming it."""

    def warehouse_of(tables):
        con = duckdb.connect()
        con.execute(f"ATTACH '{published}' AS src (READ_ONLY)")
        for table in ["meta.refresh", *tables]:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
        con.execute("DETACH src")
        return con

    for panel in PANELS:
        shown = dashboard_data(warehouse_of(panel.tables))
        assert panel.id in [p["id"] for p in shown["panels"]], panel.id
        dropped = panel.needs[0]
        rest = [t for t in panel.tables if t != dropped]
        absent = {a["id"]: a["needs"] for a in dashboard_data(warehouse_of(rest))["absent"]}
        assert dropped in absent[panel.id], panel.id


def test_a_panel_is_one_file_and_one_entry(published, monkeypatch):
    """The recipe of docs/adding.md: an entry naming a file and `data.rows_of` renders it."""
    from pipelines.lib.dashboard import panels

    panel = panels.Panel(
        "stockpile_rows", "Stockpile rows", "The file's rows.", ("stockpile_cover",),
        d.rows_of("stockpile_cover"),
    )  # fmt: skip
    monkeypatch.setattr(panels, "PANELS", [panel])
    monkeypatch.setattr("pipelines.lib.dashboard.PANELS", [panel])
    with duckdb.connect(str(published), read_only=True) as con:
        out = dashboard_data(con)
    assert [p["id"] for p in out["panels"]] == ["stockpile_rows"]
    rows = out["stockpile_cover"]  # $importers bound to the page's importers
    assert rows and {r["importer"] for r in rows} <= set(out["importers"])
    assert panel.needs == (
        "marts.import_dependence", "marts.stockpile_cover", "staging.focus_commodities",
    )  # fmt: skip
