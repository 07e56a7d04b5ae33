"""Checks on staging.production beyond its contract (`sql/staging/production.yml`: grain, column
rules as a GX suite, `amount_matches_flag`): completeness against the snapshot's expected series,
and plausibility of each figure against the edition before. These stay in Python because each
needs more than a row predicate: a file of the snapshot, window functions over editions and
years with a reviewed seed, and a message per figure in plain words."""

import dagster as dg
import polars as pl

from pipelines.defs.quality import gx_suite_check, query_rows, rows_check_result
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.lib.inputs import SERIES_KEY, load_expected_series
from pipelines.lib.seeds import load_seed

PRODUCTION = dg.AssetKey(["staging", "production"])
# A country's figure falling below this fraction of the previous edition's figure for the same
# year (a fall of more than 90%) blocks: a cut file, a lost digit or a unit slip looks like this.
COLLAPSE_RATIO = 0.1
# Year-on-year moves worth a warning: more than doubling or halving, for a country holding at
# least this share of the series in one of the two years.
YOY_FACTOR = 2.0
YOY_MIN_SHARE = 0.1

production_suite = gx_suite_check(PRODUCTION, id_columns=["source_file", "source_row"])


def _amount(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.3g}"


@dg.asset_check(
    asset=PRODUCTION,
    blocking=True,
    description="Every (source, edition, commodity, stage, year) series listed in "
    "data/snapshot/expected_series.csv (pinned with the snapshot manifest) is present: a "
    "file cut short or a renamed column cannot silently drop a series.",
)
def expected_series_present(
    sources: SourcesResource, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    missing = query_rows(
        warehouse,
        f"""
        SELECT e.* FROM expected e
        ANTI JOIN (SELECT DISTINCT {", ".join(SERIES_KEY)} FROM staging.production) p
        USING ({", ".join(SERIES_KEY)})
        ORDER BY ALL""",
        expected=load_expected_series(sources.snapshot),
    )
    messages = [" ".join(str(r[k]) for k in SERIES_KEY) for r in missing]
    return rows_check_result(
        missing,
        "every expected series is present",
        "expected series missing",
        dg.AssetCheckSeverity.ERROR,
        messages=messages,
    )


_BY_COUNTRY = """
    SELECT source, edition, commodity, stage, year, iso3, country, amount, unit,
           amount / nullif(sum(amount) OVER (PARTITION BY source, edition, commodity, stage, year),
                           0) AS share
    FROM staging.production
    WHERE iso3 IS NOT NULL AND amount IS NOT NULL AND NOT is_projection"""


@dg.asset_check(
    asset=PRODUCTION,
    blocking=True,
    description="No country's figure falls by more than 90% from the previous edition's "
    "figure for the same (commodity, stage, year): reviewed USGS revisions are listed in "
    "data/seeds/accepted_revisions.csv; anything else names the figure and blocks.",
)
def no_collapse_between_editions(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(
        warehouse,
        f"""
        WITH v AS ({_BY_COUNTRY}),
        p AS (SELECT *, lag(amount) OVER w AS prev_amount, lag(edition) OVER w AS prev_edition
              FROM v WINDOW w AS (PARTITION BY source, commodity, stage, year, iso3
                                  ORDER BY edition))
        SELECT p.* FROM p
        ANTI JOIN accepted a USING (source, commodity, stage, year, iso3, edition)
        WHERE p.prev_amount > 0 AND p.amount < {COLLAPSE_RATIO} * p.prev_amount
        ORDER BY p.prev_amount - p.amount DESC""",
        accepted=load_seed("accepted_revisions").with_columns(pl.col("year").cast(pl.Int32)),
    )
    messages = [
        f"{r['country']} {r['commodity']} {r['stage']} {r['year']}: "
        f"{_amount(r['prev_amount'])} {r['unit']} ({r['prev_edition']}) -> "
        f"{_amount(r['amount'])} {r['unit']} ({r['edition']})"
        for r in bad
    ]
    return rows_check_result(
        bad,
        "no figure fell by more than 90% from the previous edition",
        "figure(s) fell by more than 90% from the previous edition",
        dg.AssetCheckSeverity.ERROR,
        messages=messages,
    )


@dg.asset_check(
    asset=PRODUCTION,
    blocking=False,
    description="Large year-on-year moves within one edition (more than doubling or halving, "
    "for a country with at least 10% of the series): a warning to read, not a failure.",
)
def year_on_year_moves(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(
        warehouse,
        f"""
        WITH v AS ({_BY_COUNTRY}),
        p AS (SELECT *, lag(amount) OVER w AS prev_amount, lag(year) OVER w AS prev_year,
                     lag(share) OVER w AS prev_share
              FROM v WINDOW w AS (PARTITION BY source, edition, commodity, stage, iso3
                                  ORDER BY year))
        SELECT * FROM p
        WHERE prev_year = year - 1 AND greatest(share, prev_share) >= {YOY_MIN_SHARE}
          AND (amount > {YOY_FACTOR} * prev_amount OR amount * {YOY_FACTOR} < prev_amount)
        ORDER BY abs(amount - prev_amount) DESC""",
    )
    messages = [
        f"{r['country']} {r['commodity']} {r['stage']} {r['prev_year']} -> {r['year']} "
        f"({r['edition']}): {_amount(r['prev_amount'])} {r['unit']} -> "
        f"{_amount(r['amount'])} {r['unit']}"
        for r in bad
    ]
    return rows_check_result(
        bad,
        "no large year-on-year move",
        "large year-on-year move(s)",
        dg.AssetCheckSeverity.WARN,
        messages=messages,
    )
