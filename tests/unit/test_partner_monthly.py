"""staging.partner_monthly from the bundled publishers' rows: recomputed from the raw files,
bad input named by file, row and field, revisions applied and recorded, shrinking months held."""

import csv
import datetime
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms import countries
from pipelines.lib.transforms import partner_monthly as pm

SNAP = SNAPSHOT_DIR / "partner_monthly"
HMRC = "partner_monthly/hmrc_ots_cn8_monthly.csv"
EUROSTAT = "partner_monthly/eurostat_comext_cn8_monthly.csv"


@pytest.fixture(scope="module")
def reference():
    ref = countries.load_reference(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv"
    )
    return ref, countries.build_lookup(ref, load_seed("country_aliases"))


@pytest.fixture(scope="module")
def fx():
    files = ("ecb_exr_usd_eur_monthly.csv", "ecb_exr_gbp_eur_monthly.csv")
    per_eur = pl.concat([pm.read_ecb_csv((SNAP / f).read_text(), f) for f in files])
    return pm.fx_table(per_eur)


def staged(rel, source, reference, fx, raw=None):
    ref, lookup = reference
    raw = raw if raw is not None else pm.read_snapshot_csv(SNAPSHOT_DIR / rel, source, rel, "sha")
    months = raw["period"].str.strptime(pl.Date, "%Y%m", strict=False).drop_nulls()
    return pm.conform(
        source, raw, dim_country=ref, lookup=lookup, fx=pm.with_usd_everywhere(fx, months)
    )


def test_uk_magnet_imports_from_china_recomputed_from_the_raw_file(reference, fx):
    rows = staged(HMRC, "hmrc", reference, fx)
    got = rows.filter(
        (pl.col("national_code") == "85051110")
        & (pl.col("partner_iso3") == "CHN")
        & (pl.col("flow") == "M")
    )
    # by hand: every line of the file for that code, partner and flow, summed per month
    by_hand, lines = defaultdict(float), defaultdict(int)
    with open(SNAPSHOT_DIR / HMRC, newline="") as f:
        for r in csv.DictReader(f):
            if (r["native_code"], r["partner"], r["flow"]) == ("85051110", "CHN", "import"):
                by_hand[r["period"]] += float(r["value"])
                lines[r["period"]] += 1
    assert len(by_hand) == 25  # 2024-06 .. 2026-06, every month present
    assert {f"{p:%Y%m}": v for p, v in got.select("period", "value").rows()} == by_hand
    assert {f"{p:%Y%m}": n for p, n in got.select("period", "n_source_rows").rows()} == lines
    assert set(got["currency"]) == {"GBP"} and set(got["valuation"]) == {"CIF"}
    april_2025 = got.filter(pl.col("period") == datetime.date(2025, 4, 1)).row(0, named=True)
    assert april_2025["nomenclature_edition"] == "CN2025" and april_2025["hs6"] == "850511"


def test_usd_equals_the_intermediarys_conversion_with_the_same_ecb_rates(reference, fx):
    for rel, source in ((HMRC, "hmrc"), (EUROSTAT, "eurostat")):
        rows = staged(rel, source, reference, fx)
        theirs = pl.read_csv(SNAPSHOT_DIR / rel, infer_schema=False).select(
            "period",
            "reporter",
            "partner",
            "flow",
            "native_code",
            usd=pl.col("value_usd_intermediary").cast(pl.Float64),
        )
        theirs = theirs.group_by("period", "reporter", "partner", "flow", "native_code").agg(
            pl.col("usd").sum()
        )
        ours = rows.select(
            period=pl.col("period").dt.strftime("%Y%m"),
            reporter="reporter_iso3",
            partner="partner_code",
            flow=pl.col("flow").replace({"M": "import", "X": "export"}),
            native_code="national_code",
            value_usd="value_usd",
        )
        both = ours.join(theirs, on=["period", "reporter", "partner", "flow", "native_code"])
        assert both.height == rows.height
        assert ((both["value_usd"] - both["usd"]).abs() <= 1e-6 * both["usd"].abs() + 1e-6).all()


def test_gbp_rate_is_crossed_through_the_euro(fx):
    june = fx.filter(pl.col("period") == datetime.date(2026, 6, 1))
    rate = dict(june.select("currency", "fx_rate").rows())
    # ECB: 1.1518 USD and 0.86372 GBP per euro in June 2026 (the snapshot's ECB files)
    assert rate["EUR"] == pytest.approx(1.1518)
    assert rate["GBP"] == pytest.approx(1.1518 / 0.86372)
    assert rate["USD"] == 1.0


def test_confidential_hmrc_partner_is_kept_apart_not_mapped(reference, fx):
    rows = staged(HMRC, "hmrc", reference, fx)
    hidden = rows.filter(pl.col("partner_code") == "n/a")
    assert hidden.height > 0
    assert hidden["is_aggregate_partner"].all() and hidden["partner_iso3"].is_null().all()
    assert hidden["is_confidential"].all()


def planted(rel, source, row_index, **changes):
    raw = pm.read_snapshot_csv(SNAPSHOT_DIR / rel, source, rel, "sha")
    idx = pl.int_range(pl.len())
    return raw.with_columns(
        **{
            c: pl.when(idx == row_index).then(pl.lit(v)).otherwise(pl.col(c))
            for c, v in changes.items()
        }
    )


def test_a_partner_that_does_not_map_is_an_error_naming_file_row_and_field(reference, fx):
    raw = planted(HMRC, "hmrc", 41, partner_code="ZZZ")  # defect: no such country
    with pytest.raises(SourceDataError) as err:
        staged(HMRC, "hmrc", reference, fx, raw=raw)
    text = str(err.value)
    assert HMRC in text and "row 43" in text and "'partner_code'" in text and "'ZZZ'" in text


def test_a_bad_month_and_a_negative_value_are_errors_naming_the_row(reference, fx):
    with pytest.raises(SourceDataError, match=r"row 12, field 'period'.*'2025-13'"):
        staged(HMRC, "hmrc", reference, fx, raw=planted(HMRC, "hmrc", 10, period="2025-13"))
    with pytest.raises(SourceDataError, match=r"row 7, field 'value'"):
        staged(HMRC, "hmrc", reference, fx, raw=planted(HMRC, "hmrc", 5, value=-1.0))


# --- revisions and holds: a second landing of the same real rows, changed as a publisher would


@pytest.fixture(scope="module")
def published(reference, fx):
    return staged(HMRC, "hmrc", reference, fx)


def relanded(rows, sha="second"):
    return rows.with_columns(landing_sha256=pl.lit(sha))


MAGNETS_CN = (
    (pl.col("national_code") == "85051110")
    & (pl.col("partner_code") == "CHN")
    & (pl.col("flow") == "M")
)


def test_a_revision_is_applied_and_recorded_with_its_size(published):
    month = datetime.date(2025, 4, 1)
    target = MAGNETS_CN & (pl.col("period") == month)
    before = published.filter(target)["value"][0]
    new = relanded(published).with_columns(
        value=pl.when(target).then(pl.col("value") * 1.1).otherwise(pl.col("value"))
    )
    rows, revisions = pm.reconcile(new, published, threshold=0.5)
    assert rows.filter(target)["value"][0] == pytest.approx(before * 1.1)
    (rev,) = revisions.to_dicts()
    assert (rev["change"], rev["status"], rev["period"]) == ("revised", "applied", month)
    assert rev["previous_value"] == before and rev["value_change"] == pytest.approx(before * 0.1)
    assert rev["value_change_pct"] == pytest.approx(0.1)
    assert rev["previous_landing_sha256"] == "sha" and rev["new_landing_sha256"] == "second"


def test_a_month_that_shrinks_past_the_threshold_is_held_not_published(published):
    month = datetime.date(2026, 3, 1)
    in_month = (pl.col("period") == month) & (pl.col("flow") == "M")
    new = relanded(published).with_columns(  # the publisher's landing lost 90% of March imports
        value=pl.when(in_month).then(pl.col("value") * 0.1).otherwise(pl.col("value"))
    )
    rows, revisions = pm.reconcile(new, published, threshold=0.5)
    kept = rows.filter(in_month)
    assert kept.equals(published.filter(in_month).sort(pm.GRAIN))  # the published rows stay
    assert set(revisions["status"]) == {"held"} and set(revisions["period"]) == {month}
    assert revisions["month_total_change_pct"][0] == pytest.approx(-0.9)
    assert "fell 90.0%" in revisions["reason"][0]
    # the same change below the threshold is a revision, applied
    rows, revisions = pm.reconcile(new, published, threshold=0.95)
    assert set(revisions["status"]) == {"applied"}
    assert rows.filter(in_month)["value"].sum() == pytest.approx(
        published.filter(in_month)["value"].sum() * 0.1
    )


def test_a_vanished_month_is_held_and_an_accepted_hold_is_released(published):
    month = datetime.date(2026, 6, 1)
    new = relanded(published).filter(pl.col("period") != month)  # June missing from the landing
    rows, revisions = pm.reconcile(new, published)
    assert (
        rows.filter(pl.col("period") == month).height
        == published.filter(pl.col("period") == month).height
    )
    assert set(revisions["change"]) == {"removed"} and set(revisions["status"]) == {"held"}
    assert revisions["reason"][0] == "the month vanished from the new landing"
    accepted = pl.DataFrame(
        {
            "source": ["hmrc"] * 2,
            "reporter_iso3": ["GBR"] * 2,
            "flow": ["M", "X"],
            "period": [month, month],
        }
    )
    rows, revisions = pm.reconcile(new, published, accepted=accepted)
    assert rows.filter(pl.col("period") == month).is_empty()
    assert set(revisions["status"]) == {"accepted"}


def test_new_months_are_added_without_a_revision(published):
    old = published.filter(pl.col("period") < datetime.date(2026, 6, 1))
    rows, revisions = pm.reconcile(relanded(published), old)
    assert revisions.is_empty() and rows.height == published.height


def test_a_code_that_changed_nomenclature_is_listed_not_read_as_a_collapse(published):
    # defect planted: from 2026-01 the magnet line is declared under a new code, as when the
    # CN splits a subheading on 1 January
    renamed = published.with_columns(
        national_code=pl.when(
            (pl.col("national_code") == "85051110")
            & (pl.col("period") >= datetime.date(2026, 1, 1))
        )
        .then(pl.lit("85051115"))
        .otherwise(pl.col("national_code"))
    )
    changes = pm.code_changes(renamed)
    hit = changes.filter(pl.col("ended_code") == "85051110")
    assert hit.height == 2  # imports and exports
    row = hit.filter(pl.col("flow") == "M").row(0, named=True)
    assert row["started_codes"] == "85051115" and row["last_month"] == datetime.date(2025, 12, 1)
    assert row["first_month"] == datetime.date(2026, 1, 1) and row["ended_edition"] == "CN2025"
    assert pm.code_changes(published).is_empty()


def test_snapshot_files_hold_only_the_publishers_that_allow_redistribution():
    names = {p.name for p in Path(SNAP).glob("*.csv")}
    assert not any("comtrade" in n or "baci" in n or "mirror" in n for n in names)
    for rel in (HMRC, EUROSTAT):
        values = pl.read_csv(SNAPSHOT_DIR / rel, infer_schema=False)["value"].cast(pl.Float64)
        if rel == HMRC:  # HMRC publishes whole pounds: the recovery must give them back
            assert ((values - values.round(0)).abs() < 1e-9).all()
