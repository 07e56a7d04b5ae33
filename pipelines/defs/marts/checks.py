"""Invariants on the marts that need code: a sum over two tables within a tolerance, and IEA's
published top-3 share with the listing-order explanation. Row rules (top-3 >= top-1, China's
share within the top supplier's) are in the marts' contracts (`data_tests`)."""

import dagster as dg

from pipelines.defs.quality import query_rows, rows_check_result
from pipelines.defs.resources import WarehouseResource

SUPPLY_CONCENTRATION = dg.AssetKey(["marts", "supply_concentration"])


_SHARE_TOTALS = """
    SELECT c.source, c.commodity, c.stage, c.basis, c.year,
           round(sum(c.share) + any_value(s.unallocated_share), 4) AS total_share
    FROM marts.country_share c
    JOIN marts.supply_concentration s USING (source, commodity, stage, basis, year)
    GROUP BY ALL
    HAVING abs(sum(c.share) + any_value(s.unallocated_share) - 1) > ?
    ORDER BY abs(total_share - 1) DESC LIMIT 50"""


@dg.asset_check(
    asset=SUPPLY_CONCENTRATION,
    blocking=True,
    description="Country shares plus the aggregate rows' share add up to 1 within "
    "15%: a larger gap means a unit, an edition mix-up or a double count.",
)
def share_sums_to_one(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(warehouse, _SHARE_TOTALS, [0.15])
    return rows_check_result(
        bad, "every series sums to 1 within 15%", "series off by more than 15%"
    )


@dg.asset_check(
    asset=SUPPLY_CONCENTRATION,
    blocking=False,
    description="Series whose rows and published total disagree by more than 1% "
    "(USGS totals are rounded and some exclude withheld US output; IEA's nickel rows "
    "add up to 3.6% more than its Total). A warning to read, not a failure.",
)
def share_sums_to_one_exactly(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(warehouse, _SHARE_TOTALS, [0.01])
    return rows_check_result(
        bad,
        "every series sums to 1 within 1%",
        "series whose parts and published total differ by more than 1%",
        severity=dg.AssetCheckSeverity.WARN,
    )


@dg.asset_check(
    asset=SUPPLY_CONCENTRATION,
    blocking=True,
    additional_deps=[dg.AssetKey(["staging", "production"])],
    description="For IEA series, the computed top-3 share equals the workbook's own "
    "'Top 3 share' row (within 0.001). Where it does not, the published figure must "
    "be IEA's share of the first three countries it lists (IEA sums the first three "
    "rows, not the three largest: battery-grade graphite 2023 lists the US 3rd with "
    "16.5 kt and Germany 6th with 28.2 kt); anything else fails.",
)
def top3_matches_published(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = query_rows(
        warehouse,
        """
        WITH listed AS (
            SELECT p.edition, p.commodity, p.stage, p.year, p.source_row, p.amount
            FROM staging.production p
            WHERE p.source = 'iea' AND p.iso3 IS NOT NULL
        ),
        first_three AS (
            SELECT l.edition, l.commodity, l.stage, l.year,
                   sum(l.amount) FILTER (WHERE l.pos <= 3) AS first_three_amount
            FROM (SELECT *, row_number() OVER (PARTITION BY edition, commodity, stage, year
                                               ORDER BY source_row) AS pos FROM listed) l
            GROUP BY ALL
        )
        SELECT s.commodity, s.stage, s.year, p.edition,
               s.top3_share AS computed, p.published_top3_share AS published,
               f.first_three_amount / s.world_total AS first_three_listed_share
        FROM marts.supply_concentration s
        JOIN staging.iea_published_top3 p
          ON p.commodity = s.commodity AND p.stage = s.stage AND p.year = s.year
         AND p.edition = s.edition
        JOIN first_three f
          ON f.commodity = s.commodity AND f.stage = s.stage AND f.year = s.year
         AND f.edition = s.edition
        WHERE s.source = 'iea'""",
    )
    if not rows:
        return dg.AssetCheckResult(passed=False, description="no IEA series to compare")
    matched = [r for r in rows if abs(r["computed"] - r["published"]) <= 0.001]
    explained = [
        r
        for r in rows
        if r not in matched
        and abs(r["first_three_listed_share"] - r["published"]) <= 0.001
        and r["computed"] >= r["published"]
    ]
    unexplained = [r for r in rows if r not in matched and r not in explained]
    return dg.AssetCheckResult(
        passed=not unexplained,
        description=f"{len(matched)} of {len(rows)} IEA series match the published top-3 share; "
        f"{len(explained)} differ only because IEA sums its first three listed rows; "
        f"{len(unexplained)} unexplained",
        metadata={
            "matched": len(matched),
            "explained_by_listing_order": str(explained),
            "unexplained": str(unexplained),
        },
    )
