"""China's customs headline figures for 2025 as the press reported them (seed
data/seeds/china_customs_press.csv): checked row by row, then for consistency.

Every figure is a month (period_start = period_end) or a year-to-date total (period_start is
January of period_end's year), with the public page it comes from. Where two pages give the
same figure, the seed marks one `is_primary`; the others are kept and labelled: `corroborates`
(equal within the two printed roundings) or `conflicts` (a note must say why it was not chosen).

Consistency (the rule the press table is checked by): a year-to-date total T(e) minus an earlier
total of the same series T(c) (or nothing, at the start of the year) must equal the months
c+1..e when every one of them is reported, within the roundings of all the figures involved
(half the `precision` of each, the unit the page rounded to: 6,357 t is 1 t, "2.51 million kg"
is 10 t). Where months are missing, the rest (T(e) - T(c) - the months reported) is what the
pages leave unbroken-down: it may not be negative. A total breaking either rule is inconsistent;
the blocking check on staging.china_customs_press fails on it.
"""

from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.lib.errors import SourceDataError

SEED = "china_customs_press.csv"
LABEL = "press-reported"
UNITS = {"t", "kg"}
STAGES = {"mining", "refining", "manufacturing"}
REQUIRED = (
    "series",
    "commodity",
    "product",
    "stage",
    "partner_iso3",
    "period_start",
    "period_end",
    "quantity",
    "unit",
    "precision",
    "is_primary",
    "outlet",
    "url",
    "accessed",
)
KEY = ["series", "partner_iso3", "period_start", "period_end"]


def _fail(problem: str, rows: pl.DataFrame, field: str) -> None:
    if rows.height:
        raise SourceDataError(
            "seeds",
            SEED,
            problem,
            rows=rows["source_row"].to_list(),
            field=field,
            values=[str(v) for v in rows[field].to_list()] if field in rows.columns else None,
        )


def _month(column: str) -> pl.Expr:
    return pl.col(column).str.to_date("%Y-%m", strict=False)


def read_rows(seed: pl.DataFrame) -> pl.DataFrame:
    """The seed typed, one row per page's figure, or a SourceDataError naming row and field."""
    rows = seed.with_row_index("source_row", offset=2)
    for column in REQUIRED:
        _fail("required field is empty", rows.filter(pl.col(column) == ""), column)
    for column in ("period_start", "period_end"):
        _fail("not a YYYY-MM month", rows.filter(_month(column).is_null()), column)
    for column in ("quantity", "precision"):
        bad = rows.filter(
            pl.col(column).cast(pl.Float64, strict=False).is_null()
            | (pl.col(column).cast(pl.Float64, strict=False) < 0)
        )
        _fail("not a number >= 0", bad, column)
    _fail(f"unit must be one of {sorted(UNITS)}", rows.filter(~pl.col("unit").is_in(UNITS)), "unit")
    _fail(
        f"stage must be one of {sorted(STAGES)}",
        rows.filter(~pl.col("stage").is_in(STAGES)),
        "stage",
    )
    _fail(
        "is_primary must be true or false",
        rows.filter(~pl.col("is_primary").is_in(["true", "false"])),
        "is_primary",
    )
    _fail(
        "every figure needs the public page it comes from (http... URL)",
        rows.filter(~pl.col("url").str.contains(r"^https?://\S+$")),
        "url",
    )
    for column in ("accessed", "published"):
        bad = rows.filter(
            (pl.col(column) != "") & pl.col(column).str.to_date("%Y-%m-%d", strict=False).is_null()
        )
        _fail("not a YYYY-MM-DD date", bad, column)
    typed = rows.with_columns(
        period_start=_month("period_start"),
        period_end=_month("period_end"),
        quantity=pl.col("quantity").cast(pl.Float64),
        precision=pl.col("precision").cast(pl.Float64),
        is_primary=pl.col("is_primary") == "true",
        element=pl.col("element").replace("", None),
        published=pl.col("published").replace("", None).str.to_date("%Y-%m-%d"),
        accessed=pl.col("accessed").str.to_date("%Y-%m-%d"),
        note=pl.col("note").replace("", None),
    )
    shape = typed.filter(
        (pl.col("period_start") != pl.col("period_end"))
        & (
            (pl.col("period_start").dt.month() != 1)
            | (pl.col("period_start").dt.year() != pl.col("period_end").dt.year())
            | (pl.col("period_start") > pl.col("period_end"))
        )
    )
    _fail(
        "a figure is one month (start = end) or a year-to-date total (start = January of the "
        "end's year)",
        shape,
        "period_start",
    )
    twice = typed.filter(pl.col("is_primary")).filter(pl.len().over(KEY) > 1)
    _fail("two primary figures for one series, partner and period: choose one", twice, "is_primary")
    return typed


def label_agreement(rows: pl.DataFrame) -> pl.DataFrame:
    """`agreement` of each row with the primary figure of its key: chosen, corroborates,
    conflicts, or no figure chosen. A conflicting or unchosen row must carry a note."""
    primary = rows.filter(pl.col("is_primary")).select(
        *KEY, chosen=pl.col("quantity"), chosen_precision=pl.col("precision")
    )
    joined = rows.join(primary, on=KEY, how="left")
    within = (pl.col("quantity") - pl.col("chosen")).abs() <= (
        (pl.col("precision") + pl.col("chosen_precision")) / 2 + 1e-9
    )
    labelled = joined.with_columns(
        agreement=pl.when(pl.col("is_primary"))
        .then(pl.lit("chosen"))
        .when(pl.col("chosen").is_null())
        .then(pl.lit("no figure chosen"))
        .when(within)
        .then(pl.lit("corroborates"))
        .otherwise(pl.lit("conflicts"))
    ).drop("chosen", "chosen_precision")
    unexplained = labelled.filter(
        pl.col("agreement").is_in(["conflicts", "no figure chosen"]) & pl.col("note").is_null()
    )
    _fail(
        "a conflicting figure, or one left unchosen, needs a note saying why",
        unexplained,
        "note",
    )
    return labelled


@dataclass(frozen=True)
class Finding:
    series: str
    partner_iso3: str
    period_start: date
    period_end: date
    consistent: bool
    text: str


def _span(row: dict) -> str:
    """Jan 6,357 t, or Jan-May 19,132 t."""
    start, end = row["period_start"], row["period_end"]
    months = f"{start:%b}" if start == end else f"{start:%b}-{end:%b}"
    return f"{months} {_t(row['quantity'], row['unit'])}"


def _t(value: float, unit: str) -> str:
    return f"{value:,.{0 if value == int(value) else 2}f} {unit}"


def consistency(rows: pl.DataFrame) -> list[Finding]:
    """For every primary year-to-date total: does it equal the nearest earlier total of the
    series (or January, or nothing) plus the months between, within the roundings? Checked
    along the chain of totals, every total is checked against the one before it."""
    primary = rows.filter(pl.col("is_primary"))
    findings = []
    for (series, partner, year), group in primary.group_by(
        "series", "partner_iso3", pl.col("period_end").dt.year()
    ):
        months = {
            r["period_end"].month: r
            for r in group.filter(pl.col("period_start") == pl.col("period_end")).iter_rows(
                named=True
            )
        }
        totals = [r for r in group.iter_rows(named=True) if r["period_start"] != r["period_end"]]
        for total in totals:
            end = total["period_end"].month
            unit = total["unit"]
            # the nearest earlier figure that starts in January: a total, or January itself
            earlier_ones = [t for t in totals if t["period_end"].month < end]
            if 1 in months:
                earlier_ones.append(months[1])
            earlier = max(earlier_ones, key=lambda t: t["period_end"], default=None)
            start = earlier["period_end"].month if earlier else 0
            between = [months[m] for m in range(start + 1, end + 1) if m in months]
            missing = [m for m in range(start + 1, end + 1) if m not in months]
            parts = ([earlier] if earlier else []) + between
            if any(p["unit"] != unit for p in parts):
                raise SourceDataError("seeds", SEED, f"{series} {partner}: units differ in {year}")
            summed = sum(p["quantity"] for p in parts)
            tolerance = (total["precision"] + sum(p["precision"] for p in parts)) / 2 + 1e-9
            rest = total["quantity"] - summed
            named = [
                (_span(earlier) if earlier else None),
                *(f"{p['period_end']:%b} {_t(p['quantity'], unit)}" for p in between),
            ]
            what = " + ".join(n for n in named if n) or "no month"
            if not missing:
                ok = abs(rest) <= tolerance
                text = (
                    f"= {what} = {_t(summed, unit)}, within rounding"
                    if ok
                    else f"INCONSISTENT: {_t(total['quantity'], unit)} but {what} = "
                    f"{_t(summed, unit)} (off by {_t(abs(rest), unit)}; rounding allows "
                    f"{_t(tolerance, unit)})"
                )
            else:
                ok = rest >= -tolerance
                names = ", ".join(date(year, m, 1).strftime("%b") for m in missing)
                text = (
                    f"{what}; {_t(rest, unit)} left for months no page reports ({names})"
                    if ok
                    else f"INCONSISTENT: {what} = {_t(summed, unit)}, more than the total "
                    f"{_t(total['quantity'], unit)}"
                )
            findings.append(
                Finding(series, partner, total["period_start"], total["period_end"], ok, text)
            )
    return findings


def conform_press_figures(seed: pl.DataFrame) -> pl.DataFrame:
    """staging.china_customs_press: the seed's rows typed, labelled press-reported, with each
    row's agreement with the chosen figure and, for totals, whether they add up."""
    rows = label_agreement(read_rows(seed))
    found = consistency(rows)
    checked = (
        pl.DataFrame(
            [
                {
                    "series": f.series,
                    "partner_iso3": f.partner_iso3,
                    "period_start": f.period_start,
                    "period_end": f.period_end,
                    "is_consistent": f.consistent,
                    "text": f.text,
                }
                for f in found
            ],
            schema={
                "series": pl.String,
                "partner_iso3": pl.String,
                "period_start": pl.Date,
                "period_end": pl.Date,
                "is_consistent": pl.Boolean,
                "text": pl.String,
            },
        )
        .group_by(KEY)
        .agg(
            is_consistent=pl.col("is_consistent").all(),
            consistency=pl.col("text").sort_by(pl.col("is_consistent")).str.join("; "),
        )
    )
    out = rows.join(checked, on=KEY, how="left").with_columns(
        # only a primary total is checked; months and unchosen figures are not totals
        is_consistent=pl.when(pl.col("is_primary")).then(pl.col("is_consistent").fill_null(True)),
        consistency=pl.when(pl.col("is_primary")).then(
            pl.col("consistency").fill_null(
                pl.when(pl.col("period_start") == pl.col("period_end"))
                .then(pl.lit("a month"))
                .otherwise(pl.lit("no earlier figure to check it against"))
            )
        ),
    )
    return out.select(
        "series",
        "commodity",
        "element",
        "product",
        "stage",
        basis=pl.lit("exports"),
        reporter_iso3=pl.lit("CHN"),
        partner_iso3="partner_iso3",
        period_start="period_start",
        period_end="period_end",
        months=(
            (pl.col("period_end").dt.month() - pl.col("period_start").dt.month() + 1).cast(pl.Int32)
        ),
        quantity="quantity",
        unit="unit",
        precision="precision",
        is_primary="is_primary",
        agreement="agreement",
        is_consistent="is_consistent",
        consistency="consistency",
        label=pl.lit(LABEL),
        outlet="outlet",
        url="url",
        published="published",
        accessed="accessed",
        note="note",
        source_row=pl.col("source_row").cast(pl.Int32),
    ).sort("series", "partner_iso3", "period_end", "period_start", pl.col("is_primary").not_())
