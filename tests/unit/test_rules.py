"""The contract's rule language (pipelines/lib/rules.py): each rule kind made to fail by a planted
defect, dbt's semantics (nulls pass a relationship and an expression, `where` narrows the rows,
`severity: warn` does not block), and a malformed rule named with its file."""

import dagster as dg
import duckdb
import pytest

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import contract_check
from pipelines.lib.contracts import ContractError, load_contracts
from pipelines.lib.warehouse import Warehouse

TOY = """\
description: One row per (importer_iso3, year), a test table.
grain: [importer_iso3, year]
data_tests:
  - expression_is_true:
      name: china_share_within_top_share
      expression: china_share <= top_share + 1e-9
  - expression_is_true:
      name: top_share_below_a_half
      expression: top_share < 0.5
      config: {severity: warn, where: year >= 2020}
  - unique_combination_of_columns:
      name: code_is_unique
      combination_of_columns: [code]
      config: {where: code IS NOT NULL}
  - expect_table_row_count_to_be_between: {name: row_count_in_range, min_value: 2, max_value: 5}
columns:
  importer_iso3:
    description: Importer.
    relationships: {to: ref('marts.country'), field: iso3}
  year: Calendar year.
  top_share: {description: The top supplier's share., min: 0, max: 1}
  china_share: China's share.
  code: {description: A code., regex: '^[A-Z]{3}$'}
"""
COUNTRY = """\
description: One row per country.
grain: [iso3]
columns:
  iso3: ISO3.
"""
# importer_iso3, year, top_share, china_share, code
GOOD = [
    ("USA", 2024, 0.4, 0.3, "AAA"),
    ("JPN", 2019, 0.9, None, None),  # before 2020 (where), null share and code: all pass
    ("JPN", 2024, 0.4, 0.4, None),
]


def contracts_in(tmp_path, toy: str = TOY, country: str = COUNTRY):
    for name, text in (("toy", toy), ("country", country)):
        (tmp_path / "marts").mkdir(exist_ok=True)
        (tmp_path / "marts" / f"{name}.yml").write_text(text)
    load_contracts.cache_clear()
    try:
        return load_contracts(tmp_path)
    finally:
        load_contracts.cache_clear()


def tables(con, rows):
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE OR REPLACE TABLE marts.country AS SELECT * FROM (VALUES ('USA'), ('JPN'))")
    con.execute("ALTER TABLE marts.country RENAME COLUMN col0 TO iso3")
    con.execute(
        "CREATE OR REPLACE TABLE marts.toy (importer_iso3 VARCHAR, year INT, top_share DOUBLE, "
        "china_share DOUBLE, code VARCHAR)"
    )
    if rows:
        con.executemany("INSERT INTO marts.toy VALUES (?, ?, ?, ?, ?)", rows)


@pytest.fixture
def toy(tmp_path):
    return contracts_in(tmp_path)["marts.toy"]


def test_a_table_that_keeps_its_rules_has_no_violations(toy):
    con = duckdb.connect()
    tables(con, GOOD)
    assert list(toy.violations_sql()) == [
        "grain_is_unique", "importer_iso3_in_country", "top_share_in_range",
        "code_matches_regex", "china_share_within_top_share", "top_share_below_a_half",
        "code_is_unique", "row_count_in_range",
    ]  # fmt: skip
    for name, sql in toy.violations_sql().items():
        assert con.execute(sql).fetchall() == [], name


@pytest.mark.parametrize(
    ("rule", "bad_rows", "named"),
    [
        # expression_is_true: China above the top supplier
        ("china_share_within_top_share", [("KOR", 2024, 0.4, 0.6, None)], "KOR"),
        # severity warn, where year >= 2020: a 2024 row breaks it (a 2019 one in GOOD does not)
        ("top_share_below_a_half", [("KOR", 2024, 0.7, 0.1, None)], "KOR"),
        # relationships: an importer the parent table does not have
        ("importer_iso3_in_country", [("XXX", 2024, 0.4, 0.1, None)], "XXX"),
        # unique_combination_of_columns: the code twice (null codes, excluded by where, pass)
        ("code_is_unique", [("KOR", 2024, 0.4, 0.1, "AAA")], "AAA"),
        # regex
        ("code_matches_regex", [("KOR", 2024, 0.4, 0.1, "aa1")], "KOR"),
        # row count above 5
        ("row_count_in_range", [(f"K{i}", 2024, 0.1, 0.1, None) for i in range(3)], 6),
    ],
)
def test_each_rule_kind_fails_on_a_planted_defect(toy, rule, bad_rows, named):
    con = duckdb.connect()
    tables(con, [*GOOD, *bad_rows])
    offending = con.execute(toy.violations_sql()[rule]).fetchall()
    assert len(offending) == 1, offending
    assert named in offending[0]


def test_too_few_rows_break_the_row_count(toy):
    con = duckdb.connect()
    tables(con, GOOD[:1])
    assert con.execute(toy.violations_sql()["row_count_in_range"]).fetchall() == [(1,)]


def test_an_expression_rule_shows_the_grain_and_the_columns_it_reads(toy):
    con = duckdb.connect()
    tables(con, [*GOOD, ("KOR", 2024, 0.4, 0.6, "BBB")])
    cur = con.execute(toy.violations_sql()["china_share_within_top_share"])
    assert [d[0] for d in cur.description] == ["importer_iso3", "year", "china_share", "top_share"]


def test_severity_is_per_rule_in_the_dagster_checks(tmp_path, toy):
    wh = Warehouse(tmp_path / "wh")
    with wh.connect() as con:
        tables(con, [*GOOD, ("KOR", 2024, 0.7, 0.9, None)])  # breaks both expressions
    check = contract_check(toy)
    blocking = {spec.name: spec.blocking for spec in check.check_specs}
    assert blocking["china_share_within_top_share"] and not blocking["top_share_below_a_half"]
    key = dg.AssetKey(["marts", "toy"])
    result = dg.materialize(
        [dg.AssetSpec(key), dg.AssetSpec(dg.AssetKey(["marts", "country"])), check],
        resources={"warehouse": WarehouseResource(directory=str(tmp_path / "wh"))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        selection=dg.AssetSelection.checks_for_assets(key),
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    error, warn = evaluations["china_share_within_top_share"], evaluations["top_share_below_a_half"]
    assert not error.passed and error.severity == dg.AssetCheckSeverity.ERROR
    assert not warn.passed and warn.severity == dg.AssetCheckSeverity.WARN
    assert "'KOR'" in error.description and "china_share <= top_share" in error.description
    # the relationship's check waits for the table it reads
    specs = {s.name: s for s in check.check_specs}
    assert [d.asset_key for d in specs["importer_iso3_in_country"].additional_deps] == [
        dg.AssetKey(["marts", "country"])
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("expression_is_true:\n      name: china", "expression_true:\n      name: china",
         "unknown test 'expression_true'"),
        ("china_share <= top_share", "chinashare <= top_share",
         r"names columns the table does not have: \['chinashare'\]"),
        ("china_share <= top_share + 1e-9", "china_share <=", "is not a SQL expression"),
        ("severity: warn", "severity: fatal", "severity must be error or warn, not 'fatal'"),
        ("config: {severity: warn,", "config: {when: x,", "`config` takes severity and where"),
        ("to: ref('marts.country')", "to: marts.country", r"`to` must be ref\('schema.table'\)"),
        ("field: iso3}", "field: code}", "marts.country has no column 'code'"),
        ("ref('marts.country')", "ref('marts.nowhere')", "no contract for marts.nowhere"),
        ("name: code_is_unique", "name: row_count_in_range", r"two rules named \['row_count_in"),
        ("combination_of_columns: [code]", "combination_of_columns: [cod]",
         "combination_of_columns must name the table's columns"),
    ],
)  # fmt: skip
def test_a_malformed_rule_is_named_with_its_file(tmp_path, old, new, message):
    assert old in TOY
    with pytest.raises(ContractError, match=message) as error:
        contracts_in(tmp_path, toy=TOY.replace(old, new))
    assert "marts/toy.yml" in str(error.value) or "marts.toy" in str(error.value)
