"""Reported values as USGS and IEA print them: numbers, flags and bounds, never silently zero."""

import polars as pl

# Flags a statistical table uses instead of a number. "none" is a reported zero (USGS prints
# an em dash, or "--" in older editions); every other flag keeps the amount null.
FLAG_WORDS: dict[str, str] = {
    "W": "withheld",
    "NA": "not_available",
    "XX": "not_applicable",
    "E": "net_exporter",
    "s": "less_than",  # MCS2026 "s": less than half a unit
    "Less than ½ unit.": "less_than",
    "Included with ilmenite": "included_elsewhere",
    "included with ilmenite": "included_elsewhere",
    "--": "none",
    "-": "none",
    "\u2014": "none",  # em dash, byte 0x97 in cp1252 (MCS2026)
    "\u2013": "none",  # en dash
}
VALUE_FLAGS = [
    "reported",
    "estimated",
    "none",
    "withheld",
    "not_available",
    "not_applicable",
    "net_exporter",
    "greater_than",
    "less_than",
    "range",
    "included_elsewhere",
    "missing",
    "unrecognised",
]
_NUMBER = r"^\d+(?:\.\d+)?$"
_BOUND = r"^([<>])\s*(\d+(?:\.\d+)?)$"
_ESTIMATED = r"^e\d+(?:\.\d+)?$"  # MCS2024 marks some estimates inline: "e3,900"
_RANGE = r"^\d+(?:\.\d+)?[-\u2013]\d+(?:\.\d+)?$"  # "330 - 390": a range, not a value


def parse_reported(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Return (amount, value_flag) expressions for a column of reported strings.

    Thousands separators and stray spaces are removed; `e3,900` is an estimate (amount kept);
    `>50`/`<1` are bounds and `330 - 390` a range (amount null, the flag says which); an unknown
    word is flagged `unrecognised` for the caller to reject.
    """
    text = raw.cast(pl.String).str.strip_chars()
    compact = text.str.replace_all(r"[,\s]", "")
    is_number = compact.str.contains(_NUMBER)
    flag_word = text.replace_strict(FLAG_WORDS, default=None, return_dtype=pl.String)
    bound = compact.str.extract(_BOUND, 1)
    flag = (
        pl.when(text.is_null() | (text == ""))
        .then(pl.lit("missing"))
        .when(is_number)
        .then(pl.lit("reported"))
        .when(compact.str.contains(_ESTIMATED))
        .then(pl.lit("estimated"))
        .when(compact.str.contains(_RANGE))
        .then(pl.lit("range"))
        .when(flag_word.is_not_null())
        .then(flag_word)
        .when(bound == ">")
        .then(pl.lit("greater_than"))
        .when(bound == "<")
        .then(pl.lit("less_than"))
        .otherwise(pl.lit("unrecognised"))
    )
    amount = (
        pl.when(is_number)
        .then(compact.cast(pl.Float64, strict=False))
        .when(compact.str.contains(_ESTIMATED))
        .then(compact.str.strip_prefix("e").cast(pl.Float64, strict=False))
        .when(flag_word == "none")
        .then(pl.lit(0.0))
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )
    return amount, flag
