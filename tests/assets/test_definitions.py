"""The definitions load, and the graph's public surface is pinned: a rename shows up here."""

from pipelines.definitions import defs


def test_asset_keys_are_pinned():
    keys = sorted(k.to_user_string() for k in defs.resolve_all_asset_keys())
    expected_core = {
        "raw/usgs_mcs_production",
        "raw/iea_supply",
        "staging/dim_country",
        "staging/production",
        "staging/supply_by_country",
        "staging/supply_series",
        "staging/governance",
        "marts/country_share",
        "marts/supply_concentration",
        "marts/supply_risk",
        "marts/concentration_trend",
        "marts/alerts",
        "serving/published_warehouse",
    }
    assert expected_core <= set(keys)


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
