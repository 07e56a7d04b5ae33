"""The reviewed content of each HS code (data/seeds/hs_content.csv) against the trade map and the
raw snapshot files: every mapped code is described, baskets agree with the map, and the `data`
column says exactly what the bundled files hold (recomputed here from them)."""

import polars as pl

from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed

CONTENT = load_seed("hs_content")
MAPPED = load_seed("hs_mineral")


def _years(years: list[int]) -> str:
    """1995-2013, 2015 for a run with a gap."""
    years = sorted(set(years))
    runs, start = [], years[0]
    for before, year in zip(years, years[1:] + [None], strict=True):
        if year != before + 1:
            runs.append(f"{start}" if start == before else f"{start}-{before}")
            start = year
    return ", ".join(runs)


def test_every_mapped_code_is_described_and_baskets_agree():
    joined = MAPPED.join(CONTENT, on=["nomenclature", "hs6"], how="left")
    assert joined.filter(pl.col("product").is_null()).height == 0
    # a basket of commodities is exactly a code the map calls shared
    assert (joined["basket"] == "commodity").to_list() == (
        joined["exclusivity"] == "shared"
    ).to_list()
    # the commodity a code is mapped to is one it contains (excluded codes aside)
    used = joined.filter(pl.col("stage") != "exclude")
    for r in used.iter_rows(named=True):
        assert r["commodity"] in r["contains"].split("|"), r["hs6"]


def test_antimony_oxide_and_synthetic_graphite_in_every_nomenclature():
    for code, commodity in (("282580", "antimony"), ("380110", "graphite")):
        got = CONTENT.filter(pl.col("hs6") == code)
        assert set(got["nomenclature"]) == {"HS92", "HS17", "HS22"}
        assert set(got["contains"]) == {commodity}
    series = MAPPED.filter(pl.col("hs6").is_in(["282580", "380110"]), pl.col("stage") != "exclude")
    assert sorted(series.select("nomenclature", "hs6", "commodity", "stage").rows()) == [
        ("HS17", "282580", "antimony", "refining"),  # with 811010: USGS's "metal and oxide"
        ("HS92", "380110", "graphite", "refining"),
    ]


def test_the_data_column_says_what_the_bundled_files_hold():
    hs92 = pl.read_parquet(SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet")
    hs92_years = dict(hs92.group_by("hs92_6").agg(pl.col("year").unique()).iter_rows())
    hs17_2024 = set(
        pl.read_parquet(SNAPSHOT_DIR / "baci/hs17/trade.parquet")["hs6"].cast(pl.String)
    )
    hs17_2022 = set(
        pl.read_csv(SNAPSHOT_DIR / "baci/hs17/baci_2022.csv", infer_schema=False)["cmd"]
    )
    monthly = pl.read_csv(
        SNAPSHOT_DIR / "comtrade/china_exports_monthly/deep_dive_hs6_monthly.csv",
        infer_schema=False,
    )
    declared = {  # China declares HS2017 to 2021 and HS2022 from 2022
        (nomenclature, code)
        for code, month in monthly.select("hs6", "period_dt").unique().iter_rows()
        for nomenclature in ["HS17" if month < "2022" else "HS22"]
    }
    for r in CONTENT.iter_rows(named=True):
        code, parts = r["hs6"], []
        if r["nomenclature"] == "HS92" and code in hs92_years:
            parts.append(f"BACI HS92 extract {_years(hs92_years[code])}")
        if r["nomenclature"] == "HS17":
            years = ["2022 (value only)"] if code in hs17_2022 else []
            years += ["2024"] if code in hs17_2024 else []
            if years:
                parts.append("BACI HS2017 extract " + ", ".join(years))
        if (r["nomenclature"], code) in declared:
            span = "2017-2021" if r["nomenclature"] == "HS17" else "2022-2024"
            parts.append(f"China's monthly exports (Comtrade) {span}")
        want = "; ".join(parts) or "none in the bundled snapshot"
        assert r["data"] == want, (r["nomenclature"], code)
    # the two codes issue 26 asked for: no BACI extract has them, China's monthly series has one
    absent = CONTENT.filter(pl.col("data") == "none in the bundled snapshot")
    assert {"282580", "380110"} <= set(absent["hs6"])
    assert (
        "China's monthly"
        in CONTENT.filter(pl.col("nomenclature") == "HS22", pl.col("hs6") == "380110")[
            "data"
        ].item()
    )


def test_every_production_series_of_the_snapshot_has_a_scope():
    scope = load_seed("production_scope")
    assert scope.select("source", "commodity", "stage").is_duplicated().sum() == 0
    assert set(scope["unit_basis"]) <= {"content", "gross_weight", "count", "volume"}
    by_key = {(r["source"], r["commodity"], r["stage"]): r for r in scope.iter_rows(named=True)}
    # the cases issue 26 turns on: antimony mine output is content, natural graphite gross
    # weight, IEA rare earths the magnet elements only
    assert by_key[("usgs_mcs", "antimony", "mining")]["unit_basis"] == "content"
    assert by_key[("usgs_mcs", "graphite", "mining")]["unit_basis"] == "gross_weight"
    assert "Nd, Pr, Dy, Tb" in by_key[("iea", "rare_earths", "refining")]["product"]
