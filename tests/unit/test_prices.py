"""USGS prices: the yearbook and DS-140 workbooks read as published, MCS2026's price rows
conformed through the reviewed series rules, and marts.prices' revisions, on the real files."""

import re

import duckdb
import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.sql import load_models
from pipelines.lib.transforms import countries, prices, salient, usgs

MYB = SNAPSHOT_DIR / "usgs_myb" / prices.MYB_TABLES
DS140 = SNAPSHOT_DIR / "usgs_myb" / prices.DS140
MCS2026 = SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv"
ELEMENTS = {
    "Ce": "cerium", "Eu": "europium", "Gd": "gadolinium", "La": "lanthanum", "Nd": "neodymium",
    "Pr": "praseodymium", "Sm": "samarium", "Dy": "dysprosium", "Er": "erbium",
    "Ho": "holmium", "Lu": "lutetium", "Tb": "terbium", "Yb": "ytterbium", "Y": "y2o3|yttrium",
    "Sc": "scandium", "Ga": "gallium", "Ge": "germanium", "Sb": "antimony",
}  # fmt: skip


@pytest.fixture(scope="module")
def workbooks():
    return pl.concat([prices.read_myb_tables(MYB), prices.read_ds140(DS140)])


@pytest.fixture(scope="module")
def us_salient():
    reference = countries.load_reference(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv"
    )
    return salient.conform_salient(
        usgs.read_mcs2026_salient(MCS2026),
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_salient_statistics"),
        units=units(),
        country_lookup=countries.build_lookup(reference, load_seed("country_aliases")),
    )


@pytest.fixture(scope="module")
def staged(us_salient, workbooks):
    return prices.conform_prices(
        us_salient, workbooks, rules=load_seed("usgs_price_series"), units=units()
    )


def test_t3_is_read_with_its_glued_footnotes_resolved(workbooks):
    t3 = workbooks.filter(pl.col("sheet") == "T3")
    assert t3.height == 22 and sorted(t3["year"].unique()) == [2021, 2022]
    tb = t3.filter(pl.col("label") == "Terbium", pl.col("year") == 2021).row(0, named=True)
    assert (tb["label_raw"], tb["cell"], tb["value_raw"], tb["purity_raw"]) == (
        "Terbium4, 5", "E16", "1350", "99.99",
    )  # fmt: skip
    assert tb["unit_raw"] == "Dollars per kilogram" and tb["footnotes"] == "1, 4, 5"
    assert "Argus Media group – Argus Metals International" in tb["footnote_text"]
    assert "China, free on board" in tb["footnote_text"]
    sc = t3.filter(pl.col("label") == "Scandium").row(0, named=True)
    assert "Stanford Materials" in sc["footnote_text"] and "Argus" not in sc["footnote_text"]
    assert tb["edition_posted"].isoformat() == "2025-03-19"


def test_t1_price_rows_keep_the_glued_estimate_and_the_printed_unit(workbooks):
    t1 = workbooks.filter(pl.col("sheet") == "T1")
    assert t1.height == 10 and sorted(t1["year"].unique()) == [2018, 2019, 2020, 2021, 2022]
    monazite = t1.filter(pl.col("label") == "Monazite concentrate, gross basis")
    assert monazite.height == 5 and monazite["is_estimate"].all()  # the "e" glued to "basis"
    mischmetal = t1.filter(pl.col("label").str.starts_with("Mischmetal"))
    assert set(mischmetal["unit_raw"]) == {"metric tons"}  # as printed: the quirk
    assert not mischmetal["is_estimate"].any()


def test_ds140_unit_value_column(workbooks):
    ds = workbooks.filter(pl.col("source") == "usgs_ds140")
    assert ds.height == 121 and (ds["year"].min(), ds["year"].max()) == (1900, 2020)
    by_year = dict(ds.select("year", "value_raw").iter_rows())
    assert by_year[1900] == "NA" and by_year[2020] == "5130"
    assert ds["edition_posted"][0].isoformat() == "2023-09-27"


def test_a_price_series_no_rule_covers_stops_the_run_naming_file_row_and_field(
    us_salient, workbooks
):
    unknown = (
        us_salient.filter(pl.col("statistic") == "price")
        .head(1)
        .with_columns(
            statistic_detail=pl.lit("Price, a series USGS never printed, dollars per pound"),
            product=pl.lit(""),
            commodity=pl.lit("cobalt"),
        )
    )
    with pytest.raises(SourceDataError) as err:
        prices.conform_prices(
            unknown, workbooks.head(0), rules=load_seed("usgs_price_series"), units=units()
        )
    message = str(err.value)
    assert "2026/MCS2026_Commodities_Data.csv, row" in message
    assert "'Statistics_detail'" in message and "never printed" in message


def test_every_mcs2026_price_row_is_conformed_or_left_out_with_a_reason(us_salient, staged):
    printed = us_salient.filter(pl.col("statistic") == "price").height
    mcs = staged.filter(pl.col("source") == "usgs_mcs")
    left_out = {"gemstones", "stone_dimension"}  # words, no price
    words = us_salient.filter(
        pl.col("statistic") == "price", pl.col("commodity").is_in(left_out)
    ).height
    twice = us_salient.filter(  # printed again in another unit
        pl.col("statistic") == "price",
        pl.col("product").is_in(["dollars per pound", "dollars per short ton"]),
    ).height
    assert printed == 799 and (words, twice) == (15, 10)
    assert mcs.height == printed - words - twice
    assert mcs["commodity"].n_unique() == 84


def test_every_element_price_names_its_element(staged):
    # a rule order bug once read terbium and ytterbium oxide as erbium (regex 'erbium oxide')
    named = staged.filter(pl.col("element").is_in(list(ELEMENTS)))
    wrong = named.filter(
        ~pl.struct("element", "product").map_elements(
            lambda r: bool(re.search(rf"\b({ELEMENTS[r['element']]})\b", r["product"].lower())),
            pl.Boolean,
        )
    )
    assert named.height > 100 and wrong.is_empty(), wrong.select("element", "product").unique()


def test_printed_units_that_are_wrong_are_read_in_the_reviewed_unit(staged):
    mischmetal = staged.filter(pl.col("edition") == "MYB2022", pl.col("element") == "Ce+La")
    assert set(mischmetal["unit_raw"]) == {"metric tons"}
    assert set(mischmetal["unit_read"]) == {"dollars per kilogram"}
    assert mischmetal.filter(pl.col("year") == 2022)["price_usd_per_kg"][0] == 6.52
    manganese = staged.filter(pl.col("commodity") == "manganese")
    assert set(manganese["normalised_unit"]) == {"usd_per_mtu"}
    assert manganese["price_usd_per_t"].is_null().all()  # a content unit, not a mass
    assert set(manganese["unit_basis"]) == {"content: manganese"}


def test_cited_source_terms_and_basis(staged):
    def one(product, edition, year):
        return staged.filter(
            pl.col("product") == product, pl.col("edition") == edition, pl.col("year") == year
        ).row(0, named=True)

    dy = one("dysprosium oxide, 99.5% minimum", "MCS2026", 2024)
    assert dy["quoted_source"].startswith("Argus Media group, Argus Non-Ferrous Markets")
    assert (dy["terms"], dy["price_basis"], dy["stage"]) == ("FOB", "market_quote", "refining")
    assert one("dysprosium oxide, 99.5% minimum", "MYB2022", 2022)["terms"] == "FOB China"
    ga = one("gallium metal, unwrought (HTS 8112.92.1000)", "MCS2026", 2024)
    assert (ga["price_basis"], ga["quoted_source"]) == ("import_unit_value", "U.S. Census Bureau")
    sb = one("antimony metal, 99.65% minimum", "MCS2026", 2025)
    assert (sb["terms"], sb["is_estimate"]) == ("CIF", True)
    assert sb["price_usd_per_kg"] == pytest.approx(25 * 2.20462262)  # dollars per pound


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Source: U.S. Census Bureau. Average customs value of U.S. imports", "U.S. Census Bureau"),
        ("Estimated. -- Source: Asian Metal Ltd.", "Asian Metal Ltd"),
        ("Ex-works China. -- Source: Asian Metal Ltd. -- other", "Asian Metal Ltd"),
        ("Calculated from U.S. Census Bureau import data.", None),
    ],
)
def test_quoted_source_of(text, source):
    assert prices.quoted_source_of(text) == source


def test_split_footnotes():
    assert prices.split_footnotes("Terbium4, 5") == ("Terbium", "4, 5")
    assert prices.split_footnotes("AVERAGE RARE-EARTH OXIDE PRICES1") == (
        "AVERAGE RARE-EARTH OXIDE PRICES", "1",
    )  # fmt: skip
    assert prices.split_footnotes("Cerium") == ("Cerium", "")


def test_revisions_between_editions_and_rounding(staged):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    con.register("_f", staged)
    con.execute("CREATE TABLE staging.usgs_prices AS SELECT * FROM _f")
    sql = next(m for m in load_models("marts") if m.name == "prices").sql
    con.execute(f"CREATE TABLE marts.prices AS {sql}")

    def row(product, year, edition):
        cur = con.execute(
            "SELECT * FROM marts.prices WHERE product = ? AND year = ? AND edition = ?",
            [product, year, edition],
        )
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))

    tb = row("terbium oxide, 99.99% minimum", 2021, "MCS2026")
    assert (tb["previous_edition"], tb["previous_edition_value_raw"]) == ("MYB2022", "1350")
    assert tb["revision"] == pytest.approx(1340 / 1350 - 1)
    assert tb["revision_within_rounding"] is False and tb["is_latest_edition"] is True
    ce = row("cerium oxide, 99.5% minimum", 2021, "MCS2026")  # MYB T3 prints whole dollars: 2
    assert ce["revision"] == pytest.approx(1.54 / 2 - 1) and ce["revision_within_rounding"]
    assert row("terbium oxide, 99.99% minimum", 2021, "MYB2022")["is_latest_edition"] is False
    assert row("terbium oxide, 99.99% minimum", 2024, "MCS2026")[
        "change_from_previous_year"
    ] == pytest.approx(812 / 1300 - 1)
    (dupes,) = con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM marts.prices "
        "GROUP BY commodity, product, price_basis, year, edition HAVING count(*) > 1)"
    ).fetchone()
    assert dupes == 0
