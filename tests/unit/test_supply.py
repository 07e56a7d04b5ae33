"""US salient statistics, net import reliance, critical lists, quantity basis and blocs: each
figure recomputed from the raw snapshot files (csv module / the BACI parquet), not the marts."""

import csv

import duckdb
import polars as pl
import pytest

from pipelines.defs.supply.assets import critical_lists
from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, typed_seed, units
from pipelines.lib.sql import load_models
from pipelines.lib.transforms import countries, salient, trade, usgs
from tests.support.scope import no_production_context, trade_outliers, trade_products

MCS2026 = SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv"
BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"


def eu_membership() -> pl.DataFrame:
    return typed_seed("eu_membership", {"iso3": None, "joined": "INTEGER", "left": "INTEGER"})


def model(layer: str, name: str):
    return next(m for m in load_models(layer) if m.name == name)


def representative_series(con, series: list[tuple[str, str, str, int]]) -> None:
    """marts.supply_concentration rows (source, commodity, stage, year) and the one rule that
    picks each year's production series."""
    con.execute(
        "CREATE TABLE marts.supply_concentration (source VARCHAR, commodity VARCHAR, "
        "stage VARCHAR, basis VARCHAR, year INT, is_projection BOOLEAN, hhi DOUBLE)"
    )
    for source, commodity, stage, year in series:
        con.execute(
            "INSERT INTO marts.supply_concentration VALUES (?, ?, ?, 'production', ?, false, 0)",
            [source, commodity, stage, year],
        )
    rule = model("staging", "representative_series").sql
    con.execute(f"CREATE TABLE staging.representative_series AS {rule}")


def raw_rows() -> list[dict]:
    with open(MCS2026, encoding="cp1252", newline="") as f:
        return [dict(r, _row=i) for i, r in enumerate(csv.DictReader(f), start=2)]


@pytest.fixture(scope="module")
def lookup() -> dict[str, str]:
    reference = countries.load_reference(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv"
    )
    return countries.build_lookup(reference, load_seed("country_aliases"))


def conform(raw: pl.DataFrame, lookup, rules=None) -> pl.DataFrame:
    return salient.conform_salient(
        raw,
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_salient_statistics") if rules is None else rules,
        units=units(),
        country_lookup=lookup,
    )


@pytest.fixture(scope="module")
def staged(lookup) -> pl.DataFrame:
    return conform(usgs.read_mcs2026_salient(MCS2026), lookup)


@pytest.fixture(scope="module")
def nir(staged) -> pl.DataFrame:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.register("_s", staged)
    con.execute("CREATE TABLE staging.us_salient AS SELECT * FROM _s")
    con.register("_c", critical_lists(load_seed("critical_lists"), staged))
    con.execute("CREATE TABLE staging.dim_critical_list AS SELECT * FROM _c")
    con.register("_p", load_seed("usgs_nir_products"))
    con.execute("CREATE TABLE staging.usgs_nir_products AS SELECT * FROM _p")
    return con.sql(model("marts", "us_net_import_reliance").sql).pl()


def test_every_salient_and_import_source_row_is_kept(staged):
    sections = [r["Section"] for r in raw_rows()]
    expected = sum(s.startswith(("Salient Statistics", "Import Sources")) for s in sections)
    assert staged.height == expected == 5583
    assert not staged.select("source_file", "source_row").is_duplicated().any()


def test_count_of_commodities_100pct_import_reliant_in_2025(nir):
    # by hand: distinct chapters whose 2025 NIR cell reads exactly "100"
    chapters = {
        r["MCS chapter"]
        for r in raw_rows()
        if r["Statistics"] == "Net import reliance" and r["Year"] == "2025"
        and r["Value"].strip() == "100"
    }  # fmt: skip
    got = nir.filter(pl.col("year") == 2025, pl.col("nir_pct") == 100)["commodity"].n_unique()
    assert got == len(chapters) == 16  # USGS MCS2026: "100% net import reliant for 16"


def _import_sources(chapter: str, commodity: str, detail: str) -> dict[str, float]:
    """Country -> percent of one USGS import-source table, by hand from the raw file."""
    return {
        r["Country"]: float(r["Value"])
        for r in raw_rows()
        if r["MCS chapter"] == chapter and r["Section"] == "Import Sources"
        and r["Commodity"] == commodity and r["Statistics_detail"] == detail
    }  # fmt: skip


def _nir_row(nir, commodity: str, product: str = "", year: int = 2024) -> dict:
    (row,) = nir.filter(
        pl.col("commodity") == commodity, pl.col("product") == product, pl.col("year") == year
    ).to_dicts()
    return row


def test_china_import_source_share_is_the_nir_products_own(nir):
    # antimony's NIR is the chapter's: USGS's combined table "Total metal and oxide", not the
    # oxide (66%) or metal (22%) table
    antimony = _import_sources("ANTIMONY", "Antimony", "Total metal and oxide")
    row = _nir_row(nir, "antimony")
    assert row["china_import_source_share"] == antimony["China"] / 100 == 0.55
    assert row["import_sources_product"] == "total metal and oxide"
    germanium = _import_sources("GERMANIUM", "Germanium", "Combined total")
    row = _nir_row(nir, "germanium")
    assert row["china_import_source_share"] == germanium["China"] / 100 == 0.23
    # heavy rare earths: USGS prints a table per element and no combined share
    heavy = _nir_row(nir, "rare_earths_heavy", "compounds and metals")
    assert heavy["china_import_source_share"] is None
    by_element = heavy["china_import_source_share_by_product"]
    for element in ("Terbium", "Holmium", "Lutetium", "Erbium"):
        table = f"{element} compounds and metals"
        china = _import_sources("RARE EARTHS (Heavy)", element, table)["China"]
        assert china == (40 if element == "Erbium" else 100)
        assert f"{table.lower()} {china:.0f}%" in by_element


def test_each_rare_earth_product_its_own_nir(nir):
    compounds = _import_sources("RARE EARTHS", "Rare Earths", "Rare-earth compounds and metals")
    for year in range(2021, 2026):
        row = _nir_row(nir, "rare_earths", "compounds and metals", year)
        assert row["china_import_source_share"] == compounds["China"] / 100 == 0.71
        # USGS prints no import sources for concentrates (the US exports them: NIR "E")
        concentrates = _nir_row(nir, "rare_earths", "mineral concentrates", year)
        assert concentrates["nir_raw"] == "E"
        assert concentrates["china_import_source_share"] is None
        assert concentrates["top_import_sources"] is None


def test_nickel_reliance_divides_by_total_apparent_consumption(nir):
    (detail,) = {
        r["Statistics_detail"]
        for r in raw_rows()
        if r["MCS chapter"] == "NICKEL" and r["Statistics"] == "Net import reliance"
    }
    assert detail.endswith("of total apparent consumption")
    total = {
        int(r["Year"]): float(r["Value"].replace(",", ""))
        for r in raw_rows()
        if r["MCS chapter"] == "NICKEL" and r["Statistics_detail"] == "Consumption: Apparent, total"
    }
    assert total[2024] == 211_000
    for year, want in total.items():
        assert _nir_row(nir, "nickel", year=year)["apparent_consumption"] == want


def test_flags_stay_flags_never_numbers(nir):
    raw = {
        (r["MCS chapter"], r["Statistics_detail"]): r["Value"]
        for r in raw_rows()
        if r["Statistics"] == "Net import reliance" and r["Year"] == "2025"
    }
    concentrates = raw[
        (
            "RARE EARTHS",
            "Net import reliance as a percentage of apparent consumption: Mineral concentrates",
        )
    ]
    (row,) = nir.filter(
        pl.col("commodity") == "rare_earths",
        pl.col("product") == "mineral concentrates",
        pl.col("year") == 2025,
    ).to_dicts()
    assert concentrates == row["nir_raw"] == "E"
    assert row["nir_flag"] == "net_exporter" and row["nir_pct"] is None
    bounded = nir.filter(pl.col("nir_raw").is_in([">50", "<25"]))
    assert bounded.height > 0 and bounded["nir_pct"].null_count() == bounded.height
    assert set(bounded["nir_flag"]) <= {"greater_than", "less_than"}


def test_graphite_2025_quantities_and_import_sources(nir):
    rows = [r for r in raw_rows() if r["MCS chapter"] == "GRAPHITE (NATURAL)"]
    cell = {
        r["Statistics_detail"]: float(r["Value"].replace(",", ""))
        for r in rows
        if r["Year"] == "2025" and r["Section"].startswith("Salient")
        and r["Value"].replace(",", "").isdigit()
    }  # fmt: skip
    china = next(r for r in rows if r["Country"] == "China" and r["Section"] == "Import Sources")
    (got,) = nir.filter(pl.col("commodity") == "graphite", pl.col("year") == 2025).to_dicts()
    assert got["apparent_consumption"] == cell["Consumption, apparent"]  # metric tons
    assert got["imports"] == cell["Imports for consumption"]
    assert got["exports"] == cell["Exports"]
    assert got["nir_pct"] == cell["Net import reliance as a percentage of apparent consumption"]
    assert got["china_import_source_share"] == pytest.approx(float(china["Value"]) / 100)
    assert got["top_import_sources"].startswith(f"China {china['Value']}%")
    assert got["is_critical_2025"] is True


def test_one_row_per_commodity_product_year(nir):
    assert not nir.select("commodity", "product", "year").is_duplicated().any()


def test_unmapped_statistic_fails_naming_file_row_and_field(lookup):
    raw = usgs.read_mcs2026_salient(MCS2026).head(200)
    rules = load_seed("usgs_salient_statistics").filter(pl.col("statistic") != "exports")
    with pytest.raises(SourceDataError) as err:
        conform(raw, lookup, rules)
    message = str(err.value)
    assert "2026/MCS2026_Commodities_Data.csv" in message and "'Statistics'" in message
    first_export = next(r["_row"] for r in raw_rows() if r["Statistics"] == "Export")
    assert f"row {first_export}" in message and "'Export'" in message


def test_unknown_unit_and_word_fail(lookup):
    raw = usgs.read_mcs2026_salient(MCS2026).head(20)
    with pytest.raises(SourceDataError, match="field 'Unit'.*'furlongs'"):
        conform(raw.with_columns(unit_raw=pl.lit("furlongs")), lookup)
    with pytest.raises(SourceDataError, match="field 'Value'.*'plenty'"):
        conform(raw.with_columns(value_raw=pl.lit("plenty")), lookup)


def test_critical_lists_carry_their_source(staged):
    lists = critical_lists(load_seed("critical_lists"), staged)
    assert set(lists["list"]) == {
        "usgs_2025", "usgs_2022", "eu_2023_crm", "eu_2023_srm", "jpn_rare_metals",
    }  # fmt: skip
    assert lists["source"].str.len_chars().min() > 20
    flagged = {r["MCS chapter"] for r in raw_rows() if r["Is critical mineral 2025"] == "Yes"}
    usgs_2025 = lists.filter(pl.col("list") == "usgs_2025")
    assert usgs_2025.height == len(flagged)
    assert {"graphite", "gallium", "cobalt", "rare_earths"} <= set(usgs_2025["commodity"])
    assert "pumice" not in set(usgs_2025["commodity"])
    assert not lists.select("list", "commodity").is_duplicated().any()


# --- quantity basis and blocs, on every 2024 natural-graphite flow into the US and Japan ---

GRAPHITE = ["250410", "250490"]


@pytest.fixture(scope="module")
def baci() -> pl.DataFrame:
    return (
        trade.read_baci_extract(BACI)
        .filter(
            pl.col("year") == 2024,
            pl.col("hs92_6").is_in(GRAPHITE),
            pl.col("importer_iso3").is_in(["USA", "JPN"]),
        )
        .collect()
    )


@pytest.fixture(scope="module")
def dependence(baci) -> pl.DataFrame:
    known = (set(baci["exporter_iso3"]) | set(baci["importer_iso3"]) | {"TWN"}) - {"S19"}
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.register("_flows", trade.conform_baci(baci, load_seed("hs_mineral"), known))
    con.register("_eu", eu_membership())
    con.register("_partners", load_seed("partner_group"))
    con.execute("CREATE TABLE staging.trade_flows AS SELECT * FROM _flows")
    con.execute("CREATE TABLE staging.eu_membership AS SELECT * FROM _eu")
    con.execute("CREATE TABLE staging.partner_group AS SELECT * FROM _partners")
    bloc_members = next(m for m in load_models("staging") if m.name == "bloc_members")
    con.execute(f"CREATE TABLE staging.bloc_members AS {bloc_members.sql}")
    trade_outliers(con)
    con.execute(
        f"CREATE TABLE staging.import_by_supplier AS {model('staging', 'import_by_supplier').sql}"
    )
    trade_products(con)
    no_production_context(con)
    return con.sql(model("marts", "import_dependence").sql).pl()


def by_hand(baci: pl.DataFrame, importers: set[str]) -> dict:
    flows = baci.filter(
        pl.col("importer_iso3").is_in(list(importers)),
        ~pl.col("exporter_iso3").is_in(list(importers)),
    )
    with_qty = flows.filter(pl.col("qty_t").is_not_null())
    china = with_qty.filter(pl.col("exporter_iso3") == "CHN")
    return {
        "china_share_quantity": china["qty_t"].sum() / with_qty["qty_t"].sum(),
        "china_share": flows.filter(pl.col("exporter_iso3") == "CHN")["value_kusd"].sum()
        / flows["value_kusd"].sum(),
        "value_share_with_quantity": with_qty["value_kusd"].sum() / flows["value_kusd"].sum(),
        "import_quantity_t": with_qty["qty_t"].sum(),
    }


def got(dependence: pl.DataFrame, importer: str) -> dict:
    (row,) = dependence.filter(
        pl.col("importer_iso3") == importer, pl.col("commodity") == "graphite"
    ).to_dicts()
    return row


@pytest.mark.parametrize("importer,members", [("USA", {"USA"}), ("USA_JPN", {"USA", "JPN"})])
def test_china_share_by_quantity_and_value(baci, dependence, importer, members):
    want, row = by_hand(baci, members), got(dependence, importer)
    for key, value in want.items():
        assert row[key] == pytest.approx(value), key
    # publishers print quantity shares; the value share differs (MCS2026: 46% for 2021-24)
    assert row["china_share_quantity"] != pytest.approx(row["china_share"], abs=0.01)


def test_bloc_leaves_out_trade_between_members(baci, dependence):
    row = got(dependence, "USA_JPN")
    member_trade = baci.filter(pl.col("exporter_iso3").is_in(["USA", "JPN"]))
    assert member_trade.height > 0  # the slice has US<->JPN flows to leave out
    total = baci["value_kusd"].sum() * 1000
    assert row["import_value_usd"] == pytest.approx(total - member_trade["value_kusd"].sum() * 1000)


# --- replacement by production (disruption_exposure), IEA 2025 edition raw JSON ---

IEA_JSON = SNAPSHOT_DIR / "iea/iea_cm_data_explorer_2025ed_derived.json"
ISO3 = {"China": "CHN", "Malaysia": "MYS", "Australia": "AUS", "United States": "USA"}


def test_rare_earth_refining_replacement_by_production_not_by_trade():
    import json

    block = json.loads(IEA_JSON.read_text())["supply"]["Rare Earth Elements"]["refining"]
    total = block["total"]["2024"]
    kt = {ISO3[c]: v["2024"] for c, v in block["countries"].items() if c in ISO3}
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.country_share (source VARCHAR, commodity VARCHAR, stage VARCHAR, "
        "basis VARCHAR, year INT, is_projection BOOLEAN, iso3 VARCHAR, amount DOUBLE, "
        "share DOUBLE, rank INT, unit_basis VARCHAR)"
    )
    for iso3, value in kt.items():
        con.execute(
            "INSERT INTO marts.country_share VALUES "
            "('iea', 'rare_earths', 'refining', 'production', 2024, false, ?, ?, ?, 0, 'content')",
            [iso3, value * 1000, value / total],
        )
    # BACI 2024 export value of the stage's HS codes: China a small exporter (rank 2)
    con.execute(
        "CREATE TABLE marts.export_share AS SELECT 'baci' AS source, 'rare_earths' AS commodity, "
        "'refining' AS stage, 'export_value' AS basis, 2024 AS year, * FROM (VALUES "
        "('MYS', 5e8, 0.6, 1), ('CHN', 1e8, 0.12, 2), ('JPN', 2.33e8, 0.28, 3)) "
        "t(iso3, amount, share, rank)"
    )
    trade_products(con)
    con.execute(
        "CREATE TABLE staging.import_by_supplier AS SELECT * FROM (VALUES "
        "('USA', 'CHN', 'rare_earths', 'refining', 2024, 6e7, 3000.0, false)) "
        "t(importer_iso3, exporter_iso3, commodity, stage, year, value_usd, quantity_t, "
        "includes_shared_codes)"
    )
    con.register("_partners", load_seed("partner_group"))
    con.register("_eu", eu_membership())
    con.execute("CREATE TABLE staging.partner_group AS SELECT * FROM _partners")
    con.execute("CREATE TABLE staging.eu_membership AS SELECT * FROM _eu")
    representative_series(con, [("iea", "rare_earths", "refining", 2024)])
    (row,) = con.sql(model("marts", "disruption_exposure").sql).pl().to_dicts()
    rest = (total - kt["CHN"]) * 1000
    assert row["rest_of_world_production_t"] == pytest.approx(rest)
    assert row["production_replacement_ratio"] == pytest.approx(rest / (kt["CHN"] * 1000))
    assert row["production_replacement_ratio"] == pytest.approx(0.096, abs=0.005)  # not 5
    assert row["rest_of_world_production_per_lost_t"] == pytest.approx(rest / 3000)
    assert row["world_alternative_supply_ratio"] == pytest.approx((8.33e8 - 1e8) / 1e8)
    assert row["production_source"] == "iea" and row["production_year"] == 2024


# --- stockpile cover: the US and China's natural graphite, 2024, by hand from both raw files ---


@pytest.fixture(scope="module")
def graphite_marts(staged, nir):
    """The supply marts on every 2024 natural-graphite flow into the US, with hand figures."""
    rows = [r for r in raw_rows() if r["MCS chapter"] == "GRAPHITE (NATURAL)"]
    cell = {
        r["Statistics_detail"]: float(r["Value"].replace(",", ""))
        for r in rows
        if r["Year"] == "2024" and r["Section"].startswith("Salient")
        and r["Value"].replace(",", "").isdigit()
    }  # fmt: skip
    world = (
        trade.read_baci_extract(BACI)
        .filter(pl.col("year") == 2024, pl.col("hs92_6").is_in(GRAPHITE))
        .collect()
    )
    into_us = world.filter(pl.col("importer_iso3") == "USA", pl.col("qty_t").is_not_null())
    china = into_us.filter(pl.col("exporter_iso3") == "CHN")
    share = china["qty_t"].sum() / into_us["qty_t"].sum()
    consumption = cell["Consumption, apparent"]
    reliance = cell["Net import reliance as a percentage of apparent consumption"] / 100
    usgs_china = _import_sources("GRAPHITE (NATURAL)", "Graphite (Natural)", "All")["China"] / 100
    want_annual = consumption * reliance * usgs_china  # USGS's own share, not BACI's
    want_unit_value = china["value_kusd"].sum() * 1000 / china["qty_t"].sum()

    exporters = (
        world.group_by("exporter_iso3")
        .agg(amount=pl.col("value_kusd").sum() * 1000)
        .with_columns(
            rank=pl.col("amount").rank("ordinal", descending=True).cast(pl.Int32),
            share=pl.col("amount") / pl.col("amount").sum(),
        )
    )
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    known = (set(world["exporter_iso3"]) | set(world["importer_iso3"]) | {"TWN"}) - {"S19"}
    for name, frame in {
        "staging.trade_flows": trade.conform_baci(
            world.filter(pl.col("importer_iso3") == "USA"), load_seed("hs_mineral"), known
        ),
        "staging.eu_membership": eu_membership(),
        "staging.partner_group": load_seed("partner_group"),
        "staging.us_salient": staged,
        "marts.us_net_import_reliance": nir,
        "marts.export_share": exporters.select(
            source=pl.lit("baci"), commodity=pl.lit("graphite"), stage=pl.lit("mining"),
            basis=pl.lit("export_value"), year=pl.lit(2024), iso3=pl.col("exporter_iso3"),
            amount="amount", share="share", rank="rank",
        ),
    }.items():  # fmt: skip
        con.register("_t", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _t")
        con.unregister("_t")
    representative_series(con, [])  # graphite production is not part of this slice
    con.execute(
        "CREATE TABLE marts.country_share (source VARCHAR, commodity VARCHAR, stage VARCHAR, "
        "basis VARCHAR, year INT, is_projection BOOLEAN, iso3 VARCHAR, amount DOUBLE, "
        "share DOUBLE, unit_basis VARCHAR)"
    )
    trade_outliers(con)
    trade_products(con)
    for seed, types in [
        ("stockpile_usgs_scope", dict.fromkeys(["commodity", "stage", "nir_product", "note"])),
        ("stockpile_targets", {"importer_iso3": None, "target": None, "target_days": "INTEGER"}),
    ]:
        con.register("_t", typed_seed(seed, types))
        con.execute(f"CREATE TABLE staging.{seed} AS SELECT * FROM _t")
        con.unregister("_t")
    for layer, name in [
        ("staging", "bloc_members"),
        ("staging", "import_by_supplier"),
        ("marts", "disruption_exposure"),
    ]:
        con.execute(f"CREATE TABLE {layer}.{name} AS {model(layer, name).sql}")
    con.execute(f"CREATE TABLE marts.stockpile_cover AS {model('marts', 'stockpile_cover').sql}")
    hand = {
        "share": share,
        "usgs_china": usgs_china,
        "own_top5": into_us.group_by("exporter_iso3")
        .agg(pl.col("qty_t").sum())
        .sort("qty_t", descending=True)["exporter_iso3"]
        .head(5)
        .to_list(),
        "reliance": reliance,
        "annual": want_annual,
        "unit_value": want_unit_value,
        "china_t": china["qty_t"].sum(),
        "china_usd": china["value_kusd"].sum() * 1000,
    }
    return con, hand


def test_us_graphite_stockpile_cover_matches_hand_computation(graphite_marts):
    con, hand = graphite_marts
    share, want_annual, want_unit_value = hand["share"], hand["annual"], hand["unit_value"]
    cover = con.sql("SELECT * FROM marts.stockpile_cover").pl()
    (got,) = cover.filter(
        pl.col("importer_iso3") == "USA",
        pl.col("supplier_iso3") == "CHN",
        pl.col("commodity") == "graphite",
        pl.col("year") == 2024,
    ).to_dicts()
    assert got["basis"] == "consumption" and got["unit_basis"] == "gross_weight"
    assert got["supplier_share_quantity"] == pytest.approx(share)
    assert got["flow_stops_t"] == pytest.approx(hand["china_t"])  # the gross flow, beside it
    assert got["usgs_supplier_share"] == pytest.approx(hand["usgs_china"])
    assert got["annual_at_risk_t"] == pytest.approx(want_annual)
    assert got["stockpile_6m_t"] == pytest.approx(want_annual / 2)
    assert got["monthly_at_risk_t"] == pytest.approx(want_annual / 12)
    assert got["unit_value_usd_per_t"] == pytest.approx(want_unit_value)
    # a value of USGS tonnes at a BACI unit value would cross scopes: none on this basis
    assert got["stockpile_6m_value_usd"] is None
    assert got["months_covered_by_6m_stockpile"] == pytest.approx(
        6 / (hand["reliance"] * hand["usgs_china"])
    )
    assert got["government_stocks_t"] is None  # MCS2026 reports no NDS graphite inventory
    # the importer's own five largest suppliers by tonnes, Canada and Mexico among them
    us = cover.filter(pl.col("importer_iso3") == "USA", pl.col("year") == 2024)
    assert us.sort("supplier_rank")["supplier_iso3"].to_list() == hand["own_top5"]
    assert {"CAN", "MEX"} <= set(hand["own_top5"])


# --- GeoPolRisk as published: US nickel ore 2024, by hand from BACI, MCS2026 and WGIData.csv ---


def test_geopolrisk_us_and_us_japan_nickel_mining_by_hand():
    from pipelines.lib.transforms.governance import read_wgi_bulk

    mine = {
        r["Country"]: float(r["Value"].replace(",", ""))
        for r in raw_rows()
        if r["MCS chapter"] == "NICKEL" and r["Section"].startswith("World")
        and r["Statistics_detail"].startswith("Mine production") and r["Year"] == "2024"
    }  # fmt: skip
    listed = {c: v for c, v in mine.items() if c not in ("World total", "Other countries")}
    world = max(mine["World total"], sum(v for c, v in mine.items() if c != "World total"))
    hhi = sum((v / world) ** 2 for v in listed.values())
    us_production = mine["United States"]

    flows = (
        trade.read_baci_extract(BACI)
        .filter(
            pl.col("year") == 2024,
            pl.col("hs92_6") == "260400",
            pl.col("importer_iso3").is_in(["USA", "JPN"]),
        )
        .with_columns(pl.col("exporter_iso3").replace({"S19": "TWN"}))
        .collect()
    )
    pv = read_wgi_bulk(SNAPSHOT_DIR / "wgi/WGIData.csv").filter(
        pl.col("dimension") == "political_stability", pl.col("estimate").is_not_null()
    )
    latest = pv.sort("year").group_by("iso3").agg(pl.col("estimate").last())
    g = {iso3: min(1, max(0, (2.5 - pv) / 5)) for iso3, pv in latest.iter_rows()}
    into_us = flows.filter(pl.col("importer_iso3") == "USA")
    by_supplier = into_us.group_by("exporter_iso3").agg(pl.col("qty_t").sum())
    imports = by_supplier["qty_t"].sum()
    weighted = sum(q * g.get(s, 0.5) for s, q in by_supplier.iter_rows())
    want = hhi * weighted / (imports + us_production)
    # the bloc: trade between the US and Japan at zero risk, both countries' production added
    members = ["USA", "JPN"]
    extra = flows.filter(~pl.col("exporter_iso3").is_in(members))
    intra = flows.filter(pl.col("exporter_iso3").is_in(members))["qty_t"].sum()
    extra_t = extra["qty_t"].sum()
    unscored_t = extra.filter(~pl.col("exporter_iso3").is_in(list(g)))["qty_t"].sum()
    bloc_weighted = sum(
        q * g.get(s, 0.5)
        for s, q in extra.select("exporter_iso3", "qty_t").drop_nulls().iter_rows()
    )
    want_bloc = hhi * bloc_weighted / (extra_t + intra + us_production)  # Japan mines no nickel

    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    known = set(flows["exporter_iso3"]) | {"USA", "JPN"}
    con.register("_flows", trade.conform_baci(flows, load_seed("hs_mineral"), known))
    con.register("_eu", eu_membership())
    con.register("_partners", load_seed("partner_group"))
    con.register("_wgi", latest.select("iso3", year=pl.lit(2024), estimate="estimate"))
    con.execute("""
        CREATE TABLE staging.trade_flows AS SELECT * FROM _flows;
        CREATE TABLE staging.eu_membership AS SELECT * FROM _eu;
        CREATE TABLE staging.partner_group AS SELECT * FROM _partners;
        CREATE TABLE staging.governance AS
            SELECT iso3, year, 'political_stability' AS dimension, estimate FROM _wgi""")
    representative_series(con, [("usgs_mcs", "nickel", "mining", 2024)])
    con.execute(f"UPDATE marts.supply_concentration SET hhi = {hhi * 10000}")
    con.execute(
        "CREATE TABLE marts.country_share AS SELECT 'usgs_mcs' AS source, 'nickel' AS commodity,"
        " 'mining' AS stage, 'production' AS basis, 2024 AS year, false AS is_projection, "
        f"'USA' AS iso3, {us_production} AS amount, 'reported' AS value_flag, "
        "'mine production' AS measure"
    )
    trade_outliers(con)
    for layer, name in [("staging", "bloc_members"), ("staging", "import_by_supplier")]:
        con.execute(f"CREATE TABLE {layer}.{name} AS {model(layer, name).sql}")
    risk = con.sql(model("marts", "importer_supply_risk").sql).pl()
    (got,) = risk.filter(pl.col("importer_iso3") == "USA").to_dicts()
    assert got["domestic_production_t"] == us_production == 7490
    assert got["import_quantity_t"] == pytest.approx(imports)
    assert got["geopolrisk"] == pytest.approx(want)
    # US mine output dwarfs its ore imports: far below the value-basis variant
    assert got["geopolrisk"] < got["geopolrisk_value_basis"] / 20
    (bloc,) = risk.filter(pl.col("importer_iso3") == "USA_JPN").to_dicts()
    assert intra > 0 and unscored_t > 0  # the slice exercises both rules
    assert bloc["intra_bloc_import_t"] == pytest.approx(intra)
    assert bloc["domestic_production_t"] == us_production
    assert bloc["geopolrisk"] == pytest.approx(want_bloc)
    assert bloc["uses_default_instability"] is True
    assert bloc["import_quantity_share_at_default"] == pytest.approx(unscored_t / extra_t)


def test_scenario_figures_and_words(graphite_marts):
    from pipelines.cli.scenario import format_scenario, scenario

    con, hand = graphite_marts
    (row,) = scenario(con, "CHN", "USA", "graphite", 4)
    assert row["lost_imports_t"] == pytest.approx(hand["china_t"])
    assert row["lost_value_usd"] == pytest.approx(hand["china_usd"])
    assert row["stockpile_t"] == pytest.approx(hand["annual"] * 4 / 12)
    # US: share of apparent consumption = net import reliance x USGS's China share
    assert row["share_of_consumption"] == pytest.approx(hand["reliance"] * hand["usgs_china"])
    text = format_scenario([row], "CHN", "USA", "graphite", 4)
    assert f"{hand['china_t']:,.0f} t a year (imports, t gross weight, BACI)" in text
    assert f"stockpile for 4 months: {hand['annual'] * 4 / 12:,.0f} t gross weight" in text
    assert "import-source share (all), t gross weight, USGS MCS2026" in text
    assert scenario(con, "CHN", "JPN", "graphite", 4) == []  # no Japanese flows in the slice
    assert "nothing to lose" in format_scenario([], "CHN", "JPN", "graphite", 4)


# --- the contracts of the new tables: column order, grain, values and bounds hold ---


def check_contract(table: str, frame: pl.DataFrame) -> None:
    import yaml

    from pipelines.lib.paths import SQL_DIR

    schema, name = table.split(".")
    contract = yaml.safe_load((SQL_DIR / schema / f"{name}.yml").read_text())
    assert frame.columns == list(contract["columns"]), table
    assert not frame.select(contract["grain"]).is_duplicated().any(), table
    for column, spec in contract["columns"].items():
        if not isinstance(spec, dict):
            continue
        values = frame[column].drop_nulls()
        if "values" in spec:
            assert set(values) <= set(spec["values"]), (table, column)
        if "min" in spec:
            assert values.min() is None or values.min() >= spec["min"], (table, column)
        if "max" in spec:
            assert values.max() is None or values.max() <= spec["max"], (table, column)
        if spec.get("not_null"):
            assert frame[column].null_count() == 0, (table, column)


def test_contracts_hold(staged, nir, graphite_marts):
    con, _ = graphite_marts
    check_contract("staging.us_salient", staged)
    check_contract("marts.us_net_import_reliance", nir)
    check_contract("staging.dim_critical_list", critical_lists(load_seed("critical_lists"), staged))
    check_contract("staging.bloc_members", con.sql("SELECT * FROM staging.bloc_members").pl())
    check_contract("marts.stockpile_cover", con.sql("SELECT * FROM marts.stockpile_cover").pl())


def test_contract_check_fails_on_a_broken_table(nir):
    with pytest.raises(AssertionError):
        check_contract("marts.us_net_import_reliance", nir.with_columns(nir_pct=pl.lit(150.0)))
    with pytest.raises(AssertionError):
        check_contract("marts.us_net_import_reliance", pl.concat([nir, nir.head(1)]))


def test_scenario_command_is_registered():
    from pipelines.cli import build_parser
    from pipelines.cli.scenario import cmd_scenario

    args = build_parser().parse_args(
        ["scenario", "CHN", "--commodity", "graphite", "--importer", "USA_JPN"]
    )
    assert args.func is cmd_scenario and args.months == 6


def test_a_tonnage_is_content_where_the_chapter_note_says_so(staged):
    """The unit basis of a salient tonnage follows the chapter's data note in the raw file, whose
    own parentheses nest: "(Data in metric tons, rare-earth-oxide (REO) equivalent, ...)"."""
    notes = {r["MCS chapter"]: r["Other notes"] for r in raw_rows()}
    ree = notes["RARE EARTHS"]
    assert ree.startswith("(Data in metric tons, rare-earth-oxide (REO) equivalent")
    rows = staged.filter(
        pl.col("commodity") == "rare_earths",
        pl.col("statistic") == "apparent_consumption",
        pl.col("unit") == "t",
    )
    assert rows.height > 0 and set(rows["unit_basis"]) == {"content"}
    # a chapter in gross weight stays so: no "content"/"equivalent" in its data note
    graphite = staged.filter(
        pl.col("commodity") == "graphite",
        pl.col("statistic") == "apparent_consumption",
        pl.col("unit") == "t",
    )
    assert "content" not in notes["GRAPHITE (NATURAL)"].split(")")[0].lower()
    assert graphite.height > 0 and set(graphite["unit_basis"]) == {"gross_weight"}
