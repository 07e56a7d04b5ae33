"""marts.import_dependence on a small real BACI slice, expected figures computed independently."""

import duckdb
import polars as pl
import pytest

from pipelines.defs.marts.assets import build_model
from pipelines.lib.contracts import contract_for
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, typed_seed
from pipelines.lib.sql import load_models
from pipelines.lib.transforms import trade
from tests.support.scope import no_production_context, trade_outliers, trade_products

BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
GRAPHITE = ["250410", "250490"]  # natural graphite: both map to (graphite, mining)
EU27_2022 = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}  # fmt: skip
CONTRACT = [
    "importer_iso3", "commodity", "stage", "year", "import_value_usd", "import_quantity_t",
    "n_suppliers", "top_supplier_iso3", "top_supplier_share", "china_share", "supplier_hhi",
    "exceeds_eu_65pct_cap",
]  # fmt: skip


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    # Real rows: every 2019 and 2022 natural-graphite flow into Japan, the EU27 and the UK
    return (
        trade.read_baci_extract(BACI)
        .filter(
            pl.col("year").is_in([2019, 2022]),
            pl.col("hs92_6").is_in(GRAPHITE),
            pl.col("importer_iso3").is_in(["JPN", "GBR", *EU27_2022]),
        )
        .collect()
    )


@pytest.fixture(scope="module")
def mart(raw) -> pl.DataFrame:
    known = (set(raw["exporter_iso3"]) | set(raw["importer_iso3"]) | {"TWN"}) - {"S19"}
    flows = trade.conform_baci(raw, load_seed("hs_mineral"), known)
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.register("_flows", flows)
    con.register(
        "_eu", typed_seed("eu_membership", {"iso3": None, "joined": "INTEGER", "left": "INTEGER"})
    )
    con.execute("CREATE TABLE staging.trade_flows AS SELECT * FROM _flows")
    con.execute("CREATE TABLE staging.eu_membership AS SELECT * FROM _eu")
    con.register("_partners", load_seed("partner_group"))
    con.execute("CREATE TABLE staging.partner_group AS SELECT * FROM _partners")
    bloc_members = next(m for m in load_models("staging") if m.name == "bloc_members")
    con.execute(f"CREATE TABLE staging.bloc_members AS {bloc_members.sql}")
    trade_outliers(con)
    # as the asset builds it: one year at a time (its contract's build_by_year), 2019 then 2022
    staging = next(m for m in load_models("staging") if m.name == "import_by_supplier")
    build_model(con, staging, contract_for(staging.table).build_by_year)
    trade_products(con)
    no_production_context(con)
    model = next(m for m in load_models("marts") if m.name == "import_dependence")
    return con.sql(model.sql).pl()


def expected(raw: pl.DataFrame, importers: set[str], exclude_exporters: set[str]) -> dict:
    """Supplier shares by hand from the raw slice (kUSD, S19 = Taiwan)."""
    by_supplier = (
        raw.filter(
            pl.col("importer_iso3").is_in(list(importers)),
            ~pl.col("exporter_iso3").is_in(list(exclude_exporters)),
        )
        .with_columns(pl.col("exporter_iso3").replace({"S19": "TWN"}))
        .group_by("exporter_iso3")
        .agg(pl.col("value_kusd").sum())
        .with_columns(share=pl.col("value_kusd") / pl.col("value_kusd").sum())
        .sort("value_kusd", descending=True)
    )
    return {
        "import_value_usd": by_supplier["value_kusd"].sum() * 1000,
        "top_supplier_iso3": by_supplier["exporter_iso3"][0],
        "top_supplier_share": by_supplier["share"][0],
        "china_share": by_supplier.filter(pl.col("exporter_iso3") == "CHN")["share"].sum(),
        "supplier_hhi": ((by_supplier["share"] * 100) ** 2).sum(),
        "n_suppliers": by_supplier.height,
    }


def row(mart: pl.DataFrame, importer: str, year: int) -> dict:
    (got,) = mart.filter(
        pl.col("importer_iso3") == importer,
        pl.col("commodity") == "graphite",
        pl.col("stage") == "mining",
        pl.col("year") == year,
    ).to_dicts()
    return got


def test_contract_columns_first_and_one_row_per_key(mart):
    assert mart.columns[: len(CONTRACT)] == CONTRACT
    # columns are only ever added at the end: the quantity basis follows the value columns
    assert mart.columns[len(CONTRACT) :] == [
        "includes_shared_codes", "top_supplier_iso3_quantity", "top_supplier_share_quantity",
        "china_share_quantity", "supplier_hhi_quantity", "value_share_with_quantity",
        # issue 26: what the figures are on, and how they compare with world production
        "product_label", "includes_basket", "world_production_t", "world_production_scope",
        "imports_exceed_world_production", "imports_to_world_production", "usgs_imports_t",
        "usgs_imports_scope",
    ]  # fmt: skip
    assert not mart.select("importer_iso3", "commodity", "stage", "year").is_duplicated().any()


def test_japan_graphite_2022_matches_hand_computation(raw, mart):
    got = row(mart, "JPN", 2022)
    want = expected(raw.filter(pl.col("year") == 2022), {"JPN"}, set())
    for key in ("import_value_usd", "top_supplier_share", "china_share", "supplier_hhi"):
        assert got[key] == pytest.approx(want[key]), key
    assert got["top_supplier_iso3"] == want["top_supplier_iso3"] == "CHN"
    assert got["n_suppliers"] == want["n_suppliers"]
    # China held about 90% of Japan's natural-graphite imports in 2022: above the 65% cap
    assert got["china_share"] == pytest.approx(0.9033, abs=1e-4)
    assert got["exceeds_eu_65pct_cap"] is True
    assert got["includes_shared_codes"] is False


def test_eu27_counts_extra_eu_imports_only(raw, mart):
    got = row(mart, "EU27", 2022)
    # 2022: the UK has left, so its shipments to members are extra-EU imports
    want = expected(raw.filter(pl.col("year") == 2022), EU27_2022, EU27_2022)
    assert got["import_value_usd"] == pytest.approx(want["import_value_usd"])
    assert got["china_share"] == pytest.approx(want["china_share"])
    assert got["supplier_hhi"] == pytest.approx(want["supplier_hhi"])
    all_member_imports = raw.filter(
        pl.col("year") == 2022, pl.col("importer_iso3").is_in(list(EU27_2022))
    )["value_kusd"].sum()
    assert got["import_value_usd"] < all_member_imports * 1000  # intra-EU flows left out


def test_eu27_2019_includes_the_uk_as_member(raw, mart):
    got = row(mart, "EU27", 2019)
    members = EU27_2022 | {"GBR"}  # the UK left on 31 January 2020
    want = expected(raw.filter(pl.col("year") == 2019), members, members)
    assert got["import_value_usd"] == pytest.approx(want["import_value_usd"])
    assert got["top_supplier_share"] == pytest.approx(want["top_supplier_share"])
    assert got["top_supplier_iso3"] != "GBR"
