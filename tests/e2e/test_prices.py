"""Prices and unit values in the published snapshot warehouse, recomputed from the raw files
(the MCS2026 CSV, the yearbook's T3 sheet, China's monthly export CSV), never from our tables."""

import csv

import openpyxl
import pytest

from pipelines.lib.paths import SNAPSHOT_DIR

pytestmark = pytest.mark.e2e

MCS2026 = SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv"
MYB = SNAPSHOT_DIR / "usgs_myb/myb1-2022-raree_tables.xlsx"


def mcs2026_prices(subject: str) -> dict[int, float]:
    """{year: dollars per kilogram} of the Price rows of one Commodity of the MCS2026 CSV."""
    with open(MCS2026, encoding="cp1252", newline="") as f:
        return {
            int(r["Year"]): float(r["Value"].replace(",", ""))
            for r in csv.DictReader(f)
            if r["Commodity"] == subject and r["Statistics"] == "Price"
            and r["Unit"] == "dollars per kilogram"
        }  # fmt: skip


def t3_prices(label_start: str) -> dict[int, float]:
    """{year: dollars per kilogram} of one product of the yearbook's T3 (years in row 6)."""
    ws = openpyxl.load_workbook(MYB, data_only=True)["T3"]
    years = {c.column_letter: int(c.value) for c in ws[6] if str(c.value or "").isdigit()}
    (row,) = [r for r in ws.iter_rows() if str(r[0].value or "").startswith(label_start)]
    return {year: float(row[ord(col) - ord("A")].value) for col, year in years.items()}


def mart(con, product: str, edition: str) -> dict[int, float]:
    return dict(
        con.execute(
            "SELECT year, price_usd_per_kg FROM marts.prices WHERE product = ? AND edition = ? "
            "AND price_basis = 'market_quote'",
            [product, edition],
        ).fetchall()
    )


@pytest.mark.parametrize(
    ("subject", "product"),
    [
        ("Dysprosium", "dysprosium oxide, 99.5% minimum"),
        ("Terbium", "terbium oxide, 99.99% minimum"),
    ],
)
def test_dy_and_tb_oxide_prices_2020_2024_from_the_raw_files(published, subject, product):
    con, _, _ = published
    mcs, myb = mcs2026_prices(subject), t3_prices(subject)
    # what the bundled files print: MCS2026 2021-2025 (2025 estimated), T3 2021-2022; 2020 is in
    # neither (it is in the MCS2022-2024 salient files, which the snapshot does not hold)
    assert sorted(mcs) == [2021, 2022, 2023, 2024, 2025] and sorted(myb) == [2021, 2022]
    assert mart(con, product, "MCS2026") == pytest.approx(mcs)
    assert mart(con, product, "MYB2022") == pytest.approx(myb)
    (n_2020,) = con.execute(
        "SELECT count(*) FROM marts.prices WHERE product = ? AND year = 2020", [product]
    ).fetchone()
    assert n_2020 == 0
    # the latest edition per year is the series an analyst reads: 2021-2024 from MCS2026
    latest = dict(
        con.execute(
            "SELECT year, price_usd_per_kg FROM marts.prices WHERE product = ? "
            "AND is_latest_edition AND year BETWEEN 2020 AND 2024",
            [product],
        ).fetchall()
    )
    assert latest == pytest.approx({y: mcs[y] for y in range(2021, 2025)})


def test_terbium_2021_revision_between_editions(published):
    con, _, _ = published
    revision, rounding = con.execute(
        "SELECT revision, revision_within_rounding FROM marts.prices "
        "WHERE product = 'terbium oxide, 99.99% minimum' AND year = 2021 AND edition = 'MCS2026'"
    ).fetchone()
    assert revision == pytest.approx(
        mcs2026_prices("Terbium")[2021] / t3_prices("Terbium")[2021] - 1
    )
    assert rounding is False


def test_minerals_prices_prints_prices_unit_values_and_screens(published, monkeypatch, capsys):
    from pipelines import cli

    _, _, root = published
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(root / "warehouse"))
    assert cli.main(["prices", "REE"]) == 0  # an alias of rare_earths
    out = capsys.readouterr().out
    dy = next(line for line in out.splitlines() if line.startswith("dysprosium oxide, 99.5%"))
    assert "market quote, FOB" in dy and "2024 257" in dy and "2025e 239 [CN-2025-18" in dy
    assert "terbium oxide, 99.99% minimum" in out and "2021: MYB2022 1350 -> MCS2026 1,340" in out
    assert "HS 284690" in out and "not one element's price" in out
    assert "a window is not covered by the data (2024 vs 2026)" in out  # the 2025 measures
    assert cli.main(["prices", "graphite", "--importer", "Japan"]) == 0
    out = capsys.readouterr().out
    assert "JPN <- all origins" in out and "JPN <- China" in out and "China -> world" not in out
    assert cli.main(["prices", "antimony", "--importer", "United Kingdom"]) == 0
    uk = next(
        line for line in capsys.readouterr().out.splitlines()
        if line.startswith("CN-2024-33  811010  GBR       all     hmrc")
    )  # fmt: skip
    assert "2024-06..2024-11" in uk and "fires" in uk  # the UK's own declarations, +96%
    with pytest.raises(SystemExit) as exc:
        cli.main(["prices", "graphite", "--importer", "Japn"])
    assert "JPN" in str(exc.value.code)


PARTNER = SNAPSHOT_DIR / "partner_monthly"


def test_uk_antimony_unit_value_around_the_2024_control_from_the_raw_hmrc_and_ecb_files(published):
    """The UK's imports of unwrought antimony (CN8 81101000, HS 811010), every origin country,
    the 3 months before September 2024 against the 3 from it: HMRC's GBP at the ECB's monthly
    average rates (USD per EUR over GBP per EUR), over net mass."""

    def per_eur(file):
        with open(PARTNER / file, newline="") as f:
            return {
                r["TIME_PERIOD"].replace("-", ""): float(r["OBS_VALUE"]) for r in csv.DictReader(f)
            }

    usd, gbp = per_eur("ecb_exr_usd_eur_monthly.csv"), per_eur("ecb_exr_gbp_eur_monthly.csv")
    with open(PARTNER / "hmrc_ots_cn8_monthly.csv", newline="") as f:
        rows = [
            r for r in csv.DictReader(f)
            if r["native_code"] == "81101000" and r["flow"] == "import"
            and len(r["partner"]) == 3 and float(r["qty_kg"]) > 0
        ]  # fmt: skip

    def usd_per_t(first, last):
        kept = [r for r in rows if first <= r["period"] <= last]
        value = sum(float(r["value"]) * usd[r["period"]] / gbp[r["period"]] for r in kept)
        return value / sum(float(r["qty_kg"]) / 1000 for r in kept)

    con, _, _ = published
    got = con.execute(
        "SELECT uv_before_usd_per_t, uv_after_usd_per_t, premium, fires FROM "
        "marts.screen_control_premium WHERE measure_id = 'CN-2024-33' AND source = 'hmrc' "
        "AND hs6 = '811010' AND importer_iso3 = 'GBR' AND origin = 'all' AND window_months = 3"
    ).fetchone()
    before, after = usd_per_t("202406", "202408"), usd_per_t("202409", "202411")
    assert got[:2] == pytest.approx((before, after))
    assert got[2] == pytest.approx(after / before - 1) and got[3] is True  # about +96%
