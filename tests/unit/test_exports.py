"""Parquet exports of the marts: complete, described by the manifest, swapped in atomically."""

import json
from datetime import UTC, datetime

import duckdb
import pytest

from pipelines.lib.exports import export_marts
from pipelines.lib.seeds import load_seed


def _warehouse(path, tables: dict[str, int]):
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS meta")
        con.execute(
            "CREATE OR REPLACE TABLE meta.refresh AS SELECT ?::TIMESTAMPTZ AS refreshed_at",
            [datetime(2026, 2, 15, 6, 0, tzinfo=UTC)],
        )
        existing = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
        for name in existing - set(tables):
            con.execute(f"DROP TABLE marts.{name}")
        for name, rows in tables.items():
            con.execute(
                f"CREATE OR REPLACE TABLE marts.{name} AS SELECT range AS id, "
                f"'x' || range AS label, range / 10.0 AS share FROM range({rows})"
            )
        con.execute("COMMENT ON TABLE marts.a IS 'table a'") if "a" in tables else None


@pytest.fixture
def published(tmp_path):
    path = tmp_path / "minerals.duckdb"
    _warehouse(path, {"a": 3, "b": 7, "empty": 0})
    return path


def test_every_mart_is_exported_with_its_row_count(published, tmp_path):
    out = tmp_path / "exports"
    manifest = export_marts(published, out)
    assert set(manifest["tables"]) == {"a", "b", "empty"}
    for name, table in manifest["tables"].items():
        (rows,) = duckdb.execute(
            f"SELECT count(*) FROM read_parquet('{out / table['file']}')"
        ).fetchone()
        assert rows == table["rows"] == {"a": 3, "b": 7, "empty": 0}[name]
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["schema_version"] == "1"
    assert on_disk["refreshed_at"].startswith("2026-02-15T06:00:00")
    assert on_disk["tables"]["a"]["description"] == "table a"
    columns = on_disk["tables"]["b"]["columns"]
    assert [(c["name"], c["type"]) for c in columns] == [
        ("id", "BIGINT"),
        ("label", "VARCHAR"),
        ("share", "DOUBLE"),
    ]
    licences = " ".join(s["licence"] for s in on_disk["sources"])
    assert "CC BY 4.0" in licences and "Etalab" in licences and "public domain" in licences
    assert any("doi.org/10.5066" in d for s in on_disk["sources"] for d in s.get("doi", []))


def test_a_second_export_replaces_the_first_atomically(published, tmp_path):
    out = tmp_path / "exports"
    export_marts(published, out)
    (out / "stray.txt").write_text("left by someone")
    _warehouse(published, {"a": 5, "c": 2})
    manifest = export_marts(published, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "a.parquet",
        "c.parquet",
        "manifest.json",
    ]
    assert manifest["tables"]["a"]["rows"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "minerals.duckdb"]


def test_a_failed_export_leaves_the_previous_one_in_place(published, tmp_path):
    out = tmp_path / "exports"
    export_marts(published, out)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(duckdb.Error):
        export_marts(tmp_path / "missing" / "nothing.duckdb", out)
    assert sorted(p.name for p in out.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "minerals.duckdb"]


def test_each_export_names_its_sources_and_their_terms(published, tmp_path):
    manifest = export_marts(
        published, tmp_path / "exports", {"marts.a": ["comtrade"], "marts.b": ["baci", "wgi"]}
    )
    a, b = manifest["tables"]["a"], manifest["tables"]["b"]
    assert a["sources"] == ["comtrade"]
    assert a["terms"] == [
        "UN Comtrade declarations (US and Japanese imports; China's monthly exports): "
        "free use with attribution, no bulk redistribution"
    ]
    assert b["sources"] == ["baci", "wgi"] and "no bulk redistribution" not in str(b["terms"])
    assert "sources" not in manifest["tables"]["empty"]  # no lineage given: none claimed


def test_lineage_reaches_a_source_through_every_table_between():
    from pipelines.lib.exports import entry_tables, table_sources
    from pipelines.lib.sources.catalog import SOURCES

    entries = entry_tables()  # from sql/meta/source_files.sql
    for key, source in SOURCES.items():
        assert all(entries[raw] == key for raw in source.raw_assets), key
    assert entries["staging.governance"] == "wgi"
    upstream = {
        "marts.x": {"staging.y", "staging.seed"},
        "staging.y": {"raw.comtrade_monthly", "staging.z"},
        "staging.z": {"staging.governance"},
        "marts.w": {"staging.seed"},
        "marts.p": {"staging.projects", "staging.capacity_scopes"},
    }
    assert table_sources(upstream, ["marts.x", "marts.w", "marts.p"]) == {
        "marts.x": ["comtrade", "wgi"],
        "marts.w": [],
        "marts.p": ["project_pipeline"],  # a curated seed citing its pages is its source
    }


def test_every_alert_kind_the_candidates_raise_has_words():
    import re

    from pipelines.defs.risk.assets import ALERT_CANDIDATES
    from pipelines.lib.paths import SQL_DIR

    # each alert's key starts with its kind: concat_ws('|', '<kind>', ...)
    candidates = "".join((SQL_DIR / f).read_text() for f in ALERT_CANDIDATES)
    kinds = set(re.findall(r"concat_ws\('\|', '(\w+)'", candidates))
    assert len(kinds) == 10  # issue 26: export concentration is two kinds; 4 price screens
    assert kinds == set(load_seed("alert_kinds")["kind"])


def test_the_published_manifest_lists_the_alert_kinds_the_data_has(published_snapshot):
    """The manifest listed 3 alert kinds while the data had 4; Comtrade's terms were on no
    export."""
    manifest = json.loads(
        (published_snapshot.warehouse_dir / "exports" / "manifest.json").read_text()
    )
    with duckdb.connect(str(published_snapshot.published), read_only=True) as con:
        counts = dict(
            con.execute("SELECT kind, count(*) FROM marts.alerts GROUP BY kind").fetchall()
        )
    alerts = manifest["tables"]["alerts"]
    assert {k["kind"]: k["alerts"] for k in alerts["kinds"]} == counts
    assert set(counts) == set(load_seed("alert_kinds")["kind"])  # every kind fires on the snapshot
    assert all(k["label"] and k["description"] for k in alerts["kinds"])
    comtrade = {t for t, e in manifest["tables"].items() if "comtrade" in e["sources"]}
    assert {"alerts", "export_control_monthly", "export_control_event_study"} <= comtrade
    for table in comtrade:
        assert any("no bulk redistribution" in t for t in manifest["tables"][table]["terms"])
    # production only since issue 26: BACI's exports are no longer in the supply-risk mart
    assert manifest["tables"]["supply_risk"]["sources"] == ["iea", "usgs_mcs", "wgi"]
    assert "baci" in manifest["tables"]["export_concentration"]["sources"]
    assert all(e["sources"] for e in manifest["tables"].values())  # every export has a source
    pipeline = manifest["tables"]["project_capacity"]
    assert pipeline["sources"] == ["project_pipeline"]
    assert "cites the public page it was read from" in pipeline["terms"][0]


# --- the Excel workbook of the decision tables --------------------------------------------


def _sheet(wb, name) -> list[tuple]:
    """A sheet's rows, padded to the header's width (a read-only sheet drops trailing empty
    cells)."""
    rows = list(wb[name].iter_rows(values_only=True))
    width = max((len(r) for r in rows), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows]


@pytest.fixture
def decision_warehouse(tmp_path):
    """Three decision tables: one whole (with a list, a NaN and a time zone to convert), one
    read through its sql/exports file (three years of two series: the sheet keeps the latest
    year of each), and alerts; plus a table that is not a decision table."""
    path = tmp_path / "minerals.duckdb"
    _warehouse(path, {"a": 2})
    with duckdb.connect(str(path)) as con:
        con.execute("""
            CREATE TABLE marts.supply_concentration AS SELECT * FROM (VALUES
                ('rare_earths', 0.7, ['CHN', 'MYS'], TIMESTAMPTZ '2026-02-15 07:00:00+01'),
                ('gallium', 'NaN'::DOUBLE, [], NULL)) AS t(commodity, share, top, seen_at);
            COMMENT ON COLUMN marts.supply_concentration.share IS 'share of world production';
            CREATE TABLE marts.import_dependence AS SELECT * FROM (VALUES
                ('USA', 'gallium', 'refining', 2022, 1.0),
                ('USA', 'gallium', 'refining', 2024, 2.0),
                ('JPN', 'gallium', 'refining', 2023, 3.0),
                ('JPN', 'gallium', 'refining', 2021, 4.0))
                AS t(importer_iso3, commodity, stage, year, import_value_usd);
            CREATE TABLE marts.alerts AS SELECT 'exports_drop' AS kind FROM range(0);
        """)
    return path


def test_the_workbook_holds_each_decision_table_with_its_columns_and_licences(
    decision_warehouse, tmp_path
):
    from openpyxl import load_workbook

    out = tmp_path / "exports"
    manifest = export_marts(
        decision_warehouse,
        out,
        {"marts.supply_concentration": ["usgs_mcs"], "marts.import_dependence": ["baci"],
         "marts.alerts": ["baci", "comtrade"], "marts.a": ["wgi"]},
    )  # fmt: skip
    book = manifest["workbook"]
    assert json.loads((out / "manifest.json").read_text())["workbook"] == book
    assert book["file"] == "decision_tables.xlsx" and book["sources"] == [
        "baci", "comtrade", "usgs_mcs"]  # fmt: skip
    assert any("no bulk redistribution" in t for t in book["terms"])  # Comtrade's, on alerts
    wb = load_workbook(out / book["file"], read_only=True)
    # About first, the tables in DECISION_TABLES order (a is not one), then columns and sources
    assert wb.sheetnames == [
        "About", "supply_concentration", "import_dependence", "alerts", "Columns", "Sources",
    ]  # fmt: skip
    assert _sheet(wb, "supply_concentration") == [
        ("commodity", "share", "top", "seen_at"),
        ("rare_earths", 0.7, '["CHN", "MYS"]', datetime(2026, 2, 15, 6, 0)),  # in UTC
        ("gallium", None, "[]", None),  # NaN: an empty cell (openpyxl), not a number Excel refuses
    ]
    # the latest year of each (importer, commodity, stage): USA 2024, JPN 2023
    assert _sheet(wb, "import_dependence")[1:] == [
        ("JPN", "gallium", "refining", 2023, 3.0),
        ("USA", "gallium", "refining", 2024, 2.0),
    ]
    assert _sheet(wb, "alerts") == [("kind",)]  # empty: its header still says what it holds
    about = {r[0]: r for r in _sheet(wb, "About")[4:]}
    assert about["import_dependence"][1:5] == (
        "import_dependence", 2, 4,
        "the latest year of each (importer, commodity, stage) series; every year is in "
        "import_dependence.parquet.",
    )  # fmt: skip
    assert about["supply_concentration"][4] == "the whole table"
    assert "no bulk redistribution" in about["alerts"][7] and about["alerts"][6] == "baci, comtrade"
    assert ("supply_concentration", "share", "DOUBLE", "share of world production") in _sheet(
        wb, "Columns"
    )
    sources = {r[0]: r for r in _sheet(wb, "Sources")[1:]}
    assert set(sources) == {"baci", "comtrade", "usgs_mcs"}
    assert sources["comtrade"][3] == "free use with attribution, no bulk redistribution"
    assert sources["comtrade"][5] == "alerts"


def test_a_table_longer_than_a_sheet_is_split_across_sheets_in_order(tmp_path):
    from openpyxl import load_workbook

    from pipelines.lib.exports import write_workbook

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT range AS id FROM range(7)")
    entry = {"rows": 7, "columns": [{"name": "id", "type": "BIGINT", "description": "row"}]}
    book = write_workbook(con, tmp_path / "w.xlsx", {"t": entry}, None, {"t": None}, max_rows=4)
    assert book["tables"]["t"]["sheets"] == ["t", "t (2)", "t (3)"]
    wb = load_workbook(tmp_path / "w.xlsx", read_only=True)
    parts = [_sheet(wb, name) for name in book["tables"]["t"]["sheets"]]
    assert all(p[0] == ("id",) for p in parts)  # each part has the header
    assert [r[0] for p in parts for r in p[1:]] == list(range(7))  # 3 + 3 + 1, in order
    assert "split across 3 sheets (t, t (2), t (3))" in book["tables"]["t"]["holds"]
