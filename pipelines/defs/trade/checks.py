"""Checks on what trade figures mean (issue 26): the flows that fail a test against what
publishers print, and the reviewed content of every mapped HS code."""

import dagster as dg

from pipelines.defs.quality import query_rows, rows_check_result
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import table_key

TRADE_OUTLIERS = table_key("staging.trade_outliers")
HS_CONTENT = table_key("staging.dim_hs_content")

# The worst cases named in the check's description, by tonnes (a flow failing two tests once).
_WORST = """
    SELECT any_value(detail ORDER BY reason) AS detail, string_agg(reason, ', ' ORDER BY reason)
           AS reasons, any_value(quantity_t) AS quantity_t, any_value(year) AS year
    FROM staging.trade_outliers
    GROUP BY nomenclature, year, hs6, exporter_iso3, importer_iso3
    ORDER BY quantity_t DESC NULLS LAST, year DESC"""


@dg.asset_check(
    asset=TRADE_OUTLIERS,
    blocking=False,
    description="Warns with the count and the largest of the BACI flows left out of shares, "
    "concentration and alerts because they fail a test against what publishers print "
    "(docs/trade-checks.md).",
)
def trade_outliers_found(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    flows = query_rows(warehouse, _WORST)
    counts = query_rows(
        warehouse,
        "SELECT reason, count(*) AS flows FROM staging.trade_outliers GROUP BY 1 ORDER BY 2 DESC",
    )
    messages = [f"{r['detail']} [{r['reasons']}]" for r in flows]
    return rows_check_result(
        flows,
        "no flow fails a plausibility test",
        "trade flows left out as outliers ("
        + ", ".join(f"{c['flows']} {c['reason']}" for c in counts)
        + "), largest",
        severity=dg.AssetCheckSeverity.WARN,
        messages=messages,
    )


@dg.asset_check(
    asset=HS_CONTENT,
    blocking=True,
    additional_deps=[table_key("staging.dim_hs_mineral")],
    description="Every HS code the trade map uses has its reviewed content, and a code is a "
    "basket of commodities exactly when the map calls it shared.",
)
def every_mapped_code_has_content(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(
        warehouse,
        """
        SELECT m.nomenclature, m.hs6, m.commodity, m.exclusivity, c.basket,
               CASE WHEN c.hs6 IS NULL THEN 'no row in data/seeds/hs_content.csv'
                    ELSE 'basket and exclusivity disagree' END AS problem
        FROM staging.dim_hs_mineral m
        LEFT JOIN staging.dim_hs_content c USING (nomenclature, hs6)
        WHERE c.hs6 IS NULL OR (c.basket = 'commodity') <> (m.exclusivity = 'shared')
        ORDER BY m.nomenclature, m.hs6""",
    )
    return rows_check_result(
        bad,
        "every mapped code has its content",
        "mapped HS codes without reviewed content",
        messages=[f"{r['nomenclature']} {r['hs6']}: {r['problem']}" for r in bad],
    )
