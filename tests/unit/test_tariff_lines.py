"""The national tariff lines and each measure's items at national level: codes well formed and
mapped, every measure's line known, and what has no line said so."""

import polars as pl

from pipelines.lib.contracts import load_contracts
from pipelines.lib.seeds import load_seed, typed_seed

DIGITS = {"CN8": 8, "HTS10": 10, "JP9": 9, "NCM8": 8, "CN10": 10, "HS6": 6}


def seed_table(table: str) -> pl.DataFrame:
    contract = load_contracts()[table]
    return typed_seed(contract.seed, {c.name: c.type for c in contract.columns})


LINES = seed_table("staging.national_tariff_lines")
CONTROL = seed_table("staging.control_lines")


def test_codes_have_their_nomenclatures_digits_and_belong_to_their_hs6():
    bad = [
        (r["nomenclature"], r["code"])
        for r in LINES.iter_rows(named=True)
        if not (r["code"].isdigit() and len(r["code"]) == DIGITS[r["nomenclature"]])
        or not r["code"].startswith(r["hs6"])
    ]
    assert bad == []


def test_every_line_is_mapped_to_a_known_scope_and_cited():
    known = set(load_seed("hs_mineral")["commodity"])
    assert set(LINES["commodity"]) <= known
    assert set(LINES["hs6"]) <= set(load_seed("hs_mineral")["hs6"])
    assert LINES["source_url"].str.starts_with("http").all()
    # a basket says so: HS 811292 and the Gd/Tb/Dy metals line
    baskets = LINES.filter(pl.col("is_basket"))
    assert {("HS6", "811292"), ("CN8", "28053031")} <= set(
        baskets.select("nomenclature", "code").iter_rows()
    )
    # a line not found on a schedule page is labelled and explained
    unverified = LINES.filter(pl.col("verification") == "publisher data")
    assert unverified["note"].str.contains("Not found on a schedule page").all()


def test_every_measure_line_is_a_known_line_and_no_line_is_said_so():
    lines = set(LINES.select("nomenclature", "code").iter_rows())
    measures = set(load_seed("export_controls")["measure_id"])
    assert set(CONTROL["measure_id"]) <= measures
    for r in CONTROL.iter_rows(named=True):
        if r["coverage"] == "no line":
            assert r["code"] == "" and r["note"], r
        else:
            assert (r["nomenclature"], r["code"]) in lines, r


def test_the_april_2025_items_are_mapped_where_lines_exist():
    april = CONTROL.filter(pl.col("measure_id") == "CN-2025-18")
    for element in ("samarium", "gadolinium", "terbium", "dysprosium", "lutetium", "scandium",
                    "yttrium"):  # fmt: skip
        items = april.filter(pl.col("item").str.contains(element))
        assert items.height, element
    # exact lines where China's tariff has one, said so where none was found
    exact = set(april.filter(pl.col("coverage") == "line = item")["code"])
    assert {"2805301200", "2805301300", "2846901940", "28053040"} <= exact
    missing = set(april.filter(pl.col("coverage") == "no line")["item"])
    assert {"dysprosium oxide", "terbium oxide", "lutetium oxide", "yttrium oxide"} <= missing
