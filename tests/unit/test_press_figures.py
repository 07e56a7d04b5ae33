"""The press-reported China customs table: every figure has its page, conflicts are kept and
labelled, and the consistency rule (a year-to-date total = the earlier total + the months
between, within the pages' rounding) holds on the seed and fails on deliberately broken copies."""

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms.press_figures import conform_press_figures

SEED = load_seed("china_customs_press")


def figure(table: pl.DataFrame, partner: str, start: str, end: str | None = None) -> float:
    end = end or start
    rows = table.filter(
        pl.col("series") == "magnets",
        pl.col("partner_iso3") == partner,
        pl.col("is_primary"),
        pl.col("period_start").dt.strftime("%Y-%m") == start,
        pl.col("period_end").dt.strftime("%Y-%m") == end,
    )
    assert rows.height == 1, (partner, start, end)
    return rows["quantity"][0]


def edited(series: str, partner: str, start: str, end: str, column: str, value: str):
    """The seed with one cell of the chosen figure (series, partner, period) changed."""
    hit = (
        (pl.col("series") == series)
        & (pl.col("partner_iso3") == partner)
        & (pl.col("period_start") == start)
        & (pl.col("period_end") == end)
        & (pl.col("is_primary") == "true")
    )
    assert SEED.filter(hit).height == 1
    return SEED.with_columns(
        pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )


def test_the_seed_is_consistent_and_every_figure_has_its_page():
    table = conform_press_figures(SEED)
    assert table["url"].str.starts_with("http").all()
    assert table["accessed"].is_not_null().all()
    assert (table["label"] == "press-reported").all()
    assert table.filter(pl.col("is_primary"))["is_consistent"].all()
    # the April-May collapse and the recovery, as the pages printed them
    assert figure(table, "WLD", "2025-01") == 6357
    assert figure(table, "WLD", "2025-05") == 1238
    assert figure(table, "WLD", "2025-06") == 3188
    assert figure(table, "WLD", "2025-11") == 6150
    assert figure(table, "WLD", "2025-01", "2025-12") == 57392
    assert figure(table, "USA", "2025-05") == 46


def test_a_conflicting_page_is_kept_and_labelled_not_chosen():
    table = conform_press_figures(SEED)
    japan_december = table.filter(
        pl.col("series") == "magnets",
        pl.col("partner_iso3") == "JPN",
        pl.col("period_start").dt.strftime("%Y-%m") == "2025-12",
    )
    assert dict(japan_december.select("quantity", "agreement").iter_rows()) == {
        280.0: "chosen",
        411.3: "conflicts",
    }
    # a figure equal within both roundings (5,773 t vs 5,774 t) corroborates, not conflicts
    september = table.filter(
        pl.col("series") == "magnets",
        pl.col("partner_iso3") == "WLD",
        pl.col("period_start").dt.strftime("%Y-%m") == "2025-09",
    )
    assert set(september["agreement"]) == {"chosen", "corroborates"}


def test_an_inconsistent_copy_is_flagged_on_the_totals_it_breaks():
    # July 5,577 t -> 5,677 t: Jan-Jun 22,319 + Jul no longer makes Jan-Jul 27,897 t
    broken = conform_press_figures(
        edited("magnets", "WLD", "2025-07", "2025-07", "quantity", "5677")
    )
    bad = broken.filter(pl.col("is_primary"), ~pl.col("is_consistent"))
    assert bad["period_end"].dt.strftime("%Y-%m").to_list() == ["2025-07"]
    assert bad["consistency"][0].startswith("INCONSISTENT: 27,897 t but Jan-Jun 22,319 t")


def test_months_that_exceed_their_total_are_inconsistent():
    # Jan-May 5,000 t cannot hold January's 6,357 t, even with Feb-Apr unreported
    broken = conform_press_figures(
        edited("magnets", "WLD", "2025-01", "2025-05", "quantity", "5000")
    )
    bad = broken.filter(pl.col("is_primary"), ~pl.col("is_consistent"))
    assert "2025-05" in bad["period_end"].dt.strftime("%Y-%m").to_list()


def test_the_rounding_a_page_printed_is_what_the_check_allows():
    # the US year (5,933 t) = Jan-Jun "2.51 million kg" + six months (5,941 t): 8 t apart, within
    # the 10 t to which 2.51 million kg is rounded; read as exact (precision 1) it is not
    broken = conform_press_figures(edited("magnets", "USA", "2025-01", "2025-06", "precision", "1"))
    bad = broken.filter(pl.col("is_primary"), ~pl.col("is_consistent"))
    assert bad["period_end"].dt.strftime("%Y-%m").to_list() == ["2025-12"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("url", "", "required field is empty"),
        ("url", "www.example.com/page", "the public page it comes from"),
        ("period_end", "2025-13", "not a YYYY-MM month"),
        ("quantity", "about 6000", "not a number"),
        ("is_primary", "yes", "is_primary must be true or false"),
    ],
)
def test_bad_rows_name_row_and_field(column, value, message):
    seed = SEED.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )
    with pytest.raises(SourceDataError, match=message) as err:
        conform_press_figures(seed)
    assert "row 5" in str(err.value) and repr(column) in str(err.value)


def test_two_chosen_figures_for_one_period_are_refused():
    # the corroborating Devdiscourse January figure marked primary too: choose one
    hit = pl.col("url").str.contains("devdiscourse")
    seed = SEED.with_columns(
        pl.when(hit).then(pl.lit("true")).otherwise("is_primary").alias("is_primary")
    )
    with pytest.raises(SourceDataError, match="two primary figures"):
        conform_press_figures(seed)


def test_a_conflict_needs_a_note():
    hit = pl.col("url").str.contains("globalspark") & (pl.col("quantity") == "411.3")
    seed = SEED.with_columns(pl.when(hit).then(pl.lit("")).otherwise("note").alias("note"))
    with pytest.raises(SourceDataError, match="needs a note"):
        conform_press_figures(seed)
