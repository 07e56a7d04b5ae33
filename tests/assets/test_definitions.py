"""The definitions load, and the graph's public surface is pinned: a rename shows up here."""

from pipelines.definitions import defs


def test_asset_keys_are_pinned():
    # the public surface: a rename or a removal is a change analysts and dashboards notice
    assert sorted(k.to_user_string() for k in defs.resolve_all_asset_keys()) == [
        "marts/alerts", "marts/concentration_trend", "marts/country_share",
        "marts/disruption_exposure", "marts/export_control_exposure", "marts/import_dependence",
        "marts/importer_supply_risk", "marts/supply_concentration", "marts/supply_risk",
        "raw/baci_flows", "raw/baci_flows_hs17", "raw/comtrade_flows", "raw/iea_supply",
        "raw/usgs_mcs_production", "serving/dashboard", "serving/exports",
        "serving/published_warehouse", "staging/comtrade_flows", "staging/dim_country",
        "staging/export_controls", "staging/governance", "staging/import_by_supplier",
        "staging/production", "staging/supply_by_country", "staging/supply_series",
        "staging/trade_flows",
    ]  # fmt: skip


def test_check_keys_are_pinned():
    checks = sorted(
        f"{c.asset_key.to_user_string()}:{c.name}" for a in defs.asset_checks for c in a.check_specs
    )
    assert checks == [
        "marts/alerts:no_new_alerts", "marts/country_share:one_row_per_key",
        "marts/import_dependence:import_dependence_one_row_per_key",
        "marts/import_dependence:import_dependence_shares_in_range",
        "marts/supply_concentration:hhi_in_range", "marts/supply_concentration:share_sums_to_one",
        "marts/supply_concentration:share_sums_to_one_exactly",
        "marts/supply_concentration:top3_matches_published",
        "staging/comtrade_flows:comtrade_vs_baci_gap", "staging/dim_country:gx_suite",
        "staging/governance:gx_suite",
        "staging/governance:political_stability_matches_newer_file",
        "staging/production:amount_matches_flag", "staging/production:expected_series_present",
        "staging/production:gx_suite", "staging/production:no_collapse_between_editions",
        "staging/production:year_on_year_moves", "staging/trade_flows:gx_suite",
    ]  # fmt: skip


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
