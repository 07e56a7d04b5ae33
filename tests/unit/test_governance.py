"""WGI: read the bulk layout, carry gaps forward with a flag, reject unknown codes."""

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.transforms import governance

BULK = SNAPSHOT_DIR / "wgi/WGIData.csv"


@pytest.fixture(scope="module")
def wgi():
    return governance.read_wgi_bulk(BULK)


def test_bulk_reads_six_dimensions_with_real_values(wgi):
    china = wgi.filter(pl.col("iso3") == "CHN", pl.col("year") == 2022)
    assert set(china["dimension"]) == set(governance.DIMENSIONS.values())
    pv = china.filter(pl.col("dimension") == "political_stability").row(0, named=True)
    # WGIData.csv, row "China, PV.EST", column 2022
    assert pv["estimate"] == pytest.approx(-0.441074, abs=1e-6)


def test_missing_years_are_carried_forward_and_flagged(wgi):
    staged = governance.conform_governance(
        wgi.filter(pl.col("iso3").is_in(["CHN", "XKX"])), {"CHN"}, through_year=2025
    )
    pv = staged.filter(pl.col("dimension") == "political_stability").sort("year")
    # 1997 was never published: carried from 1996
    y1997 = pv.filter(pl.col("year") == 1997).row(0, named=True)
    assert y1997["is_carried_forward"] and y1997["source_year"] == 1996
    # 2023-2025 are not in this vintage: carried from 2022 with the 2022 value
    tail = pv.filter(pl.col("year") >= 2022)
    assert tail["is_carried_forward"].to_list() == [False, True, True, True]
    assert tail["estimate"].n_unique() == 1
    # Kosovo (XKX) has no ISO 3166 code: left out on purpose, not an error
    assert "XKX" not in set(staged["iso3"])


def test_unknown_country_code_is_an_error(wgi):
    planted = wgi.filter(pl.col("iso3") == "CHN").with_columns(iso3=pl.lit("ZZZ"))
    with pytest.raises(SourceDataError, match="ZZZ"):
        governance.conform_governance(planted, {"CHN"}, through_year=2025)


PV_FILE = SNAPSHOT_DIR / "wgi/political_stability_1996_2024/wgi_pv_1996_2024.csv"


def test_political_stability_continues_with_the_years_own_estimate(wgi):
    newer = governance.read_wgi_political_stability(PV_FILE)
    after = governance.political_stability_after(wgi, newer)
    both = pl.concat([wgi.with_columns(source=pl.lit("wgi_2023_update")), after])
    staged = governance.conform_governance(
        both.filter(pl.col("iso3").is_in(["CHN", "GUY"])), {"CHN", "GUY"}, through_year=2025
    )
    pv = staged.filter(pl.col("iso3") == "CHN", pl.col("dimension") == "political_stability")
    row = pv.filter(pl.col("year") == 2024).row(0, named=True)
    # wgi_pv_1996_2024.csv, row "China, 2024": estimate -0.1533364
    assert row["estimate"] == pytest.approx(-0.1533364, abs=1e-6)
    assert not row["is_carried_forward"] and row["source"] == "wgi_pv_1996_2024"
    assert pv.filter(pl.col("year") == 2022)["source"].to_list() == ["wgi_2023_update"]
    # 2025 is in neither file: 2024 carried forward, named so
    y2025 = pv.filter(pl.col("year") == 2025).row(0, named=True)
    assert y2025["is_carried_forward"] and y2025["source_year"] == 2024
    # the other dimensions end in 2022 and are carried forward, as before
    cc = staged.filter(pl.col("iso3") == "CHN", pl.col("dimension") == "rule_of_law")
    assert cc.filter(pl.col("year") == 2024)["source_year"].to_list() == [2022]
    # Guyana's repeated rows are one; rows WGI does not publish (R20 "Europe EFTA, nes") are out
    assert after.filter(pl.col("iso3") == "GUY", pl.col("year") == 2024).height == 1
    assert "R20" not in set(after["iso3"]) and after["year"].min() == 2023


def test_two_different_estimates_for_one_year_are_an_error(wgi):
    newer = governance.read_wgi_political_stability(PV_FILE)
    guyana = newer.filter(pl.col("iso3") == "GUY", pl.col("year") == 2024).head(1)
    planted = pl.concat([newer, guyana.with_columns(pl.col("estimate") + 1)])
    with pytest.raises(SourceDataError, match="two different estimates"):
        governance.political_stability_after(wgi, planted)


def test_a_word_for_an_estimate_names_the_file_and_row(tmp_path):
    lines = PV_FILE.read_text().splitlines()
    fields = lines[5].split(",")
    fields[5] = "n/a"  # the estimate of the file's row 6
    path = tmp_path / PV_FILE.name
    path.write_text("\n".join([*lines[:5], ",".join(fields), *lines[6:]]) + "\n")
    with pytest.raises(SourceDataError, match=r"wgi: wgi_pv_1996_2024.csv, row 6.*estimate"):
        governance.read_wgi_political_stability(path)
