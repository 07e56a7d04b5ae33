"""The scope of every figure (issue 26): contracts declare what each measure counts, a lineage
check over the parsed SQL refuses a figure computed from two scopes unless it says so, and a data
check refuses a series that mixes two scopes. Each rule is made to fail on a small model."""

import dataclasses
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.contracts import (
    ContractError,
    load_contracts,
    parse_contract,
    scope_violations_sql,
)
from pipelines.lib.scope import violations
from pipelines.lib.sql import SqlModel, all_models, tables_read

PRODUCTION = """\
description: Production, tonnes of content.
grain: [commodity, year, iso3]
columns:
  commodity: Commodity.
  year: Year.
  iso3: Country.
  amount_t: Production.
  unit_basis: content or gross_weight.
scope:
  series: [commodity, year]
  dimensions:
    commodity: {column: commodity}
    basis: production
    measured_by: quantity
    unit_basis: {column: unit_basis}
  measures: [amount_t]
"""
IMPORTS = """\
description: Imports, tonnes gross weight.
grain: [commodity, year, importer_iso3]
columns:
  commodity: Commodity.
  year: Year.
  importer_iso3: Importer.
  quantity_t: Imports.
  value_usd: Imports by value.
scope:
  dimensions:
    commodity: {column: commodity}
    basis: imports
  measures:
    quantity_t: {measured_by: quantity, unit_basis: gross_weight}
    value_usd: {measured_by: value, unit_basis: value}
"""
RATIO_SQL = """
    SELECT p.commodity, p.year, i.importer_iso3, sum(p.amount_t) / any_value(i.quantity_t) AS ratio
    FROM staging.production_toy p
    JOIN staging.imports_toy i USING (commodity, year)
    GROUP BY ALL"""


def _ratio_contract(scope: str) -> str:
    return f"""\
description: A ratio.
grain: [commodity, year, importer_iso3]
columns:
  commodity: Commodity.
  year: Year.
  importer_iso3: Importer.
  ratio: The ratio.
scope:
  dimensions:
    commodity: {{column: commodity}}
  measures:
{scope}
"""


def _contracts(tmp_path: Path, ratio_scope: str) -> dict:
    files = {
        "staging/production_toy.yml": PRODUCTION,
        "staging/imports_toy.yml": IMPORTS,
        "marts/ratio_toy.yml": _ratio_contract(ratio_scope),
    }
    contracts = {}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        contract = parse_contract(path)
        contracts[contract.table] = contract
    return contracts


def _model(sql: str) -> SqlModel:
    return SqlModel("marts", "ratio_toy", sql, tables_read(sql), Path("marts/ratio_toy.sql"))


def test_every_model_in_the_repository_keeps_its_scopes():
    contracts = load_contracts()
    problems = [p for m in all_models() for p in violations(m, contracts)]
    assert problems == []


def test_a_figure_dividing_two_scopes_is_refused(tmp_path):
    # production (content) over imports (gross weight), declared as a plain production figure
    contracts = _contracts(tmp_path, "    ratio: {basis: production}")
    problems = violations(_model(RATIO_SQL), contracts)
    assert any(
        "combines staging.imports_toy.quantity_t and staging.production_toy.amount_t" in p
        and "basis imports vs production" in p
        for p in problems
    ), problems
    assert any("basis production but reads staging.imports_toy" in p for p in problems)


def test_a_declared_cross_scope_figure_passes_and_names_both_sides(tmp_path):
    scope = """\
    ratio:
      cross_scope:
        production: {basis: production, measured_by: quantity}
        imports: {basis: imports, measured_by: quantity, unit_basis: gross_weight}"""
    assert violations(_model(RATIO_SQL), _contracts(tmp_path, scope)) == []


def test_a_cross_scope_declaration_must_stay_true(tmp_path):
    scope = """\
    ratio:
      cross_scope:
        production: {basis: production}
        consumption: {basis: consumption}"""
    contracts = _contracts(tmp_path, scope)
    problems = violations(_model(RATIO_SQL), contracts)
    assert any("staging.imports_toy.quantity_t matches none" in p for p in problems), problems
    # a declaration whose inputs are all on one side is stale
    one_side = (
        "SELECT commodity, year, iso3 AS importer_iso3, amount_t AS ratio "
        "FROM staging.production_toy"
    )
    assert any("all on one side" in p for p in violations(_model(one_side), contracts))


def test_value_and_tonnes_do_not_mix_but_a_condition_brings_no_scope(tmp_path):
    contracts = _contracts(tmp_path, "    ratio: {basis: imports}")
    unit_value = (
        "SELECT commodity, year, importer_iso3, value_usd / quantity_t AS ratio "
        "FROM staging.imports_toy"
    )
    assert any(
        "measured_by quantity vs value" in p for p in violations(_model(unit_value), contracts)
    )
    # value of the flows that report a quantity: the quantity only picks rows
    filtered = """SELECT commodity, year, importer_iso3,
                         sum(value_usd) FILTER (WHERE quantity_t IS NOT NULL) AS ratio
                  FROM staging.imports_toy GROUP BY ALL"""
    assert violations(_model(filtered), contracts) == []


def test_the_repository_refuses_its_own_cross_scope_figures_undeclared():
    # marts.disruption_exposure divides production (content) by lost imports (gross weight):
    # without its cross_scope declaration the check names it
    contracts = load_contracts()
    mart = contracts["marts.disruption_exposure"]
    measures = tuple(
        dataclasses.replace(m, cross_scope=())
        if m.column == "rest_of_world_production_per_lost_t"
        else m
        for m in mart.scope.measures
    )
    stripped = dataclasses.replace(mart, scope=dataclasses.replace(mart.scope, measures=measures))
    model = next(m for m in all_models() if m.table == "marts.disruption_exposure")
    problems = violations(model, {**contracts, mart.table: stripped})
    assert any(
        p.startswith("marts.disruption_exposure.rest_of_world_production_per_lost_t")
        and "staging.import_by_supplier.quantity_t" in p
        and "basis production vs imports" in p
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("  measures: [amount_t]\n  dimensions: {tonnage: content}", "unknown dimension 'tonnage'"),
        ("  measures: [amount_t]\n  dimensions: {basis: mining}", "basis 'mining' is not one of"),
        ("  measures: [weight_t]", "scope names undeclared columns ['weight_t']"),
        ("  dimensions: {basis: production}", "scope needs `measures`"),
        (
            "  measures:\n    amount_t:\n      cross_scope: {only: {basis: production}}",
            "cross_scope names at least two sides",
        ),
    ],
)
def test_a_malformed_scope_names_the_contract(tmp_path, scope, message):
    path = tmp_path / "staging" / "bad.yml"
    path.parent.mkdir()
    path.write_text(PRODUCTION.split("scope:")[0] + "scope:\n" + scope + "\n")
    with pytest.raises(ContractError, match="bad.yml") as err:
        parse_contract(path)
    assert message in str(err.value)


def test_a_series_mixing_two_unit_bases_fails_the_data_check(tmp_path):
    contract = _contracts(tmp_path, "    ratio: {}")["staging.production_toy"]
    (name, sql) = next(iter(scope_violations_sql(contract).items()))
    assert name == "scope_one_per_series"
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute(
        "CREATE TABLE staging.production_toy AS SELECT * FROM (VALUES "
        "('antimony', 2024, 'CHN', 60000.0, 'content'), "
        "('antimony', 2024, 'RUS', 3000.0, 'content'), "
        "('graphite', 2024, 'CHN', 1270000.0, 'gross_weight')) "
        "t(commodity, year, iso3, amount_t, unit_basis)"
    )
    assert con.execute(sql).fetchall() == []
    # one country given in gross weight of concentrate: antimony 2024 now mixes two scopes
    con.execute(
        "INSERT INTO staging.production_toy VALUES ('antimony', 2024, 'TJK', 21000, 'gross_weight')"
    )
    assert con.execute(sql).fetchall() == [("antimony", 2024, 2)]


# Tables whose figures are not declared yet, and why (everything else with figures must be).
SCOPE_PENDING = {
    # the risk-method branch's tables (issue 26 items 5-7, landed while this was built)
    "marts.importer_supply_risk",
    "marts.export_control_event_study",
    "marts.us_net_import_reliance",
    # the monthly-trade branches' tables (landed while this was built): scoped by them
    "staging.trade_monthly",
    "staging.partner_monthly",
    "marts.export_control_monthly",
    "meta.monthly_revisions",
    "meta.monthly_code_changes",
    "staging.china_customs_press",
    "marts.import_monthly",
    "marts.import_monitor",
    "marts.import_event_study",
    "marts.origin_substitution",
    "marts.transit_screen",
    # the projects branch's tables (issue 29, landed while this was built)
    "marts.capacity_outlook",
    "marts.project_capacity",
    "marts.refined_origin",
    "staging.capacity_scopes",
    "staging.demand_reference",
    "staging.outlook_assumptions",
    "staging.project_funding",
    "staging.projects",
    "staging.trade_content_factors",
    # World Bank governance scores: an index of countries, not a mineral figure
    "staging.governance",
}
# Tables without figures: reference dimensions, seeds, lists, run metadata.
NO_FIGURES = {
    "staging.alert_kinds", "staging.commodity_alias", "staging.bloc_members",
    "staging.country_alias", "staging.dim_country",
    "staging.dim_critical_list", "staging.dim_hs_content", "staging.dim_hs_mineral",
    "staging.dim_production_scope", "staging.eu_membership", "staging.export_control_codes",
    "staging.export_controls", "staging.focus_commodities", "staging.iea_published_top3",
    "staging.partner_group", "staging.representative_series", "staging.source_country_codes",
    "staging.trade_products", "staging.usgs_nir_products", "staging.control_lines",
    "staging.national_tariff_lines", "staging.stockpile_usgs_scope",
    "staging.stockpile_targets",  # a policy's days, with its source: no mineral figure
    "staging.hs_same_product", "staging.price_trade_pairs", "staging.control_windows",
    "meta.check_results", "meta.refresh", "meta.source_files",
}  # fmt: skip


def test_every_table_with_figures_declares_their_scope():
    contracts = load_contracts()
    unscoped = {t for t, c in contracts.items() if c.scope is None}
    assert unscoped - NO_FIGURES - SCOPE_PENDING == set()
    assert set(contracts) >= NO_FIGURES | SCOPE_PENDING


def test_every_share_of_trade_leaves_the_outliers_out():
    """A model that reads the BACI flows reads staging.trade_outliers too
    (staging.trade_flows_checked leaves them out on the flow key; the shares read that), so a flow
    that fails a plausibility test is in no share, concentration or alert."""
    readers = {m.table: m.deps for m in all_models() if "staging.trade_flows" in m.deps}
    checked = {m.table for m in all_models() if "staging.trade_flows_checked" in m.deps}
    assert {"staging.import_by_supplier", "marts.export_share"} <= checked
    assert "staging.trade_flows_checked" in readers
    readers.pop("staging.trade_outliers")  # the table that finds them
    assert [t for t, deps in readers.items() if "staging.trade_outliers" not in deps] == []
