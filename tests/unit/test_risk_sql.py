"""marts.supply_risk and the alert candidates on tiny real slices, expected figures by hand."""

import duckdb
import pytest

from pipelines.lib.sql import load_models, load_query


def model(layer, name):
    return next(m for m in load_models(layer) if m.name == name)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA staging")
    # IEA 2025 edition, graphite refining 2024: China 1,794.8 of 1,875.3 kt (see PROVENANCE)
    con.execute("""CREATE TABLE marts.country_share AS SELECT * FROM (VALUES
        ('iea', 'graphite', 'refining', 'production', 2024, false, 'CHN', 1794.8 / 1875.3),
        ('iea', 'graphite', 'refining', 'production', 2024, false, 'JPN', 40.0 / 1875.3),
        ('iea', 'graphite', 'refining', 'production', 2024, false, 'XKX', 10.0 / 1875.3)
        ) t(source, commodity, stage, basis, year, is_projection, iso3, share)""")
    # WGI 2022 estimates (WGIData.csv), carried forward to 2024
    rows = [
        ("CHN", [0.01597, 0.495032, -0.441074, -0.418418, -0.041444, -1.609575]),
        ("JPN", [1.4, 1.5, 1.0, 1.3, 1.5, 1.0]),
    ]
    con.execute(
        "CREATE TABLE staging.governance (iso3 VARCHAR, year INT, dimension VARCHAR, "
        "estimate DOUBLE, is_carried_forward BOOLEAN)"
    )
    for iso3, values in rows:
        for i, v in enumerate(values):
            con.execute(
                "INSERT INTO staging.governance VALUES (?, 2024, ?, ?, true)", [iso3, f"d{i}", v]
            )
    return con


def test_hhi_wgi_matches_a_hand_computation(con):
    cur = con.execute(model("marts", "supply_risk").sql)
    got = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    china_mean = sum([0.01597, 0.495032, -0.441074, -0.418418, -0.041444, -1.609575]) / 6
    japan_mean = sum([1.4, 1.5, 1.0, 1.3, 1.5, 1.0]) / 6
    risk = {"CHN": (2.5 - china_mean) * 2, "JPN": (2.5 - japan_mean) * 2}
    shares = {"CHN": 1794.8 / 1875.3, "JPN": 40.0 / 1875.3}
    expected = sum(shares[c] ** 2 * risk[c] for c in shares)
    assert got["hhi_wgi"] == pytest.approx(expected)
    assert got["share_without_wgi"] == pytest.approx(10.0 / 1875.3)  # Kosovo: no WGI score
    assert got["uses_carried_forward_wgi"] is True
    assert got["largest_contributor_iso3"] == "CHN"


def test_alert_messages_in_plain_words():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA staging")
    # no monthly export series here (tests/unit/test_controls_sql.py covers that alert kind)
    con.execute("""CREATE TABLE marts.export_control_monthly (measure_id VARCHAR, hs6 VARCHAR,
        destination VARCHAR, period DATE, value_usd DOUBLE)""")
    con.execute("""CREATE TABLE staging.export_controls (measure_id VARCHAR,
        commodities VARCHAR[], effective DATE)""")
    con.execute(
        "CREATE TABLE staging.dim_hs_content (hs6 VARCHAR, product VARCHAR, basket VARCHAR)"
    )
    # alerts cover critical minerals only: pumice (on no list) must not raise one
    con.execute("""CREATE TABLE staging.dim_critical_list AS SELECT * FROM (VALUES
        ('usgs_2022', 'graphite'), ('eu_2023_srm', 'copper'), ('usgs_2022', 'rare_earths'),
        ('usgs_2022', 'nickel'), ('usgs_2022', 'antimony'), ('usgs_2022', 'gallium'))
        t(list, commodity)""")
    # export concentration of traded products (issue 26): worded as exports of those products,
    # never as a stage of production; a basket says it is one
    con.execute("""CREATE TABLE marts.export_concentration AS SELECT * FROM (VALUES
        ('baci', 'antimony', 'mining', 'export_quantity', 2024, 2023, 2747.0, 1621.0,
         'highly concentrated', 'unconcentrated', 0.10, 0.07, 'antimony ores and concentrates',
         '261710', false),
        ('baci', 'gallium', 'refining', 'export_value', 2024, 2022, 3000.0, 100.0,
         'highly concentrated', 'highly concentrated', 0.33, 0.06,
         'gallium, germanium and other metals', '811292', true)
        ) t(source, commodity, stage, basis, year, previous_year, hhi, hhi_change,
            concentration_band, previous_band, china_share, china_share_change, product,
            hs_codes, includes_basket)""")
    # EU27 imports: 2023 under the 65% benchmark, 2024 above it (a new breach)
    con.execute("""CREATE TABLE marts.import_dependence AS SELECT * FROM (VALUES
        ('EU27', 'rare_earths', 'refining', 2023, 'CHN', 0.60, false),
        ('EU27', 'rare_earths', 'refining', 2024, 'CHN', 0.70, true)
        ) t(importer_iso3, commodity, stage, year, top_supplier_iso3, top_supplier_share,
            exceeds_eu_65pct_cap)""")
    con.execute("""CREATE TABLE marts.concentration_trend AS SELECT * FROM (VALUES
        ('iea', 'graphite', 'refining', 'production', 2024, false, 2023,
         9166.0, 400.0, 0.957, 0.05, 0.98, 0.0, 'highly concentrated', 'highly concentrated'),
        ('usgs_mcs', 'copper', 'refining', 'production', 2025, false, 2024,
         2532.0, 292.0, 0.52, 0.01, 0.6, 0.0, 'highly concentrated', 'moderately concentrated'),
        ('iea', 'nickel', 'refining', 'production', 2030, true, 2024,
         3000.0, 150.0, 0.40, 0.09, 0.8, 0.0, 'highly concentrated', 'moderately concentrated'),
        ('usgs_mcs', 'pumice', 'mining', 'production', 2025, false, 2024,
         2600.0, 400.0, 0.30, 0.06, 0.7, 0.0, 'highly concentrated', 'moderately concentrated')
        ) t(source, commodity, stage, basis, year, is_projection, previous_year, hhi, hhi_change,
            china_share, china_share_change, top3_share, top3_share_change, concentration_band,
            previous_band)""")
    messages = sorted(
        r[0]
        for r in con.sql(f"SELECT message FROM ({load_query('alerts/candidates.sql')})").fetchall()
    )
    assert messages == [
        "antimony ores and concentrates (HS 261710): China's share of world exports 3% -> 10% "
        "(BACI exports by quantity, t gross weight, 2024)",
        "antimony ores and concentrates (HS 261710): exports now highly concentrated, HHI 1126 "
        "-> 2747 (BACI exports by quantity, t gross weight, 2024)",
        "copper refining: now highly concentrated, HHI 2240 -> 2532 (USGS 2025)",
        "gallium, germanium and other metals (HS 811292; a basket: an upper bound, not gallium "
        "alone): China's share of world exports 27% -> 33% (BACI exports by value, USD, 2024)",
        "graphite refining: China share 91% -> 96% (IEA 2024)",
        "rare earths refining: EU27 now gets 70% of its extra-EU imports from CHN, above the 65%"
        " benchmark (BACI 2024)",
    ]  # the 2030 projection raises nothing
