"""marts.unit_values and the four price screens on small planted slices: each screen fires on one
slice and not on another, and each figure is the hand calculation beside it."""

import csv
from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.defs.trade.monthly import CHINA_MONTHLY
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed
from pipelines.lib.sql import load_models, load_query
from pipelines.lib.transforms import countries, trade_monthly
from pipelines.lib.transforms import prices as price_columns
from pipelines.lib.transforms.export_controls import conform_export_controls

MONTHLY_CSV = SNAPSHOT_DIR / CHINA_MONTHLY
GRAPHITE = ("HS92", "250410", "graphite", "mining", "exclusive")
BASKET = ("HS17", "811292", "gallium", "refining", "shared")
OTHERS = ("IND", "BRA", "MOZ", "MDG")
MARTS = [
    "unit_values", "screen_flooding", "screen_price_discrimination", "screen_control_premium",
    "prices", "screen_price_vs_unit_value",
]  # fmt: skip


def model(name: str) -> str:
    return next(m for m in load_models("marts") if m.name == name).sql


def build(
    flows,
    *,
    outliers=(),
    monthly=(),
    lines=(),
    windows=(),
    measures=(),
    prices=(),
    pairs=(),
    real=None,
):
    """A warehouse of the planted staging rows, with every mart of this module built on it;
    `real` replaces staging tables by name with frames conformed from the raw files."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    con.execute(
        """CREATE TABLE staging.trade_flows (source VARCHAR, nomenclature VARCHAR, year INT,
           hs6 VARCHAR, commodity VARCHAR, stage VARCHAR, exclusivity VARCHAR,
           exporter_iso3 VARCHAR, importer_iso3 VARCHAR, value_usd DOUBLE, quantity_t DOUBLE)"""
    )
    for code, year, exporter, importer, value, tonnes in flows:
        nomenclature, hs6, commodity, stage, exclusivity = code
        con.execute(
            "INSERT INTO staging.trade_flows VALUES ('baci', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [nomenclature, year, hs6, commodity, stage, exclusivity, exporter, importer, value,
             tonnes],
        )  # fmt: skip
    con.execute(
        """CREATE TABLE staging.trade_outliers AS SELECT * FROM (VALUES
           ('', 0, '', '', '', '')) t(nomenclature, year, hs6, exporter_iso3, importer_iso3,
           reason) WHERE false"""
    )
    for nomenclature, year, hs6, exporter, importer in outliers:
        con.execute(
            "INSERT INTO staging.trade_outliers VALUES (?, ?, ?, ?, ?, 'far from the median')",
            [nomenclature, year, hs6, exporter, importer],
        )
    con.execute(
        """CREATE TABLE staging.dim_hs_content AS SELECT * FROM (VALUES
           ('HS92', '250410', 'natural graphite, powder or flakes', ''),
           ('HS22', '250410', 'natural graphite, powder or flakes', ''),
           ('HS17', '811292', 'gallium, germanium and other metals', 'commodity'),
           ('HS22', '811292', 'gallium, germanium and other metals', 'commodity'))
           t(nomenclature, hs6, product, basket)"""
    )
    con.execute(
        """CREATE TABLE staging.dim_hs_mineral AS SELECT * FROM (VALUES
           ('HS92', '250410', 'graphite', 'mining', 'exclusive'),
           ('HS17', '811292', 'gallium', 'refining', 'shared'))
           t(nomenclature, hs6, commodity, stage, exclusivity)"""
    )
    con.execute(
        """CREATE TABLE staging.bloc_members AS SELECT * FROM (VALUES
           ('EU27', 'DEU', 1958, NULL), ('EU27', 'FRA', 1958, NULL))
           t(bloc, iso3, joined, "left")"""
    )
    con.register("_same", load_seed("hs_same_product"))
    con.execute("CREATE TABLE staging.hs_same_product AS SELECT * FROM _same")
    con.execute(
        """CREATE TABLE staging.trade_monthly (reporter_iso3 VARCHAR, partner_iso3 VARCHAR,
           is_aggregate_partner BOOLEAN, flow VARCHAR, hs6 VARCHAR, nomenclature VARCHAR,
           period DATE, value_usd DOUBLE, quantity DOUBLE, source VARCHAR)"""
    )
    for nomenclature, hs6, destination, period, value, kg in monthly:
        con.execute(
            "INSERT INTO staging.trade_monthly VALUES ('CHN', ?, false, 'X', ?, ?, ?, ?, ?, "
            "'comtrade')",
            [destination, hs6, nomenclature, period, value, kg],
        )
    con.execute(  # issue 28's marts: an importer's own national lines (inputs here)
        """CREATE TABLE marts.import_monthly (source VARCHAR, importer_iso3 VARCHAR,
           origin_iso3 VARCHAR, nomenclature VARCHAR, code VARCHAR, period DATE,
           commodity VARCHAR, stage VARCHAR, hs6 VARCHAR, is_basket BOOLEAN, value_usd DOUBLE,
           quantity_kg_checked DOUBLE, value_with_quantity_usd DOUBLE, valuation VARCHAR,
           n_reporters INT, outlier_partners INT, scope_label VARCHAR)"""
    )
    for origin, period, value_usd, kg in lines:  # the UK's antimony line, CIF
        con.execute(
            "INSERT INTO marts.import_monthly VALUES ('hmrc', 'GBR', ?, 'CN8', '81101000', ?, "
            "'antimony', 'refining', '811010', false, ?, ?, ?, 'CIF', 1, 0, "
            "'CN8 81101000: antimony metal')",
            [origin, period, value_usd, kg, value_usd],
        )
    con.execute(
        """CREATE TABLE marts.import_event_study (measure_id VARCHAR, importer_iso3 VARCHAR,
           source VARCHAR, nomenclature VARCHAR, code VARCHAR, origin VARCHAR,
           window_name VARCHAR, window_months INT, effective DATE, before_from DATE,
           after_to DATE, is_complete BOOLEAN, value_before_usd DOUBLE, value_after_usd DOUBLE,
           quantity_before_kg DOUBLE, quantity_after_kg DOUBLE,
           unit_value_before_usd_per_kg DOUBLE, unit_value_after_usd_per_kg DOUBLE,
           coverage VARCHAR, commodity VARCHAR, stage VARCHAR, is_basket BOOLEAN,
           scope_label VARCHAR)"""
    )
    for row in windows:
        con.execute(
            "INSERT INTO marts.import_event_study VALUES ('CN-2024-33', 'GBR', 'hmrc', 'CN8', "
            "'81101000', ?, ?, ?, DATE '2024-09-15', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'line = item', "
            "'antimony', 'refining', false, 'CN8 81101000: antimony metal')",
            list(row),
        )
    con.execute(
        """CREATE TABLE staging.export_controls (measure_id VARCHAR, effective DATE,
           target_iso3 VARCHAR)"""
    )
    con.execute(
        """CREATE TABLE staging.export_control_codes (measure_id VARCHAR, nomenclature VARCHAR,
           hs6 VARCHAR, is_shared BOOLEAN)"""
    )
    for measure_id, effective, target, codes in measures:
        con.execute(
            "INSERT INTO staging.export_controls VALUES (?, ?, ?)", [measure_id, effective, target]
        )
        for nomenclature, hs6 in codes:
            con.execute(
                "INSERT INTO staging.export_control_codes VALUES (?, ?, ?, false)",
                [measure_id, nomenclature, hs6],
            )
    planted_prices = pl.DataFrame(
        [
            {"source": "usgs_mcs", "edition": "MCS2026", "edition_posted": date(2026, 2, 6),
             "commodity": commodity, "product": product, "stage": "refining",
             "price_basis": basis, "quoted_source": "Argus", "unit_basis": "product as sold",
             "year": year, "is_estimate": False, "price": usd_per_kg,
             "unit_raw": "dollars per kilogram", "unit_read": "dollars per kilogram",
             "normalised_unit": "usd_per_t", "price_normalised": usd_per_kg * 1000,
             "price_usd_per_t": usd_per_kg * 1000, "price_usd_per_kg": usd_per_kg,
             "value_raw": str(usd_per_kg), "value_flag": "reported", "series_label": product,
             "source_file": "planted", "source_row": 1}
            for commodity, product, basis, year, usd_per_kg in prices
        ],
        schema=price_columns.COLUMNS,
    )  # fmt: skip
    con.register("_prices", planted_prices)
    con.execute("CREATE TABLE staging.usgs_prices AS SELECT * FROM _prices")
    con.execute(
        """CREATE TABLE staging.price_trade_pairs (commodity VARCHAR, product VARCHAR,
           price_basis VARCHAR, nomenclature VARCHAR, hs6 VARCHAR, exporter_iso3 VARCHAR,
           importer_iso3 VARCHAR, relation VARCHAR, note VARCHAR)"""
    )
    for pair in pairs:
        con.execute(
            "INSERT INTO staging.price_trade_pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", pair
        )
    for table, frame in (real or {}).items():
        con.register("_real", frame)
        con.execute(f"CREATE OR REPLACE TABLE staging.{table} AS SELECT * FROM _real")
        con.unregister("_real")
    windows_sql = next(m for m in load_models("staging") if m.name == "control_windows").sql
    con.execute(f"CREATE TABLE staging.control_windows AS {windows_sql}")
    for name in MARTS:
        con.execute(f"CREATE TABLE marts.{name} AS {model(name)}")
    return con


def one(con, sql, params=()):
    cur = con.execute(sql, list(params))
    rows = cur.fetchall()
    assert len(rows) == 1, rows
    return dict(zip([d[0] for d in cur.description], rows[0], strict=True))


def market(code, years, china_uv, china_share, *, other_uv=1000.0, world_t=1000.0):
    """China exports `china_share` of `world_t` at `china_uv` (to USA and DEU, half each), four
    other exporters share the rest at `other_uv` (to USA): one planted year per item of years."""
    flows = []
    for year, uv, share in zip(years, china_uv, china_share, strict=True):
        china_t = share * world_t
        flows += [
            (code, year, "CHN", dest, uv * china_t / 2, china_t / 2) for dest in ("USA", "DEU")
        ]
        other_t = (world_t - china_t) / len(OTHERS)
        flows += [(code, year, x, "USA", other_uv * other_t, other_t) for x in OTHERS]
    return flows


# --- marts.unit_values ----------------------------------------------------------------------


def test_unit_values_leave_outliers_out_and_take_a_tonne_weighted_world_median():
    flows = [
        (GRAPHITE, 2022, "CHN", "USA", 500 * 100, 100),  # 500 USD/t, 100 t
        (GRAPHITE, 2022, "MOZ", "USA", 800 * 300, 300),  # 800 USD/t, 300 t: the median tonne
        (GRAPHITE, 2022, "BRA", "DEU", 1200 * 50, 50),
        (GRAPHITE, 2022, "IND", "FRA", 900 * 40, 40),
        (GRAPHITE, 2022, "FRA", "DEU", 950 * 10, 10),  # intra-EU: not an EU27 import
        (GRAPHITE, 2022, "USA", "DOM", 75 * 400_000, 400_000),  # the outlier
        (GRAPHITE, 2022, "MDG", "USA", 30_000, None),  # no quantity: value only
    ]
    con = build(flows, outliers=[("HS92", 2022, "250410", "USA", "DOM")])
    usa = one(
        con, "SELECT * FROM marts.unit_values WHERE partner_scope = 'world_to_importer' "
        "AND importer_iso3 = 'USA'",
    )  # fmt: skip
    assert usa["unit_value_usd_per_t"] == pytest.approx((50_000 + 240_000) / 400)
    assert usa["value_usd"] == pytest.approx(50_000 + 240_000 + 30_000)
    assert usa["n_flows"] == 3 and usa["outlier_flows_excluded"] == 0
    # tonne-weighted median of the kept flows: 500 (100 t), 800 (300 t) ... of 500 t: 800
    assert usa["world_median_usd_per_t"] == pytest.approx(800)
    assert usa["vs_world_median"] == pytest.approx(725 / 800 - 1)
    exporter = one(
        con, "SELECT * FROM marts.unit_values WHERE partner_scope = 'exporter_to_world' "
        "AND exporter_iso3 = 'USA'",
    )  # fmt: skip
    assert exporter["outlier_flows_excluded"] == 1 and exporter["value_usd"] is None
    eu = one(
        con,
        "SELECT * FROM marts.unit_values WHERE importer_iso3 = 'EU27' AND exporter_iso3 = 'WLD'",
    )
    assert eu["quantity_t"] == pytest.approx(90)  # BRA and IND; FRA -> DEU is inside the EU
    assert eu["product_label"] == "HS 250410: natural graphite, powder or flakes"
    assert eu["is_basket"] is False


def test_monthly_rows_take_the_same_product_median_of_another_nomenclature():
    flows = [(GRAPHITE, 2023, "MOZ", "USA", 600 * 10, 10)]
    monthly = [
        ("HS22", "250410", "USA", date(2023, 5, 1), 9_000, 12_000),  # 750 USD/t
        ("HS22", "811292", "USA", date(2023, 5, 1), 5_000, 10),
    ]
    con = build(flows, monthly=monthly)
    graphite = one(
        con, "SELECT * FROM marts.unit_values WHERE frequency = 'monthly' AND hs6 = '250410'"
    )
    assert graphite["unit_value_usd_per_t"] == pytest.approx(750)
    assert (graphite["world_median_usd_per_t"], graphite["world_median_nomenclature"]) == (
        600, "HS92",
    )  # fmt: skip
    basket = one(
        con, "SELECT * FROM marts.unit_values WHERE frequency = 'monthly' AND hs6 = '811292'"
    )
    assert basket["is_basket"] and "not any one mineral's price" in basket["product_label"]
    assert basket["world_median_usd_per_t"] is None  # 811292 changed content in HS2022


def test_chinas_811292_unit_value_to_the_usa_12_months_around_2023_08_from_the_raw_csv():
    with open(MONTHLY_CSV, newline="") as f:
        raw = [r for r in csv.DictReader(f) if r["hs6"] == "811292" and r["partner_name"] == "USA"]

    def usd_per_kg(first, last):  # value over kilograms, months that report a quantity
        rows = [r for r in raw if first <= r["period_dt"][:7] <= last and float(r["qty"]) > 0]
        return sum(float(r["val"]) for r in rows) / sum(float(r["qty"]) for r in rows)

    reference = countries.load_reference(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv"
    )
    monthly = trade_monthly.conform_china_monthly(
        trade_monthly.read_china_monthly_csv(SNAPSHOT_DIR / CHINA_MONTHLY),
        countries.build_lookup(reference, load_seed("country_aliases")),
        file=CHINA_MONTHLY,
    )
    measures, codes = conform_export_controls(
        load_seed("export_controls"), set(load_seed("hs_mineral")["hs6"])
    )
    con = build([], real={"trade_monthly": monthly, "export_controls": measures,
                          "export_control_codes": codes})  # fmt: skip
    row = one(
        con, "SELECT * FROM marts.screen_control_premium WHERE measure_id = 'CN-2023-23' "
        "AND frequency = 'monthly' AND window_months = 12 AND importer_iso3 = 'USA'",
    )  # fmt: skip
    before, after = usd_per_kg("2022-08", "2023-07"), usd_per_kg("2023-08", "2024-07")
    assert row["uv_before_usd_per_t"] / 1000 == pytest.approx(before)
    assert row["uv_after_usd_per_t"] / 1000 == pytest.approx(after)
    assert row["premium"] == pytest.approx(after / before - 1) and row["is_complete"]
    # the 811292 basket: a unit value of the mix China ships, never gallium's price
    assert row["is_basket"] and row["fires"] is False
    assert "not any one mineral's price" in row["product_label"]
    (months,) = con.execute(
        "SELECT count(*) FROM marts.unit_values WHERE frequency = 'monthly' AND hs6 = '811292' "
        "AND importer_iso3 = 'USA' AND period BETWEEN '2022-08-01' AND '2024-07-01'"
    ).fetchone()
    assert months == len([r for r in raw if "2022-08" <= r["period_dt"][:7] <= "2024-07"])


# --- marts.screen_flooding --------------------------------------------------------------------


def test_flooding_fires_on_a_persistent_discount_while_chinas_share_rises():
    years = [2020, 2021, 2022, 2023]
    con = build(market(GRAPHITE, years, [1000, 500, 500, 500], [0.1, 0.2, 0.3, 0.4]))
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT year, fires, china_discount, discount_years, share_change_over_run "
            "FROM marts.screen_flooding ORDER BY year"
        ).fetchall()
    }
    assert [rows[y][0] for y in years] == [False, False, False, True]
    _, discount, run, share_change = rows[2023]
    assert discount == pytest.approx(0.5) and run == 3 and share_change == pytest.approx(0.2)
    hit = one(con, "SELECT evidence FROM marts.screen_flooding WHERE fires")
    assert (
        "500 USD/t against the other exporters' median 1,000 USD/t (50% below)" in hit["evidence"]
    )
    assert "BACI exports" in hit["evidence"]


def test_flooding_does_not_fire_when_chinas_share_falls_or_on_a_basket():
    years = [2020, 2021, 2022, 2023]
    falling = build(market(GRAPHITE, years, [500] * 4, [0.4, 0.35, 0.3, 0.25]))
    assert not any(
        f for (f,) in falling.execute("SELECT fires FROM marts.screen_flooding").fetchall()
    )
    why = one(falling, "SELECT why_not_fired FROM marts.screen_flooding WHERE year = 2023")
    assert why["why_not_fired"] == "China's share did not rise 5 points over the run"
    basket = build(market(BASKET, years, [500] * 4, [0.1, 0.2, 0.3, 0.4]))
    row = one(basket, "SELECT fires, why_not_fired FROM marts.screen_flooding WHERE year = 2023")
    assert row["fires"] is False and row["why_not_fired"].startswith("a basket code")


# --- marts.screen_price_discrimination ---------------------------------------------------------


def discrimination_months(usa_after_uv: float, hs6: str = "250410"):
    """China's monthly exports of hs6 (graphite) 2023-01..2024-12: USA and KOR at 1,000 USD/t
    before 2023-12, then USA at usa_after_uv and KOR still at 1,000: 200 t a month each."""
    rows = []
    for month in range(24):
        period = date(2023 + month // 12, month % 12 + 1, 1)
        after = period >= date(2023, 12, 1)
        rows.append(("HS22", hs6, "USA", period, (usa_after_uv if after else 1000) * 200,
                     200_000))  # fmt: skip
        rows.append(("HS22", hs6, "KOR", period, 1000 * 200, 200_000))
    return rows


def test_discrimination_fires_when_the_target_pays_relatively_more_after_the_measure():
    con = build(
        [], monthly=discrimination_months(1500),
        measures=[("CN-2023-39", date(2023, 12, 1), None, [("HS22", "250410")])],
    )  # fmt: skip
    row = one(
        con, "SELECT * FROM marts.screen_price_discrimination WHERE target_iso3 = 'USA' "
        "AND window_months = 6",
    )  # fmt: skip
    assert (row["before_from"], row["before_to"]) == (date(2023, 6, 1), date(2023, 11, 1))
    assert (row["after_from"], row["after_to"]) == (date(2023, 12, 1), date(2024, 5, 1))
    assert row["premium_before"] == pytest.approx(0) and row["premium_after"] == pytest.approx(0.5)
    assert row["fires"]
    assert (
        "China's exports to USA priced 0% above its exports to other destinations (all but "
        "USA and JPN) before, 50% above after" in row["evidence"]
    )
    # 12 months before 2023-12 start in 2022-12, before the series: incomplete, never fires
    twelve = one(
        con, "SELECT * FROM marts.screen_price_discrimination WHERE target_iso3 = 'USA' "
        "AND window_months = 12",
    )  # fmt: skip
    assert twelve["is_complete"] is False and twelve["fires"] is False
    assert twelve["premium_before"] is None


def test_discrimination_does_not_fire_when_the_premium_holds():
    con = build(
        [], monthly=discrimination_months(1100),
        measures=[("CN-2023-39", date(2023, 12, 1), None, [("HS22", "250410")])],
    )  # fmt: skip
    row = one(
        con, "SELECT * FROM marts.screen_price_discrimination WHERE target_iso3 = 'USA' "
        "AND window_months = 6",
    )  # fmt: skip
    assert row["premium_change"] == pytest.approx(0.1) and row["fires"] is False
    assert row["why_not_fired"] == "the premium moved less than 25 points"


def test_discrimination_never_fires_on_a_basket_code():
    """The same +50 points as the firing slice, on the 811292 basket (gallium, germanium and
    other metals): the mix shipped to the USA may differ from the mix shipped elsewhere."""
    con = build(
        [], monthly=discrimination_months(1500, hs6="811292"),
        measures=[("CN-2023-23", date(2023, 12, 1), None, [("HS22", "811292")])],
    )  # fmt: skip
    row = one(
        con, "SELECT * FROM marts.screen_price_discrimination WHERE target_iso3 = 'USA' "
        "AND window_months = 6",
    )  # fmt: skip
    assert row["premium_change"] == pytest.approx(0.5) and row["is_basket"]
    assert row["fires"] is False
    assert row["why_not_fired"].startswith("a basket code")
    assert "not any one mineral's price" in row["evidence"]


# --- marts.screen_control_premium -------------------------------------------------------------


def test_control_premium_fires_on_complete_windows_and_not_on_incomplete_ones():
    flows = [
        (GRAPHITE, 2022, "CHN", "USA", 1000 * 100, 100),
        (GRAPHITE, 2023, "CHN", "USA", 1500 * 100, 100),  # the effective year: in no window
        (GRAPHITE, 2024, "CHN", "USA", 2500 * 100, 100),
        (GRAPHITE, 2022, "MOZ", "JPN", 1000 * 100, 100),
        (GRAPHITE, 2024, "MOZ", "JPN", 1200 * 100, 100),
    ]
    measures = [
        ("CN-2023-39", date(2023, 12, 1), None, [("HS92", "250410")]),
        ("CN-2024-33", date(2024, 9, 15), None, [("HS92", "250410")]),  # after = 2025: no data
    ]
    con = build(flows, measures=measures)
    usa = one(
        con, "SELECT * FROM marts.screen_control_premium WHERE measure_id = 'CN-2023-39' "
        "AND importer_iso3 = 'USA' AND origin = 'all'",
    )  # fmt: skip
    assert (usa["uv_before_usd_per_t"], usa["uv_after_usd_per_t"]) == (1000, 2500)
    assert usa["premium"] == pytest.approx(1.5) and usa["fires"]
    assert (
        "+150%" in usa["evidence"]
        and "USA's imports from all origins, unit value" in usa["evidence"]
    )
    jpn = one(
        con, "SELECT * FROM marts.screen_control_premium WHERE measure_id = 'CN-2023-39' "
        "AND importer_iso3 = 'JPN' AND origin = 'all'",
    )  # fmt: skip
    assert jpn["premium"] == pytest.approx(0.2) and jpn["fires"] is False
    late = one(
        con, "SELECT * FROM marts.screen_control_premium WHERE measure_id = 'CN-2024-33' "
        "AND importer_iso3 = 'USA' AND origin = 'all'",
    )  # fmt: skip
    assert late["is_complete"] is False and late["premium"] is None and not late["fires"]


def test_control_premium_never_fires_on_a_basket_code():
    """China's 811292 (gallium, germanium and other metals) to the USA 2.5 times dearer per
    tonne after CN-2023-23: the same rise that fires on graphite, but a basket's mix can do it."""
    flows = [
        (BASKET, 2022, "CHN", "USA", 100_000 * 10, 10),
        (BASKET, 2024, "CHN", "USA", 250_000 * 10, 10),
    ]
    measures = [("CN-2023-23", date(2023, 8, 1), "USA", [("HS17", "811292")])]
    con = build(flows, measures=measures)
    row = one(
        con, "SELECT * FROM marts.screen_control_premium WHERE importer_iso3 = 'USA' "
        "AND origin = 'CHN'",
    )  # fmt: skip
    assert row["premium"] == pytest.approx(1.5) and row["is_complete"] and row["is_basket"]
    assert row["fires"] is False
    assert row["why_not_fired"] == "a basket code: a change may be the mix, not the price"
    assert row["evidence"].startswith("HS 811292: gallium, germanium and other metals")


def test_an_importers_own_lines_join_the_unit_values_and_the_control_premium():
    """The UK's antimony line (CN8 81101000) as issue 28 publishes it: its months are unit values
    of the line (no world median: another scope than BACI's HS6), and its equal windows around
    CN-2024-33 are the control premium screen's importer-side rows."""
    lines = [("NLD", date(2024, 6, 1), 120_000.0, 10_000.0), ("WLD", date(2024, 6, 1), 150_000.0,
             12_000.0)]  # fmt: skip
    windows = [  # origin, window, months, before_from, after_to, complete, USD, kg, USD/kg
        ("all", "3", 3, date(2024, 6, 1), date(2024, 11, 1), True, 460_000, 870_000, 31_870,
         30_817, 14.43, 28.23),
        ("all", "12", 12, date(2023, 9, 1), date(2025, 8, 1), False, None, None, None, None,
         None, None),
        ("CHN", "3", 3, date(2024, 6, 1), date(2024, 11, 1), True, 90_000, 0, 250, None,
         360.0, None),
        ("other", "3", 3, date(2024, 6, 1), date(2024, 11, 1), True, 1, 1, 1, 1, 1.0, 9.0),
    ]  # fmt: skip
    con = build([], lines=lines, windows=windows)
    uk = one(con, "SELECT * FROM marts.unit_values WHERE source = 'hmrc' AND exporter_iso3 = 'WLD'")
    assert (uk["code"], uk["hs6"], uk["nomenclature"]) == ("81101000", "811010", "CN8")
    assert uk["unit_value_usd_per_t"] == pytest.approx(12_500)
    assert uk["partner_scope"] == "world_to_importer" and uk["world_median_usd_per_t"] is None
    assert uk["product_label"] == "CN8 81101000: antimony metal"

    def row(origin, window):
        return one(
            con, "SELECT * FROM marts.screen_control_premium WHERE source = 'hmrc' "
            "AND origin = ? AND window_months = ?", [origin, window],
        )  # fmt: skip

    world = row("all", 3)
    assert (world["before_to"], world["after_from"]) == (date(2024, 8, 1), date(2024, 9, 1))
    assert world["premium"] == pytest.approx(28.23 / 14.43 - 1) and world["fires"]
    # the UK's own declarations: its imports, in its words
    assert (
        "GBR's declared imports from all origins, unit value 14,430 -> 28,230 USD/t (+96%)"
        in world["evidence"]
    )
    assert row("all", 12)["premium"] is None and not row("all", 12)["fires"]
    assert row("CHN", 3)["why_not_fired"].startswith("no tonnes in a window")
    (other,) = con.execute(
        "SELECT count(*) FROM marts.screen_control_premium WHERE origin = 'other'"
    ).fetchone()
    assert other == 0  # 'other' (all but China) is issue 28's; the screen reads CHN and all


# --- marts.screen_price_vs_unit_value ---------------------------------------------------------


def test_usgs_price_against_unit_value_fires_on_a_same_scope_gap_only():
    flows = [
        (GRAPHITE, 2024, "MOZ", "USA", 1000 * 100, 100),
        (BASKET, 2024, "CHN", "USA", 100_000 * 10, 10),  # 100 USD/kg of the basket
    ]
    prices = [
        ("graphite", "natural graphite, flake", "import_unit_value", 2024, 3.0),  # 3,000 USD/t
        ("gallium", "gallium metal", "import_unit_value", 2024, 439.0),
    ]
    pairs = [
        ("graphite", "natural graphite, flake", "import_unit_value", "HS92", "250410", "WLD",
         "USA", "same", "planted"),
        ("gallium", "gallium metal", "import_unit_value", "HS17", "811292", "WLD", "USA",
         "basket", "planted"),
    ]  # fmt: skip
    con = build(flows, prices=prices, pairs=pairs)
    same = one(
        con, "SELECT * FROM marts.screen_price_vs_unit_value WHERE commodity = 'graphite' "
        "AND relation = 'same'",
    )  # fmt: skip
    assert same["price_to_unit_value"] == pytest.approx(3.0) and same["fires"]
    # the same flake price read as a part of 250410 (flake within flake and powder): not screened
    part = build(flows, prices=prices, pairs=[pairs[0][:7] + ("part", "planted")])
    row = one(part, "SELECT * FROM marts.screen_price_vs_unit_value WHERE commodity = 'graphite'")
    assert row["price_to_unit_value"] == pytest.approx(3.0) and row["fires"] is False
    assert row["evidence"].startswith("Part of the code: natural graphite, flake")
    basket = one(con, "SELECT * FROM marts.screen_price_vs_unit_value WHERE commodity = 'gallium'")
    assert basket["price_to_unit_value"] == pytest.approx(4.39) and basket["fires"] is False
    assert basket["evidence"].startswith("Basket comparison, not gallium's price")


# --- the alerts of the screens ---------------------------------------------------------------


def screen_alerts(con):
    con.execute("CREATE TABLE staging.dim_critical_list AS SELECT 'graphite' AS commodity")
    sql = load_query("alerts/price_screens.sql")
    return con.execute(f"SELECT kind, year, message FROM ({sql}) ORDER BY kind, year").fetchall()


def test_a_new_flooding_hit_alerts_once_worded_with_scope_and_basis():
    years = [2020, 2021, 2022, 2023, 2024]
    con = build(market(GRAPHITE, years, [1000, 500, 500, 500, 500], [0.1, 0.2, 0.3, 0.4, 0.5]))
    (alert,) = screen_alerts(con)  # 2023 and 2024 fire: one alert, the run's first year
    kind, year, message = alert
    assert (kind, year) == ("flooding_pattern", 2023)
    assert message.startswith("Flooding pattern (a screen, not a dumping finding): HS 250410")
    assert "(BACI exports, value FOB USD over tonnes gross weight" in message
    calm = build(market(GRAPHITE, years, [1000] * 5, [0.1, 0.2, 0.3, 0.4, 0.5]))
    assert screen_alerts(calm) == []


def test_the_window_screens_and_a_same_scope_gap_alert_once_each_worded_with_scope_and_basis():
    """China's graphite to the USA 50% dearer from 2023-12 (KOR unchanged): the discrimination
    and the control premium screens fire on the 3- and 6-month windows (12 is incomplete), one
    alert each, the longest firing window; a flake price 3 times BACI's US unit value alerts."""
    flows = [(GRAPHITE, 2024, "MOZ", "USA", 1000 * 100, 100)]
    prices = [("graphite", "natural graphite, flake", "import_unit_value", 2024, 3.0)]
    pairs = [("graphite", "natural graphite, flake", "import_unit_value", "HS92", "250410", "WLD",
              "USA", "same", "planted")]  # fmt: skip
    con = build(
        flows, monthly=discrimination_months(1500), prices=prices, pairs=pairs,
        measures=[("CN-2023-39", date(2023, 12, 1), None, [("HS22", "250410")])],
    )  # fmt: skip
    rows = screen_alerts(con)
    assert [kind for kind, _, _ in rows] == [
        "control_premium", "price_discrimination", "price_vs_unit_value",
    ]  # fmt: skip
    alerts = {kind: (year, message) for kind, year, message in rows}
    year, message = alerts["price_discrimination"]
    assert year == 2023 and message.startswith("Price discrimination screen: HS 250410")
    assert "China's exports to USA priced 0% above its exports to other destinations" in message
    assert "2023-06..2023-11 vs 2023-12..2024-05" in message  # the 6-month window, not the 3
    assert "China's declared exports, FOB USD per t" in message
    year, message = alerts["control_premium"]
    assert message.startswith("Control premium screen: HS 250410")
    # China's declarations are China's exports to the USA (FOB), not the USA's imports
    assert "China's declared exports to USA, unit value 1,000 -> 1,500 USD/t (+50%)" in message
    assert "USA's" not in message
    (basis,) = con.execute(
        "SELECT basis FROM (" + load_query("alerts/price_screens.sql") + ") "
        "WHERE kind = 'control_premium'"
    ).fetchone()
    assert basis == "export_unit_value"  # China declared it: an export unit value
    assert "2023-06..2023-11 vs 2023-12..2024-05" in message and "USD per t gross weight" in message
    year, message = alerts["price_vs_unit_value"]
    assert year == 2024 and "a factor of 3.0 apart" in message
    assert "natural graphite, flake 3,000 USD/t (USGS MCS2026, import unit value" in message
