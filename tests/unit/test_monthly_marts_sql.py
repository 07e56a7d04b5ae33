"""The partner-side monthly marts on planted rows shaped like staging.partner_monthly: each
expected figure is worked out here by hand from the rows, each planted defect commented."""

from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.lib.contracts import load_contracts
from pipelines.lib.seeds import load_seed, typed_seed
from pipelines.lib.sql import load_models
from pipelines.lib.transforms.export_controls import conform_export_controls

MARTS = ["import_monthly", "import_event_study", "origin_substitution", "transit_screen",
         "import_monitor"]  # fmt: skip


def month(i: int) -> date:
    """Month i of the planted series: 0 = 2024-06 (HMRC's first month in the snapshot)."""
    y, m = divmod(2024 * 12 + 5 + i, 12)
    return date(y, m + 1, 1)


def row(source="hmrc", reporter="GBR", partner="CHN", flow="M", code="85051110", i=0,
        value=1000.0, kg=50.0, aggregate=False, confidential=False,
        nomenclature="CN8"):  # fmt: skip
    return {
        "source": source, "reporter_iso3": reporter, "partner_iso3": partner,
        "partner_code": partner or "XX", "is_aggregate_partner": aggregate, "flow": flow,
        "national_code": code, "nomenclature": nomenclature, "period": month(i),
        "value_usd": value, "quantity_kg": kg, "valuation": "CIF",
        "is_confidential": confidential,
    }  # fmt: skip


def seed_table(table: str) -> pl.DataFrame:
    contract = load_contracts()[table]
    return typed_seed(contract.seed, {c.name: c.type for c in contract.columns})


def build(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    measures, _ = conform_export_controls(
        load_seed("export_controls"), set(load_seed("hs_mineral")["hs6"])
    )
    members = typed_seed("eu_membership", {"iso3": None, "joined": "INTEGER", "left": "INTEGER"})
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    for name, frame in [
        ("partner_monthly", pl.DataFrame(rows)),
        ("national_tariff_lines", seed_table("staging.national_tariff_lines")),
        ("control_lines", seed_table("staging.control_lines")),
        ("export_controls", measures),
        ("eu_membership", members),
    ]:
        con.register("_f", frame)
        con.execute(f"CREATE TABLE staging.{name} AS SELECT * FROM _f")
        con.unregister("_f")
    models = {m.name: m for m in load_models("marts")}
    for name in MARTS:
        con.execute(f"CREATE TABLE marts.{name} AS {models[name].sql}")
    return con


def one(con, sql: str, params=()) -> dict:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def magnets_from_china(kg_by_month: dict[int, float], months: int = 25) -> list[dict]:
    """UK magnet imports: China as given, 10 kg a month from Germany, every month covered."""
    rows = [row(i=i, value=20.0 * kg, kg=kg) for i, kg in kg_by_month.items()]
    rows += [row(partner="DEU", i=i, value=300.0, kg=10.0) for i in range(months)]
    return rows


def test_import_monthly_eu27_counts_only_extra_eu_and_wld_counts_every_partner():
    con = build(
        [
            row(source="eurostat", reporter="DEU", partner="CHN", i=24, value=100.0, kg=4.0),
            row(source="eurostat", reporter="FRA", partner="CHN", i=24, value=50.0, kg=2.0),
            # intra-EU: France's imports from Germany are not EU27 imports
            row(source="eurostat", reporter="FRA", partner="DEU", i=24, value=999.0, kg=9.0),
            # a confidential partner: in WLD, never an origin of its own
            row(
                source="eurostat",
                reporter="DEU",
                partner=None,
                i=24,
                value=30.0,
                kg=1.0,
                aggregate=True,
                confidential=True,
            ),  # fmt: skip
        ]
    )
    eu_china = one(con, "SELECT * FROM marts.import_monthly WHERE importer_iso3 = 'EU27' "
                        "AND origin_iso3 = 'CHN'")  # fmt: skip
    assert (eu_china["value_usd"], eu_china["quantity_kg"], eu_china["n_reporters"]) == (
        150.0, 6.0, 2)  # fmt: skip
    eu_all = one(con, "SELECT * FROM marts.import_monthly WHERE importer_iso3 = 'EU27' "
                      "AND origin_iso3 = 'WLD'")  # fmt: skip
    assert eu_all["value_usd"] == 180.0 and eu_all["has_confidential_rows"]
    france_all = one(con, "SELECT * FROM marts.import_monthly WHERE importer_iso3 = 'FRA' "
                          "AND origin_iso3 = 'WLD'")  # fmt: skip
    assert france_all["value_usd"] == 1049.0  # France's own declaration keeps intra-EU trade
    assert eu_all["scope_label"].startswith("CN8 85051110: rare-earth permanent magnets")


def test_a_recording_outlier_keeps_its_value_but_not_its_mass():
    rows = [row(partner="DEU", i=i, value=200.0, kg=10.0) for i in range(5)]
    rows.append(row(partner="DEU", i=5, value=145.0, kg=835_600.0))  # 0.0002 USD/kg: a unit slip
    con = build(rows)
    got = one(con, "SELECT * FROM marts.import_monthly WHERE origin_iso3 = 'WLD' AND period = ?",
              [month(5)])  # fmt: skip
    assert (got["value_usd"], got["quantity_kg"], got["quantity_kg_checked"]) == (
        145.0, 835_600.0, None)  # fmt: skip
    assert got["outlier_partners"] == 1 and "DEU" in got["outlier_note"]


def test_event_study_windows_are_equal_and_a_change_needs_both_complete():
    # China: 100 kg a month before April 2025 (month 10), 40 kg from it on
    con = build(magnets_from_china({i: (100.0 if i < 10 else 40.0) for i in range(25)}))
    study = "SELECT * FROM marts.import_event_study WHERE measure_id = 'CN-2025-18' AND origin = ?"
    three = one(con, study + " AND window_name = '3'", ["CHN"])
    assert (three["before_from"], three["after_to"]) == (date(2025, 1, 1), date(2025, 6, 1))
    assert (three["quantity_before_kg"], three["quantity_after_kg"]) == (300.0, 120.0)
    assert three["quantity_change"] == pytest.approx(-0.6)
    assert three["china_share_before"] == pytest.approx(2000 / 2300)  # 3 x 2000 vs 3 x 300
    # 12 months before April 2025 start in April 2024, before the data (June 2024): no change
    twelve = one(con, study + " AND window_name = '12'", ["CHN"])
    assert not twelve["is_complete"] and twelve["quantity_change"] is None
    assert "first month 2024-06" in twelve["why_no_change"]
    # other origins: Germany's 10 kg a month, unchanged
    other = one(con, study + " AND window_name = '6'", ["other"])
    assert (other["quantity_before_kg"], other["quantity_change"]) == (60.0, 0.0)


def test_event_study_to_latest_runs_through_the_latest_month():
    # 2024-06 .. 2026-06: April 2025 through June 2026 is 15 months; 15 months before start in
    # January 2024, before the data: incomplete
    con = build(magnets_from_china({i: 100.0 for i in range(25)}))
    latest = one(con, "SELECT * FROM marts.import_event_study WHERE measure_id = 'CN-2025-18' "
                      "AND origin = 'CHN' AND window_name = 'to_latest'")  # fmt: skip
    assert latest["window_months"] == 15 and latest["after_to"] == date(2026, 6, 1)
    assert not latest["is_complete"]


def test_origin_substitution_names_who_made_up_chinas_fall():
    rows = magnets_from_china({0: 100.0, 12: 40.0})  # China -60 kg in 2025-06 vs 2024-06
    rows.append(row(partner="JPN", i=12, value=900.0, kg=45.0))  # Japan +45 kg, from nothing
    con = build(rows)
    japan = one(con, "SELECT * FROM marts.origin_substitution WHERE origin_iso3 = 'JPN' "
                     "AND period = ?", [month(12)])  # fmt: skip
    assert japan["china_change_kg"] == -60.0 and japan["origin_change_kg"] == 45.0
    assert japan["offset_share"] == pytest.approx(0.75) and japan["rank_gain"] == 1
    germany = one(con, "SELECT * FROM marts.origin_substitution WHERE origin_iso3 = 'DEU' "
                       "AND period = ?", [month(12)])  # fmt: skip
    assert germany["offset_share"] is None and germany["rank_gain"] is None  # unchanged


def transit_rows(export_value_per_kg: float) -> list[dict]:
    """The UK imports 1 t a month of tungsten from China, then 2 t; exports to the US go from
    100 kg to 600 kg a month, at the given unit value (China's is 50 USD/kg)."""
    rows = []
    for i in range(24):
        after = i >= 12
        rows.append(row(code="81019400", i=i, value=50.0 * (2000 if after else 1000),
                        kg=2000.0 if after else 1000.0))  # fmt: skip
        kg = 600.0 if after else 100.0
        rows.append(row(code="81019400", flow="X", partner="USA", i=i,
                        value=export_value_per_kg * kg, kg=kg))  # fmt: skip
    return rows


def test_transit_screen_flags_inflow_and_outflow_rising_together_at_a_like_price():
    con = build(transit_rows(55.0))
    got = one(con, "SELECT * FROM marts.transit_screen WHERE target_iso3 = 'USA' "
                   "AND window_months = 12 AND period_end = ?", [month(23)])  # fmt: skip
    assert (got["imports_from_china_kg"], got["imports_from_china_kg_year_earlier"]) == (
        24000.0, 12000.0)  # fmt: skip
    assert (got["exports_to_target_kg"], got["exports_to_target_change"]) == (7200.0, 5.0)
    assert got["flagged"] and "not evidence of it" in got["screen_note"]


def test_transit_screen_does_not_flag_dearer_own_goods():
    # the same volumes, but what leaves for the US costs 4x what came in from China
    con = build(transit_rows(200.0))
    got = one(con, "SELECT * FROM marts.transit_screen WHERE target_iso3 = 'USA' "
                   "AND window_months = 12 AND period_end = ?", [month(23)])  # fmt: skip
    assert got["flagged"] is False and got["unit_value_ratio"] == pytest.approx(4.0)


def test_monitor_alerts_on_a_drop_against_the_same_month_a_year_earlier():
    con = build(magnets_from_china({12: 5000.0, 24: 2000.0}))  # 2025-06 5 t -> 2026-06 2 t
    china = one(con, "SELECT * FROM marts.import_monitor WHERE importer_iso3 = 'GBR' "
                     "AND code = '85051110' AND origin_iso3 = 'CHN'")  # fmt: skip
    assert (china["alert"], china["alert_basis"]) == ("drop", "net mass")
    assert china["alert_text"] == (
        "GBR imports from China of CN8 85051110: rare-earth permanent magnets (NdFeB and SmCo) "
        "(net mass, hmrc): 2.0 t in 2026-06, -60% against 5.0 t in 2025-06"
    )
    # not the foreign-goods rule (No. 61), suspended before it took effect
    assert china["since_measure_id"] == "CN-2025-18"


def test_monitor_words_a_basket_and_falls_back_to_value_without_mass():
    rows = [
        # six-digit Census rows carry no mass: value 2.0 -> 0.5 million USD
        row(source="uscensus", reporter="USA", code="811292", nomenclature="HS6", i=12,
            value=2_000_000.0, kg=None),
        row(source="uscensus", reporter="USA", code="811292", nomenclature="HS6", i=24,
            value=500_000.0, kg=None),
    ]  # fmt: skip
    con = build(rows)
    got = one(con, "SELECT * FROM marts.import_monitor WHERE origin_iso3 = 'CHN'")
    assert (got["alert"], got["alert_basis"]) == ("drop", "value")
    assert "HS 811292 basket" in got["alert_text"]
    assert got["alert_text"].endswith("(a basket line: not any one element's change)")
    assert got["quantity_kg"] is None  # no mass published, not zero


def test_every_monthly_mart_matches_its_contract():
    con = build(magnets_from_china({i: 100.0 for i in range(25)}) + transit_rows(55.0))
    for name in MARTS:
        contract = load_contracts()[f"marts.{name}"]
        built = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
                "AND table_name = ? ORDER BY column_index",
                [name],
            ).fetchall()
        ]
        assert built == [c.name for c in contract.columns], name
        for check, sql in contract.violations_sql().items():
            assert con.execute(sql).fetchall() == [], (name, check)


def test_an_extract_without_china_says_nothing_about_china():
    # Comext rows of the UK only (as in the snapshot): EU27 imports from China are unknown, not 0
    rows = [row(source="eurostat", reporter="DEU", partner="GBR", i=i, value=100.0, kg=5.0)
            for i in (0, 12)]  # fmt: skip
    rows += magnets_from_china({0: 100.0, 12: 100.0})
    con = build(rows)
    monitor = con.execute(
        "SELECT origin_iso3, origins_reported FROM marts.import_monitor "
        "WHERE importer_iso3 = 'EU27'"
    ).fetchall()
    assert monitor == [("WLD", 1)]  # no China row, and the one origin it reports
    assert con.execute(
        "SELECT count(*) FROM marts.import_event_study WHERE importer_iso3 IN ('EU27', 'DEU')"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM marts.import_monitor WHERE importer_iso3 = 'GBR' "
        "AND origin_iso3 = 'CHN'"
    ).fetchone() == (1,)
