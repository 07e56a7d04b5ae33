"""The definitions load, and the graph's public surface is pinned: a rename shows up here."""

import dagster as dg

from pipelines.definitions import defs
from tests.support.sql import tables_duckdb_parses


def test_asset_keys_are_pinned():
    # the public surface: a rename or a removal is a change analysts and dashboards notice
    assert sorted(k.to_user_string() for k in defs.resolve_all_asset_keys()) == [
        "marts/alerts", "marts/capacity_outlook", "marts/concentration_trend",
        "marts/country_share", "marts/disruption_exposure", "marts/export_concentration",
        "marts/export_control_event_study", "marts/export_control_exposure",
        "marts/export_control_monthly", "marts/export_share", "marts/import_dependence",
        "marts/import_event_study", "marts/import_monitor", "marts/import_monthly",
        "marts/importer_supply_risk", "marts/origin_substitution", "marts/prices",
        "marts/project_capacity", "marts/refined_origin", "marts/screen_control_premium",
        "marts/screen_flooding", "marts/screen_price_discrimination",
        "marts/screen_price_vs_unit_value", "marts/stockpile_cover", "marts/supply_concentration",
        "marts/supply_risk", "marts/transit_screen", "marts/unit_values",
        "marts/us_net_import_reliance", "meta/check_results", "meta/monthly_code_changes",
        "meta/monthly_revisions", "meta/refresh", "meta/source_files", "raw/baci_flows",
        "raw/baci_flows_hs17", "raw/comtrade_flows", "raw/comtrade_monthly", "raw/ecb_fx_monthly",
        "raw/iea_supply", "raw/partner_monthly_comexstat", "raw/partner_monthly_estat_japan",
        "raw/partner_monthly_eurostat", "raw/partner_monthly_hmrc", "raw/partner_monthly_uscensus",
        "raw/usgs_mcs_production", "raw/usgs_myb_prices", "serving/dashboard", "serving/exports",
        "serving/published_warehouse", "staging/alert_kinds", "staging/bloc_members",
        "staging/capacity_scopes", "staging/china_customs_press", "staging/commodity_alias",
        "staging/comtrade_flows", "staging/control_lines", "staging/control_windows",
        "staging/country_alias",
        "staging/demand_reference", "staging/dim_country", "staging/dim_critical_list",
        "staging/dim_hs_content", "staging/dim_hs_mineral", "staging/dim_production_scope",
        "staging/eu_membership", "staging/export_control_codes", "staging/export_controls",
        "staging/focus_commodities", "staging/governance", "staging/hs_same_product",
        "staging/iea_published_top3", "staging/import_by_supplier",
        "staging/national_tariff_lines", "staging/outlook_assumptions", "staging/partner_group",
        "staging/partner_monthly", "staging/price_trade_pairs", "staging/production",
        "staging/project_funding", "staging/projects", "staging/representative_series",
        "staging/source_country_codes", "staging/stockpile_targets", "staging/stockpile_usgs_scope",
        "staging/supply_by_country", "staging/supply_series", "staging/trade_content_factors",
        "staging/trade_flows", "staging/trade_flows_checked", "staging/trade_monthly",
        "staging/trade_outliers", "staging/trade_products", "staging/us_salient",
        "staging/usgs_nir_products", "staging/usgs_prices",
    ]  # fmt: skip


def test_bespoke_check_keys_are_pinned():
    # the contracts' checks are pinned by test_contracts_make_the_checks; these are the GX
    # suites and the checks that need Python
    from pipelines.lib.contracts import load_contracts

    contract_checks = {
        (t.replace(".", "/"), name)
        for t, c in load_contracts().items()
        for name in c.violations_sql()
    }
    checks = sorted(
        f"{c.asset_key.to_user_string()}:{c.name}"
        for a in defs.asset_checks
        for c in a.check_specs
        if (c.asset_key.to_user_string(), c.name) not in contract_checks
    )
    assert checks == [
        "marts/alerts:no_new_alerts",
        "marts/country_share:scope_one_per_series", "marts/export_share:scope_one_per_series",
        "marts/stockpile_cover:scope_one_per_series",
        "marts/supply_concentration:share_sums_to_one",
        "marts/supply_concentration:share_sums_to_one_exactly",
        "marts/supply_concentration:top3_matches_published",
        "staging/china_customs_press:year_to_date_matches_months",
        "staging/comtrade_flows:comtrade_vs_baci_gap", "staging/dim_country:gx_suite",
        "staging/dim_hs_content:every_mapped_code_has_content",
        "staging/governance:gx_suite",
        "staging/governance:political_stability_matches_newer_file",
        "staging/production:expected_series_present",
        "staging/production:gx_suite", "staging/production:no_collapse_between_editions",
        "staging/production:year_on_year_moves", "staging/supply_by_country:scope_one_per_series",
        "staging/trade_flows:gx_suite", "staging/trade_outliers:trade_outliers_found",
    ]  # fmt: skip


def test_contracts_make_the_checks():
    """Each contract's SQL rules are checks on its table, blocking unless the rule's severity
    is warn: a check added or lost in the factory shows up here."""
    from pipelines.lib.contracts import load_contracts

    expected = {
        (c.table.replace(".", "/"), r.name): r
        for c in load_contracts().values()
        for r in c.sql_rules
    }
    made = {
        (c.asset_key.to_user_string(), c.name): c
        for a in defs.asset_checks
        for c in a.check_specs
        if (c.asset_key.to_user_string(), c.name) in expected
    }
    assert set(made) == set(expected)
    assert all(spec.blocking == expected[k].blocking for k, spec in made.items())
    assert ("marts/supply_concentration", "hhi_in_range") in made
    assert ("marts/supply_concentration", "top1_share_within_top3") in made
    assert ("staging/trade_flows", "grain_is_unique") in made


def test_every_table_has_one_contract_and_every_contract_one_asset():
    from pipelines.lib.contracts import load_contracts

    tables = {
        ".".join(k.path)
        for k in defs.resolve_all_asset_keys()
        if k.path[0] in ("staging", "marts", "meta")
    }
    assert tables == set(load_contracts())


def test_each_sql_model_depends_on_exactly_the_tables_its_sql_reads():
    from pipelines.lib.sql import all_models

    deps = {
        ".".join(key.path): {".".join(d.path) for d in deps}
        for key, deps in defs.resolve_asset_graph().asset_dep_graph["upstream"].items()
    }
    models = all_models()
    assert len(models) >= 10
    for model in models:
        assert deps[model.table] == tables_duckdb_parses(model.sql), model.table


def test_only_entry_points_import_the_definitions():
    """`pipelines.definitions` is the graph's root: a module under it importing it back is a
    cycle (publish used to). Only the CLI and the workspace load it."""
    import ast

    from pipelines.lib.paths import PROJECT_ROOT

    importers = []
    for path in sorted((PROJECT_ROOT / "pipelines").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "pipelines.definitions" for n in names):
                importers.append(path.relative_to(PROJECT_ROOT).as_posix())
    assert set(importers) <= {"pipelines/cli/refresh.py"}, importers


def test_publish_is_downstream_of_every_table():
    graph = defs.resolve_asset_graph()
    upstream = graph.asset_dep_graph["upstream"]
    publish = dg.AssetKey(["serving", "published_warehouse"])
    tables = {k for k in graph.get_all_asset_keys() if k.path[0] in ("raw", "staging", "marts")}
    assert tables <= upstream[publish]


def test_blocking_checks_guard_every_staging_table():
    checks = {
        (c.asset_key.to_user_string(), c.name): c for a in defs.asset_checks for c in a.check_specs
    }
    for table in ["staging/dim_country", "staging/production", "staging/governance"]:
        assert checks[(table, "gx_suite")].blocking, table
    assert checks[("marts/supply_concentration", "top3_matches_published")].blocking
    assert not checks[("marts/alerts", "no_new_alerts")].blocking


def test_schedules_have_timezone_and_description():
    for schedule in defs.schedules:
        assert schedule.execution_timezone and schedule.description
    assert {s.name for s in defs.schedules} == {"usgs_annual_february", "trade_monthly"}
    assert {s.name for s in defs.sensors} == {"new_alerts_sensor"}


def test_sources_carry_a_freshness_policy():
    specs = {s.key.to_user_string(): s for a in defs.assets for s in a.specs}
    assert specs["raw/usgs_mcs_production"].freshness_policy is not None
    assert specs["raw/iea_supply"].freshness_policy is not None


def test_dg_check_defs_passes():
    """What `dg check defs` sees (it also rejects a second Definitions object at module scope)."""
    import subprocess
    import sys
    from pathlib import Path

    dg_cli = Path(sys.executable).with_name("dg")
    result = subprocess.run(
        [str(dg_cli), "check", "defs"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_trade_is_partitioned_by_year_and_schedules_cover_every_year():
    import dagster as dg

    from pipelines.defs.trade.partitions import BACI_FIRST_YEAR, BACI_LAST_YEAR, year_range_tags

    specs = {s.key.to_user_string(): a for a in defs.assets for s in a.specs}
    for key in ["raw/baci_flows", "staging/trade_flows"]:
        keys = specs[key].partitions_def.get_partition_keys()
        assert keys[0] == str(BACI_FIRST_YEAR) and keys[-1] == str(BACI_LAST_YEAR)
    for schedule in defs.schedules:
        request = schedule.evaluate_tick(dg.build_schedule_context()).run_requests[0]
        assert year_range_tags().items() <= request.tags.items()
