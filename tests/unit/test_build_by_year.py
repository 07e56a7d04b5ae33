"""A SQL model built one year at a time (`build_by_year` in its contract) holds exactly the rows of
its whole-table build: staging.import_by_supplier on real BACI rows, and the rewrite itself."""

import dataclasses

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.defs.marts.assets import build_model, sql_model_asset
from pipelines.lib.contracts import ContractError, contract_for, parse_contract
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, typed_seed
from pipelines.lib.sql import SqlLineageError, SqlModel, load_models, restrict_to_year
from pipelines.lib.transforms import trade
from tests.support.warehouse import same_rows

BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
YEARS = [2018, 2019, 2020]  # the UK leaves the EU27 in 2020: bloc rows change between years


def model(name: str) -> SqlModel:
    return next(m for m in load_models("staging") if m.name == name)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    """staging.trade_flows of three real BACI years (every mapped code into Europe, Japan and the
    US) and the seeds staging.import_by_supplier reads."""
    raw = (
        trade.read_baci_extract(BACI)
        .filter(pl.col("year").is_in(YEARS))
        .filter(pl.col("importer_iso3").is_in(["JPN", "USA", "GBR", "DEU", "FRA", "NLD", "POL"]))
        .collect()
    )
    known = (set(raw["exporter_iso3"]) | set(raw["importer_iso3"]) | {"TWN"}) - {"S19"}
    flows = trade.conform_baci(raw, load_seed("hs_mineral"), known)
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    eu = typed_seed("eu_membership", {"iso3": None, "joined": "INTEGER", "left": "INTEGER"})
    partners = load_seed("partner_group")
    # one real flow left out as an outlier: the largest of 2019 (a year's build must drop it too)
    key = ["nomenclature", "year", "hs6", "exporter_iso3", "importer_iso3"]
    outliers = flows.filter(pl.col("year") == 2019).sort("value_usd").tail(1).select(key)
    tables = [
        ("trade_flows", flows),
        ("trade_outliers", outliers),
        ("eu_membership", eu),
        ("partner_group", partners),
    ]
    for table, frame in tables:
        con.register("_frame", frame)
        con.execute(f"CREATE TABLE staging.{table} AS SELECT * FROM _frame")
        con.unregister("_frame")
    checked = model("trade_flows_checked")  # the flows less the outliers, also a year at a time
    build_model(con, checked, contract_for(checked.table).build_by_year)
    con.execute(f"CREATE TABLE staging.bloc_members AS {model('bloc_members').sql}")
    return con


def test_built_by_year_it_holds_the_rows_of_the_whole_build(con):
    ibs = model("import_by_supplier")
    by_year = contract_for(ibs.table).build_by_year
    assert by_year == ("staging.trade_flows_checked",)
    checked = contract_for("staging.trade_flows_checked").build_by_year
    assert checked == ("staging.trade_flows", "staging.trade_outliers")
    build_model(con, ibs, by_year)
    got = con.execute(f"FROM {ibs.table} ORDER BY ALL").fetchall()
    whole = con.execute(f"FROM ({ibs.sql}) ORDER BY ALL").fetchall()
    assert len(got) > 1000 and {r[4] for r in got} == set(YEARS)
    assert same_rows(got, whole)  # doubles: the two sum in different orders
    # the outlier flow is in no supplier's total: its pair sums the other codes' flows only
    ((left_out, outlier_value),) = con.execute(
        """WITH o AS (SELECT f.* FROM staging.trade_flows f JOIN staging.trade_outliers
                      USING (nomenclature, year, hs6, exporter_iso3, importer_iso3))
           SELECT (SELECT sum(f.value_usd) FROM staging.trade_flows f
                   WHERE f.year = o.year AND f.exporter_iso3 = o.exporter_iso3
                     AND f.importer_iso3 = o.importer_iso3 AND f.commodity = o.commodity
                     AND f.stage = o.stage) - coalesce(b.value_usd, 0), o.value_usd
           FROM o LEFT JOIN staging.import_by_supplier b
             USING (year, exporter_iso3, importer_iso3, commodity, stage)"""
    ).fetchall()
    assert left_out == pytest.approx(outlier_value)
    types = "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?"
    built = con.execute(types, ["import_by_supplier"]).fetchall()
    assert built == [(r[0], r[1]) for r in con.execute(f"DESCRIBE ({ibs.sql})").fetchall()]


def test_the_rewrite_reads_one_year_under_the_tables_own_names():
    sql = """WITH f AS (SELECT * FROM staging.trade_flows AS t WHERE t.value_usd > 0)
             SELECT f.year, m.iso3 FROM f JOIN staging.bloc_members AS m ON m.iso3 = f.importer_iso3
             UNION ALL SELECT year, importer_iso3 FROM staging.trade_flows"""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute(
        "CREATE TABLE staging.trade_flows AS SELECT * FROM (VALUES (2019, 'JPN', 1.0), "
        "(2020, 'JPN', 2.0), (2020, 'USA', 3.0)) AS v(year, importer_iso3, value_usd)"
    )
    con.execute("CREATE TABLE staging.bloc_members AS SELECT 'JPN' AS iso3")
    one = restrict_to_year(sql, ["staging.trade_flows"])
    got = sorted(con.execute(one, {"year": 2020}).fetchall())
    assert got == [(2020, "JPN"), (2020, "JPN"), (2020, "USA")]
    assert con.execute(one, {"year": 2019}).fetchall() == [(2019, "JPN"), (2019, "JPN")]
    assert "staging.bloc_members AS m" in one  # tables not named are left as they were
    with pytest.raises(SqlLineageError, match=r"does not read \['staging.production'\]"):
        restrict_to_year(sql, ["staging.trade_flows", "staging.production"])


def test_a_year_that_fails_leaves_the_table_as_it_was():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.t AS SELECT * FROM range(2018, 2022) AS r(year)")
    con.execute("CREATE TABLE staging.m AS SELECT 'last good' AS note")
    bad = SqlModel(
        "staging", "m",
        "SELECT year, CASE WHEN year = 2021 THEN error('no 2021') ELSE 'new' END AS note "
        "FROM staging.t -- a trailing comment",
        ("staging.t",), SNAPSHOT_DIR,
    )  # fmt: skip
    with pytest.raises(duckdb.Error, match="no 2021"):
        build_model(con, bad, ("staging.t",))
    assert con.execute("FROM staging.m").fetchall() == [("last good",)]
    con.execute("CREATE OR REPLACE TABLE staging.t AS SELECT NULL::INTEGER AS year")
    with pytest.raises(ContractError, match="rows with no year"):
        build_model(con, bad, ("staging.t",))


def test_build_by_year_needs_year_in_the_grain_and_an_input_the_sql_reads(tmp_path, monkeypatch):
    path = tmp_path / "staging" / "toy.yml"
    path.parent.mkdir()
    path.write_text(
        "description: Toy.\ngrain: [iso3]\nbuild_by_year: [staging.trade_flows]\n"
        "columns: {iso3: Country., year: Year.}\n"
    )
    with pytest.raises(ContractError, match="toy.yml: build_by_year needs `year` in the grain"):
        parse_contract(path)
    ibs = model("import_by_supplier")
    assert isinstance(sql_model_asset(ibs), dg.AssetsDefinition)
    wrong = dataclasses.replace(contract_for(ibs.table), build_by_year=("staging.production",))
    monkeypatch.setattr("pipelines.defs.marts.assets.contract_for", lambda table: wrong)
    with pytest.raises(ContractError, match=r"\['staging.production'\], which its SQL does not"):
        sql_model_asset(ibs)
