"""What the figures mean (issue 26), on the session's published build, each case recomputed from
the raw snapshot files (the BACI parquet files and the MCS2026 CSV read here directly, never
through the project's tables): the 2021 USA -> Dominican Republic graphite outlier, the basket
flag on US gallium imports, and export concentration never published as production."""

import csv
import json
import re

import polars as pl
import pytest

from pipelines.lib.paths import SNAPSHOT_DIR

BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
BACI_HS17_2024 = SNAPSHOT_DIR / "baci/hs17/trade.parquet"
MCS2026 = SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv"
NATURAL_GRAPHITE = ["250410", "250490"]


def rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def mcs2026(chapter: str, detail: str, year: str, country: str = "United States") -> float:
    """One cell of the MCS2026 data release as printed (thousands separators removed)."""
    with open(MCS2026, encoding="cp1252", newline="") as f:
        for r in csv.DictReader(f):
            if (r["MCS chapter"], r["Statistics_detail"], r["Year"], r["Country"]) == (
                chapter, detail, year, country
            ):  # fmt: skip
                return float(r["Value"].replace(",", ""))
    raise KeyError((chapter, detail, year, country))


def graphite_2021() -> pl.DataFrame:
    return pl.read_parquet(BACI).filter(
        pl.col("year") == 2021, pl.col("hs92_6").is_in(NATURAL_GRAPHITE)
    )


def test_2021_usa_dominican_republic_graphite_flow_is_an_outlier_left_out(published):
    con, _, _ = published
    flows = graphite_2021()
    (flow,) = flows.filter(
        pl.col("exporter_iso3") == "USA",
        pl.col("importer_iso3") == "DOM",
        pl.col("hs92_6") == "250490",
    ).to_dicts()
    usgs_exports = mcs2026("GRAPHITE (NATURAL)", "Exports", "2021")
    assert (flow["hs92_6"], round(flow["qty_t"]), usgs_exports) == ("250490", 492941, 8660)
    assert flow["value_kusd"] * 1000 / flow["qty_t"] == pytest.approx(75, abs=1)  # $75/t

    caught = rows(
        con,
        """SELECT reason, reference FROM staging.trade_outliers WHERE year = 2021
        AND hs6 = '250490' AND exporter_iso3 = 'USA' AND importer_iso3 = 'DOM'""",
    )
    reasons = {r["reason"]: r["reference"] for r in caught}
    assert reasons["exceeds_usgs_us_exports"] == usgs_exports  # 57x USGS's total
    assert {"unit_value_far_from_median", "exceeds_exporter_supply"} <= set(reasons)

    # exports by quantity from the raw parquet, with and without the flow: with it the USA
    # is the "top graphite exporter" of 2021 (the false finding); without it, it is not
    def top(frame: pl.DataFrame) -> tuple[str, float]:
        by = frame.group_by("exporter_iso3").agg(pl.col("qty_t").sum()).drop_nulls()
        best = by.sort("qty_t", descending=True).row(0, named=True)
        return best["exporter_iso3"], best["qty_t"] / by["qty_t"].sum()

    kept = flows.filter(
        ~((pl.col("exporter_iso3") == "USA") & (pl.col("importer_iso3") == "DOM"))
        | (pl.col("hs92_6") != "250490")
    )
    assert top(flows)[0] == "USA"
    want_top, want_share = top(kept)
    assert want_top != "USA"
    (got,) = rows(
        con,
        """SELECT * FROM marts.export_concentration WHERE commodity = 'graphite'
        AND stage = 'mining' AND basis = 'export_quantity' AND year = 2021""",
    )
    assert (got["top_exporter_iso3"], got["top_exporter_share"]) == (
        want_top,
        pytest.approx(want_share),
    )
    assert got["world_total"] == pytest.approx(kept["qty_t"].sum())
    # nor does any import share or alert count it
    dom = rows(
        con,
        """SELECT import_quantity_t FROM marts.import_dependence WHERE importer_iso3 = 'DOM'
        AND commodity = 'graphite' AND stage = 'mining' AND year = 2021""",
    )
    into_dom = kept.filter(pl.col("importer_iso3") == "DOM")["qty_t"].sum()
    assert (dom[0]["import_quantity_t"] if dom else 0.0) == pytest.approx(into_dom)

    # with the flow, 2021 graphite exports turn "highly concentrated" (HHI > 2,500): the false
    # alert of issue 26; without it they do not, and no alert says so
    def hhi(frame: pl.DataFrame) -> float:
        by = frame.group_by("exporter_iso3").agg(pl.col("qty_t").sum()).drop_nulls()
        return float(((100 * by["qty_t"] / by["qty_t"].sum()) ** 2).sum())

    assert hhi(flows) > 2500 >= hhi(kept) == pytest.approx(got["hhi"])
    assert not rows(
        con,
        "SELECT * FROM marts.alerts WHERE commodity = 'graphite' AND year = 2021 "
        "AND kind LIKE '%concentrated'",
    )


def test_usa_gallium_2024_is_flagged_as_a_basket(published, monkeypatch, capsys):
    con, _, root = published
    into_us = pl.read_parquet(BACI_HS17_2024).filter(
        pl.col("hs6").cast(pl.String) == "811292", pl.col("importer") == "USA"
    )
    basket_t = into_us["qty_t"].sum()
    world_gallium_t = mcs2026("GALLIUM", "Primary production: rounded", "2024", "World total")
    us_gallium_metal_t = mcs2026("GALLIUM", "Imports for consumption: Metal", "2024")
    assert round(basket_t) == 801 and world_gallium_t == 848_000  # kg
    (got,) = rows(
        con,
        """SELECT * FROM marts.import_dependence WHERE importer_iso3 = 'USA'
        AND commodity = 'gallium' AND stage = 'refining' AND year = 2024""",
    )
    assert got["product_label"] == "HS 811292: gallium, germanium and other metals; upper bound"
    assert got["includes_basket"] is True
    assert got["import_quantity_t"] == pytest.approx(basket_t)
    assert got["world_production_t"] == pytest.approx(world_gallium_t / 1000)
    assert got["imports_to_world_production"] == pytest.approx(basket_t / (world_gallium_t / 1000))
    # what is known of gallium's part: USGS's US imports of gallium metal, 11 t of 801 t
    assert got["usgs_imports_t"] == pytest.approx(us_gallium_metal_t / 1000)
    assert "part of the traded products" in got["usgs_imports_scope"]
    # the US-Japan bloc imports more of the basket than the world produces of gallium: flagged
    (bloc,) = rows(
        con,
        """SELECT * FROM marts.import_dependence WHERE importer_iso3 = 'USA_JPN'
        AND commodity = 'gallium' AND year = 2024""",
    )
    hs17 = pl.read_parquet(BACI_HS17_2024).filter(pl.col("hs6").cast(pl.String) == "811292")
    bloc_t = hs17.filter(
        pl.col("importer").is_in(["USA", "JPN"]), ~pl.col("exporter").is_in(["USA", "JPN"])
    )["qty_t"].sum()
    assert bloc["import_quantity_t"] == pytest.approx(bloc_t)
    assert bloc_t > world_gallium_t / 1000 and bloc["imports_exceed_world_production"] is True

    # the read side says it too: no "gallium" line without its basket words
    from pipelines import cli

    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(root / "warehouse"))
    assert cli.main(["exposure", "USA", "--commodity", "gallium"]) == 0
    out = capsys.readouterr().out
    assert out.count("HS 811292: gallium, germanium and other metals; upper bound") >= 2
    assert cli.main(["scenario", "CHN", "--commodity", "gallium", "--importer", "USA"]) == 0
    out = capsys.readouterr().out
    assert "products:  HS 811292: gallium, germanium and other metals; upper bound" in out
    assert "(a basket: not gallium alone)" in out
    assert cli.main(["controls", "CN-2023-23"]) == 0
    out = capsys.readouterr().out
    change_lines = [line for line in out.splitlines() if "811292" in line and "USA" in line]
    assert change_lines and all(
        "gallium, germanium and other metals (basket)" in line for line in change_lines
    )


# Words that would present an export figure as production: the stage of production, or its
# top country as a producer ("not the top producer" is what the export tables say instead).
PRODUCTION_WORDS = re.compile(r"\b(mining|refining|manufacturing|producers?)\b", re.I)
NEGATED = re.compile(r"not (the top )?producer|never (a )?producer", re.I)


def _calls_it_production(text: str | None) -> bool:
    return bool(text) and bool(PRODUCTION_WORDS.search(NEGATED.sub("", text)))


def test_export_concentration_is_never_published_as_production(published, monkeypatch, capsys):
    con, _, root = published
    # recomputed from the raw parquet: antimony ores 2024 by quantity, China's share of exports
    # is a sliver while USGS makes China the top miner
    ores = pl.read_parquet(BACI).filter(pl.col("year") == 2024, pl.col("hs92_6") == "261710")
    # less the flows left out as outliers (their keys from the warehouse, their tonnes from here)
    left_out = rows(
        con,
        "SELECT DISTINCT exporter_iso3, importer_iso3 FROM staging.trade_outliers "
        "WHERE year = 2024 AND hs6 = '261710'",
    )
    for key in left_out:
        ores = ores.filter(
            (pl.col("exporter_iso3") != key["exporter_iso3"])
            | (pl.col("importer_iso3") != key["importer_iso3"])
        )
    by = ores.group_by("exporter_iso3").agg(pl.col("qty_t").sum()).drop_nulls()
    china = by.filter(pl.col("exporter_iso3") == "CHN")["qty_t"].sum() / by["qty_t"].sum()
    (exports,) = rows(
        con,
        """SELECT * FROM marts.export_concentration WHERE commodity = 'antimony'
        AND stage = 'mining' AND basis = 'export_quantity' AND year = 2024""",
    )
    assert exports["china_share"] == pytest.approx(china) and china < 0.01
    assert exports["product_label"] == "HS 261710: antimony ores and concentrates"
    (mining,) = rows(
        con,
        """SELECT top1_iso3, china_share FROM marts.supply_concentration
        WHERE commodity = 'antimony' AND stage = 'mining' AND year = 2024""",
    )
    assert mining["top1_iso3"] == "CHN" and mining["china_share"] > 0.3

    # no production table holds a trade row
    for table in ("country_share", "supply_concentration", "supply_risk", "concentration_trend"):
        assert rows(con, f"SELECT DISTINCT basis FROM marts.{table}") == [{"basis": "production"}]
    # every export-based alert names its products and says exports, never a stage or a producer
    alerts = rows(con, "SELECT kind, basis, message FROM marts.alerts WHERE source = 'baci'")
    # import-side alerts (the EU's 65% benchmark, an importer's control premium) say imports
    exported = [a for a in alerts if a["basis"].startswith("export")]
    assert exported and all("exports" in a["message"] for a in exported)
    assert not [a for a in exported if _calls_it_production(a["message"])]
    assert any(
        a["message"].startswith("antimony ores and concentrates (HS 261710): ") for a in exported
    )
    # the export tables' rows and descriptions, in the warehouse and in the Parquet manifest
    for table in ("export_share", "export_concentration"):
        labels = rows(con, f"SELECT DISTINCT product_label FROM marts.{table}")
        assert not [r for r in labels if _calls_it_production(r["product_label"])]
        comments = rows(
            con,
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ? "
            "AND column_name IN ('top_exporter_iso3', 'rank', 'iso3', 'top_exporter_share')",
            [table],
        )
        assert comments and not [c for c in comments if _calls_it_production(c["comment"])]
    manifest = json.loads((root / "warehouse/exports/manifest.json").read_text())
    described = manifest["tables"]["export_concentration"]["columns"]
    top = next(c for c in described if c["name"] == "top_exporter_iso3")
    assert "top exporter" in top["description"] and not _calls_it_production(top["description"])
    # the CLI's concentration table and the dashboard's concentration panels are production only
    from pipelines import cli

    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(root / "warehouse"))
    assert cli.main(["show", "antimony"]) == 0
    assert "baci" not in capsys.readouterr().out
    page = (root / "warehouse/dashboard/index.html").read_text()
    blob = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
    )
    data = json.loads(blob.group(1))["data"]
    for name in ("concentration", "production_series", "top_concentrated"):
        column = data[name]["columns"].index("source_label")
        assert {r[column] for r in data[name]["rows"]} <= {"USGS", "IEA"}, name
