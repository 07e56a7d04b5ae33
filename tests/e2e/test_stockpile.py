"""Stockpile cover on one scope per row (issue 26, items 4, 8 and 9), on the session's published
build, each case recomputed from the raw snapshot files (the BACI parquet files and the MCS2026
CSV read here directly): the antimony China figure on USGS's share, the basket flag on US
gallium, the importer's own suppliers, a net exporter's flow not 0, one basis per series."""

import polars as pl
import pytest

from tests.e2e.test_scope import BACI, BACI_HS17_2024, NATURAL_GRAPHITE, mcs2026, rows


def cover(con, importer: str, commodity: str, stage: str, year: int) -> dict[str, dict]:
    found = rows(
        con,
        "SELECT * FROM marts.stockpile_cover WHERE importer_iso3 = ? AND commodity = ? "
        "AND stage = ? AND year = ? ORDER BY supplier_rank",
        [importer, commodity, stage, year],
    )
    return {r["supplier_iso3"]: r for r in found}


def top5(flows: pl.DataFrame, exporter: str) -> list[str]:
    by = flows.group_by(exporter).agg(pl.col("qty_t").sum()).sort("qty_t", descending=True)
    return by[exporter].head(5).to_list()


def hs17(hs6: list[str]) -> pl.DataFrame:
    return pl.read_parquet(BACI_HS17_2024).filter(pl.col("hs6").cast(pl.String).is_in(hs6))


def test_us_antimony_from_china_is_on_usgs_share_of_metal_and_oxide(published):
    con, _, _ = published
    consumption = mcs2026("ANTIMONY", "Consumption, apparent", "2024")
    nir = mcs2026("ANTIMONY", "Net import reliance as a percentage of apparent consumption", "2024")
    china = _usgs_share("ANTIMONY", "Total metal and oxide", "China")
    assert (consumption, nir, china) == (28600, 86, 55)
    got = cover(con, "USA", "antimony", "refining", 2024)["CHN"]
    assert got["basis"] == "consumption" and got["source"] == "usgs_mcs"
    assert got["unit_basis"] == "content"  # "(Data in metric tons, antimony content ...)"
    assert got["annual_at_risk_t"] == pytest.approx(consumption * nir / 100 * china / 100)
    assert round(got["annual_at_risk_t"]) == 13528  # issue 26: 2,493 t on a BACI metal share
    assert got["usgs_import_sources_product"] == "total metal and oxide"
    assert got["hs_codes"] == "282580, 811010"
    # beside it, the gross flow that stops: BACI tonnes of the series' codes
    flows = hs17(["811010", "282580"]).filter(pl.col("importer") == "USA")
    chn = flows.filter(pl.col("exporter") == "CHN")["qty_t"].sum()
    assert got["flow_stops_t"] == pytest.approx(chn)
    assert got["months_covered_by_6m_stockpile"] == pytest.approx(6 / (nir / 100 * china / 100))
    # antimony ore is not USGS's product (its NIR is the whole chapter): it stays on trade
    assert {r["basis"] for r in cover(con, "USA", "antimony", "mining", 2024).values()} == {
        "imports"
    }


def _usgs_share(chapter: str, table: str, country: str) -> float:
    import csv

    from tests.e2e.test_scope import MCS2026

    with open(MCS2026, encoding="cp1252", newline="") as f:
        for r in csv.DictReader(f):
            if (r["MCS chapter"], r["Section"], r["Statistics_detail"], r["Country"]) == (
                chapter, "Import Sources", table, country
            ):  # fmt: skip
                return float(r["Value"])
    raise KeyError((chapter, table, country))


def test_usa_gallium_is_a_basket_on_trade_tonnes(published):
    con, _, _ = published
    got = cover(con, "USA", "gallium", "refining", 2024)
    flows = hs17(["811292"]).filter(pl.col("importer") == "USA")
    assert list(got) == top5(flows, "exporter")
    chn = got["CHN"]
    assert chn["includes_basket"] is True and chn["product_label"].endswith("; upper bound")
    assert chn["basis"] == "imports" and chn["nir_pct"] is None  # USGS's table is gallium metal
    assert chn["flow_stops_t"] == pytest.approx(
        flows.filter(pl.col("exporter") == "CHN")["qty_t"].sum()
    )
    assert "basket" in chn["note"]


def test_the_suppliers_are_the_importers_own(published):
    """Canada and Mexico ship 14.6% and 9.5% of US natural-graphite tonnes and India 17.8% of US
    unwrought antimony: none is among the world's five largest exporters."""
    con, _, _ = published
    graphite = pl.read_parquet(BACI).filter(
        pl.col("year") == 2024,
        pl.col("hs92_6").is_in(NATURAL_GRAPHITE),
        pl.col("importer_iso3") == "USA",
    )
    got = cover(con, "USA", "graphite", "mining", 2024)
    assert list(got) == top5(graphite, "exporter_iso3")
    assert {"CAN", "MEX"} <= set(got)
    total = graphite["qty_t"].sum()
    for iso3, share in [("CAN", 0.146), ("MEX", 0.095)]:
        assert got[iso3]["supplier_share_quantity"] == pytest.approx(share, abs=0.001)
        assert got[iso3]["supplier_share_quantity"] == pytest.approx(
            graphite.filter(pl.col("exporter_iso3") == iso3)["qty_t"].sum() / total
        )
    antimony = hs17(["811010"]).filter(pl.col("importer") == "USA")
    got = cover(con, "USA", "antimony", "refining", 2024)
    assert list(got) == top5(antimony, "exporter") and "IND" in got
    assert got["IND"]["supplier_share_quantity"] == pytest.approx(0.178, abs=0.001)
    world = {r["supplier_iso3"] for r in rows(
        con, "SELECT supplier_iso3 FROM marts.disruption_exposure WHERE importer_iso3 = 'USA' "
        "AND commodity = 'antimony' AND stage = 'refining' AND year = 2024")}  # fmt: skip
    assert "IND" not in world  # the world's top five exporters would have missed it


def test_a_net_exporter_shows_the_flow_that_stops_not_zero(published):
    """Japan exports more permanent magnets (HS 850511) than it imports: China's flow is lost all
    the same."""
    con, _, _ = published
    magnets = hs17(["850511"])
    imports = magnets.filter(pl.col("importer") == "JPN")["qty_t"].sum()
    exports = magnets.filter(pl.col("exporter") == "JPN")["qty_t"].sum()
    assert exports > imports
    got = cover(con, "JPN", "rare_earths", "manufacturing", 2024)["CHN"]
    chn = magnets.filter(pl.col("importer") == "JPN", pl.col("exporter") == "CHN")["qty_t"].sum()
    assert got["is_net_exporter"] is True and got["net_imports_t"] == pytest.approx(
        imports - exports
    )
    assert got["annual_at_risk_t"] == pytest.approx(chn) and chn > 0
    assert "net exporter" in got["note"]
    # magnets never carry rare-earth consumption or NIR
    assert (
        rows(
            con,
            "SELECT * FROM marts.stockpile_cover WHERE stage = 'manufacturing' AND (nir_pct IS "
            "NOT NULL OR apparent_consumption_t IS NOT NULL OR basis <> 'imports')",
        )
        == []
    )
    # Japan's JOGMEC target: 60 days of its imports of the codes, against China's flow
    assert got["policy_target_months_covered"] == pytest.approx(
        60 / 365 * 12 * imports / chn, rel=1e-6
    )


def test_one_basis_per_series_across_years(published):
    """The US natural-graphite series from China is on USGS consumption every year: before
    MCS2026's years (2021-25) it has no figure, it does not switch to trade."""
    con, checks, _ = published
    series = rows(
        con,
        "SELECT year, basis, annual_at_risk_t, note FROM marts.stockpile_cover WHERE "
        "importer_iso3 = 'USA' AND commodity = 'graphite' AND stage = 'mining' AND "
        "supplier_iso3 = 'CHN' ORDER BY year",
    )
    assert {r["basis"] for r in series} == {"consumption"} and len(series) > 20
    before = [r for r in series if r["year"] < 2021]
    assert before and all(r["annual_at_risk_t"] is None for r in before)
    assert all("do not cover" in r["note"] for r in before)
    consumption = mcs2026("GRAPHITE (NATURAL)", "Consumption, apparent", "2024")
    (y2024,) = [r for r in series if r["year"] == 2024]
    assert y2024["annual_at_risk_t"] == pytest.approx(
        consumption * _usgs_share("GRAPHITE (NATURAL)", "All", "China") / 100
    )  # NIR 100%
    mixed = rows(
        con,
        "SELECT importer_iso3, commodity, stage, supplier_iso3 FROM marts.stockpile_cover "
        "GROUP BY ALL HAVING count(DISTINCT basis) > 1 OR count(DISTINCT unit_basis) > 1",
    )
    assert mixed == []
    assert checks[("marts/stockpile_cover", "scope_one_per_series")].passed
