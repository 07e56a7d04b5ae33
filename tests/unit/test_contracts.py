"""Table contracts: parsing, the generic checks they generate (each made to fail on a tiny
violating table), column drift caught at build time, and lineage read from the SQL."""

import dagster as dg
import duckdb
import pytest

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import column_schema, contract_check
from pipelines.lib.contracts import ContractError, load_contracts, parse_contract
from pipelines.lib.sql import SqlLineageError, tables_read
from pipelines.lib.warehouse import Warehouse

CONTRACT = """\
description: >-
  One row per (importer_iso3, year): a test table.
grain: [importer_iso3, year]
columns:
  importer_iso3: {description: Importer., not_null: true}
  year: Calendar year.
  share: {description: A share 0-1., min: 0, max: 1}
  basis: {description: What it measures., values: [quantity, value]}
"""


@pytest.fixture
def contract(tmp_path):
    path = tmp_path / "marts" / "toy.yml"
    path.parent.mkdir()
    path.write_text(CONTRACT)
    return parse_contract(path)


def _table(con, rows):
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        "CREATE OR REPLACE TABLE marts.toy (importer_iso3 VARCHAR, year INT, share DOUBLE, "
        "basis VARCHAR)"
    )
    con.executemany("INSERT INTO marts.toy VALUES (?, ?, ?, ?)", rows)


GOOD = [("USA", 2024, 0.5, "value"), ("JPN", 2024, 1.0 + 1e-12, "quantity"), ("JPN", 2023, 0, None)]


def test_a_table_that_keeps_its_contract_has_no_violations(contract):
    con = duckdb.connect()
    _table(con, GOOD)
    assert set(contract.violations_sql()) == {
        "grain_is_unique", "importer_iso3_not_null", "share_in_range", "basis_accepted_values"
    }  # fmt: skip
    for name, sql in contract.violations_sql().items():
        assert con.execute(sql).fetchall() == [], name


@pytest.mark.parametrize(
    ("check", "bad_row", "named"),
    [
        ("grain_is_unique", ("USA", 2024, 0.1, "value"), "USA"),  # same key twice
        ("importer_iso3_not_null", (None, 2022, 0.1, "value"), None),
        ("share_in_range", ("CHN", 2024, 1.2, "value"), "CHN"),  # a share above 1
        ("share_in_range", ("KOR", 2024, -0.01, "value"), "KOR"),
        ("basis_accepted_values", ("DEU", 2024, 0.1, "weight"), "DEU"),
    ],
)
def test_each_generated_check_names_the_offending_rows(contract, check, bad_row, named):
    con = duckdb.connect()
    _table(con, [*GOOD, bad_row])
    offending = con.execute(contract.violations_sql()[check]).fetchall()
    assert len(offending) == 1
    assert offending[0][0] == named


def test_the_dagster_check_fails_with_error_severity_and_blocks(tmp_path):
    contract = load_contracts()["marts.import_dependence"]
    wh = Warehouse(tmp_path)
    with wh.connect() as con:
        con.execute(
            "CREATE TABLE marts.import_dependence AS SELECT * FROM (VALUES "
            "('USA', 'graphite', 'mining', 2024, 1.5, 0.2, 9000.0), "
            "('USA', 'graphite', 'mining', 2024, 0.5, 0.2, 9000.0)) "
            "t(importer_iso3, commodity, stage, year, top_supplier_share, china_share, "
            "supplier_hhi)"
        )
    check = contract_check(contract)
    assert all(spec.blocking for spec in check.check_specs)
    key = dg.AssetKey(["marts", "import_dependence"])
    result = dg.materialize(
        [dg.AssetSpec(key), check],
        resources={"warehouse": WarehouseResource(directory=str(tmp_path))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        selection=dg.AssetSelection.checks_for_assets(key),
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["grain_is_unique"].passed
    assert not evaluations["top_supplier_share_in_range"].passed
    assert evaluations["china_share_in_range"].passed
    assert evaluations["grain_is_unique"].severity == dg.AssetCheckSeverity.ERROR
    assert "USA" in evaluations["top_supplier_share_in_range"].description


def test_a_built_table_that_drifts_from_its_contract_fails(contract):
    con = duckdb.connect()
    _table(con, GOOD)
    assert [c.name for c in column_schema(con, contract).columns] == [
        "importer_iso3", "year", "share", "basis"
    ]  # fmt: skip
    con.execute("ALTER TABLE marts.toy ADD COLUMN extra INT")
    con.execute("ALTER TABLE marts.toy DROP COLUMN basis")
    with pytest.raises(
        ContractError, match=r"not in the contract: \['extra'\].*not built: \['basis'\]"
    ):
        column_schema(con, contract)


def test_a_malformed_contract_names_the_file(tmp_path):
    path = tmp_path / "marts" / "toy.yml"
    path.parent.mkdir()
    path.write_text(CONTRACT.replace("grain: [importer_iso3, year]", "grain: [importer, year]"))
    with pytest.raises(ContractError, match="toy.yml: grain names undeclared columns"):
        parse_contract(path)
    path.write_text(CONTRACT.replace("min: 0, max: 1", "minimum: 0"))
    with pytest.raises(ContractError, match="unknown keys"):
        parse_contract(path)


def test_every_contract_in_the_repository_parses_and_describes_every_column():
    contracts = load_contracts()
    assert len(contracts) >= 25
    for contract in contracts.values():
        assert contract.description.strip(), contract.table
        assert all(c.description.strip() for c in contract.columns), contract.table


def test_lineage_excludes_ctes_and_refuses_unqualified_tables():
    sql = """WITH a AS (SELECT * FROM staging.x), b AS (SELECT * FROM a JOIN marts.y USING (k))
             SELECT * FROM b WHERE k IN (SELECT k FROM staging.z)"""
    assert tables_read(sql) == ("marts.y", "staging.x", "staging.z")
    with pytest.raises(SqlLineageError, match="'trade_flows' has no schema"):
        tables_read("SELECT * FROM trade_flows", where="sql/marts/bad.sql")
