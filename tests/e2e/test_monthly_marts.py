"""The partner-side monthly marts and the press table in the session's snapshot refresh, each
figure recomputed here by hand from the raw files: UK HMRC's imports of CN8 85051110 (rare-earth
magnets) from China around April 2025, converted with the ECB files; China's 2025 magnet exports
as the press-table seed prints them."""

import csv
import io
from datetime import date

import pytest

from pipelines.lib.paths import SEEDS_DIR, SNAPSHOT_DIR

pytestmark = pytest.mark.e2e

HMRC = SNAPSHOT_DIR / "partner_monthly/hmrc_ots_cn8_monthly.csv"
ECB = SNAPSHOT_DIR / "partner_monthly/ecb_exr_{}_eur_monthly.csv"


def rows(con, sql, params=None):
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def per_eur(currency: str) -> dict[str, float]:
    with open(str(ECB).format(currency.lower()), newline="") as f:
        return {r["TIME_PERIOD"]: float(r["OBS_VALUE"]) for r in csv.DictReader(f)}


def uk_magnets_from_china() -> dict[str, tuple[float, float]]:
    """{YYYY-MM: (value USD, net mass kg)} summed from HMRC's rows (ports and suppression
    splits) of imports of 85051110 from China, GBP at the month's ECB cross rate."""
    usd, gbp = per_eur("USD"), per_eur("GBP")
    months: dict[str, list[float]] = {}
    with open(HMRC, newline="") as f:
        for r in csv.DictReader(f):
            if (r["flow"], r["partner"], r["native_code"]) != ("import", "CHN", "85051110"):
                continue
            month = f"{r['period'][:4]}-{r['period'][4:]}"
            value, kg = months.setdefault(month, [0.0, 0.0])
            months[month] = [
                value + float(r["value"]) * usd[month] / gbp[month],
                kg + float(r["qty_kg"]),
            ]
    return {m: (v, kg) for m, (v, kg) in months.items()}


def test_uk_magnet_imports_from_china_match_the_raw_hmrc_file_month_by_month(published):
    con, _, _ = published
    raw = uk_magnets_from_china()
    got = {
        r["month"]: r
        for r in rows(
            con,
            """SELECT strftime(period, '%Y-%m') AS month, value_usd, quantity_kg,
                      quantity_kg_checked
               FROM marts.import_monthly WHERE source = 'hmrc' AND importer_iso3 = 'GBR'
                 AND origin_iso3 = 'CHN' AND nomenclature = 'CN8' AND code = '85051110'""",
        )
    }
    # every month from 2024-06 to 2026-06: the 10 before April 2025 the file has, the 12 from
    # it, and the 3 after those
    assert sorted(got) == sorted(raw) and min(raw) == "2024-06" and max(raw) == "2026-06"
    for month, (value, kg) in raw.items():
        assert got[month]["value_usd"] == pytest.approx(value, rel=1e-9), month
        assert got[month]["quantity_kg"] == pytest.approx(kg), month
        assert got[month]["quantity_kg_checked"] == pytest.approx(kg), month  # no outlier


def test_the_april_2025_event_study_on_the_raw_hmrc_line(published):
    con, _, _ = published
    raw = uk_magnets_from_china()

    def window(first: str, last: str) -> tuple[float, float]:
        picked = [v for m, v in raw.items() if first <= m <= last]
        return sum(v for v, _ in picked), sum(kg for _, kg in picked)

    study = {
        r["window_name"]: r
        for r in rows(
            con,
            """SELECT * FROM marts.import_event_study WHERE measure_id = 'CN-2025-18'
               AND importer_iso3 = 'GBR' AND code = '85051110' AND origin = 'CHN'""",
        )
    }
    # 12 months after April 2025 are all in the file; the 12 before reach back to April 2024,
    # two months before HMRC's first: the window is incomplete and no change is given
    after_value, after_kg = window("2025-04", "2026-03")
    assert after_kg > 0 and len([m for m in raw if "2025-04" <= m <= "2026-03"]) == 12
    twelve = study["12"]
    assert not twelve["is_complete"] and twelve["value_change"] is None
    assert (
        twelve["why_no_change"] == "the months before start before the data (first month 2024-06)"
    )
    # 6 months each side are complete: the change is the raw sums' change
    before_value, before_kg = window("2024-10", "2025-03")
    after_value, after_kg = window("2025-04", "2025-09")
    six = study["6"]
    assert six["is_complete"]
    assert (six["value_before_usd"], six["value_after_usd"]) == (
        pytest.approx(before_value),
        pytest.approx(after_value),
    )
    assert six["quantity_change"] == pytest.approx(after_kg / before_kg - 1)
    # the UK's imports of magnets from China did not collapse after the April 2025 measure
    assert six["quantity_change"] > -0.25


def test_the_monitor_reads_the_uk_line_at_its_latest_month(published):
    con, _, _ = published
    raw = uk_magnets_from_china()
    got = rows(
        con,
        """SELECT * FROM marts.import_monitor WHERE importer_iso3 = 'GBR' AND code = '85051110'
           AND origin_iso3 = 'CHN'""",
    )[0]
    assert got["period"] == date(2026, 6, 1)
    assert got["quantity_kg"] == pytest.approx(raw["2026-06"][1])
    assert got["quantity_kg_year_earlier"] == pytest.approx(raw["2025-06"][1])
    assert got["since_measure_id"] == "CN-2025-18" and got["since_status"] == "in_force"


def test_china_2025_magnet_exports_by_month_are_published_with_their_pages(published):
    con, checks, _ = published
    seed = [
        r
        for r in csv.DictReader(io.StringIO((SEEDS_DIR / "china_customs_press.csv").read_text()))
        if r["series"] == "magnets" and r["partner_iso3"] == "WLD" and r["is_primary"] == "true"
        and r["period_start"] == r["period_end"]
    ]  # fmt: skip
    got = rows(
        con,
        """SELECT strftime(period_end, '%Y-%m') AS month, quantity, url, label, is_consistent
           FROM staging.china_customs_press WHERE series = 'magnets' AND partner_iso3 = 'WLD'
             AND is_primary AND months = 1 ORDER BY period_end""",
    )
    assert [(r["month"], r["quantity"], r["url"]) for r in got] == [
        (r["period_end"], float(r["quantity"]), r["url"]) for r in seed
    ]
    by_month = {r["month"]: r["quantity"] for r in got}
    # the April-May collapse and the recovery
    assert by_month["2025-05"] == 1238 and by_month["2025-05"] < by_month["2025-01"] / 5
    assert by_month["2025-11"] > 6000
    assert {r["label"] for r in got} == {"press-reported"}
    # the blocking consistency check ran on the published table and passed
    assert checks[("staging/china_customs_press", "year_to_date_matches_months")].passed


def test_minerals_monitor_prints_the_lines_the_measure_and_the_press_figures(
    published, monkeypatch, capsys
):
    from pipelines import cli

    _, _, tmp = published
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(tmp / "warehouse"))
    assert cli.main(["monitor", "rare earths"]) == 0
    out = capsys.readouterr().out
    # the UK's magnet line at its latest month, under the April 2025 measure
    assert "GBR       hmrc      CN8 85051110" in out and "CN-2025-18 (2025-04-04, in_force)" in out
    assert "6 months each side" in out  # the longest complete window around April 2025
    assert "2026-06  GBR       CN8 85051110  103.6" in out  # the monthly series to 2026-06
    # China's own figures, labelled and linked
    assert "magnets     WLD  2025-05      1238.0" in out and "press-reported" in out
    assert "https://www.econotimes.com/" in out
    # a basket line says so
    assert "[basket: upper bound]" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["monitor", "galium"])  # a typo: the error suggests the right name
    assert "gallium" in str(exc.value.code)
