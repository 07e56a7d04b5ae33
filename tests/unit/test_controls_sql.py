"""The export-control monthly series, event study and monthly-drop alerts, run on the real monthly
snapshot; every expected figure is summed here by hand from the raw CSV."""

import csv
from datetime import date

import duckdb
import pytest

from pipelines.defs.trade.monthly import CHINA_MONTHLY
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, typed_seed
from pipelines.lib.sql import load_models, load_query
from pipelines.lib.transforms import countries, trade_monthly
from pipelines.lib.transforms.export_controls import conform_export_controls

FILE = SNAPSHOT_DIR / CHINA_MONTHLY
# EU members among the file's partner names (the file has no UK row after 2019 to worry about)
EU_NAMES = {
    "Austria", "Belgium", "Czech Republic", "France", "Germany", "Hungary", "Italy",
    "Netherlands", "Poland", "Slovakia", "Spain", "Sweden",
}  # fmt: skip


def model(name):
    return next(m for m in load_models("marts") if m.name == name).sql


@pytest.fixture(scope="module")
def raw():
    with open(FILE, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def con():
    reference = countries.load_reference(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv"
    )
    lookup = countries.build_lookup(reference, load_seed("country_aliases"))
    monthly = trade_monthly.conform_china_monthly(
        trade_monthly.read_china_monthly_csv(FILE), lookup, file=CHINA_MONTHLY
    )
    measures, codes = conform_export_controls(
        load_seed("export_controls"), set(load_seed("hs_mineral")["hs6"])
    )
    members = typed_seed("eu_membership", {"iso3": None, "joined": "INTEGER", "left": "INTEGER"})
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    for table, frame in [
        ("trade_monthly", monthly),
        ("export_controls", measures),
        ("export_control_codes", codes),
        ("eu_membership", members),
    ]:
        con.register("_f", frame)
        con.execute(f"CREATE TABLE staging.{table} AS SELECT * FROM _f")
        con.unregister("_f")
    con.execute(f"CREATE TABLE marts.export_control_monthly AS {model('export_control_monthly')}")
    con.execute(
        f"CREATE TABLE marts.export_control_event_study AS {model('export_control_event_study')}"
    )
    return con


def total(raw, hs6, names, first, last, field="val"):
    """Sum of `field` for China's exports of hs6 to `names`, months first..last (YYYY-MM)."""
    return sum(
        float(r[field])
        for r in raw
        if r["hs6"] == hs6 and r["partner_name"] in names and first <= r["period_dt"][:7] <= last
    )


def study(con, measure, hs6, destination, window=12):
    cur = con.execute(
        "SELECT * FROM marts.export_control_event_study "
        "WHERE measure_id = ? AND hs6 = ? AND destination = ? AND window_months = ?",
        [measure, hs6, destination, window],
    )
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def test_artificial_graphite_to_the_us_12_months_around_2023_12_01(con, raw):
    got = study(con, "CN-2023-39", "380110", "USA")
    before = total(raw, "380110", {"USA"}, "2022-12", "2023-11")
    after = total(raw, "380110", {"USA"}, "2023-12", "2024-11")
    assert got["value_before_usd"] == pytest.approx(before)
    assert got["value_after_usd"] == pytest.approx(after)
    assert got["value_change"] == pytest.approx(after / before - 1)
    assert (got["months_before"], got["months_after"]) == (12, 12)
    # unit value: value over kilograms, months whose quantity is reported
    priced = [
        r
        for r in raw
        if r["hs6"] == "380110" and r["partner_name"] == "USA"
        and "2022-12" <= r["period_dt"][:7] <= "2023-11" and float(r["qty"]) > 0
    ]  # fmt: skip
    kg = sum(float(r["qty"]) for r in priced)
    assert got["unit_value_before_usd_per_kg"] == pytest.approx(
        sum(float(r["val"]) for r in priced) / kg
    )
    assert got["quantity_unit"] == "kg" and got["is_target"] is False


def test_gallium_germanium_to_japan_and_the_us_ban(con, raw):
    got = study(con, "CN-2023-23", "811292", "JPN")
    assert got["value_before_usd"] == pytest.approx(
        total(raw, "811292", {"Japan"}, "2022-08", "2023-07")
    )
    assert got["value_after_usd"] == pytest.approx(
        total(raw, "811292", {"Japan"}, "2023-08", "2024-07")
    )
    assert got["is_shared_code"] is True  # 811292 is a basket: an upper bound
    # the US ban of 2024-12-03: the series ends 2024-12, so the after window has one month
    ban = study(con, "CN-2024-46", "811292", "USA")
    assert (ban["months_before"], ban["months_after"]) == (12, 1)
    assert ban["value_after_usd"] == pytest.approx(
        total(raw, "811292", {"USA"}, "2024-12", "2024-12")
    )
    assert ban["is_target"] is True
    assert study(con, "CN-2024-46", "811292", "JPN")["is_target"] is False


def test_a_change_only_where_both_windows_are_complete(con, raw):
    """CN-2024-46 (US ban, 2024-12-03): 12 months before against the one month the series has
    after it is no change; the row says which months each window covers and why."""
    months = sorted({r["period_dt"][:7] for r in raw if r["hs6"] == "811292"})
    assert months[-1] == "2024-12"  # the raw series ends one month after the ban
    ban = study(con, "CN-2024-46", "811292", "USA")
    assert ban["value_change"] is None and ban["value_change_usd"] is None
    assert ban["change_null_reason"] == "after window incomplete: 1 of 12 months in the data"
    assert (ban["before_covered_from"], ban["before_covered_to"]) == (
        date(2023, 12, 1),
        date(2024, 11, 1),
    )
    assert ban["after_covered_from"] == ban["after_covered_to"] == date(2024, 12, 1)
    assert ban["shared_code_note"].startswith("HS 811292 also holds goods this measure")
    # a complete window keeps its change (artificial graphite, 12 and 12 months)
    graphite = study(con, "CN-2023-39", "380110", "USA")
    assert graphite["change_null_reason"] is None and graphite["value_change"] is not None
    (wrong,) = con.execute(
        """SELECT count(*) FROM marts.export_control_event_study
           WHERE (value_change IS NOT NULL OR value_change_usd IS NOT NULL)
             AND (months_before < window_months OR months_after < window_months)"""
    ).fetchone()
    assert wrong == 0


def test_window_past_the_series_end_has_no_after_value(con, raw):
    # CN-2025-58 takes effect 2025-11-08: only 2024-11 and 2024-12 are in the data
    got = study(con, "CN-2025-58", "380110", "USA")
    assert (got["months_before"], got["months_after"]) == (2, 0)
    assert got["value_before_usd"] == pytest.approx(
        total(raw, "380110", {"USA"}, "2024-11", "2024-12")
    )
    assert got["value_after_usd"] is None and got["value_change"] is None


def test_monthly_series_destinations_by_hand(con, raw):
    rows = dict(
        con.execute(
            "SELECT destination, value_usd FROM marts.export_control_monthly "
            "WHERE measure_id = 'CN-2023-39' AND hs6 = '380110' AND period = ?",
            [date(2024, 1, 1)],
        ).fetchall()
    )
    names = {r["partner_name"] for r in raw}
    assert rows["EU27"] == pytest.approx(total(raw, "380110", EU_NAMES, "2024-01", "2024-01"))
    assert rows["ALL"] == pytest.approx(total(raw, "380110", names, "2024-01", "2024-01"))
    others = names - {"USA", "Japan"}
    assert rows["OTHERS"] == pytest.approx(total(raw, "380110", others, "2024-01", "2024-01"))


def test_monthly_drop_alert_in_words(con, raw):
    # the other alert kinds' inputs, empty
    for table in ("concentration_trend", "import_dependence", "export_concentration"):
        con.execute(f"DROP TABLE IF EXISTS marts.{table}")
    con.execute("""CREATE TABLE marts.export_concentration (source VARCHAR, commodity VARCHAR,
        stage VARCHAR, basis VARCHAR, year INT, previous_year INT, hhi DOUBLE,
        hhi_change DOUBLE, concentration_band VARCHAR, previous_band VARCHAR,
        china_share DOUBLE, china_share_change DOUBLE, product VARCHAR, hs_codes VARCHAR,
        includes_basket BOOLEAN)""")
    content = load_seed("hs_content")  # the code's products in words, a basket said so
    con.register("_f", content)
    con.execute("CREATE OR REPLACE TABLE staging.dim_hs_content AS SELECT * FROM _f")
    con.unregister("_f")
    con.execute("""CREATE TABLE marts.concentration_trend (source VARCHAR, commodity VARCHAR,
        stage VARCHAR, basis VARCHAR, year INT, is_projection BOOLEAN, previous_year INT,
        hhi DOUBLE, hhi_change DOUBLE, concentration_band VARCHAR, previous_band VARCHAR,
        china_share DOUBLE, china_share_change DOUBLE)""")
    con.execute("""CREATE TABLE marts.import_dependence (importer_iso3 VARCHAR,
        commodity VARCHAR, stage VARCHAR, year INT, top_supplier_iso3 VARCHAR,
        top_supplier_share DOUBLE, exceeds_eu_65pct_cap BOOLEAN)""")
    con.execute(
        "CREATE OR REPLACE TABLE staging.dim_critical_list (list VARCHAR, commodity VARCHAR)"
    )
    alerts = {
        key: (message, value, previous)
        for key, message, value, previous in con.execute(
            "SELECT alert_key, message, value, previous_value FROM ("
            + load_query("alerts/candidates.sql")
            + ") WHERE kind = 'china_exports_down_50pct'"
        ).fetchall()
    }
    now = total(raw, "811292", {"USA"}, "2024-09", "2024-11")  # Oct 2024 has no row: 0
    earlier = total(raw, "811292", {"USA"}, "2023-09", "2023-11")
    message, value, previous = alerts["china_exports_down_50pct|comtrade|811292|USA|2024-11"]
    assert (value, previous) == (pytest.approx(now), pytest.approx(earlier))
    pct = round(100 * (1 - now / earlier))
    assert pct > 50
    assert message == (
        "gallium, germanium and other metals (HS 811292; a basket: an upper bound, not gallium "
        f"or germanium alone): China's exports to USA down {pct}% (Sep-Nov 2024 vs a year earlier)"
    )
    # windows straddling a new year name both years; none starts before the control took effect
    assert any("(Dec 2023-Feb 2024 vs a year earlier)" in m for m, _, _ in alerts.values())
    assert not any(k.endswith(("|2023-08", "|2023-09")) and "811292" in k for k in alerts)
    assert not any("2023-1" in k and "|250410|" in k for k in alerts)  # graphite from 2023-12
