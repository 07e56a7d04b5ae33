import polars as pl

from pipelines.lib.transforms.values import parse_reported


def parse(values: list[str | None]) -> list[tuple[float | None, str]]:
    amount, flag = parse_reported(pl.col("v"))
    df = pl.DataFrame({"v": values}, schema={"v": pl.String}).select(amount, flag)
    return list(df.iter_rows())


def test_numbers_with_separators_and_trailing_spaces():
    # MCS2024 copper prints "1230 " (trailing space); MCS2026 prints "2,000"
    assert parse(["1230 ", "2,000", "12.5"]) == [
        (1230.0, "reported"),
        (2000.0, "reported"),
        (12.5, "reported"),
    ]


def test_withheld_and_missing_are_never_zero():
    # W = withheld to avoid disclosing company data; NA = not available; blank = not published
    assert parse(["W", "NA", "", None]) == [
        (None, "withheld"),
        (None, "not_available"),
        (None, "missing"),
        (None, "missing"),
    ]


def test_dashes_are_a_reported_zero():
    # MCS2026 em dash (cp1252 byte 0x97) and older "--" both mean "none"
    assert parse(["\u2014", "--"]) == [(0.0, "none"), (0.0, "none")]


def test_bounds_ranges_and_inline_estimates():
    assert parse([">50", "<1", "330 - 390", "e3,900"]) == [
        (None, "greater_than"),
        (None, "less_than"),
        (None, "range"),
        (3900.0, "estimated"),
    ]


def test_unknown_words_are_flagged_for_rejection():
    assert parse(["Large"]) == [(None, "unrecognised")]
